"""How long the user has not touched keyboard or mouse (a break already taken): one small
detector per platform, chosen as every backend is (``adapters/backends.py``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from ...core.ports import IdleSource
from ...i18n import _
from .. import backends
from ..backends import FREEDESKTOP, Candidate
from .gnome import GnomeIdle
from .x11 import X11Idle

__all__ = ["GnomeIdle", "NullIdle", "X11Idle", "choose"]


class NullIdle:
    """Always "cannot tell"; ``reason`` says why no real detector was found."""

    name = "none"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def idle_seconds(self) -> float | None:
        return None

    def close(self) -> None:
        """Nothing to close."""


def _answering(detector: IdleSource, silence: str) -> IdleSource | str:
    return detector if detector.idle_seconds() is not None else silence


# The Windows and macOS detectors are imported by their openers: elsewhere they would only
# cost the daemon memory (ctypes, for one).
def _windows(env: Mapping[str, str]) -> IdleSource | str:
    from .windows import WindowsIdle

    return _answering(WindowsIdle(), _("GetLastInputInfo did not answer"))


def _macos(env: Mapping[str, str]) -> IdleSource | str:
    from .macos import MacIdle

    return _answering(MacIdle(), _("ioreg gave no HIDIdleTime"))


def _x11(env: Mapping[str, str]) -> IdleSource | str:
    """Not on Wayland (the session type says so, or a Wayland display and no session type):
    Xwayland's counter misses input to native Wayland windows and would invent breaks."""
    session = env.get("XDG_SESSION_TYPE", "")
    if session == "wayland" or (not session and env.get("WAYLAND_DISPLAY")):
        return _("the X11 counter is not used on Wayland (it misses input to Wayland windows)")
    return X11Idle.open(env)


CANDIDATES: tuple[Candidate[IdleSource], ...] = (
    Candidate("x11", _x11, FREEDESKTOP),
    Candidate("gnome", GnomeIdle.open, FREEDESKTOP),
    Candidate("windows", _windows, ("win32",)),
    Candidate("macos", _macos, ("darwin",)),
)


def choose(
    env: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> tuple[IdleSource, str | None]:
    """The first of ``CANDIDATES`` that answers (``MICROBREAK_IDLE_BACKEND`` names others) and None;
    or the null detector and why natural breaks are off."""
    choice = backends.first("idle", CANDIDATES, env, platform)
    if choice.backend is not None:
        return choice.backend, None
    reason = _("{off}: {why}").format(
        off=_("natural breaks are off"), why=choice.why_none(_(" and "))
    )
    return NullIdle(reason), reason
