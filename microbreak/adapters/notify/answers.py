"""What a click on the reminder means: each answer goes to the app entry the tray and CLI use.

Done, Snooze and Skip are the tray's and the CLI's ``done``, ``snooze`` (the first snooze
choice) and ``skip``, so the history records them alike. A click on the body (the ``default``
action) is "Start": it opens the guide window (``App.guide``), which counts the exercise through
and answers the reminder by how it ends (run to the end: done; closed early: skip). Where the
guide cannot open (no GUI toolkit, one already open) the click snoozes, as it did before the
guide: the user saw the reminder and put it aside, and a snooze brings it back with its buttons.
Closing the notification is recorded as dismissed, and the reminder stays unanswered. A
reminder that expired or that another client closed is no answer at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from ...core.planner import StateError
from .freedesktop import Answer

log = logging.getLogger(__name__)


class Answerable(Protocol):
    """The app's entries that an answer on the notification calls."""

    def done(self) -> str:
        """Mark the reminder done."""
        ...

    def snooze(self, duration: timedelta | None = None) -> timedelta:
        """Snooze by the first snooze choice."""
        ...

    def skip(self) -> str:
        """Skip the reminder."""
        ...

    def dismissed(self) -> None:
        """Record that the notification was closed unanswered."""
        ...

    def guide(self) -> str:
        """Open the guide window for the reminder; StateError when it cannot."""
        ...


def router(app: Answerable) -> Callable[[Answer], None]:
    """The ``on_answer`` for ``FdoNotifier``: runs on the GLib loop's thread, never raises."""

    def start() -> None:
        try:
            app.guide()
        except StateError as e:
            log.info("%s; the click snoozes instead", e)
            app.snooze()

    def on_answer(answer: Answer) -> None:
        actions: dict[Answer, Callable[[], object]] = {
            Answer.DONE: app.done,
            Answer.SNOOZE: app.snooze,
            Answer.SKIP: app.skip,
            Answer.OPEN: start,
            Answer.DISMISSED: app.dismissed,
        }
        action = actions.get(answer)
        if action is None:  # EXPIRED, CLOSED: the user said nothing
            log.debug("the reminder's notification went (%s)", answer.value)
            return
        log.info("answered on the notification: %s", answer.value)
        try:
            action()
        except StateError as e:  # e.g. Done when the tray answered first
            log.info("the answer %r changed nothing: %s", answer.value, e)

    return on_answer
