"""The daemon's only timer: one thread that sleeps on the monotonic clock until the armed moment.

A wall-clock moment is turned into a wait when it is armed, so a clock set back cannot make the
thread oversleep and a clock set forward cannot make it fire early; the app looks at the clocks
at least every five minutes, re-arms, and handles jumps and suspends itself. The standard
library's ``Condition.wait`` is all it takes. APScheduler 3 did this job before: importing it
cost the daemon a ninth of its private memory (it imports ``asyncio`` and reads every installed
package's metadata) for one re-armed date job.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class MonotonicTimer:
    """The ``Timer`` port: one armed moment at a time, waited for on the monotonic clock."""

    def __init__(self, *, wall: Callable[[], datetime] = _utc_now) -> None:
        self._wall = wall
        self._callback: Callable[[], None] = lambda: None  # until ``start`` gives one
        self._wakeup = threading.Condition()
        self._due: float | None = None  # the armed moment on the monotonic clock
        self._running = False
        self._thread: threading.Thread | None = None

    def arm(self, at: datetime) -> None:
        """Call back at ``at``; a moment already past calls back at once. Never waits for a
        callback that is running, so the callback and other threads may arm."""
        delay = max(0.0, (at - self._wall()).total_seconds())
        with self._wakeup:
            self._due = time.monotonic() + delay
            self._wakeup.notify()
        log.debug("next wake-up at %s", at.isoformat(timespec="seconds"))

    def start(self, callback: Callable[[], None]) -> None:
        with self._wakeup:
            self._callback, self._running = callback, True
        self._thread = threading.Thread(target=self._sleep, name="microbreak-timer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop; a callback already running is waited for (unless this is it)."""
        with self._wakeup:
            self._running = False
            self._wakeup.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _left(self) -> float | None:
        """Seconds until the armed moment (None: nothing armed); at most 0 once it passed."""
        return None if self._due is None else self._due - time.monotonic()

    def _sleep(self) -> None:
        """The thread: wait for the armed moment, call back once, wait for the next arming."""
        while True:
            with self._wakeup:
                while self._running and ((left := self._left()) is None or left > 0):
                    self._wakeup.wait(left)
                if not self._running:
                    return
                self._due, callback = None, self._callback
            try:
                callback()
            except Exception:
                log.exception("wake-up failed")
