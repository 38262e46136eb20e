"""The one settings record: the validated settings in their JSON form, which needs no pydantic.

``config.runtime`` builds it from ``Settings.model_dump(mode="json")``, so no field is copied by
hand. ``microbreak run`` validates, then execs a lean daemon that receives it as JSON and so
carries no pydantic (about 27 MB of RSS); the methods derive the core's types from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from ..core.exercises import Exercise, Position
from ..core.planner import Policy
from ..core.rotation import Selection
from ..core.work_hours import WorkWeek

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours_by_day(work: Mapping[str, Any]) -> list[list[str]]:
    """Each weekday's ranges of ``[work_hours]``: its by_day entry, else hours on a working day."""
    return [work["by_day"].get(d, work["hours"] if d in work["days"] else []) for d in WEEKDAYS]


@dataclass(frozen=True, slots=True)
class Runtime:
    """Every setting under its config name, then what the command line and the files add."""

    min_interval: float  # seconds
    max_interval: float
    snooze_choices: list[float]
    morning: str  # HH:MM:SS
    natural_break: float
    detect_idle: bool
    daily_goal: int
    notification: dict[str, Any]  # each table as in the file, durations in seconds
    exercises: dict[str, Any]
    work_hours: dict[str, Any]
    do_not_disturb: dict[str, Any]
    config_path: str
    config_exists: bool
    #: The settings' ``gnome_breaks_warning``, placed with the defaults: a record without it
    #: (made by hand, or cached before the key existed) means the default.
    gnome_breaks_warning: bool = True
    #: Where exercise files are read, lowest first; None: the usual dirs (``exercise_dirs()``).
    exercise_dirs: tuple[str, ...] | None = None
    tray: bool = True
    verbose: bool = False
    #: The ``language`` setting (``auto``: the desktop's); last, so older records still load.
    language: str = "auto"

    def to_json(self) -> str:
        """One line of JSON, for the daemon's command line and ``config check --json``."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Runtime:
        """Read back what ``to_json`` wrote."""
        data = json.loads(text)
        if data.get("exercise_dirs") is not None:
            data["exercise_dirs"] = tuple(data["exercise_dirs"])
        return cls(**data)

    def policy(self) -> Policy:
        return Policy(
            timedelta(seconds=self.min_interval),
            timedelta(seconds=self.max_interval),
            time.fromisoformat(self.morning),
            timedelta(seconds=self.natural_break),
            timedelta(seconds=self.do_not_disturb["max_postpone"]),
        )

    def work_week(self) -> WorkWeek | None:
        """The working hours, or None when they are off."""
        work = self.work_hours
        return WorkWeek.parse(hours_by_day(work)) if work["enabled"] else None

    def selection(self) -> Selection:
        ex = self.exercises
        positions = frozenset(Position(p) for p in ex["positions"])
        return Selection(positions, tuple(ex["include"]), tuple(ex["exclude"]))

    def catalog(self) -> tuple[Exercise, ...]:
        """The merged catalog of the dirs the check read; ConfigError if one went bad since."""
        from .exercise_files import read_catalog

        return read_catalog(self.exercise_dirs).exercises

    def snoozes(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(seconds=s) for s in self.snooze_choices)

    @property
    def notification_timeout(self) -> float:
        """How long a reminder stays on screen, in seconds."""
        return float(self.notification["timeout"])

    @property
    def sound(self) -> bool:
        return bool(self.notification["sound"])

    @property
    def dnd(self) -> tuple[tuple[str, bool], ...]:
        """The do-not-disturb checks, each with whether it is on."""
        return tuple((k, v) for k, v in self.do_not_disturb.items() if isinstance(v, bool))

    @property
    def path(self) -> Path:
        return Path(self.config_path)
