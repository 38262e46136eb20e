"""One status line for the tray menu, its tooltip and `microbreak status`, and one that stays true.

The real App with a fake clock, timer and notifier; the tray is a small recorder of what it
would draw (the same ``status_line(countdown=False)`` call the pystray tray makes on a redraw).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from microbreak.core.planner import Mode, Status

from .test_scenarios import Sim, undelivered_sim

UTC = ZoneInfo("UTC")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def cli_line(sim: Sim) -> str:
    """The line ``microbreak status`` and ``status --json`` print."""
    return sim.app.snapshot().line


def test_an_undelivered_reminder_is_the_one_status_line_of_tray_and_cli() -> None:
    sim, tray = undelivered_sim(seed=3)
    sim.app.break_now()
    name = sim.app.unanswered()
    assert name is not None
    line = f"Break due: {name}"
    assert tray.drawn[-1] == line  # the tray's menu line and tooltip
    assert cli_line(sim) == line  # `microbreak status` and `status --json`
    assert sim.app.undelivered() == name  # the tray's "due" icon
    sim.clock.advance(18)
    assert cli_line(sim) == sim.app.status_line(countdown=False) == line
    # Answered: both go back to the schedule together.
    sim.app.done()
    assert sim.app.undelivered() is None
    assert cli_line(sim).startswith("Next break in ")
    assert tray.drawn[-1].startswith("Next break at ")


def test_break_due_ends_with_a_snooze_a_pause_or_a_delivered_reminder() -> None:
    sim, tray = undelivered_sim(seed=4)
    sim.app.break_now()
    sim.app.snooze(timedelta(minutes=5))
    assert sim.app.status_line().startswith("Snoozed: next break in 5 min")
    assert tray.drawn[-1].startswith("Snoozed: next break at ")

    sim.app.break_now()
    assert sim.app.status_line().startswith("Break due: ")
    sim.app.pause(timedelta(minutes=30))
    sim.app.resume()
    assert sim.app.status_line().startswith("Next break in ")  # the pause answered it

    sim.app.break_now()
    assert sim.app.status_line().startswith("Break due: ")
    sim.notifier.delivered = True  # a notification server again
    sim.app.break_now()
    assert sim.app.status_line().startswith("Next break in ")
    assert tray.drawn[-1].startswith("Next break at ")


def test_a_config_problem_shown_nowhere_is_not_a_break() -> None:
    sim, tray = undelivered_sim(seed=5)
    sim.app.break_now()
    sim.app.done()
    sim.app.config_problem("config.toml: bad key")  # a notification no server took
    assert sim.app.undelivered() is None
    assert tray.drawn[-1].startswith("Next break at ")


def test_the_tray_wording_is_a_clock_time_that_stays_true() -> None:
    sim, tray = undelivered_sim(seed=6)
    tray.refresh()
    due = sim.app.planner.due
    assert due is not None
    assert tray.drawn == [f"Next break at {due.astimezone(UTC):%H:%M}"]
    # 80 s later, with no wake-up and no redraw in between, the words drawn then are still true.
    sim.clock.advance(80)
    assert sim.app.status_line(countdown=False) == tray.drawn[-1]
    assert len(tray.drawn) == 1
    assert re.fullmatch(r"Next break in \d+ min \(\d\d:\d\d\)", sim.app.status_line())


def test_a_wall_clock_jump_redraws_the_tray_clock_time() -> None:
    sim, tray = undelivered_sim(seed=7)
    tray.refresh()
    before = tray.drawn[-1]
    sim.clock.jump(3600)  # someone sets the clock an hour on: the break moves with it
    sim.app.wake()
    assert tray.drawn[-1] != before
    assert tray.drawn[-1] == sim.app.status_line(countdown=False)


def test_status_text_countdown_and_clock_wordings() -> None:
    due = T0 + timedelta(minutes=23)
    running = Status(Mode.RUNNING, due, None)
    assert running.text(T0, UTC) == "Next break in 23 min (09:23)"
    assert running.text(T0, UTC, countdown=False) == "Next break at 09:23"
    snoozed = Status(Mode.SNOOZED, due, None)
    assert snoozed.text(T0, UTC, countdown=False) == "Snoozed: next break at 09:23"
    tomorrow = Status(Mode.RUNNING, T0 + timedelta(hours=20), None)
    assert tomorrow.text(T0, UTC, countdown=False) == "Next break at Tue 05:00"
    paused = Status(Mode.PAUSED, None, T0 + timedelta(minutes=30))
    assert paused.text(T0, UTC, countdown=False) == paused.text(T0, UTC) == "Paused until 09:30"
