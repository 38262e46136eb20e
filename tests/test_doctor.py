"""``microbreak doctor`` on real test desktops: each broken part fails with its exact fix.

The doctor runs as a real subprocess with the desktop's environment, so it sees that desktop's
bus, X server, notification server and tray exactly as the daemon would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from microbreak.adapters.presence.bus import Bus, BusError
from microbreak.settings.config import Loaded
from microbreak.usecases import doctor
from microbreak.usecases.doctor import Check

from .desktop import Desktop

NAMES = [
    "session bus",
    "notification server",
    "notification path",
    "do not disturb",
    "tray",
    "GNOME breaks",
    "idle detection",
    "config",
    "autostart",
    "log dir",
    "history file",
    "state file",
]
_ROW = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<status>ok|FAIL|warn|info)\s{2,}(?P<detail>.*)$")


def _doctor(
    env: dict[str, str], *, as_json: bool = False, config: str | None = None
) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from microbreak.usecases.doctor import run; "
        f"sys.exit(run(as_json={as_json}, config={config!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def _table(stdout: str) -> dict[str, tuple[str, str]]:
    """name -> (status, detail) from the printed table."""
    rows = {}
    for line in stdout.splitlines():
        match = _ROW.match(line)
        if match and match["name"] != "check":
            rows[match["name"]] = (match["status"], match["detail"])
    assert list(rows) == NAMES, stdout
    return rows


def _fixes(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("fix: ")]


def _dunst_version() -> str:
    out = subprocess.run(["dunst", "-v"], capture_output=True, text=True, timeout=10).stdout
    match = re.search(r"\d+\.\d+(\.\d+)?", out)
    assert match, out
    return match.group(0)


# --- real desktops ------------------------------------------------------------------------------


@pytest.mark.desktop
def test_full_desktop_everything_needed_works(desktop: Desktop) -> None:
    result = _doctor(desktop.env)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = _table(result.stdout)
    assert all(status in ("ok", "info") for status, _ in rows.values()), result.stdout
    assert _fixes(result.stdout) == []
    server = rows["notification server"][1]
    assert server.startswith("dunst ") and _dunst_version() in server
    assert "activated on demand" not in server  # dunst was running before the call
    path = rows["notification path"][1]
    assert path == "freedesktop API with Done / Snooze / Skip buttons (dunst lists actions)", path
    tray = rows["tray"][1]
    assert tray.startswith("XEmbed tray -> pystray gtk backend, with menu"), tray
    assert rows["idle detection"][1].startswith("x11:")
    assert rows["config"][1].endswith("config.toml: no file, defaults")
    assert rows["log dir"][1].startswith(str(desktop.home))
    assert result.stdout.rstrip().endswith("everything needed works")

    report = _doctor(desktop.env, as_json=True)
    assert report.returncode == 0
    data: dict[str, Any] = json.loads(report.stdout)
    assert data["ok"] is True
    assert data["version"] and data["platform"]
    assert [c["name"] for c in data["checks"]] == NAMES
    for check in data["checks"]:
        assert set(check) == {"name", "ok", "needed", "status", "detail", "fix"}
        assert check["ok"] is True and check["fix"] is None


@pytest.mark.desktop
def test_no_notification_server(bare_desktop: Desktop) -> None:
    bare_desktop.start_tray_host()
    result = _doctor(bare_desktop.env)
    assert result.returncode == 1, result.stdout
    rows = _table(result.stdout)
    assert rows["notification server"][0] == "FAIL"
    assert rows["notification server"][1].startswith("none: nobody owns")
    assert rows["tray"][0] == "ok" and rows["session bus"][0] == "ok"
    assert _fixes(result.stdout) == [
        "fix: notification server: install and start a notification daemon, "
        "e.g. `sudo apt install dunst` (or your desktop's)"
    ]
    data = json.loads(_doctor(bare_desktop.env, as_json=True).stdout)
    assert data["ok"] is False


@pytest.mark.desktop
def test_no_tray_host(bare_desktop: Desktop) -> None:
    """Without a tray the reminders are still answered on their buttons: a warning, not a
    failure, with the fix."""
    bare_desktop.start_notification_server()  # dunst lists actions
    result = _doctor(bare_desktop.env)
    assert result.returncode == 0, result.stdout
    rows = _table(result.stdout)
    status, detail = rows["tray"]
    assert status == "warn"
    assert detail.startswith("no system tray found")
    assert detail.endswith("; the reminders carry their own buttons"), detail
    assert rows["notification server"][0] == "ok"
    (fix,) = _fixes(result.stdout)
    assert fix.startswith("fix: tray: ")
    assert "AppIndicator and KStatusNotifierItem Support extension" in fix
    assert "(gnome-shell-extension-appindicator) and log in again" in fix
    assert result.stdout.rstrip().endswith("everything needed works")
    # Reminders sent through plyer have no buttons: then the tray is needed.
    plyer = _doctor({**bare_desktop.env, "MICROBREAK_NOTIFICATIONS_BACKEND": "plyer"})
    assert plyer.returncode == 1, plyer.stdout
    rows = _table(plyer.stdout)
    assert rows["tray"][0] == "FAIL"
    assert rows["notification path"][1].startswith("plyer "), rows["notification path"]


@pytest.mark.desktop
def test_no_tray_and_no_buttons_is_a_needed_failure(
    bare_desktop: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the reminders have no buttons, the tray is the one place to answer them."""
    for key, value in bare_desktop.env.items():  # the tray probe reads the process's own
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(doctor, "_buttons", lambda env: None)
    check = doctor.check_tray()
    assert check.status == "FAIL" and check.needed, check
    assert check.detail.startswith("no system tray found"), check


