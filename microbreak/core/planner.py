"""The reminder state machine: running, snoozed or paused, and when the next break is due.

Every method takes ``now`` (an aware UTC datetime) instead of reading a clock, so the policy can
be replayed through a simulated week by a fake clock. The planner never fires more than one
reminder per call and always derives the next due time from the moment it is asked, which is
what rules out bursts after a suspend or a late wake-up.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import Enum

from ..i18n import _, clock, weekday
from .durations import humanize
from .exercises import CATALOG, Exercise
from .rotation import Rotation
from .work_hours import WorkWeek, local_instant

#: A snooze this soon after a reminder means "show me that one again later".
JUST_SHOWN = timedelta(minutes=10)
#: How often a held reminder (full-screen window, camera in use...) is tried again; shorter for
#: a short ``max_postpone``, so that at least six tries come before it drops the reminder.
HOLD_RETRY = timedelta(minutes=3)


class Mode(str, Enum):
    """What the reminder loop is doing; the tray icon has one look per mode."""

    RUNNING = "running"
    SNOOZED = "snoozed"
    PAUSED = "paused"


class Trigger(str, Enum):
    """Why a reminder is shown."""

    SCHEDULED = "scheduled"
    NOW = "now"
    SNOOZED = "snoozed"


class StateError(RuntimeError):
    """An action that makes no sense in the current mode (e.g. snoozing while paused)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """The schedule settings the planner needs, already validated by the config layer."""

    min_interval: timedelta = timedelta(minutes=30)
    max_interval: timedelta = timedelta(minutes=60)
    morning: time = time(8, 0)
    natural_break: timedelta = timedelta(minutes=5)
    max_postpone: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        if self.min_interval <= timedelta(0) or self.max_interval < self.min_interval:
            raise ValueError("need 0 < min_interval <= max_interval")


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder to show: which exercise, when, and why."""

    exercise: Exercise
    at: datetime
    trigger: Trigger


@dataclass(frozen=True, slots=True)
class Dropped:
    """A reminder held back too long (``max_postpone``): dropped, not shown mid-call."""

    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Status:
    """A snapshot for the tray and the CLI."""

    mode: Mode
    due: datetime | None
    paused_until: datetime | None
    held: str | None = None
    away_since: datetime | None = None
    off_duty_until: datetime | None = None  # next reminder when outside working hours

    def text(self, now: datetime, tz: tzinfo, *, countdown: bool = True) -> str:
        """The status line of the menu, the tooltip and ``microbreak status``. ``countdown=False``
        says a clock time ("Next break at 14:32"): the tray, redrawn on changes, stays true."""
        if self.mode is Mode.PAUSED:
            if self.paused_until is None:
                return _("Paused until resumed")
            return _("Paused until {time}").format(time=_clock(self.paused_until, now, tz))
        if self.off_duty_until is not None:
            local = self.off_duty_until.astimezone(tz)
            today = local.date() == now.astimezone(tz).date()  # later today: the time alone
            when = clock(local) if today else f"{weekday(local)} {clock(local)}"
            return _("Outside working hours \N{EM DASH} next reminder {when}").format(when=when)
        if self.away_since is not None:
            return _("Away since {time}: a natural break").format(
                time=_clock(self.away_since, now, tz)
            )
        if self.held is not None:
            return _("Holding: {reason}").format(reason=self.held)
        if self.due is None:
            return _("Outside working hours")
        at, wait = _clock(self.due, now, tz), humanize(self.due - now)
        if self.mode is Mode.SNOOZED:
            if not countdown:
                return _("Snoozed: next break at {time}").format(time=at)
            return _("Snoozed: next break in {wait} ({time})").format(wait=wait, time=at)
        if not countdown:
            return _("Next break at {time}").format(time=at)
        return _("Next break in {wait} ({time})").format(wait=wait, time=at)


def _clock(when: datetime, now: datetime, tz: tzinfo) -> str:
    """``14:30``, or ``Tue 08:00`` when it is not today."""
    local, today = when.astimezone(tz), now.astimezone(tz).date()
    return clock(local, with_day=local.date() != today)


def next_local_time(now: datetime, at: time, tz: tzinfo) -> datetime:
    """The next time the local clock shows ``at``, in UTC (DST-safe): on the night the clocks
    go back, a time of the repeated hour comes twice, and its second coming counts too; on the
    night they spring forward, a skipped time is the moment of the jump."""
    local = now.astimezone(tz)
    day = local.date()
    while True:
        for fold in (0, 1):
            candidate = local_instant(day, at, tz, fold=fold).astimezone(now.tzinfo)
            if candidate > now:
                return candidate
        day += timedelta(days=1)


class Planner:
    """Owns the schedule; the app calls it on every timer tick, menu choice and clock event."""

    def __init__(
        self,
        policy: Policy,
        rotation: Rotation,
        rng: random.Random,
        tz: tzinfo,
        work: WorkWeek | None = None,
    ):
        self.policy = policy
        self.work = work
        self.off_duty = False
        self.held_since: datetime | None = None
        self.held_reason: str | None = None
        self.away_since: datetime | None = None
        self.rotation = rotation
        self.tz = tz
        self._rng = rng
        self.mode = Mode.RUNNING
        self.due: datetime | None = None
        self.paused_until: datetime | None = None
        self._pause_is_relative = False
        self.last_shown: datetime | None = None
        self._again: Exercise | None = None  # a snoozed reminder to show once more
        self.unanswered: Exercise | None = None  # shown, not yet marked done or skipped

    # -- reading -------------------------------------------------------------------------------

    def status(self, now: datetime) -> Status:
        """What the tray shows; cheap, no side effects. It tells what will happen, also before
        the next tick makes it so: outside working hours (a restart, a changed time zone) it
        says when they begin, and a due time past the end of the working period is the next
        period's first reminder."""
        off_duty_until, due = None, self.due
        # The reminder on screen, snoozed, comes back at its time, working hours or not.
        if self.work is not None and self.mode is not Mode.PAUSED and not self._snoozed():
            period = self.work.current(now, self.tz)
            if self.off_duty or period is None:
                start = self.work.next_start(now, self.tz)
                off_duty_until = start + self.policy.min_interval if start else None
            elif due is not None and due >= period[1] and not self.work.current(period[1], self.tz):
                start = self.work.next_start(period[1], self.tz)
                due = start + self.policy.min_interval if start else None
        return Status(
            self.mode,
            due,
            self.paused_until,
            held=self.held_reason,
            away_since=self.away_since,
            off_duty_until=off_duty_until,
        )

    def next_wakeup(self, now: datetime) -> datetime | None:
        """When the planner next needs a tick (``None``: paused until resumed): off duty, the next
        period's start; else the due time or the period's end, whichever is first; held, a retry."""
        if self.mode is Mode.PAUSED:
            return self.paused_until
        wake = self.due
        if self.away_since is not None:
            wake = None  # nothing is due while away; the app looks for the return
        elif self.held_since is not None:
            retry = min(HOLD_RETRY, self.policy.max_postpone / 6)
            wake = min(now + retry, self.held_since + self.policy.max_postpone)
        if self.work is not None:
            # The edges of working hours count while away too: the status tells them.
            period = self.work.current(now, self.tz)
            if period is None and self.off_duty:
                start = self.work.next_start(now, self.tz)
                if wake is None or not self._encore():
                    return start
                return min(wake, start) if start is not None else wake
            if period is None or self.off_duty:
                # Outside working hours but not yet off duty (restored, the time zone changed),
                # or off duty inside them (restored, working hours edited): tick at once.
                return now
            return min(wake, period[1]) if wake is not None else period[1]
        return wake

    def is_due(self, now: datetime) -> bool:
        """Would a tick now show a reminder (before do-not-disturb is asked)?"""
        if self.mode is Mode.PAUSED or self.away_since is not None or self.due is None:
            return False
        if self._off_hours(now) and not self._encore():
            return False
        return now >= self.due

    def interval(self) -> timedelta:
        """A random gap between the configured bounds, to the second."""
        low = self.policy.min_interval.total_seconds()
        high = self.policy.max_interval.total_seconds()
        return timedelta(seconds=round(self._rng.uniform(low, high)))

    # -- the clock moves -----------------------------------------------------------------------

    def start(self, now: datetime) -> None:
        """Begin a fresh interval (daemon start); outside working hours, wait for them."""
        self._again = None
        self._clear_hold()
        self._run(now, now + self.interval())

    def tick(self, now: datetime, hold: str | None = None) -> Reminder | Dropped | None:
        """The timer fired: at most one reminder, however late. With ``hold`` (a do-not-disturb
        reason: full-screen window, camera...) a due reminder waits, is tried again every
        ``HOLD_RETRY``, and after ``max_postpone`` is dropped rather than shown mid-call."""
        if self.mode is Mode.PAUSED:
            if self.paused_until is not None and now >= self.paused_until:
                self._resume(now)
            return None
        if self.work is not None:
            period = self.work.current(now, self.tz)
            if period is None:
                if not self.off_duty:
                    # The reminder on screen, snoozed, still comes back (an encore).
                    self._go_off_duty(keep_snooze=True)
                if not self._encore():
                    return None
            elif self._encore():
                self.off_duty = False  # working hours begin: the snooze stands, as the user set it
            elif self.off_duty or self.due is None:
                # The first reminder of a working period comes min_interval after it starts.
                self.off_duty = False
                self.due = max(now, period[0]) + self.policy.min_interval
                return None
        if self.away_since is not None or self.due is None or now < self.due:
            return None
        if hold:
            if self.held_since is None:
                self.held_since = now
            self.held_reason = hold
            if now - self.held_since < self.policy.max_postpone:
                return None
            self._afresh(now)
            return Dropped(now, hold)
        trigger = Trigger.SNOOZED if self._again is not None else Trigger.SCHEDULED
        return self._show(now, trigger)

    def on_presence(self, now: datetime, away_since: datetime | None) -> timedelta | None:
        """The user is away (idle or locked since ``away_since``) or back (None). Nothing comes
        while away; the absence, returned on coming back, is a natural break and a fresh interval
        starts, so nothing pops up at the first touch."""
        if self.mode is Mode.PAUSED:
            self.away_since = None
            return None
        if away_since is not None:
            if self.away_since is None:
                self.away_since = away_since
            return None
        if self.away_since is None:
            return None
        length, self.away_since = now - self.away_since, None
        self._afresh(now)
        return length

    def _clear_hold(self) -> None:
        self.held_since = self.held_reason = None

    def _snoozed(self) -> bool:
        """A snooze of the reminder on screen is pending: that exercise comes back at its time,
        working hours or not."""
        return self.mode is Mode.SNOOZED and self._again is not None

    def _encore(self) -> bool:
        """Off duty, a snooze of the reminder on screen is pending (a break taken after hours,
        or one snoozed across their end): it alone comes back, once, and nothing else is
        pending until working hours begin."""
        return self.off_duty and self._snoozed() and self.due is not None

    def _afresh(self, now: datetime) -> None:
        """Nothing held or repeated; a fresh interval, unless paused (a pause stays a pause) or
        off duty (nothing is pending: the next period sets the time)."""
        self._again = None
        self._clear_hold()
        if self.mode is not Mode.PAUSED:
            self.mode, self.due = Mode.RUNNING, None if self.off_duty else now + self.interval()

    def _go_off_duty(self, *, keep_snooze: bool = False) -> None:
        """Working hours are over: nothing is pending until the next period begins, but with
        ``keep_snooze`` the reminder on screen, snoozed, which then comes back as an encore."""
        self.off_duty = True
        self._clear_hold()
        if not (keep_snooze and self._snoozed()):
            self.mode, self.due, self._again = Mode.RUNNING, None, None

    def on_suspend(self, now: datetime, slept: timedelta) -> bool:
        """The machine slept; a long enough sleep is a natural break. Returns True if it was."""
        if self.mode is Mode.PAUSED or slept < self.policy.natural_break:
            return False
        self._afresh(now)
        return True

    def on_clock_jump(self, now: datetime, delta: timedelta) -> None:
        """The wall clock was set by ``delta``: keep every wait as long as it was meant to be."""

        def moved(when: datetime | None) -> datetime | None:
            return when + delta if when is not None else None

        self.due, self.last_shown = moved(self.due), moved(self.last_shown)
        # Times the planner measured from (a hold, an absence) keep their length too.
        self.held_since, self.away_since = moved(self.held_since), moved(self.away_since)
        if self._pause_is_relative:
            self.paused_until = moved(self.paused_until)

    # -- the user acts -------------------------------------------------------------------------

    def take_break_now(self, now: datetime) -> Reminder:
        """Show a reminder at once and start a fresh interval (a pause stays a pause)."""
        return self._show(now, Trigger.NOW)

    def snooze(self, now: datetime, duration: timedelta, *, this_reminder: bool = False) -> bool:
        """Push the pending reminder out by ``duration``; True when that is the reminder on
        screen, whose exercise then comes back ``duration`` from now. It is, while unanswered,
        when ``this_reminder`` (the Snooze button on it, pressed however late: GNOME and KDE
        keep it) or within ``JUST_SHOWN`` of it (the tray, the CLI); else the next break moves."""
        if self.mode is Mode.PAUSED:
            raise StateError(_("microbreak is paused; resume it before snoozing"))
        if duration <= timedelta(0):
            raise ValueError("snooze needs a positive duration")
        recent = self.last_shown is not None and now - self.last_shown < JUST_SHOWN
        again = self.unanswered is not None and (this_reminder or recent)
        if self.due is None and not (self.off_duty and again):
            raise StateError(_("outside working hours there is no pending reminder to snooze"))
        self._clear_hold()
        if again:
            self._again = self.unanswered
            self.due = now + duration
        else:
            self.due = max(self.due or now, now) + duration
        self.mode = Mode.SNOOZED
        return again

    def pause(self, now: datetime, duration: timedelta | None) -> None:
        """Stop reminders for ``duration``, or until resumed when ``None``."""
        if duration is not None and duration <= timedelta(0):
            raise ValueError("pause needs a positive duration")
        until = None if duration is None else now + duration
        self._pause(until, relative=duration is not None)

    def pause_until(self, now: datetime, until: datetime) -> None:
        """Stop reminders until a wall-clock time (e.g. tomorrow morning)."""
        if until <= now:
            raise ValueError("pause end must be in the future")
        self._pause(until, relative=False)

    def pause_until_morning(self, now: datetime) -> None:
        """Stop reminders until the configured morning time, next time it comes round."""
        self.pause_until(now, next_local_time(now, self.policy.morning, self.tz))

    def skip(self, now: datetime) -> Exercise | None:
        """Drop the pending reminder (a held one's hold ends) and start a fresh interval; returns
        the reminder shown and not yet answered, if any, which this skips. Paused, it only
        answers that reminder (Skip, as Done does): the pause stays."""
        if self.mode is Mode.PAUSED and self.unanswered is None:
            raise StateError(_("microbreak is paused; there is no pending reminder to skip"))
        skipped, self.unanswered = self.unanswered, None
        self._afresh(now)
        return skipped

    def done(self, now: datetime) -> Exercise:
        """The user did the exercise of the last reminder; returns it."""
        if self.unanswered is None and self.mode is Mode.PAUSED:
            raise StateError(_("there is no reminder to mark as done; microbreak is paused"))
        if self.unanswered is None:
            raise StateError(_("there is no reminder to mark as done; the next one will come"))
        exercise, self.unanswered = self.unanswered, None
        if self._again is not None and self._again.id == exercise.id:
            # Snoozed and then done anyway: the repeat is no longer wanted, and the snooze's end
            # is no time for the next break (it may be a minute away): a fresh interval.
            self._afresh(now)
        return exercise

    def resume(self, now: datetime) -> bool:
        """End a pause; the first reminder comes ``min_interval`` later. False if not paused."""
        if self.mode is not Mode.PAUSED:
            return False
        self._resume(now)
        return True

    def reconfigure(
        self,
        now: datetime,
        policy: Policy,
        work: WorkWeek | None,
        exercises: Iterable[Exercise],
    ) -> str | None:
        """Switch to new settings (live reload); says why, if the pending reminder moved. New
        bounds re-time it; new working hours start afresh (or wait); a snooze stands while it is
        working time; the rotation's round and last exercise carry on, so the exercise just
        shown cannot come straight back."""
        old_bounds = (self.policy.min_interval, self.policy.max_interval)
        old_work, self.policy, self.work = self.work, policy, work
        self.rotation.reselect(exercises)
        if self.mode is Mode.PAUSED:
            return None
        if self.mode is Mode.SNOOZED and not self.off_duty and not self._off_hours(now):
            return None  # a snooze is the user's own time: new bounds or hours leave it be
        if self._encore() and work == old_work:
            return None  # and so is one after hours, while they stay as they were
        if work != old_work:
            self.start(now)  # working hours changed: wait for them, or a fresh interval
            return "the working hours changed"
        if (policy.min_interval, policy.max_interval) != old_bounds and self.due is not None:
            self.due = now + self.interval()
            self._clear_hold()
            return "the interval changed"
        return None

    # -- internals -----------------------------------------------------------------------------

    def _pause(self, until: datetime | None, *, relative: bool) -> None:
        self.mode, self.due, self._again = Mode.PAUSED, None, None
        self.paused_until, self._pause_is_relative = until, relative
        self._clear_hold()

    def _resume(self, now: datetime) -> None:
        self._run(now, now + self.policy.min_interval)

    def _run(self, now: datetime, due: datetime) -> None:
        """Running from ``now``, the next break at ``due``; outside working hours (they may have
        ended, begun or been edited meanwhile), nothing until they begin."""
        self.mode, self.paused_until, self._pause_is_relative = Mode.RUNNING, None, False
        self.due, self.off_duty = due, False
        if self._off_hours(now):
            self._go_off_duty()

    def _off_hours(self, now: datetime) -> bool:
        """Working hours are set and ``now`` is outside them."""
        return self.work is not None and self.work.current(now, self.tz) is None

    def _show(self, now: datetime, trigger: Trigger) -> Reminder:
        exercise = self._again if self._again is not None else self.rotation.next()
        self.last_shown, self.unanswered = now, exercise
        self._afresh(now)
        return Reminder(exercise, now, trigger)

    # -- surviving a restart ---------------------------------------------------------------------

    def snapshot(self, now: datetime) -> dict[str, object]:
        """Every field of the state, as JSON-ready values: ``restore`` at the same ``now`` gives
        back an equal snapshot (tests/test_planner_stateful.py checks it)."""

        def iso(when: datetime | None) -> str | None:
            return when.isoformat() if when is not None else None

        return {
            "saved_at": now.isoformat(),
            "mode": self.mode.value,
            "due": iso(self.due),
            "paused_until": iso(self.paused_until),
            "pause_is_relative": self._pause_is_relative,
            "last_shown": iso(self.last_shown),
            "again": self._again.id if self._again else None,
            "unanswered": self.unanswered.id if self.unanswered else None,
            "deck": list(self.rotation.deck),
            "last": self.rotation.last_id,
            "off_duty": self.off_duty,
            "held_since": iso(self.held_since),
            "held_reason": self.held_reason,
            "away_since": iso(self.away_since),
        }

    def restore(
        self, data: dict[str, object], now: datetime, catalog: Iterable[Exercise] = CATALOG
    ) -> str:
        """Carry on from a snapshot; returns a sentence saying what happens next.

        A pending reminder keeps its time; one that fell due meanwhile comes once, or after a gap
        of ``natural_break`` (a reboot, a night) a fresh interval starts. A snapshot saved
        "later" than ``now`` (the clock was set back meanwhile) is moved back as by a clock jump,
        so no wait grows. A pause lasts to its end;
        off duty, nothing comes until work begins. An older file's missing fields take defaults.
        The unanswered and snoozed exercises are looked up in the whole ``catalog`` (the selection
        may have left them out since). Raises ValueError or KeyError on a bad snapshot.
        """

        def when(key: str) -> datetime | None:
            value = data.get(key)
            if value is None:
                return None
            parsed = datetime.fromisoformat(str(value))
            if parsed.tzinfo is None:
                raise ValueError(f"{key} has no time zone")
            return parsed

        exercises = {e.id: e for e in (*catalog, *self.rotation.exercises)}
        mode = Mode(str(data["mode"]))
        saved_at = when("saved_at")
        if saved_at is None:
            raise ValueError("the snapshot has no saved_at")
        deck = data.get("deck") or []
        if not isinstance(deck, list):
            raise ValueError("deck is not a list")
        held_since, held_reason = when("held_since"), _opt_str(data.get("held_reason"))
        if (held_since is None) != (held_reason is None):
            raise ValueError("held_since and held_reason go together")
        self.rotation.resume(tuple(str(i) for i in deck), _opt_str(data.get("last")))
        self.last_shown = when("last_shown")
        self._again = exercises.get(_opt_str(data.get("again")) or "")
        self.unanswered = exercises.get(_opt_str(data.get("unanswered")) or "")
        self.mode = mode
        self.off_duty = bool(data.get("off_duty", False))
        self.held_since, self.held_reason = held_since, held_reason
        self.away_since = when("away_since")
        self.due = when("due")
        paused = mode is Mode.PAUSED
        self.paused_until = when("paused_until") if paused else None
        self._pause_is_relative = paused and bool(data.get("pause_is_relative"))
        if saved_at > now:  # the wall clock was set back while microbreak was not running
            self.on_clock_jump(now, now - saved_at)
            saved_at = now
        if paused:
            if self.paused_until is not None and self.paused_until <= now:
                self._resume(now)
                return "the pause ended while microbreak was not running"
            return "still paused"
        return self._carry_on(now, now - saved_at)

    def _carry_on(self, now: datetime, stopped: timedelta) -> str:
        """After a restore (not paused): what the next tick will do, said truly."""
        if self.work is not None:
            period = self.work.current(now, self.tz)
            due = self.due
            if self._snoozed() and due is not None and (self.off_duty or period is None):
                # The reminder on screen, snoozed at the edge of working hours: it comes back,
                # unless it fell due long ago (a natural break was had).
                if due <= now and stopped >= self.policy.natural_break:
                    self._go_off_duty()
                elif period is None:
                    return "outside working hours: only the snoozed reminder comes back"
                else:
                    return "working hours have begun: the snoozed reminder comes back"
            if period is None:
                return "outside working hours: no reminder until they begin"
            if self.off_duty or self.due is None:
                wait = humanize(self.policy.min_interval)
                return f"working hours have begun: the first reminder comes in {wait}"
        if self.due is None:
            # Only a working-hours wait has no due time; without working hours, start afresh.
            self.start(now)
            return "a fresh interval starts"
        if self.due > now:
            return "the pending reminder keeps its time"
        if stopped >= self.policy.natural_break:
            self._afresh(now)
            return "microbreak was not running for a while: a fresh interval starts"
        if self.away_since is not None:
            return "away when it stopped: a fresh interval starts when you are back"
        if self.held_since is not None:
            return f"the held reminder is tried again now ({self.held_reason})"
        return "the reminder that fell due meanwhile comes now"


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
