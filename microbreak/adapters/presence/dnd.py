"""Do not disturb: the conditions under which a reminder should wait, checked in one place.
The first reason wins; a check that fails counts as clear, so a broken desktop never silences
microbreak for good."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Protocol

from ...core import ports
from .. import backends
from ..backends import FREEDESKTOP, Candidate
from .camera import DEVICES, CameraInUse
from .fullscreen import FullScreen
from .microphone import MicrophoneInUse
from .notifications import GnomeBanners, NotificationServerDnd, on_gnome

log = logging.getLogger(__name__)


class Check(ports.DoNotDisturb, Protocol):
    name: str


class DoNotDisturb:
    """The enabled checks, in order; ``reason()`` is the first one that holds."""

    def __init__(self, checks: Sequence[Check]) -> None:
        self.checks = tuple(checks)

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
        """The usual checks, each switchable, cheapest first; chosen as every backend is
        (``adapters/backends.py``; ``MICROBREAK_DO_NOT_DISTURB_BACKEND`` names others)."""

        def gnome(env: Mapping[str, str]) -> Check | str:
            return GnomeBanners() if on_gnome(env) else "not GNOME"

        candidates: list[tuple[bool, Candidate[Check]]] = [
            (fullscreen, Candidate("fullscreen", FullScreen, FREEDESKTOP)),
            (desktop_dnd, Candidate("gnome", gnome, FREEDESKTOP)),
            (desktop_dnd, Candidate("notification-server", NotificationServerDnd, FREEDESKTOP)),
            (camera, Candidate("camera", lambda _: CameraInUse(camera_devices), ("linux",))),
            (microphone, Candidate("microphone", lambda e: MicrophoneInUse(env=e), FREEDESKTOP)),
        ]
        enabled = [candidate for on, candidate in candidates if on]
        choice = backends.every("do-not-disturb", enabled, env, sys.platform)
        return cls([check for _, check in choice.opened])

    def reason(self) -> str | None:
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
        for check in self.checks:
            check.close()
