"""Start microbreak at login: an XDG autostart entry or a systemd user unit, a Startup-folder
script on Windows, a LaunchAgent on macOS.

Every file we write carries the marker ``X-Microbreak-Managed=true``, so ``disable`` leaves a
file the user made alone. Enabling one mechanism removes our other one: with both, the daemon
would start twice.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..errors import EXIT_USAGE, MicrobreakError
from ..i18n import N_, _
from ..paths import package_assets, write_whole

log = logging.getLogger(__name__)

MARKER_KEY = "X-Microbreak-Managed"
MARKER = f"{MARKER_KEY}=true"
SERVICE = "microbreak.service"
LAUNCH_AGENT = "io.github.microbreak"
ENABLE_HINT = f"systemctl --user enable --now {SERVICE}"
WRITTEN = "Written by `microbreak autostart enable`; `microbreak autostart disable` removes it."

Say = Callable[[str], None]


class AutostartError(MicrobreakError):
    """A request this platform cannot honour, such as ``--systemd`` on Windows."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True, slots=True)
class Entry:
    """One autostart file microbreak knows about, as found on disk."""

    kind: str  # "xdg", "systemd", "startup" (Windows) or "launch-agent" (macOS)
    label: str  # for people: "XDG autostart entry", ...
    path: Path
    exists: bool
    ours: bool  # it carries our marker
    current: bool  # ours and exactly what ``enable`` would write now
    linked: bool | None = None  # a systemd unit: whether `systemctl enable` linked it


@dataclass(frozen=True, slots=True)
class AutostartStatus:
    """Every autostart file this platform could have, whether or not it is there."""

    entries: tuple[Entry, ...]
    #: Whether a systemd user manager answers; asked only about a unit of ours left unlinked.
    systemd_manager: bool | None = None

    @property
    def starting(self) -> Entry | None:
        """Our own entry that starts microbreak at login (current or not); a systemd unit does
        only once ``systemctl --user enable`` linked it."""
        return next(
            (e for e in self.entries if e.exists and e.ours and e.linked is not False), None
        )

    @property
    def enabled(self) -> bool:
        """Whether anything of ours starts microbreak at login."""
        return self.starting is not None


@dataclass(frozen=True, slots=True)
class _Target:
    """A file ``enable`` can write: where, with what bytes, and how to recognise our own."""

    kind: str
    label: str
    path: Path
    content: bytes
    is_ours: Callable[[bytes], bool]


def command() -> list[str]:
    """How a login starts microbreak: the console script next to this interpreter, else ``-m``."""
    interpreter = Path(sys.executable).absolute()  # not resolved: a venv's python is a symlink
    script = shutil.which("microbreak", path=str(interpreter.parent))
    if script:
        return [str(Path(script).absolute()), "run"]
    return [str(interpreter), "-m", "microbreak", "run"]


def _has_marker_line(data: bytes) -> bool:
    """Our text files hold the marker on a line of its own (after ``rem`` in a .cmd file)."""
    pattern = rb"^[ \t]*(?:rem[ \t]+)?" + re.escape(MARKER.encode()) + rb"[ \t]*\r?$"
    return re.search(pattern, data, re.MULTILINE | re.IGNORECASE) is not None


def _xdg_config_home() -> Path:
    """``$XDG_CONFIG_HOME`` or ``~/.config``."""
    return _absolute(platformdirs.user_config_path(), ".config")


def _absolute(base: Path, default: str) -> Path:
    """An XDG base directory: a relative value is invalid per the XDG spec (``default`` then)."""
    return base if base.is_absolute() else Path.home() / default


def _desktop_quote(arg: str) -> str:
    """Quote one Exec argument per the Desktop Entry spec (quoting, then string escapes)."""
    if arg and not re.search(r"""[\s"'\\><~|&;$*?#()`]""", arg):
        quoted = arg
    else:
        quoted = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return quoted.replace("\\", "\\\\").replace("%", "%%")


