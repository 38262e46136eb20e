"""The daemon's only timer: one re-armed APScheduler date job, with a monotonic guard.

Known APScheduler 3 traps and how this avoids them:
- A date job that misfires (runs later than ``misfire_grace_time``) is dropped and the chain of
  reminders would stop: jobs here have ``misfire_grace_time=None`` (run however late) and
  ``coalesce=True``, and the app re-arms in a ``finally`` block after every wake-up.
- Each arming gets a fresh job id and removes the previous job, so the scheduler's own clean-up
  of a finished date job can never delete the job that replaced it; a token makes sure one arming
  fires the callback at most once.
- The scheduler compares wall-clock times but sleeps on the monotonic clock: after the wall clock
  is set back it would keep sleeping for as long as the clock went back. A guard thread sleeping
  on the monotonic clock fires the armed callback if APScheduler has not done so shortly after
  the intended delay. During suspend both sleep; the app caps every sleep (``App.WATCH``) and
  its clock watcher turns what happened meanwhile into at most one reminder.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Protocol

log = logging.getLogger(__name__)

#: How long after the intended moment the guard steps in for APScheduler.
GUARD_GRACE = 2.0


class Timer(Protocol):
    """Calls back once at a wall-clock time; arming again replaces the previous time."""

    def arm(self, at: datetime) -> None:
        """Call the callback at ``at`` (or as soon as possible if it has passed)."""
        ...

    def start(self) -> None:
        """Begin running callbacks."""
        ...

    def stop(self) -> None:
        """Stop; no callback starts after this returns."""
        ...


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SchedulerTimer:
    """The production timer, on an APScheduler 3 BackgroundScheduler with one worker thread."""

    def __init__(
        self,
        callback: Callable[[], None],
        *,
        grace: float = GUARD_GRACE,
        wall: Callable[[], datetime] = _utc_now,
    ) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._callback = callback
        self._grace = grace
        self._wall = wall
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone="UTC",
        )
        self._ids = itertools.count(1)
        self._job_id: str | None = None
        self._token = 0
        self._fired = 0
        self._deadline: float | None = None
        self._guard_idle = False
        self._running = False
        self._cond = threading.Condition()
        self._guard = threading.Thread(target=self._guard_loop, name="timer-guard", daemon=True)

    def arm(self, at: datetime) -> None:
        """Replace the pending wake-up with one at ``at``."""
        from apscheduler.jobstores.base import JobLookupError

        delay = max(0.0, (at - self._wall()).total_seconds())
        with self._cond:
            if self._job_id is not None and self._fired != self._token:
                # Not run yet: take it out. (One that ran is dropped by APScheduler itself,
                # and asking for it again would only contend for the scheduler's lock.)
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(self._job_id)
            self._token += 1
            self._job_id = f"wake-{next(self._ids)}"
            self._scheduler.add_job(
                self._fire, "date", run_date=at, id=self._job_id, args=[self._token]
            )
            deadline = time.monotonic() + delay + self._grace
            # Wake the guard only to bring its deadline forward: when the new one is later (the
            # usual case, re-arming from the callback) it wakes at the old one and sleeps on.
            earlier = self._deadline is None or deadline < self._deadline
            self._deadline = deadline
            if earlier or self._guard_idle:
                self._cond.notify_all()
        log.debug("next wake-up at %s", at.isoformat(timespec="seconds"))

    def _fire(self, token: int) -> None:
        """Run the callback for arming ``token`` unless it ran already or was replaced."""
        with self._cond:
            if not self._running or token != self._token or self._fired == token:
                return
            self._fired = token
        self._callback()

    def _guard_loop(self) -> None:
        with self._cond:
            while self._running:
                if self._deadline is None or self._fired == self._token:
                    # Nothing armed, or the arming already fired: sleep until the next arm().
                    self._deadline = None
                    self._guard_idle = True
                    self._cond.wait()
                    self._guard_idle = False
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                token, self._deadline = self._token, None
                log.info("the scheduler is late (was the clock set back?); waking up anyway")
                self._cond.release()
                try:
                    self._fire_unguarded(token)
                finally:
                    self._cond.acquire()

    def _fire_unguarded(self, token: int) -> None:
        try:
            self._fire(token)
        except Exception:
            log.exception("wake-up failed")

    def start(self) -> None:
        """Start the scheduler and the guard."""
        with self._cond:
            self._running = True
        self._scheduler.start()
        self._guard.start()

    def stop(self) -> None:
        """Shut down without waiting for a running callback."""
        with self._cond:
            self._running = False
            self._cond.notify_all()
        if self._scheduler.running:
            # Taking the jobs out first waits for a job run in progress to be booked; shutting
            # down under it makes APScheduler's thread die on a JobLookupError.
            self._scheduler.remove_all_jobs()
            self._scheduler.shutdown(wait=False)
