"""A fake org.freedesktop.Notifications server for the notifier tests (helpers only).

Why: to check exactly what microbreak sends (actions, hints, replaces_id), to play the user's
clicks as real signals from the name's owner, and to be a server that takes a call and never
replies (GNOME Shell does that with a Notify it refuses). It runs in the test process on its
own connection, with its own main context on its own thread, so it never depends on the loop
that dispatches the notifier's signals.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from gi.repository import Gio, GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"

_XML = """<node><interface name="org.freedesktop.Notifications">
  <method name="GetCapabilities"><arg direction="out" type="as"/></method>
  <method name="GetServerInformation">
    <arg direction="out" type="s"/><arg direction="out" type="s"/>
    <arg direction="out" type="s"/><arg direction="out" type="s"/>
  </method>
  <method name="Notify">
    <arg direction="in" type="s"/><arg direction="in" type="u"/><arg direction="in" type="s"/>
    <arg direction="in" type="s"/><arg direction="in" type="s"/><arg direction="in" type="as"/>
    <arg direction="in" type="a{sv}"/><arg direction="in" type="i"/>
    <arg direction="out" type="u"/>
  </method>
  <method name="CloseNotification"><arg direction="in" type="u"/></method>
  <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
</interface></node>"""


@dataclass(frozen=True)
class Notify:
    """One Notify call as the server received it."""

    app_name: str
    replaces_id: int
    app_icon: str
    summary: str
    body: str
    actions: tuple[str, ...]
    hints: dict[str, Any]
    expire_timeout: int


@dataclass
class FakeNotifications:
    """Owns org.freedesktop.Notifications on ``address`` until ``close()``.

    ``silent`` Notify calls (counted from the first) are taken and never answered. While
    ``gate`` is set and not yet open, a Notify is recorded but its reply waits for the gate.
    """

    address: str
    server_name: str = "fake"
    capabilities: Sequence[str] = ("actions", "body", "body-images")
    silent: int = 0
    gate: threading.Event | None = None
    notifies: list[Notify] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _held: list[Any] = field(default_factory=list)
    _next_id: int = 0
    _conn: Any = None
    _loop: Any = None
    _thread: threading.Thread | None = None

    def __enter__(self) -> FakeNotifications:
        ready = threading.Event()
        errors: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(ready, errors), name="fake-notifications", daemon=True
        )
        self._thread.start()
        assert ready.wait(10.0), "the fake notification server did not start"
        if errors:
            raise errors[0]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, ready: threading.Event, errors: list[BaseException]) -> None:
        context = GLib.MainContext.new()
        context.push_thread_default()
        try:
            flags = (
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
            )
            self._conn = Gio.DBusConnection.new_for_address_sync(self.address, flags, None, None)
            info = Gio.DBusNodeInfo.new_for_xml(_XML).interfaces[0]
            self._conn.register_object(PATH, info, self._call, None, None)
            (owned,) = self._conn.call_sync(
                "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "RequestName", GLib.Variant("(su)", (NAME, 4)), GLib.VariantType("(u)"), 0,
                5000, None,
            ).unpack()  # fmt: skip
            assert owned == 1, f"RequestName answered {owned}"
            self._loop = GLib.MainLoop.new(context, False)
        except BaseException as e:
            errors.append(e)
            ready.set()
            context.pop_thread_default()
            return
        ready.set()
        self._loop.run()
        self._conn.close_sync(None)
        context.pop_thread_default()

    def _call(
        self, _c: Any, _s: str, _p: str, _i: str, method: str, params: Any, invocation: Any
    ) -> None:
        if method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (list(self.capabilities),)))
        elif method == "GetServerInformation":
            info = (self.server_name, "tests", "1.0", "1.2")
            invocation.return_value(GLib.Variant("(ssss)", info))
        elif method == "Notify":
            app, rid, icon, summary, body, actions, hints, expire = params.unpack()
            with self._cond:
                self.notifies.append(
                    Notify(app, rid, icon, summary, body, tuple(actions), hints, expire)
                )
                self._cond.notify_all()
                if len(self.notifies) <= self.silent:
                    self._held.append(invocation)  # taken, never answered
                    return
                if rid == 0:
                    self._next_id += 1
                nid = rid or self._next_id
            if self.gate is not None:
                assert self.gate.wait(10.0), "the test never opened the gate"
            invocation.return_value(GLib.Variant("(u)", (nid,)))
        elif method == "CloseNotification":
            (nid,) = params.unpack()
            with self._cond:
                self.closes.append(nid)
                self._cond.notify_all()
            invocation.return_value(None)

    def wait_for(self, what: str, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` Notify (``what="notifies"``) or CloseNotification calls came."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(getattr(self, what)) >= count, timeout)
        assert ok, f"{what}: wanted {count} within {timeout}s, got {getattr(self, what)!r}"

    def action(self, nid: int, key: str) -> None:
        """Play a click on the button ``key`` (``default`` for the body)."""
        self._emit("ActionInvoked", GLib.Variant("(us)", (nid, key)))

    def closed(self, nid: int, reason: int) -> None:
        """Tell that the notification closed (1 expired, 2 dismissed, 3 CloseNotification)."""
        self._emit("NotificationClosed", GLib.Variant("(uu)", (nid, reason)))

    def _emit(self, signal: str, params: Any) -> None:
        self._conn.emit_signal(None, PATH, NAME, signal, params)
        self._conn.flush_sync(None)

    def close(self) -> None:
        """Stop the loop, release the name (by closing the connection) and join the thread."""
        if self._loop is not None:
            self._loop.quit()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        self._held.clear()
