"""ruff (lint and format) and mypy are part of the test command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found, f"{name} is not installed (pip install -e '.[test]')"
    return found


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        # The Windows and macOS branches cannot run here; mypy at least reads them as there.
        ["mypy", "--platform", "win32", "microbreak"],
        ["mypy", "--platform", "darwin", "microbreak"],
    ],
    ids=["ruff-check", "ruff-format", "mypy", "mypy-windows", "mypy-macos"],
)
def test_tool_is_clean(command: list[str]) -> None:
    result = subprocess.run(
        [_tool(command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
