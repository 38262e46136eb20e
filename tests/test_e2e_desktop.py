"""The real daemon on a real desktop: Xvfb, a session bus, dunst and trayer, driven by xdotool.

Each test starts ``python -m microbreak`` as a child process with the desktop's environment
(private HOME and XDG dirs) and checks what a user would see: a Notify call on the bus with the
right title, body, icon and timeout; the icon docked in the tray; the menu working; a clean exit.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from microbreak.core.exercises import CATALOG

from .desktop import (
    Desktop,
    NotifyMonitor,
    OutputLines,
    activate_menu_item,
    open_tray_menu,
    stays_true,
    tray_icon_windows,
    wait_docked,
    wait_until,
)

pytestmark = pytest.mark.desktop

PICTOGRAMS = Path(__file__).parents[1] / "assets" / "exercises"
NAMES = {e.name for e in CATALOG}

# Enabled menu entries, in order, while running (the status line and Resume are disabled).
TAKE_NOW, SNOOZE, PAUSE, OPEN_CONFIG, QUIT = range(5)
# The Pause submenu.
PAUSE_30_MIN, PAUSE_1_H, PAUSE_2_H, PAUSE_MORNING, PAUSE_UNTIL_RESUMED = range(5)
# Enabled entries while paused: Snooze and Pause are disabled, Resume is enabled.
PAUSED_TAKE_NOW, PAUSED_RESUME, PAUSED_OPEN_CONFIG, PAUSED_QUIT = range(4)

QUIET = {"MICROBREAK_MIN_INTERVAL": "30m", "MICROBREAK_MAX_INTERVAL": "1h"}
FAST = {"MICROBREAK_MIN_INTERVAL": "2s", "MICROBREAK_MAX_INTERVAL": "3s"}


@dataclass
class Daemon:
    """A running microbreak process and its log lines (stderr)."""

    proc: subprocess.Popen[bytes]
    log: OutputLines
    desktop: Desktop

    def wait_log(self, fragment: str, timeout: float = 10.0, after: int = 0) -> str:
        return self.log.wait_for_line(lambda line: fragment in line, timeout, after=after)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop_by(self, sig: signal.Signals, timeout: float = 2.0) -> tuple[int, float]:
        """Send ``sig``; return the exit code and how long the exit took."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        return code, time.monotonic() - start


