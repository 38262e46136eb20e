"""Open config file: created from the documented example when missing, then handed to the opener."""

from __future__ import annotations

import os
import random
import stat
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microbreak.app import App, AppConfig
from microbreak.core.planner import Policy
from microbreak.core.rotation import Selection

from .fakes import FakeClock, FakeTimer, RecordingNotifier

EXAMPLE = Path(__file__).parents[1] / "config.example.toml"


def make_app(config_path: Path) -> App:
    clock = FakeClock()
    config = AppConfig(Policy(), Selection(), (timedelta(minutes=5),), config_path)
    return App(
        config, clock, FakeTimer(clock), RecordingNotifier(clock), ZoneInfo("UTC"), random.Random(1)
    )


@pytest.fixture
def opener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``xdg-open`` on PATH that records what it was asked to open."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    record = tmp_path / "opened.txt"
    script = bindir / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return record


def wait_for(path: Path) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"{path} was never written")


def test_missing_file_is_created_from_the_example_and_opened(tmp_path: Path, opener: Path) -> None:
    target = tmp_path / "conf" / "microbreak" / "config.toml"
    make_app(target).open_config()
    assert target.read_text() == EXAMPLE.read_text()
    assert wait_for(opener).strip() == str(target)


def test_existing_file_is_opened_untouched(tmp_path: Path, opener: Path) -> None:
    target = tmp_path / "config.toml"
    target.write_text('min_interval = "40m"\n')
    make_app(target).open_config()
    assert wait_for(opener).strip() == str(target)
    assert target.read_text() == 'min_interval = "40m"\n'
