"""The use cases: every action of the tray menu, the CLI and the notification goes through here.

Each action reads the clocks, lets the planner decide, re-arms the timer, saves and redraws,
under one lock; reminders are delivered outside it, so a slow notification server never blocks
the menu. Every port comes in through the constructor (from ``daemon.run``).
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import TypeVar

from .core import ports as port
from .core.clock import ClockWatcher
from .core.durations import humanize
from .core.events import EventKind
from .core.exercises import Exercise
from .core.messages import Message, reminder_message
from .core.planner import Dropped, Mode, Planner, Reminder, StateError, Status, next_local_time
from .core.rotation import Rotation
from .i18n import _, shown
from .settings.record import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The longest the daemon sleeps without looking at the clocks (suspend and jump detection).
WATCH = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Ports:
    """Everything the app talks to besides the planner, none optional."""

    clock: port.Clock
    timer: port.Timer
    notifier: port.Notifier
    tray: port.Tray
    store: port.StateStore
    history: port.History
    chime: port.Chime
    presence: port.Presence
    dnd: port.DoNotDisturb
    editor: port.Editor
    guide: port.Guide


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state as ``microbreak status`` shows it, read at one moment."""

    status: Status
    line: str
    last: Exercise | None
    last_shown: datetime | None
    unanswered: Exercise | None
    settings: Runtime
    config_problem: str | None
    tz: tzinfo
    undelivered: bool  # the reminder on screen reached no notification server