@pytest.mark.desktop
def test_do_not_disturb_is_reported(desktop: Desktop) -> None:
    """A forgotten do-not-disturb holds and drops every reminder: doctor says so."""
    assert _table(_doctor(desktop.env).stdout)["do not disturb"] == ("info", "off")
    paused = desktop.run(["dunstctl", "set-paused", "true"])
    assert paused.returncode == 0, paused.stderr
    result = _doctor(desktop.env)
    assert result.returncode == 0, result.stdout  # not needed: reminders come once it is off
    assert _table(result.stdout)["do not disturb"] == (
        "warn",
        "notifications paused: reminders are held, and dropped after max_postpone",
    )
    assert _fixes(result.stdout) == [
        "fix: do not disturb: turn do not disturb off to get your reminders"
    ]
    # As the daemon: not asked when the config says so, nor when the override leaves it out.
    config = desktop.home / "quiet.toml"
    config.write_text("[do_not_disturb]\ndesktop = false\n")
    said = _table(_doctor(desktop.env, config=str(config)).stdout)["do not disturb"]
    assert said == ("info", "not asked ([do_not_disturb] desktop = false)")
    only = {**desktop.env, "MICROBREAK_DO_NOT_DISTURB_BACKEND": "fullscreen"}
    assert _table(_doctor(only).stdout)["do not disturb"] == ("info", "off")


@pytest.mark.desktop
def test_a_display_that_is_not_there_gets_the_display_fix(bare_desktop: Desktop) -> None:
    """Neither a tray extension nor a panel helps when $DISPLAY points at nothing."""
    bare_desktop.start_notification_server()
    env = {**bare_desktop.env, "DISPLAY": ":97", "XDG_CURRENT_DESKTOP": "GNOME"}
    result = _doctor(env)
    rows = _table(result.stdout)
    assert "cannot open display :97" in rows["tray"][1]
    fixes = dict(line.split(": ", 2)[1:] for line in _fixes(result.stdout))
    said = (
        "$DISPLAY names a display that is not there: run microbreak inside your desktop "
        "session, or set DISPLAY to the value `echo $DISPLAY` prints in a terminal there"
    )
    assert fixes["tray"] == said
    assert fixes["idle detection"] == said


@pytest.mark.desktop
@pytest.mark.parametrize("address", [None, "disabled:"], ids=["unset", "disabled"])
def test_no_session_bus(desktop: Desktop, address: str | None) -> None:
    env = dict(desktop.env)
    env.pop("DBUS_SESSION_BUS_ADDRESS")
    if address is not None:
        env["DBUS_SESSION_BUS_ADDRESS"] = address
    result = _doctor(env)
    assert result.returncode == 1, result.stdout
    rows = _table(result.stdout)
    assert rows["session bus"][0] == "FAIL"
    assert rows["notification server"][0] == "FAIL"
    assert rows["notification server"][1].startswith("cannot ask")
    fixes = _fixes(result.stdout)
    assert fixes[0] == (
        "fix: session bus: start a D-Bus session bus (log in to a desktop session; "
        "or `dbus-run-session -- microbreak`)"
    )
    assert fixes[1] == "fix: notification server: fix the D-Bus session bus first (see its line)"
    assert rows["tray"][0] == "ok"  # the XEmbed tray needs no bus
    # The server's do-not-disturb could not be asked: doctor does not say "off".
    unasked = "no D-Bus session bus" if address is None else "the session bus cannot be reached"
    assert rows["do not disturb"] == ("info", f"cannot tell: {unasked}")


