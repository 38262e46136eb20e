"""How long the user has not touched keyboard or mouse: one small detector per platform.

A long idle stretch is a break the user already took (the scheduling policy decides what to do
with it). ``choose`` picks the detector that works on this desktop, the way every backend is
chosen (``adapters/backends.py``), and says in one line why natural breaks are off when none
does; nothing here raises to the caller.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from ...core.ports import IdleSource
from ...i18n import N_, _
from .. import backends
from ..backends import FREEDESKTOP, Candidate
from .gnome import GnomeIdle
from .null import NullIdle
from .x11 import X11Idle

# The Windows and macOS detectors are imported by their openers: elsewhere they would only
# cost the daemon memory (ctypes, for one).
__all__ = ["GnomeIdle", "IdleSource", "NullIdle", "X11Idle", "choose"]

log = logging.getLogger(__name__)

OFF = N_("natural breaks are off")


def _windows(env: Mapping[str, str]) -> IdleSource | str:
    from .windows import WindowsIdle

    detector = WindowsIdle()
    return detector if detector.idle_seconds() is not None else _("GetLastInputInfo did not answer")


def _macos(env: Mapping[str, str]) -> IdleSource | str:
    from .macos import MacIdle

    detector = MacIdle()
    return detector if detector.idle_seconds() is not None else _("ioreg gave no HIDIdleTime")


def _x11(env: Mapping[str, str]) -> IdleSource | str:
    if on_wayland(env):
        # Xwayland's counter misses input to native Wayland windows: it would invent breaks.
        return _("the X11 counter is not used on Wayland (it misses input to Wayland windows)")
    return X11Idle.open(env)


def on_wayland(env: Mapping[str, str]) -> bool:
    """A Wayland session (``$XDG_SESSION_TYPE``, or a Wayland display and no session type)."""
    session = env.get("XDG_SESSION_TYPE", "")
    return session == "wayland" or (not session and bool(env.get("WAYLAND_DISPLAY")))


CANDIDATES: tuple[Candidate[IdleSource], ...] = (
    Candidate("x11", _x11, FREEDESKTOP),
    Candidate("gnome", GnomeIdle.open, FREEDESKTOP),
    Candidate("windows", _windows, ("win32",)),
    Candidate("macos", _macos, ("darwin",)),
)


def choose(
    env: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> tuple[IdleSource, str | None]:
    """The first detector that answers, and None; or the null detector and why.

    Linux/BSD: the X11 screen saver extension when ``$DISPLAY`` has it (never on Wayland), else
    GNOME's idle monitor (GNOME on Wayland, or on X11 without the extension). Windows:
    GetLastInputInfo. macOS: HIDIdleTime. ``MICROBREAK_IDLE`` names others to use instead.
    """
    choice = backends.first("idle", CANDIDATES, env, platform)
    if choice.backend is not None:
        return choice.backend, None
    reason = _("{off}: {why}").format(off=_(OFF), why=choice.why_none(_(" and ")))
    return NullIdle(reason), reason
