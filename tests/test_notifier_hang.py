"""A notification server that takes the call and never answers must not stall the daemon.

GNOME Shell does exactly that with a Notify that lacks a ``sender-pid`` hint. The real daemon
runs against a real (fake) server on a private bus that owns org.freedesktop.Notifications and
never replies to Notify: the reminder is attempted once, the daemon keeps answering, a second
reminder does not pile a second call on the stuck one, and SIGTERM still stops it at once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from microbreak.adapters.notify.plyer import ANSWER_WITHIN

from .desktop import (
    NOTIFICATIONS_NAME,
    Desktop,
    NotifyMonitor,
    OutputLines,
    stays_true,
    tray_icon_windows,
    wait_docked,
    wait_until,
)
from .fake_dbus import fake_service, method, silent
from .headless import Daemon, cli, headless_env, private_runtime_dir, running, status

pytestmark = pytest.mark.desktop

FALLBACK = "WARNING: Microbreak: "  # how App.fallback logs a reminder no server took

HUNG_SERVER = {
    "/org/freedesktop/Notifications": {
        NOTIFICATIONS_NAME: {
            "methods": {
                "Notify": silent(["s", "u", "s", "s", "s", "as", "a{sv}", "i"], out="u"),
                "GetCapabilities": method("as", ["body"]),
            }
        }
    }
}


@pytest.fixture
def hung_server(bare_desktop: Desktop) -> Iterator[OutputLines]:
    """A server on the desktop's bus that owns the name, takes Notify and never replies."""
    with fake_service(bare_desktop, NOTIFICATIONS_NAME, HUNG_SERVER) as calls:
        yield calls


def notify_calls(calls: OutputLines) -> list[str]:
    return [line for line in calls.lines() if line.startswith("call Notify ")]


def test_a_server_that_never_answers_does_not_stall_the_daemon(
    bare_desktop: Desktop, hung_server: OutputLines, tmp_path: Path
) -> None:
    with private_runtime_dir() as runtime:
        env = headless_env(
            tmp_path / "home", runtime, {"DBUS_SESSION_BUS_ADDRESS": bare_desktop.bus_address}
        )
        with running(env) as daemon:
            assert cli(env, "now").returncode == 0
            first = hung_server.wait_for_line(lambda line: line.startswith("call Notify "))
            assert "Microbreak: " in first
            line = daemon.wait_log("the notification server did not answer within")
            assert f"within {ANSWER_WITHIN:g} s" in line
            # The reminder went to the fallback (the log, and the tray flag when there is one).
            daemon.wait_log(FALLBACK)
            started = time.monotonic()
            assert status(env)["unanswered"]
            assert time.monotonic() - started < 2.0

            # A second reminder while the first call hangs: no second call, straight to the
            # fallback, without waiting for the server again.
            started = time.monotonic()
            assert cli(env, "now").returncode == 0
            assert time.monotonic() - started < ANSWER_WITHIN
            wait_until(lambda: len(daemon.lines(FALLBACK)) == 2, 5.0, "a second fallback")
            assert stays_true(lambda: len(notify_calls(hung_server)) == 1, 0.5)
            assert len(daemon.lines("did not answer within")) == 1  # said once, not per reminder

            assert _terminate(daemon) == 0
    assert len(notify_calls(hung_server)) == 1


def _terminate(daemon: Daemon) -> int:
    """SIGTERM by handle; the daemon must be gone within 3 s."""
    daemon.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = daemon.wait_exit(timeout=3.0)
    assert time.monotonic() - started < 3.0
    return code


def test_once_the_hung_call_ends_reminders_reach_a_server_again(
    bare_desktop: Desktop, tmp_path: Path
) -> None:
    with private_runtime_dir() as runtime:
        env = headless_env(
            tmp_path / "home", runtime, {"DBUS_SESSION_BUS_ADDRESS": bare_desktop.bus_address}
        )
        with running(env) as daemon:
            with fake_service(bare_desktop, NOTIFICATIONS_NAME, HUNG_SERVER) as calls:
                assert cli(env, "now").returncode == 0
                calls.wait_for_line(lambda line: line.startswith("call Notify "))
                daemon.wait_log("the notification server did not answer within")
            # The hung server went away: the bus fails the pending call, which ends its thread.
            daemon.wait_log("the notification call that got no answer has ended")
            bare_desktop.start_notification_server()
            with NotifyMonitor(bare_desktop) as monitor:
                assert cli(env, "now").returncode == 0
                note = monitor.wait_for(lambda n: n.summary.startswith("Microbreak: "))
                assert note.app_name == "microbreak"
                daemon.wait_log("the notification server answers again")
            assert len(daemon.lines(FALLBACK)) == 1
            assert _terminate(daemon) == 0


#: A server that answers nothing at all, not even the closing of a notification.
DEAF_SERVER = {
    "/org/freedesktop/Notifications": {
        NOTIFICATIONS_NAME: {
            "methods": {
                "Notify": silent(["s", "u", "s", "s", "s", "as", "a{sv}", "i"], out="u"),
                "CloseNotification": silent(["u"]),
                "GetCapabilities": silent(out="as"),
                "GetServerInformation": silent(out="ssss"),
            }
        }
    }
}


def test_with_the_tray_a_server_that_answers_nothing_does_not_hold_the_quit(
    bare_desktop: Desktop,
) -> None:
    """pystray's own clean-up closes a notification of its own on quit, with no time limit."""
    bare_desktop.start_tray_host()
    with fake_service(bare_desktop, NOTIFICATIONS_NAME, DEAF_SERVER) as calls:
        proc = bare_desktop.spawn(
            [sys.executable, "-m", "microbreak", "--verbose"],
            name="microbreak",
            extra_env={"MICROBREAK_MIN_INTERVAL": "30m", "MICROBREAK_MAX_INTERVAL": "1h"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        log = bare_desktop.watch_output(proc, "stderr")
        try:
            wait_docked(bare_desktop, timeout=15)
            log.wait_for_line(lambda line: "started;" in line, 15)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0
            took = time.monotonic() - started
            assert took < 3.0, (took, log.lines())
            assert not tray_icon_windows(bare_desktop)
            # The premise: the daemon did ask this server, which never answered.
            assert any(line.startswith("call GetServerInformation") for line in calls.lines())
        finally:
            if proc.poll() is None:
                bare_desktop.stop(proc)
        assert not any("Traceback" in line for line in log.lines()), "\n".join(log.lines())
