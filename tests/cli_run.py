"""Run the real ``microbreak`` command line in a clean, private environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

PREFIX = "microbreak: "


def clean_env(tmp_path: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The inherited environment minus every MICROBREAK_* variable, with private user dirs."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MICROBREAK_")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        COLUMNS="100",
    )
    env.update(extra or {})
    return env


def run(
    tmp_path: Path, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m microbreak ARGS`` in a clean environment, from inside tmp_path."""
    return subprocess.run(
        [sys.executable, "-m", "microbreak", *args],
        env=clean_env(tmp_path, env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def isolate_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No MICROBREAK_* variables from outside, and private config dirs (system and user),
    also for in-process loads."""
    for name in list(os.environ):
        if name.upper().startswith("MICROBREAK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 0 with nothing on stderr; returns stdout."""
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stderr == ""
    return result.stdout
