"""The reminder with buttons while the server shows them, else plyer's, decided per reminder.

The notification server can change under a running daemon: none at login that starts a moment
later, dunst replaced by another daemon. ``FdoNotifier`` asks the new server again whenever the
name changes owner, so each reminder goes the way the server of the moment allows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ...core.messages import Message
from .freedesktop import FdoNotifier
from .plyer import PlyerNotifier

log = logging.getLogger(__name__)


@dataclass
class EitherNotifier:
    """The app's Notifier on Linux: ``fdo`` when ``available()``, else ``plyer``."""

    fdo: FdoNotifier
    plyer: PlyerNotifier
    _failed: bool = False  # the last reminder found no taker (either way)

    def configure(self, *, timeout_seconds: int, snooze_label: str) -> None:
        """Take a reloaded config's notification timeout and first snooze choice."""
        self.fdo.timeout_seconds = timeout_seconds
        self.fdo.snooze_label = snooze_label
        self.plyer.timeout_seconds = timeout_seconds

    def show(self, message: Message) -> bool:
        """Show ``message``, with buttons if the server of the moment shows them."""
        if not self.fdo.available():
            sent = self.plyer.show(message)  # says itself when the server answers again
        else:
            sent = self.fdo.show(message)
            if sent and self._failed:
                log.info("the notification server answers again")
        self._failed = not sent
        return sent

    def withdraw(self) -> None:
        """Remove the reminder with buttons, if one is on screen (plyer's cannot be)."""
        self.fdo.withdraw()
