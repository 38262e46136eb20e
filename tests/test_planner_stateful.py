"""Random sequences through the pure planner, with a fake clock, checked after every step.

Hypothesis drives the planner the way App does: actions (now, snooze, pause, resume, skip,
done), the timer firing at ``next_wakeup`` (never later than ``WATCH``), wall-clock jumps,
suspends, absences, do-not-disturb holds, working-hours edges, config changes and restarts
(snapshot, a JSON round trip, a new Planner, restore). The invariants, after each step:

1. **Save and load**: a snapshot restored into a new planner at the same moment gives back
   an equal snapshot (also after ``json.dumps``/``json.loads``).
2. **No exercise follows itself**: two reminders in a row never show the same exercise,
   except the repeat a snooze asked for (trigger SNOOZED, or "now" after a snooze) and a
   selection of one exercise.
3. **Gaps stay in bounds**: time is measured as real time (the wall clock less its jumps, so a
   suspend counts and a jump does not). The planner is *active* when it is not paused, not
   away and not off duty. Each *anchor* opens a window ``[anchor + min, anchor + max]`` for
   the next scheduled (or snoozed) reminder: a reminder shown, the start, a skip, a natural
   break (a long suspend, a return), becoming active (resume, a return, working hours
   beginning), a dropped hold, a config change that re-times, a restart that starts afresh.
   Leaving the active state closes the window. Then:
   - a snooze of ``d`` moves it to ``[now + d, max(hi, now) + d]``;
   - a hold lets the reminder come up to ``max_postpone`` after the hold began;
   - a short suspend or a short restart over the due time lets it come on waking;
   - "now" reminders come on demand and are not checked, but do anchor.
   A scheduled reminder must come inside the window, and while active the window's end may
   not pass without one (a lost reminder).
4. **One reminder per due time**: no two scheduled reminders fire for the same due time or at
   the same moment.

Also: a restart's log sentence tells the truth ("comes now" is followed by a reminder, "outside
working hours" by none); the timer is never armed in the past again and again; only a due
reminder is held; the off-duty flag matches the working hours after each tick.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from microbreak.core.exercises import Exercise, Position
from microbreak.core.planner import (
    JUST_SHOWN,
    Dropped,
    Mode,
    Planner,
    Policy,
    Reminder,
    StateError,
    Trigger,
)
from microbreak.core.rotation import Rotation, Selection
from microbreak.core.work_hours import Span, WorkWeek

TZ = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)  # Monday 08:00 in Berlin
#: App's timer also fires every WATCH (5 min) when nothing is due; an hour here keeps a
#: simulated week short, and such a wake-up must change nothing anyway.
WATCH = timedelta(hours=1)
M = timedelta(minutes=1)

POLICIES = [
    Policy(30 * M, 60 * M),
    Policy(5 * M, 10 * M, natural_break=5 * M, max_postpone=6 * M),
    Policy(20 * M, 20 * M, natural_break=3 * M, max_postpone=12 * M),
    Policy(2 * M, 3 * M, natural_break=10 * M, max_postpone=30 * M),
]


class Remembered(WorkWeek):
    """The real WorkWeek, each answer remembered: the machine asks the same question often."""

    def __init__(self, days: list[tuple[str, ...]]) -> None:
        super().__init__([[Span.parse(t) for t in day] for day in days])
        self._current: dict[tuple[datetime, tzinfo], tuple[datetime, datetime] | None] = {}
        self._next: dict[tuple[datetime, tzinfo], datetime | None] = {}

    def current(self, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
        if (now, tz) not in self._current:
            self._current[now, tz] = super().current(now, tz)
        return self._current[now, tz]

    def next_start(self, now: datetime, tz: tzinfo) -> datetime | None:
        if (now, tz) not in self._next:
            self._next[now, tz] = super().next_start(now, tz)
        return self._next[now, tz]

    __hash__ = WorkWeek.__hash__


WORK_WEEKS: list[WorkWeek | None] = [
    None,
    Remembered([("09:00-17:00",)] * 5 + [(), ()]),
    Remembered([("09:00-09:40", "10:00-10:25", "22:00-01:00")] * 7),  # short and overnight
    Remembered([(), ("08:00-18:00",), (), (), (), (), ()]),  # Tuesdays only
]
SELECTIONS = [
    Selection(),
    Selection(include=("shoulder-rolls", "gentle-neck-stretch")),
    Selection(include=("shoulder-rolls",)),
    Selection(exclude=("shoulder-rolls", "seated-chest-opener")),
    Selection(positions=frozenset({Position.SEATED, Position.STANDING})),
]
ACTIVE_CHECK = "the planner is active"


@dataclass
class Window:
    """When the next scheduled reminder may come, in real time."""

    lo: datetime
    hi: datetime


ALLOWED = [selection.allowed() for selection in SELECTIONS]


def state_of(p: Planner) -> dict[str, object]:
    """Every field of the planner but its settings and random generator, and the rotation's."""
    settings = {"policy", "work", "tz", "rotation", "_rng"}
    fields = {k: v for k, v in vars(p).items() if k not in settings}
    return {**fields, "deck": p.rotation.deck, "last": p.rotation.last_id}


