"""The daemon's only timer: one re-armed APScheduler 3 date job, run inline on the scheduler's
own thread (``DebugExecutor``). Each arming is a job of its own id, so the listener fires each at
most once. Suspend is the app's to handle (it caps every sleep)."""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

log = logging.getLogger(__name__)

#: How long after the intended moment (monotonic) the timer steps in for APScheduler.
GUARD_GRACE = 2.0


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _wake(guard: float) -> None:
    """The job: nothing to do (``guard`` is read by the job store from the job's kwargs)."""


def _guarded_store() -> Any:
    """A memory job store that never lets the scheduler sleep past a job's ``guard``: the
    ``time.monotonic()`` by which it must have run. APScheduler compares wall-clock times but
    sleeps on the monotonic clock, so after the clock is set back it would oversleep."""
    from apscheduler.jobstores.memory import MemoryJobStore

    def left(job: Any) -> float:
        guard: float = job.kwargs["guard"]
        return guard - time.monotonic()

    class GuardedStore(MemoryJobStore):  # type: ignore[misc]
        def get_due_jobs(self, now: datetime) -> list[Any]:
            for job in self.get_all_jobs():
                if job.next_run_time > now and left(job) <= 0:
                    log.info("the scheduler is late (was the clock set back?); waking up anyway")
                    job.modify(next_run_time=now)  # the scheduler's lock is re-entrant
            due: list[Any] = super().get_due_jobs(now)
            return due

        def get_next_run_time(self) -> datetime | None:
            wall: datetime | None = super().get_next_run_time()
            if wall is None:
                return None
            soonest = min(left(job) for job in self.get_all_jobs())
            return min(wall, _utc_now() + timedelta(seconds=max(0.0, soonest)))

    return GuardedStore()


class SchedulerTimer:
    def __init__(
        self, *, grace: float = GUARD_GRACE, wall: Callable[[], datetime] = _utc_now
    ) -> None:
        self._callback: Callable[[], None] = lambda: None  # until ``start`` gives one
        self._grace = grace
        self._wall = wall
        self._made: Any = None  # the BackgroundScheduler, made on first use
        self._ids = itertools.count(1)
        self._job_id: str | None = None  # the current arming
        self._fired: str | None = None  # the last arming whose callback ran
        self._running = False
        # Taken before APScheduler's lock, never while APScheduler holds it.
        self._lock = threading.Lock()

    def _scheduler(self) -> Any:
        """The scheduler, made on first use (with ``_lock`` held): importing APScheduler takes
        about 60 ms, spent after the tray icon shows rather than before."""
        if self._made is None:
            from apscheduler.events import EVENT_JOB_SUBMITTED
            from apscheduler.executors.debug import DebugExecutor
            from apscheduler.schedulers.background import BackgroundScheduler

            self._made = BackgroundScheduler(
                jobstores={"default": _guarded_store()},
                executors={"default": DebugExecutor()},
                # A misfired date job would be dropped, ending the chain: run however late.
                job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
                timezone="UTC",
            )
            self._made.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
        return self._made

    def arm(self, at: datetime) -> None:
        from apscheduler.jobstores.base import JobLookupError

        delay = max(0.0, (at - self._wall()).total_seconds())
        guard = time.monotonic() + delay + self._grace
        with self._lock:
            previous, self._job_id = self._job_id, f"wake-{next(self._ids)}"
            if previous is not None:
                # One that ran is already gone: APScheduler drops a finished date job.
                with contextlib.suppress(JobLookupError):
                    self._scheduler().remove_job(previous)
            self._scheduler().add_job(
                _wake, "date", run_date=at, id=self._job_id, kwargs={"guard": guard}
            )
        log.debug("next wake-up at %s", at.isoformat(timespec="seconds"))

    def _submitted(self, event: Any) -> None:
        """On the scheduler's thread, once APScheduler has let go of its job-store lock: fire
        the current arming once. So the callback may re-arm, and an arming from another thread
        that holds the app's lock never waits for a thread that waits for that lock."""
        with self._lock:
            if not self._running or event.job_id != self._job_id or self._fired == self._job_id:
                return
            self._fired = self._job_id
        try:
            self._callback()
        except Exception:
            log.exception("wake-up failed")

    def start(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callback, self._running = callback, True
            scheduler = self._scheduler()
        scheduler.start()

    def stop(self) -> None:
        """Shut down; a callback already running is waited for."""
        with self._lock:
            self._running = False
            scheduler = self._made
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
