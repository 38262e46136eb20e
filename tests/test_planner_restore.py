"""Saving and loading the planner: every state it can be in comes back from the state file.

Hand-picked cases (the off-duty state the daemon used to throw away, a restart outside working
hours); tests/test_planner_stateful.py tries random sequences of everything else.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from microbreak.adapters.storage.state import StateStore
from microbreak.core.planner import Mode, Planner, Policy, Reminder, StateError
from microbreak.core.rotation import Rotation, Selection
from microbreak.core.work_hours import WorkWeek

UTC = timezone.utc
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MIN, MAX = timedelta(minutes=30), timedelta(minutes=60)
TUESDAYS = WorkWeek.parse([(), ("09:00-17:00",), (), (), (), (), ()])
WEEKDAYS = WorkWeek.parse([("09:00-17:00",)] * 5 + [(), ()])


def planner(work: WorkWeek | None, seed: int = 1) -> Planner:
    rng = random.Random(seed)
    return Planner(Policy(MIN, MAX), Rotation(Selection().allowed(), rng), rng, UTC, work=work)


def through_the_file(p: Planner, now: datetime, tmp_path: Path) -> dict[str, object]:
    """Save as the daemon does, and read it back through the state store's checks."""
    store = StateStore(tmp_path / "state.json")
    store.save(p.snapshot(now))
    loaded, warning = store.load()
    assert warning is None
    assert loaded is not None
    return loaded


def test_an_off_duty_state_survives_a_restart(tmp_path: Path) -> None:
    p = planner(WEEKDAYS)
    p.start(MONDAY)
    first = p.take_break_now(MONDAY)  # something to remember: the rotation and an unanswered one
    evening = MONDAY.replace(hour=18)
    assert p.tick(evening) is None
    assert p.off_duty and p.due is None
    saved = through_the_file(p, evening, tmp_path)

    again = planner(WEEKDAYS, seed=2)
    again.start(evening)
    sentence = again.restore(saved, evening)
    assert again.snapshot(evening) == p.snapshot(evening)
    assert again.off_duty and again.unanswered == first.exercise
    assert again.rotation.last == first.exercise
    assert sentence == "outside working hours: no reminder until they begin"


def test_a_state_file_of_a_day_off_is_not_moved_aside(tmp_path: Path) -> None:
    p = planner(TUESDAYS)
    p.start(MONDAY)  # Monday is not a working day
    through_the_file(p, MONDAY, tmp_path)
    assert [f.name for f in tmp_path.iterdir()] == ["state.json"]


def test_restart_outside_working_hours_promises_no_reminder() -> None:
    p = planner(WEEKDAYS)
    p.start(MONDAY)
    due = MONDAY.replace(hour=16, minute=59, second=50)
    p.due = due  # due just before the end of the working day
    saved = json.loads(json.dumps(p.snapshot(due - timedelta(seconds=10))))

    later = due + timedelta(seconds=20)  # 17:00:10, working hours are over
    again = planner(WEEKDAYS)
    again.start(later)
    sentence = again.restore(saved, later)
    assert "comes now" not in sentence
    assert "outside working hours" in sentence
    assert again.tick(later) is None
    assert again.next_wakeup(later) == MONDAY + timedelta(days=1)  # Tuesday 09:00


def test_restart_inside_working_hours_still_shows_the_missed_reminder() -> None:
    p = planner(WEEKDAYS)
    p.start(MONDAY)
    due = MONDAY.replace(hour=11)
    p.due = due
    saved = json.loads(json.dumps(p.snapshot(due - timedelta(seconds=10))))
    later = due + timedelta(seconds=20)
    again = planner(WEEKDAYS)
    again.start(later)
    assert again.restore(saved, later) == "the reminder that fell due meanwhile comes now"
    assert isinstance(again.tick(later), Reminder)


def test_a_held_and_an_away_state_survive_a_restart(tmp_path: Path) -> None:
    p = planner(None)
    p.start(MONDAY)
    assert p.due is not None
    due = p.due
    assert p.tick(due, hold="a full-screen window") is None
    assert p.held_reason == "a full-screen window"
    p.on_presence(due, due - timedelta(minutes=1))
    saved = through_the_file(p, due, tmp_path)
    again = planner(None, seed=3)
    again.start(due)
    again.restore(saved, due)
    assert again.snapshot(due) == p.snapshot(due)
    assert again.held_since == due and again.away_since == due - timedelta(minutes=1)
    assert again.mode is Mode.RUNNING


