"""The pure planner and rotation, driven by hand-picked times (no clock, no desktop)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from microbreak.core.exercises import CATALOG, Position
from microbreak.core.messages import reminder_message
from microbreak.core.planner import (
    JUST_SHOWN,
    Mode,
    Planner,
    Policy,
    Reminder,
    StateError,
    Trigger,
    next_local_time,
)
from microbreak.core.rotation import Rotation, Selection, SelectionError
from microbreak.core.work_hours import WorkWeek

from .fakes import by_id

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
MIN, MAX = timedelta(minutes=30), timedelta(minutes=60)
BERLIN = ZoneInfo("Europe/Berlin")


def planner(seed: int = 1, tz: ZoneInfo = BERLIN) -> Planner:
    rng = random.Random(seed)
    return Planner(Policy(MIN, MAX), Rotation(Selection().allowed(), rng), rng, tz)


def test_start_schedules_within_bounds() -> None:
    for seed in range(50):
        p = planner(seed)
        p.start(T0)
        assert p.due is not None
        assert MIN <= p.due - T0 <= MAX
        assert p.mode is Mode.RUNNING


def test_tick_before_due_shows_nothing_and_at_due_shows_one() -> None:
    p = planner()
    p.start(T0)
    assert p.due is not None
    due = p.due
    assert p.tick(due - timedelta(seconds=1)) is None
    reminder = p.tick(due)
    assert isinstance(reminder, Reminder) and reminder.trigger is Trigger.SCHEDULED
    assert reminder.at == due
    assert p.due is not None and MIN <= p.due - due <= MAX
    assert p.tick(due) is None  # the same moment again never fires twice


def test_a_very_late_tick_fires_once_and_restarts_from_now() -> None:
    p = planner()
    p.start(T0)
    late = T0 + timedelta(hours=9)
    assert p.tick(late) is not None
    assert p.tick(late + timedelta(seconds=1)) is None
    assert p.due is not None and p.due - late >= MIN


def test_take_break_now_shows_and_restarts_interval() -> None:
    p = planner()
    p.start(T0)
    now = T0 + timedelta(minutes=7)
    reminder = p.take_break_now(now)
    assert reminder.trigger is Trigger.NOW and reminder.at == now
    assert p.due is not None and MIN <= p.due - now <= MAX


def first_reminder() -> tuple[Planner, Reminder]:
    """A planner started at T0, at its first reminder."""
    p = planner()
    p.start(T0)
    assert p.due is not None
    shown = p.tick(p.due)
    assert isinstance(shown, Reminder)
    return p, shown


def test_snooze_pushes_pending_reminder_out() -> None:
    p = planner()
    p.start(T0)
    assert p.due is not None
    before = p.due
    p.snooze(T0 + timedelta(minutes=1), timedelta(minutes=10))
    assert p.mode is Mode.SNOOZED
    assert p.due == before + timedelta(minutes=10)
    p.snooze(T0 + timedelta(minutes=2), timedelta(minutes=5))
    assert p.due == before + timedelta(minutes=15)
    reminder = p.tick(p.due)
    assert reminder is not None and p.status(reminder.at).mode is Mode.RUNNING


def test_snooze_right_after_a_reminder_brings_the_same_exercise_back() -> None:
    p, shown = first_reminder()
    now = shown.at + JUST_SHOWN / 2
    p.snooze(now, timedelta(minutes=5))
    assert p.due == now + timedelta(minutes=5)
    again = p.tick(p.due)
    assert isinstance(again, Reminder)
    assert again.exercise == shown.exercise and again.trigger is Trigger.SNOOZED
    assert reminder_message(again).title.endswith("(again)")
    after = p.tick(p.due) if p.due else None
    assert isinstance(after, Reminder) and after.exercise != shown.exercise


@pytest.mark.parametrize("button", [True, False])
def test_a_late_snooze_brings_the_reminder_back_only_from_its_own_button(button: bool) -> None:
    """GNOME and KDE keep the reminder: its Snooze pressed 30 min later still means it. The
    tray's or the CLI's, that late, is about the next break."""
    p = planner()
    p.start(T0)
    assert p.due is not None
    shown = p.tick(p.due)
    assert isinstance(shown, Reminder) and p.due is not None
    now, next_due = shown.at + 3 * JUST_SHOWN, p.due
    assert p.snooze(now, timedelta(minutes=5), this_reminder=button) is button
    if button:
        assert p.due == now + timedelta(minutes=5)
        again = p.tick(p.due)
        assert isinstance(again, Reminder) and again.exercise == shown.exercise
    else:
        assert p.due == max(next_due, now) + timedelta(minutes=5)


def test_a_live_reload_leaves_a_snooze_be() -> None:
    p, shown = first_reminder()
    p.snooze(shown.at, timedelta(minutes=10))
    due = p.due
    faster = Policy(timedelta(seconds=3), timedelta(seconds=4))
    assert p.reconfigure(shown.at, faster, None, p.rotation.exercises) is None
    assert (p.mode, p.due) == (Mode.SNOOZED, due)
    again = p.tick(due) if due else None
    assert isinstance(again, Reminder) and again.exercise == shown.exercise


def test_done_after_a_snooze_starts_a_fresh_interval_not_the_snoozes_end() -> None:
    """Snooze 5 min, do it after one: the next break is a whole interval away, not 4 min."""
    p, shown = first_reminder()
    p.snooze(shown.at, timedelta(minutes=5))
    done_at = shown.at + timedelta(minutes=1)
    assert p.done(done_at) == shown.exercise
    assert p.mode is Mode.RUNNING and p.due is not None
    assert MIN <= p.due - done_at <= MAX


@pytest.mark.parametrize("answer", ["done", "skip"])
def test_snooze_after_the_reminder_was_answered_pushes_the_next_one_out(answer: str) -> None:
    """Not the exercise just done (or skipped) again in five minutes: the next break, later."""
    p, shown = first_reminder()
    p.done(shown.at) if answer == "done" else p.skip(shown.at)
    assert p.due is not None
    next_due, now = p.due, shown.at + JUST_SHOWN / 2
    p.snooze(now, timedelta(minutes=5))
    assert p.due == next_due + timedelta(minutes=5)
    later = p.tick(p.due)
    assert isinstance(later, Reminder) and later.trigger is Trigger.SCHEDULED
    assert later.exercise != shown.exercise


def test_skip_while_paused_answers_the_reminder_and_the_pause_stays() -> None:
    p = planner()
    p.start(T0)
    shown = p.take_break_now(T0)
    p.pause(T0, timedelta(hours=1))
    assert p.skip(T0 + timedelta(minutes=1)) == shown.exercise
    assert p.unanswered is None
    assert p.mode is Mode.PAUSED and p.paused_until == T0 + timedelta(hours=1)
    with pytest.raises(StateError, match="paused"):  # nothing left to skip
        p.skip(T0 + timedelta(minutes=2))


def test_done_with_nothing_to_answer_says_what_comes_next() -> None:
    """Running, the next reminder will come; paused, none will until resumed."""
    p = planner()
    p.start(T0)
    with pytest.raises(StateError, match="the next one will come"):
        p.done(T0)
    p.pause(T0, None)
    with pytest.raises(StateError, match=r"; microbreak is paused$"):
        p.done(T0)


def test_snooze_while_paused_is_refused() -> None:
    p = planner()
    p.start(T0)
    p.pause(T0, None)
    with pytest.raises(StateError, match="paused"):
        p.snooze(T0, timedelta(minutes=5))


def test_pause_for_a_while_then_first_reminder_min_interval_later() -> None:
    p = planner()
    p.start(T0)
    p.pause(T0, timedelta(hours=1))
    assert p.mode is Mode.PAUSED and p.next_wakeup(T0) == T0 + timedelta(hours=1)
    assert p.tick(T0 + timedelta(minutes=59)) is None and p.mode is Mode.PAUSED
    end = T0 + timedelta(hours=1)
    assert p.tick(end) is None  # the pause ends quietly, no reminder at once
    assert p.status(end).mode is Mode.RUNNING and p.due == end + MIN


def test_pause_until_resumed_has_no_wakeup_and_resume_waits_min_interval() -> None:
    p = planner()
    p.start(T0)
    p.pause(T0, None)
    assert p.next_wakeup(T0) is None
    assert p.tick(T0 + timedelta(days=3)) is None
    now = T0 + timedelta(days=3)
    assert p.resume(now) is True
    assert p.due == now + MIN
    assert p.resume(now) is False  # not paused any more


def test_take_break_now_while_paused_keeps_the_pause() -> None:
    p = planner()
    p.start(T0)
    p.pause(T0, None)
    reminder = p.take_break_now(T0 + timedelta(minutes=3))
    assert reminder.trigger is Trigger.NOW
    assert p.mode is Mode.PAUSED and p.next_wakeup(T0 + timedelta(minutes=3)) is None


def test_pause_until_tomorrow_morning_in_local_time() -> None:
    p = planner()
    evening = datetime(2026, 11, 23, 17, 0, tzinfo=BERLIN).astimezone(timezone.utc)
    p.start(evening)
    p.pause_until_morning(evening)
    expected = datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN).astimezone(timezone.utc)
    assert p.paused_until == expected
    assert p.status(evening).text(evening, BERLIN) == "Paused until Tue 08:00"


def test_next_local_time_before_dawn_is_today_and_dst_safe() -> None:
    night = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN).astimezone(timezone.utc)
    # Clocks go forward at 02:00 that night: 08:00 local is 06:00 UTC, not 07:00.
    assert next_local_time(night, time(8), BERLIN) == datetime(
        2026, 3, 29, 6, 0, tzinfo=timezone.utc
    )


def test_a_time_the_clock_skips_is_the_moment_of_the_jump() -> None:
    """29 March 2026: Berlin's clocks jump from 02:00 CET to 03:00 CEST, so 02:30 is never
    shown. "Until 02:30" at 01:10 ends at the jump (03:00 CEST), not an hour later; working
    hours "02:30-04:00" that night run from 03:00 to 04:00 CEST."""
    utc = timezone.utc
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=utc)  # 03:00 CEST
    before = datetime(2026, 3, 29, 0, 10, tzinfo=utc)  # 01:10 CET
    assert next_local_time(before, time(2, 30), BERLIN) == jump
    night = WorkWeek.parse([("02:30-04:00",)] * 7)
    assert night.current(jump, BERLIN) == (jump, jump + timedelta(hours=1))
    assert night.current(jump - timedelta(seconds=1), BERLIN) is None
    late = WorkWeek.parse([("23:00-02:30",)] * 7)  # ends at the jump too
    assert late.current(jump, BERLIN) is None
    assert late.current(jump - timedelta(seconds=1), BERLIN) is not None


def test_next_local_time_in_the_repeated_hour_is_its_second_coming() -> None:
    """25 October 2026: Berlin's clocks go back at 03:00 CEST, and 02:00-03:00 comes twice."""
    utc = timezone.utc
    first_pass = datetime(2026, 10, 25, 0, 40, tzinfo=utc)  # 02:40 CEST
    # "Until 02:30": the clock shows it again 50 minutes later (02:30 CET), not tomorrow.
    assert next_local_time(first_pass, time(2, 30), BERLIN) == datetime(
        2026, 10, 25, 1, 30, tzinfo=utc
    )
    second_pass = datetime(2026, 10, 25, 1, 40, tzinfo=utc)  # 02:40 CET: both have gone
    assert next_local_time(second_pass, time(2, 30), BERLIN) == datetime(
        2026, 10, 26, 1, 30, tzinfo=utc
    )
    # A time before the repeated hour comes once.
    assert next_local_time(first_pass, time(1, 30), BERLIN) == datetime(
        2026, 10, 26, 0, 30, tzinfo=utc
    )


