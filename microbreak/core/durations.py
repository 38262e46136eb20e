"""Durations and times of day as people write them: ``45m``, ``1h30m``, ``90s``; ``8:30``.

One parser each for the config file and the command line, so both accept the same text.
"""

from __future__ import annotations

import json
import math
import re
from datetime import time, timedelta

from ..i18n import N_, _, ngettext

# A unit is h, m or s, or a word people write for one: min, mins, minutes, hr, hours, sec, ...
_UNIT = r"(?:h(?:(?:ou)?rs?)?|m(?:in(?:ute)?s?)?|s(?:ec(?:ond)?s?)?)"
_PART = re.compile(rf"(\d+(?:\.\d+)?)\s*({_UNIT})(?![a-z])", re.IGNORECASE)
_WHOLE = re.compile(rf"^\s*(?:\d+(?:\.\d+)?\s*{_UNIT}(?![a-z])\s*)+$", re.IGNORECASE)
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}
_TWICE = {
    "h": N_("{value} gives the hours twice; write each of h, m and s once at most, like 1h30m"),
    "m": N_("{value} gives the minutes twice; write each of h, m and s once at most, like 1h30m"),
    "s": N_("{value} gives the seconds twice; write each of h, m and s once at most, like 1m30s"),
}

DURATION_HELP = N_("a duration like 45m, 1h30m, 90s or a plain number of minutes")
TIME_HELP = N_('a time of day like "08:30", "8:30" or "17:45" (24-hour clock)')
# H:MM or HH:MM; ":00" seconds are allowed, as TOML's own times (08:30:00) always carry them.
_TIME_OF_DAY = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])(?::00)?")


class DurationError(ValueError):
    """A text that is not a duration; the message says what is allowed."""


class TimeOfDayError(DurationError):
    """A text that is not a time of day (a DurationError: a command's one ``except`` takes both)."""


def parse_time_of_day(value: object) -> time:
    """``8:30``, ``08:30`` or a TOML time without seconds, as a naive local time.

    Seconds and a UTC offset are refused rather than dropped: reminders and pauses keep minutes.
    """
    if isinstance(value, time):
        if value.second or value.microsecond:
            problem = _("{value} has seconds; write {help}")
        elif value.tzinfo is not None:
            problem = _("{value} has a UTC offset; write {help}")
        else:
            return value
        raise TimeOfDayError(problem.format(value=value.isoformat(), help=_(TIME_HELP)))
    match = _TIME_OF_DAY.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise TimeOfDayError(_not_a(value, TIME_HELP))
    return time(int(match[1]), int(match[2]))


def parse_duration(value: object) -> timedelta:
    """Read a duration from config or the command line; numbers alone mean minutes."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _span(value, 60.0, value)
    if not isinstance(value, str):
        raise DurationError(_not_a(value, DURATION_HELP))
    text = value.strip()
    if text.startswith("-") and len(text) > 1 and not text[1:].lstrip().startswith("-"):
        return -parse_duration(text[1:])
    try:
        minutes = float(text)
    except ValueError:
        pass
    else:
        return _span(minutes, 60.0, value)
    if not _WHOLE.match(text):
        raise DurationError(_not_a(value, DURATION_HELP))
    parts = [(float(n), u[0].lower()) for n, u in _PART.findall(text)]
    units = [u for _, u in parts]
    for unit, twice in _TWICE.items():
        if units.count(unit) > 1:  # "30m30m" is a slip, not an hour
            raise DurationError(_(twice).format(value=_quoted(value)))
    return _span(sum(n * _UNIT_SECONDS[u] for n, u in parts), 1.0, value)


def _span(amount: float, unit: float, value: object) -> timedelta:
    """``amount`` units of ``unit`` seconds, or DurationError for nan, infinity or far too long.
    A span under timedelta's microsecond stays apart from zero, so that a check of it says
    "less than a second", not "must be longer than zero", of a value that is."""
    try:
        seconds = amount * unit
        if not math.isfinite(seconds):
            raise DurationError(_not_a(value, DURATION_HELP))
        span = timedelta(seconds=seconds)
        if not span and seconds:
            span = timedelta(microseconds=math.copysign(1.0, seconds))
        return span
    except OverflowError:
        raise DurationError(
            _("{value} is far too long; write {help}").format(
                value=_quoted(value), help=_(DURATION_HELP)
            )
        ) from None


def _not_a(value: object, allowed: str) -> str:
    """``"abc" is not a duration like ...``, in the user's language."""
    return _("{value} is not {help}").format(value=_quoted(value), help=_(allowed))


def _quoted(value: object) -> str:
    """The value as the user wrote it in TOML or JSON: "text", true, [1], not Python's repr."""
    return f'"{value}"' if isinstance(value, str) else json.dumps(value, default=str)


def format_duration(value: timedelta) -> str:
    """Write a duration back the way a person would, e.g. ``1h30m`` or ``90s``."""
    total = round(value.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return sign + ("".join(parts) or "0s")


def humanize(value: timedelta) -> str:
    """A rounded, readable span for menus: ``23 min``, ``1 h 5 min``, ``40 s``."""
    total = max(0, round(value.total_seconds()))
    if total < 60:
        return _("{n} s").format(n=total)
    hours, minutes = divmod((total + 59) // 60, 60)  # whole minutes, rounded up
    if not hours:
        return _("{n} min").format(n=minutes)
    if minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return _("{n} h").format(n=hours)


def spelled(value: timedelta) -> str:
    """A whole span in words, as a menu offers it: ``30 minutes``, ``1 hour``, ``2 hours``."""
    minutes = round(value.total_seconds() / 60)
    if minutes % 60:
        return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    hours = minutes // 60
    return ngettext("{n} hour", "{n} hours", hours).format(n=hours)
