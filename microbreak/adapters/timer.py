"""The daemon's only timer: one re-armed APScheduler date job, run on the scheduler's own thread.

Known APScheduler 3 traps and how this avoids them:
- A date job that misfires (runs later than ``misfire_grace_time``) is dropped and the chain of
  reminders would stop: jobs here have ``misfire_grace_time=None`` (run however late) and
  ``coalesce=True``, and the app re-arms in a ``finally`` block after every wake-up.
- Each arming gets a fresh job id and removes the previous job, so the scheduler's own clean-up
  of a finished date job can never delete the job that replaced it; a token makes sure one arming
  fires the callback at most once.
- The scheduler compares wall-clock times but sleeps on the monotonic clock: after the wall clock
  is set back it would keep sleeping for as long as the clock went back. The timer also keeps
  the intended moment on the monotonic clock and fires if APScheduler has not done so shortly
  after it. During suspend both sleep; the app caps every sleep (``App.WATCH``) and its clock
  watcher turns what happened meanwhile into at most one reminder.

Quiet: every wake-up is one thread waking once. The job runs inline on the scheduler's thread
(``DebugExecutor``) and only notes that it is due; the callback runs on that same thread right
after APScheduler has let go of its job-store lock (so the callback can re-arm, and a control
command that arms from another thread can never deadlock against it). The monotonic check lives
in the same loop: the thread never sleeps past it. No executor thread, no guard thread.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: How long after the intended moment (monotonic) the timer steps in for APScheduler.
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


def _scheduler(after_jobs: Callable[[], float | None]) -> Any:
    """A BackgroundScheduler whose loop calls ``after_jobs`` once the due jobs are run.

    ``after_jobs`` returns how many seconds the loop may sleep at most (None: no limit).
    """
    from apscheduler.executors.debug import DebugExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    class Scheduler(BackgroundScheduler):  # type: ignore[misc]
        # _process_jobs is the hook APScheduler's own schedulers (asyncio, Qt, Tornado) drive
        # their loops with; it returns the seconds until the next due job, or None.
        def _process_jobs(self) -> float | None:
            wait: float | None = super()._process_jobs()
            limit = after_jobs()
            if limit is None:
                return wait
            return limit if wait is None else min(wait, limit)

    return Scheduler(
        executors={"default": DebugExecutor()},
        job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        timezone="UTC",
    )


class SchedulerTimer:
    """The production timer, on an APScheduler 3 BackgroundScheduler and its one thread."""

    def __init__(
        self,
        callback: Callable[[], None],
        *,
        grace: float = GUARD_GRACE,
        wall: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._callback = callback
        self._grace = grace
        self._wall = wall
        self._scheduler = _scheduler(self._after_jobs)
        self._ids = itertools.count(1)
        self._job_id: str | None = None
        self._token = 0
        self._due = 0  # the arming whose job APScheduler ran last
        self._fired = 0
        self._deadline: float | None = None  # monotonic: when to fire even if APScheduler has not
        self._running = False
        self._lock = threading.Lock()

    def arm(self, at: datetime) -> None:
        """Replace the pending wake-up with one at ``at``."""
        from apscheduler.jobstores.base import JobLookupError

        delay = max(0.0, (at - self._wall()).total_seconds())
        with self._lock:
            if self._job_id is not None and self._due != self._token:
                # Not run yet: take it out. (One that ran is dropped by APScheduler itself.)
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(self._job_id)
            self._token += 1
            self._job_id = f"wake-{next(self._ids)}"
            self._deadline = time.monotonic() + delay + self._grace
            # add_job wakes the scheduler's thread, which then sleeps until the earlier of the
            # job and the deadline.
            self._scheduler.add_job(
                self._mark_due, "date", run_date=at, id=self._job_id, args=[self._token]
            )
        log.debug("next wake-up at %s", at.isoformat(timespec="seconds"))

    def _mark_due(self, token: int) -> None:
        """The job: runs under APScheduler's job-store lock, so it only takes note."""
        with self._lock:
            self._due = max(self._due, token)

    def _after_jobs(self) -> float | None:
        """On the scheduler's thread after each round: fire if due, and say how long to sleep."""
        with self._lock:
            token = self._token
            if not self._running or self._deadline is None or self._fired == token:
                return None
            late = time.monotonic() - self._deadline
            if self._due != token and late < 0:
                return -late
            self._fired, self._deadline = token, None
        if self._due != token:
            log.info("the scheduler is late (was the clock set back?); waking up anyway")
        try:
            self._callback()
        except Exception:
            log.exception("wake-up failed")
        return None

    def start(self) -> None:
        """Start the scheduler's thread."""
        with self._lock:
            self._running = True
        self._scheduler.start()

    def stop(self) -> None:
        """Shut down without waiting for a running callback."""
        with self._lock:
            self._running = False
        if self._scheduler.running:
            self._scheduler.remove_all_jobs()
            self._scheduler.shutdown(wait=False)