class App:
    """Holds the planner and runs every action against it under one lock."""

    def __init__(
        self,
        settings: Runtime,
        catalog: Sequence[Exercise],
        ports: Ports,
        rng: random.Random | None = None,
    ) -> None:
        self._settings, self._catalog = settings, tuple(catalog)
        self._ports = ports
        self._record = ports.history.record
        self._presence, self._dnd, self._chime = ports.presence, ports.dnd, ports.chime
        rng = rng or random.Random()
        self._watcher = ClockWatcher(ports.clock)
        self.tz = ports.clock.zone()  # the clock's zone, followed as it changes (``_now``)
        self.planner = Planner(
            settings.policy(),
            Rotation(settings.selection().allowed(self._catalog), rng),
            rng,
            self.tz,
            work=settings.work_week(),
        )
        self._saved: dict[str, object] | None = None
        self._save_failing = False
        #: (exercise id, shown at) of a reminder no notification server took.
        self._undelivered: tuple[str, datetime | None] | None = None
        self._config_problem: str | None = None  # while the previous settings run on
        self._lock = threading.RLock()
        self.stopped = threading.Event()

    @property
    def snooze_choices(self) -> tuple[timedelta, ...]:
        """The durations the Snooze menu offers; the first is ``microbreak snooze``'s."""
        return self._settings.snoozes()

    def start(self) -> None:
        """Carry on from the saved state (or begin a first interval) and arm the timer."""
        store = self._ports.store
        with self._lock:
            now = self._now()
            self.planner.start(now)
            saved, warning = store.load()
            if warning:
                log.warning("%s", warning)
            if saved is not None:
                try:
                    log.info("resumed: %s", self.planner.restore(saved, now, self._catalog))
                except (KeyError, TypeError, ValueError) as e:
                    aside = store.move_aside().name
                    why = f"the saved state could not be used ({e}); it was moved to {aside}"
                    log.warning("%s, starting afresh", why)
                    self.planner.start(now)
            # Ends a saved absence nothing watches (natural breaks off), and times the first look.
            self._check_presence(now)
            self._rearm(now)
            self._record(EventKind.STARTED, now)
            if self.planner.mode is Mode.PAUSED:
                self._paused_until(now)
        log.info("started; %s", self.status_line())
        self._ports.timer.start(self.wake)

    def wake(self) -> None:
        """The timer fired: apply clock events, maybe show one reminder, re-arm."""
        reminder = None
        with self._lock:
            before = self._looks()
            try:
                now = self._now()
                self._check_presence(now)
                was_paused = self.planner.mode is Mode.PAUSED
                held = self.planner.held_reason
                hold = self._dnd_reason() if self.planner.is_due(now) else None
                result = self.planner.tick(now, hold)
                if was_paused and self.planner.mode is not Mode.PAUSED:
                    self._record(EventKind.RESUMED, now)
                if isinstance(result, Dropped):
                    log.info("a reminder was held for too long (%s): dropped", result.reason)
                    self._record(EventKind.POSTPONED_OUT, now)
                elif hold and hold != held:  # once a hold, not at every retry
                    log.info("holding the reminder: %s", hold)
                reminder = result if isinstance(result, Reminder) else None
            finally:
                # Whatever happened above, the chain of wake-ups must go on.
                self._rearm(self._ports.clock.read().now)
            changed = self._looks() != before
        # Redrawn only when something the tray shows changed: a quiet wake-up costs no GTK work.
        self._after(reminder, refresh=changed or reminder is not None)

    def quit(self) -> None:
        """Stop the daemon: remove the tray icon and let the main thread return."""
        log.info("quitting")
        self.stopped.set()
        self._ports.tray.stop()

    def close(self) -> None:
        """Stop the timer, save the state one last time, record the stop, release the rest."""
        self._ports.timer.stop()
        with self._lock:
            now = self._ports.clock.read().now
            with contextlib.suppress(OSError):
                self._ports.store.save(self.planner.snapshot(now))
            self._record(EventKind.STOPPED, now)
            self._ports.history.close()
            for part in (self._chime, self._presence, self._dnd, self._ports.guide):
                part.close()

    def mode(self) -> Mode:
        with self._lock:
            return self.planner.mode

    def unanswered(self) -> str | None:
        """The last reminder's exercise, until it is done or skipped."""
        with self._lock:
            exercise = self.planner.unanswered
        return shown(exercise, "name") if exercise is not None else None

    def status_line(self, *, countdown: bool = True) -> str:
        """The status line of the tray, its tooltip and ``microbreak status``; the tray asks for
        ``countdown=False`` ("Next break at 14:32"), which stays true between redraws."""
        with self._lock:
            return self._line(self._now(), countdown=countdown)

    def undelivered(self) -> str | None:
        """A reminder's exercise shown only on the tray and in the log, while it is due."""
        with self._lock:
            exercise = self._still_undelivered(self.planner.status(self._now()))
            return shown(exercise, "name") if exercise is not None else None

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._now()
            undelivered = self._undelivered_now()  # before the line, which may forget it
            return Snapshot(
                status=self.planner.status(now),
                line=self._line(now, countdown=True),
                last=self.planner.rotation.last,
                last_shown=self.planner.last_shown,
                unanswered=self.planner.unanswered,
                settings=self._settings,
                config_problem=self._config_problem,
                tz=self.tz,
                undelivered=undelivered,
            )

    def _line(self, now: datetime, *, countdown: bool) -> str:
        status = self.planner.status(now)
        exercise = self._still_undelivered(status)
        if exercise is not None:
            return _("Break due: {exercise}").format(exercise=shown(exercise, "name"))
        return status.text(now, self.tz, countdown=countdown)

    def _undelivered_now(self) -> bool:
        """Whether the reminder on screen reached no notification server, whatever the mode
        (a break taken while paused or after hours too)."""
        shown = self.planner.unanswered
        return shown is not None and self._undelivered == (shown.id, self.planner.last_shown)

    def _still_undelivered(self, status: Status) -> Exercise | None:
        """The undelivered reminder's exercise, until it is answered or anything else happens."""
        quiet = status.mode is Mode.RUNNING and status.due is not None
        quiet = quiet and not (status.held or status.away_since or status.off_duty_until)
        if not quiet or not self._undelivered_now():
            self._undelivered = None
            return None
        return self.planner.unanswered

    def break_now(self, *, guide: bool = False) -> Exercise:
        """Show a reminder at once, and with ``guide`` the guide window too (the reminder stays,
        so it is answered either way); returns its exercise."""
        with self._lock:
            now = self._now()
            reminder = self.planner.take_break_now(now)
            self._rearm(now)
        self._ports.guide.dismiss("a new reminder replaced its own")
        self._after(reminder)
        if guide and not self._open_guide(reminder.exercise, reminder.at):
            log.warning("the guide for %s cannot open", reminder.exercise.name)
        return reminder.exercise

    def guide(self) -> str:
        """Open the guide for the reminder on screen ("Start"); its end answers the reminder.
        StateError when there is none or the guide cannot open."""
        with self._lock:
            exercise, shown = self.planner.unanswered, self.planner.last_shown
        if exercise is None:
            raise StateError("no reminder to guide")
        if not self._open_guide(exercise, shown):
            raise StateError(f"the guide for {exercise.name} cannot open")
        return f"Guiding {exercise.name}"

    def _open_guide(self, exercise: Exercise, shown: datetime | None) -> bool:
        def on_end(done: bool | None) -> None:
            with self._lock:
                current = self.planner.unanswered
                now_on = (current.id if current else None, self.planner.last_shown)
            if now_on != (exercise.id, shown):
                log.info("the guide of %s ended after its reminder was answered", exercise.name)
            elif done is None:
                log.info("the guide of %s gave no answer; the reminder waits", exercise.name)
            else:
                with contextlib.suppress(StateError):  # answered a moment ago
                    self.done() if done else self.skip()

        return self._ports.guide.open(exercise, on_end)

    def snooze(
        self, duration: timedelta | None = None, *, this_reminder: bool = False
    ) -> timedelta:
        """Push the pending reminder out (default: the first snooze choice); returns by how much.
        ``this_reminder``: the Snooze button on the reminder, which always means that one.
        Recorded as a snooze of the reminder that comes back, else as a reschedule."""
        length = duration if duration is not None else self.snooze_choices[0]

        def snooze(now: datetime) -> None:
            on_screen = self.planner.unanswered
            seconds = length.total_seconds()
            # Like skip: where only the next break moved, it is no snooze of a reminder.
            if self.planner.snooze(now, length, this_reminder=this_reminder) and on_screen:
                self._record(EventKind.SNOOZED, now, exercise=on_screen.id, seconds=seconds)
            else:
                self._record(EventKind.RESCHEDULED, now, seconds=seconds)

        self._act(snooze)
        log.info("snoozed for %s", humanize(length))
        return length

    def pause(self, duration: timedelta | None) -> None:
        """Pause for ``duration``, or until resumed when ``None``."""
        self._pause(lambda now: self.planner.pause(now, duration))
        log.info("paused %s", f"for {humanize(duration)}" if duration else "until resumed")

    def pause_until_morning(self) -> None:
        self._pause(self.planner.pause_until_morning)
        log.info("%s", self.status_line())

    def pause_until(self, at: time) -> None:
        """Pause until the next time the local clock shows ``at``."""
        self._pause(lambda now: self.planner.pause_until(now, next_local_time(now, at, self.tz)))
        log.info("%s", self.status_line())

    def _pause(self, change: Callable[[datetime], object]) -> None:
        def pause(now: datetime) -> None:
            change(now)
            self._paused_until(now)

        self._act(pause)

    def resume(self) -> None:
        """End a pause; raises StateError when there is none."""

        def resume(now: datetime) -> None:
            if not self.planner.resume(now):
                raise StateError(_("microbreak is not paused"))
            self._record(EventKind.RESUMED, now)

        self._act(resume, sets_aside=False)  # a reminder on screen stays to be answered
        log.info("%s", self.status_line())

    def skip(self) -> str:
        """Skip the reminder on screen; without one, reschedule the pending one (RESCHEDULED,
        not SKIPPED: the stats count every skip, and a reminder that never came was not one)."""

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
            return _("Skipped {exercise}").format(exercise=shown(skipped, "name"))
        moved = "" if off_duty else "; rescheduled the next break"
        log.info("no reminder on screen to skip%s; %s", moved, self.status_line())
        if off_duty:
            return _("No reminder on screen to skip")
        return _("No reminder on screen to skip; rescheduled the next break")

    def done(self) -> str:
        """The user did the last reminder's exercise; StateError without one."""

        def mark(now: datetime) -> Exercise:
            exercise = self.planner.done(now)
            self._record(EventKind.DONE, now, exercise=exercise.id)
            return exercise

        exercise = self._act(mark)
        log.info("done: %s", exercise.name)
        return _("Well done: {exercise}").format(exercise=shown(exercise, "name"))

    def dismissed(self) -> None:
        """The notification was closed unanswered: recorded, and the reminder stays unanswered
        (Done or Skip still answer it)."""
        with self._lock:
            shown = self.planner.unanswered
            if shown is None:
                return
            self._record(EventKind.DISMISSED, self._now(), exercise=shown.id)
        log.info("dismissed: %s (still unanswered)", shown.name)

    def open_config(self) -> None:
        """The tray's "Open config file"; a failure is said where the user looks, on screen."""

        def failed(problem: str) -> None:
            self._ports.notifier.show(
                Message(_("Microbreak: cannot open the config file"), problem)
            )

        self._ports.editor.open(self._settings.path, failed)

    def reconfigure(
        self,
        settings: Runtime,
        catalog: Sequence[Exercise],
        *,
        presence: port.Presence,
        dnd: port.DoNotDisturb,
        chime: port.Chime,
    ) -> None:
        """Switch to new settings and detectors at once; the planner re-times what it must."""
        with self._lock:
            now = self._now()
            old = (self._presence, self._dnd, self._chime)
            self._settings, self._catalog = settings, tuple(catalog)
            self._presence, self._dnd, self._chime = presence, dnd, chime
            self._config_problem = None
            allowed = settings.selection().allowed(self._catalog)
            why = self.planner.reconfigure(now, settings.policy(), settings.work_week(), allowed)
            if why is not None:
                log.info("%s; %s", why, self.planner.status(now).text(now, self.tz))
            self._rearm(now)
        for part in old:
            if part not in (presence, dnd, chime):
                part.close()
        self._ports.tray.refresh()

    def config_problem(self, problem: str) -> None:
        """The config file on disk went bad: the previous settings stay; say so once per edit."""
        with self._lock:
            if problem == self._config_problem:
                return
            self._config_problem = problem
        log.warning("config problem, the previous settings stay: %s", problem)
        self._ports.notifier.show(Message(_("Microbreak: config problem"), problem))

    def _check_presence(self, now: datetime) -> None:
        """Ask whether the user is away; coming back after a while is a natural break."""
        try:
            away = self._presence.away_for()
        except Exception:  # a detector must never stop the reminders
            log.exception("the idle/lock check failed")
            return
        came_back = self.planner.on_presence(now, now - away if away is not None else None)
        if came_back is not None:
            log.info("welcome back: %s away counts as a natural break", humanize(came_back))
            self._record(EventKind.NATURAL_BREAK, now, seconds=came_back.total_seconds())

    def _dnd_reason(self) -> str | None:
        try:
            return self._dnd.reason()
        except Exception:
            log.exception("the do-not-disturb check failed")
            return None

    def _paused_until(self, now: datetime) -> None:
        until = self.planner.paused_until
        left = (until - now).total_seconds() if until else None
        self._record(EventKind.PAUSED, now, seconds=left)

    def _act(self, change: Callable[[datetime], T], *, sets_aside: bool = True) -> T:
        """Apply one change now, re-arm, save, redraw; returns its result. Each that
        ``sets_aside`` (done, skip, snooze, pause) answers or sets aside the reminder on screen,
        so its notification and its guide go; a resume leaves them."""
        with self._lock:
            now = self._now()
            result = change(now)
            self._rearm(now)
        if sets_aside:
            self._ports.notifier.withdraw()
            self._ports.guide.dismiss("its reminder was answered another way")
        self._ports.tray.refresh()
        return result

    def _now(self) -> datetime:
        """Read the clocks; the planner hears of a suspend or clock jump first."""
        reading, events = self._watcher.check()
        now = reading.now
        zone = self._ports.clock.zone()
        if zone is not self.tz:  # a user who travels: working hours and times follow
            self.tz = self.planner.tz = zone
            log.info("the time zone is now %s", zone)
            self._ports.timer.arm(now)  # a tick at once sets what the new hours say
        if events.jumped:
            log.info("the wall clock moved by %s; reminders keep their spacing", events.jumped)
            self.planner.on_clock_jump(now, events.jumped)
        if events.slept:
            natural = self.planner.on_suspend(now, events.slept)
            if natural:
                self._record(EventKind.NATURAL_BREAK, now, seconds=events.slept.total_seconds())
            then = "; that was a natural break, a fresh interval starts" if natural else ""
            log.info("the computer slept for %s%s", humanize(events.slept), then)
        return now

    def _rearm(self, now: datetime) -> None:
        wake = self.planner.next_wakeup(now)
        # Away: look again at natural_break; else when an absence could first be seen.
        if self.planner.away_since is not None:
            look: timedelta | None = self._settings.policy().natural_break
        else:
            look = self._presence.next_look()
        cap = now + (min(WATCH, look) if look is not None else WATCH)
        self._ports.timer.arm(min(wake, cap) if wake is not None else cap)
        self._save(now)

    def _save(self, now: datetime) -> None:
        """Persist the state only when more than ``saved_at`` changed: no fsync per wake-up."""
        snapshot = self.planner.snapshot(now)
        unchanged = {k: v for k, v in snapshot.items() if k != "saved_at"}
        if unchanged == self._saved:
            return
        try:
            self._ports.store.save(snapshot)
            self._saved = unchanged
        except OSError as e:  # said once per run of failures, as the history does
            if not self._save_failing:
                log.warning("cannot save the state (%s); it will not survive a restart", e)
            self._save_failing = True
            return
        if self._save_failing:
            log.info("the state can be saved again")
            self._save_failing = False

    def _looks(self) -> tuple[object, ...]:
        """What the tray shows (the due time too: a clock jump moves its clock time)."""
        p = self.planner
        return (p.mode, p.due, p.held_reason, p.away_since, p.off_duty, p.unanswered)

    def _after(self, reminder: Reminder | None, *, refresh: bool = True) -> None:
        """Deliver a reminder (outside the lock); one no server took stays due on the tray."""
        if refresh:
            self._ports.tray.refresh()
        if reminder is None:
            return
        message = reminder_message(reminder)
        log.info("reminder: %s", message.title)
        self._record(EventKind.SHOWN, reminder.at, exercise=reminder.exercise.id)
        self._chime.play()
        if self._ports.notifier.show(message):
            return
        log.warning("%s: %s", message.title, message.body.replace("\n", " "))
        with self._lock:
            shown = self.planner.unanswered
            if shown is not None and shown.id == reminder.exercise.id:
                self._undelivered = (shown.id, self.planner.last_shown)
        self._ports.tray.refresh()  # its icon and status line now say the break is due
