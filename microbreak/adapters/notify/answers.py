"""What a click on the reminder means: each answer goes to the app entry the tray and CLI use.

Done, Snooze (the first choice) and Skip are the CLI's, so the history records them alike. A click
on the body is "Start": it opens the guide, which answers by how it ends; where the guide cannot
open, the click snoozes (the user saw the reminder and put it aside). Closing the notification is
recorded as dismissed; a reminder that expired or that another client closed is no answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...core.planner import StateError
from .freedesktop import Answer

if TYPE_CHECKING:
    from ...app import App

log = logging.getLogger(__name__)


def router(app: App) -> Callable[[Answer], None]:
    """The ``on_answer`` for ``FdoNotifier``: runs on the GLib loop's thread, never raises."""

    def start() -> None:
        try:
            app.guide()
        except StateError as e:
            log.info("%s; the click snoozes instead", e)
            app.snooze(this_reminder=True)

    def on_answer(answer: Answer) -> None:
        actions: dict[Answer, Callable[[], object]] = {
            Answer.DONE: app.done,
            Answer.SNOOZE: lambda: app.snooze(this_reminder=True),
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
