"""Smoke tests proving the desktop harness (tests/desktop.py) works on a real desktop.

Why: the end-to-end tests of microbreak trust this harness to say "the icon docked", "the
menu item ran" and "the notification arrived"; these tests show each of those claims with a
real Xvfb, D-Bus bus, dunst, trayer and a real pystray icon, not with mocks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from .desktop import (
    NOTIFICATIONS_NAME,
    Desktop,
    NotifyMonitor,
    OutputLines,
    RawHint,
    activate_menu_item,
    make_desktop,
    menu_is_open,
    missing_tools,
    notification_popups,
    open_menus,
    open_tray_menu,
    parse_notify,
    press_keys,
    screenshot,
    stays_true,
    tray_icon_windows,
    wait_docked,
    wait_menu_closed,
    wait_until,
    window_geometry,
)

_MISSING = missing_tools()

pytestmark = [
    pytest.mark.desktop,
    # Skipped on a developer machine without the packages; CI must never skip these.
    pytest.mark.skipif(
        bool(_MISSING) and not os.environ.get("CI"), reason=f"desktop tools missing: {_MISSING}"
    ),
]

# A tiny pystray app: enabled items print their name (flushed) so the test can see which one
# the keyboard activated. "More" is a submenu, to prove submenu navigation.
TRAY_APP = """
import sys
from PIL import Image, ImageDraw
import pystray

def say(text):
    def handler(icon, item):
        print(text, flush=True)
    return handler

def quit_(icon, item):
    print("Quit", flush=True)
    icon.stop()

image = Image.new("RGB", (64, 64), (30, 120, 200))
ImageDraw.Draw(image).ellipse((8, 8, 56, 56), fill=(250, 200, 0))
menu = pystray.Menu(
    pystray.MenuItem("Status", say("Status"), enabled=False),
    pystray.MenuItem("First", say("First")),
    pystray.MenuItem("Second", say("Second")),
    pystray.MenuItem(
        "More",
        pystray.Menu(
            pystray.MenuItem("Inner off", say("Inner off"), enabled=False),
            pystray.MenuItem("Inner A", say("Inner A")),
            pystray.MenuItem("Inner B", say("Inner B")),
        ),
    ),
    pystray.MenuItem("Quit", quit_),
)
icon = pystray.Icon("harness-smoke", image, "Harness smoke", menu)

def setup(icon):
    icon.visible = True
    print("READY", flush=True)

