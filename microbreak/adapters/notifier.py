"""Desktop notifications through plyer, on its real D-Bus path, with an honest fallback.

plyer uses dbus-python when it can import it and otherwise shells out to ``notify-send``, which
drops the icon and the timeout and fails silently. We check for dbus-python up front and say so
when it is missing; when no notification server answers we log one clear warning and hand the
reminder to a fallback (the tray icon and the log) without stopping the daemon.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..core.messages import Message

log = logging.getLogger(__name__)

APP_NAME = "microbreak"


class Notifier(Protocol):
    """Shows a message; returns True when a notification server took it."""

    def show(self, message: Message) -> bool:
        """Show ``message`` to the user."""
        ...


@dataclass
class PlyerNotifier:
    """Sends reminders via ``plyer.notification`` and falls back when nobody listens."""

    icon: Path
    timeout_seconds: int
    fallback: Callable[[Message], None]
    _server_ok: bool | None = None

    def __post_init__(self) -> None:
        if importlib.util.find_spec("dbus") is None:
            log.warning(
                "dbus-python is not installed: plyer will fall back to notify-send, which "
                "drops the icon and the timeout; install python3-dbus (Debian/Ubuntu) or "
                "pip install dbus-python"
            )

    def _icon_for(self, message: Message) -> Path:
        """The exercise's pictogram, so the movement is seen at a glance; else the app icon."""
        if message.image and Path(message.image).is_file():
            return Path(message.image)
        return _pictogram(message.exercise_id) or self.icon

    def show(self, message: Message) -> bool:
        """Notify through plyer; on any failure warn once and use the fallback."""
        try:
            from plyer import notification

            notification.notify(
                title=message.title,
                message=message.body,
                app_name=APP_NAME,
                app_icon=str(self._icon_for(message)),
                timeout=self.timeout_seconds,
            )
        except Exception as e:  # plyer raises whatever its backend raises (DBusException...)
            if self._server_ok is not False:
                log.warning(
                    "no notification server answered (%s); reminders go to the log (and the tray "
                    "icon, if there is one) until one is running (e.g. your desktop's, or dunst)",
                    _first_line(e),
                )
            self._server_ok = False
            self.fallback(message)
            return False
        if self._server_ok is False:
            log.info("the notification server answers again")
        self._server_ok = True
        return True


def _pictogram(exercise_id: str | None) -> Path | None:
    if exercise_id is None:
        return None
    from ..pictograms import pictogram

    return pictogram(exercise_id)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{error.__class__.__name__}: {text[0]}" if text else error.__class__.__name__