def test_suspend_long_enough_is_a_natural_break() -> None:
    p = planner()
    p.start(T0)
    wake = T0 + timedelta(hours=2)
    assert p.on_suspend(wake, timedelta(hours=2)) is True
    assert p.due is not None and MIN <= p.due - wake <= MAX
    assert p.tick(wake) is None  # nothing pops up the moment the lid opens


def test_short_suspend_keeps_the_schedule() -> None:
    p = planner()
    p.start(T0)
    due = p.due
    assert p.on_suspend(T0 + timedelta(minutes=5), timedelta(minutes=2)) is False
    assert p.due == due


def test_clock_jump_keeps_the_remaining_wait() -> None:
    p = planner()
    p.start(T0)
    assert p.due is not None
    remaining = p.due - T0
    for delta in (timedelta(hours=3), timedelta(hours=-3)):
        now = T0 + delta
        p.on_clock_jump(now, delta)
        assert p.due - now == remaining
        p.on_clock_jump(T0, -delta)


def test_status_texts() -> None:
    p = planner(tz=ZoneInfo("UTC"))
    p.start(T0)
    assert p.due is not None
    p.due = T0 + timedelta(minutes=23)
    assert p.status(T0).text(T0, ZoneInfo("UTC")) == "Next break in 23 min (09:23)"
    p.snooze(T0, timedelta(minutes=5))
    assert p.status(T0).text(T0, ZoneInfo("UTC")) == "Snoozed: next break in 28 min (09:28)"
    p.pause(T0, timedelta(minutes=30))
    assert p.status(T0).text(T0, ZoneInfo("UTC")) == "Paused until 09:30"
    p.pause(T0, None)
    assert p.status(T0).text(T0, ZoneInfo("UTC")) == "Paused until resumed"


