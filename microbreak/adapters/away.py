"""Is the user away? Idle time at least ``natural_break``, or a locked screen."""

from __future__ import annotations

from datetime import timedelta

from ..core.ports import IdleSource, LockState

#: Idle this long before the lock screen is asked whether it is up.
LOCK_AFTER = timedelta(minutes=1)


class Away:
    """Combines idle time and the lock state into "away for how long", or None when present."""

    def __init__(self, idle: IdleSource, lock: LockState, threshold: timedelta) -> None:
        self._idle = idle
        self._lock = lock
        self.threshold = threshold
        #: The idle time read by the last ``away_for`` (None: unknown).
        self.last_idle: timedelta | None = None

    def away_for(self) -> timedelta | None:
        """How long the user has been away, if at least the threshold; else None."""
        seconds = self._idle.idle_seconds()
        idle = self.last_idle = timedelta(seconds=seconds) if seconds is not None else None
        if idle is not None and idle >= self.threshold:
            return idle  # away already: no need to ask about the lock screen
        # Someone who typed a moment ago is not behind a lock screen: ask it (a few D-Bus
        # calls) only when the idle time is unknown or a minute has gone by.
        ask_lock = idle is None or idle >= LOCK_AFTER
        if ask_lock and self._lock.locked():
            return max(idle or self.threshold, self.threshold)
        return None

    def next_look(self) -> timedelta | None:
        """How soon an absence of ``threshold`` could first be seen: not before ``threshold -
        last_idle`` from now; with no idle time to go by (only a lock screen), twice per threshold.
        """
        if self.last_idle is None:
            return self.threshold / 2
        return max(self.threshold - self.last_idle, timedelta(seconds=1))

    def close(self) -> None:
        self._idle.close()
        self._lock.close()
