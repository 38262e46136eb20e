"""The one place that wires the core to the adapters, and the one place every action goes through.

The tray menu (and later the CLI) call these methods; each reads the clocks once, lets the
planner decide, re-arms the timer and redraws the tray. Reminders are delivered outside the lock
so a slow notification server never blocks the menu.
"""

from __future__ import annotations

import contextlib
import logging
import random
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .adapters.clock import Clock as ClockPort
from .adapters.clock import ClockWatcher
from .adapters.history import EventKind
from .adapters.notifier import Notifier
from .adapters.timer import Timer
from .core.durations import humanize
from .core.exercises import CATALOG, Exercise
from .core.messages import Message, reminder_message
from .core.planner import (
    Dropped,
    Mode,
    Planner,
    Policy,
    Reminder,
    StateError,
    Status,
    next_local_time,
)
from .core.rotation import Rotation, Selection
from .core.work_hours import WorkWeek
from .paths import example_config
from .protocol import Request

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The longest the daemon sleeps without looking at the clocks (suspend and jump detection).
WATCH = timedelta(minutes=5)


class Tray(Protocol):
    """The part of the tray the app drives."""

    def refresh(self) -> None:
        """Redraw after a change of state."""
        ...

    def flag_due(self, message: Message) -> None:
        """Show that a break is due when no notification could be shown."""
        ...

    def stop(self) -> None:
        """Remove the icon and end its loop."""
        ...


