"""Live reload on the running daemon: an edit takes effect within seconds; a bad edit keeps the
previous settings and is reported once; SIGHUP reloads too."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .desktop import OutputLines, wait_until
from .headless import Daemon, headless_env, private_runtime_dir, running, status


@dataclass
class Headless:
    daemon: Daemon
    config: Path

    @property
    def log(self) -> OutputLines:
        return self.daemon.log

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        return self.daemon.proc

    def status(self) -> dict[str, Any]:
        return status(self.daemon.env)


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    wait_until(check, timeout, what, interval=0.1)


def file_env(tmp_path: Path, runtime: Path) -> tuple[dict[str, str], Path]:
    """The headless env with the intervals left to the config file (so that editing it changes
    them), and the user's usual config file (not made)."""
    env = headless_env(tmp_path, runtime)
    env.pop("MICROBREAK_MIN_INTERVAL")
    env.pop("MICROBREAK_MAX_INTERVAL")
    return env, Path(env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Headless]:
    with private_runtime_dir() as runtime:
        env, config = file_env(tmp_path, runtime)
        config.parent.mkdir(parents=True)
        config.write_text('min_interval = "30m"\nmax_interval = "1h"\n')
        with running(env, "--verbose") as d:
            yield Headless(d, config)


def test_an_edit_takes_effect_within_seconds_and_retimes_the_reminder(daemon: Headless) -> None:
    before = daemon.status()
    assert before["settings"]["min_interval"] == 1800
    daemon.config.write_text('min_interval = "2h"\nmax_interval = "3h"\nsnooze_choices = ["7m"]\n')
    wait_for(lambda: daemon.status()["settings"]["min_interval"] == 7200, 10, "the new interval")
    after = daemon.status()
    assert after["settings"]["max_interval"] == 3 * 3600
    assert after["settings"]["snooze_choices"] == [420]
    assert after["due"] != before["due"]  # re-timed into the new bounds
    due = time.mktime(time.strptime(after["due"][:19], "%Y-%m-%dT%H:%M:%S"))
    now = time.mktime(time.gmtime())
    assert 2 * 3600 - 60 <= due - now <= 3 * 3600 + 60
    assert after["config_problem"] is None


def test_a_bad_edit_keeps_the_previous_settings_and_is_reported_once(daemon: Headless) -> None:
    daemon.config.write_text('min_interval = "banana"\n')
    wait_for(lambda: daemon.status()["config_problem"], 10, "the problem to be reported")
    status = daemon.status()
    assert "min_interval" in status["config_problem"] and "banana" in status["config_problem"]
    assert status["settings"]["min_interval"] == 1800  # still the old settings
    daemon.config.write_text('min_interval = "banana"\n')  # the same bad file saved again
    time.sleep(1.5)
    warnings = [ln for ln in daemon.log.lines() if "the previous settings stay" in ln]
    assert len(warnings) == 1, warnings
    assert daemon.proc.poll() is None
    daemon.config.write_text('min_interval = "40m"\n')
    wait_for(lambda: daemon.status()["settings"]["min_interval"] == 2400, 10, "the fixed file")
    assert daemon.status()["config_problem"] is None


def test_sighup_reloads(daemon: Headless) -> None:
    # Write without the watcher noticing first is impossible to guarantee; SIGHUP must work
    # on its own all the same, so check that it logs a reload and applies the file.
    daemon.config.write_text('min_interval = "45m"\n')
    wait_for(lambda: daemon.status()["settings"]["min_interval"] == 2700, 10, "the watcher")
    mark = len(daemon.log.lines())
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.log.wait_for_line(lambda line: "reloading the config (SIGHUP)" in line, 10, after=mark)
    daemon.log.wait_for_line(lambda line: "config reloaded" in line, 10, after=mark)
    assert daemon.proc.poll() is None


def test_a_config_file_written_after_a_first_start_without_one_is_noticed(tmp_path: Path) -> None:
    """A new user starts microbreak before writing any config: no config dir exists yet."""
    with private_runtime_dir() as runtime:
        env, config = file_env(tmp_path, runtime)
        assert not config.parent.exists()
        with running(env, "--verbose") as d:
            assert status(env)["settings"]["min_interval"] == 1800
            assert config.parent.is_dir()  # made so that it can be watched
            assert not config.exists()  # but no file is written for the user
            config.write_text('min_interval = "50m"\nmax_interval = "2h"\n')
            wait_for(lambda: status(env)["settings"]["min_interval"] == 3000, 10, "the new file")
            assert not [ln for ln in d.log.lines() if "not noticed" in ln]


def test_a_first_exercise_file_is_noticed(tmp_path: Path) -> None:
    """Your exercise folder does not exist until you make it: the daemon makes it to watch it."""
    with private_runtime_dir() as runtime:
        env, config = file_env(tmp_path, runtime)
        folder = config.parent / "exercises"
        with running(env, "--verbose") as d:
            assert folder.is_dir() and not any(folder.iterdir())
            (folder / "mine.toml").write_text(
                '[[exercise]]\nid = "wall-angel"\nname = "Wall angel"\n'
                'instructions = "Slide both arms up the wall."\ndose = "5 times"\n'
                'position = "standing"\narea = "upper back"\n',
                encoding="utf-8",
            )
            d.wait_log("config reloaded", timeout=10)


def test_a_config_file_named_by_the_command_line_stays_the_one_read(tmp_path: Path) -> None:
    """``--config F``: an edit of F is read, and F deleted is a problem (the previous settings
    stay), never a quiet switch to the user's usual file."""
    with private_runtime_dir() as runtime:
        env, usual = file_env(tmp_path, runtime)
        usual.parent.mkdir(parents=True)
        usual.write_text('min_interval = "40m"\nmax_interval = "50m"\n')
        named = tmp_path / "custom.toml"
        named.write_text('min_interval = "10m"\nmax_interval = "15m"\n')
        with running(env, "--verbose", "--config", str(named)):
            assert status(env)["settings"]["min_interval"] == 600
            named.write_text('min_interval = "12m"\nmax_interval = "15m"\n')
            wait_for(lambda: status(env)["settings"]["min_interval"] == 720, 10, "the edit")
            named.unlink()
            wait_for(lambda: status(env)["config_problem"], 10, "the problem to be reported")
            now = status(env)
            assert "no such config file" in now["config_problem"]
            assert str(named) in now["config_problem"]
            assert now["settings"]["min_interval"] == 720  # the previous settings stay
