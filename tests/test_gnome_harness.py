"""The GNOME Shell test desktop really does what the end-to-end tests rely on.

Each facility is checked against the shell itself: a notification sent here shows up in the
shell's message tray with its buttons, a press reaches the bus, a screenshot is a real picture,
the idle time is Mutter's and real input resets it, the AppIndicator extension hosts an icon.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .desktop import NOTIFICATIONS_NAME, stays_true, wait_until
from .gnome_shell import WATCHER_NAME, GnomeShell

pytestmark = pytest.mark.desktop

NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
#: Where GNOME Shell 43 draws a notification banner on a 1280x800 screen (left, top, right, bottom).
BANNER_AREA = (400, 40, 880, 100)

# A minimal AppIndicator client (what Ubuntu's and KDE's trays host), run on the shell's display.
INDICATOR = r"""
import signal, sys
import gi
gi.require_version("Gtk", "3.0")
gi.require_version("AyatanaAppIndicator3", "0.1")
from gi.repository import AyatanaAppIndicator3 as AppIndicator, GLib, Gtk

indicator = AppIndicator.Indicator.new(
    sys.argv[1], "dialog-information", AppIndicator.IndicatorCategory.APPLICATION_STATUS
)
menu = Gtk.Menu()
menu.append(Gtk.MenuItem(label="Hello"))
menu.show_all()
indicator.set_menu(menu)
indicator.set_status(AppIndicator.IndicatorStatus.ACTIVE)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, Gtk.main_quit)
print("ready", flush=True)
Gtk.main()
"""


def notify(shell: GnomeShell, summary: str, body: str, actions: list[str]) -> int:
    """Send a Notify as an application does, with the ``sender-pid`` hint GNOME Shell needs."""
    from gi.repository import GLib

    hints = {"sender-pid": GLib.Variant("x", os.getpid())}
    args = GLib.Variant(
        "(susssasa{sv}i)", ("harness", 0, "dialog-information", summary, body, actions, hints, -1)
    )
    (nid,) = shell.call(
        NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, NOTIFICATIONS_NAME, "Notify", args, "(u)"
    )
    return int(nid)


def test_the_shell_answers_eval_and_gives_programs_a_wayland_desktop(shell: GnomeShell) -> None:
    assert shell.eval("1 + 1") == 2
    assert shell.eval("global.display.get_size()") == [1280, 800]
    assert shell.eval("undefined") is None
    with pytest.raises(AssertionError, match="Eval failed"):
        shell.eval("no_such_name.x")
    env = shell.env
    assert "DISPLAY" not in env
    assert env["WAYLAND_DISPLAY"] and env["DBUS_SESSION_BUS_ADDRESS"] == shell.bus_address
    assert (Path(env["XDG_RUNTIME_DIR"]) / env["WAYLAND_DISPLAY"]).is_socket()
    assert env["DBUS_SYSTEM_BUS_ADDRESS"] != env["DBUS_SESSION_BUS_ADDRESS"]
    # A program started with ``env`` reaches this shell's bus.
    probe = subprocess.run(
        [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.gnome.Shell",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert probe.returncode == 0 and "boolean true" in probe.stdout, probe.stderr


def test_the_shell_serves_notifications_with_buttons(shell: GnomeShell) -> None:
    (name, vendor, _version, spec) = shell.call(
        NOTIFICATIONS_NAME,
        NOTIFICATIONS_PATH,
        NOTIFICATIONS_NAME,
        "GetServerInformation",
        None,
        "(ssss)",
    )
    assert (name, vendor, spec) == ("gnome-shell", "GNOME", "1.2")
    (caps,) = shell.call(
        NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, NOTIFICATIONS_NAME, "GetCapabilities", None, "(as)"
    )
    assert "actions" in caps

    assert shell.notifications() == []  # the shell's greetings were cleared
    nid = notify(shell, "Neck stretch", "Tilt your head", ["one", "First", "two", "Second"])
    note = shell.wait_notification("Neck stretch")
    assert note.body == "Tilt your head"
    assert note.actions == ("First", "Second")
    assert note.source == "harness"
    assert nid > 0


def test_pressing_a_button_emits_action_invoked_and_removes_it(shell: GnomeShell) -> None:
    signals = shell.listen(NOTIFICATIONS_NAME)
    try:
        nid = notify(shell, "Wrist circles", "Ten each way", ["yes", "Yes", "no", "No"])
        shell.wait_notification("Wrist circles")
        with pytest.raises(AssertionError, match="cannot press 'Maybe'"):
            shell.press("Wrist circles", "Maybe")
        shell.press("Wrist circles", "No")
        assert signals.wait_for("ActionInvoked", lambda args: args[0] == nid) == (nid, "no")
        # Not resident: the press closes it, as the banner's button does.
        signals.wait_for("NotificationClosed", lambda args: args[0] == nid)
        assert [n for n in shell.notifications() if n.title == "Wrist circles"] == []
        assert ("ActionInvoked", (nid, "yes")) not in signals.seen
    finally:
        signals.close()


def test_a_screenshot_is_the_real_screen(shell: GnomeShell, tmp_path: Path) -> None:
    from PIL import Image, ImageChops

    path = shell.screenshot(tmp_path / "screen.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (1280, 800)
        gray = image.convert("L")
        # The top bar (light text on dark) is drawn, so the picture is not one flat colour.
        levels = [v for v, count in enumerate(gray.crop((0, 0, 1280, 32)).histogram()) if count]
        assert levels[-1] - levels[0] > 100, levels
        before = gray.crop(BANNER_AREA)

    # A notification's banner slides in below the top bar, in the middle: the next
    # screenshots show it there.
    notify(shell, "Look away", "Twenty seconds at something far", [])
    shots = iter(range(1000))

    def banner_drawn() -> bool:
        shot = shell.screenshot(tmp_path / f"banner-{next(shots)}.png")
        with Image.open(shot) as image:
            changed = ImageChops.difference(before, image.convert("L").crop(BANNER_AREA))
        return changed.getbbox() is not None

    wait_until(banner_drawn, 10.0, "the banner to show in a screenshot", interval=0.1)


def test_idle_time_grows_and_real_input_resets_it(shell: GnomeShell) -> None:
    # Mutter counts real time, which no test can inject: wait for it to pass. Each reading is
    # compared with the one before it, not with a fixed bound, so a slow machine (the D-Bus
    # round trips take their time under load) cannot fail the test.
    shell.nudge()
    first = shell.idle_ms()
    grown = wait_until(
        lambda: (idle := shell.idle_ms()) >= first + 1000 and idle,
        10.0,
        lambda: f"the idle time to grow from {first} ms (now {shell.idle_ms()} ms)",
    )
    shell.nudge()
    reset = shell.idle_ms()
    assert reset < grown - 500, (first, grown, reset)
    wait_until(
        lambda: shell.idle_ms() >= reset + 250,
        5.0,
        lambda: f"the idle time to grow again from {reset} ms",
    )


def test_the_appindicator_extension_hosts_an_icon(shell: GnomeShell) -> None:
    shell.enable_appindicator()
    assert shell.name_has_owner(WATCHER_NAME)
    before = shell.status_area()
    assert not any("harness_indicator" in key for key in before)
    proc = shell.spawn(
        [sys.executable, "-c", INDICATOR, "harness_indicator"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        shell.watch_output(proc).wait_for_line("ready", timeout=20.0)
        key = wait_until(
            lambda: next((k for k in shell.status_area() if "harness_indicator" in k), ""),
            15.0,
            lambda: f"an indicator key in Main.panel.statusArea: {shell.status_area()}",
        )
        assert key.startswith("appindicator-") and key.endswith(
            "/NotificationItem/harness_indicator"
        ), key
    finally:
        shell.stop(proc)
    wait_until(
        lambda: key not in shell.status_area(), 10.0, "the icon to leave the top bar", interval=0.1
    )
    assert stays_true(lambda: shell.name_has_owner(WATCHER_NAME), 0.2)
