"""A start with nothing changed since the last good check skips the check (and pydantic); any
change checks again, and a mistake is still refused."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from microbreak.settings import checked

from .headless import cli, headless_env, private_runtime_dir, running, spawn_daemon, status


def _imported(lines: list[str]) -> set[str]:
    """The modules the ``-X importtime`` lines name."""
    return {ln.split("|")[-1].strip() for ln in lines if ln.startswith("import time:")}


def _loaded_pydantic(lines: list[str]) -> bool:
    """Whether an ``-X importtime`` line names the pydantic package."""
    return "pydantic" in _imported(lines)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with private_runtime_dir() as runtime:
        # Every process prints its imports: the CLI's show whether it checked the settings
        # (the daemon never loads pydantic, tests/test_config_sources.py makes sure).
        yield headless_env(tmp_path / "home", runtime, {"PYTHONPROFILEIMPORTTIME": "1"})


def _start(env: dict[str, str], modules: set[str] | None = None) -> tuple[bool, dict[str, object]]:
    """Start the daemon, read its status, quit it; whether pydantic was loaded at the start.
    ``modules``, if given, receives every module the start imported."""
    with running(env) as daemon:
        checked = _loaded_pydantic(daemon.log.lines())
        if modules is not None:
            modules |= _imported(daemon.log.lines())
        data = status(env)
        assert cli(env, "quit").returncode == 0
        assert daemon.wait_exit(10.0) == 0
    return checked, data


def test_an_unchanged_start_skips_the_check_and_a_change_does_not(env: dict[str, str]) -> None:
    config = Path(env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
    checked, first = _start(env)
    assert checked  # nothing to go by yet

    checked, second = _start(env)
    assert not checked  # the same files, variables and flags: the stored record
    assert second["settings"] == first["settings"]

    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('snooze_choices = ["7m"]\n')
    checked, third = _start(env)
    assert checked
    settings = third["settings"]
    assert isinstance(settings, dict) and settings["snooze_choices"] == [420]

    env["MICROBREAK_MAX_INTERVAL"] = "50m"  # a variable is an input too
    checked, fourth = _start(env)
    assert checked
    settings = fourth["settings"]
    assert isinstance(settings, dict) and settings["max_interval"] == 3000


def test_a_later_start_holds_nothing_only_another_platform_or_a_mistake_needs(
    env: dict[str, str],
) -> None:
    """Each module costs the daemon private memory for as long as it runs."""
    env["MICROBREAK_DETECT_IDLE"] = "true"  # every idle detector is a candidate
    env["MICROBREAK_DO_NOT_DISTURB__FULLSCREEN"] = "true"
    _start(env)
    modules: set[str] = set()
    checked, _status = _start(env, modules)
    assert not checked and "microbreak.adapters.idle" in modules
    assert modules & {"ctypes", "difflib", "plistlib"} == set()


def test_a_mistake_made_after_a_good_start_is_still_refused(env: dict[str, str]) -> None:
    config = Path(env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('snooze_choices = ["7m"]\n')
    _start(env)
    config.write_text('snooze_choices = ["7x"]\n')  # the same size: the time and inode tell
    refused = spawn_daemon(env)
    try:
        code = refused.wait_exit(20.0)
    finally:
        refused.stop()
    assert code == 2, [ln for ln in refused.log.lines() if not ln.startswith("import time")]
    text = "\n".join(line for line in refused.log.lines() if not line.startswith("import time"))
    assert "snooze_choices" in text and "Traceback" not in text


def test_the_stored_record_is_private_and_read_back_only_under_its_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It holds the user's settings: only the user may read it, from its first byte on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    old = os.umask(0o022)
    try:
        checked.save("stamp-1", '{"record": 1}')
    finally:
        os.umask(old)
    stored = tmp_path / "cache" / "microbreak" / checked.NAME
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert [p.name for p in stored.parent.iterdir()] == [checked.NAME]  # no temporary left
    assert checked.load("stamp-1") == '{"record": 1}'
    assert checked.load("stamp-2") is None
