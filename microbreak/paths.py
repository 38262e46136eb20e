"""Where microbreak keeps its files (the platform's user dirs, via platformdirs), and how it
rewrites one whole."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from pathlib import Path

import platformdirs

from .channel import APP  # the control channel's places are in ``channel``, light for the CLI

CONFIG_ENV = "MICROBREAK_CONFIG"
HERE = Path(__file__).resolve().parent


def user_config_dir() -> Path:
    """The user config dir, e.g. ``~/.config/microbreak`` on Linux."""
    return platformdirs.user_config_path(APP, appauthor=False)


def user_config_file() -> Path:
    return user_config_dir() / "config.toml"


def site_config_dirs() -> list[Path]:
    """The system-wide config dirs, lowest priority first, e.g. ``[/etc/xdg/microbreak]``:
    ``$XDG_CONFIG_DIRS`` lists the most important first, turned round so each dir overrides the
    ones before it. Relative entries are ignored (XDG spec)."""
    parts = platformdirs.site_config_dir(APP, appauthor=False, multipath=True).split(os.pathsep)
    once = dict.fromkeys(Path(part) for part in parts if part and Path(part).is_absolute())
    return list(once)[::-1]


def site_config_files() -> list[Path]:
    return [d / "config.toml" for d in site_config_dirs()]


def config_file(explicit: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The config file to read and whether the user named it (then it must exist)."""
    named = explicit or os.environ.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser(), True
    return user_config_file(), False


def log_dir() -> Path:
    """The user log dir, e.g. ``~/.local/state/microbreak/log`` on Linux."""
    return platformdirs.user_log_path(APP, appauthor=False)


def package_assets() -> Path:
    """The icons: packaged inside the wheel, or at the top of a source checkout."""
    for candidate in (HERE / "assets", HERE.parent / "assets"):
        if (candidate / "tray-running.png").is_file():
            return candidate
    return HERE.parent / "assets"


def example_config() -> Path | None:
    """``config.example.toml``: packaged with the wheel or at the top of a checkout."""
    for candidate in (HERE / "config.example.toml", HERE.parent / "config.example.toml"):
        if candidate.is_file():
            return candidate
    return None


def cache_dir() -> Path:
    """What can be made again but saves time, e.g. ``~/.cache/microbreak``."""
    return platformdirs.user_cache_path(APP, appauthor=False)


def state_file() -> Path:
    """The planner state that survives restarts, e.g. ``~/.local/state/microbreak/state.json``."""
    return platformdirs.user_state_path(APP, appauthor=False) / "state.json"


def history_file() -> Path:
    """The event history, e.g. ``~/.local/share/microbreak/history.sqlite``."""
    return platformdirs.user_data_path(APP, appauthor=False) / "history.sqlite"


_EXERCISE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def pictogram(exercise_id: str) -> Path | None:
    """The packaged 128 px PNG for ``exercise_id``, or None (callers fall back to the app
    icon). Only catalog-shaped ids are looked up, so no id can point outside the folder."""
    if not _EXERCISE_ID.fullmatch(exercise_id):
        return None
    path = package_assets() / "exercises" / f"{exercise_id}.png"
    return path if path.is_file() else None


def write_whole(path: Path, data: bytes, *, private: bool = False, sync: bool = False) -> None:
    """Put ``data`` in ``path`` in one step (a fresh file renamed over it), so that a reader or
    a crash finds the old file or the new, never half of one. ``private``: the user's alone from
    its first byte; ``sync``: on disk before it takes the old one's place. Raises OSError."""
    fresh = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        with open(os.open(fresh, flags, 0o600 if private else 0o666), "wb") as file:
            file.write(data)
            if sync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(fresh, path)
    except BaseException:
        with contextlib.suppress(OSError):
            fresh.unlink()
        raise
