"""Idle detectors: the real X11 counter on a test X server, GNOME's monitor on the test bus, and
``choose`` picking between them (or saying why natural breaks are off)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import pytest

from microbreak.adapters import idle
from microbreak.adapters.idle import GnomeIdle, NullIdle, X11Idle, choose
from microbreak.adapters.idle.macos import MacIdle, parse_ioreg
from microbreak.adapters.idle.windows import WindowsIdle, ticks_between

from .desktop import Desktop
from .fake_dbus import fake_service, method, with_env

MUTTER = "org.gnome.Mutter.IdleMonitor"
MUTTER_OBJECTS = {
    "/org/gnome/Mutter/IdleMonitor/Core": {MUTTER: {"methods": {"GetIdletime": method("t", 4321)}}}
}
NO_BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}


# -- without a desktop ---------------------------------------------------------------------


def test_choose_without_display_or_bus_gives_the_null_detector_and_why() -> None:
    detector, reason = choose({}, platform="linux")
    assert isinstance(detector, NullIdle)
    assert detector.idle_seconds() is None
    assert reason == (
        "natural breaks are off: no X display ($DISPLAY is not set) and no GNOME idle monitor "
        "(no D-Bus session bus)"
    )
    assert detector.reason == reason


def test_why_natural_breaks_are_off_is_logged_once_a_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The daemon chooses again at every config reload; the reason is not logged again."""
    from microbreak import daemon

    from .fakes import scenario_settings

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    told: set[str] = set()
    settings = scenario_settings(detect_idle=True)
    with caplog.at_level("INFO", logger="microbreak.daemon"):
        for _reload in range(3):
            daemon._presence(settings, told).close()
    said = [r.getMessage() for r in caplog.records if "natural breaks are off" in r.getMessage()]
    assert said == [
        "natural breaks are off: no X display ($DISPLAY is not set) and no GNOME idle monitor "
        "(no D-Bus session bus)"
    ]