def _desktop_entry(header: str, extra: str) -> bytes:
    """A Desktop Entry that starts the daemon; ``extra`` holds the lines of its one use."""
    exec_line = " ".join(_desktop_quote(arg) for arg in command())
    icon = (package_assets() / "microbreak.png").resolve()
    text = (
        f"{header}\n"
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=microbreak\n"
        "GenericName=Break reminder\n"
        "Comment=A short exercise for the upper back, neck and shoulders every 30 to 60 minutes\n"
        f"Exec={exec_line}\n"
        f"Icon={icon}\n"
        "Terminal=false\n"
        "Categories=Utility;\n"
        f"{extra}"
        f"{MARKER}\n"
    )
    return text.encode()


def _xdg_autostart() -> _Target:
    content = _desktop_entry(f"# {WRITTEN}", "X-GNOME-Autostart-enabled=true\n")
    path = _xdg_config_home() / "autostart" / "microbreak.desktop"
    return _Target("xdg", N_("XDG autostart entry"), path, content, _has_marker_line)


def _systemd_quote(arg: str) -> str:
    """Quote one ExecStart argument: systemd splits on spaces and expands ``%`` and ``$``."""
    escaped = arg.replace("%", "%%").replace("$", "$$")
    if escaped and not re.search(r"""[\s"'\\;]""", escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _systemd_unit() -> _Target:
    exec_start = " ".join(_systemd_quote(arg) for arg in command())
    text = (
        "# Written by `microbreak autostart enable --systemd`; "
        "`microbreak autostart disable` removes it.\n"
        f"# Start it with every graphical login: {ENABLE_HINT}\n"
        "[Unit]\n"
        "Description=microbreak break reminder\n"
        "PartOf=graphical-session.target\n"
        "After=graphical-session.target\n"
        f"{MARKER}\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={exec_start}\n"
        "Restart=on-failure\n"
        "RestartSec=10\n"
        "# Exit code 2 is a config or usage mistake: restarting cannot fix it.\n"
        "RestartPreventExitStatus=2\n"
        "\n"
        "[Install]\n"
        "WantedBy=graphical-session.target\n"
    )
    path = _xdg_config_home() / "systemd" / "user" / SERVICE
    return _Target("systemd", N_("systemd user unit"), path, text.encode(), _has_marker_line)


def _windows_startup() -> _Target:
    appdata = os.environ.get("APPDATA")
    roaming = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
    folder = roaming / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
    windowless = Path(sys.executable).absolute().with_name("pythonw.exe")
    args = [str(windowless), "-m", "microbreak", "run"] if windowless.is_file() else command()
    quoted = " ".join('"' + arg.replace("%", "%%") + '"' for arg in args)
    lines = [
        "@echo off",
        f"rem {WRITTEN}",
        f"rem {MARKER}",
        f'start "" /min {quoted}',
    ]
    text = "\r\n".join(lines) + "\r\n"
    path = folder / "microbreak.cmd"
    return _Target("startup", N_("Startup folder script"), path, text.encode(), _has_marker_line)


def _macos_launch_agent() -> _Target:
    import plistlib  # macOS only; the daemon elsewhere need not hold it

    agent = {
        "Label": LAUNCH_AGENT,
        "ProgramArguments": command(),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Interactive",
        MARKER_KEY: True,
    }
    path = Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"
    return _Target("launch-agent", N_("LaunchAgent"), path, plistlib.dumps(agent), _plist_is_ours)


def _plist_is_ours(data: bytes) -> bool:
    import plistlib

    try:
        loaded = plistlib.loads(data)
    except Exception:  # plistlib raises several kinds for a damaged file; not ours either way
        return False
    return isinstance(loaded, dict) and loaded.get(MARKER_KEY) is True


def _system() -> str:
    """The platform, read at run time (a seam for the tests)."""
    return sys.platform


def _targets() -> list[_Target]:
    """The files this platform may use, the default mechanism first."""
    system = _system()
    if system == "win32":
        return [_windows_startup()]
    if system == "darwin":
        return [_macos_launch_agent()]
    return [_xdg_autostart(), _systemd_unit()]


# --- the application entry that names our notifications -----------------------------------------


def app_entry_path() -> Path:
    """``$XDG_DATA_HOME/applications/microbreak.desktop``, the basename of the notifications'
    ``desktop-entry`` hint."""
    base = _absolute(platformdirs.user_data_path(), ".local/share")
    return base / "applications" / "microbreak.desktop"


def app_entry() -> bytes:
    """The application entry: GNOME and KDE name our notifications after it, show its icon,
    group them and let the user mute them in their settings."""
    header = "# Written by microbreak so that the desktop names its notifications."
    return _desktop_entry(header, "X-GNOME-UsesNotifications=true\n")


def install_app_entry() -> str | None:
    """Write the application entry if missing or out of date (but not over a file the user
    made); what was done, for the log, or None when it was up to date."""
    path, content = app_entry_path(), app_entry()
    data = _read(path)
    if data == content:
        return None
    if data is not None and not _has_marker_line(data):
        return _("left alone: {path} was not written by microbreak").format(path=path)
    _write(path, content)
    if data is not None:
        return _("updated the application entry: {path}").format(path=path)
    return _("wrote the application entry: {path}").format(path=path)


# --- systemd, best effort ----------------------------------------------------------------------


def _systemctl(*args: str) -> tuple[bool, str]:
    """Run ``systemctl --user ARGS``; (succeeded, first line of its output)."""
    try:
        done = subprocess.run(
            ["systemctl", "--user", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=15,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    lines = (done.stderr.strip() or done.stdout.strip()).splitlines()
    return done.returncode == 0, lines[0] if lines else ""


def _user_systemd() -> bool:
    """True when a systemd user manager answers (not in most containers or over plain SSH; no
    systemctl at all is a failed run too)."""
    return _systemctl("show-environment")[0]


def _linked(unit: Path) -> Path | None:
    """The link ``systemctl --user enable`` made to the unit, read from disk; None: not linked."""
    link = unit.parent / "graphical-session.target.wants" / SERVICE
    if link.is_symlink() and Path(os.path.realpath(link)) == Path(os.path.realpath(unit)):
        return link
    return None


def _after_unit_written(say: Say) -> None:
    if not _user_systemd():
        say(f"  no systemd user manager answers here; to use the unit run: {ENABLE_HINT}")
        return
    for args in (("daemon-reload",), ("enable", SERVICE)):
        ok, detail = _systemctl(*args)
        run = "systemctl --user " + " ".join(args)
        say(f"  ran: {run}" if ok else f"  {run} failed ({detail}); run it yourself")
        if not ok:
            return
    say(f"  starts with your next login (now: systemctl --user start {SERVICE})")


def _write(path: Path, content: bytes) -> None:
    """Write atomically, so a crash never leaves half an autostart file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, content)


def _remove(target: _Target, say: Say, why: str = "") -> list[Path]:
    """Remove our file. A unit is disabled first: by systemctl when it answers, and its link
    removed by hand if it is still there."""
    removed = [target.path]
    unit = target.kind == "systemd"
    manager = unit and _user_systemd()
    if manager:
        ok, detail = _systemctl("disable", SERVICE)
        said = _("ran: {command}") if ok else _("disable failed: {detail}")
        say("  " + said.format(command=f"systemctl --user disable {SERVICE}", detail=detail))
    link = _linked(target.path) if unit else None
    if link is not None:
        link.unlink()
        say(_("removed systemd link: {path}").format(path=link))
        removed.append(link)
    target.path.unlink()
    say(_("removed {kind}: {path}{why}").format(kind=_(target.label), path=target.path, why=why))
    if manager:
        _systemctl("daemon-reload")
    return removed


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def enable(*, systemd: bool = False, say: Say = log.info) -> list[Path]:
    """Put our autostart entry in place (with ``systemd``, a systemd user unit instead of the
    XDG autostart entry) and return its path; ``say`` narrates each step. A file of the same
    name that the user made is left alone and not returned."""
    targets = _targets()
    kinds = [target.kind for target in targets]
    if systemd and "systemd" not in kinds:
        raise AutostartError(_("--systemd is only for Linux with systemd"))
    wanted = "systemd" if systemd else kinds[0]
    done: list[Path] = []
    for target in targets:
        data = _read(target.path)
        if target.kind != wanted:
            if data is not None and target.is_ours(data):
                _remove(target, say, _(" (only one way to start at a time)"))
            continue
        where = {"kind": _(target.label), "path": target.path}
        if data == target.content and target.kind == "systemd" and _linked(target.path) is None:
            say(_("already written: {kind}: {path}").format(**where))
            _after_unit_written(say)
        elif data == target.content:
            say(_("already enabled: {kind}: {path}").format(**where))
        elif data is not None and not target.is_ours(data):
            left = _(
                "left alone: {path} exists but was not written by microbreak "
                "(delete it and run this again to replace it)"
            )
            say(left.format(**where))
            continue
        else:
            _write(target.path, target.content)
            said = _("updated {kind}: {path}") if data is not None else _("wrote {kind}: {path}")
            say(said.format(**where))
            if target.kind == "systemd":
                _after_unit_written(say)
        done.append(target.path)
    return done


def disable(*, say: Say = log.info) -> list[Path]:
    """Remove every autostart file we wrote and return their paths; leave the user's alone."""
    removed: list[Path] = []
    seen = False
    for target in _targets():
        data = _read(target.path)
        if data is None:
            continue
        seen = True
        if target.is_ours(data):
            removed += _remove(target, say)
        else:
            left = _("left alone: {path} was not written by microbreak (remove it yourself)")
            say(left.format(path=target.path))
    if not seen:
        say(_("autostart is not enabled; nothing to remove"))
    return removed


def status() -> AutostartStatus:
    """What is on disk now. systemd is asked only whether a user manager answers, and only
    when a unit of ours is there without the link ``systemctl --user enable`` makes."""
    entries = []
    for target in _targets():
        data = _read(target.path)
        ours = data is not None and target.is_ours(data)
        linked = _linked(target.path) is not None if target.kind == "systemd" and ours else None
        entries.append(
            Entry(
                kind=target.kind,
                label=target.label,
                path=target.path,
                exists=data is not None,
                ours=ours,
                current=ours and data == target.content,
                linked=linked,
            )
        )
    unlinked = any(e.linked is False for e in entries)
    return AutostartStatus(tuple(entries), _user_systemd() if unlinked else None)


def describe(found: AutostartStatus) -> list[str]:
    """One line per entry, for ``microbreak autostart status``: only what is true."""
    return [describe_entry(entry, found.systemd_manager) for entry in found.entries]


def describe_entry(entry: Entry, systemd_manager: bool | None) -> str:
    """``KIND: PATH: STATE`` for one entry (``systemd_manager``: ``AutostartStatus``'s)."""
    stale = _("out of date (run `microbreak autostart enable` again)")
    if not entry.exists:
        state = _("not there")
    elif not entry.ours:
        state = _("present, not written by microbreak (left alone)")
    elif entry.linked is False:
        why = _("not enabled")
        if systemd_manager is False:
            why = _("no systemd user manager answers here, so it is not enabled")
        state = _("unit file written; {why} (to enable it: {command})").format(
            why=why, command=ENABLE_HINT
        )
        state += "" if entry.current else f"; {stale}"
    elif entry.current:
        state = _("enabled")
    else:
        state = _("enabled, but {stale}").format(stale=stale)
    return f"{_(entry.label)}: {entry.path}: {state}"
