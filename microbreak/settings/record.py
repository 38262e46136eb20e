"""The validated settings the daemon runs on, as a plain record that needs no pydantic.

``microbreak run`` validates the config with pydantic, then replaces itself (``exec``)
with a lean daemon process that receives this record as JSON: the daemon then carries neither
pydantic nor its compiled core in memory (about 27 MB of RSS), which keeps it under its budget.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import time, timedelta
from pathlib import Path

from ..core.exercises import Exercise, Position
from ..core.planner import Policy
from ..core.rotation import Selection
from ..core.work_hours import WorkWeek


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything the daemon needs from the settings and the command line."""

    min_interval: float  # seconds
    max_interval: float
    snooze_choices: tuple[float, ...]
    morning: str  # HH:MM
    natural_break: float
    notification_timeout: float
    positions: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    config_path: str
    config_exists: bool
    daily_goal: int = 6
    detect_idle: bool = True
    sound: bool = False
    dnd: tuple[tuple[str, bool], ...] = ()
    max_postpone: float = 1800.0
    #: Per weekday, Monday first, the "HH:MM-HH:MM" ranges; None: working hours are off.
    work_hours: tuple[tuple[str, ...], ...] | None = None
    #: Where exercise files are read, lowest first; None: the usual dirs (``exercise_dirs()``).
    exercise_dirs: tuple[str, ...] | None = None
    tray: bool = True
    verbose: bool = False

    def to_json(self) -> str:
        """Serialise for the daemon's command line."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Runtime:
        """Read back what ``to_json`` wrote (tuples come back from JSON lists)."""
        data = json.loads(text)
        for key in ("snooze_choices", "positions", "include", "exclude"):
            data[key] = tuple(data[key])
        data["dnd"] = tuple((str(k), bool(v)) for k, v in data.get("dnd", ()))
        if data.get("exercise_dirs") is not None:
            data["exercise_dirs"] = tuple(data["exercise_dirs"])
        if data.get("work_hours") is not None:
            data["work_hours"] = tuple(tuple(day) for day in data["work_hours"])
        return cls(**data)

    def policy(self) -> Policy:
        """The core's schedule policy."""
        return Policy(
            timedelta(seconds=self.min_interval),
            timedelta(seconds=self.max_interval),
            time.fromisoformat(self.morning),
            timedelta(seconds=self.natural_break),
            timedelta(seconds=self.max_postpone),
        )

    def work_week(self) -> WorkWeek | None:
        """The working hours, or None when they are off."""
        return WorkWeek.parse(self.work_hours) if self.work_hours is not None else None

    def selection(self) -> Selection:
        """The core's exercise selection."""
        return Selection(frozenset(Position(p) for p in self.positions), self.include, self.exclude)

    def catalog(self) -> tuple[Exercise, ...]:
        """The built-in exercises merged with the files the config check read (stdlib only).

        Raises CatalogError (a ConfigError) if a file went bad since ``microbreak run`` checked.
        """
        from .exercise_files import catalog

        dirs = None if self.exercise_dirs is None else [Path(d) for d in self.exercise_dirs]
        return catalog(dirs)

    def snoozes(self) -> tuple[timedelta, ...]:
        """The Snooze menu's durations."""
        return tuple(timedelta(seconds=s) for s in self.snooze_choices)

    @property
    def path(self) -> Path:
        """The config file (which may not exist yet)."""
        return Path(self.config_path)
