"""Do-not-disturb checks: a real full-screen window, real dunst paused, a real process holding a
(fake) camera device, a fake ``pactl``, GNOME's setting through Gio, and their combination."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from microbreak.adapters.presence import DoNotDisturb
from microbreak.adapters.presence.camera import CameraInUse, holders
from microbreak.adapters.presence.fullscreen import FullScreen
from microbreak.adapters.presence.microphone import MicrophoneInUse
from microbreak.adapters.presence.notifications import (
    GNOME_SCHEMA,
    GnomeBanners,
    NotificationServerDnd,
    on_gnome,
)

from .desktop import Desktop, OutputLines, stop_process
from .fake_dbus import fake_service, prop

NOTIFICATIONS = "org.freedesktop.Notifications"

# -- full-screen window --------------------------------------------------------------------


def _window(desktop: Desktop, *states: str) -> Any:
    """Map a window, make it the active one (there is no window manager to do it) and give it
    ``_NET_WM_STATE`` ``states``."""
    from Xlib import Xatom

    d = desktop.xdisplay
    screen = d.screen()
    win = screen.root.create_window(0, 0, 320, 200, 0, screen.root_depth)
    win.map()
    win.change_property(
        desktop.atom("_NET_WM_STATE"), Xatom.ATOM, 32, [desktop.atom(s) for s in states]
    )
    screen.root.change_property(desktop.atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW, 32, [win.id])
    d.sync()
    return win


@pytest.mark.desktop
def test_full_screen_active_window(bare_desktop: Desktop) -> None:
    from Xlib import Xatom

    check = FullScreen(bare_desktop.env)
    try:
        assert check.reason() is None  # no active window at all
        win = _window(bare_desktop, "_NET_WM_STATE_ABOVE")
        assert check.reason() is None
        win.change_property(
            bare_desktop.atom("_NET_WM_STATE"),
            Xatom.ATOM,
            32,
            [
                bare_desktop.atom("_NET_WM_STATE_ABOVE"),
                bare_desktop.atom("_NET_WM_STATE_FULLSCREEN"),
            ],
        )
        bare_desktop.xdisplay.sync()
        assert check.reason() == "a full-screen window"
        win.delete_property(bare_desktop.atom("_NET_WM_STATE"))
        bare_desktop.xdisplay.sync()
        assert check.reason() is None
        win.destroy()  # _NET_ACTIVE_WINDOW now names a window that is gone: BadWindow
        bare_desktop.xdisplay.sync()
        assert check.reason() is None
        other = _window(bare_desktop, "_NET_WM_STATE_FULLSCREEN")  # the connection still works
        assert check.reason() == "a full-screen window"
        other.destroy()
        bare_desktop.xdisplay.sync()
        assert check.reason() is None
    finally:
        check.close()


def test_full_screen_without_a_display_cannot_tell() -> None:
    assert FullScreen({}).reason() is None
    assert FullScreen({"DISPLAY": ":4242"}).reason() is None


# -- the notification server's own pause / inhibit -----------------------------------------


@pytest.mark.desktop
def test_dunst_paused(bare_desktop: Desktop) -> None:
    if shutil.which("dunstctl") is None:
        message = "dunstctl is missing (it comes with dunst)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    check = NotificationServerDnd(bare_desktop.env)
    try:
        assert check.reason() is None  # no server
        bare_desktop.start_notification_server()
        assert check.reason() is None
        for paused, expected in (("true", "notifications paused"), ("false", None)):
            result = bare_desktop.run(["dunstctl", "set-paused", paused])
            assert result.returncode == 0, result.stderr
            assert check.reason() == expected
    finally:
        check.close()


@pytest.mark.desktop
def test_notification_server_inhibited(bare_desktop: Desktop) -> None:
    check = NotificationServerDnd(bare_desktop.env)
    path = "/org/freedesktop/Notifications"
    try:
        inhibited = {path: {NOTIFICATIONS: {"properties": {"Inhibited": prop("b", True)}}}}
        with fake_service(bare_desktop, NOTIFICATIONS, inhibited):
            assert check.reason() == "notifications inhibited (do not disturb)"
        plain = {path: {NOTIFICATIONS: {"properties": {"Other": prop("b", True)}}}}
        with fake_service(bare_desktop, NOTIFICATIONS, plain):
            assert check.reason() is None  # a server without either flag
            assert check.reason() is None
    finally:
        check.close()


# -- GNOME's Do Not Disturb ----------------------------------------------------------------


def _gnome_settings() -> Any:
    """org.gnome.desktop.notifications on an in-memory backend (skip without the schema)."""
    try:
        from gi.repository import Gio
    except ImportError:
        pytest.skip("PyGObject is missing")
    source = Gio.SettingsSchemaSource.get_default()
    schema = source.lookup(GNOME_SCHEMA, True) if source is not None else None
    if schema is None:
        message = f"the {GNOME_SCHEMA} schema is not installed (gsettings-desktop-schemas)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return Gio.Settings.new_full(schema, Gio.memory_settings_backend_new(), None)


def test_gnome_show_banners_off_is_do_not_disturb() -> None:
    settings = _gnome_settings()
    check = GnomeBanners(settings)
    assert check.reason() is None
    settings.set_boolean("show-banners", False)
    assert check.reason() == "do not disturb is on"
    settings.set_boolean("show-banners", True)
    assert check.reason() is None


def test_gnome_check_reads_the_real_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    _gnome_settings()  # skips without the schema
    monkeypatch.setenv("GSETTINGS_BACKEND", "memory")  # never the user's dconf database
    assert GnomeBanners().reason() is None  # the default: banners shown


def test_gnome_check_with_a_missing_schema_or_key_says_nothing() -> None:
    assert GnomeBanners(schema="org.example.no.such.schema").reason() is None
    assert GnomeBanners(key="no-such-key").reason() is None


def test_gnome_setting_is_asked_only_on_gnome() -> None:
    assert on_gnome({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"})
    assert on_gnome({"XDG_CURRENT_DESKTOP": "GNOME"})
    assert not on_gnome({"XDG_CURRENT_DESKTOP": "XFCE"})
    assert not on_gnome({})
    names = [c.name for c in DoNotDisturb.default({"XDG_CURRENT_DESKTOP": "XFCE"}).checks]
    assert "gnome-dnd" not in names
    names = [c.name for c in DoNotDisturb.default({"XDG_CURRENT_DESKTOP": "GNOME"}).checks]
    assert "gnome-dnd" in names


# -- camera --------------------------------------------------------------------------------


def _fake_proc(root: Path, pid: int, comm: str, fds: dict[str, str]) -> None:
    (root / str(pid) / "fd").mkdir(parents=True)
    (root / str(pid) / "comm").write_text(comm + "\n")
    for fd, target in fds.items():
        (root / str(pid) / "fd" / fd).symlink_to(target)


def test_camera_scan_of_a_fake_proc_tree(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    _fake_proc(proc, 1, "systemd", {"0": "/dev/null", "1": "socket:[1234]"})
    _fake_proc(proc, 200, "zoom", {"3": "/dev/null", "7": "/dev/video0", "8": "/dev/video2"})
    _fake_proc(proc, 300, "us", {"4": "/dev/video1"})  # our own process
    _fake_proc(proc, 400, "vi", {"5": "/dev/vid", "6": "/home/u/video0"})  # near misses
    (proc / "500").mkdir()  # exited: no fd directory
    (proc / "600").mkdir()
    (proc / "600" / "fd").write_text("")  # unreadable in some other way
    (proc / "self").symlink_to("300")
    (proc / "cpuinfo").write_text("")

    found = list(holders("/dev/video*", proc, {300}))
    assert found in ([(200, "/dev/video0")], [(200, "/dev/video2")])  # one entry per process
    assert sorted(pid for pid, _ in holders("/dev/video*", proc)) == [200, 300]
    assert CameraInUse(proc_root=proc, own_pid=300).reason() == "camera in use (by PID 200 / zoom)"
    assert CameraInUse(proc_root=proc, own_pid=200).reason() == "camera in use (by PID 300 / us)"
    assert CameraInUse("/dev/video[3-9]", proc, own_pid=300).reason() is None
    assert CameraInUse(proc_root=tmp_path / "missing").reason() is None


def test_camera_held_by_a_real_process(tmp_path: Path) -> None:
    device = tmp_path / "video7"
    device.write_bytes(b"")
    check = CameraInUse(str(tmp_path / "video*"))
    mine = device.open("rb")  # our own process never counts
    try:
        assert check.reason() is None
    finally:
        mine.close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; f = open(sys.argv[1], 'rb'); print('ready', flush=True); "
            "time.sleep(60)",
            str(device),
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert holder.stdout is not None
        OutputLines(holder.stdout, "holder").wait_for_line("ready", timeout=10.0)
        comm = Path(f"/proc/{holder.pid}/comm").read_text().strip()
        assert check.reason() == f"camera in use (by PID {holder.pid} / {comm})"
    finally:
        stop_process(holder)
    assert check.reason() is None


# -- microphone ----------------------------------------------------------------------------

SOURCES = (
    "1\talsa_output.pci-0000_00_1f.3.analog-stereo.monitor\tPipeWire\ts32le 2ch 48000Hz\tIDLE\n"
    "2\talsa_input.pci-0000_00_1f.3.analog-stereo\tPipeWire\ts32le 2ch 48000Hz\tRUNNING\n"
)
METER = """Source Output #40
\tDriver: protocol-native.c
\tSource: 2
\tCorked: no
\tProperties:
\t\tmedia.name = "Peak detect"
\t\tapplication.name = "PulseAudio Volume Control"
"""
MONITOR = """Source Output #41
\tSource: 1
\tCorked: no
\tFormat: pcm, format.sample_format = "\\"s16le\\""  format.rate = "44100"
\tProperties:
\t\tmedia.name = "record-speakers"
"""
CORKED = """Source Output #42
\tSource: 2
\tCorked: yes
\tProperties:
\t\tapplication.name = "Paused app"
"""
CALL = """Source Output #43
\tSource: 2
\tCorked: no
\tProperties:
\t\tmedia.name = "RecordStream"
\t\tapplication.name = "Firefox"
"""

# A stand-in for pactl: answers only the two listings, and only in the C locale.
FAKE_PACTL = """#!/bin/sh
[ "$LC_ALL" = C ] || exit 3
here=$(dirname "$0")
case "$*" in
  "list source-outputs") cat "$here/outputs.txt" ;;
  "list short sources") cat "$here/sources.txt" ;;
  *) exit 1 ;;
