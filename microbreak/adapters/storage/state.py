"""The planner's state on disk, so a pause or a pending reminder survives a restart. A file
that is cut short, corrupt, from a newer microbreak or missing a key is moved aside and a fresh
start made."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...paths import write_whole
from . import aside_name, moved_aside

VERSION = 1
#: How many moved-aside files are kept, so that a file that keeps going bad cannot fill the disk.
KEEP_CORRUPT = 3


class StateStore:
    """The planner's state file, read at start and written whenever the state changes."""

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
            if type(version) is not int or version != VERSION:  # not bool, not float
                newer = type(version) is int and version > VERSION
                what = "newer than this microbreak" if newer else "not one microbreak writes"
                raise ValueError(f"state version {_short(version)} is {what}")
            _check(data["planner"])
        except (ValueError, RecursionError) as e:  # json.JSONDecodeError is a ValueError
            try:
                aside = self.move_aside()
            except OSError as moved:
                return None, f"{self.path} was unusable ({e}) and could not be moved ({moved})"
            return (
                None,
                f"{self.path} was unusable ({e}); moved it to {aside.name}, starting afresh",
            )
        planner: dict[str, Any] = data["planner"]
        return planner, None

    def move_aside(self) -> Path:
        """Rename the file to ``state.json.corrupt-YYYYmmddTHHMMSS``, keeping only the newest
        ``KEEP_CORRUPT`` of those; the new path."""
        aside = aside_name(self.path, datetime.now(timezone.utc))
        os.replace(self.path, aside)
        for _, old in moved_aside(self.path)[KEEP_CORRUPT:]:
            with contextlib.suppress(OSError):
                old.unlink()
        return aside

    def save(self, state: dict[str, object]) -> None:
        """Write atomically: readers see the old state or the new, never a torn file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"version": VERSION, "planner": state}, indent=1).encode()
        write_whole(self.path, payload, private=True, sync=True)


_MODES = ("running", "snoozed", "paused")


def _check(planner: dict[str, Any]) -> None:
    """Raise ValueError naming the first key that is missing or of the wrong type: a
    hand-edited file is moved aside like a corrupt one instead of failing later in the planner.
    """
    mode = planner.get("mode")
    if mode not in _MODES:  # a tuple, not a set: an unhashable value must not raise TypeError
        raise ValueError(f"mode is {_short(mode)}, not one of {', '.join(_MODES)}")
    _time(planner, "saved_at", required=True)
    off_duty = planner.get("off_duty", False)
    if not isinstance(off_duty, bool):
        raise ValueError("off_duty is not true or false")
    # A running schedule has a due time, except outside working hours (it waits for them,
    # and says so with an explicit null).
    if mode != "paused" and "due" not in planner:
        raise ValueError("due is missing")
    _time(planner, "due", required=mode != "paused" and not off_duty)
    for key in ("paused_until", "last_shown", "held_since", "away_since"):
        _time(planner, key, required=False)
    for key in ("again", "unanswered", "last"):
        if not isinstance(planner.get(key), str | None):
            raise ValueError(f"{key} is {_short(planner.get(key))}, not an exercise id")
    if not isinstance(planner.get("held_reason"), str | None):
        raise ValueError(f"held_reason is {_short(planner.get('held_reason'))}, not a text")
    deck = planner.get("deck", [])
    if not isinstance(deck, list) or not all(isinstance(i, str) for i in deck):
        raise ValueError("deck is not a list of exercise ids")
    if not isinstance(planner.get("pause_is_relative", False), bool):
        raise ValueError("pause_is_relative is not true or false")


def _time(planner: dict[str, Any], key: str, *, required: bool) -> None:
    value = planner.get(key)
    if value is None:
        if required:
            raise ValueError(f"{key} is missing")
        return
    if not isinstance(value, str):
        raise ValueError(f"{key} is {_short(value)}, not a time")
    if datetime.fromisoformat(value).tzinfo is None:  # raises ValueError itself if no time
        raise ValueError(f"{key} has no time zone")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
