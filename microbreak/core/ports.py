"""Every seam between the app and the desktop, in one place: what the app needs, not who gives it.

The composition root (``daemon.run``) hands the app one object for each port; where a part is
absent (no tray, no history, natural breaks off), it hands a do-nothing one from
``adapters/nothing.py``, never ``None``. Tests hand small fakes (``tests/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol

from .clock import Reading
from .events import EventKind
from .exercises import Exercise
from .messages import Message


class Clock(Protocol):
    """Reads the wall, monotonic and boot clocks at once (the system's, or a test's fake)."""

    def read(self) -> Reading: ...

    def zone(self) -> tzinfo:
        """The local time zone now: the same object until the system's zone changes."""
        ...


class Timer(Protocol):
    """Calls back once at a wall-clock time; arming again replaces the previous time."""

    def arm(self, at: datetime) -> None:
        """Call back at ``at`` (or as soon as possible if it has passed)."""

    def start(self, callback: Callable[[], None]) -> None: ...

    def stop(self) -> None:
        """Stop; no callback starts after this returns."""


class Notifier(Protocol):
    """Shows a desktop notification: one reminder on screen at a time."""

    def show(self, message: Message) -> bool:
        """Show ``message``; False when no notification server took it."""

    def withdraw(self) -> None:
        """Remove the shown reminder, answered elsewhere (tray, CLI); never blocks. A
        notifier that cannot close what it showed does nothing."""


class Tray(Protocol):
    """The tray icon, as far as the app drives it."""

    def refresh(self) -> None:
        """Redraw from the app's state: a reminder no notification server took shows as due."""

    def stop(self) -> None: ...


class History(Protocol):
    """Where events go for ``microbreak stats``."""

    def record(
        self,
        kind: EventKind,
        at: datetime,
        *,
        exercise: str | None = None,
        seconds: float | None = None,
    ) -> None: ...

    def close(self) -> None: ...


class Presence(Protocol):
    """Whether the user is away (idle or locked), and for how long."""

    def away_for(self) -> timedelta | None:
        """How long away, or None when present (or when it cannot tell)."""

    def next_look(self) -> timedelta | None:
        """How soon to look again to see an absence of ``natural_break`` (None: unknown)."""

    def close(self) -> None: ...


class DoNotDisturb(Protocol):
    """Why not to interrupt right now (full-screen window, camera in use...), or None."""

    def reason(self) -> str | None: ...

    def close(self) -> None: ...


class IdleSource(Protocol):
    """Seconds since the last keyboard or pointer input, from one desktop backend."""

    name: str

    def idle_seconds(self) -> float | None:
        """Ask the desktop; None when it cannot tell right now."""

    def close(self) -> None: ...


class LockState(Protocol):
    """Whether the screen is locked, asked of every lock screen the desktop may have."""

    def locked(self) -> bool | None:
        """True if locked, False if not, None if nobody can tell."""

    def close(self) -> None: ...


class Chime(Protocol):
    """A sound played with each reminder."""

    def play(self) -> None:
        """Start playing without blocking."""

    def close(self) -> None: ...


class Guide(Protocol):
    """The guide window for one exercise, counted through; at most one open at a time."""

    def open(self, exercise: Exercise, on_end: Callable[[bool | None], None]) -> bool:
        """Open it and return at once; False when it cannot (one is open, no toolkit).

        ``on_end`` is called once, from another thread: True when it ran to the end (or Done),
        False when closed early (Skip), None when it failed or was stopped.
        """

    def dismiss(self, why: str) -> None:
        """Close an open guide whose reminder was answered, set aside or replaced another way
        (``why``, for the log), without calling its ``on_end``; another may open at once."""

    def close(self) -> None:
        """Close an open guide (at quit) without calling its ``on_end``."""


class StateStore(Protocol):
    """Where the planner's state is kept between runs."""

    def load(self) -> tuple[dict[str, Any] | None, str | None]:
        """The saved state (or None) and a warning to log once."""

    def save(self, state: dict[str, object]) -> None:
        """Persist the state atomically."""

    def move_aside(self) -> Path:
        """Keep an unusable state file under another name; returns it."""


class Editor(Protocol):
    """Opens a file in the user's editor without blocking."""

    def open(self, path: Path, failed: Callable[[str], None]) -> None:
        """Open ``path``; a problem is never raised: ``failed`` gets one line saying it (maybe
        later, from another thread)."""
