"""Where microbreak keeps its files: the platform's user dirs, via platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "microbreak"
CONFIG_ENV = "MICROBREAK_CONFIG"


def user_config_file() -> Path:
    """The default config file, e.g. ``~/.config/microbreak/config.toml`` on Linux."""
    return platformdirs.user_config_path(APP, appauthor=False) / "config.toml"


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
