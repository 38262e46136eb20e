"""Autostart on Linux, for real, in a throw-away home: valid files, idempotent, tidy removal."""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from microbreak.cli import main
from microbreak.usecases import autostart

ICON = (Path(__file__).parents[1] / "assets" / "microbreak.png").resolve()


def run(args: list[str]) -> int:
    """``microbreak autostart ARGS``, ended as the console script ends it (``--help`` and a
    usage mistake exit through ``SystemExit``)."""
    try:
        return main(["autostart", *args])
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1


class Systemctl:
    """Stands in for ``systemctl --user``: the tests never touch the real user manager."""

    def __init__(self) -> None:
        self.available = False
        self.calls: list[tuple[str, ...]] = []

    def run(self, *args: str) -> tuple[bool, str]:
        self.calls.append(args)
        return True, ""


@pytest.fixture
def systemctl(monkeypatch: pytest.MonkeyPatch) -> Systemctl:
    fake = Systemctl()
    monkeypatch.setattr(autostart, "_systemctl", fake.run)
    monkeypatch.setattr(autostart, "_user_systemd", lambda: fake.available)
    return fake


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, systemctl: Systemctl) -> Path:
    """A fresh HOME and XDG_CONFIG_HOME, on Linux whatever the host."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setattr(autostart, "_system", lambda: "linux")
    return home


def desktop_file(home: Path) -> Path:
    return home / "config" / "autostart" / "microbreak.desktop"


def unit_file(home: Path) -> Path:
    return home / "config" / "systemd" / "user" / "microbreak.service"


def keys(path: Path) -> dict[str, str]:
    """The ``key=value`` lines of a desktop entry or unit (one group each here)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs if not key.startswith("#")}


def everything(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())