def test_policy_rejects_bad_bounds() -> None:
    with pytest.raises(ValueError):
        Policy(timedelta(minutes=60), timedelta(minutes=30))
    with pytest.raises(ValueError):
        Policy(timedelta(0), timedelta(minutes=30))


# -- rotation -----------------------------------------------------------------------------------


def test_rotation_shows_every_allowed_exercise_once_per_round() -> None:
    allowed = Selection().allowed()
    rotation = Rotation(allowed, random.Random(7))
    ids = [rotation.next().id for _ in range(len(allowed) * 5)]
    for start in range(0, len(ids), len(allowed)):
        assert sorted(ids[start : start + len(allowed)]) == sorted(e.id for e in allowed)
    assert all(a != b for a, b in pairwise(ids))


def test_rotation_prefers_a_different_body_area() -> None:
    allowed = Selection().allowed()
    areas = {e.area for e in allowed}
    assert len(areas) >= 3
    rotation = Rotation(allowed, random.Random(3))
    shown = [rotation.next() for _ in range(200)]
    same = sum(a.area == b.area for a, b in pairwise(shown))
    # A pure shuffle of these exercises repeats an area about a quarter of the time; the
    # rotation only does so when the rest of the round is all one area.
    assert same / len(shown) < 0.1


def test_rotation_resumes_from_a_saved_deck() -> None:
    allowed = Selection().allowed()
    first = Rotation(allowed, random.Random(5))
    first.next()
    saved, last = first.deck, first.last
    assert last is not None
    second = Rotation(allowed, random.Random(99))
    second.resume(saved, last.id)
    rest = [second.next().id for _ in range(len(saved))]
    assert sorted(rest) == sorted(saved)


