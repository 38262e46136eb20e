"""``microbreak stats``: reminders, breaks done, snoozes, skips, pauses and compliance per day.

Days are the user's local calendar days, DST included: their UTC bounds are worked out here and
handed to SQLite as a temp table joined on the time index, so five years of history are counted
in milliseconds. Only the standard library is imported; matplotlib only inside ``write_chart``.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import io
import itertools
import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from ..adapters.storage.history import fold, reading
from ..core.events import EventKind
from ..core.exercises import CATALOG, Exercise
from ..errors import EXIT_USAGE, MicrobreakError
from ..i18n import N_, _, day_month, month, ngettext, number, pgettext, weekday

#: The chart formats by file extension, as matplotlib names them: raster for sharing, vector for
#: print, and nothing beyond matplotlib and the Pillow it depends on.
CHART_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg"}
_ALLOWED = N_(".png, .svg, .pdf or .jpg")  # the formats as ``--chart`` names them, translated

#: The kinds counted per day, in the order of ``Counts``' integer fields. DISMISSED is not one:
#: closing a notification says nothing about the break, so the reminder counts as shown only.
_COUNTED = (
    EventKind.SHOWN.value,
    EventKind.DONE.value,
    EventKind.SNOOZED.value,
    EventKind.SKIPPED.value,
    EventKind.NATURAL_BREAK.value,
)
_DONE, _SKIPPED = _COUNTED.index(EventKind.DONE.value), _COUNTED.index(EventKind.SKIPPED.value)

#: The events that open or close a pause interval.
_PAUSE_KINDS = (EventKind.PAUSED, EventKind.RESUMED, EventKind.STARTED, EventKind.STOPPED)


class ChartUnavailable(MicrobreakError):
    """``--chart`` without matplotlib; the message says how to install it."""


class ChartPathError(MicrobreakError):
    """A ``--chart`` path that cannot be written or names a format we do not write."""

    exit_code = EXIT_USAGE


class ChartWriteFailed(MicrobreakError):
    """The chart could not be written for a reason other than the path given (a full disk)."""


class HistoryUnreadable(MicrobreakError):
    """The history file exists but SQLite cannot read it."""


@dataclass(frozen=True, slots=True)
class Counts:
    """What happened over a day or a period."""

    reminders: int  # reminders shown
    done: int
    snoozed: int
    skipped: int  # reminders shown and then skipped (a `skip` with none shown only reschedules)
    natural_breaks: int  # suspends (or idle spells) long enough to count as a break
    minutes_paused: float

    @property
    def compliance(self) -> int | None:
        """Breaks done per reminder shown, in percent, or ``None`` without reminders. Capped at
        100: a reminder shown just before midnight and done after it counts on two days."""
        if self.reminders == 0:
            return None
        return min(100, round(100 * self.done / self.reminders))


@dataclass(frozen=True, slots=True)
class Day(Counts):
    """One local calendar day."""

    date: date


@dataclass(frozen=True, slots=True)
class ExerciseCount:
    """How often one exercise was done; ``name`` from the catalog (the id if it is gone)."""

    exercise: str
    name: str
    done: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Everything ``microbreak stats`` shows, for ``days`` local days ending today."""

    days: tuple[Day, ...]  # oldest first, today last
    totals: Counts
    goal: int
    days_goal_met: int
    streak: int  # consecutive days up to today (or yesterday, if today is not there yet)
    top_exercises: tuple[ExerciseCount, ...]
    generated_at: datetime  # local
    timezone: str


# -- computing ----------------------------------------------------------------------------------


