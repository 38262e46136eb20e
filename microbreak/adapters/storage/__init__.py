"""What microbreak keeps on disk: the planner's state and the event history."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path


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
