"""Whole days and weeks of simulated work through the real App, with a fake clock and timer.

The App, planner, rotation and clock watcher are the production objects; only the clock, the
timer and the notifier are fakes, so a week runs in well under a second.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from microbreak.adapters.storage.state import StateStore
from microbreak.app import WATCH, App
from microbreak.core.exercises import CATALOG
from microbreak.core.planner import Mode
from microbreak.core.rotation import Selection

from .fakes import (
    DrawingTray,
    FakeClock,
    FakeTimer,
    MemoryStore,
    RecordingNotifier,
    by_id,
    fake_ports,
    gaps,
    scenario_settings,
    with_selection,
    with_work_week,
)

MIN, MAX = timedelta(minutes=30), timedelta(minutes=60)
HOUR = 3600.0


class Sim:
    """The App wired to fakes, and a loop that lets awake time pass."""

    def __init__(
        self,
        seed: int = 0,
        selection: Selection | None = None,
        *,
        work: Sequence[Sequence[str]] | None = None,
        tz: str = "UTC",
        start: datetime | None = None,
        clock: FakeClock | None = None,
        **ports: Any,
    ) -> None:
        self.clock = clock or FakeClock(tz=ZoneInfo(tz))  # the app takes its zone from it
        if start is not None:
            self.clock.wall = start.timestamp()
        self.timer = FakeTimer(self.clock)
        self.notifier = RecordingNotifier(self.clock)
        self.settings = with_selection(scenario_settings(), selection or Selection())
        if work is not None:
            self.settings = with_work_week(self.settings, work)
        self.ports = fake_ports(self.clock, timer=self.timer, notifier=self.notifier, **ports)
        self.app = App(self.settings, CATALOG, self.ports, random.Random(seed))
        self.wakes = 0
        self.app.start()

    def reconfigure(self, selection: Selection) -> None:
        """A live reload with another exercise selection (the same detectors)."""
        self.settings = with_selection(self.settings, selection)
        p = self.ports
        self.app.reconfigure(self.settings, CATALOG, presence=p.presence, dnd=p.dnd, chime=p.chime)

    def run(self, seconds: float) -> None:
        """Let ``seconds`` of awake time pass, firing the timer whenever it comes due."""
        end = self.clock.monotonic + seconds
        while self.timer.deadline <= end:
            self.clock.advance(self.timer.deadline - self.clock.monotonic)
            self.wakes += 1
            self.app.wake()
        self.clock.advance(end - self.clock.monotonic)

    def shown(self) -> list[datetime]:
        return self.notifier.times()

    def ids(self) -> list[str]:
        return [m.title for _, m in self.notifier.shown]


def undelivered_sim(seed: int) -> tuple[Sim, DrawingTray]:
    """No notification server takes a reminder (PlyerNotifier's ``show`` says False)."""
    tray = DrawingTray()
    sim = Sim(seed=seed, tray=tray)
    tray.app = sim.app
    sim.notifier.delivered = False
    return sim, tray


def assert_rotation(titles: list[str], allowed: int) -> None:
    """No exercise twice within any window of ``allowed`` consecutive reminders... per round."""
    for start in range(0, len(titles) - allowed + 1, allowed):
        chunk = titles[start : start + allowed]
        assert len(set(chunk)) == allowed, chunk


def test_eight_hour_day_in_well_under_a_second() -> None:
    started = time.perf_counter()
    sim = Sim(seed=1)
    sim.run(8 * HOUR)
    elapsed = time.perf_counter() - started
    shown = sim.shown()
    assert 8 <= len(shown) <= 16  # 8 h at one every 30-60 min
    assert all(MIN <= g <= MAX for g in gaps(shown)), gaps(shown)
    assert len(set(shown)) == len(shown)  # never twice at the same moment
    assert_rotation(sim.ids(), len(Selection().allowed()))
    # Sleeping, not polling: a wake-up per reminder plus one per WATCH at most.
    assert sim.wakes <= len(shown) + 8 * HOUR / WATCH.total_seconds() + 1
    assert elapsed < 0.5, f"a simulated day took {elapsed:.3f}s"


@pytest.mark.parametrize("seed", range(20))
def test_a_week_of_days_keeps_every_gap_in_bounds(seed: int) -> None:
    sim = Sim(seed=seed)
    for _ in range(7):
        sim.run(8 * HOUR)
        sim.app.pause(None)  # evening: pause until resumed
        sim.run(16 * HOUR)
        assert sim.notifier.shown and sim.notifier.shown[-1][0] <= sim.clock.now
        count = len(sim.shown())
        sim.app.resume()
        sim.run(MIN.total_seconds() - 1)
        assert len(sim.shown()) == count  # nothing during the first min_interval after resume
        sim.run(1)
    assert len(sim.shown()) >= 7 * 8
    assert_rotation(sim.ids(), len(Selection().allowed()))


def test_snooze_pushes_the_pending_reminder() -> None:
    sim = Sim(seed=2)
    due = sim.app.planner.due
    assert due is not None
    sim.run(60)
    sim.app.snooze(timedelta(minutes=10))
    assert sim.app.mode() is Mode.SNOOZED
    sim.run((due - sim.clock.now).total_seconds() + 9 * 60)
    assert sim.shown() == []
    sim.run(61)
    assert sim.shown() == [due + timedelta(minutes=10)]
    assert sim.app.mode() is Mode.RUNNING


def test_snooze_right_after_a_reminder_repeats_it() -> None:
    sim = Sim(seed=3)
    sim.app.break_now()
    first = sim.notifier.shown[-1][1]
    sim.run(30)
    sim.app.snooze(timedelta(minutes=5))
    sim.run(5 * 60)
    assert len(sim.notifier.shown) == 2
    again = sim.notifier.shown[-1][1]
    assert again.title == f"{first.title} (again)" and again.body == first.body


def test_pause_choices_and_the_first_reminder_after() -> None:
    sim = Sim(seed=4)
    sim.app.pause(timedelta(hours=2))
    assert sim.app.mode() is Mode.PAUSED
    assert sim.app.status_line().startswith("Paused until")
    start = sim.clock.now
    sim.run(2 * HOUR + MIN.total_seconds() + 1)
    assert sim.shown() == [start + timedelta(hours=2) + MIN]


def test_pause_until_morning_then_reminders_again() -> None:
    sim = Sim(seed=5)
    sim.app.pause_until_morning()  # 09:00 Monday -> 08:00 Tuesday
    pause_end = sim.app.planner.paused_until
    assert pause_end is not None and pause_end - sim.clock.now == timedelta(hours=23)
    sim.run(23 * HOUR)
    assert sim.shown() == []
    sim.run(MIN.total_seconds())
    assert sim.shown() == [pause_end + MIN]


def test_take_break_now_shows_at_once_and_restarts_interval() -> None:
    sim = Sim(seed=6)
    sim.run(20 * 60)
    now = sim.clock.now
    sim.app.break_now()
    assert sim.shown() == [now]
    sim.run(MAX.total_seconds())
    assert len(sim.shown()) == 2
    assert MIN <= sim.shown()[1] - now <= MAX


def test_suspend_through_the_due_time_is_a_natural_break_without_burst() -> None:
    sim = Sim(seed=7)
    sim.run(20 * 60)
    sim.clock.suspend(3 * HOUR)  # lid closed through several due times
    resumed = sim.clock.now
    sim.run(WATCH.total_seconds())  # the timer wakes within WATCH of awake time
    assert sim.shown() == []  # nothing fires the moment the lid opens
    sim.run(2 * HOUR)
    shown = sim.shown()
    assert shown and MIN <= shown[0] - resumed <= MAX + WATCH
    assert all(MIN <= g <= MAX for g in gaps(shown))


def test_short_suspend_does_not_lose_the_reminder() -> None:
    sim = Sim(seed=8)
    due = sim.app.planner.due
    assert due is not None
    sim.run((due - sim.clock.now).total_seconds() - 60)
    sim.clock.suspend(2 * 60)  # shorter than natural_break, across the due time
    sim.run(WATCH.total_seconds())
    assert len(sim.shown()) == 1  # shown once, late, not lost and not twice
    sim.run(MAX.total_seconds())
    assert len(sim.shown()) == 2


@pytest.mark.parametrize("jump_hours", [-5, -1, 1, 5, 24])
def test_wall_clock_jumps_cause_no_burst_and_no_long_gap(jump_hours: int) -> None:
    sim = Sim(seed=9)
    sim.run(2 * HOUR)
    before = len(sim.shown())
    sim.clock.jump(jump_hours * HOUR)
    sim.run(4 * HOUR)
    # Gaps measured in awake time: the wall clock's jump is taken out.
    monotonic_gaps = gaps(sim.shown())
    after = sim.shown()[before:]
    assert len(after) >= 4
    jumped = [g - timedelta(hours=jump_hours) for g in monotonic_gaps[before - 1 : before]]
    tolerance = timedelta(seconds=10)
    for g in monotonic_gaps[: before - 1] + jumped + monotonic_gaps[before:]:
        assert MIN - tolerance <= g <= MAX + tolerance, (g, monotonic_gaps)


def test_no_notification_server_falls_back_without_stopping() -> None:
    sim, tray = undelivered_sim(seed=10)
    sim.run(2 * HOUR)
    titles = [m.title for _, m in sim.notifier.shown]
    assert len(titles) >= 2 and all(t.startswith("Microbreak: ") for t in titles), titles
    offered = [t.removeprefix("Microbreak: ") for t in titles]
    # Each reminder no server took was drawn on the tray as due ("Break due: <exercise>").
    due = {line.split(": ", 1)[1] for line in tray.drawn if line.startswith("Break due: ")}
    assert set(offered) <= due, (offered, due)
    assert sim.timer.armed is not None and sim.timer.armed > sim.clock.now


def test_rotation_restricted_to_an_include_list() -> None:
    include = ("shoulder-rolls", "shoulder-shrug", "bridge")
    sim = Sim(seed=11, selection=Selection(include=include))
    sim.run(24 * HOUR)
    names = {by_id()[i].name for i in include}
    assert {m.title.removeprefix("Microbreak: ") for _, m in sim.notifier.shown} == names


def _exercise_names(sim: Sim) -> list[str]:
    """The exercises shown, in order; a snoozed one's repeat is marked and left out."""
    titles = [m.title for _, m in sim.notifier.shown]
    return [t.removeprefix("Microbreak: ") for t in titles if not t.endswith("(again)")]


@pytest.mark.parametrize("seed", range(12))
def test_no_exercise_follows_itself_across_live_reloads(seed: int) -> None:
    # Each round ends with the deck empty; the last exercise shown is taken out of the
    # selection and put back (two config edits), then the next round begins.
    sim = Sim(seed=seed)
    allowed = Selection().allowed()
    for _ in range(4):
        for _ in range(len(allowed)):
            sim.app.break_now()
            sim.run(60)
        last = sim.app.planner.rotation.last
        assert last is not None
        sim.reconfigure(Selection(exclude=(last.id,)))
        sim.run(60)
        sim.reconfigure(Selection())
        sim.run(60)
    sim.app.break_now()
    names = _exercise_names(sim)
    assert len(names) == 4 * len(allowed) + 1
    assert all(a != b for a, b in pairwise(names)), names


@pytest.mark.parametrize("seed", range(12))
def test_no_exercise_follows_itself_across_a_restart_with_other_settings(
    seed: int, tmp_path: Path
) -> None:
    # The daemon stops after the last exercise of a round, starts again with that exercise
    # excluded, and the exclusion is then edited away while it runs.
    store = StateStore(tmp_path / "state.json")
    first = Sim(seed=seed, store=store)
    for _ in range(len(Selection().allowed())):
        first.app.break_now()
    last = first.app.planner.rotation.last
    assert last is not None
    first.app.close()

    second = Sim(seed=seed + 100, selection=Selection(exclude=(last.id,)), store=store)
    second.reconfigure(Selection())
    second.app.break_now()
    shown = second.notifier.shown[0][1].title.removeprefix("Microbreak: ")
    assert shown != last.name


def test_a_saved_absence_does_not_hold_reminders_when_nothing_watches_for_it(
    tmp_path: Path,
) -> None:
    # Idle detection was on when the daemon stopped (the user away) and is off after the
    # restart: with nothing to see the return, the saved absence must end at once.
    store = StateStore(tmp_path / "state.json")
    first = Sim(seed=1, store=store)
    first.app.planner.on_presence(first.clock.now, first.clock.now - timedelta(minutes=6))
    first.app.close()
    second = Sim(seed=2, store=store)
    assert second.app.planner.away_since is None
    assert not second.app.status_line().startswith("Away")
    second.run(MAX.total_seconds())
    assert len(second.shown()) == 1


class FailingStore(MemoryStore):
    """A state store on a disk that refuses writes until ``failing`` is cleared."""

    failing = True

    def save(self, state: dict[str, object]) -> None:
        if self.failing:
            raise OSError(30, "Read-only file system")
        super().save(state)


def test_a_state_that_cannot_be_saved_is_said_once_per_run_of_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="microbreak")
    store = FailingStore()
    sim = Sim(seed=5, store=store)
    sim.app.break_now()
    sim.app.done()
    sim.app.pause(timedelta(minutes=30))
    sim.app.resume()
    said = [r for r in caplog.records if "cannot save the state" in r.getMessage()]
    assert len(said) == 1
    store.failing = False
    sim.app.snooze(timedelta(minutes=5))
    assert store.saved is not None
    assert "the state can be saved again" in caplog.text