class HistoryPort(Protocol):
    """Where events go for ``microbreak stats`` (the SQLite history, or a test's list)."""

    def record(
        self,
        kind: EventKind,
        at: datetime,
        *,
        exercise: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Append one event."""
        ...

    def close(self) -> None:
        """Flush and close."""
        ...


class PresencePort(Protocol):
    """Whether the user is away (idle or locked), and for how long."""

    def away_for(self) -> timedelta | None:
        """How long away, or None when present (or when it cannot tell)."""
        ...

    def next_look(self) -> timedelta | None:
        """How soon to look again to see an absence of ``natural_break`` (None: unknown)."""
        ...

    def close(self) -> None:
        """Release the detectors."""
        ...


class DndPort(Protocol):
    """Why not to interrupt right now (full-screen window, camera in use...), or None."""

    def reason(self) -> str | None:
        """Ask the desktop."""
        ...

    def close(self) -> None:
        """Release the detectors."""
        ...


class ChimePort(Protocol):
    """A sound played with each reminder."""

    def play(self) -> None:
        """Start playing without blocking."""
        ...

    def close(self) -> None:
        """Stop playing."""
        ...


class Store(Protocol):
    """Where the planner's state is kept between runs."""

    def load(self) -> tuple[dict[str, Any] | None, str | None]:
        """The saved state (or None) and a warning to log once."""
        ...

    def save(self, planner: dict[str, object]) -> None:
        """Persist the state atomically."""
        ...

    def move_aside(self) -> Path:
        """Keep an unusable state file under another name; returns it."""
        ...


@dataclass(frozen=True, slots=True)
class AppConfig:
    """What the app needs from the settings."""

    policy: Policy
    selection: Selection
    snooze_choices: Sequence[timedelta]
    config_path: Path
    work: WorkWeek | None = None
    catalog: Sequence[Exercise] = CATALOG


class App:
    """Holds the planner and runs every action against it under one lock."""

    def __init__(
        self,
        config: AppConfig,
        clock: ClockPort,
        timer: Timer,
        notifier: Notifier,
        tz: tzinfo,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.snooze_choices = tuple(config.snooze_choices)
        self._rng = rng or random.Random()
        self._clock = clock
        self._watcher = ClockWatcher(clock)
        self._timer = timer
        self.notifier = notifier
        self.tz = tz
        self.planner = Planner(
            config.policy,
            Rotation(config.selection.allowed(config.catalog), self._rng),
            self._rng,
            tz,
            work=config.work,
        )
        self.tray: Tray | None = None
        self.store: Store | None = None
        self.history: HistoryPort | None = None
        self.chime: ChimePort | None = None
        self.presence: PresencePort | None = None
        self.dnd: DndPort | None = None
        self._saved: dict[str, object] | None = None
        #: (exercise id, shown at) of the last reminder when no notification server took it.
        self._undelivered: tuple[str, datetime | None] | None = None
        #: The problem with the config file on disk, while the previous settings run on.
        self.config_problem: str | None = None
        self._lock = threading.RLock()
        self.stopped = threading.Event()

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Carry on from the saved state (or begin a first interval) and arm the timer."""
        with self._lock:
            now = self._now()
            self.planner.start(now)
            saved, warning = self.store.load() if self.store else (None, None)
            if warning:
                log.warning("%s", warning)
            if saved is not None:
                try:
                    sentence = self.planner.restore(saved, now, self.config.catalog)
                    log.info("resumed: %s", sentence)
                except (KeyError, TypeError, ValueError) as e:
                    aside = self.store.move_aside() if self.store else None
                    kept = f"; it was moved to {aside.name}" if aside else ""
                    log.warning(
                        "the saved state could not be used (%s)%s, starting afresh", e, kept
                    )
                    self.planner.start(now)
            if self.presence is None:
                # A saved absence with nothing to watch for its end would hold every reminder.
                self.planner.on_presence(now, None)
            self._check_presence(now)  # so the first idle look is timed, not guessed
            self._rearm(now)
            self._record(EventKind.STARTED, now)
            if self.planner.mode is Mode.PAUSED:
                until = self.planner.paused_until
                left = (until - now).total_seconds() if until else None
                self._record(EventKind.PAUSED, now, seconds=left)
        log.info("started; %s", self.status_line())

    def wake(self) -> None:
        """The timer fired: apply clock events, maybe show one reminder, re-arm."""
        reminder = None
        with self._lock:
            before = self._looks()
            try:
                now = self._now()
                self._check_presence(now)
                was_paused = self.planner.mode is Mode.PAUSED
                hold = self._dnd_reason() if self.planner.is_due(now) else None
                result = self.planner.tick(now, hold)
                if was_paused and self.planner.mode is not Mode.PAUSED:
                    self._record(EventKind.RESUMED, now)
                if isinstance(result, Dropped):
                    log.info("a reminder was held for too long (%s): dropped", result.reason)
                    self._record(EventKind.POSTPONED_OUT, now)
                elif hold:
                    log.info("holding the reminder: %s", hold)
                reminder = result if isinstance(result, Reminder) else None
            finally:
                # Whatever happened above, the chain of wake-ups must go on.
                self._rearm(self._clock.read().now)
            changed = self._looks() != before
        # The tray is redrawn only when something it shows changed: it words the next break as
        # a clock time, so a quiet wake-up costs no GTK work.
        self._after(reminder, refresh=changed or reminder is not None)

    def quit(self) -> None:
        """Stop the daemon: remove the tray icon and let the main thread return."""
        log.info("quitting")
        self.stopped.set()
        if self.tray is not None:
            self.tray.stop()

    # -- actions (tray menu, later the CLI) ----------------------------------------------------

    def mode(self) -> Mode:
        """The current mode."""
        return self.planner.mode

    def unanswered(self) -> str | None:
        """The last reminder's exercise name while it waits for done or skip."""
        exercise = self.planner.unanswered
        return exercise.name if exercise is not None else None

    def status_line(self, *, countdown: bool = True) -> str:
        """The one status line of the tray menu, its tooltip and ``microbreak status``.

        E.g. "Next break in 23 min (14:32)", "Paused until 14:30", or "Break due: Neck tilt"
        while a reminder no notification server took waits for an answer. The tray asks for
        ``countdown=False`` ("Next break at 14:32"): it stays true between redraws.
        """
        with self._lock:
            return self._line(self._now(), countdown=countdown)

    def undelivered(self) -> str | None:
        """The exercise of a reminder shown only on the tray and in the log, while it is due."""
        with self._lock:
            exercise = self._still_undelivered(self.planner.status(self._now()))
            return exercise.name if exercise is not None else None

    def _line(self, now: datetime, *, countdown: bool) -> str:
        status = self.planner.status(now)
        exercise = self._still_undelivered(status)
        if exercise is not None:
            return f"Break due: {exercise.name}"
        return status.text(now, self.tz, countdown=countdown)

    def _still_undelivered(self, status: Status) -> Exercise | None:
        """The undelivered reminder's exercise until it is answered or anything else happens
        (a snooze, a pause, a hold, an absence, the end of working hours, the next reminder)."""
        if self._undelivered is None:
            return None
        shown = self.planner.unanswered
        quiet = status.mode is Mode.RUNNING and status.due is not None
        quiet = quiet and not (status.held or status.away_since or status.off_duty_until)
        if shown is None or not quiet or self._undelivered != (shown.id, self.planner.last_shown):
            self._undelivered = None
            return None
        return shown

    def take_break_now(self) -> None:
        """Show a reminder at once; the interval starts again."""
        self.break_now()

    def break_now(self) -> Exercise:
        """Show a reminder at once and say which exercise it shows (for ``microbreak now``)."""
        with self._lock:
            now = self._now()
            reminder = self.planner.take_break_now(now)
            self._rearm(now)
        self._after(reminder)
        return reminder.exercise

    def snooze(self, duration: timedelta) -> None:
        """Push the pending reminder out by ``duration`` (the tray: a refusal is only logged)."""
        try:
            self.planner_snooze(duration)
        except StateError as e:
            log.info("%s", e)

    def planner_snooze(self, duration: timedelta) -> None:
        """Snooze, raising StateError when there is nothing to snooze."""

        def snooze(now: datetime) -> None:
            self.planner.snooze(now, duration)
            last = self.planner.rotation.last
            self._record(
                EventKind.SNOOZED,
                now,
                exercise=last.id if last else None,
                seconds=duration.total_seconds(),
            )

        self._act(snooze)
        log.info("snoozed for %s", humanize(duration))

    def pause(self, duration: timedelta | None) -> None:
        """Pause for ``duration``, or until resumed when ``None``."""

        def pause(now: datetime) -> None:
            self.planner.pause(now, duration)
            self._paused_until(now)

        self._act(pause)
        log.info("paused %s", f"for {humanize(duration)}" if duration else "until resumed")

    def pause_until_morning(self) -> None:
        """Pause until the configured morning time."""

        def pause(now: datetime) -> None:
            self.planner.pause_until_morning(now)
            self._paused_until(now)

        self._act(pause)
        log.info("%s", self.status_line())

    def resume(self) -> None:
        """End a pause."""

        def resume(now: datetime) -> None:
            if self.planner.resume(now):
                self._record(EventKind.RESUMED, now)

        self._act(resume)
        log.info("%s", self.status_line())

    def skip(self) -> str:
        """Skip the reminder shown and not yet answered; without one, reschedule the pending one.

        Only a reminder the user saw can be skipped: the stats count every SKIPPED event, so
        moving a reminder that never came is recorded as RESCHEDULED (and outside working hours,
        where nothing is pending, as nothing).
        """

        def skip(now: datetime) -> tuple[Exercise | None, bool]:
            exercise, off_duty = self.planner.skip(now), self.planner.off_duty
            if exercise is not None:
                self._record(EventKind.SKIPPED, now, exercise=exercise.id)
            elif not off_duty:
                self._record(EventKind.RESCHEDULED, now)
            return exercise, off_duty

        skipped, off_duty = self._act(skip)
        if skipped is not None:
            log.info("skipped %s; %s", skipped.name, self.status_line())
            return f"Skipped {skipped.name}"
        moved = "" if off_duty else "; rescheduled the next break"
        log.info("no reminder on screen to skip%s; %s", moved, self.status_line())
        return f"No reminder on screen to skip{moved}"

    def done(self) -> str:
        """The user did the last reminder's exercise."""

        def mark(now: datetime) -> Exercise:
            exercise = self.planner.done(now)
            self._record(EventKind.DONE, now, exercise=exercise.id)
            return exercise

        name = self._act(mark).name
        log.info("done: %s", name)
        return f"Well done: {name}"

    def pause_until_time(self, at: time) -> None:
        """Pause until the next time the local clock shows ``at``."""

        def pause(now: datetime) -> None:
            self.planner.pause_until(now, next_local_time(now, at, self.tz))
            self._paused_until(now)

        self._act(pause)
        log.info("%s", self.status_line())

    def status(self) -> dict[str, Any]:
        """The state as JSON-ready values, for ``microbreak status --json``."""
        with self._lock:
            now = self._now()
            st = self.planner.status(now)
            last = self.planner.rotation.last
            unanswered = self.planner.unanswered
            return {
                "mode": st.mode.value,
                "line": self._line(now, countdown=True),
                "due": st.due.isoformat() if st.due else None,
                "paused_until": st.paused_until.isoformat() if st.paused_until else None,
                "last_reminder": {
                    "id": last.id,
                    "name": last.name,
                    "at": self.planner.last_shown.isoformat(),
                    # As the line shows times: in the daemon's zone (and no datetime to load
                    # for the client).
                    "local_time": self.planner.last_shown.astimezone(self.tz).strftime("%H:%M"),
                }
                if last is not None and self.planner.last_shown is not None
                else None,
                "unanswered": unanswered.name if unanswered else None,
                "settings": {
                    "min_interval": self.config.policy.min_interval.total_seconds(),
                    "max_interval": self.config.policy.max_interval.total_seconds(),
                    "snooze_choices": [d.total_seconds() for d in self.snooze_choices],
                },
                "config_problem": self.config_problem,
            }

    def swap_detectors(self, presence: PresencePort | None, dnd: DndPort | None) -> None:
        """Replace the idle/lock and do-not-disturb detectors (live reload), closing the old."""
        with self._lock:
            old = (self.presence, self.dnd)
            self.presence, self.dnd = presence, dnd
        for detector in old:
            if detector is not None:
                detector.close()

    def reconfigure(self, config: AppConfig) -> None:
        """Switch to new settings at once (live reload); the planner re-times what it must."""
        with self._lock:
            now = self._now()
            self.config = config
            self.snooze_choices = tuple(config.snooze_choices)
            allowed = config.selection.allowed(config.catalog)
            why = self.planner.reconfigure(now, config.policy, config.work, allowed)
            if why is not None:
                log.info("%s; %s", why, self.planner.status(now).text(now, self.tz))
            self._rearm(now)
        self._refresh()

    def handle(self, request: Request) -> tuple[dict[str, Any], Callable[[], None] | None]:
        """Answer a control request (the CLI): the same actions the tray menu calls."""
        args, cmd = request.args, request.cmd
        seconds = args.get("seconds")
        duration = timedelta(seconds=float(seconds)) if seconds is not None else None
        message = ""
        after: Callable[[], None] | None = None
        try:
            if cmd == "pause":
                if "until" in args:
                    try:
                        at = time.fromisoformat(str(args["until"]))
                    except ValueError:
                        return {"ok": False, "usage": True, "error": "until wants HH:MM"}, None
                    self.pause_until_time(at)
                else:
                    self.pause(duration)
            elif cmd == "resume":
                if self.planner.mode is not Mode.PAUSED:
                    return {"ok": False, "error": "microbreak is not paused"}, None
                self.resume()
            elif cmd == "snooze":
                self.planner_snooze(duration or self.snooze_choices[0])
            elif cmd == "now":
                message = f"Break now: {self.break_now().name}"
            elif cmd == "skip":
                message = self.skip()
            elif cmd == "done":
                message = self.done()
            elif cmd == "quit":
                message, after = "microbreak is quitting", self.quit
        except StateError as e:
            return {"ok": False, "error": str(e)}, None
        reply: dict[str, Any] = {"ok": True, "status": self.status()}
        if message:
            reply["message"] = message
        return reply, after

    def open_config(self) -> None:
        """Open the config file, creating it from the documented example first if needed."""
        path = self.config.config_path
        if not path.exists():
            example = example_config()
            path.parent.mkdir(parents=True, exist_ok=True)
            if example is not None:
                shutil.copyfile(example, path)
            else:
                path.write_text("# microbreak settings; see config.example.toml\n")
            log.info("created %s from the example", path)
        opener = {"darwin": ["open"], "win32": []}.get(sys.platform, ["xdg-open"])
        if sys.platform == "win32":
            import os

            os.startfile(path)  # type: ignore[attr-defined,unused-ignore]
            return
        if shutil.which(opener[0]) is None:
            log.warning("cannot open %s: %s is not installed", path, opener[0])
            return
        # The editor's chatter must not land in the daemon's stderr (the journal, a terminal);
        # a failure to open shows in the log by its exit code.
        child = subprocess.Popen(
            [*opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def reap() -> None:  # so no zombie is left behind, without blocking the menu
            code = child.wait()
            if code != 0:
                log.warning("%s could not open %s (exit code %s)", opener[0], path, code)

        threading.Thread(target=reap, name="open-config", daemon=True).start()

    # -- internals -----------------------------------------------------------------------------

    def _check_presence(self, now: datetime) -> None:
        """Ask whether the user is away; coming back after a while is a natural break."""
        if self.presence is None:
            return
        try:
            away = self.presence.away_for()
        except Exception:  # a detector must never stop the reminders
            log.exception("the idle/lock check failed")
            return
        came_back = self.planner.on_presence(now, now - away if away is not None else None)
        if came_back is not None:
            log.info("welcome back: %s away counts as a natural break", humanize(came_back))
            self._record(EventKind.NATURAL_BREAK, now, seconds=came_back.total_seconds())

    def _dnd_reason(self) -> str | None:
        if self.dnd is None:
            return None
        try:
            return self.dnd.reason()
        except Exception:
            log.exception("the do-not-disturb check failed")
            return None

    def _paused_until(self, now: datetime) -> None:
        until = self.planner.paused_until
        self._record(
            EventKind.PAUSED, now, seconds=(until - now).total_seconds() if until else None
        )

    def _record(
        self,
        kind: EventKind,
        at: datetime,
        exercise: str | None = None,
        seconds: float | None = None,
    ) -> None:
        if self.history is not None:
            self.history.record(kind, at, exercise=exercise, seconds=seconds)

    def close(self) -> None:
        """Save the state one last time, record the stop, release the history and the sound."""
        if self.store is not None:
            with self._lock, contextlib.suppress(OSError):
                self.store.save(self.planner.snapshot(self._clock.read().now))
        if self.history is not None:
            self._record(EventKind.STOPPED, self._clock.read().now)
            self.history.close()
        if self.chime is not None:
            self.chime.close()
        for detector in (self.presence, self.dnd):
            if detector is not None:
                detector.close()

    def _act(self, change: Callable[[datetime], T]) -> T:
        """Apply one change at the current time, re-arm, save, redraw; returns its result."""
        with self._lock:
            now = self._now()
            result = change(now)
            self._rearm(now)
        self._refresh()
        return result

    def _now(self) -> datetime:
        """Read the clocks and let the planner know about any suspend or clock jump first."""
        reading, events = self._watcher.check()
        now = reading.now
        if events.jumped:
            log.info("the wall clock moved by %s; reminders keep their spacing", events.jumped)
            self.planner.on_clock_jump(now, events.jumped)
        if events.slept:
            natural = self.planner.on_suspend(now, events.slept)
            if natural:
                self._record(EventKind.NATURAL_BREAK, now, seconds=events.slept.total_seconds())
            log.info(
                "the computer slept for %s%s",
                humanize(events.slept),
                "; that was a natural break, a fresh interval starts" if natural else "",
            )
        return now

    def _rearm(self, now: datetime) -> None:
        """Arm the timer for the next thing to do, and save the state that led to it."""
        wake = self.planner.next_wakeup(now)
        watch = WATCH
        if self.presence is not None:
            if self.planner.away_since is not None:
                watch = min(watch, self.config.policy.natural_break)
            else:
                # Just when an absence of natural_break could first be seen, not sooner.
                look = self.presence.next_look()
                watch = min(
                    watch, look if look is not None else self.config.policy.natural_break / 2
                )
        cap = now + watch
        self._timer.arm(min(wake, cap) if wake is not None else cap)
        if self.store is not None:
            snapshot = self.planner.snapshot(now)
            # Only when something besides the time of saving changed: a quiet wake-up should
            # not cost a write and an fsync.
            unchanged = {k: v for k, v in snapshot.items() if k != "saved_at"}
            if unchanged == self._saved:
                return
            try:
                self.store.save(snapshot)
                self._saved = unchanged
            except OSError as e:
                log.warning("cannot save the state (%s); it will not survive a restart", e)

    def _looks(self) -> tuple[object, ...]:
        """What the tray shows, to tell whether a wake-up changed it."""
        p = self.planner
        # The due time too: the tray words it as a clock time, which a clock jump moves.
        return (p.mode, p.due, p.held_reason, p.away_since, p.off_duty, p.unanswered)

    def _after(self, reminder: Reminder | None, *, refresh: bool = True) -> None:
        if refresh:
            self._refresh()
        if reminder is not None:
            message = reminder_message(reminder)
            log.info("reminder: %s", message.title)
            self._record(EventKind.SHOWN, reminder.at, exercise=reminder.exercise.id)
            if self.chime is not None:
                self.chime.play()
            self.notifier.show(message)

    def _refresh(self) -> None:
        if self.tray is not None:
            self.tray.refresh()

    def fallback(self, message: Message) -> None:
        """No notification server: log the message; a reminder becomes the status line ("Break
        due: ...") of the tray and of ``microbreak status`` alike."""
        log.warning("%s: %s", message.title, message.body.replace("\n", " "))
        with self._lock:
            shown = self.planner.unanswered
            if shown is not None and shown.id == message.exercise_id:
                self._undelivered = (shown.id, self.planner.last_shown)
        if self.tray is not None:
            self.tray.flag_due(message)
