"""Answers on the notification go through the app's own entries, recorded like the tray's.

The real App and planner with a fake clock (``Sim``); the router is the one the daemon uses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microbreak.adapters.notify.answers import router
from microbreak.adapters.notify.freedesktop import Answer
from microbreak.core.events import EventKind
from microbreak.core.planner import Mode, StateError
from microbreak.usecases import stats

from .fakes import write_history
from .test_scenarios import Sim


@dataclass
class Events:
    """A history that keeps (kind, exercise) in a list."""

    kept: list[tuple[EventKind, str | None]] = field(default_factory=list)

    def record(
        self,
        kind: EventKind,
        at: datetime,
        *,
        exercise: str | None = None,
        seconds: float | None = None,
    ) -> None:
        self.kept.append((kind, exercise))

    def close(self) -> None:
        pass

    def kinds(self) -> list[EventKind]:
        return [k for k, _ in self.kept if k not in (EventKind.STARTED, EventKind.SHOWN)]


def shown_sim() -> tuple[Sim, Events, str]:
    """A running app with one reminder on screen, unanswered; its exercise id."""
    events = Events()
    sim = Sim(seed=3, history=events)
    exercise = sim.app.break_now()
    assert sim.app.unanswered() == exercise.name
    return sim, events, exercise.id


def test_done_on_the_notification_is_the_apps_done() -> None:
    sim, events, exercise = shown_sim()
    router(sim.app)(Answer.DONE)
    assert events.kinds() == [EventKind.DONE]
    assert events.kept[-1] == (EventKind.DONE, exercise)
    assert sim.app.unanswered() is None


def test_skip_on_the_notification_is_the_apps_skip() -> None:
    sim, events, exercise = shown_sim()
    router(sim.app)(Answer.SKIP)
    assert events.kept[-1] == (EventKind.SKIPPED, exercise)
    assert sim.app.unanswered() is None


def test_snooze_on_the_notification_snoozes_by_the_first_choice() -> None:
    sim, events, _ = shown_sim()
    router(sim.app)(Answer.SNOOZE)
    assert events.kinds() == [EventKind.SNOOZED]
    assert sim.app.mode() is Mode.SNOOZED
    shown = len(sim.shown())
    sim.run(timedelta(minutes=5).total_seconds() - 1)
    assert len(sim.shown()) == shown  # not before the first snooze choice (5 min)
    sim.run(2)
    assert len(sim.shown()) == shown + 1  # and back, with its buttons, after it


def test_a_body_click_without_a_guide_still_snoozes() -> None:
    # No GUI toolkit (the do-nothing guide): "Start" falls back to the old snooze.
    sim, events, _ = shown_sim()
    router(sim.app)(Answer.OPEN)
    assert events.kinds() == [EventKind.SNOOZED]
    assert sim.app.mode() is Mode.SNOOZED


def test_dismissed_is_recorded_and_leaves_the_reminder_unanswered() -> None:
    sim, events, exercise = shown_sim()
    router(sim.app)(Answer.DISMISSED)
    assert events.kept[-1] == (EventKind.DISMISSED, exercise)
    assert sim.app.unanswered() is not None  # Done from the tray or the CLI still answers it
    sim.app.done()
    assert events.kinds() == [EventKind.DISMISSED, EventKind.DONE]


@pytest.mark.parametrize("answer", [Answer.EXPIRED, Answer.CLOSED])
def test_expired_or_closed_by_another_client_records_nothing(answer: Answer) -> None:
    sim, events, _ = shown_sim()
    router(sim.app)(answer)
    assert events.kinds() == []
    assert sim.app.unanswered() is not None


def test_an_answer_that_changes_nothing_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim, events, _ = shown_sim()
    sim.app.done()  # the tray answered first
    with caplog.at_level(logging.INFO, logger="microbreak.adapters.notify.answers"):
        router(sim.app)(Answer.DONE)  # must not raise into the GLib loop
    assert events.kinds() == [EventKind.DONE]
    (line,) = [r for r in caplog.records if "changed nothing" in r.getMessage()]
    assert line.levelno == logging.INFO


@pytest.mark.parametrize(
    "action", ["done", "skip", "snooze", "pause", "pause_until_morning"], ids=str
)
def test_an_answer_from_the_tray_or_the_cli_withdraws_the_notification(action: str) -> None:
    sim, _, _ = shown_sim()
    assert sim.notifier.withdrawn == []
    entry = getattr(sim.app, action)
    entry(timedelta(minutes=10)) if action == "pause" else entry()
    assert sim.notifier.withdrawn == [sim.clock.now]


def test_a_failed_answer_withdraws_nothing() -> None:
    sim, _, _ = shown_sim()
    sim.app.done()
    with pytest.raises(StateError, match="no reminder to mark as done"):
        sim.app.done()
    assert len(sim.notifier.withdrawn) == 1


def test_stats_count_a_dismissed_reminder_as_shown_only(tmp_path: Path) -> None:
    tz = ZoneInfo("UTC")
    at = datetime(2026, 5, 4, 10, 0, tzinfo=tz)
    path = write_history(
        tmp_path / "h.sqlite",
        [
            (EventKind.SHOWN, at, "neck-tilt", None),
            (EventKind.DISMISSED, at + timedelta(seconds=5), "neck-tilt", None),
        ],
    )
    result = stats.compute(path, days=1, goal=1, now=at + timedelta(hours=1), tz=tz)
    (day,) = result.days
    assert (day.reminders, day.done, day.skipped, day.snoozed) == (1, 0, 0, 0)


def test_snooze_on_a_break_taken_after_hours_brings_it_back_once() -> None:
    """At 19:00 "Take a break now", then Snooze on its notification: the same exercise comes
    back after the first snooze choice, recorded as a snooze, and then nothing until morning."""
    from .test_scenarios_presence import BERLIN, OFFICE, monday

    events = Events()
    sim = Sim(seed=3, work=OFFICE, tz=BERLIN, start=monday(19), history=events)
    assert sim.app.status_line().startswith("Outside working hours")
    exercise = sim.app.break_now()
    router(sim.app)(Answer.SNOOZE)
    assert events.kept[-1] == (EventKind.SNOOZED, exercise.id)
    assert sim.app.status_line().startswith("Snoozed: next break in 5 min")
    shown = len(sim.shown())
    sim.run(5 * 60 + 1)
    assert len(sim.shown()) == shown + 1
    assert sim.ids()[-1] == f"Microbreak: {exercise.name} (again)"
    sim.run(12 * 3600)  # the night: nothing more until 09:00 and min_interval after it
    assert len(sim.shown()) == shown + 1
    assert sim.app.status_line().startswith("Outside working hours")
