"""The history file: adding events, reading back, and recovery from a damaged file."""

from __future__ import annotations

import random
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from microbreak.adapters.storage.history import SCHEMA_VERSION, History
from microbreak.adapters.storage.journal import event_row
from microbreak.core.events import EventKind

from .fakes import write_history

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc)
RECOVERED_AT = datetime(2026, 11, 21, 22, 15, tzinfo=timezone.utc)
ASIDE = "history.sqlite.corrupt-20261121T221500"
Rows = dict[int, tuple[object, ...]]


def _rows(path: Path) -> Rows:
    with sqlite3.connect(path) as conn:
        return {r[0]: r for r in conn.execute("SELECT * FROM events")}


def _filled(path: Path, n: int = 3000) -> Rows:
    """A history of ``n`` events added the normal way, closed cleanly; its rows."""
    kinds = list(EventKind)
    events = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        exercise = f"exercise-{i % 13}" if kind is EventKind.DONE else None
        seconds = 60.0 * (i % 5) + 0.5 if kind is EventKind.SNOOZED else None
        events.append((kind, T0 + timedelta(minutes=7 * i), exercise, seconds))
    write_history(path, events)
    return _rows(path)


def _recover(path: Path) -> tuple[str, Rows]:
    """Open a damaged file: one warning, the file moved aside, then no warning the next time."""
    size = path.stat().st_size
    history, warning = History.open(path, now=RECOVERED_AT)
    history.close()
    assert warning is not None
    assert ASIDE in warning
    aside = path.with_name(ASIDE)
    assert aside.stat().st_size == size  # the damaged file is kept, untouched, for inspection
    assert not Path(f"{aside}-shm").exists()
    wal = Path(f"{aside}-wal")
    assert not wal.exists() or wal.stat().st_size > 0  # only a WAL with something in it
    again, second = History.open(path, now=RECOVERED_AT)
    again.close()
    assert second is None
    return warning, _rows(path)


def _assert_intact(recovered: Rows, original: Rows) -> None:
    """Every recovered row is exactly one of the original rows: nothing invented or garbled."""
    assert recovered
    for rowid, row in recovered.items():
        assert original[rowid] == row


# -- adding -------------------------------------------------------------------------------------


def test_records_and_reads_back_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "history.sqlite"
    berlin = timezone(timedelta(hours=1))
    write_history(
        path,
        [
            (EventKind.STARTED, T0, None, None),
            (EventKind.SHOWN, T0 + timedelta(minutes=30), "shoulder-rolls", None),
            (EventKind.SNOOZED, T0 + timedelta(minutes=31), None, 600),
            (EventKind.PAUSED, datetime(2026, 11, 21, 10, 0, tzinfo=berlin), None, None),
        ],
    )
    t0 = int(T0.timestamp())
    assert [row[1:] for row in _rows(path).values()] == [
        (t0, "started", None, None),
        (t0 + 30 * 60, "shown", "shoulder-rolls", None),
        (t0 + 31 * 60, "snoozed", None, 600.0),
        (t0 + 60 * 60, "paused", None, None),  # 10:00 in Berlin is 09:00 UTC
    ]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(events)")}
        assert "events_at" in indexes
        at, kind = conn.execute("SELECT at, kind FROM events ORDER BY id").fetchone()
    assert (at, kind) == (int(T0.timestamp()), "started")


def test_reopening_keeps_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    rows = _filled(path, 50)
    history, warning = History.open(path)
    history.close()
    assert warning is None
    assert _rows(path) == rows


def test_an_empty_file_is_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.touch()
    write_history(path, [(EventKind.STARTED, T0, None, None)])  # no warning
    assert len(_rows(path)) == 1


# -- recovery ------------------------------------------------------------------------------------


def test_a_file_cut_short_keeps_the_rows_before_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    original = _filled(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 1234])  # mid-page
    warning, recovered = _recover(path)
    assert "damaged" in warning
    _assert_intact(recovered, original)
    # Rows are appended in id order, so the first part of the table sits before the cut.
    n = len(original)
    assert set(range(1, int(0.35 * n))) <= set(recovered)
    assert f"the {len(recovered)} events" in warning


