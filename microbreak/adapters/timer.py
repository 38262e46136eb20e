"""One re-armed APScheduler date job: the daemon sleeps until the next thing to do.

Known APScheduler 3 traps and how this avoids them:
- A date job that misfires (runs later than ``misfire_grace_time``) is dropped and the reminder
  chain would stop: jobs here have ``misfire_grace_time=None`` (always run, however late) and
  ``coalesce=True``, and the callback re-arms the timer in a ``finally`` block.
- Each arming gets a fresh job id and removes the previous job, so the scheduler's own
  clean-up of a finished date job can never delete the job that replaced it.
- The scheduler sleeps on the monotonic clock, which stands still during suspend and ignores
  wall-clock jumps: the app caps every sleep (see ``App.WATCH``) and asks the clock watcher
  what happened when it wakes, so a late wake-up fires at most one reminder.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)


class Timer(Protocol):
    """Calls back once at a wall-clock time; arming again replaces the previous time."""

    def arm(self, at: datetime) -> None:
        """Call the callback at ``at`` (or as soon as possible if it has passed)."""
        ...

    def start(self) -> None:
        """Begin running callbacks."""
        ...

    def stop(self) -> None:
        """Stop; no callback runs after this returns."""
        ...


class SchedulerTimer:
    """The production timer, on an APScheduler 3 BackgroundScheduler with one worker thread."""

    def __init__(self, callback: Callable[[], None]) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._callback = callback
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone="UTC",
        )
        self._ids = itertools.count(1)
        self._job_id: str | None = None
        self._lock = threading.Lock()

    def arm(self, at: datetime) -> None:
        """Replace the pending wake-up with one at ``at``."""
        from apscheduler.jobstores.base import JobLookupError

        with self._lock:
            if self._job_id is not None:
                # It may have run already, and the scheduler dropped it: that is fine.
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(self._job_id)
            self._job_id = f"wake-{next(self._ids)}"
            self._scheduler.add_job(self._callback, "date", run_date=at, id=self._job_id)
        log.debug("next wake-up at %s", at.isoformat(timespec="seconds"))

    def start(self) -> None:
        """Start the scheduler thread."""
        self._scheduler.start()

    def stop(self) -> None:
        """Shut the scheduler down without waiting for a running callback."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