def test_an_unanswered_exercise_left_out_of_the_selection_survives_a_restart() -> None:
    p = planner(None)
    p.start(MONDAY)
    shown = p.take_break_now(MONDAY).exercise
    saved = json.loads(json.dumps(p.snapshot(MONDAY)))
    rng = random.Random(4)
    others = [e for e in Selection().allowed() if e != shown]
    again = Planner(Policy(MIN, MAX), Rotation(others, rng), rng, UTC)
    again.start(MONDAY)
    again.restore(saved, MONDAY)
    assert again.snapshot(MONDAY) == saved
    assert again.unanswered == shown and again.done(MONDAY) == shown


def test_a_snooze_during_a_hold_ends_the_hold() -> None:
    p = planner(None)
    p.start(MONDAY)
    assert p.due is not None
    due = p.due
    assert p.tick(due, hold="a video call") is None
    p.snooze(due, timedelta(minutes=45))
    assert p.held_since is None and p.held_reason is None
    # Before, the hold stayed: 30 min later next_wakeup was in the past until the due time,
    # and the timer fired again and again.
    later = due + timedelta(minutes=31)
    wake = p.next_wakeup(later)
    assert wake is not None and wake > later


def test_resuming_outside_working_hours_waits_for_them() -> None:
    p = planner(WEEKDAYS)
    p.start(MONDAY)
    p.pause(MONDAY, None)
    evening = MONDAY.replace(hour=20)
    assert p.resume(evening)
    assert p.off_duty and p.due is None
    assert p.next_wakeup(evening) == MONDAY + timedelta(days=1)


def test_working_hours_begin_while_away() -> None:
    p = planner(WEEKDAYS)
    night = MONDAY.replace(hour=6)
    p.start(night)
    p.on_presence(night, night - timedelta(minutes=10))
    # The start of working hours is still a wake-up, so the status stops saying "outside".
    assert p.next_wakeup(night) == MONDAY
    assert p.tick(MONDAY) is None
    assert not p.off_duty and p.due == MONDAY + MIN


def test_a_clock_set_back_while_stopped_does_not_stretch_the_wait(tmp_path: Path) -> None:
    """Saved at 14:00 by a clock that ran 4 h ahead, restarted at 10:05 by the set-back clock."""
    p = planner(None)
    ahead = MONDAY.replace(hour=14)
    p.start(ahead)
    left = p.due - ahead if p.due else None
    assert left is not None and MIN <= left <= MAX
    saved = through_the_file(p, ahead, tmp_path)

    now = MONDAY.replace(hour=10, minute=5)
    again = planner(None, seed=2)
    again.start(now)
    assert again.restore(saved, now) == "the pending reminder keeps its time"
    assert again.due == now + left  # the wait it had left, not 4 h more


def test_a_break_taken_after_hours_can_be_snoozed_and_comes_back_once(tmp_path: Path) -> None:
    """ "Take a break now" at 19:00, Snooze on it at 19:01: that exercise comes back at 19:06
    (also across a restart), and nothing else comes until working hours begin."""
    p = planner(WEEKDAYS)
    evening = MONDAY.replace(hour=19)
    p.start(evening)
    shown = p.take_break_now(evening)
    pressed = evening + timedelta(minutes=1)
    assert p.snooze(pressed, timedelta(minutes=5), this_reminder=True)
    back = evening + timedelta(minutes=6)
    assert p.status(pressed).text(pressed, UTC) == "Snoozed: next break in 5 min (19:06)"
    assert p.next_wakeup(pressed) == back

    again = planner(WEEKDAYS, seed=2)  # a restart before it comes back
    again.start(evening)
    sentence = again.restore(through_the_file(p, evening, tmp_path), evening)
    assert sentence == "outside working hours: only the snoozed reminder comes back"
    assert again.tick(back - timedelta(seconds=1)) is None
    encore = again.tick(back)
    assert isinstance(encore, Reminder) and encore.exercise == shown.exercise
    assert again.off_duty and again.due is None and again.mode is Mode.RUNNING
    assert again.next_wakeup(back) == MONDAY + timedelta(days=1)  # Tuesday 09:00
    assert "Outside working hours" in again.status(back).text(back, UTC)


