"""One D-Bus connection per bus, opened when first needed and again after it drops.

The detectors ask small questions (is the screen locked, how long has the user been idle) many
times a day: a private connection kept open makes each one a single round trip. A bus that is
missing, or a service that is not there, only turns an answer into "cannot tell" for the caller;
nothing here calls ``exit`` on disconnect (libdbus does that for its shared connections).
"""

from __future__ import annotations

import logging
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
SYSTEM_BUS_DEFAULT = "unix:path=/run/dbus/system_bus_socket"
PROPERTIES = "org.freedesktop.DBus.Properties"
_DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")


class BusError(Exception):
    """A call did not get an answer; ``name`` is the D-Bus error name when there was one."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


def session_address(env: Mapping[str, str]) -> str | None:
    """The session bus address, as libdbus finds it (the variable, else systemd's socket)."""
    address = env.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={runtime}/bus"
    return None


def system_address(env: Mapping[str, str]) -> str:
    """The system bus address (``DBUS_SYSTEM_BUS_ADDRESS`` or the standard socket)."""
    return env.get("DBUS_SYSTEM_BUS_ADDRESS") or SYSTEM_BUS_DEFAULT


class Bus:
    """A lazily opened private connection to one bus; every failure is a ``BusError``."""

    def __init__(
        self, address: str | None, what: str = "session bus", retry_after: float = RETRY_AFTER
    ) -> None:
        self.address = address
        self.what = what
        self.retry_after = retry_after
        self._conn: Any = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def session(cls, env: Mapping[str, str] = os.environ) -> Bus:
        """The user's session bus."""
        return cls(session_address(env), "session bus")

    @classmethod
    def system(cls, env: Mapping[str, str] = os.environ) -> Bus:
        """The system bus (logind lives there)."""
        return cls(system_address(env), "system bus")

    def _connection(self) -> Any:
        if self._conn is not None:
            if self._conn.get_is_connected():
                return self._conn
            self._drop()
        if self.address is None:
            raise BusError(f"no {self.what}")
        if self._failed_at is not None and time.monotonic() - self._failed_at < self.retry_after:
            raise BusError(f"the {self.what} was unreachable a moment ago")
        try:
            import dbus.bus
            import dbus.mainloop
        except ImportError:
            raise BusError("dbus-python is missing (python3-dbus)") from None
        try:
            # No main loop, even if the tray set a default one: only blocking calls are made
            # here, from whatever thread asks, and nothing is dispatched behind our back.
            conn = dbus.bus.BusConnection(self.address, mainloop=dbus.mainloop.NULL_MAIN_LOOP)
            conn.set_exit_on_disconnect(False)
        except Exception as e:  # dbus.DBusException: no socket, refused, auth failed
            self._failed_at = time.monotonic()
            log.debug("cannot connect to the %s at %s: %s", self.what, self.address, e)
            raise BusError(f"cannot connect to the {self.what}") from e
        self._failed_at = None
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
        """Call a method and return its (dbus-python typed) result."""
        with self._lock:
            conn = self._connection()
            try:
                return conn.call_blocking(
                    service, path, interface, method, signature, tuple(args), timeout=timeout
                )
            except Exception as e:  # dbus.DBusException
                if not conn.get_is_connected():
                    self._drop()
                get_name = getattr(e, "get_dbus_name", None)
                name = get_name() if callable(get_name) else None
                raise BusError(f"{service} {method}: {name or e}", name) from e

    def get_property(
        self, service: str, path: str, interface: str, prop: str, timeout: float = CALL_TIMEOUT
    ) -> Any:
        """Read one property through org.freedesktop.DBus.Properties."""
        return self.call(service, path, PROPERTIES, "Get", "ss", (interface, prop), timeout)

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
            try:
                conn.close()
            except Exception as e:  # closing a dead connection may complain; it is gone anyway
                log.debug("closing the %s connection: %s", self.what, e)

    def close(self) -> None:
        """Close the connection (a later call opens a new one)."""
        with self._lock:
            self._drop()
