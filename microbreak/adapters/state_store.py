"""The planner's state on disk, so a pause or a pending reminder survives a restart or a reboot.

Written atomically (a temporary file in the same directory, fsync, rename), so a crash or a full
disk leaves either the old file or the new one, never half of one. A file that is cut short,
corrupt or written by a newer microbreak is moved aside with a timestamp and a fresh start is
made; the caller tells the user once.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

VERSION = 1


class StateStore:
    """``state.json`` in the user state dir."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> tuple[dict[str, Any] | None, str | None]:
        """The saved planner state, and a warning to show once if the file was unusable."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as e:
            return None, f"cannot read {self.path} ({e}); starting afresh"
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("planner"), dict):
                raise ValueError("not a microbreak state file")
            version = data.get("version")
            if not isinstance(version, int) or version > VERSION:
                raise ValueError(f"state version {version!r} is newer than this microbreak")
        except ValueError as e:  # json.JSONDecodeError is a ValueError
            aside = self.move_aside()
            return (
                None,
                f"{self.path} was unusable ({e}); moved it to {aside.name}, starting afresh",
            )
        planner: dict[str, Any] = data["planner"]
        return planner, None

    def move_aside(self) -> Path:
        """Rename the file to ``state.json.corrupt-YYYYmmddTHHMMSS`` and return the new path."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        os.replace(self.path, aside)
        return aside

    def save(self, planner: dict[str, object]) -> None:
        """Write atomically: readers see the old state or the new, never a torn file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"version": VERSION, "planner": planner}, indent=1).encode()
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
