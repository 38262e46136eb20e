"""The break history, in a small SQLite file: times in UTC epoch seconds, in WAL mode, so that
``stats`` can read while another process writes. The daemon appends its events to a pending file
(``journal``); ``fold`` moves them in."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

from ...core.events import EventKind
from . import aside_name
from .journal import Row as Event
from .journal import locked, make_room, parse, pending_path

log = logging.getLogger(__name__)

#: ``PRAGMA user_version`` of the files this code writes; a higher one is moved aside.
SCHEMA_VERSION = 1

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events ("
    "id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, exercise TEXT, seconds REAL)",
    # Both indexes cover the queries of usecases/stats.py, which never read the table itself:
    # the per-day counts (a time range), the pauses and the exercises done (a kind and a range).
    "CREATE INDEX IF NOT EXISTS events_at ON events (at, kind)",
    "CREATE INDEX IF NOT EXISTS events_kind ON events (kind, at, exercise, seconds)",
)

#: Salvaged rows must look like ours: times between 2000 and 2100, short exercise ids.
_AT_RANGE = (946_684_800, 4_102_444_800)
_MAX_TEXT = 200
_KINDS = frozenset(k.value for k in EventKind)


Row = tuple[int, int, str, str | None, float | None]  # id, at, kind, exercise, seconds


class History:
    """The open history file, written by ``fold`` (the daemon only appends to the journal)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, now: datetime | None = None
    ) -> tuple[History, str | None]:
        """Open (or create) the file. One that is cut short, corrupt or from a newer schema is
        moved aside (named by ``now``) and a fresh one started with every row SQLite can still
        read from it; the string is then a warning to log once. A directory at ``path`` is
        ``HistoryIsADirectory``."""
        path = Path(path)
        make_room(path)
        problem = _problem(path)
        if problem is None:
            return cls(_connect(path)), None
        aside = _move_aside(path, now or datetime.now(timezone.utc))
        rows = salvage(aside)
        _tidy(aside)
        conn = _connect(path)
        conn.execute("BEGIN")
        conn.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        warning = (
            f"the history file {path} {problem}; moved it to {aside.name} and started a new one "
            f"with the {len(rows)} event{'' if len(rows) == 1 else 's'} that could be read"
        )
        return cls(conn), warning

    def add(self, rows: list[Event]) -> None:
        """Append events (at, kind, exercise, seconds) in one transaction; errors are raised."""
        self._conn.execute("BEGIN")
        self._conn.executemany(
            "INSERT INTO events (at, kind, exercise, seconds) VALUES (?, ?, ?, ?)", rows
        )
        self._conn.execute("COMMIT")

    def close(self) -> None:
        """Checkpoint and close; a second close does nothing."""
        self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def fold(path: str | os.PathLike[str], *, check: bool = True) -> str | None:
    """Move the daemon's pending events into the history at ``path``; what to log, or None.
    With ``check`` the file is first checked as ``History.open`` does (a damaged one moved aside
    and salvaged); without, a file SQLite cannot write leaves the events pending (raised). The
    pending file is emptied after the commit: a crash in between would count its events twice,
    where the other order could lose them."""
    path = Path(path)
    pending = pending_path(path)
    try:
        empty = pending.stat().st_size == 0
    except FileNotFoundError:
        empty = True
    if empty and not check:
        return None
    history, said = History.open(path) if check else (History(_connect(path)), None)
    try:
        with locked(pending, os.O_RDWR) as fd, open(fd, "rb", closefd=False) as file:
            lines = file.read().decode(errors="replace").splitlines(keepends=True)
            rows = [row for row in map(parse, lines) if row is not None]
            if rows:
                history.add(rows)
            os.ftruncate(fd, 0)
    except FileNotFoundError:
        return said
    finally:
        history.close()
    if len(rows) < len(lines):
        dropped = f"dropped {len(lines) - len(rows)} unreadable line(s) of {pending}"
        said = f"{said}; {dropped}" if said else dropped
    return said


def main(argv: list[str]) -> int:
    """``python -m microbreak.adapters.storage.history PATH``: the daemon's start-up ``fold``,
    in a child so that SQLite is never loaded into the daemon; prints the line to log."""
    path = Path(argv[0])
    try:
        said = fold(path)
    except (OSError, sqlite3.Error) as e:
        print(f"the events stay pending: cannot write the history file {path} ({e})")
        return 1
    if said:
        print(said)
    return 0


def connect_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection: it never writes to the database, but SQLite creates the -wal
    and -shm files beside a WAL database that has none (the files a daemon uses while it has
    the database open), and a reader cannot remove them again: see ``reading``."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)


@contextlib.contextmanager
def reading(path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    """A read-only connection for the stats, which leave the files as they found them: the
    -wal and -shm that reading creates when no daemon has the database open are removed after,
    by a plain connection opened and closed (``_close_last``)."""
    path = Path(path)
    sides = (Path(f"{path}-wal"), Path(f"{path}-shm"))
    had_sides = any(side.exists() for side in sides)
    conn = connect_readonly(path)
    try:
        yield conn
    finally:
        conn.close()
        if not had_sides and any(side.exists() for side in sides):
            _close_last(path)


def _close_last(path: Path) -> None:
    """Open and close the database as a writer would: SQLite removes the -wal and -shm when the
    last connection to the database closes, and leaves them to any other (a daemon started
    meanwhile), so that this is safe where removing them here would not be. It writes nothing
    of its own: the WAL is empty, or holds what a daemon that came and went wrote meanwhile,
    which SQLite copies in, as that daemon's own close would have."""
    with contextlib.suppress(sqlite3.Error):
        uri = f"{path.resolve().as_uri()}?mode=rw"  # never creates a database that is gone
        conn = sqlite3.connect(uri, uri=True, timeout=0)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the WAL
        finally:
            conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None)
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
    """Rename the file and its WAL (``aside_name``); the shared-memory index is rebuilt."""
    aside = aside_name(path, now)
    os.replace(path, aside)
    for suffix in ("-wal", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, f"{aside}{suffix}")
    Path(f"{path}-shm").unlink(missing_ok=True)
    return aside


