"""A simulated week with working hours, idle and locked time, and do-not-disturb holds.

Real App, planner and work-hours logic; fake clock, timer, notifier, idle/lock and DND sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from microbreak.adapters.away import Away
from microbreak.core.events import EventKind
from microbreak.core.planner import HOLD_RETRY

from .fakes import FakeClock, gaps
from .test_scenarios import MAX, MIN, Sim

BERLIN = "Europe/Berlin"
HOUR = 3600.0
OFFICE = [("09:00-17:30",)] * 5 + [(), ()]
NIGHTS = [("22:00-06:00",)] * 5 + [(), ()]  # Mon-Fri nights into the next day


def local(dt: datetime, tz: str = BERLIN) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


@dataclass
class Recorder:
    """A history that keeps events in a list."""

    events: list[tuple[EventKind, datetime, float | None]] = field(default_factory=list)

    def record(
        self,
        kind: EventKind,
        at: datetime,
        *,
        exercise: str | None = None,
        seconds: float | None = None,
    ) -> None:
        self.events.append((kind, at, seconds))

    def close(self) -> None:
        pass

    def kinds(self, kind: EventKind) -> list[tuple[EventKind, datetime, float | None]]:
        return [e for e in self.events if e[0] is kind]


@dataclass
class FakeIdle:
    """Input idle time driven by the fake clock: the user touches the mouse at ``last_input``."""

    clock: FakeClock
    last_input: float = 0.0
    name: str = "fake idle"
    queries: int = 0
    unknown: bool = False  # like a desktop with no idle source (Wayland outside GNOME)

    def idle_seconds(self) -> float | None:
        self.queries += 1
        return None if self.unknown else self.clock.monotonic - self.last_input

    def touch(self) -> None:
        self.last_input = self.clock.monotonic

    def close(self) -> None:
        pass


@dataclass
class FakeLock:
    is_locked: bool = False

    def locked(self) -> bool | None:
        return self.is_locked

    def close(self) -> None:
        pass


@dataclass
class FakeDnd:
    why: str | None = None
    asked: int = 0

    def reason(self) -> str | None:
        self.asked += 1
        return self.why

    def close(self) -> None:
        pass


def monday(hour: int, minute: int = 0) -> datetime:
    """Monday 23 Nov 2026, local Berlin time."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=ZoneInfo(BERLIN))


def test_a_working_week_only_reminds_inside_working_hours() -> None:
    saturday = Sim(seed=1, work=OFFICE, tz=BERLIN, start=monday(7) + timedelta(days=5))
    said = saturday.app.status_line()
    assert said == "Outside working hours \N{EM DASH} next reminder Monday 09:30"
    sim = Sim(seed=1, work=OFFICE, tz=BERLIN, start=monday(7))
    # Later today: the time alone, not "Monday 09:30" on a Monday.
    assert sim.app.status_line() == "Outside working hours \N{EM DASH} next reminder 09:30"
    sim.run(7 * 24 * HOUR)
    shown = [local(t) for t in sim.shown()]
    assert shown, "no reminders in a whole week"
    for t in shown:
        assert t.weekday() < 5, f"a reminder on a weekend: {t}"
        assert (9, 0) <= (t.hour, t.minute) < (17, 30), f"outside hours: {t}"
    days = sorted({t.date() for t in shown})
    assert len(days) == 5
    for day in days:
        first = min(t for t in shown if t.date() == day)
        assert (first.hour, first.minute) == (9, 30)  # min_interval after 09:00
        today = [t for t in shown if t.date() == day]
        assert all(MIN <= g <= MAX for g in gaps(today))


def test_working_hours_across_midnight() -> None:
    sim = Sim(seed=2, work=NIGHTS, tz=BERLIN, start=monday(12))
    sim.run(3 * 24 * HOUR)
    shown = [local(t) for t in sim.shown()]
    assert shown
    for t in shown:
        assert t.hour >= 22 or t.hour < 6, f"outside the night shift: {t}"
    # Reminders on both sides of midnight within one shift.
    assert any(t.hour >= 22 for t in shown) and any(t.hour < 6 for t in shown)


def test_working_hours_keep_local_time_across_the_dst_change() -> None:
    # Sunday 29 March 2026 clocks go forward in Berlin; check Friday before and Monday after.
    start = datetime(2026, 3, 27, 8, 0, tzinfo=ZoneInfo(BERLIN))
    sim = Sim(seed=3, work=OFFICE, tz=BERLIN, start=start)
    sim.run(4 * 24 * HOUR)
    shown = [local(t) for t in sim.shown()]
    firsts = {t.date(): min(u for u in shown if u.date() == t.date()) for t in shown}
    assert len(firsts) == 2  # Friday and Monday
    for first in firsts.values():
        assert (first.hour, first.minute) == (9, 30), first


def away_sim(seed: int) -> tuple[Sim, FakeIdle, FakeLock, Recorder]:
    clock = FakeClock()
    idle, lock, rec = FakeIdle(clock, last_input=clock.monotonic), FakeLock(), Recorder()
    presence = Away(idle, lock, timedelta(minutes=5))
    return Sim(seed=seed, clock=clock, presence=presence, history=rec), idle, lock, rec


