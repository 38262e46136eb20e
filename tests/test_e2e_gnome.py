"""Today's microbreak on the GNOME Shell test desktop.

GNOME Shell's notification daemon takes a Notify without a ``sender-pid`` hint and never answers
it (it logs "Either a pid or ndata.notification is needed"). plyer sends no such hint, so this is
where the daemon used to hang: its reminder call never returned, and SIGTERM could not stop it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from microbreak.adapters.notifier import ANSWER_WITHIN

from .desktop import NOTIFICATIONS_NAME, wait_until
from .gnome_shell import GnomeShell
from .headless import cli, headless_env, private_runtime_dir, running, status

pytestmark = pytest.mark.desktop


@pytest.fixture
def shell(gnome_shell: GnomeShell) -> Iterator[GnomeShell]:
    """The module's shell, serving notifications itself, with an empty message tray."""
    if not gnome_shell.name_has_owner(NOTIFICATIONS_NAME):
        gnome_shell.own_notifications()
    gnome_shell.clear_notifications()
    yield gnome_shell
    gnome_shell.clear_notifications()


def daemon_env(shell: GnomeShell, tmp_path: Path, runtime: Path) -> dict[str, str]:
    """A quiet headless daemon's environment, on the shell's buses and Wayland display.

    The daemon keeps a runtime dir of its own (its socket and lock); the Wayland socket is
    named by its full path.
    """
    keep = ("DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS", "XDG_CURRENT_DESKTOP")
    extra = {key: shell.env[key] for key in keep}
    extra.update(
        WAYLAND_DISPLAY=str(shell.runtime_dir / shell.wayland_display),
        XDG_SESSION_TYPE="wayland",
        GSETTINGS_BACKEND="memory",
    )
    return headless_env(tmp_path / "home", runtime, extra)


def test_a_reminder_gnome_shell_never_answers_does_not_hang_the_daemon(
    shell: GnomeShell, tmp_path: Path
) -> None:
    refusals = shell.log_text().count("Either a pid or ndata.notification is needed")
    with private_runtime_dir() as runtime:
        env = daemon_env(shell, tmp_path, runtime)
        with running(env) as daemon:
            assert cli(env, "now").returncode == 0
            name = daemon.wait_log("reminder: Microbreak: ").split("Microbreak: ", 1)[1]
            # The call reached the shell, which refused it inside and never answered.
            wait_until(
                lambda: shell.log_text().count("Either a pid or ndata.notification") > refusals,
                10.0,
                "the shell to refuse the Notify that has no sender-pid hint",
            )
            daemon.wait_log(f"the notification server did not answer within {ANSWER_WITHIN:g} s")
            daemon.wait_log(f"WARNING: Microbreak: {name}: ")
            started = time.monotonic()
            assert status(env)["unanswered"] == name
            assert cli(env, "done").returncode == 0
            assert time.monotonic() - started < 5.0
            daemon.wait_log(f"done: {name}")

            daemon.proc.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert daemon.wait_exit(timeout=3.0) == 0
            assert time.monotonic() - started < 3.0