def require(tool: str) -> str:
    """Skip without ``tool`` on a developer machine; in CI a missing tool is a failure."""
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} is not installed (Debian: apt-get install desktop-file-utils)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def validate_desktop_file(path: Path) -> None:
    result = subprocess.run(
        [require("desktop-file-validate"), str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout  # not even a hint


def executable(path: str) -> bool:
    return os.path.isabs(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def test_enable_writes_a_valid_autostart_entry(home: Path) -> None:
    assert autostart.enable() == [desktop_file(home)]
    path = desktop_file(home)
    validate_desktop_file(path)
    entry = keys(path)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "microbreak"
    assert entry["Comment"]
    assert entry["Terminal"] == "false"
    assert entry["Categories"] == "Utility;"
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert entry["X-Microbreak-Managed"] == "true"
    assert entry["Icon"] == str(ICON) and ICON.is_file()
    program, *args = shlex.split(entry["Exec"])
    assert executable(program), program
    assert args[-1] == "run"
    assert Path(program).parent == Path(sys.executable).absolute().parent
    assert everything(home) == [path]


def test_enable_twice_changes_nothing(home: Path) -> None:
    first = autostart.enable()
    content = desktop_file(home).read_bytes()
    assert autostart.enable() == first
    assert desktop_file(home).read_bytes() == content
    assert everything(home) == [desktop_file(home)]


def test_a_stale_entry_of_ours_is_updated(home: Path) -> None:
    path = desktop_file(home)
    path.parent.mkdir(parents=True)
    path.write_text("[Desktop Entry]\nType=Application\nName=old\nExec=/gone/microbreak\n")
    path.write_text(path.read_text() + "X-Microbreak-Managed=true\n")
    assert autostart.status().entries[0].current is False
    assert autostart.enable() == [path]
    validate_desktop_file(path)
    assert autostart.status().entries[0].current is True


def test_without_a_console_script_it_runs_the_module(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_which = shutil.which

    def which(name: str, mode: int = os.F_OK | os.X_OK, path: str | None = None) -> str | None:
        return None if name == "microbreak" else real_which(name, mode, path)

    monkeypatch.setattr(shutil, "which", which)
    autostart.enable()
    validate_desktop_file(desktop_file(home))
    program, *args = shlex.split(keys(desktop_file(home))["Exec"])
    assert executable(program)
    assert args == ["-m", "microbreak", "run"]


def test_a_path_with_spaces_is_quoted(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = home / "my tools" / "100%" / "microbreak"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(autostart, "command", lambda: [str(program), "run"])
    autostart.enable()
    validate_desktop_file(desktop_file(home))
    quoted = '"' + str(program).replace("%", "%%") + '" run'
    assert keys(desktop_file(home))["Exec"] == quoted
    autostart.enable(systemd=True)
    assert keys(unit_file(home))["ExecStart"] == quoted
    verify_unit(home)


def verify_unit(home: Path) -> None:
    """``systemd-analyze --user verify``, when systemd is installed (it is optional)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    result = subprocess.run(
        [analyze, "--user", "verify", str(unit_file(home))], capture_output=True, text=True, env=env
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "microbreak.service:" not in output, output


def test_systemd_unit(home: Path, systemctl: Systemctl) -> None:
    assert autostart.enable(systemd=True) == [unit_file(home)]
    unit = keys(unit_file(home))
    assert unit["Type"] == "simple"
    assert unit["Restart"] == "on-failure"
    assert unit["PartOf"] == "graphical-session.target"
    assert unit["WantedBy"] == "graphical-session.target"
    assert unit["X-Microbreak-Managed"] == "true"
    assert "systemctl --user enable --now microbreak.service" in unit_file(home).read_text()
    program, *_ = shlex.split(unit["ExecStart"])
    assert executable(program), program
    verify_unit(home)
    assert systemctl.calls == []  # no user manager: the file only
    # One way to start at a time: the unit replaces an XDG entry of ours, and back again.
    assert everything(home / "config") == [unit_file(home)]
    autostart.enable()
    assert everything(home / "config") == [desktop_file(home)]


def test_systemd_is_enabled_when_a_user_manager_answers(home: Path, systemctl: Systemctl) -> None:
    systemctl.available = True
    autostart.enable(systemd=True)
    assert systemctl.calls == [("daemon-reload",), ("enable", "microbreak.service")]
    systemctl.calls.clear()
    autostart.disable()
    assert systemctl.calls == [("disable", "microbreak.service"), ("daemon-reload",)]


def test_doctor_warns_of_a_unit_nothing_enabled(home: Path, systemctl: Systemctl) -> None:
    """doctor says what ``autostart status`` says: a unit file alone starts nothing."""
    from microbreak.usecases.doctor import check_autostart

    assert autostart.enable(systemd=True) == [unit_file(home)]  # no user manager answers
    check = check_autostart()
    assert (check.ok, check.status, check.fix) == (False, "warn", None)
    assert check.detail == (
        f"systemd user unit: {unit_file(home)}: unit file written; no systemd user manager "
        "answers here, so it is not enabled (to enable it: "
        "systemctl --user enable --now microbreak.service)"
    )
    wants = unit_file(home).parent / "graphical-session.target.wants"
    wants.mkdir()
    (wants / "microbreak.service").symlink_to(unit_file(home))
    check = check_autostart()
    assert (check.ok, check.status) == (True, "info")
    assert check.detail == f"enabled: systemd user unit: {unit_file(home)}"


def test_status_says_a_unit_no_user_manager_enabled_is_not_enabled(
    home: Path, systemctl: Systemctl, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["enable", "--systemd"]) == 0  # no user manager answers: the file only
    capsys.readouterr()
    assert not autostart.status().enabled
    assert run(["status"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        f"systemd user unit: {unit_file(home)}: unit file written; no systemd user manager "
        "answers here, so it is not enabled (to enable it: "
        "systemctl --user enable --now microbreak.service)"
    )
    systemctl.available = True  # a manager answers, but nobody ran `systemctl --user enable`
    assert autostart.describe(autostart.status())[1].endswith(
        ": unit file written; not enabled (to enable it: "
        "systemctl --user enable --now microbreak.service)"
    )
    # The link `systemctl --user enable` makes is what enables it.
    wants = unit_file(home).parent / "graphical-session.target.wants"
    wants.mkdir()
    (wants / "microbreak.service").symlink_to(unit_file(home))
    assert autostart.status().enabled
    assert run(["status"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        f"systemd user unit: {unit_file(home)}: enabled"
    )


def test_enable_again_enables_a_unit_written_when_no_manager_answered(
    home: Path, systemctl: Systemctl
) -> None:
    autostart.enable(systemd=True)
    assert systemctl.calls == []
    systemctl.available = True
    said: list[str] = []
    assert autostart.enable(systemd=True, say=said.append) == [unit_file(home)]
    assert said[0] == f"already written: systemd user unit: {unit_file(home)}"
    assert systemctl.calls == [("daemon-reload",), ("enable", "microbreak.service")]


def test_disable_removes_exactly_what_enable_added(home: Path) -> None:
    before = everything(home)
    added = autostart.enable()
    assert autostart.disable() == added
    assert everything(home) == before
    assert autostart.disable() == []


def test_disable_removes_the_link_systemctl_enable_made(home: Path) -> None:
    autostart.enable(systemd=True)
    wants = unit_file(home).parent / "graphical-session.target.wants"
    wants.mkdir()
    (wants / "microbreak.service").symlink_to(unit_file(home))
    assert autostart.disable() == [unit_file(home), wants / "microbreak.service"]
    assert everything(home) == []


def test_a_file_the_user_made_is_left_alone(home: Path) -> None:
    path = desktop_file(home)
    path.parent.mkdir(parents=True)
    mine = "[Desktop Entry]\nType=Application\nName=my microbreak\nExec=microbreak --verbose\n"
    path.write_text(mine)
    said: list[str] = []
    assert autostart.enable(say=said.append) == []
    assert autostart.disable(say=said.append) == []
    assert path.read_text() == mine
    assert said[0].startswith(f"left alone: {path} exists but was not written by microbreak")
    assert said[1] == f"left alone: {path} was not written by microbreak (remove it yourself)"
    [entry, _] = autostart.status().entries
    assert (entry.exists, entry.ours, entry.current) == (True, False, False)
    assert run(["enable"]) == 1  # it enabled nothing: not a success


def test_status_before_and_after(home: Path) -> None:
    before = autostart.status()
    assert not before.enabled
    assert [(e.kind, e.path, e.exists) for e in before.entries] == [
        ("xdg", desktop_file(home), False),
        ("systemd", unit_file(home), False),
    ]
    autostart.enable()
    after = autostart.status()
    assert after.enabled
    xdg, systemd = after.entries
    assert (xdg.exists, xdg.ours, xdg.current) == (True, True, True)
    assert not systemd.exists
    autostart.disable()
    assert autostart.status() == before


def test_xdg_config_home_defaults_to_dot_config(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert autostart.enable() == [home / ".config" / "autostart" / "microbreak.desktop"]


def test_the_command_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["status"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"XDG autostart entry: {desktop_file(home)}: not there",
        f"systemd user unit: {unit_file(home)}: not there",
    ]
    assert run(["enable"]) == 0
    assert capsys.readouterr().out == f"wrote XDG autostart entry: {desktop_file(home)}\n"
    assert run(["enable"]) == 0
    assert capsys.readouterr().out == (
        f"already enabled: XDG autostart entry: {desktop_file(home)}\n"
    )
    assert run(["status"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(": enabled")
    assert run(["enable", "--systemd"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"removed XDG autostart entry: {desktop_file(home)} (only one way to start at a time)",
        f"wrote systemd user unit: {unit_file(home)}",
        "  no systemd user manager answers here; to use the unit run: "
        "systemctl --user enable --now microbreak.service",
    ]
    assert run(["disable"]) == 0
    assert capsys.readouterr().out == f"removed systemd user unit: {unit_file(home)}\n"
    assert run(["disable"]) == 0
    assert capsys.readouterr().out == "autostart is not enabled; nothing to remove\n"


@pytest.mark.parametrize(
    ("args", "message", "command"),
    [
        ([], "the following arguments are required: ACTION", "autostart"),
        (["enable", "--user"], "unrecognized arguments: --user", "autostart enable"),
        (["start"], "invalid choice: 'start'", "autostart"),
        (["disable", "--systemd"], "unrecognized arguments: --systemd", "autostart disable"),
    ],
)
def test_usage_mistakes_are_one_line_and_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str, command: str
) -> None:
    assert run(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert message in err
    assert err.endswith(f"(see `microbreak {command} --help`)\n")  # the help that says more


@pytest.mark.parametrize("option", [["--no-tray"], ["--config", "elsewhere.toml"]])
def test_an_option_of_run_is_refused_not_dropped(
    home: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    """The entry starts `microbreak run` as is: an option meant for it would be lost silently."""
    with pytest.raises(SystemExit) as mistake:
        main([*option, "autostart", "enable"])
    assert mistake.value.code == 2
    assert "--config and --no-tray do not apply" in capsys.readouterr().err
    assert not desktop_file(home).exists()


@pytest.mark.parametrize("before", [["--verbose"], ["-v", "-v"]])
def test_an_option_before_autostart_changes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], before: list[str]
) -> None:
    """The same command, not a daemon started: ``autostart`` is a command like the others."""
    assert main([*before, "autostart", "status"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(": not there")
    with pytest.raises(SystemExit) as mistake:
        main([*before, "autostart"])
    assert mistake.value.code == 2
    assert "the following arguments are required: ACTION" in capsys.readouterr().err


def test_help_exits_0(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "enable" in capsys.readouterr().out


def test_macos_launch_agent(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autostart, "_system", lambda: "darwin")
    path = home / "Library" / "LaunchAgents" / "io.github.microbreak.plist"
    assert autostart.enable() == [path]
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "io.github.microbreak"
    assert agent["RunAtLoad"] is True
    assert agent["ProgramArguments"] == autostart.command()
    assert autostart.enable() == [path]
    assert run(["enable", "--systemd"]) == 2
    assert autostart.disable() == [path]
    assert everything(home) == []


def test_windows_startup_script(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autostart, "_system", lambda: "win32")
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    startup = home / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    path = startup / "Startup" / "microbreak.cmd"
    assert autostart.enable() == [path]
    script = path.read_bytes()
    assert script.endswith(b"\r\n") and b"\nrem X-Microbreak-Managed=true\r\n" in script
    assert b'start "" /min "' in script
    assert autostart.disable() == [path]
    assert everything(home) == []
