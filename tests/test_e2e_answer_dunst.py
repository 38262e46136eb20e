"""The real daemon on the Xvfb desktop with dunst (which lists ``actions``): the reminder is
answered on itself, and the answer reaches the daemon through its one action path.

dunst shows a notification's actions in a context menu run through its ``dmenu`` command; the
``Dunst`` helper points it at a script that picks the line the test names (a user's click).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from microbreak.core.exercises import CATALOG

from .desktop import Desktop, stays_true, wait_until
from .test_autostart import validate_desktop_file
from .test_e2e_desktop import QUIET, Daemon, daemon
from .test_fdo_notifier import Dunst

pytestmark = pytest.mark.desktop

BUTTONS = ["#", "#Done", "#Skip", "#Snooze 5 min"]  # "#" is the body's (default) action


@pytest.fixture
def dunst(bare_desktop: Desktop) -> Iterator[Dunst]:
    server = Dunst(bare_desktop)
    yield server
    server.stop()


def cli(desktop: Desktop, *args: str) -> subprocess.CompletedProcess[str]:
    """``microbreak ARGS`` on the test desktop, as the user would type it."""
    return desktop.run([sys.executable, "-m", "microbreak", *args], timeout=20.0)


def totals(desktop: Desktop) -> dict[str, Any]:
    result = cli(desktop, "stats", "--json")
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)["totals"]
    return found


def press(dunst: Dunst, entry: str) -> list[str]:
    """Choose ``entry`` in dunst's menu; the menu's lines, once the menu script has them all
    (the script creates its file before it writes into it)."""
    dunst.pick(entry)

    def lines() -> list[str] | None:
        seen = dunst.menu_seen.read_text().splitlines()
        return seen if len(seen) == len(BUTTONS) else None

    found = wait_until(lines, 5.0, "dunst's menu")
    assert found is not None
    return found


def remind(desktop: Desktop, d: Daemon, dunst: Dunst, after: int = 0) -> str:
    """``microbreak now``; the exercise's name, once its reminder is on screen."""
    wait_until(lambda: cli(desktop, "status").returncode == 0, 15.0, "the daemon to answer")
    assert cli(desktop, "now").returncode == 0
    line = d.wait_log("reminder: Microbreak: ", after=after)
    wait_until(lambda: dunst.displayed() == 1, 5.0, "the reminder on screen")
    return line.split("Microbreak: ", 1)[1]


def test_done_on_the_reminder_is_counted_and_the_reminder_goes(
    bare_desktop: Desktop, dunst: Dunst
) -> None:
    bare_desktop.start_tray_host()  # the GTK tray's loop dispatches the button's signal
    with daemon(bare_desktop, env=QUIET) as d:
        d.wait_log("tray icon shown")
        chosen = d.wait_log("notifications: ")
        assert "with Done / Snooze 5 min / Skip buttons (dunst" in chosen
        name = remind(bare_desktop, d, dunst)
        menu = press(dunst, "#Done ")
        assert sorted(line.split(" (", 1)[0] for line in menu) == BUTTONS
        d.wait_log(f"done: {name}")
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the answered reminder to go")
        assert totals(bare_desktop)["done"] == 1
        # The desktop names the reminder after the application entry the daemon installed.
        entry = bare_desktop.home / ".local" / "share" / "applications" / "microbreak.desktop"
        validate_desktop_file(entry)
        assert "X-GNOME-UsesNotifications=true" in entry.read_text()


def test_snooze_and_skip_do_what_they_say_without_a_tray(
    bare_desktop: Desktop, dunst: Dunst
) -> None:
    with daemon(bare_desktop, "--no-tray", env=QUIET) as d:
        remind(bare_desktop, d, dunst)
        press(dunst, "#Snooze 5 min ")
        d.wait_log("snoozed for 5 min")
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the snoozed reminder to go")
        state = json.loads(cli(bare_desktop, "status", "--json").stdout)
        assert state["mode"] == "snoozed"

        mark = len(d.log.lines())
        name = remind(bare_desktop, d, dunst, after=mark)
        press(dunst, "#Skip ")
        d.wait_log(f"skipped {name}", after=mark)
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the skipped reminder to go")
        counted = totals(bare_desktop)
        assert (counted["reminders"], counted["snoozed"], counted["skipped"]) == (2, 1, 1)
        assert counted["done"] == 0


def test_one_reminder_on_screen_and_the_cli_closes_it(bare_desktop: Desktop, dunst: Dunst) -> None:
    with daemon(bare_desktop, "--no-tray", env=QUIET) as d:
        remind(bare_desktop, d, dunst)
        mark = len(d.log.lines())
        second = remind(bare_desktop, d, dunst, after=mark)
        # The second replaced the unanswered first: one on screen, none waiting behind it.
        assert stays_true(lambda: dunst.displayed() == 1, 0.5)
        assert int(dunst.ctl("count", "waiting")) == 0
        assert cli(bare_desktop, "done").returncode == 0
        d.wait_log(f"done: {second}")
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the CLI's answer to close the reminder")
        assert totals(bare_desktop)["done"] == 1


def test_closing_the_reminder_is_recorded_as_dismissed(bare_desktop: Desktop, dunst: Dunst) -> None:
    with daemon(bare_desktop, "--no-tray", env=QUIET) as d:
        name = remind(bare_desktop, d, dunst)
        dunst.ctl("close")  # what a click on dunst's popup does by default
        d.wait_log(f"dismissed: {name} (still unanswered)")
        state = json.loads(cli(bare_desktop, "status", "--json").stdout)
        assert state["unanswered"] == name
        counted = totals(bare_desktop)
        assert (counted["reminders"], counted["done"], counted["skipped"]) == (1, 0, 0)
        assert name in {e.name for e in CATALOG}


def test_a_reminder_left_on_screen_by_a_crash_is_closed_by_the_next_run(
    bare_desktop: Desktop, dunst: Dunst
) -> None:
    """Its buttons would reach nobody: the next run closes it (same server, same bus)."""
    with daemon(bare_desktop, "--no-tray", env=QUIET) as d:
        remind(bare_desktop, d, dunst)
        d.proc.kill()  # no chance to withdraw it
        d.proc.wait(5)
    assert dunst.displayed() == 1  # still there, buttons dead
    with daemon(bare_desktop, "--no-tray", env=QUIET) as d:
        d.wait_log("closed the reminder a previous run left on screen")
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the left-over reminder to go")
        # The reminder itself still waits for an answer, from the CLI or the tray.
        d.wait_log("started;")
        assert json.loads(cli(bare_desktop, "status", "--json").stdout)["unanswered"]
