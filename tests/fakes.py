"""Small fakes for the pure core and fast scenario tests: a clock, a timer, a notifier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import pairwise

from microbreak.adapters.clock import Reading
from microbreak.core.messages import Message

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # a Monday morning


@dataclass
class FakeClock:
    """Three clocks that move only when told: awake time, suspend, and wall-clock jumps."""

    wall: float = START.timestamp()
    monotonic: float = 1000.0
    boottime: float = 1000.0

    def read(self) -> Reading:
        return Reading(self.wall, self.monotonic, self.boottime)

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

    ``deadline`` is the monotonic reading at which the real timer (APScheduler plus its
    monotonic guard) would call back: a suspend delays it, a wall-clock jump does not.
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

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False


@dataclass
class RecordingNotifier:
    """Keeps every message with the fake time it was shown at."""

    clock: FakeClock
    delivered: bool = True
    shown: list[tuple[datetime, Message]] = field(default_factory=list)

    def show(self, message: Message) -> bool:
        self.shown.append((self.clock.now, message))
        return self.delivered

    def times(self) -> list[datetime]:
        return [t for t, _ in self.shown]


def gaps(times: list[datetime]) -> list[timedelta]:
    """The spacing between consecutive times."""
    return [b - a for a, b in pairwise(times)]
