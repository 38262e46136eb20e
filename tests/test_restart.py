"""Stopping and starting again: the schedule, a pause and the history survive, bad files do not
stop the daemon.

The real headless daemon (see test_control.py) is quit and started again in the same HOME; the
state file and the history database are edited or damaged in between, while it is stopped.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from .desktop import stays_true
from .headless import (
    SLACK,
    Daemon,
    cli,
    headless_env,
    history_file,
    now,
    private_runtime_dir,
    running,
    state_file,
    status,
    when,
)

REMINDER = "reminder: Microbreak: "


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private environment for a headless daemon that is started more than once."""
    with private_runtime_dir() as runtime:
        yield headless_env(tmp_path, runtime)


def quit_daemon(daemon: Daemon) -> None:
    """``microbreak quit`` and a clean exit."""
    result = cli(daemon.env, "quit")
    assert result.returncode == 0, result.stderr
    assert daemon.wait_exit(10.0) == 0


def stats(env: dict[str, str]) -> dict[str, Any]:
    """``microbreak stats --json`` totals over the last 7 days."""
    result = cli(env, "stats", "--json")
    assert result.returncode == 0, result.stderr
    totals: dict[str, Any] = json.loads(result.stdout)["totals"]
    return totals


# -- the schedule survives ------------------------------------------------------------------


def test_a_restart_keeps_the_pending_reminder(env: dict[str, str]) -> None:
    with running(env) as first:
        due = status(env)["due"]
        quit_daemon(first)
    saved = json.loads(state_file(env).read_text())
    assert saved["version"] == 1 and saved["planner"]["due"] == due
    with running(env) as second:
        second.wait_log("resumed: the pending reminder keeps its time")
        assert abs(when(status(env)["due"]) - when(due)) < timedelta(seconds=1)


def test_a_pause_survives_a_restart(env: dict[str, str]) -> None:
    with running(env) as first:
        assert cli(env, "pause", "2h").returncode == 0
        until = when(status(env)["paused_until"])
        quit_daemon(first)
    with running(env) as second:
        second.wait_log("resumed: still paused")
        data = status(env)
        assert data["mode"] == "paused" and data["due"] is None
        assert abs(when(data["paused_until"]) - until) < timedelta(seconds=1)
        assert second.lines(REMINDER) == []


def test_a_pause_until_a_time_of_day_survives_a_restart(env: dict[str, str]) -> None:
    local = datetime.now().astimezone() + timedelta(hours=2)
    with running(env) as first:
        assert cli(env, "pause", "--until", local.strftime("%H:%M")).returncode == 0
        until = when(status(env)["paused_until"])
        assert until == local.replace(second=0, microsecond=0)
        quit_daemon(first)
    with running(env):
        data = status(env)
        assert data["mode"] == "paused" and when(data["paused_until"]) == until
        # Resuming still works on the restored pause.
        assert cli(env, "resume").returncode == 0
        assert status(env)["mode"] == "running"


# -- a reminder that fell due while stopped --------------------------------------------------


def _stopped_with(env: dict[str, str], *, due_ago: timedelta, saved_ago: timedelta) -> None:
    """Run once to write a state file, then make it say the daemon stopped long ago."""
    with running(env) as first:
        quit_daemon(first)
    path = state_file(env)
    saved = json.loads(path.read_text())
    saved["planner"]["due"] = (now() - due_ago).isoformat()
    saved["planner"]["saved_at"] = (now() - saved_ago).isoformat()
    path.write_text(json.dumps(saved))


def test_a_reminder_that_fell_due_just_now_comes_at_once(env: dict[str, str]) -> None:
    _stopped_with(env, due_ago=timedelta(seconds=30), saved_ago=timedelta(minutes=1))
    with running(env) as daemon:
        daemon.wait_log("resumed: the reminder that fell due meanwhile comes now")
        daemon.wait_log(REMINDER, timeout=5.0)
        # Exactly one, and then a fresh interval.
        assert stays_true(lambda: len(daemon.lines(REMINDER)) == 1, duration=1.0)
        data = status(env)
        assert data["last_reminder"] is not None
        assert when(data["due"]) >= now() + timedelta(minutes=30) - SLACK


def test_after_a_long_stop_a_fresh_interval_starts(env: dict[str, str]) -> None:
    _stopped_with(env, due_ago=timedelta(hours=1), saved_ago=timedelta(hours=2))
    with running(env) as daemon:
        daemon.wait_log("microbreak was not running for a while: a fresh interval starts")
        assert stays_true(lambda: daemon.lines(REMINDER) == [], duration=1.0)
        data = status(env)
        assert data["mode"] == "running" and data["last_reminder"] is None
        assert when(data["due"]) >= now() + timedelta(minutes=30) - SLACK


