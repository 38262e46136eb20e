"""Suspends and wall-clock jumps, told apart by comparing three clocks between two readings.

Linux stops ``CLOCK_MONOTONIC`` during suspend but not ``CLOCK_BOOTTIME``; the wall clock can be
set by hand or by NTP. The readings come through the ``Clock`` port, so a test's fake clock can
suspend and jump at will (``adapters/clock.py`` reads the real ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ports import Clock

#: Differences below this are scheduling noise and NTP slewing, not events.
TOLERANCE = 5.0


@dataclass(frozen=True, slots=True)
class Reading:
    """One look at the three clocks, in seconds."""

    wall: float
    monotonic: float
    boottime: float

    @property
    def now(self) -> datetime:
        """The wall time as an aware UTC datetime, which is what the core takes."""
        return datetime.fromtimestamp(self.wall, timezone.utc)


@dataclass(frozen=True, slots=True)
class ClockEvents:
    """What happened between two readings."""

    slept: timedelta = timedelta(0)
    jumped: timedelta = timedelta(0)


class ClockWatcher:
    """Remembers the last reading and reports suspends and jumps since then."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = clock.read()

    def check(self) -> tuple[Reading, ClockEvents]:
        """Read the clocks and compare with the last check."""
        now = self._clock.read()
        last, self._last = self._last, now
        awake = now.monotonic - last.monotonic
        elapsed = now.boottime - last.boottime
        slept = elapsed - awake
        jumped = (now.wall - last.wall) - elapsed
        return now, ClockEvents(
            slept=timedelta(seconds=slept) if slept > TOLERANCE else timedelta(0),
            jumped=timedelta(seconds=jumped) if abs(jumped) > TOLERANCE else timedelta(0),
        )
