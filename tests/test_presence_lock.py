"""Locked-screen detection: real calls to fake screen savers and a fake logind on the test bus."""

from __future__ import annotations

import pytest

from microbreak.adapters.presence.bus import Bus
from microbreak.adapters.presence.lock import LockDetector, LogindLock

from .desktop import Desktop
from .fake_dbus import Objects, fake_service, method, prop, with_env

NO_SYSTEM_BUS = "unix:path=/nonexistent/system_bus_socket"
FREEDESKTOP = "org.freedesktop.ScreenSaver"
GNOME = "org.gnome.ScreenSaver"
LOGIN1 = "org.freedesktop.login1"
SESSION_PATH = "/org/freedesktop/login1/session/_31"


def screensaver(interface: str, path: str, active: bool) -> Objects:
    return {path: {interface: {"methods": {"GetActive": method("b", active)}}}}


def logind(locked: bool, *, by_pid: bool = True) -> Objects:
    methods = {"GetSession": method("o", SESSION_PATH, "s")}
    if by_pid:
        methods["GetSessionByPID"] = method("o", SESSION_PATH, "u")
    return {
        "/org/freedesktop/login1": {f"{LOGIN1}.Manager": {"methods": methods}},
        SESSION_PATH: {f"{LOGIN1}.Session": {"properties": {"LockedHint": prop("b", locked)}}},
    }


class Source:
    """A lock source that answers what it is told."""

    def __init__(self, answer: bool | None, name: str = "stub") -> None:
        self.answer = answer
        self.name = name
        self.calls = 0

    def locked(self) -> bool | None:
        self.calls += 1
        return self.answer


class Broken:
    name = "broken"

    def locked(self) -> bool | None:
        raise RuntimeError("bug")


def test_any_yes_wins_and_none_only_when_nobody_can_tell() -> None:
    assert LockDetector([Source(None), Source(None)]).locked() is None
    assert LockDetector([Source(None), Source(False)]).locked() is False
    later = Source(False)
    assert LockDetector([Source(True), later]).locked() is True
    assert later.calls == 0
    assert LockDetector([Broken(), Source(True)]).locked() is True
    assert LockDetector([Broken()]).locked() is None
    assert LockDetector([]).locked() is None


def test_no_system_bus_means_logind_cannot_tell() -> None:
    source = LogindLock(Bus(NO_SYSTEM_BUS, "system bus"))
    assert source.locked() is None
    assert source.locked() is None  # the failed connect is not retried at once


@pytest.mark.desktop
def test_freedesktop_screensaver_says_locked_then_nobody_can_tell(bare_desktop: Desktop) -> None:
    detector = LockDetector.default(with_env(bare_desktop, DBUS_SYSTEM_BUS_ADDRESS=NO_SYSTEM_BUS))
    try:
        assert detector.locked() is None
        objects = screensaver(FREEDESKTOP, "/org/freedesktop/ScreenSaver", True)
        with fake_service(bare_desktop, FREEDESKTOP, objects):
            assert detector.locked() is True
        assert detector.locked() is None
        objects = screensaver(FREEDESKTOP, "/ScreenSaver", False)  # KDE's other path
        with fake_service(bare_desktop, FREEDESKTOP, objects):
            assert detector.locked() is False
    finally:
        detector.close()


@pytest.mark.desktop
def test_gnome_screensaver_says_locked(bare_desktop: Desktop) -> None:
    detector = LockDetector.default(with_env(bare_desktop, DBUS_SYSTEM_BUS_ADDRESS=NO_SYSTEM_BUS))
    try:
        with fake_service(bare_desktop, GNOME, screensaver(GNOME, "/org/gnome/ScreenSaver", True)):
            assert detector.locked() is True
    finally:
        detector.close()


@pytest.mark.desktop
def test_logind_locked_hint_of_our_session(bare_desktop: Desktop) -> None:
    # The test bus stands in for the system bus: the detector finds it through the variable.
    env = with_env(bare_desktop, DBUS_SYSTEM_BUS_ADDRESS=bare_desktop.bus_address)
    cases = [
        (env, logind(True), True),  # found by GetSessionByPID
        (env, logind(False, by_pid=False), False),  # found by GetSession("auto")
        ({**env, "XDG_SESSION_ID": "31"}, logind(True, by_pid=False), True),
    ]
    for environment, objects, expected in cases:
        detector = LockDetector.default(environment)
        try:
            assert detector.locked() is None
            with fake_service(bare_desktop, LOGIN1, objects):
                assert detector.locked() is expected
            assert detector.locked() is None
        finally:
            detector.close()