def active_for(sim: Sim, idle: FakeIdle, seconds: float, every: float = 60.0) -> None:
    """The user works: input every ``every`` seconds."""
    end = sim.clock.monotonic + seconds
    while sim.clock.monotonic < end:
        idle.touch()
        sim.run(min(every, end - sim.clock.monotonic))


def test_idle_at_the_due_time_is_a_natural_break_and_nothing_pops_up_on_return() -> None:
    sim, idle, _lock, rec = away_sim(4)
    active_for(sim, idle, 10 * 60)
    sim.run(2 * HOUR)  # away from the desk for two hours, through several due times
    assert sim.shown() == []
    back = sim.clock.now
    idle.touch()
    sim.run(5 * 60)  # the next look (at most natural_break later) notices the return
    assert sim.shown() == []  # nothing the moment the mouse moves
    breaks = rec.kinds(EventKind.NATURAL_BREAK)
    assert len(breaks) == 1 and breaks[0][2] is not None and breaks[0][2] >= 2 * HOUR - 5 * 60
    active_for(sim, idle, MAX.total_seconds() + 120)
    shown = sim.shown()
    assert shown and MIN <= shown[0] - back <= MAX + timedelta(minutes=2)


def test_a_short_absence_mid_interval_counts_and_restarts_the_interval() -> None:
    sim, idle, _lock, rec = away_sim(5)
    active_for(sim, idle, 10 * 60)
    sim.run(8 * 60)  # eight minutes away (natural_break is five)
    idle.touch()
    back = sim.clock.now
    active_for(sim, idle, MAX.total_seconds() + 120)
    assert len(rec.kinds(EventKind.NATURAL_BREAK)) == 1
    assert sim.shown() and sim.shown()[0] - back >= MIN - timedelta(minutes=3)


def test_a_locked_screen_counts_as_away() -> None:
    # Where the idle time cannot be read, the lock screen alone says the user is away.
    sim, idle, lock, rec = away_sim(6)
    idle.unknown = True
    sim.run(5 * 60)
    lock.is_locked = True
    sim.run(2 * HOUR)
    assert sim.shown() == []
    assert sim.app.status_line().startswith("Away since")
    lock.is_locked = False
    sim.run(3 * 60)
    assert len(rec.kinds(EventKind.NATURAL_BREAK)) == 1
    assert sim.app.status_line().startswith("Next break in")


def test_a_locked_screen_with_nobody_typing_is_a_natural_break() -> None:
    sim, idle, lock, rec = away_sim(7)
    active_for(sim, idle, 5 * 60)
    lock.is_locked = True
    sim.run(2 * HOUR)  # nobody types at a locked screen
    assert sim.shown() == []
    lock.is_locked = False
    active_for(sim, idle, 6 * 60)
    assert len(rec.kinds(EventKind.NATURAL_BREAK)) == 1


def test_idle_is_asked_only_now_and_then() -> None:
    sim, idle, _lock, _rec = away_sim(7)
    active_for(sim, idle, 8 * HOUR, every=30)
    # At most one look per WATCH (natural_break / 2) plus one per reminder: not every second.
    assert idle.queries <= 8 * 60 / 2.5 + 20


def dnd_sim(seed: int) -> tuple[Sim, FakeDnd, Recorder]:
    dnd, rec = FakeDnd(), Recorder()
    return Sim(seed=seed, dnd=dnd, history=rec), dnd, rec


def test_a_held_reminder_is_shown_when_the_condition_clears() -> None:
    sim, dnd, _rec = dnd_sim(8)
    due = sim.app.planner.due
    assert due is not None
    dnd.why = "camera in use (by PID 42 / zoom)"
    sim.run((due - sim.clock.now).total_seconds() + 1)
    assert sim.shown() == []
    assert sim.app.status_line() == "Holding: camera in use (by PID 42 / zoom)"
    sim.run(10 * 60)
    assert sim.shown() == []
    dnd.why = None
    sim.run(HOLD_RETRY.total_seconds())
    assert len(sim.shown()) == 1
    assert sim.shown()[0] - due <= timedelta(minutes=10) + HOLD_RETRY + timedelta(seconds=1)


def test_a_reminder_held_past_max_postpone_is_dropped_not_shown() -> None:
    sim, dnd, rec = dnd_sim(9)
    due = sim.app.planner.due
    assert due is not None
    dnd.why = "a full-screen window"
    sim.run((due - sim.clock.now).total_seconds() + 31 * 60)
    assert sim.shown() == []
    assert len(rec.kinds(EventKind.POSTPONED_OUT)) == 1
    dropped_at = rec.kinds(EventKind.POSTPONED_OUT)[0][1]
    assert timedelta(minutes=30) <= dropped_at - due <= timedelta(minutes=30) + HOLD_RETRY
    dnd.why = None
    sim.run(MAX.total_seconds())
    assert len(sim.shown()) == 1  # the schedule carries on after the drop
    # DND is asked only when a reminder is due, not on every look at the clock.
    assert dnd.asked <= 1 + 31 // 3 + 2


def test_no_presence_sources_behaves_as_before() -> None:
    sim = Sim(seed=10, start=datetime(2026, 11, 23, 8, tzinfo=timezone.utc))
    sim.run(8 * HOUR)
    assert all(MIN <= g <= MAX for g in gaps(sim.shown()))