# -- a state file that cannot be used --------------------------------------------------------


def _valid_state() -> dict[str, Any]:
    return {
        "version": 1,
        "planner": {
            "saved_at": now().isoformat(),
            "mode": "running",
            "due": (now() + timedelta(minutes=20)).isoformat(),
            "paused_until": None,
            "pause_is_relative": False,
            "last_shown": None,
            "again": None,
            "unanswered": None,
            "deck": [],
            "last": None,
        },
    }


def _without(key: str) -> Callable[[], bytes]:
    def make() -> bytes:
        state = _valid_state()
        del state["planner"][key]
        return json.dumps(state).encode()

    return make


def _with(key: str, value: object) -> Callable[[], bytes]:
    def make() -> bytes:
        state = _valid_state()
        state["planner"][key] = value
        return json.dumps(state).encode()

    return make


BAD_STATES: dict[str, Callable[[], bytes]] = {
    "truncated": lambda: json.dumps(_valid_state()).encode()[:90],
    "random-bytes": lambda: random.Random(7).randbytes(300),
    "empty": lambda: b"",
    "newer-version": lambda: json.dumps({**_valid_state(), "version": 99}).encode(),
    "no-version": lambda: json.dumps({"planner": _valid_state()["planner"]}).encode(),
    "a-list": lambda: b"[1, 2, 3]",
    "planner-not-an-object": lambda: b'{"version": 1, "planner": "running"}',
    "deeply-nested": lambda: b"[" * 100_000 + b"]" * 100_000,
    "no-mode": _without("mode"),
    "no-saved_at": _without("saved_at"),
    "no-due": _without("due"),
    "mode-unknown": _with("mode", "sleeping"),
    "mode-a-list": _with("mode", ["running"]),
    "due-a-number": _with("due", 5),
    "due-not-a-time": _with("due", "tomorrow"),
    "due-without-zone": _with("due", "2026-01-01T10:00:00"),
    "saved_at-null": _with("saved_at", None),
    "deck-a-string": _with("deck", "abc"),
    "last-a-number": _with("last", 3),
    "pause_is_relative-a-string": _with("pause_is_relative", "yes"),
}


@pytest.mark.parametrize("kind", list(BAD_STATES))
def test_an_unusable_state_file_is_moved_aside(env: dict[str, str], kind: str) -> None:
    path = state_file(env)
    path.parent.mkdir(parents=True)
    content = BAD_STATES[kind]()
    path.write_bytes(content)
    with running(env) as daemon:
        daemon.wait_log("started;")
        daemon.wait_log("moved it to")  # said by the start-up check, which runs beside the start
        warnings = daemon.lines("WARNING")
        assert len(warnings) == 1, warnings
        assert str(path) in warnings[0] and "starting afresh" in warnings[0]
        aside = [p for p in path.parent.iterdir() if p.name.startswith("state.json.corrupt-")]
        assert len(aside) == 1 and aside[0].name in warnings[0]
        assert aside[0].read_bytes() == content
        # A fresh state was written, and the daemon works.
        fresh = json.loads(path.read_text())
        assert fresh["version"] == 1 and fresh["planner"]["mode"] == "running"
        data = status(env)
        assert data["mode"] == "running"
        assert when(data["due"]) >= now() + timedelta(minutes=30) - SLACK
        assert cli(env, "pause", "10m").returncode == 0


# -- the history, written without SQLite ------------------------------------------------------


def test_the_daemon_keeps_sqlite_out_and_stats_counts_its_events(env: dict[str, str]) -> None:
    """The daemon appends its events to the pending file; ``stats`` moves them into the SQLite
    history. SQLite's library is never mapped into the daemon."""
    with running(env) as daemon:
        for command in ("now", "done"):
            assert cli(env, command).returncode == 0
        assert (stats(env)["reminders"], stats(env)["done"]) == (1, 1)
        maps = Path(f"/proc/{daemon.proc.pid}/maps").read_text()
        assert "libsqlite3" not in maps and "_sqlite3" not in maps
        assert not [line for line in daemon.lines("WARNING") if "history" in line]
    assert history_file(env).exists()


# -- a damaged history -------------------------------------------------------------------------

COUNTED = ("shown", "done", "skipped", "snoozed", "natural_break")


def _fill_history(env: dict[str, str], rows: int) -> None:
    """A real history from the daemon, then many more reminders and dones of the last hour."""
    with running(env) as daemon:
        for command in ("now", "done", "now", "skip"):
            assert cli(env, command).returncode == 0
        quit_daemon(daemon)
    start = int(now().timestamp()) - 3600
    conn = sqlite3.connect(history_file(env))
    with conn:
        conn.executemany(
            "INSERT INTO events (at, kind, exercise, seconds) VALUES (?, ?, ?, ?)",
            [
                (start + i, "shown" if i % 2 else "done", "shoulder-rolls", None)
                for i in range(rows)
            ],
        )
    conn.close()
    assert not Path(f"{history_file(env)}-wal").exists()  # everything is in the main file