@contextmanager
def daemon(desktop: Desktop, *args: str, env: Mapping[str, str] | None = None) -> Iterator[Daemon]:
    """Start ``microbreak`` on ``desktop``; it is stopped by its handle at the end."""
    proc = desktop.spawn(
        [sys.executable, "-m", "microbreak", "--verbose", *args],
        name="microbreak",
        extra_env=dict(env or {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    log = desktop.watch_output(proc, "stderr")
    try:
        yield Daemon(proc, log, desktop)
    finally:
        if proc.poll() is None:
            desktop.stop(proc)
        assert not any("Traceback" in line for line in log.lines()), "\n".join(log.lines())


def test_reminder_arrives_with_title_body_icon_and_timeout(desktop: Desktop) -> None:
    env = {**FAST, "MICROBREAK_NOTIFICATION__TIMEOUT": "7s"}
    with NotifyMonitor(desktop) as bus, daemon(desktop, env=env) as d:
        note = bus.wait_for(lambda n: n.app_name == "microbreak", timeout=15)
        assert note.summary.startswith("Microbreak: ")
        assert note.summary.removeprefix("Microbreak: ") in NAMES
        exercise = next(e for e in CATALOG if f"Microbreak: {e.name}" == note.summary)
        assert exercise.instructions in note.body
        assert exercise.dose.lower() in note.body.lower()
        # The picture is the exercise's pictogram, so the movement is seen at a glance. dunst
        # lists actions, so the reminder has buttons: the pictogram goes as the image-path hint
        # (shown in place of the app icon), the app icon stays microbreak's.
        picture = str(note.hints["image-path"])
        assert Path(picture).resolve() == (PICTOGRAMS / f"{exercise.id}.png").resolve()
        assert Path(picture).is_file()
        assert note.actions == (
            "default",
            "",
            "done",
            "Done",
            "snooze",
            "Snooze 5 min",
            "skip",
            "Skip",
        )
        assert note.expire_timeout == 7000
        # The next one follows 2-3 s later, with another exercise: the chain goes on.
        second = bus.wait_for(lambda n: n.summary != note.summary, timeout=15)
        assert second.app_name == "microbreak"
        assert d.alive()


def test_icon_docks_in_the_tray_and_leaves_on_sigterm(desktop: Desktop) -> None:
    with daemon(desktop, env=QUIET) as d:
        window = wait_docked(desktop, timeout=10)
        assert window in tray_icon_windows(desktop)
        d.wait_log("tray icon shown (gtk backend)")
        code, took = d.stop_by(signal.SIGTERM)
        assert code == 0 and took < 2.0
        wait_until(lambda: not tray_icon_windows(desktop), 2.0, "the icon to leave the tray")
    # The same log went to the file in the user log dir (XDG_STATE_HOME/microbreak/log).
    logfile = desktop.home / ".local/state/microbreak/log/microbreak.log"
    text = logfile.read_text()
    assert "tray icon shown (gtk backend)" in text and "received SIGTERM" in text


def test_sigint_stops_cleanly_too(desktop: Desktop) -> None:
    with daemon(desktop, env=QUIET) as d:
        wait_docked(desktop, timeout=10)
        code, took = d.stop_by(signal.SIGINT)
        assert code == 0 and took < 2.0


def test_menu_take_a_break_now_shows_a_reminder(desktop: Desktop) -> None:
    with NotifyMonitor(desktop) as bus, daemon(desktop, env=QUIET) as d:
        window = wait_docked(desktop, timeout=10)
        assert bus.all() == []  # nothing is due for 30 minutes
        open_tray_menu(desktop, window)
        activate_menu_item(desktop, TAKE_NOW)
        note = bus.wait_for(lambda n: n.app_name == "microbreak", timeout=10)
        assert note.summary.removeprefix("Microbreak: ") in NAMES
        d.wait_log(f"reminder: {note.summary}")


def test_menu_pause_holds_reminders_and_resume_restarts(desktop: Desktop) -> None:
    with NotifyMonitor(desktop) as bus, daemon(desktop, env=FAST) as d:
        window = wait_docked(desktop, timeout=10)
        open_tray_menu(desktop, window)
        activate_menu_item(desktop, PAUSE, PAUSE_30_MIN)
        mark = len(d.log.lines())
        d.wait_log("paused for 30 min", timeout=5)
        count = len(bus.all())
        # Reminders are due every 2-3 s; none may come while paused.
        assert stays_true(lambda: len(bus.all()) == count, duration=7.0)
        assert d.alive()
        open_tray_menu(desktop, window)
        activate_menu_item(desktop, PAUSED_RESUME)
        d.wait_log("Next break in", after=mark, timeout=5)
        bus.wait_for(lambda n: n.app_name == "microbreak", timeout=10, after=count)


def test_menu_snooze_pushes_the_reminder(desktop: Desktop) -> None:
    with NotifyMonitor(desktop) as bus, daemon(desktop, env=QUIET) as d:
        window = wait_docked(desktop, timeout=10)
        open_tray_menu(desktop, window)
        activate_menu_item(desktop, SNOOZE, 1)  # 10 min
        d.wait_log("snoozed for 10 min", timeout=5)
        assert bus.all() == []


def test_menu_quit_exits_zero(desktop: Desktop) -> None:
    with daemon(desktop, env=QUIET) as d:
        window = wait_docked(desktop, timeout=10)
        open_tray_menu(desktop, window)
        activate_menu_item(desktop, QUIT)
        assert d.proc.wait(5) == 0
        wait_until(lambda: not tray_icon_windows(desktop), 2.0, "the icon to leave the tray")


def test_no_notification_server_keeps_running_and_says_so(bare_desktop: Desktop) -> None:
    bare_desktop.start_tray_host()
    assert not bare_desktop.name_has_owner("org.freedesktop.Notifications")
    with daemon(bare_desktop, env=FAST) as d:
        d.wait_log("no notification server answered", timeout=15)
        d.wait_log("WARNING: Microbreak: ", timeout=10)  # the reminder goes to the log
        wait_docked(bare_desktop, timeout=10)
        warnings = len([line for line in d.log.lines() if "no notification server" in line])
        time.sleep(4)  # more reminders fall due meanwhile; the warning is not repeated
        assert d.alive()
        assert len([ln for ln in d.log.lines() if "no notification server" in ln]) == warnings
        code, _ = d.stop_by(signal.SIGTERM)
        assert code == 0


def test_notification_server_coming_back_is_used_again(bare_desktop: Desktop) -> None:
    bare_desktop.start_tray_host()
    with NotifyMonitor(bare_desktop) as bus, daemon(bare_desktop, env=FAST) as d:
        d.wait_log("no notification server answered", timeout=15)
        bare_desktop.start_notification_server()
        bus.wait_for(lambda n: n.app_name == "microbreak", timeout=15)
        d.wait_log("the notification server answers again", timeout=10)


def test_no_tray_host_keeps_running_and_still_notifies(bare_desktop: Desktop) -> None:
    bare_desktop.start_notification_server()
    with NotifyMonitor(bare_desktop) as bus, daemon(bare_desktop, env=FAST) as d:
        line = d.wait_log("running without a tray icon", timeout=10)
        assert "no system tray found" in line
        bus.wait_for(lambda n: n.app_name == "microbreak", timeout=15)
        assert d.alive()
        assert d.stop_by(signal.SIGTERM)[0] == 0


def test_no_tray_flag_runs_headless_on_purpose(desktop: Desktop) -> None:
    with NotifyMonitor(desktop) as bus, daemon(desktop, "--no-tray", env=FAST) as d:
        bus.wait_for(lambda n: n.app_name == "microbreak", timeout=15)
        assert tray_icon_windows(desktop) == []
        # On purpose: no warning about a missing tray, and no tray backend loaded.
        assert not any("without a tray" in ln or "tray:" in ln for ln in d.log.lines())
        assert d.stop_by(signal.SIGTERM)[0] == 0


def test_no_display_at_all_degrades_to_the_log(bare_desktop: Desktop) -> None:
    env = {**FAST, "DISPLAY": "", "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    with daemon(bare_desktop, env=env) as d:
        line = d.wait_log("running without a tray icon", timeout=10)
        assert "no display" in line
        d.wait_log("no notification server answered", timeout=15)
        d.wait_log("WARNING: Microbreak: ", timeout=10)
        assert d.stop_by(signal.SIGTERM)[0] == 0
