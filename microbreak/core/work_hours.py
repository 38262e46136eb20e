"""Working hours: per weekday one or more local time ranges; reminders only inside them.

Ranges are local wall-clock times ("09:00-17:30"); an end before the start runs past midnight
into the next day (a night shift). Every computation goes through the local date and back to
UTC, so DST changes move the boundaries with the clock on the wall.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from .durations import TimeOfDayError, parse_time_of_day

RANGE_HELP = 'a time range like "09:00-17:30" (an end before the start crosses midnight)'


def local_instant(day: date, at: time, tz: tzinfo, *, fold: int = 0) -> datetime:
    """The moment the local clock shows ``at`` on ``day`` (``fold=1``: its second showing, in
    the hour the clocks go back). A time the clock skips (02:30 on the night it springs
    forward) is the moment of the jump, when the clock first shows a later time: Python alone
    would read it with the old offset, an hour after the jump."""
    shown = datetime.combine(day, at, tzinfo=tz).replace(fold=fold)
    wall = shown.replace(tzinfo=None)
    if shown.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) == wall:
        return shown
    # Skipped: the jump lies between the two readings of it; find its second.
    low, high = sorted(int(shown.replace(fold=f).timestamp()) for f in (0, 1))
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, tz)


@dataclass(frozen=True, slots=True)
class Span:
    """One local time range; ``end < start`` means it ends the next day."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: object) -> Span:
        """``"09:00-17:30"`` or ``"9:00-17:30"``; TimeOfDayError says what is wrong.

        The one reader of a range, for the config file and for the daemon's runtime record.
        """
        shown = json.dumps(text, default=str)
        if not isinstance(text, str) or "-" not in text:
            raise TimeOfDayError(f"{shown} is not {RANGE_HELP}")
        a, _, b = text.partition("-")
        try:
            start, end = parse_time_of_day(a), parse_time_of_day(b)
        except TimeOfDayError:
            raise TimeOfDayError(f"{shown} is not {RANGE_HELP}") from None
        if start == end:
            raise TimeOfDayError(
                f"{shown} is an empty range: it ends at the time it starts; write {RANGE_HELP}"
            )
        return cls(start, end)

    def __str__(self) -> str:
        """As the config file and the runtime record write it: ``09:00-17:30``."""
        return f"{self.start.strftime('%H:%M')}-{self.end.strftime('%H:%M')}"


class WorkWeek:
    """Monday-first list of spans per weekday."""

    def __init__(self, days: Sequence[Sequence[Span]]) -> None:
        if len(days) != 7:
            raise ValueError("a work week has seven days")
        self._days = tuple(tuple(d) for d in days)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkWeek) and self._days == other._days

    def __hash__(self) -> int:
        return hash(self._days)

    @classmethod
    def parse(cls, days: Sequence[Sequence[str]]) -> WorkWeek:
        """From the runtime record's ``("09:00-17:30", ...)`` per weekday."""
        return cls([[Span.parse(t) for t in day] for day in days])

    def _periods(self, around: datetime, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        """The work periods (UTC) that start from two days before to eight days after."""
        local_day = around.astimezone(tz).date()
        periods = []
        for offset in range(-2, 9):
            day = local_day + timedelta(days=offset)
            for span in self._days[day.weekday()]:
                start = local_instant(day, span.start, tz)
                end_day = day if span.end > span.start else day + timedelta(days=1)
                end = local_instant(end_day, span.end, tz)
                periods.append((start.astimezone(around.tzinfo), end.astimezone(around.tzinfo)))
        return sorted(periods)

    def current(self, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
        """The work period ``now`` is in (start, end), or None outside working hours."""
        inside = [(s, e) for s, e in self._periods(now, tz) if s <= now < e]
        if not inside:
            return None
        # Overlapping ranges form one period: from the earliest start to the latest end.
        return min(s for s, _ in inside), max(e for _, e in inside)

    def next_start(self, now: datetime, tz: tzinfo) -> datetime | None:
        """When the next work period begins (None: no working day at all)."""
        later = [s for s, _ in self._periods(now, tz) if s > now]
        return min(later) if later else None