def test_choose_on_wayland_does_not_fall_back_to_xwayland() -> None:
    env = {"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":99"}
    detector, reason = choose(env, platform="linux")
    assert isinstance(detector, NullIdle)
    assert reason is not None
    assert reason == (
        "natural breaks are off: the X11 counter is not used on Wayland (it misses input to "
        "Wayland windows) and no GNOME idle monitor (no D-Bus session bus)"
    )


def test_choose_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(env: object) -> X11Idle:
        raise RuntimeError("backend bug")

    monkeypatch.setattr(idle.X11Idle, "open", broken)
    detector, reason = choose({"DISPLAY": ":0"}, platform="linux")
    assert isinstance(detector, NullIdle)
    assert reason == (
        "natural breaks are off: the x11 idle backend failed (RuntimeError) "
        "and no GNOME idle monitor (no D-Bus session bus)"
    )


def test_an_override_names_the_detector_and_an_unknown_name_is_said() -> None:
    detector, reason = choose(
        {"DISPLAY": ":0", "MICROBREAK_IDLE_BACKEND": "gnome"}, platform="linux"
    )
    assert reason == "natural breaks are off: no GNOME idle monitor (no D-Bus session bus)"
    detector, reason = choose({"MICROBREAK_IDLE_BACKEND": "xscreensaver"}, platform="linux")
    assert isinstance(detector, NullIdle)
    assert reason == (
        "natural breaks are off: MICROBREAK_IDLE_BACKEND=xscreensaver names no idle backend "
        "'xscreensaver' (known: x11, gnome, windows, macos)"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="the real GetLastInputInfo answers there")
def test_windows_detector_elsewhere_says_cannot_tell() -> None:
    assert WindowsIdle().idle_seconds() is None
    detector, reason = choose({}, platform="win32")
    assert isinstance(detector, NullIdle)
    assert reason == "natural breaks are off: GetLastInputInfo did not answer"


def test_windows_tick_difference_survives_the_wrap() -> None:
    assert ticks_between(1000, 4000) == 3000
    assert ticks_between(0xFFFFFF00, 0x100) == 0x200


def test_macos_ioreg_output_is_parsed() -> None:
    output = '    | |   "HIDIdleTime" = 2500000000\n    | |   "HIDParameters" = {}\n'
    assert parse_ioreg(output) == 2.5
    assert parse_ioreg("no such key") is None


def test_macos_detector_runs_its_command_with_a_timeout() -> None:
    echo = ("sh", "-c", "echo '\"HIDIdleTime\" = 1500000000'")
    assert MacIdle(echo).idle_seconds() == 1.5
    assert MacIdle(("/nonexistent/ioreg",)).idle_seconds() is None
    assert MacIdle(("sh", "-c", "exit 1")).idle_seconds() is None
    started = time.monotonic()
    assert MacIdle(("sleep", "5"), timeout=0.2).idle_seconds() is None
    assert time.monotonic() - started < 2.0


# -- X11 on a real X server ----------------------------------------------------------------


def _xdotool(desktop: Desktop, *args: str) -> None:
    result = desktop.run(["xdotool", *args])
    assert result.returncode == 0, result.stderr


X11_QUESTIONS = """
import sys
from microbreak.adapters import tray_probe
from microbreak.adapters.idle.x11 import X11Idle
from microbreak.adapters.presence.fullscreen import FullScreen
detector = X11Idle.open()
print(tray_probe.probe().xembed_host, detector.idle_seconds() >= 0, FullScreen().reason())
print(sorted(name for name in sys.modules if name.startswith("Xlib")))
"""


@pytest.mark.desktop
def test_x11_questions_are_asked_without_xlib_display(desktop: Desktop) -> None:
    """The tray probe, the idle time and the full-screen check all answer through python-xlib's
    protocol layer; ``Xlib.display`` would also load a module per server extension (1.3 MB)."""
    done = desktop.run([sys.executable, "-c", X11_QUESTIONS], timeout=30)
    assert done.returncode == 0, done.stderr
    answers, modules = done.stdout.splitlines()
    assert answers == "True True None"
    assert "Xlib.protocol.display" in modules and "Xlib.display" not in modules, modules


@pytest.mark.desktop
def test_x11_idle_grows_and_input_resets_it(bare_desktop: Desktop) -> None:
    detector = X11Idle.open(bare_desktop.env)
    assert isinstance(detector, X11Idle), detector
    try:
        first = detector.idle_seconds()
        assert first is not None
        time.sleep(1.5)
        later = detector.idle_seconds()
        assert later is not None and later >= first + 1.4
        _xdotool(bare_desktop, "mousemove", "100", "120")
        after_move = detector.idle_seconds()
        assert after_move is not None and after_move < 0.5
        time.sleep(0.6)
        _xdotool(bare_desktop, "key", "shift")
        after_key = detector.idle_seconds()
        assert after_key is not None and after_key < 0.5
    finally:
        detector.close()


@pytest.mark.desktop
def test_choose_picks_x11_on_the_test_desktop(bare_desktop: Desktop) -> None:
    detector, reason = choose(bare_desktop.env, platform="linux")
    try:
        assert (detector.name, reason) == ("x11", None)
        assert detector.idle_seconds() is not None
    finally:
        detector.close()


def _start_xvfb(desktop: Desktop, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """A second X server, with Xvfb's default blanking (unlike the harness's ``-s 0``); stopped
    with the desktop. ``-noreset``: an X server resets when its last client disconnects, and a
    connection attempt during the reset fails."""
    read_fd, write_fd = os.pipe()
    try:
        proc = desktop.spawn(
            ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-noreset", *args],
            name="Xvfb-default",
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        write_fd = -1
        data = b""
        deadline = time.monotonic() + 10.0
        while not data.endswith(b"\n") and time.monotonic() < deadline:
            if select.select([read_fd], [], [], 0.1)[0]:
                chunk = os.read(read_fd, 64)
                if not chunk:
                    break
                data += chunk
        assert data.endswith(b"\n"), f"Xvfb did not tell its display (exit {proc.poll()})"
        return proc, f":{data.decode().strip()}"
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)


@pytest.mark.desktop
def test_x11_idle_works_with_default_blanking_and_survives_the_server_going_away(
    bare_desktop: Desktop,
) -> None:
    proc, display = _start_xvfb(bare_desktop)
    detector = X11Idle.open({"DISPLAY": display})
    assert isinstance(detector, X11Idle), detector
    try:
        first = detector.idle_seconds()
        time.sleep(0.3)
        later = detector.idle_seconds()
        assert first is not None and later is not None and later > first
        bare_desktop.stop(proc)
        assert detector.idle_seconds() is None
        assert detector.idle_seconds() is None  # no reconnect storm, no exception
    finally:
        detector.close()


@pytest.mark.desktop
def test_x_server_without_the_screen_saver_extension(bare_desktop: Desktop) -> None:
    _proc, display = _start_xvfb(bare_desktop, "-extension", "MIT-SCREEN-SAVER")
    assert X11Idle.open({"DISPLAY": display}) == f"no X11 screen saver extension on {display}"
    detector, reason = choose(with_env(bare_desktop, DISPLAY=display), platform="linux")
    assert isinstance(detector, NullIdle)
    assert reason == (
        f"natural breaks are off: no X11 screen saver extension on {display} "
        "and no GNOME idle monitor"
    )


# -- GNOME's idle monitor on the test bus --------------------------------------------------


@pytest.mark.desktop
def test_gnome_idle_reads_mutter_and_choose_prefers_it_on_wayland(bare_desktop: Desktop) -> None:
    wayland = with_env(bare_desktop, XDG_SESSION_TYPE="wayland")
    detector, reason = choose(wayland, platform="linux")
    assert isinstance(detector, NullIdle)
    assert reason is not None and "no GNOME idle monitor" in reason

    with fake_service(bare_desktop, MUTTER, MUTTER_OBJECTS):
        gnome = GnomeIdle.open(bare_desktop.env)
        assert isinstance(gnome, GnomeIdle), gnome
        assert gnome.idle_seconds() == 4.321

        chosen, reason = choose(wayland, platform="linux")
        assert (chosen.name, reason) == ("gnome", None)
        chosen.close()

        # GNOME on X11 without a usable X display: the D-Bus monitor is the fallback.
        chosen, reason = choose(with_env(bare_desktop, DISPLAY=":4242"), platform="linux")
        assert (chosen.name, reason) == ("gnome", None)
        chosen.close()

    assert gnome.idle_seconds() is None
    gnome.close()


@pytest.mark.desktop
def test_gnome_idle_without_a_session_bus(bare_desktop: Desktop) -> None:
    assert GnomeIdle.open({}) == "no GNOME idle monitor (no D-Bus session bus)"
    # No socket at the address: it cannot be reached (not "did not answer", which is a timeout).
    said = "no GNOME idle monitor (the session bus cannot be reached)"
    assert GnomeIdle.open(NO_BUS) == said
    assert GnomeIdle.open({"DBUS_SESSION_BUS_ADDRESS": "garbage"}) == said
    assert GnomeIdle.open(bare_desktop.env) == "no GNOME idle monitor"