def test_after_hours_only_the_reminder_on_screen_can_be_snoozed() -> None:
    """The tray and the CLI mean it only soon after it showed; else there is nothing to move."""
    p = planner(WEEKDAYS)
    evening = MONDAY.replace(hour=19)
    p.start(evening)
    with pytest.raises(StateError, match="outside working hours"):
        p.snooze(evening, timedelta(minutes=5))  # nothing on screen
    p.take_break_now(evening)
    with pytest.raises(StateError, match="outside working hours"):
        p.snooze(evening + timedelta(minutes=11), timedelta(minutes=5))  # from the tray, late
    assert p.due is None and p.mode is Mode.RUNNING


def test_a_snooze_after_hours_stands_when_working_hours_begin() -> None:
    """Snoozed at 08:58 on Tuesday for 15 min: it comes back at 09:13, as the status said, not
    swallowed by the working period that begins at 09:00; then the usual intervals."""
    p = planner(WEEKDAYS)
    early = MONDAY + timedelta(days=1, minutes=-2)  # Tuesday 08:58
    p.start(early)
    shown = p.take_break_now(early)
    assert p.snooze(early, timedelta(minutes=15), this_reminder=True)
    back = early + timedelta(minutes=15)
    assert p.status(early).text(early, UTC) == "Snoozed: next break in 15 min (09:13)"
    start = early + timedelta(minutes=2)
    assert p.next_wakeup(early) == start
    assert p.tick(start) is None
    assert not p.off_duty and p.mode is Mode.SNOOZED and p.due == back
    encore = p.tick(back)
    assert isinstance(encore, Reminder) and encore.exercise == shown.exercise
    assert p.status(back).mode is Mode.RUNNING and p.due is not None and MIN <= p.due - back <= MAX


def test_a_snooze_past_the_end_of_working_hours_still_comes_back() -> None:
    """At 16:58, with hours to 17:00, Snooze 5 min on the reminder: it comes back at 17:03
    (README: "however long the reminder waited"), and then nothing until morning."""
    p = planner(WEEKDAYS)
    late = MONDAY.replace(hour=16, minute=58)
    p.start(late)
    shown = p.take_break_now(late)
    assert p.snooze(late, timedelta(minutes=5), this_reminder=True)
    assert p.status(late).text(late, UTC) == "Snoozed: next break in 5 min (17:03)"
    end = MONDAY.replace(hour=17)
    assert p.tick(end) is None
    assert p.off_duty and p.mode is Mode.SNOOZED
    encore = p.tick(end + timedelta(minutes=3))
    assert isinstance(encore, Reminder) and encore.exercise == shown.exercise
    assert p.off_duty and p.due is None
    assert p.next_wakeup(end + timedelta(minutes=3)) == MONDAY + timedelta(days=1)


def test_a_due_time_past_the_working_day_is_shown_as_the_next_days_first() -> None:
    """A reminder at 16:35 leaves the next "due" at 17:12, which never comes: the status says
    the next working period's first reminder instead (also in ``microbreak status --json``)."""
    p = planner(WEEKDAYS)
    p.start(MONDAY)
    late = MONDAY.replace(hour=16, minute=35)
    p.due = late + timedelta(minutes=37)  # 17:12
    status = p.status(late)
    tuesday_first = MONDAY + timedelta(days=1) + MIN  # 09:30
    assert status.due == tuesday_first
    assert status.text(late, UTC) == "Next break in 16 h 55 min (Tue 09:30)"
    assert p.tick(late.replace(hour=17)) is None  # and so it goes: nothing at 17:12
    assert p.next_wakeup(late.replace(hour=17)) == MONDAY + timedelta(days=1)


def test_restarted_outside_working_hours_the_status_says_so_at_once(tmp_path: Path) -> None:
    """Quit at 16:50 with a break due at 17:20, started again at 17:05: no "Next break in 15
    min", which would never come, while the first tick is still to run (it runs at once)."""
    p = planner(WEEKDAYS)
    p.start(MONDAY)
    p.due = MONDAY.replace(hour=17, minute=20)
    saved = through_the_file(p, MONDAY.replace(hour=16, minute=50), tmp_path)
    evening = MONDAY.replace(hour=17, minute=5)
    again = planner(WEEKDAYS)
    again.start(evening)
    again.restore(saved, evening)
    assert again.status(evening).text(evening, UTC).startswith("Outside working hours")
    assert again.next_wakeup(evening) == evening
    assert again.tick(evening) is None and again.off_duty
