"""The daemon's side of the history: each event one line appended to ``history.pending``.

SQLite stays out of the daemon: its library and module were 1.4 MB of the daemon's private
memory, for a few inserts an hour. The lines are moved into the SQLite history by
``history.fold``, which ``stats`` runs before it reads and a short child of the daemon runs once
at start-up (checking the file for damage as it does). An append and a fold each hold an
exclusive ``flock`` on the pending file, so no line is lost between a fold's read and its
truncation.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import math
import os
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ...core.events import EventKind

log = logging.getLogger(__name__)

Row = tuple[int, str, str | None, float | None]  # at (UTC epoch seconds), kind, exercise, seconds


def pending_path(history: Path) -> Path:
    """Where the daemon appends the events not yet in ``history``."""
    return history.with_name(f"{history.stem}.pending")


def event_row(kind: EventKind, at: datetime, exercise: str | None, seconds: float | None) -> Row:
    """The row an event is stored as: a line of the journal, then a row of the SQLite history."""
    if at.tzinfo is None:
        raise ValueError("record() needs an aware datetime")
    return math.floor(at.timestamp()), EventKind(kind).value, exercise, seconds


def line(row: Row) -> str:
    """One event as a line: tab-separated, an empty field for a missing value."""
    at, kind, exercise, seconds = row
    return f"{at}\t{kind}\t{exercise or ''}\t{'' if seconds is None else repr(seconds)}\n"


def parse(text: str) -> Row | None:
    """The event a line holds, or None for a line that is not one (cut short by a full disk)."""
    fields = text.rstrip("\n").split("\t")
    if len(fields) != 4 or not text.endswith("\n"):
        return None
    at, kind, exercise, seconds = fields
    try:
        return int(at), EventKind(kind).value, exercise or None, float(seconds) if seconds else None
    except ValueError:
        return None


@contextlib.contextmanager
def locked(path: Path, flags: int) -> Iterator[int]:
    """``path`` opened with ``flags`` and held under an exclusive lock (none on Windows, where
    the daemon and ``stats`` rarely meet)."""
    fd = os.open(path, flags, 0o600)
    try:
        if sys.platform != "win32":
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


class HistoryIsADirectory(IsADirectoryError):
    """A directory where the history file belongs. It is nobody's damaged history, so it is
    left where it is; the daemon runs without a history (an OSError, which it logs)."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        self.path = path

    def __str__(self) -> str:
        return f"{self.path} is a directory, not a history file; move it away to keep a history"


def make_room(history: Path) -> None:
    """Make the history's folder; ``HistoryIsADirectory`` where a directory stands in its place.
    Both the daemon's journal and the SQLite history start here."""
    history.parent.mkdir(parents=True, exist_ok=True)
    if history.is_dir():
        raise HistoryIsADirectory(history)


class EventJournal:
    """The history as the daemon writes it; safe to use from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._failing = False
        self._closed = False

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
        text = line(event_row(kind, at, exercise, seconds))
        with self._lock:
            if self._closed:
                log.debug("history closed; not recording %s", text.strip())
                return
            try:
                with locked(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT) as fd:
                    os.write(fd, text.encode())
            except OSError as e:
                if not self._failing:
                    log.warning("cannot write to the history file %s: %s", self.path, e)
                self._failing = True
                return
            self._failing = False

    def close(self) -> None:
        """Later ``record`` calls are ignored."""
        with self._lock:
            self._closed = True