@pytest.mark.desktop
@pytest.mark.parametrize("how", ["env", "option"])
def test_broken_config(desktop: Desktop, tmp_path: Path, how: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('min_interval = "30m"\nmax_interval = \n')
    env = dict(desktop.env)
    if how == "env":
        env["MICROBREAK_CONFIG"] = str(bad)
    check = subprocess.run(
        [sys.executable, "-m", "microbreak", "config", "check", "--config", str(bad)],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    (message,) = check.stderr.splitlines()  # the CLI's own one-line error
    result = _doctor(env, config=str(bad) if how == "option" else None)
    assert result.returncode == 1, result.stdout
    rows = _table(result.stdout)
    assert rows["config"] == ("FAIL", f"{bad}: 1 problem")
    assert _fixes(result.stdout) == [f"fix: config: {message.removeprefix('microbreak: ')}"]
    assert "TOML syntax error" in message


@pytest.mark.desktop
@pytest.mark.skipif(
    "system_files" not in Loaded.__dataclass_fields__, reason="no system-wide config layer"
)
def test_config_names_every_file_read(bare_desktop: Desktop, tmp_path: Path) -> None:
    system = tmp_path / "xdg" / "microbreak" / "config.toml"
    system.parent.mkdir(parents=True)
    system.write_text('min_interval = "40m"\n')
    user = Path(bare_desktop.env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('max_interval = "50m"\n')
    env = {**bare_desktop.env, "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}
    env["MICROBREAK_NATURAL_BREAK"] = "10m"
    rows = _table(_doctor(env).stdout)
    assert rows["config"] == (
        "ok",
        f"{user}: valid; under system-wide {system}; overridden by MICROBREAK_NATURAL_BREAK",
    )


@pytest.mark.desktop
def test_autostart_state_is_reported(bare_desktop: Desktop) -> None:
    env = bare_desktop.env
    before = _table(_doctor(env).stdout)["autostart"]
    assert before[0] == "info" and before[1].startswith("off (`microbreak autostart enable`")
    enable = subprocess.run(
        [sys.executable, "-m", "microbreak", "autostart", "enable"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert enable.returncode == 0, enable.stderr
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "microbreak.desktop"
    assert entry.is_file()
    after = _table(_doctor(env).stdout)["autostart"]
    assert after == ("info", f"enabled: XDG autostart entry: {entry}")


# --- pure parts -----------------------------------------------------------------------------------


def test_a_check_that_raises_becomes_a_failed_check() -> None:
    def broken() -> Check:
        raise RuntimeError("boom\nsecond line")

    check = doctor._safely("tray", True, broken)
    assert check == Check(
        "tray",
        False,
        "the check itself failed: RuntimeError: boom",
        "please report this line in a bug report",
        True,
    )
    assert doctor._safely("idle detection", False, broken).status == "warn"


def test_render_aligns_and_lists_one_fix_line_each() -> None:
    checks = [
        Check("session bus", True, "up"),
        Check("config", False, "/c.toml: 2 problems", "/c.toml: a: bad\n/c.toml: b: bad"),
        Check("idle detection", False, "none", "natural breaks stay off", needed=False),
        Check("autostart", True, "off", needed=False, info=True),
    ]
    text = doctor.render(checks)
    lines = text.splitlines()
    header = lines.index("check           status  detail")
    assert lines[header + 2 : header + 6] == [
        "session bus     ok      up",
        "config          FAIL    /c.toml: 2 problems",
        "idle detection  warn    none",
        "autostart       info    off",
    ]
    assert [line for line in lines if line.startswith("fix:")] == [
        "fix: config: /c.toml: a: bad",
        "fix: config: /c.toml: b: bad",
        "fix: idle detection: natural breaks stay off",
    ]
    assert lines[-1] == "1 needed check failed"
    assert not doctor.passed(checks)
    assert doctor.passed([c for c in checks if c.name != "config"])


def test_notify_send_fallback_is_a_needed_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    class NotifySendNotification:
        pass

    monkeypatch.setattr(
        doctor, "_plyer_backend", lambda: (NotifySendNotification(), ["no dbus-python"])
    )
    check = doctor.check_notification_path()
    assert not check.ok and check.needed
    assert "notify-send" in check.detail and "no icon" in check.detail
    assert check.fix == doctor.DBUS_PYTHON_FIX


def test_idle_on_wayland_without_gnome_explains_natural_breaks_are_off() -> None:
    check = doctor.check_idle({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"})
    assert check.status == "warn" and not check.needed
    assert "the X11 counter is not used on Wayland" in check.detail
    assert check.fix is not None and "natural breaks" in check.fix


class _FakeBus:
    """Stands in for ``Bus``: no owner before the call, then ``answer`` (or raises it)."""

    address = "unix:path=/fake,guid=123"

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.closed = False

    def has_owner(self, service: str) -> bool:
        return False

    def call(self, *args: object, **kwargs: object) -> object:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("answer", "status", "detail", "fix"),
    [
        (
            ("dunst", "knopwob", "1.9.0", "1.2"),
            "ok",
            "dunst 1.9.0 by knopwob, spec 1.2 (activated",
            None,
        ),
        (
            BusError("x", "org.freedesktop.DBus.Error.Spawn.ChildExited"),
            "FAIL",
            "starting a",
            doctor.ACTIVATION_FIX,  # installed, but it could not start: not "install one"
        ),
        (
            BusError("x", "org.freedesktop.DBus.Error.ServiceUnknown"),
            "FAIL",
            "none: nobody",
            doctor.SERVER_FIX,
        ),
    ],
    ids=["activated", "activation-failed", "missing"],
)
def test_notification_server_started_on_demand(
    monkeypatch: pytest.MonkeyPatch, answer: object, status: str, detail: str, fix: str | None
) -> None:
    bus = _FakeBus(answer)
    monkeypatch.setattr(Bus, "session", classmethod(lambda cls, env=None: bus))
    check = doctor.check_notification_server({})
    assert check.status == status and check.detail.startswith(detail), check
    assert check.fix == fix
    assert bus.closed


@pytest.mark.parametrize("installed", [True, False])
def test_on_gnome_the_tray_fix_enables_an_installed_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    """Debian's package installs the extension but does not enable it: "install" is no fix."""
    data = tmp_path / "share"
    if installed:
        extension = data / "gnome-shell" / "extensions" / "ubuntu-appindicators@ubuntu.com"
        extension.mkdir(parents=True)
        (extension / "metadata.json").write_text("{}")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    monkeypatch.setenv("XDG_DATA_DIRS", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-share"))
    reason = "no system tray found: neither a StatusNotifier host nor an XEmbed tray is running"
    fix = doctor._tray_fix(reason, False)
    if installed:
        assert fix.startswith("enable the AppIndicator extension, which is installed")
        assert "`gnome-extensions enable ubuntu-appindicators@ubuntu.com`" in fix
        assert fix.endswith("then restart microbreak (it looks for a tray as it starts)")
    else:
        assert fix == doctor.GNOME_FIX


def test_gnomes_do_not_disturb_is_reported_on_gnome_only() -> None:
    """GNOME's switch is its show-banners setting (here in GSettings' memory backend); read on
    another desktop it would be some old GNOME session's, so it is not asked there."""
    code = (
        "from gi.repository import Gio\n"
        "Gio.Settings.new('org.gnome.desktop.notifications').set_boolean('show-banners', False)\n"
        "from microbreak.usecases.doctor import check_do_not_disturb\n"
        "for desktop in ('ubuntu:GNOME', 'XFCE'):\n"
        "    check = check_do_not_disturb({'XDG_CURRENT_DESKTOP': desktop})\n"
        "    print(check.status, check.detail, sep=': ')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "GSETTINGS_BACKEND": "memory", "LANGUAGE": "en"},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert result.stdout.splitlines() == [
        "warn: do not disturb is on: reminders are held, and dropped after max_postpone",
        "info: cannot tell: no D-Bus session bus",  # nor GNOME's setting: not asked elsewhere
    ], result.stdout + result.stderr
