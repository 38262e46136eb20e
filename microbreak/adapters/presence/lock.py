"""Is the screen locked? Asked of the screen savers on the session bus and of logind.

Desktops disagree on who knows: GNOME and KDE answer ``GetActive`` on their screen saver
interfaces, many set logind's ``LockedHint`` on the session. One "yes" is enough; only when no
source answers at all is the answer "cannot tell" (None).
"""

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
LOGIN1_PATH = "/org/freedesktop/login1"
LOGIN1_MANAGER = "org.freedesktop.login1.Manager"
LOGIN1_SESSION = "org.freedesktop.login1.Session"
_NO_OBJECT = frozenset(
    {
        "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.DBus.Error.UnknownInterface",
    }
)


class LockSource(Protocol):
    """One place that may know whether the screen is locked."""

    name: str

    def locked(self) -> bool | None:
        """True if locked, False if not, None if this source cannot tell."""
        ...


class ScreenSaverLock:
    """``GetActive`` of a screen saver service on the session bus, if it is running."""

    def __init__(
        self, bus: Bus, service: str, paths: Sequence[str], interface: str, name: str
    ) -> None:
        self.bus = bus
        self.service = service
        self.paths = tuple(paths)
        self.interface = interface
        self.name = name

    @classmethod
    def freedesktop(cls, bus: Bus) -> ScreenSaverLock:
        """KDE, Xfce, Cinnamon, MATE (KDE also serves it at ``/ScreenSaver``)."""
        service = "org.freedesktop.ScreenSaver"
        paths = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")
        return cls(bus, service, paths, service, "freedesktop-screensaver")

    @classmethod
    def gnome(cls, bus: Bus) -> ScreenSaverLock:
        """GNOME Shell."""
        service = "org.gnome.ScreenSaver"
        return cls(bus, service, ("/org/gnome/ScreenSaver",), service, "gnome-screensaver")

    def locked(self) -> bool | None:
        """Ask the service, without D-Bus-activating it when nobody owns the name."""
        try:
            if not self.bus.has_owner(self.service):
                return None
            for path in self.paths:
                try:
                    return bool(self.bus.call(self.service, path, self.interface, "GetActive"))
                except BusError as e:
                    if e.name not in _NO_OBJECT:
                        raise
        except BusError as e:
            log.debug("%s: %s", self.name, e)
        return None


class LogindLock:
    """``LockedHint`` of our logind session on the system bus."""

    name = "logind"

    def __init__(self, bus: Bus, session_id: str | None = None, pid: int | None = None) -> None:
        self.bus = bus
        self.session_id = session_id or None
        self.pid = os.getpid() if pid is None else pid
        self._path: str | None = None

    def _session_path(self) -> str:
        """Our session object: by $XDG_SESSION_ID, by our PID, else logind's "auto"."""
        if self._path is not None:
            return self._path
        attempts: list[tuple[str, str, tuple[object, ...]]] = []
        if self.session_id:
            attempts.append(("GetSession", "s", (self.session_id,)))
        attempts += [("GetSessionByPID", "u", (self.pid,)), ("GetSession", "s", ("auto",))]
        error: BusError | None = None
        for method, signature, args in attempts:
            try:
                path = self.bus.call(LOGIN1, LOGIN1_PATH, LOGIN1_MANAGER, method, signature, args)
            except BusError as e:
                error = e
                if e.name is None:  # no system bus at all: the others will not work either
                    break
                continue
            self._path = str(path)
            return self._path
        raise error or BusError("no logind session")

    def locked(self) -> bool | None:
        """Read the hint; None without a system bus, logind or a session."""
        try:
            path = self._session_path()
            return bool(self.bus.get_property(LOGIN1, path, LOGIN1_SESSION, "LockedHint"))
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
    def default(
        cls,
        env: Mapping[str, str] = os.environ,
        pid: int | None = None,
        platform: str = sys.platform,
    ) -> LockDetector:
        """The freedesktop and GNOME screen savers, then logind (each on its own bus), chosen as
        every backend is (``adapters/backends.py``; ``MICROBREAK_LOCK`` names others)."""
        session, system = Bus.session(env), Bus.system(env)
        candidates: tuple[Candidate[LockSource], ...] = (
            Candidate(
                "freedesktop-screensaver",
                lambda _: ScreenSaverLock.freedesktop(session),
                FREEDESKTOP,
            ),
            Candidate("gnome-screensaver", lambda _: ScreenSaverLock.gnome(session), FREEDESKTOP),
            Candidate(
                "logind", lambda e: LogindLock(system, e.get("XDG_SESSION_ID"), pid), ("linux",)
            ),
        )
        choice = backends.every("lock", candidates, env, platform)
        if choice.failures:
            log.info("screen lock: %s", choice.why_none())
        return cls([source for _, source in choice.opened], (session, system))

    def locked(self) -> bool | None:
        """Whether the screen is locked, as far as anyone can tell."""
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
        """Close the bus connections this detector opened."""
        for bus in self._buses:
            bus.close()
