"""Do not disturb: the conditions under which a reminder should wait, checked in one place.

Each check answers with a short human reason ("a full-screen window") or None. ``DoNotDisturb``
asks the enabled ones in a fixed order, cheapest first, and returns the first reason; a check
that fails counts as clear, so a broken desktop never silences microbreak for good.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Protocol

from .bus import Bus
from .camera import DEVICES, CameraInUse
from .fullscreen import FullScreen
from .microphone import MicrophoneInUse
from .notifications import GnomeBanners, NotificationServerDnd, on_gnome
from .xserver import XServer

log = logging.getLogger(__name__)


class Check(Protocol):
    """One do-not-disturb condition."""

    name: str

    def reason(self) -> str | None:
        """Why not to interrupt now, or None when this condition is clear."""
        ...

    def close(self) -> None:
        """Release connections, if any."""
        ...


class DoNotDisturb:
    """The enabled checks, in order; ``reason()`` is the first one that holds."""

    def __init__(self, checks: Sequence[Check], resources: Sequence[Bus | XServer] = ()) -> None:
        self.checks = tuple(checks)
        self._resources = tuple(resources)

    @classmethod
    def default(
        cls,
        env: Mapping[str, str] = os.environ,
        *,
        fullscreen: bool = True,
        desktop_dnd: bool = True,
        camera: bool = True,
        microphone: bool = True,
        camera_devices: str = DEVICES,
    ) -> DoNotDisturb:
        """The usual checks, each switchable: full-screen window, the desktop's own
        do-not-disturb (GNOME's only on GNOME; the notification server's pause/inhibit),
        camera in use, microphone in use."""
        checks: list[Check] = []
        resources: list[Bus | XServer] = []
        if fullscreen:
            server = XServer.from_env(env)
            resources.append(server)
            checks.append(FullScreen(server, owns_server=False))
        if desktop_dnd:
            if on_gnome(env):
                checks.append(GnomeBanners())
            bus = Bus.session(env)
            resources.append(bus)
            checks.append(NotificationServerDnd(bus, owns_bus=False))
        if camera:
            checks.append(CameraInUse(camera_devices))
        if microphone:
            checks.append(MicrophoneInUse(env=env))
        return cls(checks, resources)

    def reason(self) -> str | None:
        """The first reason not to interrupt, or None when all enabled checks are clear."""
        for check in self.checks:
            try:
                why = check.reason()
            except Exception:  # a check bug must not stop the daemon
                log.debug("do-not-disturb check %s failed", check.name, exc_info=True)
                continue
            if why:
                return why
        return None

    def close(self) -> None:
        """Close every connection the checks hold."""
        for check in self.checks:
            check.close()
        for resource in self._resources:
            resource.close()
