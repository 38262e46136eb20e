"""Is the screen locked? Desktops disagree on who knows, so both the screen savers on the
session bus and logind are asked: one "yes" is enough, "cannot tell" (None) only when no source
answers at all."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Protocol

from .. import backends
from ..backends import FREEDESKTOP, Candidate
from .bus import Bus, BusError

log = logging.getLogger(__name__)

LOGIN1 = "org.freedesktop.login1"
_NO_OBJECT = frozenset(
    f"org.freedesktop.DBus.Error.Unknown{what}" for what in ("Object", "Method", "Interface")
)
#: The screen savers on the session bus: the service (also its interface), then its objects.
#: freedesktop's is KDE's, Xfce's, Cinnamon's and MATE's (KDE also serves it at /ScreenSaver).
SCREEN_SAVERS = {
    "freedesktop-screensaver": (
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
        "/ScreenSaver",
    ),
    "gnome-screensaver": ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
}


class LockSource(Protocol):
    name: str

    def locked(self) -> bool | None:
        """True if locked, False if not, None if this source cannot tell."""


class ScreenSaverLock:
    """``GetActive`` of a screen saver service (its own interface) on the session bus."""

    def __init__(self, bus: Bus, name: str) -> None:
        self.bus = bus
        self.name = name
        self.service, *self.paths = SCREEN_SAVERS[name]

    def locked(self) -> bool | None:
        """Ask the service, without D-Bus-activating it when nobody owns the name."""
        try:
            if not self.bus.has_owner(self.service):
                return None
            for path in self.paths:
                try:
                    return bool(self.bus.call(self.service, path, self.service, "GetActive"))
                except BusError as e:
                    if e.name not in _NO_OBJECT:
                        raise
        except BusError as e:
            log.debug("%s: %s", self.name, e)
        return None


class LogindLock:
    name = "logind"

    def __init__(self, bus: Bus, session_id: str | None = None) -> None:
        self.bus = bus
        self.session_id = session_id or None
        self._path: str | None = None

    def _session_path(self) -> str:
        """Our session object: by $XDG_SESSION_ID, by our PID, else logind's "auto"."""
        if self._path is not None:
            return self._path
        manager = (LOGIN1, "/org/freedesktop/login1", f"{LOGIN1}.Manager")
        attempts: list[tuple[str, str, object]] = [
            ("GetSessionByPID", "u", os.getpid()),
            ("GetSession", "s", "auto"),
        ]
        if self.session_id:
            attempts.insert(0, ("GetSession", "s", self.session_id))
        error = BusError("no logind session")
        for method, signature, arg in attempts:
            try:
                self._path = str(self.bus.call(*manager, method, signature, [arg]))
                return self._path
            except BusError as e:  # the next may know; without a bus, each fails at once
                error = e
        raise error

    def locked(self) -> bool | None:
        try:
            path = self._session_path()
            return bool(self.bus.get_property(LOGIN1, path, f"{LOGIN1}.Session", "LockedHint"))
        except BusError as e:
            log.debug("logind: %s", e)
            self._path = None
            return None


class LockDetector:
    """All lock sources together: True if any says locked, None if none can tell."""

    def __init__(self, sources: Sequence[LockSource], buses: Sequence[Bus] = ()) -> None:
        self.sources = tuple(sources)
        self._buses = tuple(buses)

    @classmethod
    def default(cls, env: Mapping[str, str] = os.environ) -> LockDetector:
        """The screen savers, then logind, each on its own bus; chosen as every backend is
        (``adapters/backends.py``; ``MICROBREAK_LOCK_BACKEND`` names others)."""
        session, system = Bus.session(env), Bus.system(env)

        def screen_saver(name: str) -> Candidate[LockSource]:
            return Candidate(name, lambda _: ScreenSaverLock(session, name), FREEDESKTOP)

        candidates: list[Candidate[LockSource]] = [
            *map(screen_saver, SCREEN_SAVERS),
            Candidate("logind", lambda e: LogindLock(system, e.get("XDG_SESSION_ID")), ("linux",)),
        ]
        choice = backends.every("lock", candidates, env, sys.platform)
        if choice.failures:
            log.info("screen lock: %s", choice.why_none())
        return cls([source for _, source in choice.opened], (session, system))

    def locked(self) -> bool | None:
        answers: list[bool | None] = []
        for source in self.sources:
            try:
                answer = source.locked()
            except Exception:  # a source bug must not stop the daemon
                log.debug("lock source %s failed", source.name, exc_info=True)
                answer = None
            if answer:
                return True
            answers.append(answer)
        return False if False in answers else None

    def close(self) -> None:
        for bus in self._buses:
            bus.close()