def _tidy(aside: Path) -> None:
    """Remove the shared-memory file and an empty WAL beside the moved file: reading it (the
    check in ``_problem`` before the move too) creates them, and an empty WAL holds nothing.
    A WAL with frames (a daemon that crashed) stays with the file it belongs to."""
    with contextlib.suppress(OSError):
        Path(f"{aside}-shm").unlink(missing_ok=True)
        wal = Path(f"{aside}-wal")
        if wal.exists() and wal.stat().st_size == 0:
            wal.unlink()


_MAX_ID = 2**63 - 1  # SQLite's largest rowid

#: From an id on: SQLite finds the first row by a search down the B-tree (by ``id > ?`` it would
#: search for the row before it, which may sit on the damaged page).
_READ = "SELECT id, at, kind, exercise, seconds FROM events NOT INDEXED WHERE id >= ? ORDER BY id"


def salvage(damaged: Path) -> list[Row]:
    """Every row SQLite can still read from a damaged file (and its WAL), in id order. Where
    SQLite stops at a damaged page, reading carries on from the first id past it that it can
    reach: a search by id only reads the pages down the B-tree, so a bad page costs its rows.
    Rows the table lost are then looked for in the covering index, which holds every column."""
    rows: list[Row] = []
    try:
        conn = connect_readonly(damaged)
    except sqlite3.Error:
        return rows
    try:
        # Opens a file shorter than its header says instead of refusing all of it (read-only).
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA writable_schema = ON")
        start: int | None = 1
        while start is not None:
            stopped = _read_from(conn, start, rows)
            start = None if stopped is None else _next_readable(conn, max(stopped, start))
        _read_index(conn, rows)
    finally:
        conn.close()
    return sorted(rows)


#: The covering index read alone (the rowid is in every index entry): the stats' own path.
_INDEXED = (
    "SELECT id, at, kind, exercise, seconds FROM events INDEXED BY events_kind "
    "WHERE kind = ? ORDER BY at"
)


def _read_index(conn: sqlite3.Connection, into: list[Row]) -> None:
    """Add the rows of the ``events_kind`` index that the table could not give, one kind at a
    time, so that a damaged index page costs only its own rows' kind from there on."""
    have = {row[0] for row in into}
    for kind in sorted(_KINDS):
        try:
            for row in conn.execute(_INDEXED, (kind,)):
                if row[0] not in have and _valid(row):
                    into.append(cast(Row, row))
                    have.add(row[0])
        except sqlite3.Error:
            continue


def _read_from(conn: sqlite3.Connection, start: int, into: list[Row]) -> int | None:
    """Append the rows from id ``start`` on until SQLite gives up; the last id before the
    ones it could not read, or None at the end of the table."""
    last = start - 1
    try:
        for row in conn.execute(_READ, (start,)):
            last = _keep(row, into)
    except sqlite3.Error:
        # When the step past a row fails, Python's sqlite3 drops that row: read it on its own.
        with contextlib.suppress(sqlite3.Error):
            row = _first(conn, last + 1)
            if row is not None:
                last = _keep(row, into)
        return last
    return None


def _keep(row: tuple[object, ...], into: list[Row]) -> int:
    if _valid(row):
        into.append(cast(Row, row))
    return cast(int, row[0])


def _next_readable(conn: sqlite3.Connection, bad: int) -> int | None:
    """The first id past ``bad`` from which SQLite can read again, or None: steps of doubling
    length find a readable place, halving them finds the first one."""
    step = 1
    while _reach(conn, bad + step) is None:
        if bad + step >= _MAX_ID:
            return None
        step = min(2 * step, _MAX_ID - bad)
    low, high = bad + step // 2, bad + step  # unreadable (or bad) at low, readable from high
    while high - low > 1:
        middle = (low + high) // 2
        if _reach(conn, middle) is None:
            low = middle
        else:
            high = middle
    return high if _reach(conn, high) else None


def _reach(conn: sqlite3.Connection, start: int) -> bool | None:
    """Whether a row from id ``start`` on can be read: True, False (none is left), None (damage)."""
    try:
        return _first(conn, start) is not None
    except sqlite3.Error:
        return None


def _first(conn: sqlite3.Connection, start: int) -> tuple[object, ...] | None:
    """The first row from id ``start`` on, read alone (SQLite does not step past it)."""
    row: tuple[object, ...] | None = conn.execute(_READ + " LIMIT 1", (start,)).fetchone()
    return row


def _valid(row: tuple[object, ...]) -> bool:
    _rowid, at, kind, exercise, seconds = row  # the rowid is an integer, read from 1 on
    return (
        isinstance(at, int)
        and _AT_RANGE[0] <= at < _AT_RANGE[1]
        and kind in _KINDS
        and (exercise is None or (isinstance(exercise, str) and len(exercise) <= _MAX_TEXT))
        and (seconds is None or (isinstance(seconds, float) and math.isfinite(seconds)))
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