def _rows_before(data: bytes, offset: int) -> int:
    """Rows in the table leaf pages that end before ``offset`` (page 1 is the schema)."""
    size = int.from_bytes(data[16:18], "big")
    size = 65536 if size == 1 else size
    total = 0
    for number in range(1, offset // size):  # page 2 on: offsets size, 2*size, ...
        page = data[number * size : (number + 1) * size]
        if page[0] == 0x0D:  # a table b-tree leaf; index pages are 0x0A and 0x02
            total += int.from_bytes(page[3:5], "big")
    return total


def _uncounted(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        marks = ",".join("?" * len(COUNTED))
        query = f"SELECT count(*) FROM events WHERE kind NOT IN ({marks})"
        count: int = conn.execute(query, COUNTED).fetchone()[0]
    finally:
        conn.close()
    return count


def _truncate(data: bytes, offset: int) -> bytes:
    return data[:offset]


def _scribble(data: bytes, offset: int) -> bytes:
    noise = random.Random(11).randbytes(3 * 4096)
    return data[:offset] + noise + data[offset + len(noise) :]


@pytest.fixture
def filled(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """``env`` with a history of a few thousand events, the daemon stopped."""
    _fill_history(env, 3000)
    yield env


@pytest.mark.parametrize("damage", [_truncate, _scribble], ids=["truncated", "scribbled"])
def test_a_damaged_history_is_moved_aside_and_its_rows_kept(
    filled: dict[str, str], damage: Callable[[bytes, int], bytes]
) -> None:
    env = filled
    path = history_file(env)
    before = stats(env)
    assert before["reminders"] == 1502 and before["done"] == 1501 and before["skipped"] == 1
    intact = path.read_bytes()
    uncounted = _uncounted(path)
    size = int.from_bytes(intact[16:18], "big")
    offset = (len(intact) // size // 2) * size  # the middle, on a page boundary
    expected = _rows_before(intact, offset) - uncounted
    assert expected > 500  # the test means something: many rows lie before the damage
    damaged = damage(intact, offset)
    path.write_bytes(damaged)

    with running(env) as daemon:
        daemon.wait_log("started;")
        daemon.wait_log("moved it to")  # said by the start-up check, which runs beside the start
        warnings = daemon.lines("WARNING")
        assert len(warnings) == 1, warnings
        assert f"the history file {path}" in warnings[0] and "moved it to" in warnings[0]
        aside = [
            p
            for p in path.parent.iterdir()
            if p.name.startswith("history.sqlite.corrupt-")
            and not p.name.endswith(("-wal", "-shm"))  # SQLite's side files, if any
        ]
        assert len(aside) == 1 and aside[0].name in warnings[0]
        assert aside[0].read_bytes() == damaged
        assert status(env)["mode"] == "running"
        after = stats(env)
    salvaged = sum(after[key] for key in ("reminders", "done", "skipped", "snoozed"))
    assert expected <= salvaged <= sum(before[k] for k in ("reminders", "done", "skipped"))
    assert after["reminders"] <= before["reminders"] and after["done"] <= before["done"]
    # The new file is whole, and the daemon writes to it.
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert os.path.getsize(path) > 0


# -- working hours ---------------------------------------------------------------------------


def test_a_restart_outside_working_hours_keeps_the_state(env: dict[str, str]) -> None:
    # Working hours on a day that is neither today nor tomorrow, wherever the machine is.
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(now().astimezone().weekday() + 3) % 7]
    config = Path(env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[work_hours]\nenabled = true\ndays = ["{day}"]\n')
    with running(env) as first:  # as in the report: start, stop, start
        quit_daemon(first)
    with running(env) as second:
        second.wait_log("resumed: outside working hours: no reminder until they begin")
        assert second.lines("WARNING") == []
        assert not [p for p in state_file(env).parent.iterdir() if ".corrupt-" in p.name]
        assert cli(env, "now").returncode == 0  # moves the rotation; waits for done
        before = status(env)
        quit_daemon(second)
    saved = json.loads(state_file(env).read_text())["planner"]
    assert saved["off_duty"] is True and saved["due"] is None
    with running(env) as third:
        third.wait_log("resumed: outside working hours: no reminder until they begin")
        after = status(env)
        assert after["unanswered"] is not None and after["unanswered"] == before["unanswered"]
        assert after["last_reminder"] == before["last_reminder"]
        assert after["line"].startswith("Outside working hours")
        assert stays_true(lambda: third.lines(REMINDER) == [], duration=1.0)