esac
"""


def _pactl(tmp_path: Path, outputs: str) -> str:
    script = tmp_path / "pactl"
    script.write_text(FAKE_PACTL)
    script.chmod(0o755)
    (tmp_path / "outputs.txt").write_text(outputs)
    (tmp_path / "sources.txt").write_text(SOURCES)
    return str(script)


def test_microphone_ignores_meters_monitors_and_paused_streams(tmp_path: Path) -> None:
    pactl = _pactl(tmp_path, METER + "\n" + MONITOR + "\n" + CORKED)
    assert MicrophoneInUse(pactl).reason() is None


def test_microphone_in_use_by_a_call(tmp_path: Path) -> None:
    pactl = _pactl(tmp_path, METER + "\n" + CALL)
    assert MicrophoneInUse(pactl).reason() == "microphone in use (by Firefox)"
    pactl = _pactl(tmp_path, CALL.replace('\t\tapplication.name = "Firefox"\n', ""))
    assert MicrophoneInUse(pactl).reason() == "microphone in use"


def test_microphone_without_pactl_or_a_sound_server(tmp_path: Path) -> None:
    assert MicrophoneInUse(str(tmp_path / "no-pactl")).reason() is None
    failing = tmp_path / "failing-pactl"
    failing.write_text("#!/bin/sh\necho 'Connection failure: Connection refused' >&2\nexit 1\n")
    failing.chmod(0o755)
    assert MicrophoneInUse(str(failing)).reason() is None
    slow = tmp_path / "slow-pactl"
    slow.write_text("#!/bin/sh\nexec sleep 5\n")
    slow.chmod(0o755)
    assert MicrophoneInUse(str(slow), timeout=0.2).reason() is None


# -- all together --------------------------------------------------------------------------


class Stub:
    def __init__(self, name: str, answer: str | None) -> None:
        self.name = name
        self.answer = answer
        self.closed = False

    def reason(self) -> str | None:
        if self.answer == "raise":
            raise RuntimeError("bug")
        return self.answer

    def close(self) -> None:
        self.closed = True


def test_first_reason_wins_and_a_broken_check_counts_as_clear() -> None:
    checks = [Stub("a", None), Stub("b", "raise"), Stub("c", "camera"), Stub("d", "mic")]
    dnd = DoNotDisturb(checks)
    assert dnd.reason() == "camera"
    dnd.close()
    assert all(c.closed for c in checks)
    assert DoNotDisturb([Stub("a", None), Stub("b", "raise")]).reason() is None


def test_every_check_can_be_switched_off() -> None:
    dnd = DoNotDisturb.default(
        {"XDG_CURRENT_DESKTOP": "GNOME"},
        fullscreen=False,
        desktop_dnd=False,
        camera=False,
        microphone=False,
    )
    assert dnd.checks == ()
    everything = DoNotDisturb.default({"XDG_CURRENT_DESKTOP": "GNOME"})
    assert [c.name for c in everything.checks] == [
        "fullscreen",
        "gnome-dnd",
        "notification-server",
        "camera",
        "microphone",
    ]
    everything.close()


@pytest.mark.desktop
def test_do_not_disturb_on_the_test_desktop(bare_desktop: Desktop, tmp_path: Path) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    dnd = DoNotDisturb.default(
        bare_desktop.env, camera_devices=str(tmp_path / "video*"), microphone=False
    )
    try:
        assert dnd.reason() is None
        with fake_service(
            bare_desktop,
            NOTIFICATIONS,
            {
                "/org/freedesktop/Notifications": {
                    NOTIFICATIONS: {"properties": {"Inhibited": prop("b", True)}}
                }
            },
        ):
            assert dnd.reason() == "notifications inhibited (do not disturb)"
            win = _window(bare_desktop, "_NET_WM_STATE_FULLSCREEN")
            assert dnd.reason() == "a full-screen window"  # full-screen comes first
            win.destroy()
            bare_desktop.xdisplay.sync()
        holder = bare_desktop.spawn(
            ["sh", "-c", 'exec 3<"$0"; echo ready; exec sleep 60', str(device)],
            stdout=subprocess.PIPE,
        )
        bare_desktop.watch_output(holder).wait_for_line("ready", timeout=10.0)
        reason = dnd.reason()
        assert reason is not None and reason.startswith(f"camera in use (by PID {holder.pid} / ")
        bare_desktop.stop(holder)
        assert dnd.reason() is None
    finally:
        dnd.close()
