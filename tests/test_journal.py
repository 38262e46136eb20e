"""The daemon's side of the history: events appended to a pending file, and ``fold``, which
moves them into the SQLite history for ``stats``, losing none while the daemon appends."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from microbreak.adapters.storage.history import connect_readonly, fold
from microbreak.adapters.storage.journal import EventJournal, line, parse, pending_path
from microbreak.core.events import EventKind
from microbreak.usecases import stats

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)


def rows(path: Path) -> list[tuple[int, str, str | None, float | None]]:
    conn = connect_readonly(path)
    try:
        query = "SELECT at, kind, exercise, seconds FROM events ORDER BY id"
        return [tuple(row) for row in conn.execute(query)]
    finally:
        conn.close()


def test_a_line_reads_back_as_the_event_it_holds() -> None:
    for row in [
        (1, "shown", "neck-tilt", None),
        (2, "paused", None, 1800.0),
        (3, "done", None, None),
    ]:
        assert parse(line(row)) == row
    for bad in [
        "",
        "1\tshown\t\n",
        "x\tshown\t\t\n",
        "1\tnope\t\t\n",
        "1\tshown\t\t",
        "1\tshown\t\tz\n",
    ]:
        assert parse(bad) is None, bad


def test_fold_moves_the_pending_events_in_and_empties_the_file(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    journal = EventJournal(pending_path(path))
    journal.record(EventKind.SHOWN, NOW, exercise="neck-tilt")
    journal.record(EventKind.SNOOZED, NOW, exercise="neck-tilt", seconds=300.0)
    assert not path.exists()  # the daemon's side never touches SQLite
    assert fold(path, check=False) is None
    assert pending_path(path).read_text() == ""
    stamp = int(NOW.timestamp())
    assert rows(path) == [
        (stamp, "shown", "neck-tilt", None),
        (stamp, "snoozed", "neck-tilt", 300.0),
    ]
    assert fold(path) is None  # nothing pending: nothing added twice
    assert len(rows(path)) == 2


def test_fold_with_nothing_pending_creates_no_history(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    assert fold(path, check=False) is None
    assert list(tmp_path.iterdir()) == []


def test_unreadable_lines_are_dropped_and_said(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    EventJournal(pending_path(path)).record(EventKind.DONE, NOW, exercise="neck-tilt")
    with pending_path(path).open("a") as pending:
        pending.write("garbage\n1796\tshown\tneck")  # the last one cut short
    said = fold(path)
    assert said == f"dropped 2 unreadable line(s) of {pending_path(path)}"
    assert [kind for _, kind, _, _ in rows(path)] == ["done"]


def test_no_event_is_lost_while_folds_run_beside_the_appends(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    journal = EventJournal(pending_path(path))

    def append(n: int) -> None:
        for i in range(200):
            journal.record(EventKind.SHOWN, NOW + timedelta(seconds=i), exercise=f"e{n}")

    writers = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        fold(path, check=False)
    fold(path, check=False)
    assert len(rows(path)) == 800


def test_stats_counts_the_events_still_pending(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    journal = EventJournal(pending_path(path))
    journal.record(EventKind.SHOWN, NOW - timedelta(minutes=5), exercise="neck-tilt")
    journal.record(EventKind.DONE, NOW - timedelta(minutes=4), exercise="neck-tilt")
    result = stats.compute(path, days=1, goal=1, now=NOW, tz=timezone.utc)
    assert (result.totals.reminders, result.totals.done) == (1, 1)


def test_a_failing_write_is_said_once_and_never_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pending = tmp_path / "history.pending"
    pending.mkdir()  # writing to it fails
    journal = EventJournal(pending)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            journal.record(EventKind.SHOWN, NOW, exercise="neck-tilt")
    assert len([r for r in caplog.records if "cannot write to the history file" in r.message]) == 1
    journal.close()


def test_after_close_nothing_is_written(tmp_path: Path) -> None:
    journal = EventJournal(tmp_path / "history.pending")
    journal.close()
    journal.record(EventKind.STOPPED, NOW)  # ignored, not raised
    assert list(tmp_path.iterdir()) == []


def test_a_naive_time_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        EventJournal(tmp_path / "history.pending").record(EventKind.SHOWN, datetime(2026, 1, 1))
