"""Reminders with Done / Snooze / Skip buttons, through the freedesktop Notifications API.

Why not plyer: it cannot send actions, replace a notification or hear a click. This talks to
``org.freedesktop.Notifications`` over one long-lived Gio connection: calls are made with a
timeout (a server that takes a call and never replies, as GNOME Shell does with a Notify that
lacks ``sender-pid``, must not stall anything), and answers arrive as ``ActionInvoked`` and
``NotificationClosed`` signals, dispatched by a GLib loop running the default main context
(the GTK tray's, else the one ``glib_loop.ensure_glib_loop()`` starts). The adapter only
reports what the user did (``Answer``); the app decides what that means.

The app, in order: ``FdoNotifier.connect(on_answer, ...)`` at start; if it gives None or
``available()`` is False, plyer stays the path; else ``ensure_glib_loop()`` once the tray's loop
runs (or at once without a tray); ``show(message, snooze_label)`` for each reminder (it blocks
for at most the call timeout: call it off the GTK thread when you can); ``close_current()`` when
the reminder is answered from the tray or the CLI; ``stop()`` at quit.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ...core.messages import Message
from ...i18n import pgettext
from ..presence.bus import milliseconds, open_private, session_address

log = logging.getLogger(__name__)

APP_NAME = "microbreak"
DESKTOP_ENTRY = "microbreak"  # the basename of microbreak.desktop in the applications dir
NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
#: Seconds a call to the server may take; servers answer from memory, so this is generous.
CALL_TIMEOUT = 2.0

URGENCY_NORMAL = 1
URGENCY_CRITICAL = 2


class Answer(StrEnum):
    """What the user (or the server) did with the shown reminder."""

    DONE = "done"
    SNOOZE = "snooze"
    SKIP = "skip"
    OPEN = "open"  # a click on the body: the ``default`` action
    DISMISSED = "dismissed"  # closed by the user (NotificationClosed reason 2)
    EXPIRED = "expired"  # timed out on screen (reason 1)
    CLOSED = "closed"  # CloseNotification from another client, or an undefined reason


_ACTIONS = {
    "done": Answer.DONE,
    "snooze": Answer.SNOOZE,
    "skip": Answer.SKIP,
    "default": Answer.OPEN,
}
_CLOSE_REASONS = {1: Answer.EXPIRED, 2: Answer.DISMISSED, 3: Answer.CLOSED}


@dataclass(frozen=True, slots=True)
class ServerPolicy:
    """How to send a reminder to one server so that its buttons stay usable while it shows.

    ``expire`` None means "the configured notification timeout"; 0 means "until answered".
    """

    urgency: int
    resident: bool
    expire: int | None


# Every per-server choice lives here, keyed by the name GetServerInformation reports.
# (One quirk applies to all and is not in the table: Xfce's notifyd shows a labelled
# ``default`` action as an extra button, so the default action is sent with an empty label.)
POLICIES: Mapping[str, ServerPolicy] = {
    # GNOME Shell ignores expire_timeout and shows buttons only on an expanded banner;
    # critical urgency expands it and keeps it on screen until it is answered.
    "gnome-shell": ServerPolicy(urgency=URGENCY_CRITICAL, resident=False, expire=0),
    # KDE Plasma moves an expired popup into its history and drops its actions there unless
    # the notification is resident; resident keeps the buttons usable in the history too.
    "Plasma": ServerPolicy(urgency=URGENCY_NORMAL, resident=True, expire=None),
    # dunst honours expire_timeout; its actions are usable (context menu) while it shows.
    "dunst": ServerPolicy(urgency=URGENCY_NORMAL, resident=False, expire=None),
}
#: Other servers (mako, swaync, xfce4-notifyd...) follow the spec and honour expire_timeout.
DEFAULT_POLICY = ServerPolicy(urgency=URGENCY_NORMAL, resident=False, expire=None)


def policy_for(server_name: str) -> ServerPolicy:
    """The sending choices for the server called ``server_name``."""
    return POLICIES.get(server_name, DEFAULT_POLICY)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What the server said about itself at start."""

    name: str
    vendor: str
    version: str
    capabilities: frozenset[str]


