"""Live reload on the running daemon: an edit takes effect within seconds; a bad edit keeps the
previous settings and is reported once; SIGHUP reloads too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .desktop import OutputLines, stop_process


@dataclass
class Headless:
    proc: subprocess.Popen[bytes]
    log: OutputLines
    env: dict[str, str]
    config: Path

    def status(self) -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, "-m", "microbreak", "status", "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        result: dict[str, Any] = json.loads(out.stdout)
        return result


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Headless]:
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROBREAK_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_RUNTIME_DIR=str(runtime),
        DBUS_SESSION_BUS_ADDRESS="disabled:",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DISPLAY", None)
    config = home / ".config" / "microbreak" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('min_interval = "30m"\nmax_interval = "1h"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "microbreak", "--no-tray", "--verbose"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    log = OutputLines(proc.stderr, "microbreak stderr")
    try:
        log.wait_for_line(lambda line: "started;" in line, 15)
        yield Headless(proc, log, env, config)
    finally:
        stop_process(proc)
        assert not any("Traceback" in line for line in log.lines()), "\n".join(log.lines())


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