def compute(
    history: str | os.PathLike[str],
    *,
    days: int,
    goal: int,
    now: datetime,
    tz: tzinfo,
    catalog: Iterable[Exercise] = CATALOG,
) -> Stats:
    """Statistics for the ``days`` local days ending today (``now`` in ``tz``); no history file
    is an empty history. ``goal`` is breaks done per day; the streak counts today only once
    today has reached it, so an unfinished today never breaks a streak. ``catalog`` (yours
    merged in) names the exercises done most."""
    if days < 1 or goal < 1:
        raise ValueError("days and goal must be at least 1")
    if now.tzinfo is None:
        raise ValueError("compute() needs an aware datetime")
    local = now.astimezone(tz)
    dates = [local.date() - timedelta(days=n) for n in range(days - 1, -1, -1)]
    bounds = _bounds(dates, tz)
    # The daemon's latest events first. A file that cannot take them now (damaged, or busy
    # past the timeout) is read as it is; a damaged one is reported just below.
    with contextlib.suppress(OSError, sqlite3.Error):
        fold(history, check=False)
    with _reading(Path(history)) as conn:
        counts = _per_day(conn, bounds)
        paused = _seconds_paused(conn, bounds, now.timestamp())
        exercises = _top(conn, bounds[0], bounds[-1])
        rows = tuple(
            Day(shown, done, snoozed, skipped, natural, p / 60, d)
            for d, (shown, done, snoozed, skipped, natural), p in zip(
                dates, counts, paused, strict=True
            )
        )
        streak = _streak(conn, tz, [r.done for r in rows], dates[0], goal)
    names = {exercise.id: exercise.name for exercise in catalog}
    return Stats(
        days=rows,
        totals=Counts(*(sum(getattr(r, f.name) for r in rows) for f in fields(Counts))),
        goal=goal,
        days_goal_met=sum(r.done >= goal for r in rows),
        streak=streak,
        top_exercises=tuple(ExerciseCount(e, names.get(e, e), n) for e, n in exercises),
        generated_at=local,
        timezone=getattr(tz, "key", None) or local.tzname() or str(tz),
    )


def _bounds(dates: Sequence[date], tz: tzinfo) -> list[int]:
    """UTC epoch seconds of each local midnight, and of the one after the last day."""
    days = [*dates, dates[-1] + timedelta(days=1)]
    return [math.floor(datetime.combine(d, time(0), tzinfo=tz).timestamp()) for d in days]


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """One read transaction (a consistent snapshot while the daemon writes). No history yet (no
    file, or a fresh one the daemon has not written) reads as an empty events table."""
    # Closing the connection rolls the read transaction back, which drops the temp tables.
    if path.is_dir():
        raise HistoryUnreadable(f"cannot read the history file {path}: it is a directory")
    with contextlib.ExitStack() as stack:
        try:
            if path.exists():
                conn = stack.enter_context(reading(path))
            else:
                conn = stack.enter_context(contextlib.closing(sqlite3.connect(":memory:")))
        except sqlite3.Error as e:
            raise HistoryUnreadable(f"cannot read the history file {path}: {e}") from e
        try:
            conn.execute("BEGIN")
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'"
            if not conn.execute(query).fetchone()[0]:  # a temp table: the file stays unchanged
                conn.execute("CREATE TEMP TABLE events (id, at, kind, exercise, seconds)")
            yield conn
        except sqlite3.Error as e:
            raise HistoryUnreadable(
                f"cannot read the history file {path}: {e} (microbreak moves a damaged file "
                "aside and keeps what it can the next time it starts)"
            ) from e


