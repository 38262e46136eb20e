"""One D-Bus connection per bus (Gio's, the one D-Bus library the daemon loads), opened when
first needed and again after it drops: the detectors ask small questions many times a day."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

#: Seconds a call may take; these are local services answering from memory.
CALL_TIMEOUT = 1.0
#: After a failed connect, wait this long before trying again (a missing bus stays cheap).
RETRY_AFTER = 30.0
_DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")


class BusError(Exception):
    """A call did not get an answer; ``name`` is the D-Bus error name when there was one."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name

    @property
    def unreachable(self) -> bool:
        """No connection to ask on (no socket there, refused, an address that is garbage), as
        opposed to a bus or service that did not answer: no D-Bus error name."""
        return self.name is None


class NoGio(BusError):
    """PyGObject (Gio) cannot be imported: no bus can be reached at all."""


#: Gio's own errors for a call that got no reply, under the names libdbus gives them, so a
#: caller tells "the service did not answer" (a name) from "there is no bus" (None).
_LOCAL_ERRORS = (
    ("TIMED_OUT", "org.freedesktop.DBus.Error.NoReply"),
    ("CLOSED", "org.freedesktop.DBus.Error.Disconnected"),
)


def _error_name(error: Any) -> str | None:
    from gi.repository import Gio

    name: str | None = Gio.DBusError.get_remote_error(error)
    if name:
        return name
    for code, local_name in _LOCAL_ERRORS:
        if error.matches(Gio.io_error_quark(), getattr(Gio.IOErrorEnum, code)):
            return local_name
    return None


def open_private(address: str) -> Any:
    """A private connection to the message bus at ``address`` (raises ``GLib.Error``): closing
    it is ours to do, nobody else's traffic shares it, and it never exits the process."""
    from gi.repository import Gio

    flags = (
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    )
    conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
    conn.set_exit_on_close(False)
    return conn


def milliseconds(seconds: float) -> int:
    """A call's timeout as GDBus takes it: whole milliseconds, at least 1 (0 and -1 would mean
    its default of 25 s)."""
    return max(1, round(seconds * 1000))


def session_address(env: Mapping[str, str]) -> str | None:
    """The session bus address, as libdbus finds it (the variable, else systemd's socket)."""
    address = env.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={runtime}/bus"
    return None


class Bus:
    """A lazily opened private connection to one bus; every failure is a ``BusError``."""

    def __init__(self, address: str | None, what: str, retry_after: float = RETRY_AFTER) -> None:
        self.address = address
        self.what = what
        self.retry_after = retry_after
        self._conn: Any = None
        self._failed_at = -math.inf  # the last failed connect
        self._lock = threading.Lock()

    @classmethod
    def session(cls, env: Mapping[str, str] = os.environ) -> Bus:
        return cls(session_address(env), "session bus")

    @classmethod
    def system(cls, env: Mapping[str, str] = os.environ) -> Bus:
        address = env.get("DBUS_SYSTEM_BUS_ADDRESS") or "unix:path=/run/dbus/system_bus_socket"
        return cls(address, "system bus")

    def _connection(self) -> Any:
        if self._conn is not None:
            if not self._conn.is_closed():
                return self._conn
            self._drop()
        if self.address is None:
            raise BusError(f"no {self.what}")
        if time.monotonic() - self._failed_at < self.retry_after:
            raise BusError(f"the {self.what} was unreachable a moment ago")
        try:
            from gi.repository import GLib
        except ImportError:
            raise NoGio("PyGObject is missing (python3-gi), so D-Bus cannot be used") from None
        try:  # blocking calls only, no subscriptions: no main loop has to dispatch for us
            conn = open_private(self.address)
        except GLib.Error as e:  # no socket, refused, auth failed
            self._failed_at = time.monotonic()
            log.debug("cannot connect to the %s at %s: %s", self.what, self.address, e.message)
            raise BusError(f"cannot connect to the {self.what}") from e
        self._conn = conn
        return conn

    def call(
        self,
        service: str,
        path: str,
        interface: str,
        method: str,
        signature: str = "",
        args: Sequence[Any] = (),
        timeout: float = CALL_TIMEOUT,
    ) -> Any:
        """Call a method; its reply as plain Python values: the one value, a tuple of several,
        or None. ``signature`` types ``args``; a reply's variants are unpacked too."""
        with self._lock:
            conn = self._connection()
            from gi.repository import Gio, GLib

            body = GLib.Variant(f"({signature})", tuple(args)) if signature else None
            # Auto-start allowed: callers ask has_owner first where they must not.
            flags, ms = Gio.DBusCallFlags.NONE, milliseconds(timeout)
            try:
                reply = conn.call_sync(
                    service, path, interface, method, body, None, flags, ms, None
                )
            except GLib.Error as e:
                if conn.is_closed():
                    self._drop()
                name = _error_name(e)
                raise BusError(f"{service} {method}: {name or e.message}", name) from e
        values = reply.unpack()
        return values[0] if len(values) == 1 else values or None

    def get_property(self, service: str, path: str, interface: str, prop: str) -> Any:
        properties = "org.freedesktop.DBus.Properties"
        return self.call(service, path, properties, "Get", "ss", (interface, prop))

    def has_owner(self, service: str) -> bool:
        """Whether a well-known name is owned now (asking first never D-Bus-activates it)."""
        return bool(self.call(*_DBUS, "NameHasOwner", "s", (service,)))

    def owner(self, service: str) -> str | None:
        """The unique name that owns ``service``, or None; tells a restarted server apart."""
        try:
            return str(self.call(*_DBUS, "GetNameOwner", "s", (service,)))
        except BusError as e:
            if e.name == "org.freedesktop.DBus.Error.NameHasNoOwner":
                return None
            raise

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # GLib.Error: a dead one is already closed
                conn.close_sync(None)

    def close(self) -> None:
        """Close the connection (a later call opens a new one)."""
        with self._lock:
            self._drop()