class FdoNotifier:
    """Shows one answerable reminder at a time and reports the answer to ``on_answer``.

    Build it with ``connect()``. ``on_answer`` runs on the thread that runs the GLib default
    main context (the tray's GTK thread, or ``ensure_glib_loop``'s), so keep it short.
    """

    def __init__(
        self,
        connection: Any,
        server: ServerInfo | None,
        on_answer: Callable[[Answer], None],
        *,
        icon: Path,
        timeout_seconds: float,
        call_timeout: float = CALL_TIMEOUT,
    ) -> None:
        self.server = server
        self.icon = icon
        self.timeout_seconds = timeout_seconds
        #: The Snooze button's label, e.g. "Snooze 5 min" (the daemon sets it from the config).
        self.snooze_label = pgettext("notification button", "Snooze")
        self._conn = connection
        self._on_answer = on_answer
        self._timeout_ms = milliseconds(call_timeout)
        self._lock = threading.Lock()
        self._current: int | None = None  # the shown, unanswered reminder's id
        self._generation = 0  # bumped by each close, so a Notify in flight knows it is stale
        self._subscriptions = [
            connection.signal_subscribe(NAME, INTERFACE, None, PATH, None, 0, self._on_signal),
            connection.signal_subscribe(
                "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                "/org/freedesktop/DBus", NAME, 0, self._on_owner_changed,
            ),
        ]  # fmt: skip

    @classmethod
    def connect(
        cls,
        on_answer: Callable[[Answer], None],
        *,
        icon: Path,
        timeout_seconds: float,
        env: Mapping[str, str] = os.environ,
        call_timeout: float = CALL_TIMEOUT,
    ) -> FdoNotifier | None:
        """Open our own session-bus connection and ask the server who it is (bounded).

        None when there is no session bus to connect to. Call from the thread whose default
        context a loop runs (any thread that did not push a context of its own).
        """
        from gi.repository import GLib

        address = session_address(env)
        if address is None:
            return None
        try:
            conn = open_private(address)
        except GLib.Error as e:
            log.info("no session bus for notifications with buttons (%s)", e.message)
            return None
        server = _ask_server(conn, milliseconds(call_timeout))
        return cls(
            conn,
            server,
            on_answer,
            icon=icon,
            timeout_seconds=timeout_seconds,
            call_timeout=call_timeout,
        )

    def available(self) -> bool:
        """Whether the server shows buttons (lists ``actions``); else the caller uses plyer.

        Asked at start and again whenever another server takes the name.
        """
        return self.server is not None and "actions" in self.server.capabilities

    @property
    def current(self) -> int | None:
        """The id of the reminder on screen that nobody answered yet."""
        with self._lock:
            return self._current

    def show(self, message: Message, snooze_label: str | None = None) -> bool:
        """Show ``message`` with its buttons, replacing the unanswered one; True if sent.

        ``snooze_label`` defaults to ``self.snooze_label`` (the app's first snooze choice). A
        message that is no reminder (no exercise: a config problem) goes without buttons and
        leaves the reminder on screen alone. Blocks for at most the call timeout (a blocking
        call with a bound: it needs no loop).
        """
        from gi.repository import GLib

        if message.exercise_id is None:
            return self._show_plain(message)
        label = snooze_label or self.snooze_label
        with self._lock:
            replaces = self._current
            self._current = None  # signals about the replaced one are no answer to the new one
            generation = self._generation
        args = GLib.Variant(
            "(susssasa{sv}i)",
            (
                APP_NAME,
                replaces or 0,
                str(self.icon),
                message.title,
                message.body,
                [
                    "default",
                    "",
                    "done",
                    pgettext("notification button", "Done"),
                    "snooze",
                    label,
                    "skip",
                    pgettext("notification button", "Skip"),
                ],
                self._hints(message),
                self._expire_ms(),
            ),
        )
        try:
            reply = self._conn.call_sync(
                NAME, PATH, INTERFACE, "Notify", args, GLib.VariantType("(u)"), 0,
                self._timeout_ms, None,
            )  # fmt: skip
        except GLib.Error as e:
            log.warning("the notification server did not take the reminder: %s", e.message)
            with self._lock:
                if self._generation == generation and self._current is None:
                    self._current = replaces  # the old one is still on screen
            return False
        (nid,) = reply.unpack()
        with self._lock:
            stale = self._generation != generation
            if not stale:
                self._current = nid
        if stale:  # answered from the tray or the CLI while the call was on its way
            self._close_id(nid)
        return True

    def close_current(self) -> None:
        """Remove the shown reminder (it was answered elsewhere); never blocks."""
        with self._lock:
            nid = self._current
            self._current = None
            self._generation += 1
        if nid is not None:
            self._close_id(nid)

    close = close_current
    #: The app's Notifier port: an answer from the tray or the CLI removes the reminder.
    withdraw = close_current

    def _show_plain(self, message: Message) -> bool:
        """A notification without buttons that replaces nothing (not a reminder)."""
        from gi.repository import GLib

        args = GLib.Variant(
            "(susssasa{sv}i)",
            (APP_NAME, 0, str(self.icon), message.title, message.body, [],
             self._hints(message), round(self.timeout_seconds * 1000)),
        )  # fmt: skip
        try:
            self._conn.call_sync(
                NAME, PATH, INTERFACE, "Notify", args, GLib.VariantType("(u)"), 0,
                self._timeout_ms, None,
            )  # fmt: skip
        except GLib.Error as e:
            log.warning("the notification server did not take the message: %s", e.message)
            return False
        return True

    def _policy(self) -> ServerPolicy:
        return policy_for(self.server.name if self.server else "")

    def _expire_ms(self) -> int:
        expire = self._policy().expire
        return round(self.timeout_seconds * 1000) if expire is None else expire

    def _hints(self, message: Message) -> dict[str, Any]:
        from gi.repository import GLib

        policy = self._policy()
        hints = {
            "desktop-entry": GLib.Variant("s", DESKTOP_ENTRY),
            # GNOME Shell refuses (and never answers) a Notify without the sender's pid.
            "sender-pid": GLib.Variant("x", os.getpid()),
            "urgency": GLib.Variant("y", policy.urgency),
            "resident": GLib.Variant("b", policy.resident),
        }
        image = pictogram_for(message)
        if image is not None:
            hints["image-path"] = GLib.Variant("s", str(image))
        return hints

    def _close_id(self, nid: int) -> None:
        """CloseNotification, asynchronously with a bound; the reply only matters for the log."""
        from gi.repository import GLib

        def done(conn: Any, result: Any) -> None:
            try:
                conn.call_finish(result)
            except GLib.Error as e:
                log.debug("CloseNotification(%d): %s", nid, e.message)

        self._conn.call(
            NAME, PATH, INTERFACE, "CloseNotification", GLib.Variant("(u)", (nid,)), None, 0,
            self._timeout_ms, None, done,
        )  # fmt: skip

    def _on_signal(
        self, _conn: Any, _sender: str, _path: str, _iface: str, signal: str, params: Any
    ) -> None:
        if signal == "ActionInvoked":
            nid, key = params.unpack()
            answer = _ACTIONS.get(key)
            with self._lock:
                if answer is None or nid != self._current:
                    return
                self._current = None
                self._generation += 1
            # Servers that keep a notification after a click (resident, KDE's history) would
            # leave an answered reminder on screen.
            self._close_id(nid)
        elif signal == "NotificationClosed":
            nid, reason = params.unpack()
            with self._lock:
                if nid != self._current:
                    return
                self._current = None
            answer = _CLOSE_REASONS.get(reason, Answer.CLOSED)
        else:
            return
        try:
            self._on_answer(answer)
        except Exception:  # a bug in the callback must not kill the loop's dispatch
            log.exception("handling the answer %r failed", answer.value)

    def _on_owner_changed(self, *_args: Any) -> None:
        """A new (or no) server: its ids are not ours, and it may show buttons or not."""
        with self._lock:
            self._current = None
        self._ask_server_again()

    def _ask_server_again(self) -> None:
        """Asynchronously, so that the loop's thread (the tray's) never waits for the server."""
        from gi.repository import GLib

        def got_info(conn: Any, result: Any) -> None:
            try:
                info = conn.call_finish(result).unpack()
            except GLib.Error:
                self.server = None
                return
            conn.call(
                NAME, PATH, INTERFACE, "GetCapabilities", None, GLib.VariantType("(as)"), 0,
                self._timeout_ms, None, lambda c, r: got_capabilities(c, r, info),
            )  # fmt: skip

        def got_capabilities(conn: Any, result: Any, info: tuple[str, ...]) -> None:
            try:
                (capabilities,) = conn.call_finish(result).unpack()
            except GLib.Error:
                self.server = None
                return
            self.server = ServerInfo(info[0], info[1], info[2], frozenset(capabilities))
            log.info("notification server now: %s %s", info[0], info[2])

        self._conn.call(
            NAME, PATH, INTERFACE, "GetServerInformation", None, GLib.VariantType("(ssss)"), 0,
            self._timeout_ms, None, got_info,
        )  # fmt: skip

    def stop(self) -> None:
        """Unsubscribe and close our connection (at quit); bounded, nothing waits for replies."""
        from gi.repository import GLib

        for subscription in self._subscriptions:
            self._conn.signal_unsubscribe(subscription)
        try:
            # Out to the bus with what is queued (a CloseNotification at quit): a write to the
            # bus daemon's socket, not a wait for the notification server's reply.
            self._conn.flush_sync(None)
        except GLib.Error as e:
            log.debug("flushing the notifications connection: %s", e.message)
        self._conn.close(None, None, None)


def pictogram_for(message: Message) -> Path | None:
    """The picture for the exercise: the user's own image, else the packaged pictogram."""
    if message.image and Path(message.image).is_file():
        return Path(message.image)
    if message.exercise_id is None:
        return None
    from ...paths import pictogram

    return pictogram(message.exercise_id)


def _ask_server(conn: Any, timeout_ms: int) -> ServerInfo | None:
    """GetServerInformation and GetCapabilities, each bounded; None when nobody answers."""
    from gi.repository import GLib

    def ask(method: str, reply_type: str) -> Any:
        return conn.call_sync(
            NAME, PATH, INTERFACE, method, None, GLib.VariantType(reply_type), 0, timeout_ms, None
        ).unpack()

    try:
        name, vendor, version, _spec = ask("GetServerInformation", "(ssss)")
        (capabilities,) = ask("GetCapabilities", "(as)")
    except GLib.Error as e:
        log.info("no notification server for buttons: %s", e.message)
        return None
    log.info("notification server: %s %s (%s)", name, version, ", ".join(capabilities))
    return ServerInfo(name, vendor, version, frozenset(capabilities))