def test_the_damaged_file_is_moved_aside_alone(tmp_path: Path) -> None:
    """Checking the file creates an empty WAL beside it; that is not moved along with it."""
    path = tmp_path / "history.sqlite"
    _filled(path)  # closed cleanly: no WAL
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = random.Random(3).randbytes(4096)
    path.write_bytes(bytes(data))
    history, warning = History.open(path, now=RECOVERED_AT)
    history.close()
    assert warning is not None and ASIDE in warning
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite", ASIDE]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_over_part_of_the_file_lose_only_those_pages(
    tmp_path: Path, seed: int
) -> None:
    path = tmp_path / "history.sqlite"
    original = _filled(path)
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    start = rng.randrange(len(data) // 4, len(data) // 2)
    data[start : start + 3 * 4096] = rng.randbytes(3 * 4096)  # three pages' worth
    path.write_bytes(bytes(data))
    warning, recovered = _recover(path)
    assert "damaged" in warning
    _assert_intact(recovered, original)
    assert len(recovered) >= 0.85 * len(original)


def test_rows_of_a_lost_table_page_are_read_from_the_covering_index(tmp_path: Path) -> None:
    """The table's root page destroyed: its rows are still in the index the stats read."""
    path = tmp_path / "history.sqlite"
    original = _filled(path)
    with sqlite3.connect(path) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'events'"
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size : root * size] = random.Random(4).randbytes(size)
    path.write_bytes(bytes(data))
    warning, recovered = _recover(path)
    assert "damaged" in warning
    assert recovered == original
    assert f"the {len(original)} events" in warning


def test_a_destroyed_header_is_kept_aside_and_a_fresh_file_started(tmp_path: Path) -> None:
    """Without its header SQLite (its own ``.recover`` too) reads nothing: the file is kept."""
    path = tmp_path / "history.sqlite"
    _filled(path)
    data = bytearray(path.read_bytes())
    data[:100] = random.Random(7).randbytes(100)
    path.write_bytes(bytes(data))
    warning, recovered = _recover(path)
    assert "not a database" in warning
    assert "0 events" in warning
    assert recovered == {}
    assert path.with_name(ASIDE).read_bytes() == bytes(data)


def test_a_file_from_a_newer_microbreak_is_moved_aside_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    original = _filled(path, 200)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 7")
    warning, recovered = _recover(path)
    assert "newer microbreak" in warning
    assert recovered == original
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_rows_only_in_the_wal_of_a_crashed_daemon_are_salvaged(tmp_path: Path) -> None:
    live = tmp_path / "live" / "history.sqlite"
    live.parent.mkdir()
    _filled(live)  # closed cleanly: all in the main file
    history, _ = History.open(live)
    # These stay in the WAL (no checkpoint before 1000 pages).
    history.add(
        [
            event_row(EventKind.DONE, T0 + timedelta(days=30, minutes=i), "neck", None)
            for i in range(100)
        ]
    )
    crashed = tmp_path / "history.sqlite"  # a copy taken as if the power went out
    shutil.copyfile(live, crashed)
    shutil.copyfile(f"{live}-wal", f"{crashed}-wal")
    history.close()
    original = _rows(live)
    data = bytearray(crashed.read_bytes())
    start = len(data) * 2 // 5
    data[start : start + 3 * 4096] = random.Random(11).randbytes(3 * 4096)
    crashed.write_bytes(bytes(data))
    _, recovered = _recover(crashed)
    _assert_intact(recovered, original)
    assert set(range(3001, 3101)) <= set(recovered)
    assert len(recovered) >= 0.85 * len(original)
    assert Path(f"{crashed.with_name(ASIDE)}-wal").exists()  # kept with the damaged file


def test_a_file_that_is_not_sqlite_at_all_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(random.Random(5).randbytes(20_000))
    history, warning = History.open(path, now=RECOVERED_AT)
    with history:
        history.add([event_row(EventKind.STARTED, T0, None, None)])
    assert warning is not None and "0 events" in warning
    assert len(_rows(path)) == 1


def test_a_directory_at_the_path_is_left_where_it_is(tmp_path: Path) -> None:
    """Not a damaged history to move aside: one line saying what it is, and an OSError, on
    which the daemon runs without a history."""
    path = tmp_path / "history.sqlite"
    path.mkdir()
    (path / "notes.txt").write_text("mine")
    with pytest.raises(OSError) as caught:
        History.open(path, now=RECOVERED_AT)
    assert str(caught.value) == (
        f"{path} is a directory, not a history file; move it away to keep a history"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["history.sqlite"]
    assert (path / "notes.txt").read_text() == "mine"


def test_a_second_recovery_in_the_same_second_gets_its_own_name(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    for _ in range(2):
        path.write_bytes(b"\x00garbage" * 1000)
        History.open(path, now=RECOVERED_AT)[0].close()
    assert path.with_name(ASIDE).exists()
    assert path.with_name(f"{ASIDE}-2").exists()
