"""Today's microbreak on the GNOME Shell test desktop.

GNOME Shell's notification daemon takes a Notify without a ``sender-pid`` hint and never answers
it (it logs "Either a pid or ndata.notification is needed"). plyer sends no such hint, so this is
where the daemon used to hang: its reminder call never returned, and SIGTERM could not stop it.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from microbreak.core.exercises import CATALOG

from .desktop import wait_until
from .gnome_shell import GnomeShell, daemon_env, keep_for_readme
from .headless import Daemon, cli, private_runtime_dir, running, status

pytestmark = pytest.mark.desktop


def test_the_reminder_the_shell_used_to_refuse_reaches_it_and_quit_is_prompt(
    shell: GnomeShell, tmp_path: Path
) -> None:
    # plyer's Notify lacked the sender-pid hint: the shell refused it and never answered.
    refusals = shell.log_text().count("Either a pid or ndata.notification is needed")
    with private_runtime_dir() as runtime:
        env = daemon_env(shell, tmp_path, runtime)
        with running(env) as daemon:
            chosen = daemon.wait_log("notifications: ")
            assert "with Done / Snooze 5 min / Skip buttons (gnome-shell" in chosen
            assert cli(env, "now").returncode == 0
            name = daemon.wait_log("reminder: Microbreak: ").split("Microbreak: ", 1)[1]
            shell.wait_notification(f"Microbreak: {name}")
            assert shell.log_text().count("Either a pid or ndata.notification") == refusals
            assert not daemon.lines("did not answer within")
            assert not daemon.lines(f"WARNING: Microbreak: {name}")  # not the log fallback

            daemon.proc.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert daemon.wait_exit(timeout=3.0) == 0
            assert time.monotonic() - started < 3.0
        # At quit, no reminder with dead buttons stays in the message tray.
        wait_until(lambda: not shell.notifications(), 5.0, "the reminder to leave with us")


def stats_totals(env: dict[str, str]) -> dict[str, Any]:
    """``microbreak stats --json``'s totals."""
    result = cli(env, "stats", "--json")
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)["totals"]
    return found


def remind(env: dict[str, str], daemon: Daemon, shell: GnomeShell, after: int = 0) -> str:
    """``microbreak now``; the title of its reminder, once the message tray holds it."""
    assert cli(env, "now").returncode == 0
    name = daemon.wait_log("reminder: Microbreak: ", after=after).split("Microbreak: ", 1)[1]
    shell.wait_notification(f"Microbreak: {name}")
    return f"Microbreak: {name}"


def gone(shell: GnomeShell, title: str) -> None:
    wait_until(
        lambda: all(n.title != title for n in shell.notifications()),
        5.0,
        f"{title!r} to leave the message tray",
    )


def test_done_pressed_in_the_shell_is_counted_and_the_reminder_goes(
    shell: GnomeShell, tmp_path: Path
) -> None:
    with private_runtime_dir() as runtime:
        env = daemon_env(shell, tmp_path, runtime)
        with running(env) as daemon:
            title = remind(env, daemon, shell)
            (note,) = shell.notifications()
            assert note.title == title
            assert note.actions == ("Done", "Snooze 5 min", "Skip")
            # fdo critical is the shell's Urgency.CRITICAL (3): the banner expands, buttons show.
            assert note.urgency == 3
            exercise = next(e for e in CATALOG if f"Microbreak: {e.name}" == title)
            assert note.icon is not None and f"exercises/{exercise.id}.png" in note.icon
            # The banner, drawn by the shell; this is the README's screenshot.
            keep_for_readme(shell.screenshot(tmp_path / "gnome-reminder.png"))

            shell.press(title, "Done")
            daemon.wait_log(f"done: {exercise.name}")
            gone(shell, title)
            assert stats_totals(env)["done"] == 1


def test_snooze_and_skip_pressed_in_the_shell(shell: GnomeShell, tmp_path: Path) -> None:
    with private_runtime_dir() as runtime:
        env = daemon_env(shell, tmp_path, runtime)
        with running(env) as daemon:
            title = remind(env, daemon, shell)
            shell.press(title, "Snooze 5 min")
            daemon.wait_log("snoozed for 5 min")
            gone(shell, title)
            assert status(env)["mode"] == "snoozed"

            mark = len(daemon.log.lines())
            title = remind(env, daemon, shell, after=mark)
            shell.press(title, "Skip")
            daemon.wait_log(f"skipped {title.removeprefix('Microbreak: ')}", after=mark)
            gone(shell, title)
            counted = stats_totals(env)
            assert (counted["snoozed"], counted["skipped"], counted["done"]) == (1, 1, 0)


def test_one_reminder_in_the_shell_and_the_cli_removes_it(
    shell: GnomeShell, tmp_path: Path
) -> None:
    with private_runtime_dir() as runtime:
        env = daemon_env(shell, tmp_path, runtime)
        with running(env) as daemon:
            first = remind(env, daemon, shell)
            mark = len(daemon.log.lines())
            second = remind(env, daemon, shell, after=mark)
            titles = [n.title for n in shell.notifications()]
            assert titles == [second], f"the second should replace {first!r}: {titles}"
            assert cli(env, "done").returncode == 0
            daemon.wait_log(f"done: {second.removeprefix('Microbreak: ')}")
            gone(shell, second)
            assert shell.notifications() == []