def _allowed(index: int) -> tuple[Exercise, ...]:
    return ALLOWED[index]


class PlannerMachine(RuleBasedStateMachine):
    """The planner, a model of what it may do, and the clocks."""

    def __init__(self) -> None:
        super().__init__()
        self.wall = START
        self.jumped = timedelta(0)  # the wall clock's jumps so far: real = wall - jumped
        self.present = True
        self.away_start: datetime | None = None
        self.dnd: str | None = None
        self.window: Window | None = None
        self.last_exercise: str | None = None
        self.snoozed_since_shown = False
        self.encore = False  # the reminder on screen was snoozed: it comes back, hours or not
        self.fired_dues: set[datetime] = set()
        self.fired_at: set[datetime] = set()
        self.shown = 0
        self.policy = POLICIES[0]
        self.work: WorkWeek | None = None
        self.selection = 0
        self.planner = self._new_planner(0)

    # -- helpers ---------------------------------------------------------------------------------

    def _new_planner(self, seed: int) -> Planner:
        rng = random.Random(seed)
        rotation = Rotation(_allowed(self.selection), rng)
        return Planner(self.policy, rotation, rng, TZ, work=self.work)

    def real(self, wall: datetime | None = None) -> datetime:
        return (self.wall if wall is None else wall) - self.jumped

    def active(self) -> bool:
        p = self.planner
        return p.mode is not Mode.PAUSED and p.away_since is None and not p.off_duty

    def anchor(self) -> None:
        now = self.real()
        self.window = Window(now + self.policy.min_interval, now + self.policy.max_interval)

    def settle(self, was_active: bool, *, anchored: bool = False) -> None:
        """Open or close the window after the planner changed state."""
        if not self.active():
            self.window = None
        elif not was_active and not anchored:
            self.anchor()

    def reminder(self, r: Reminder, was_active: bool, due_before: datetime | None) -> None:
        """Check one reminder against the invariants and anchor the next window."""
        repeat = r.exercise.id == self.last_exercise
        asked = r.trigger is Trigger.SNOOZED or (
            r.trigger is Trigger.NOW and self.snoozed_since_shown
        )
        assert not repeat or asked or len(_allowed(self.selection)) == 1, (
            f"{r.exercise.id} followed itself ({r.trigger.value})"
        )
        if r.trigger is Trigger.SNOOZED and not was_active:
            # Off duty only the reminder on screen, snoozed, comes back (at its time, also
            # when working hours begin or end meanwhile).
            assert self.encore and repeat, "a reminder came off duty"
        elif r.trigger is not Trigger.NOW:
            assert was_active, "a scheduled reminder came while paused, away or off duty"
            assert self.window is not None
            now = self.real()
            assert self.window.lo <= now <= self.window.hi, (self.window, now)
            assert due_before is not None
            due = self.real(due_before)
            assert due not in self.fired_dues, "two reminders for one due time"
            assert now not in self.fired_at, "two reminders at one moment"
            self.fired_dues.add(due)
            self.fired_at.add(now)
        self.last_exercise = r.exercise.id
        self.snoozed_since_shown = self.encore = False
        self.shown += 1

    def tick(self) -> None:
        """What App.wake does: look at presence, ask do-not-disturb if due, tick."""
        p = self.planner
        was_active = self.active()
        p.on_presence(self.wall, self.away_start if not self.present else None)
        hold = self.dnd if p.is_due(self.wall) else None
        due_before = p.due
        result = p.tick(self.wall, hold)
        if isinstance(result, Reminder):
            self.reminder(result, was_active, due_before)
            self.settle(was_active, anchored=True)
            if self.active():
                self.anchor()
            return
        if isinstance(result, Dropped):
            self.settle(was_active, anchored=True)
            if self.active():
                self.anchor()
            return
        self.settle(was_active)
        if not was_active and self.active() and self.encore and p.mode is Mode.SNOOZED:
            # Working hours began with a snooze of the reminder on screen pending: it stands.
            assert p.due is not None
            self.window = Window(self.real(p.due), self.real(max(p.due, self.wall)))
        if p.held_since is not None and self.window is not None:
            held_until = self.real(p.held_since) + self.policy.max_postpone
            self.window.hi = max(self.window.hi, held_until)

    def run(self, length: timedelta) -> None:
        """Let awake time pass, ticking whenever the timer would fire."""
        end = self.wall + length
        stuck = 0
        while True:
            wake = self.planner.next_wakeup(self.wall)
            at = min(wake, self.wall + WATCH) if wake is not None else self.wall + WATCH
            if at > end:
                break
            stuck = stuck + 1 if at <= self.wall else 0
            assert stuck <= 2, f"the timer fires again and again at {self.wall}"
            self.wall = max(at, self.wall)
            self.tick()
        self.wall = end

    # -- setup -----------------------------------------------------------------------------------

    @initialize(
        policy=st.integers(0, len(POLICIES) - 1),
        work=st.integers(0, len(WORK_WEEKS) - 1),
        selection=st.integers(0, len(SELECTIONS) - 1),
        seed=st.integers(0, 2**16),
        offset=st.integers(0, 7 * 24 * 60).map(lambda m: m * M),
        dnd=st.sampled_from([None, "a video call"]),
    )
    def start(
        self, policy: int, work: int, selection: int, seed: int, offset: timedelta, dnd: str | None
    ) -> None:
        self.policy, self.work, self.selection = POLICIES[policy], WORK_WEEKS[work], selection
        self.dnd = dnd
        self.wall = START + offset
        self.planner = self._new_planner(seed)
        self.planner.start(self.wall)
        self.settle(False)
        self.run(timedelta(0))

    # -- time passes -----------------------------------------------------------------------------

    @rule(
        seconds=st.one_of(
            st.sampled_from([1, 59, 60, 299, 300, 600, 1800, 3600, 4 * 3600, 16 * 3600]),
            st.integers(1, 3 * 3600),
        )
    )
    def wait(self, seconds: int) -> None:
        self.run(timedelta(seconds=seconds))

    @rule(offset=st.sampled_from([-1, 0, 1, 60]))
    def to_the_due_time(self, offset: int) -> None:
        """Just before, at or just after the pending reminder (where holds and snoozes meet)."""
        due = self.planner.due
        target = (due if due is not None else self.wall) + timedelta(seconds=offset)
        self.run(max(target - self.wall, timedelta(0)))

    @rule(offset=st.sampled_from([-1, 0, 1, 30]))
    def to_a_working_hours_edge(self, offset: int) -> None:
        if self.work is None:
            self.run(timedelta(hours=1))
            return
        period = self.work.current(self.wall, TZ)
        edge = period[1] if period is not None else self.work.next_start(self.wall, TZ)
        assert edge is not None
        target = edge + timedelta(seconds=offset)
        if target > self.wall:
            self.run(target - self.wall)

    @rule(delta=st.sampled_from([-5 * 3600, -3600, -120, 120, 3600, 5 * 3600, 24 * 3600]))
    def clock_jump(self, delta: int) -> None:
        jump = timedelta(seconds=delta)
        self.wall += jump
        self.jumped += jump
        self.planner.on_clock_jump(self.wall, jump)
        self.tick()

    @rule(seconds=st.sampled_from([30, 120, 299, 300, 600, 3600, 10 * 3600]))
    def suspend(self, seconds: int) -> None:
        slept = timedelta(seconds=seconds)
        self.wall += slept
        was_active = self.active()
        natural = self.planner.on_suspend(self.wall, slept)
        if natural:
            self.settle(was_active, anchored=True)
            if self.active():
                self.anchor()
        elif self.window is not None:
            self.window.hi = max(self.window.hi, self.real())  # it may come on waking
        self.tick()

    @rule()
    def away_or_back(self) -> None:
        """The user leaves (idle or locked), or comes back; App notices at its next wake-up."""
        if self.present:
            self.present = False
            self.away_start = self.wall - self.policy.natural_break  # as Away reports it
        else:
            self.present, self.away_start = True, None
        self.tick()

    @rule(reason=st.sampled_from([None, "a full-screen window"]))
    def do_not_disturb(self, reason: str | None) -> None:
        self.dnd = reason

    # -- the user acts ---------------------------------------------------------------------------

    @rule()
    def now(self) -> None:
        was_active = self.active()
        self.reminder(self.planner.take_break_now(self.wall), was_active, None)
        self.settle(was_active, anchored=True)
        if self.active():
            self.anchor()

    @rule(minutes=st.sampled_from([1, 5, 10, 15, 30]), button=st.booleans())
    def snooze(self, minutes: int, button: bool) -> None:
        """``button``: the Snooze on the reminder itself, which means that reminder."""
        p, length = self.planner, minutes * M
        recent = p.last_shown is not None and self.wall - p.last_shown < JUST_SHOWN
        on_screen = p.unanswered is not None and (button or recent)
        if p.mode is Mode.PAUSED or (p.due is None and not (p.off_duty and on_screen)):
            with pytest.raises(StateError):
                p.snooze(self.wall, length, this_reminder=button)
            return
        if p.off_duty or on_screen:
            self.encore = True
        was_active = self.active()
        unanswered = p.unanswered
        again = p.snooze(self.wall, length, this_reminder=button)
        # The button always means the reminder on screen; the tray or CLI, only soon after it.
        assert again <= (unanswered is not None)
        assert not button or again == (unanswered is not None)
        if again:
            assert p.due == self.wall + length
        self.snoozed_since_shown = True
        if self.window is not None:
            now = self.real()
            self.window = Window(now + length, max(self.window.hi, now) + length)
        self.settle(was_active, anchored=True)

    @rule(minutes=st.sampled_from([None, 5, 60, 180]))
    def pause(self, minutes: int | None) -> None:
        self.planner.pause(self.wall, minutes * M if minutes is not None else None)
        self.settle(self.active())

    @rule()
    def pause_until_morning(self) -> None:
        self.planner.pause_until_morning(self.wall)
        self.settle(self.active())

    @rule()
    def resume(self) -> None:
        was_active, paused = self.active(), self.planner.mode is Mode.PAUSED
        assert self.planner.resume(self.wall) is paused
        self.settle(was_active)

    @rule()
    def skip(self) -> None:
        p = self.planner
        if p.mode is Mode.PAUSED:
            if p.unanswered is None:
                with pytest.raises(StateError):
                    p.skip(self.wall)
                return
            until = p.paused_until
            assert p.skip(self.wall) is not None  # it answers the reminder on screen
            assert p.mode is Mode.PAUSED and p.paused_until == until and p.unanswered is None
            return
        was_active = self.active()
        p.skip(self.wall)
        self.settle(was_active, anchored=True)
        if self.active():
            self.anchor()

    @rule()
    def done(self) -> None:
        p = self.planner
        if p.unanswered is None:
            with pytest.raises(StateError):
                p.done(self.wall)
            return
        was_active, due = self.active(), p.due
        assert p.done(self.wall).id == self.last_exercise or self.last_exercise is None
        afresh = p.due != due  # done after a snooze of it: a fresh interval, not the snooze's end
        self.settle(was_active, anchored=afresh)
        if afresh and self.active():
            self.anchor()

    # -- settings and restarts -------------------------------------------------------------------

    @rule(
        policy=st.integers(0, len(POLICIES) - 1),
        work=st.integers(0, len(WORK_WEEKS) - 1),
        selection=st.integers(0, len(SELECTIONS) - 1),
    )
    def reconfigure(self, policy: int, work: int, selection: int) -> None:
        was_active = self.active()
        self.policy, self.work, self.selection = POLICIES[policy], WORK_WEEKS[work], selection
        why = self.planner.reconfigure(self.wall, self.policy, self.work, _allowed(selection))
        self.settle(was_active, anchored=why is not None)
        if why is not None and self.active():
            self.anchor()
        self.tick()

    @rule(
        downtime=st.sampled_from([0, 10, 120, 600, 2 * 3600, 14 * 3600]),
        seed=st.integers(0, 2**16),
    )
    def restart(self, downtime: int, seed: int) -> None:
        """Stop (the snapshot goes to disk as JSON), maybe wait, start a new planner."""
        old = self.planner
        was_active = self.active()
        saved = json.loads(json.dumps(old.snapshot(self.wall)))
        due = old.due
        self.wall += timedelta(seconds=downtime)
        self.planner = self._new_planner(seed)
        self.planner.start(self.wall)
        sentence = self.planner.restore(saved, self.wall)
        if downtime == 0:
            assert self.planner.snapshot(self.wall) == saved
        fresh = "fresh interval" in sentence
        if fresh:
            self.settle(was_active, anchored=True)
            if self.active():
                self.anchor()
        elif due is not None and due <= self.wall and self.window is not None:
            self.window.hi = max(self.window.hi, self.real())  # it comes on starting
        else:
            self.settle(was_active)
        quiet = self.present and self.dnd is None
        shown = self.shown
        self.tick()
        if "comes now" in sentence and quiet:
            assert self.shown == shown + 1, f"{sentence!r}, and no reminder came"
        if sentence == "outside working hours: no reminder until they begin":
            assert self.shown == shown, f"{sentence!r}, and a reminder came"
        self.run(timedelta(0))

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def save_and_load_give_the_same_state(self) -> None:
        saved = self.planner.snapshot(self.wall)
        loaded = json.loads(json.dumps(saved))
        assert loaded == saved
        again = self._new_planner(12345)
        again.start(self.wall)
        again.restore(loaded, self.wall)
        assert again.snapshot(self.wall) == saved
        assert state_of(again) == state_of(self.planner)  # no field left out of the snapshot
        assert json.dumps(again.snapshot(self.wall), sort_keys=True) == json.dumps(
            saved, sort_keys=True
        )

    @invariant()
    def no_reminder_is_lost(self) -> None:
        if self.active() and self.window is not None:
            assert self.real() <= self.window.hi, (
                f"nothing came by {self.window.hi}, now {self.real()}, due {self.planner.due}"
            )

    @invariant()
    def only_a_due_reminder_is_held(self) -> None:
        """A hold that outlives its reminder (snoozed, skipped...) would re-arm the timer in the
        past, again and again."""
        p = self.planner
        if p.held_since is not None:
            assert p.due is not None and p.due <= self.wall and p.held_reason is not None
            assert p.mode is not Mode.PAUSED and (not p.off_duty or self.encore)

    @invariant()
    def the_off_duty_flag_tells_the_truth(self) -> None:
        p = self.planner
        encore = p.mode is Mode.SNOOZED and p.snapshot(self.wall)["again"] is not None
        assert not p.off_duty or p.due is None or encore, "off duty, yet a reminder is pending"
        if p.mode is Mode.PAUSED or self.work is None:
            return
        outside = self.work.current(self.wall, TZ) is None
        assert p.off_duty == outside or p.next_wakeup(self.wall) == self.wall


PlannerMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("PLANNER_EXAMPLES", "200")),
    report_multiple_bugs=False,
    database=None,  # nothing written into the work tree; a failure prints its seed
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPlannerMachine = PlannerMachine.TestCase


def test_the_machine_reaches_the_states_that_matter() -> None:
    """The rules reach every mode and flag the invariants are about (not a vacuous run)."""
    machine = PlannerMachine()
    machine.start(policy=1, work=2, selection=0, seed=1, offset=timedelta(0), dnd=None)
    p, seen = machine.planner, set()
    seen.add("off duty" if p.off_duty else "on duty")  # 08:00 Monday
    machine.to_a_working_hours_edge(0)  # 09:00
    seen.add("off duty" if machine.planner.off_duty else "on duty")
    machine.now()
    machine.snooze(5, button=False)
    seen.add(machine.planner.mode.value)
    machine.do_not_disturb("a full-screen window")
    machine.to_the_due_time(60)
    seen.add("held" if machine.planner.held_since else "not held")
    machine.away_or_back()
    seen.add("away" if machine.planner.away_since else "present")
    machine.restart(0, 7)
    machine.pause(None)
    seen.add(machine.planner.mode.value)
    machine.restart(600, 8)
    machine.save_and_load_give_the_same_state()
    assert seen == {"off duty", "on duty", "snoozed", "held", "away", "paused"}
    assert machine.shown == 1


def test_the_machine_reaches_an_encore_after_hours() -> None:
    """A break taken off duty, snoozed on its button, comes back once (the encore rules)."""
    machine = PlannerMachine()
    machine.start(policy=1, work=2, selection=0, seed=1, offset=timedelta(0), dnd=None)
    assert machine.planner.off_duty  # 08:00 Monday
    machine.now()
    machine.snooze(5, button=True)
    assert machine.encore and machine.planner.mode is Mode.SNOOZED
    machine.the_off_duty_flag_tells_the_truth()
    machine.wait(6 * 60)
    assert machine.shown == 2 and not machine.encore
    assert machine.planner.off_duty and machine.planner.due is None
