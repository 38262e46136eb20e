"""The break history: every reminder, snooze, pause and start/stop, in a small SQLite file.

Times are stored as UTC epoch seconds (shown in local time by ``microbreak.stats``). Each event is
one short transaction in WAL mode, so a crash loses at most the event being written and the stats
command can read while the daemon writes. A file that is cut short, corrupt or from a newer
schema is moved aside with a timestamp and a fresh one started, with every row that could still
be read copied over: first through SQLite, and when SQLite gives up part-way, by reading the
table pages of the damaged file directly. Only the standard library is used.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import cast
from urllib.parse import quote

log = logging.getLogger(__name__)

#: ``PRAGMA user_version`` of the files this code writes; a higher one is moved aside.
SCHEMA_VERSION = 1

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events ("
    "id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, exercise TEXT, seconds REAL)",
    # Both indexes cover the queries of microbreak.stats, which never read the table itself:
    # the per-day counts (a time range), the pauses and the exercises done (a kind and a range).
    "CREATE INDEX IF NOT EXISTS events_at ON events (at, kind)",
    "CREATE INDEX IF NOT EXISTS events_kind ON events (kind, at, exercise, seconds)",
)

#: Salvaged rows must look like ours: times between 2000 and 2100, short exercise ids.
_AT_RANGE = (946_684_800, 4_102_444_800)
_MAX_TEXT = 200


class EventKind(str, Enum):
    """What happened; the value is what the database stores."""

    SHOWN = "shown"  # a reminder was shown (exercise: its id)
    DONE = "done"  # the user did the exercise (exercise: its id)
    SNOOZED = "snoozed"  # seconds: how long
    SKIPPED = "skipped"  # a reminder shown and not answered was skipped (exercise: its id)
    PAUSED = "paused"  # seconds: the planned length, None for "until resumed"
    RESUMED = "resumed"  # by hand or because the pause ran out
    NATURAL_BREAK = "natural_break"  # a suspend or idle time; seconds: how long
    POSTPONED_OUT = "postponed_out"  # a held reminder was dropped
    # `skip` with no reminder on screen: the pending one moved to a fresh interval. Not a skip;
    # files from before this kind hold it as SKIPPED without an exercise.
    RESCHEDULED = "rescheduled"
    STARTED = "started"  # the daemon started
    STOPPED = "stopped"  # the daemon stopped cleanly


_KINDS = frozenset(k.value for k in EventKind)


@dataclass(frozen=True, slots=True)
class Event:
    """One row, read back."""

    at: datetime  # aware, UTC
    kind: EventKind
    exercise: str | None = None
    seconds: float | None = None


Row = tuple[int, int, str, str | None, float | None]  # id, at, kind, exercise, seconds


class History:
    """The open history file; safe to use from the timer thread and the GTK thread at once."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.Lock()
        self._failing = False

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, now: datetime | None = None
    ) -> tuple[History, str | None]:
        """Open (or create) the file; the string is a warning to log once if it was moved aside.

        ``now`` only names the moved-aside file (``history.sqlite.corrupt-20261121T221500``).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        problem = _problem(path)
        if problem is None:
            return cls(path, _connect(path)), None
        aside = _move_aside(path, now or datetime.now(timezone.utc))
        had_wal = Path(f"{aside}-wal").exists()
        rows = salvage(aside)
        _tidy(aside, had_wal)
        conn = _connect(path)
        conn.execute("BEGIN")
        conn.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        warning = (
            f"the history file {path} {problem}; moved it to {aside.name} and started a new one "
            f"with the {len(rows)} event{'' if len(rows) == 1 else 's'} that could be read"
        )
        return cls(path, conn), warning

    def record(
        self,
        kind: EventKind,
        at: datetime,
        *,
        exercise: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Append one event. A failing disk is logged (once per run of failures), never raised:
        the history must not stop the reminders."""
        if at.tzinfo is None:
            raise ValueError("record() needs an aware datetime")
        row = (math.floor(at.timestamp()), EventKind(kind).value, exercise, seconds)
        with self._lock:
            if self._conn is None:
                log.debug("history closed; not recording %s", row)
                return
            try:  # autocommit: the one statement is the whole transaction
                self._conn.execute(
                    "INSERT INTO events (at, kind, exercise, seconds) VALUES (?, ?, ?, ?)", row
                )
            except sqlite3.Error as e:
                if not self._failing:
                    log.warning("cannot write to the history file %s: %s", self.path, e)
                self._failing = True
                return
            self._failing = False

    def events(self, since: datetime | None = None, until: datetime | None = None) -> list[Event]:
        """The events in ``[since, until)``, oldest first (for tests and small reads)."""
        low = math.floor(since.timestamp()) if since else -(2**63)
        high = math.floor(until.timestamp()) if until else 2**63 - 1
        with self._lock:
            if self._conn is None:
                raise sqlite3.ProgrammingError("the history is closed")
            rows = self._conn.execute(
                "SELECT at, kind, exercise, seconds FROM events WHERE at >= ? AND at < ? "
                "ORDER BY at, id",
                (low, high),
            ).fetchall()
        return [
            Event(datetime.fromtimestamp(at, timezone.utc), EventKind(kind), exercise, seconds)
            for at, kind, exercise, seconds in rows
            if kind in _KINDS
        ]

    def close(self) -> None:
        """Checkpoint and close; later ``record`` calls are ignored."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def connect_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection (the stats command), which never changes or creates the file."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=5.0)


# -- opening ------------------------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    """Open for writing, in autocommit mode, and create the schema if it is missing."""
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; fsync at checkpoints
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            conn.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


def _problem(path: Path) -> str | None:
    """Why the file cannot be used as it is, or ``None`` if it can (or does not exist yet)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = connect_readonly(path)
    except sqlite3.Error as e:
        return f"could not be opened ({e})"
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            return f"was written by a newer microbreak (schema {version}, this one reads 1)"
        check = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
        if check != ["ok"]:
            lines = [x for r in check for x in r.splitlines() if x and not x.startswith("***")]
            return f"is damaged ({lines[0] if lines else 'failed its integrity check'})"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if version == 0 and not tables:
            return None  # an empty database: the schema is created on connect
        columns = [r[1] for r in conn.execute("PRAGMA table_info(events)")]
        if columns != ["id", "at", "kind", "exercise", "seconds"]:
            return "is not a microbreak history (no events table)"
    except sqlite3.Error as e:
        return f"is damaged ({e})"
    finally:
        conn.close()
    return None