def _per_day(conn: sqlite3.Connection, bounds: Sequence[int]) -> list[tuple[int, ...]]:
    """Per ``[bounds[i], bounds[i + 1])``: the number of events of each of ``_COUNTED``."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS stats_days (i INTEGER PRIMARY KEY, lo INTEGER, hi INTEGER)"
    )
    conn.execute("DELETE FROM temp.stats_days")
    conn.executemany(
        "INSERT INTO temp.stats_days VALUES (?, ?, ?)",
        ((i, lo, hi) for i, (lo, hi) in enumerate(itertools.pairwise(bounds))),
    )
    counts = [[0] * len(_COUNTED) for _ in range(len(bounds) - 1)]
    # CROSS JOIN keeps the days outside, in order: one range scan of the covering time index per
    # day, and the grouping needs no sort.
    columns = ", ".join("sum(e.kind = ?)" for _ in _COUNTED)
    for i, *n in conn.execute(
        f"SELECT d.i, {columns} FROM temp.stats_days AS d CROSS JOIN events AS e "
        "WHERE e.at >= d.lo AND e.at < d.hi GROUP BY d.i",
        _COUNTED,
    ):
        counts[i] = n
    # Only a reminder that was shown can be skipped, and its SKIPPED event names the exercise.
    # One without an exercise is `microbreak skip` with nothing on screen, as files written
    # before EventKind.RESCHEDULED record it: a reschedule, taken back out. (Testing the exercise
    # in the query above would read the table row of every event; the kind index covers this.)
    for i, n in conn.execute(
        "SELECT d.i, count(*) FROM temp.stats_days AS d CROSS JOIN events AS e "
        "WHERE e.kind = ? AND e.at >= d.lo AND e.at < d.hi AND e.exercise IS NULL GROUP BY d.i",
        (EventKind.SKIPPED.value,),
    ):
        counts[i][_SKIPPED] -= n
    return [tuple(c) for c in counts]


def _seconds_paused(conn: sqlite3.Connection, bounds: Sequence[int], now: float) -> list[float]:
    """Seconds paused per day. A pause ends at the next resume, pause, start or stop, at its
    planned end (``seconds`` of the PAUSED event) or now, whichever comes first, and is split
    at local midnights; one that seems to end before it began (the clock was set back) counts
    for nothing."""
    kinds = tuple(k.value for k in _PAUSE_KINDS)
    marks = ", ".join("?" * len(kinds))
    lo, hi = bounds[0], bounds[-1]
    events: list[tuple[int, str, float | None]] = []
    # The state at the start of the period: the last such event before it (one index seek per
    # kind; a single ORDER BY over all kinds would sort years of events).
    last = [
        conn.execute("SELECT max(at) FROM events WHERE kind = ? AND at < ?", (k, lo)).fetchone()[0]
        for k in kinds
    ]
    if any(at is not None for at in last):
        events += conn.execute(
            f"SELECT at, kind, seconds FROM events WHERE at = ? AND kind IN ({marks}) "
            "ORDER BY id DESC LIMIT 1",
            (max(at for at in last if at is not None), *kinds),
        ).fetchall()
    # In the order they were written: a clock set back during a pause would put the resume
    # before the pause, and the pause would run on to the next stop (hours that never were).
    events += conn.execute(
        f"SELECT at, kind, seconds FROM events WHERE at >= ? AND at < ? AND kind IN ({marks}) "
        "ORDER BY id",
        (lo, hi, *kinds),
    ).fetchall()

    spans: list[tuple[float, float]] = []
    start: float | None = None
    planned = math.inf
    for at, kind, seconds in events:
        if start is not None:  # every one of these kinds ends the pause in progress
            spans.append((start, min(at, planned)))
            start = None
        if kind == EventKind.PAUSED.value:
            start = at
            planned = at + seconds if seconds is not None else math.inf
    if start is not None:
        spans.append((start, min(now, planned)))

    paused = [0.0] * (len(bounds) - 1)
    for begin, end in spans:
        begin, end = max(begin, lo), min(end, hi)
        i = bisect.bisect_right(bounds, begin) - 1
        while begin < end:
            cut = min(end, bounds[i + 1])
            paused[i] += cut - begin
            begin, i = cut, i + 1
    return paused


def _top(conn: sqlite3.Connection, lo: int, hi: int) -> list[tuple[str, int]]:
    """The five exercises done most in ``[lo, hi)``, most first, ties by id."""
    return conn.execute(
        "SELECT exercise, count(*) AS n FROM events "
        "WHERE at >= ? AND at < ? AND kind = ? AND exercise IS NOT NULL "
        "GROUP BY exercise ORDER BY n DESC, exercise LIMIT 5",
        (lo, hi, EventKind.DONE.value),
    ).fetchall()


def _streak(conn: sqlite3.Connection, tz: tzinfo, done: list[int], first: date, goal: int) -> int:
    """Days in a row, back from today, with ``done >= goal``; an unmet today is skipped.
    ``done`` runs oldest first, from ``first`` to today. When the streak reaches ``first``, the
    days before it are read: a month, then a year at a time."""
    if done[-1] < goal:
        done = done[:-1]  # today is not there yet: count up to yesterday
    streak = chunk = 0
    while True:
        for n in reversed(done):
            if n < goal:
                return streak
            streak += 1
        chunk = 366 if chunk else 31  # most streaks end within a month
        first -= timedelta(days=chunk)
        earlier = [first + timedelta(days=k) for k in range(chunk)]
        done = [c[_DONE] for c in _per_day(conn, _bounds(earlier, tz))]


# -- showing ------------------------------------------------------------------------------------


def to_json(stats: Stats) -> str:
    """The stats as JSON for ``--json``: every key always present, in this order. ``version``
    changes with a change of meaning; ``compliance`` is null on a day without reminders;
    ``per_day`` runs oldest first to today, in local dates."""

    def counts(c: Counts) -> dict[str, object]:
        numbers = {f.name: getattr(c, f.name) for f in fields(Counts)}
        return numbers | {"minutes_paused": round(c.minutes_paused, 1), "compliance": c.compliance}

    document = {
        "version": 1,
        "generated_at": stats.generated_at.isoformat(timespec="seconds"),
        "timezone": stats.timezone,
        "days": len(stats.days),
        "goal": stats.goal,
        "days_goal_met": stats.days_goal_met,
        "streak": stats.streak,
        "totals": counts(stats.totals),
        "top_exercises": [
            {"exercise": e.exercise, "name": e.name, "done": e.done} for e in stats.top_exercises
        ],
        "per_day": [
            {
                "date": d.date.isoformat(),
                "weekday": d.date.strftime("%a"),
                **counts(d),
                "goal_met": d.done >= stats.goal,
            }
            for d in stats.days
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_table(stats: Stats) -> str:
    """One aligned row per local day, a total, the streak and the exercises done most."""
    header = (
        _("DATE"),
        "",
        _("REMINDERS"),
        pgettext("stats column", "DONE"),
        _("SNOOZED"),
        _("SKIPPED"),
        _("PAUSED"),
        _("DONE %"),
        _("GOAL"),
    )
    rows: list[tuple[str, ...]] = [header]
    for d in stats.days:
        met = _("met") if d.done >= stats.goal else ""
        rows.append((d.date.isoformat(), weekday(d.date, short=True), *_cells(d), met))
    rows.append((_("total"), "", *_cells(stats.totals), f"{stats.days_goal_met}/{len(stats.days)}"))
    right = {2, 3, 4, 5, 6, 7}
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]
    lines.insert(-1, "")
    first, last = stats.days[0].date, stats.days[-1].date
    if first == last:
        title = _("Breaks today ({zone}), daily goal: {goal} done")
    else:
        title = _("Breaks {first} to {last} ({zone}), daily goal: {goal} done")
    title = title.format(first=first, last=last, zone=stats.timezone, goal=stats.goal)
    streak = ngettext(
        "Streak: {n} day in a row with the goal met",
        "Streak: {n} days in a row with the goal met",
        stats.streak,
    ).format(n=stats.streak)
    if stats.days[-1].done < stats.goal:
        streak += _(" (today: {done} of {goal} so far)").format(
            done=stats.days[-1].done, goal=stats.goal
        )
    top = ", ".join(f"{_(e.name)} {e.done}" for e in stats.top_exercises) or _("none yet")
    return "\n".join([title, "", *lines, "", streak, _("Done most: {top}").format(top=top)])


def _cells(c: Counts) -> tuple[str, ...]:
    hours, rest = divmod(round(c.minutes_paused), 60)
    if hours:
        paused = f"{hours}h{rest:02d}m"
    elif rest:
        paused = f"{rest}m"
    else:  # "-" is no pause at all; one of seconds rounds to no minutes but was a pause
        paused = "<1m" if c.minutes_paused > 0 else "-"
    compliance = "-" if c.compliance is None else f"{c.compliance}%"
    return (str(c.reminders), str(c.done), str(c.snoozed), str(c.skipped), paused, compliance)


def chart_target(path: str | os.PathLike[str]) -> tuple[Path, str]:
    """The absolute file ``--chart`` names and the format its extension asks for; checked before
    any work, so that a mistake is one line (exit 2), not a traceback after the stats."""
    text = os.fspath(path)
    target = Path(text)
    if not text.strip():
        said = _("--chart needs a file name ending in {allowed}")
        raise ChartPathError(said.format(allowed=_(_ALLOWED)))
    if text.endswith(("/", os.sep)) or target.is_dir():
        if target.is_dir():
            said = _("--chart {path}: is a directory; name a file, e.g. {example}")
        else:
            said = _(
                "--chart {path}: ends in a slash, so it names a directory; "
                "name a file, e.g. {example}"
            )
        raise ChartPathError(said.format(path=text, example=target / "chart.png"))
    suffix = target.suffix.lower()
    if suffix not in CHART_FORMATS:
        if suffix:
            said = _("--chart {path}: cannot write {suffix} files; end the name in {allowed}")
        else:
            said = _("--chart {path}: has no file extension; end the name in {allowed}")
        raise ChartPathError(said.format(path=text, suffix=suffix, allowed=_(_ALLOWED)))
    # A link is written through: the folder that counts is its target's (a dangling link's too).
    written = target.resolve() if target.is_symlink() else target.absolute()
    folder = written.parent
    reason = ""
    if not folder.exists():
        said = _("--chart {path}: the directory {folder} does not exist")
    elif not folder.is_dir():
        said = _("--chart {path}: {folder} is not a directory")
    else:
        refused = _cannot_write(written, folder)
        if refused is None:
            return target.absolute(), CHART_FORMATS[suffix]
        if refused.errno in (errno.EACCES, errno.EPERM):
            said = _("--chart {path}: no permission to write there")
        else:  # /proc, a read-only mount: refused even to root
            said = _("--chart {path}: cannot write a file there ({reason})")
            reason = refused.strerror or str(refused)
    raise ChartPathError(said.format(path=text, folder=folder, reason=reason))


def _cannot_write(target: Path, folder: Path) -> OSError | None:
    """Why ``target`` cannot be written, found by trying, or ``None``: ``os.access()`` says yes
    to root even in /proc or on a read-only mount. An existing file is opened for writing but
    not truncated; otherwise an empty temporary file is created in ``folder`` and removed."""
    try:
        if target.exists():
            nonblocking = getattr(os, "O_NONBLOCK", 0)  # a FIFO with no reader: no wait (POSIX)
            os.close(os.open(target, os.O_WRONLY | nonblocking))
        else:
            handle, probe = tempfile.mkstemp(prefix=".microbreak-chart-", dir=folder)
            os.close(handle)
            os.unlink(probe)
    except OSError as e:
        return e
    return None


def write_chart(stats: Stats, path: str | os.PathLike[str]) -> Path:
    """Bars of reminders and breaks done per day (weekly averages over 92 days, monthly over two
    years), the daily goal as a line; returns where it went. Drawn in memory first, so a drawing
    that fails leaves an existing file as it was."""
    target, kind = chart_target(path)
    try:
        from matplotlib.figure import Figure  # it picks the canvas for the format as it saves
        from matplotlib.ticker import MaxNLocator
    except ImportError as e:
        said = _("the chart needs matplotlib; install it with: pip install 'microbreak[charts]'")
        raise ChartUnavailable(said) from e

    span, buckets = _buckets(stats.days)
    x = list(range(len(buckets)))
    reminders = [sum(d.reminders for d in b) / len(b) for b in buckets]
    done = [sum(d.done for d in b) / len(b) for b in buckets]

    figure = Figure(figsize=(11, 4.8), dpi=120, layout="constrained")
    axes = figure.add_subplot()
    axes.bar(x, reminders, 0.8, color="#b9d7d3", label=_("reminders shown"))
    axes.bar(x, done, 0.5, color="#169688", label=_("breaks done"))
    goal_label = _("daily goal ({goal})").format(goal=stats.goal)
    axes.axhline(stats.goal, color="#d1495b", linestyle="--", linewidth=1.5, label=goal_label)
    step = 1 if len(buckets) <= 14 else math.ceil(len(buckets) / 12)
    axes.set_xticks(x[::step], [_tick(b[0].date, span, len(buckets)) for b in buckets[::step]])
    axes.set_xlim(-0.6, max(len(buckets), 7) - 0.4)  # a lone bar stays bar-sized
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max([*reminders, *done, stats.goal]) * 1.3 + 0.5)  # room for the legend
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    unit = {
        1: _("breaks (per day)"),
        7: _("breaks (per day, weekly average)"),
        30: _("breaks (per day, monthly average)"),
    }[span]
    axes.set_ylabel(unit)
    axes.set_xlabel(_("local date ({zone})").format(zone=stats.timezone))
    axes.legend(loc="upper left", frameon=False, ncols=3)
    first, last = stats.days[0].date, stats.days[-1].date
    if first == last:
        title = _("microbreak: breaks on {day}").format(day=day_month(last, year=True))
    else:
        title = _("microbreak: breaks from {first} to {last}").format(
            first=day_month(first, year=True), last=day_month(last, year=True)
        )
    figure.suptitle(title, fontweight="bold")
    t = stats.totals
    summary = _("no reminders shown yet")
    if t.compliance is not None:
        summary = ngettext(
            "{done} of {n} reminder done ({percent}%)",
            "{done} of {n} reminders done ({percent}%)",
            t.reminders,
        ).format(done=number(t.done), n=number(t.reminders), percent=t.compliance)
    met = ngettext(
        "goal met on {met} of {n} day", "goal met on {met} of {n} days", len(stats.days)
    ).format(met=number(stats.days_goal_met), n=number(len(stats.days)))
    streak = ngettext("streak: {n} day", "streak: {n} days", stats.streak).format(
        n=number(stats.streak)
    )
    axes.set_title(f"{summary}; {met}; {streak}", fontsize="medium", color="#444444")
    image = io.BytesIO()
    if kind == "jpeg":
        figure.savefig(image, format=kind, pil_kwargs={"quality": 90})  # crisp text
    else:
        figure.savefig(image, format=kind)
    try:
        target.write_bytes(image.getvalue())
    except OSError as e:
        raise ChartWriteFailed(f"cannot write the chart to {target}: {e.strerror or e}") from e
    return target


def _buckets(days: Sequence[Day]) -> tuple[int, list[list[Day]]]:
    """The days grouped by day, week (from Monday) or month, and that span in days."""
    span = 1 if len(days) <= 92 else 7 if len(days) <= 731 else 30

    def start(d: Day) -> date:
        if span == 30:
            return d.date.replace(day=1)
        return d.date - timedelta(days=d.date.weekday() if span == 7 else 0)

    return span, [list(group) for _, group in itertools.groupby(days, start)]


def _tick(day: date, span: int, bars: int) -> str:
    """``Mon\n3 Nov`` for a week of days, ``3 Nov`` for up to three months, then with years."""
    if span == 30:
        return f"{month(day)}\n{day.year}"
    label = day_month(day)
    if span == 7:
        return f"{label}\n{day.year}"
    return f"{weekday(day, short=True)}\n{label}" if bars <= 14 else label
