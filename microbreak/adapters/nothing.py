"""Do-nothing stand-ins for the parts a desktop (or the settings) may lack.

The app takes every port in its constructor; where there is no tray, no history, no chime or
no detector, the composition root passes one of these, so the app never checks for ``None``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..core.events import EventKind


class NoTray:
    """No tray icon (``--no-tray``, or none could dock): the status lives in the CLI and log."""

    def refresh(self) -> None: ...
    def stop(self) -> None: ...


class NoHistory:
    """No history file could be opened: events are not kept."""

    def record(
        self,
        kind: EventKind,
        at: datetime,
        *,
        exercise: str | None = None,
        seconds: float | None = None,
    ) -> None: ...
    def close(self) -> None: ...


class NoChime:
    """``notification.sound`` is off."""

    def play(self) -> None: ...
    def close(self) -> None: ...


class NoPresence:
    """Natural breaks are off (``detect_idle = false``): the user always counts as present."""

    def away_for(self) -> timedelta | None:
        return None

    def next_look(self) -> timedelta | None:
        return None

    def close(self) -> None: ...


class NoDoNotDisturb:
    """Every do-not-disturb check is off: nothing holds a reminder back."""

    def reason(self) -> str | None:
        return None

    def close(self) -> None: ...