icon.run(setup)
print("EXITING", flush=True)
"""

# Enabled items, in the order Home/Down walk them (the disabled "Status" is skipped).
FIRST, SECOND, MORE, QUIT = range(4)
INNER_A, INNER_B = range(2)

ITEM_NAMES = {"Status", "First", "Second", "Inner off", "Inner A", "Inner B", "Quit"}

YELLOW = (250, 200, 0)


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    with make_desktop(tmp_path) as d:
        yield d


def start_tray_app(desktop: Desktop, tmp_path: Path) -> tuple[subprocess.Popen[bytes], OutputLines]:
    script = tmp_path / "tray_app.py"
    script.write_text(TRAY_APP)
    proc = desktop.spawn(
        [sys.executable, str(script)],
        name="tray_app",
        extra_env={"PYSTRAY_BACKEND": "gtk"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out = desktop.watch_output(proc)
    out.wait_for_line("READY", timeout=15)
    return proc, out


def near(pixel: tuple[int, ...], color: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], color, strict=True))


def test_icon_docks_menu_drives_items_and_quit_exits(desktop: Desktop, tmp_path: Path) -> None:
    # pystray's gtk backend closes its notification on exit and raises if no server owns
    # org.freedesktop.Notifications, so a clean Quit needs one.
    desktop.start_notification_server()
    desktop.start_tray_host()
    proc, out = start_tray_app(desktop, tmp_path)

    icon = wait_docked(desktop)
    x, y, width, height = window_geometry(desktop, icon)
    assert 8 <= width <= 64 and 8 <= height <= 64
    assert y < 24 and x > 1280 // 2, "trayer sits at the top right"

    # The icon is really painted in the tray: its centre shows the yellow disc.
    shot = tmp_path / "docked.png"

    def icon_painted() -> bool:
        x, y, width, height = window_geometry(desktop, icon)
        with Image.open(screenshot(desktop, shot)) as image:
            pixel = image.convert("RGB").getpixel((x + width // 2, y + height // 2))
        return isinstance(pixel, tuple) and near(pixel, YELLOW)

    wait_until(icon_painted, 5, lambda: f"the yellow icon in {window_geometry(desktop, icon)}")

    # Right-click opens the menu; Home+Down skips the disabled "Status"; Return activates.
    menu = open_tray_menu(desktop, icon)
    assert menu_is_open(desktop)
    _, _, mwidth, mheight = window_geometry(desktop, menu)
    assert mwidth > 40 and mheight > 4 * 16, "the menu shows its five items"
    screenshot(desktop, tmp_path / "menu.png")
    activate_menu_item(desktop, SECOND)
    out.wait_for_line("Second", timeout=5)
    assert "First" not in out.lines()

    # A submenu: Right opens it and selects its first enabled item ("Inner off" is skipped).
    open_tray_menu(desktop, icon)
    mark = len(out.lines())
    activate_menu_item(desktop, MORE, INNER_B)
    assert out.wait_for_line("Inner B", timeout=5, after=mark)

    # Escape closes the menu without activating anything.
    open_tray_menu(desktop, icon)
    mark = len(out.lines())
    press_keys(desktop, "Escape")
    wait_menu_closed(desktop)
    assert not [line for line in out.lines()[mark:] if line in ITEM_NAMES]

    open_tray_menu(desktop, icon)
    activate_menu_item(desktop, FIRST)
    out.wait_for_line("First", timeout=5)

    # Quit stops the icon: the process exits 0 and the icon leaves the tray.
    open_tray_menu(desktop, icon)
    activate_menu_item(desktop, QUIT)
    assert proc.wait(timeout=10) == 0, out.lines()
    out.wait_for_line("EXITING", timeout=5)
    said = [line for line in out.lines() if line in ITEM_NAMES]
    assert said == ["Second", "Inner B", "First", "Quit"], out.lines()
    wait_until(lambda: not tray_icon_windows(desktop), 5, "the icon to leave the tray")
    assert not open_menus(desktop)


def test_notifications_reach_dunst_and_are_parsed(desktop: Desktop) -> None:
    desktop.start_notification_server()
    with NotifyMonitor(desktop) as monitor:
        # The way microbreak notifies: plyer, through dbus-python, on the session bus.
        body = 'Roll your shoulders\nthen say "done"'
        code = (
            "from plyer import notification\n"
            f"notification.notify(title='Time for a break', message={body!r},"
            " app_name='microbreak', app_icon='/tmp/icon.png', timeout=7)\n"
        )
        sender = desktop.spawn(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        sent = desktop.watch_output(sender)
        assert sender.wait(timeout=15) == 0, sent.lines()

        note = monitor.wait_for(lambda n: n.app_name == "microbreak")
        assert note.summary == "Time for a break"
        assert note.body == body
        assert note.app_icon == "/tmp/icon.png"
        assert note.expire_timeout == 7000
        assert note.replaces_id == 0
        assert note.actions == ()
        assert dict(note.hints) == {}
        # dunst really shows it.
        wait_until(lambda: notification_popups(desktop), 5, "dunst's notification window")

        # Hints of several types, a multi-line hint and a body that mimics dbus-monitor's
        # own layout; gdbus prints the id the server answered with.
        mark = monitor.count
        tricky = 'line1\nline2 "q"\n   array [\nend'
        reply = desktop.run(
            [
                "gdbus",
                "call",
                "--session",
                "--dest",
                NOTIFICATIONS_NAME,
                "--object-path",
                "/org/freedesktop/Notifications",
                "--method",
                f"{NOTIFICATIONS_NAME}.Notify",
                "other-app",
                "0",
                "dialog-information",
                "Summary",
                tricky,
                "['default', 'Open']",
                "{'urgency': <byte 2>, 'category': <'im'>, 'x-flag': <true>,"
                " 'x-d': <1.5>, 'x-s': <'a\nb'>, 'x-arr': <['p', 'q']>}",
                "5000",
            ]
        )
        assert reply.returncode == 0, reply.stderr
        assert re.fullmatch(r"\(uint32 [1-9]\d*,\)\s*", reply.stdout), reply.stdout
        other = monitor.wait_for(after=mark)
        assert (other.app_name, other.app_icon, other.summary) == (
            "other-app",
            "dialog-information",
            "Summary",
        )
        assert other.body == tricky
        assert other.actions == ("default", "Open")
        assert other.expire_timeout == 5000
        hints = dict(other.hints)
        raw = hints.pop("x-arr")
        assert isinstance(raw, RawHint) and '"p"' in raw and '"q"' in raw
        assert hints == {"urgency": 2, "category": "im", "x-flag": True, "x-d": 1.5, "x-s": "a\nb"}
        assert [n.app_name for n in monitor.all()] == ["microbreak", "other-app"]
        assert monitor.unparsed() == []


def test_without_tray_host_nothing_docks_until_one_starts(desktop: Desktop, tmp_path: Path) -> None:
    assert desktop.tray_selection_owner() == 0
    assert tray_icon_windows(desktop) == []

    proc, _out = start_tray_app(desktop, tmp_path)
    assert stays_true(lambda: tray_icon_windows(desktop) == [], 0.5)
    assert desktop.tray_selection_owner() == 0

    # A tray host that appears later gets the icon (GtkStatusIcon watches for one) ...
    desktop.start_tray_host()
    first = wait_docked(desktop)
    # ... and when the host goes away the app survives and docks again in a new host.
    desktop.stop_tray_host()
    assert desktop.tray_selection_owner() == 0
    assert tray_icon_windows(desktop) == []
    assert proc.poll() is None
    desktop.start_tray_host()
    assert wait_docked(desktop) != 0
    assert first != 0


def test_without_notification_server_the_name_has_no_owner(desktop: Desktop) -> None:
    assert not desktop.name_has_owner(NOTIFICATIONS_NAME)
    notify = [
        "gdbus",
        "call",
        "--session",
        "--dest",
        NOTIFICATIONS_NAME,
        "--object-path",
        "/org/freedesktop/Notifications",
        "--method",
        f"{NOTIFICATIONS_NAME}.GetServerInformation",
    ]
    # Nothing is D-Bus-activated (dunst ships an activation file that must not be used).
    failed = desktop.run(notify)
    assert failed.returncode != 0
    assert "ServiceUnknown" in failed.stderr

    desktop.start_notification_server()
    assert desktop.name_has_owner(NOTIFICATIONS_NAME)
    info = desktop.run(notify)
    assert info.returncode == 0 and "dunst" in info.stdout, info

    desktop.stop_notification_server()
    assert not desktop.name_has_owner(NOTIFICATIONS_NAME)
    assert not notification_popups(desktop)


def test_desktop_env_is_private(desktop: Desktop) -> None:
    env = desktop.env
    assert env["DISPLAY"] == desktop.display and re.fullmatch(r":\d+", desktop.display)
    assert env["DBUS_SESSION_BUS_ADDRESS"] == desktop.bus_address
    for key in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        assert Path(env[key]).is_relative_to(desktop.base_dir), key
        assert Path(env[key]).is_dir(), key
    runtime = Path(env["XDG_RUNTIME_DIR"])
    assert runtime.is_dir() and runtime.stat().st_mode & 0o777 == 0o700
    assert "NOTIFY_SOCKET" not in env
    # Children really get it.
    probe = desktop.run(
        [sys.executable, "-c", "import os; print(os.environ['HOME'], os.environ['DISPLAY'])"]
    )
    assert probe.stdout.split() == [env["HOME"], desktop.display]


def test_parse_notify_handles_raw_strings() -> None:
    header = (
        "method call time=1.0 sender=:1.9 -> destination=:1.4 serial=4 "
        "path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; "
        "member=Notify"
    )
    lines = [
        header,
        '   string "app"',
        "   uint32 4",
        '   string ""',
        '   string "He said "hi""',
        '   string "a',
        '   string "not a field"',
        '   int32 3"',
        "   array [",
        "   ]",
        "   array [",
        "      dict entry(",
        '         string "urgency"',
        "         variant             byte 0",
        "      )",
        "   ]",
        "   int32 -1",
    ]
    note = parse_notify(lines)
    assert note is not None
    assert note.summary == 'He said "hi"'
    assert note.body == 'a\n   string "not a field"\n   int32 3'
    assert (note.app_name, note.replaces_id, note.app_icon) == ("app", 4, "")
    assert (note.expire_timeout, dict(note.hints), note.sender) == (-1, {"urgency": 0}, ":1.9")
    assert parse_notify(lines[:-1]) is None
