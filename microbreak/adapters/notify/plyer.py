"""Desktop notifications through plyer, on its real D-Bus path, with an honest fallback.

plyer shells out to ``notify-send`` (no icon, no timeout, silent failures) without dbus-python,
so we say when it is missing. A server may take a call and never answer, and plyer's call has no
timeout: each call runs on a thread of its own, the caller waits at most ``ANSWER_WITHIN``, and
while a call hangs further reminders fail at once. ``show`` False sends the app to its fallback.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from concurrent import futures
from pathlib import Path

from ...core.messages import Message
from ...errors import first_line
from . import APP_NAME, pictogram_for

log = logging.getLogger(__name__)

#: Seconds a reminder waits for the server before it goes to the fallback (a server answers in
#: milliseconds; one that answers later still shows the notification).
ANSWER_WITHIN = 3.0


class PlyerNotifier:
    """Sends reminders via ``plyer.notification``; ``show`` says False when nobody took one."""

    def __init__(self, icon: Path, timeout_seconds: int) -> None:
        self.icon = icon
        self.timeout_seconds = timeout_seconds
        self._server_ok: bool | None = None
        self._call: futures.Future[None] | None = None  # the last call to the server, until it ends
        # Held by one reminder at a time, so that at most one call is ever waiting on the server.
        self._turn = threading.Lock()
        if importlib.util.find_spec("dbus") is None:
            log.warning(
                "dbus-python is not installed: plyer will fall back to notify-send, which "
                "drops the icon and the timeout; install python3-dbus (Debian/Ubuntu) or "
                "pip install dbus-python"
            )

    def show(self, message: Message) -> bool:
        """Notify through plyer, waiting a bounded time; False on any failure."""
        silent = f"the notification server did not answer within {ANSWER_WITHIN:g} s"
        # Behind another reminder's call we wait no longer than for our own.
        if not self._turn.acquire(timeout=ANSWER_WITHIN):
            return self._fail(silent, "until it does")
        try:
            if self._call is not None and not self._call.done():  # nothing queued behind it
                log.debug("an earlier notification is still waiting for the server")
                return self._fail(silent, "until it does")
            call = self._call = futures.Future()
            try:
                # A daemon thread: a call that never ends must not keep the process from exiting.
                threading.Thread(
                    target=self._notify, args=(message, call), name="notify", daemon=True
                ).start()
            except RuntimeError as e:  # no thread to be had
                call.set_result(None)
                return self._fail(f"no notification could be sent ({e})", "meanwhile")
            try:
                error = call.exception(timeout=ANSWER_WITHIN)
            except futures.TimeoutError:
                call.add_done_callback(_ended_late)
                return self._fail(silent, "until it does")
        finally:
            self._turn.release()
        if error is not None:
            why = f"no notification server answered ({first_line(error)})"
            return self._fail(why, "until one is running (e.g. your desktop's, or dunst)")
        if self._server_ok is False:
            log.info("the notification server answers again")
        self._server_ok = True
        return True

    def withdraw(self) -> None:
        """plyer cannot close a notification it showed: it expires by its own timeout."""

    def _notify(self, message: Message, call: futures.Future[None]) -> None:
        try:
            from plyer import notification

            notification.notify(
                title=message.title,
                message=message.body,
                app_name=APP_NAME,
                app_icon=str(pictogram_for(message) or self.icon),
                timeout=self.timeout_seconds,
            )
        except Exception as e:  # plyer raises whatever its backend raises (DBusException...)
            call.set_exception(e)
        else:
            call.set_result(None)

    def _fail(self, why: str, until: str) -> bool:
        """Say why once per outage (not once per reminder); the caller falls back on False."""
        if self._server_ok is not False:
            log.warning(
                "%s; reminders go to the log (and the tray icon, if there is one) %s", why, until
            )
        self._server_ok = False
        return False


def _ended_late(call: futures.Future[None]) -> None:
    error = call.exception()
    outcome = first_line(error) if error else "shown late"
    log.info("the notification call that got no answer has ended (%s)", outcome)
