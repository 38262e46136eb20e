"""The guide as its own short-lived process: ``python -m microbreak guide ID --answer``.

Why not the daemon's GUI thread: a guide that hangs or crashes cannot take the daemon down, and
its memory (GTK widgets, pixbufs) goes away with it (``bench/bench_guide.py``), for a start-up of
about half a second. A waiting thread bounds it (killed with its process group after the
exercise's length plus ``MARGIN``); its exit code says how it ended (``usecases/guide``).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..core.exercises import Exercise
from ..core.guide import Guide
from .children import kill_group, reap, spawn

log = logging.getLogger(__name__)

#: Seconds a guide may run past its exercise's length (the start-up, a slow desktop).
MARGIN = 30.0
#: ``guide --answer``'s exit codes (``usecases/guide.py``, not imported: the daemon stays lean).
ANSWER_DONE, ANSWER_SKIPPED = 0, 10


class GuideProcess:
    """Starts one guide process at a time and reports how it ended."""

    def __init__(self, config: Path | None = None, *, margin: float = MARGIN) -> None:
        self.config = config  # the daemon's, for the child's catalog and ``sound`` setting
        self.margin = margin
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._dismissed: subprocess.Popen[bytes] | None = None
        self._dismissed_why = ""
        self._guiding = ""  # the exercise of the open guide
        self._closing = False

    def _running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self, exercise: Exercise) -> list[str]:
        command = [sys.executable, "-m", "microbreak", "guide", exercise.id, "--answer"]
        if self.config is not None:
            command += ["--config", str(self.config)]
        return command

    def open(self, exercise: Exercise, on_end: Callable[[bool | None], None]) -> bool:
        """Start the guide and return at once; False when another one is open or it cannot
        start. One already open for this exercise is the one asked for ("Start" on a reminder
        whose guide "Take a break now" opened): True, and the first ``on_end`` stands."""
        with self._lock:
            if not self._closing and self._guiding == exercise.id and self._running():
                log.info("the guide of %s is open already", exercise.name)
                return True
            if self._closing or self._running():
                log.info("a guide is open already: %s is not guided", exercise.name)
                return False
            try:
                process, output = spawn(self.command(exercise))
            except OSError as e:
                log.warning("the guide cannot start: %s", e)
                return False
            self._process, self._guiding = process, exercise.id
        bound = Guide(exercise.routine).total + self.margin
        threading.Thread(
            target=self._wait,
            args=(process, output, bound, exercise, on_end),
            name="guide-wait",
            daemon=True,
        ).start()
        log.info("guide opened: %s (pid %s)", exercise.name, process.pid)
        return True

    def dismiss(self, why: str) -> None:
        """Stop an open guide whose reminder was answered another way (the tray, the CLI, the
        notification) or replaced; its ``on_end`` is not called, a new guide may open at once."""
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                return
            self._process, self._dismissed, self._dismissed_why = None, process, why
        kill_group(process)

    def close(self) -> None:
        """Stop an open guide (at quit); its ``on_end`` is not called."""
        with self._lock:
            self._closing = True
            process = self._process
        if process is not None and process.poll() is None:
            kill_group(process)

    def _wait(
        self,
        process: subprocess.Popen[bytes],
        output: IO[bytes],
        bound: float,
        exercise: Exercise,
        on_end: Callable[[bool | None], None],
    ) -> None:
        code, said = reap(process, output, bound)
        with self._lock:
            if self._process is process:
                self._process = None
            if self._dismissed is process:
                log.info("guide closed: %s (%s)", exercise.name, self._dismissed_why)
                return
            if self._closing:
                return
        ended = {ANSWER_DONE: True, ANSWER_SKIPPED: False}.get(code) if code is not None else None
        if code is None:
            log.warning("the guide of %s ran past %g s and was stopped", exercise.name, bound)
        elif ended is None:
            log.warning("the guide of %s failed (exit code %s): %s", exercise.name, code, said)
        how = "no answer" if ended is None else ("done" if ended else "skipped")
        log.info("guide ended: %s (%s)", exercise.name, how)
        try:
            on_end(ended)
        except Exception:  # a waiting thread must not die with a traceback
            log.exception("recording the guide's end failed")
