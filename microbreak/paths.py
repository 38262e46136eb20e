"""Where microbreak keeps its files: the platform's user dirs, via platformdirs."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import platformdirs

APP = "microbreak"
CONFIG_ENV = "MICROBREAK_CONFIG"


def user_config_file() -> Path:
    """The default config file, e.g. ``~/.config/microbreak/config.toml`` on Linux."""
    return platformdirs.user_config_path(APP, appauthor=False) / "config.toml"


def user_config_dir() -> Path:
    """The user config dir, e.g. ``~/.config/microbreak`` on Linux."""
    return platformdirs.user_config_path(APP, appauthor=False)


def site_config_dirs() -> list[Path]:
    """The system-wide config dirs, lowest priority first, e.g. ``[/etc/xdg/microbreak]``.

    On Linux they come from ``$XDG_CONFIG_DIRS`` (default ``/etc/xdg``), which lists the most
    important dir first; the list is turned round so that each dir overrides the ones before
    it, as the user's own dir then overrides them all. Relative entries are ignored (XDG spec).
    """
    joined = platformdirs.site_config_dir(APP, appauthor=False, multipath=True)
    dirs: list[Path] = []
    for part in joined.split(os.pathsep):
        path = Path(part)
        if part and path.is_absolute() and path not in dirs:
            dirs.append(path)
    return dirs[::-1]


def site_config_files() -> list[Path]:
    """The system-wide config files, lowest priority first: each dir's ``config.toml``."""
    return [d / "config.toml" for d in site_config_dirs()]


def config_file(explicit: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The config file to read and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env).expanduser(), True
    return user_config_file(), False


def log_dir() -> Path:
    """The user log dir, e.g. ``~/.local/state/microbreak/log`` on Linux."""
    return platformdirs.user_log_path(APP, appauthor=False)


def package_assets() -> Path:
    """The icons: packaged inside the wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "assets", here.parent / "assets"):
        if (candidate / "tray-running.png").is_file():
            return candidate
    return here.parent / "assets"


def example_config() -> Path | None:
    """``config.example.toml``: packaged with the wheel or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "config.example.toml", here.parent / "config.example.toml"):
        if candidate.is_file():
            return candidate
    return None


class UnsafeDirectory(RuntimeError):
    """A directory microbreak will not use because someone else could reach into it."""


def runtime_dir() -> Path:
    """Where the control socket and the instance lock live: private to this user.

    ``$XDG_RUNTIME_DIR/microbreak`` on Linux (a per-user tmpfs); elsewhere, or without it, a
    ``microbreak-<uid>`` directory in the temp dir. Created with mode 0700; a directory that
    another user owns, or that others can enter, is refused. On Windows (no socket there: the
    control channel is a named pipe, see ``control_address``) it holds the instance lock and
    the control key: ``%LOCALAPPDATA%\\Temp\\microbreak``, inside the user's profile, which
    the profile's ACL keeps to the user (and administrators).
    """
    if sys.platform == "win32":
        path = platformdirs.user_runtime_path(APP, appauthor=False)
        ensure_private_dir(path)
        return path
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        path = Path(base) / APP
    else:
        import tempfile

        path = Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}"
    ensure_private_dir(path)
    return path


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` mode 0700, or check that an existing one is ours and private.

    On Windows mode bits and uids mean nothing: the dir is created inside the user's profile
    (whose ACL it inherits), and only a link or junction in its place is refused.
    """
    import stat

    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeDirectory(f"{path} is not a directory; refusing to use it")
    if sys.platform == "win32":
        if info.st_file_attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT:
            raise UnsafeDirectory(f"{path} is a junction, not a directory; refusing to use it")
        return
    if info.st_uid != os.getuid():
        raise UnsafeDirectory(f"{path} belongs to another user (uid {info.st_uid}); refusing it")
    if info.st_mode & 0o077:
        path.chmod(0o700)


#: The control socket's and the control key's names in ``runtime_dir()``.
SOCKET_NAME = "control.sock"
KEY_NAME = "control.key"


def control_address() -> tuple[str, str]:
    """Where the daemon listens, with its ``multiprocessing.connection`` family.

    A Unix socket in the private runtime dir on Linux and macOS; a named pipe on Windows,
    named after the user. A pipe name is global to the machine, so it only finds the daemon:
    the key in ``control_key_file`` decides who may talk to it, both ways.
    """
    if sys.platform == "win32":
        import getpass

        user = re.sub(r"[^A-Za-z0-9_.-]", "_", getpass.getuser())
        return f"\\\\.\\pipe\\{APP}-{user}", "AF_PIPE"
    return str(runtime_dir() / SOCKET_NAME), "AF_UNIX"


def control_key_file() -> Path:
    """The key the control handshake proves knowledge of, written by the daemon at start."""
    return runtime_dir() / KEY_NAME


def state_file() -> Path:
    """The planner state that survives restarts, e.g. ``~/.local/state/microbreak/state.json``."""
    return platformdirs.user_state_path(APP, appauthor=False) / "state.json"


def history_file() -> Path:
    """The event history, e.g. ``~/.local/share/microbreak/history.sqlite``."""
    return platformdirs.user_data_path(APP, appauthor=False) / "history.sqlite"
