"""What microbreak keeps on disk: the planner's state and the event history."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from datetime import datetime, timezone
from pathlib import Path


def write_whole(path: Path, data: bytes, *, private: bool = False, sync: bool = False) -> None:
    """Put ``data`` in ``path`` in one step (a fresh file renamed over it), so that a reader or
    a crash finds the old file or the new, never half of one. ``private``: the user's alone from
    its first byte; ``sync``: on disk before it takes the old one's place. Raises OSError."""
    fresh = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        with open(os.open(fresh, flags, 0o600 if private else 0o666), "wb") as file:
            file.write(data)
            if sync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(fresh, path)
    except BaseException:
        with contextlib.suppress(OSError):
            fresh.unlink()
        raise


def moved_aside(path: Path) -> list[tuple[tuple[str, int], Path]]:
    """The files ``path`` was moved aside to, newest first by the stamp and number in the name."""
    pattern = re.compile(re.escape(path.name) + r"\.corrupt-(\d{8}T\d{6})(?:-(\d+))?")
    found = []
    for other in path.parent.iterdir():
        match = pattern.fullmatch(other.name)
        if match:
            found.append(((match[1], int(match[2] or 1)), other))
    return sorted(found, reverse=True)


def aside_name(path: Path, now: datetime) -> Path:
    """Where to move an unusable ``path``: ``<name>.corrupt-YYYYmmddTHHMMSS``, numbered past
    any of the same second, so that ``moved_aside`` lists it first."""
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S")
    n = max((k for (s, k), _ in moved_aside(path) if s == stamp), default=0) + 1
    return path.with_name(f"{path.name}.corrupt-{stamp}" + (f"-{n}" if n > 1 else ""))