def _move_aside(path: Path, now: datetime) -> Path:
    """Rename the file (and its WAL) to ``<name>.corrupt-YYYYmmddTHHMMSS``."""
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, f"{aside}{suffix}")
    with contextlib.suppress(FileNotFoundError):
        Path(f"{path}-shm").unlink()  # only an index into the WAL; rebuilt from it
    return aside


def _tidy(aside: Path, had_wal: bool) -> None:
    """Remove the empty WAL and shared-memory files reading the moved file left beside it."""
    with contextlib.suppress(OSError):
        Path(f"{aside}-shm").unlink(missing_ok=True)
        wal = Path(f"{aside}-wal")
        if not had_wal and wal.exists() and wal.stat().st_size == 0:
            wal.unlink()


# -- salvage ------------------------------------------------------------------------------------


def salvage(damaged: Path) -> list[Row]:
    """Every row of a damaged file that can still be read whole, ordered by id."""
    rows: dict[int, Row] = {}
    if not _read_with_sqlite(damaged, rows):
        for row in _scan_pages(damaged):
            rows.setdefault(row[0], row)
    return [rows[i] for i in sorted(rows)]


def _read_with_sqlite(path: Path, into: dict[int, Row]) -> bool:
    """Read in id order until SQLite gives up; True if it read the whole table."""
    last = 0
    try:
        conn = connect_readonly(path)
    except sqlite3.Error:
        return False
    try:
        while True:
            batch = conn.execute(
                "SELECT id, at, kind, exercise, seconds FROM events NOT INDEXED "
                "WHERE id > ? ORDER BY id LIMIT 2000",
                (last,),
            ).fetchall()
            if not batch:
                return True
            for row in batch:
                if _valid(row):
                    into[row[0]] = row
            last = batch[-1][0]
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _valid(row: tuple[object, ...]) -> bool:
    """Whether a row read from a damaged file looks like one this code wrote."""
    if len(row) != 5:
        return False
    rowid, at, kind, exercise, seconds = row
    return (
        isinstance(rowid, int)
        and rowid > 0
        and isinstance(at, int)
        and _AT_RANGE[0] <= at < _AT_RANGE[1]
        and kind in _KINDS
        and (exercise is None or (isinstance(exercise, str) and len(exercise) <= _MAX_TEXT))
        and (seconds is None or (isinstance(seconds, float) and math.isfinite(seconds)))
    )


_PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)
_WAL_MAGIC = (0x377F0682, 0x377F0683)


def _scan_pages(path: Path) -> Iterator[Row]:
    """Rows from every intact table leaf page of the file and its WAL, in no particular order.

    The page size comes from the header; if the header is gone, every legal size is tried and
    the one that finds the most rows wins. Cells are decoded by hand (the record format is
    documented and stable) and kept only if they have exactly our five columns with sane values.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return
    sizes: tuple[int, ...] = _PAGE_SIZES
    if data[:16] == b"SQLite format 3\x00":
        size = int.from_bytes(data[16:18], "big")
        size = 65536 if size == 1 else size
        if size in _PAGE_SIZES:
            sizes = (size,)
    for size in sizes:  # without a header: the default size first, the first that finds rows
        pages = -(-len(data) // size)  # a last page cut short may still hold whole cells
        found = [row for n in range(pages) for row in _leaf(data, n * size, size, n)]
        if found:
            yield from found
            break
    yield from _scan_wal(Path(f"{path}-wal"))


def _scan_wal(path: Path) -> Iterator[Row]:
    """Rows from the page images in a WAL file (committed or not: rows are never updated)."""
    try:
        wal = path.read_bytes()
    except OSError:
        return
    if len(wal) < 32 or int.from_bytes(wal[:4], "big") not in _WAL_MAGIC:
        return
    size = int.from_bytes(wal[8:12], "big")
    if size not in _PAGE_SIZES:
        return
    for start in range(32, len(wal) - 24 - size + 1, 24 + size):
        number = int.from_bytes(wal[start : start + 4], "big")
        yield from _leaf(wal, start + 24, size, number - 1)


def _leaf(data: bytes, start: int, size: int, index: int) -> Iterator[Row]:
    """The valid rows of one page if it is a table leaf; ``index`` is 0 for the first page."""
    base = start + (100 if index == 0 else 0)  # page 1 starts with the file header
    end = min(start + size, len(data))
    if base + 8 > end or data[base] != 0x0D:
        return
    cells = int.from_bytes(data[base + 3 : base + 5], "big")
    pointers = base + 8
    if pointers + 2 * cells > end:
        return
    for k in range(cells):
        offset = int.from_bytes(data[pointers + 2 * k : pointers + 2 * k + 2], "big")
        if not pointers + 2 * cells <= start + offset < end:
            continue
        try:
            row = _cell(data, start + offset, end)
        except (IndexError, ValueError, struct.error):
            continue
        if row is not None and _valid(row):
            yield cast(Row, row)


def _cell(data: bytes, i: int, end: int) -> tuple[object, ...] | None:
    """Decode one table-leaf cell: payload length, rowid, then the record."""
    length, i = _varint(data, i)
    rowid, i = _varint(data, i)
    if i + length > end:
        return None  # spills onto an overflow page; ours never do
    payload = data[i : i + length]
    header_size, h = _varint(payload, 0)
    types: list[int] = []
    while h < header_size:
        kind, h = _varint(payload, h)
        types.append(kind)
    if h != header_size or len(types) != 5:
        return None
    values: list[object] = []
    p = header_size
    for kind in types:
        value, p = _value(payload, p, kind)
        values.append(value)
    if p != length or values[0] is not None:  # the INTEGER PRIMARY KEY column is stored as NULL
        return None
    at, kind_, exercise, seconds = values[1:]
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        seconds = float(seconds)  # SQLite stores whole REAL values as integers
    return (rowid, at, kind_, exercise, seconds)


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _value(payload: bytes, p: int, kind: int) -> tuple[object, int]:
    """One column value of a record by its serial type."""
    if kind == 0:
        return None, p
    if kind in _INT_SIZES:
        n = _INT_SIZES[kind]
        if p + n > len(payload):
            raise ValueError("short record")
        return int.from_bytes(payload[p : p + n], "big", signed=True), p + n
    if kind == 7:
        return struct.unpack(">d", payload[p : p + 8])[0], p + 8
    if kind in (8, 9):
        return kind - 8, p
    if kind >= 13 and kind % 2:
        n = (kind - 13) // 2
        if p + n > len(payload):
            raise ValueError("short record")
        return payload[p : p + n].decode("utf-8"), p + n
    raise ValueError("not one of our column types")


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """SQLite's big-endian variable-length integer: 1 to 9 bytes."""
    value = 0
    for j in range(8):
        byte = data[i + j]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, i + j + 1
    return (value << 8) | data[i + 8], i + 9
