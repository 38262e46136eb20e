"""Reminders with Done / Snooze / Skip buttons, through the freedesktop Notifications API.

Why not plyer: it cannot send actions, replace a notification or hear a click. Every call has a
timeout: a server may take a call and never reply (GNOME Shell, for a Notify without
``sender-pid``). Answers arrive as ``ActionInvoked`` / ``NotificationClosed`` signals, dispatched
by the loop that runs GLib's default main context (the GTK tray's, else ``ensure_glib_loop``'s).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ...core.messages import Message
from ...core.ports import Notifier
from ...i18n import pgettext
from ...paths import write_whole
from ..presence.bus import milliseconds, open_private, session_address
from . import APP_NAME, pictogram_for

log = logging.getLogger(__name__)

DESKTOP_ENTRY = "microbreak"  # the basename of microbreak.desktop
NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
SERVER = (NAME, PATH, INTERFACE)
BUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
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
    """How to send a reminder to one server so that its buttons stay usable while it shows;
    ``expire`` None is the configured timeout, 0 "until answered"."""

    urgency: int
    resident: bool
    expire: int | None


# Every per-server choice, keyed by the name GetServerInformation reports. (One quirk applies
# to all: Xfce's notifyd shows a labelled ``default`` action as a button, so its label is empty.)
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
    return POLICIES.get(server_name, DEFAULT_POLICY)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """Who shows notifications now: its name picks the policy, its capabilities the way."""

    name: str
    version: str
    capabilities: frozenset[str]


class FdoNotifier:
    """Shows one answerable reminder at a time and reports the answer to ``on_answer``, which
    runs on the thread of the loop that runs GLib's default context: keep it short."""

    def __init__(
        self,
        connection: Any,
        on_answer: Callable[[Answer], None],
        *,
        icon: Path,
        timeout_seconds: float,
        call_timeout: float = CALL_TIMEOUT,
        left: Path | None = None,
    ) -> None:
        self.icon = icon
        #: Where the id of the reminder on screen is kept while it shows: a run after a crash
        #: closes it there, as nothing would hear its buttons any more.
        self.left = left
        self.timeout_seconds = timeout_seconds
        #: The Snooze button's label, e.g. "Snooze 5 min" (the daemon sets it from the config).
        self.snooze_label = pgettext("notification button", "Snooze")
        #: Where reminders go while the server of the moment shows no buttons (the daemon's plyer).
        self.fallback: Notifier | None = None
        self._failed = False  # the last reminder found no taker (either way)
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
        self._owner: str | None = None  # the server's unique name on the bus
        self.server = self._ask_server()  # asked again whenever another server takes the name
        self._close_left_over()

    @classmethod
    def connect(
        cls,
        on_answer: Callable[[Answer], None],
        *,
        icon: Path,
        timeout_seconds: float,
        env: Mapping[str, str] = os.environ,
        call_timeout: float = CALL_TIMEOUT,
        left: Path | None = None,
    ) -> FdoNotifier | None:
        """Open our own session-bus connection and ask the server who it is; None without a
        session bus. Call it from a thread that did not push a main context of its own."""
        from gi.repository import GLib

        address = session_address(env)
        if address is None:
            return None
        try:
            conn = open_private(address)
        except GLib.Error as e:
            log.info("no session bus for notifications with buttons (%s)", e.message)
            return None
        return cls(
            conn,
            on_answer,
            icon=icon,
            timeout_seconds=timeout_seconds,
            call_timeout=call_timeout,
            left=left,
        )

    def available(self) -> bool:
        """Whether the server of the moment shows buttons (lists ``actions``); else plyer's."""
        return self.server is not None and "actions" in self.server.capabilities

    @property
    def current(self) -> int | None:
        """The id of the reminder on screen that nobody answered yet."""
        with self._lock:
            return self._current

    def show(self, message: Message) -> bool:
        """Show ``message`` with its buttons, else through ``fallback``, decided per reminder:
        the server can change under a running daemon (none at login, dunst replaced)."""
        if self.fallback is not None and not self.available():
            sent = self.fallback.show(message)  # says itself when the server answers again
        else:
            sent = self._show(message)
            if sent and self._failed:
                log.info("the notification server answers again")
        self._failed = not sent
        return sent

    def _show(self, message: Message) -> bool:
        """Replace the unanswered reminder; True if sent. A message that is no reminder (a config
        problem) goes without buttons and leaves the reminder alone. Blocks for at most the call
        timeout: call it off the GTK thread."""
        if message.exercise_id is None:
            return self._notify("message", message, 0, [], None) is not None
        with self._lock:
            replaces = self._current
            self._current = None  # signals about the replaced one are no answer to the new one
            generation = self._generation
        actions = [  # pairs of key and label
            "default", "",
            "done", pgettext("notification button", "Done"),
            "snooze", self.snooze_label,
            "skip", pgettext("notification button", "Skip"),
        ]  # fmt: skip
        nid = self._notify("reminder", message, replaces or 0, actions, self._policy().expire)
        with self._lock:
            stale = self._generation != generation
            if nid is None:
                if not stale and self._current is None:
                    self._current = replaces  # the old one is still on screen
                return False
            if not stale:
                self._current = nid
        if stale:  # answered from the tray or the CLI while the call was on its way
            self._close_id(nid)
        else:
            self._keep(nid)
        return True

    def withdraw(self) -> None:
        """Remove the shown reminder, answered from the tray or the CLI; never blocks."""
        with self._lock:
            nid = self._current
            self._current = None
            self._generation += 1
        if nid is not None:
            self._close_id(nid)
            self._keep(None)

    def _notify(
        self, what: str, message: Message, replaces: int, actions: list[str], expire: int | None
    ) -> int | None:
        """One bounded Notify (``expire`` None: the configured timeout): the new id, or None
        when the server did not take it."""
        from gi.repository import GLib

        if expire is None:
            expire = round(self.timeout_seconds * 1000)
        args = GLib.Variant(
            "(susssasa{sv}i)",
            (APP_NAME, replaces, str(self.icon), message.title, message.body, actions,
             self._hints(message), expire),
        )  # fmt: skip
        try:
            (nid,) = self._call("Notify", args, "(u)")
        except GLib.Error as e:
            log.warning("the notification server did not take the %s: %s", what, e.message)
            return None
        return int(nid)

    def _policy(self) -> ServerPolicy:
        return policy_for(self.server.name if self.server else "")

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

    def _call(
        self, method: str, args: Any, reply_type: str, to: tuple[str, str, str] = SERVER
    ) -> Any:
        """One blocking call (to the server, else the bus), bounded by the call timeout; its
        reply, unpacked."""
        from gi.repository import GLib

        reply = self._conn.call_sync(
            *to, method, args, GLib.VariantType(reply_type), 0, self._timeout_ms, None
        )
        return reply.unpack()

    def _close_id(self, nid: int) -> None:
        """CloseNotification without waiting: no callback, so Gio sends it as needing no reply."""
        from gi.repository import GLib

        self._conn.call(
            *SERVER, "CloseNotification", GLib.Variant("(u)", (nid,)), None, 0,
            self._timeout_ms, None, None,
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
        self._keep(None)
        try:
            self._on_answer(answer)
        except Exception:  # a bug in the callback must not kill the loop's dispatch
            log.exception("handling the answer %r failed", answer.value)

    def _on_owner_changed(self, *args: Any) -> None:
        """A new (or no) server: its ids are not ours, and it may show buttons or not. It is
        asked on a thread of its own, so that the loop's thread (the tray's) never waits."""
        _name, _old, new = args[-1].unpack()
        with self._lock:
            self._current = None
            self._owner = new or None
        self._keep(None)

        def ask() -> None:
            self.server = self._ask_server()

        threading.Thread(target=ask, name="notification-server", daemon=True).start()

    def _ask_server(self) -> ServerInfo | None:
        """GetServerInformation and GetCapabilities, each bounded; None when nobody answers."""
        from gi.repository import GLib

        try:
            name, _vendor, version, _spec = self._call("GetServerInformation", None, "(ssss)")
            (capabilities,) = self._call("GetCapabilities", None, "(as)")
            (owner,) = self._call("GetNameOwner", GLib.Variant("(s)", (NAME,)), "(s)", BUS)
        except GLib.Error as e:
            log.info("no notification server for buttons: %s", e.message)
            return None
        self._owner = owner
        log.info("notification server: %s %s (%s)", name, version, ", ".join(capabilities))
        return ServerInfo(name, version, frozenset(capabilities))

    def _keep(self, nid: int | None) -> None:
        """Keep the id of the reminder on screen in ``left`` (with the bus and the server that
        gave it: ids mean nothing to another server), or remove the file once none shows."""
        if self.left is None:
            return
        try:
            if nid is None:
                self.left.unlink(missing_ok=True)
                return
            record = {"bus": self._conn.get_guid(), "server": self._owner, "id": nid}
            write_whole(self.left, json.dumps(record).encode())
        except OSError as e:
            log.debug("cannot keep the reminder's id in %s: %s", self.left, e)

    def _close_left_over(self) -> None:
        """Close the reminder a previous run left on screen (it crashed, or was killed), if the
        same server on the same bus still shows it: its buttons have nobody to answer."""
        if self.left is None:
            return
        try:
            record = json.loads(self.left.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        self._keep(None)
        same = isinstance(record, dict) and record.get("bus") == self._conn.get_guid()
        nid = record.get("id") if same and record.get("server") == self._owner else None
        if isinstance(nid, int) and self._owner is not None:
            self._close_id(nid)
            log.info("closed the reminder a previous run left on screen (its buttons were dead)")

    def stop(self) -> None:
        """Unsubscribe and close our connection (at quit); bounded, nothing waits for replies."""
        from gi.repository import GLib

        for subscription in self._subscriptions:
            self._conn.signal_unsubscribe(subscription)
        try:
            # Out with what is queued (a CloseNotification): a write, not a wait for a reply.
            self._conn.flush_sync(None)
        except GLib.Error as e:
            log.debug("flushing the notifications connection: %s", e.message)
        self._conn.close(None, None, None)