def test_selection_defaults_to_seated_only() -> None:
    allowed = Selection().allowed()
    assert allowed and all(e.position is Position.SEATED for e in allowed)
    assert len(allowed) == sum(e.position is Position.SEATED for e in CATALOG)


def test_selection_standing_include_exclude() -> None:
    both = Selection(frozenset({Position.SEATED, Position.STANDING})).allowed()
    assert any(e.position is Position.STANDING for e in both)
    assert not any(e.position is Position.FLOOR for e in both)
    assert [e.id for e in Selection(include=("bridge",)).allowed()] == ["bridge"]
    trimmed = Selection(exclude=("shoulder-rolls",)).allowed()
    assert "shoulder-rolls" not in {e.id for e in trimmed}
    with pytest.raises(SelectionError):
        Selection(include=("shoulder-rolls",), exclude=("shoulder-rolls",)).allowed()
    with pytest.raises(SelectionError, match="unknown"):
        Selection(include=("no-such-thing",)).allowed()


def test_message_names_exercise_and_dose() -> None:
    p = planner()
    reminder = p.take_break_now(T0)
    message = reminder_message(reminder)
    exercise = by_id()[reminder.exercise.id]
    assert message.title == f"Microbreak: {exercise.name}"
    assert exercise.instructions in message.body
    assert exercise.dose.lower() in message.body.lower()


def test_rotation_remembers_the_last_exercise_while_it_is_left_out() -> None:
    allowed = Selection().allowed()
    for seed in range(30):
        rotation = Rotation(allowed, random.Random(seed))
        for _ in allowed:  # to the end of a round: the deck is empty
            shown = rotation.next()
        rotation.reselect([e for e in allowed if e != shown])
        assert rotation.last is None and rotation.last_id == shown.id
        rotation.reselect(allowed)
        assert rotation.next() != shown


def test_rotation_never_repeats_from_a_deck_holding_only_the_last_one() -> None:
    allowed = Selection().allowed()
    rotation = Rotation(allowed, random.Random(1))
    rotation.resume([allowed[0].id], allowed[0].id)
    assert rotation.next() != allowed[0]
