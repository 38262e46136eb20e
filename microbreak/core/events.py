"""What the history records: the domain's events, named once for the app, the history and stats."""

from __future__ import annotations

from enum import Enum


class EventKind(str, Enum):
    """What happened; the value is what the database stores."""

    SHOWN = "shown"  # a reminder was shown (exercise: its id)
    DONE = "done"  # the user did the exercise (exercise: its id)
    SNOOZED = "snoozed"  # seconds: how long
    SKIPPED = "skipped"  # a reminder shown and not answered was skipped (exercise: its id)
    # The user closed the reminder's notification without answering it (exercise: its id).
    # Neither done nor skipped: the reminder stays unanswered, the stats count it as shown only.
    DISMISSED = "dismissed"
    PAUSED = "paused"  # seconds: the planned length, None for "until resumed"
    RESUMED = "resumed"  # by hand or because the pause ran out
    NATURAL_BREAK = "natural_break"  # a suspend or idle time; seconds: how long
    POSTPONED_OUT = "postponed_out"  # a held reminder was dropped
    # `skip` with no reminder on screen: the pending one moved to a fresh interval. Not a skip;
    # files from before this kind hold it as SKIPPED without an exercise.
    RESCHEDULED = "rescheduled"
    STARTED = "started"  # the daemon started
    STOPPED = "stopped"  # the daemon stopped cleanly
