"""Small fakes for the pure core and fast scenario tests: a clock, a timer, a notifier, a store,
an editor, a guide, and the settings and ports the app is built from; the catalog by id, and
history files filled through the code that writes them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from pathlib import Path
from typing import Any

from microbreak.adapters.nothing import NoChime, NoDoNotDisturb, NoHistory, NoPresence, NoTray
from microbreak.adapters.storage.history import History
from microbreak.adapters.storage.journal import event_row
from microbreak.app import App, Ports
from microbreak.core.clock import Reading
from microbreak.core.events import EventKind
from microbreak.core.exercises import CATALOG, Exercise
from microbreak.core.messages import Message
from microbreak.core.rotation import Selection
from microbreak.settings.record import WEEKDAYS, Runtime

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # a Monday morning


@dataclass
class FakeClock:
    """Three clocks that move only when told: awake time, suspend, and wall-clock jumps."""

    wall: float = START.timestamp()
    monotonic: float = 1000.0
    boottime: float = 1000.0
    tz: tzinfo = timezone.utc  # the system's zone; set it to move the user elsewhere

    def read(self) -> Reading:
        return Reading(self.wall, self.monotonic, self.boottime)

    def zone(self) -> tzinfo:
        return self.tz

    @property
    def now(self) -> datetime:
        return self.read().now

    def advance(self, seconds: float) -> None:
        """Time passes with the machine awake."""
        self.wall += seconds
        self.monotonic += seconds
        self.boottime += seconds

    def suspend(self, seconds: float) -> None:
        """The machine sleeps: BOOTTIME and the wall clock move ahead of MONOTONIC."""
        self.wall += seconds
        self.boottime += seconds

    def jump(self, seconds: float) -> None:
        """Someone sets the wall clock."""
        self.wall += seconds


@dataclass
class FakeTimer:
    """Remembers the one armed wake-up, and like the real one it sleeps on the monotonic clock.

    ``deadline`` is the monotonic reading at which the real timer would call back: a suspend
    delays it, a wall-clock jump does not.
    """

    clock: FakeClock
    armed: datetime | None = None
    deadline: float = float("inf")
    arm_count: int = 0
    started: bool = False

    def arm(self, at: datetime) -> None:
        self.armed = at
        self.deadline = self.clock.monotonic + max(0.0, (at - self.clock.now).total_seconds())
        self.arm_count += 1

    def start(self, callback: Callable[[], None]) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False


@dataclass
class RecordingNotifier:
    """Keeps every message with the fake time it was shown at."""

    clock: FakeClock
    delivered: bool = True
    shown: list[tuple[datetime, Message]] = field(default_factory=list)
    withdrawn: list[datetime] = field(default_factory=list)

    def show(self, message: Message) -> bool:
        self.shown.append((self.clock.now, message))
        return self.delivered

    def withdraw(self) -> None:
        self.withdrawn.append(self.clock.now)

    def times(self) -> list[datetime]:
        return [t for t, _ in self.shown]


class DrawingTray:
    """Draws what PystrayTray draws on each refresh: the app's tray wording of the line."""

    def __init__(self) -> None:
        self.app: App | None = None  # given once the app exists, as PystrayTray.run is
        self.drawn: list[str] = []

    def refresh(self) -> None:
        if self.app is not None:
            self.drawn.append(self.app.status_line(countdown=False))

    def stop(self) -> None:
        pass


def gaps(times: list[datetime]) -> list[timedelta]:
    """The spacing between consecutive times."""
    return [b - a for a, b in pairwise(times)]


@dataclass
class MemoryStore:
    """The state store, kept in memory: what was saved last is what the next start loads."""

    saved: dict[str, object] | None = None
    moved: int = 0

    def load(self) -> tuple[dict[str, Any] | None, str | None]:
        return (dict(self.saved) if self.saved is not None else None), None

    def save(self, state: dict[str, object]) -> None:
        self.saved = dict(state)

    def move_aside(self) -> Path:
        self.moved += 1
        self.saved = None
        return Path(f"state.json.corrupt-{self.moved}")


class NoGuide:
    """No guide window: reminders only."""

    def open(self, exercise: Exercise, on_end: Callable[[bool | None], None]) -> bool:
        return False

    def dismiss(self, why: str) -> None: ...
    def close(self) -> None: ...


def by_id() -> dict[str, Exercise]:
    """The built-in catalog by id; a fresh dict, so a test's edits cannot touch the catalog."""
    return {exercise.id: exercise for exercise in CATALOG}


Event = tuple[EventKind, datetime, str | None, float | None]  # kind, at, exercise, seconds


def write_history(path: Path, events: Iterable[Event]) -> Path:
    """A history file at ``path`` holding ``events`` too, added as ``fold`` adds them."""
    history, warning = History.open(path)
    assert warning is None, warning
    with history:
        history.add([event_row(*event) for event in events])
    return path


@dataclass
class RecordingEditor:
    """Remembers each file it was asked to open."""

    opened: list[Path] = field(default_factory=list)

    def open(self, path: Path, failed: Callable[[str], None]) -> None:
        self.opened.append(path)


def scenario_settings(**changes: Any) -> Runtime:
    """The settings record with the scenario tests' defaults: reminders every 30 to 60 min,
    snooze 5/10/15 min, a 5-minute natural break, seated exercises, no config file."""
    base = Runtime(
        min_interval=1800.0,
        max_interval=3600.0,
        snooze_choices=[300.0, 600.0, 900.0],
        morning="08:00:00",
        natural_break=300.0,
        detect_idle=False,
        daily_goal=6,
        notification={"timeout": 20.0, "sound": False},
        exercises={"positions": ["seated"], "include": [], "exclude": []},
        work_hours={"enabled": False, "days": [], "hours": [], "by_day": {}},
        do_not_disturb={"max_postpone": 1800.0},
        config_path="/nonexistent/config.toml",
        config_exists=False,
    )
    return replace(base, **changes)


def with_selection(settings: Runtime, selection: Selection) -> Runtime:
    """The settings with the exercise selection of ``selection``."""
    chosen = {
        "positions": sorted(p.value for p in selection.positions),
        "include": list(selection.include),
        "exclude": list(selection.exclude),
    }
    return replace(settings, exercises={**settings.exercises, **chosen})


def with_work_week(settings: Runtime, days: Sequence[Sequence[str]]) -> Runtime:
    """The settings with working hours on: ``days`` gives each weekday's ranges, Monday first."""
    by_day = {name: list(day) for name, day in zip(WEEKDAYS, days, strict=True)}
    return replace(
        settings, work_hours={"enabled": True, "days": [], "hours": [], "by_day": by_day}
    )


def fake_ports(clock: FakeClock, **changes: Any) -> Ports:
    """Every port the app takes: fakes for the clock, timer, notifier, store and editor, and
    the do-nothing parts a desktop may lack; ``changes`` swaps any of them."""
    parts: dict[str, Any] = {
        "clock": clock,
        "timer": FakeTimer(clock),
        "notifier": RecordingNotifier(clock),
        "tray": NoTray(),
        "store": MemoryStore(),
        "history": NoHistory(),
        "chime": NoChime(),
        "presence": NoPresence(),
        "dnd": NoDoNotDisturb(),
        "editor": RecordingEditor(),
        "guide": NoGuide(),
    }
    parts.update(changes)
    return Ports(**parts)
