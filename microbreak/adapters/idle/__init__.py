"""How long the user has not touched keyboard or mouse: one small detector per platform.

A long idle stretch is a break the user already took (the scheduling policy decides what to do
with it). ``choose`` picks the detector that works on this desktop, and says in one line why
natural breaks are off when none does; nothing here raises to the caller.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping

from ...core.ports import IdleSource
from .gnome import GnomeIdle
from .macos import MacIdle
from .null import NullIdle
from .windows import WindowsIdle
from .x11 import X11Idle

__all__ = ["GnomeIdle", "IdleSource", "MacIdle", "NullIdle", "WindowsIdle", "X11Idle", "choose"]

log = logging.getLogger(__name__)

OFF = "natural breaks are off"


Opener = Callable[[Mapping[str, str]], IdleSource | str]


def _windows(env: Mapping[str, str]) -> IdleSource | str:
    detector = WindowsIdle()
    return detector if detector.idle_seconds() is not None else "GetLastInputInfo did not answer"


def _macos(env: Mapping[str, str]) -> IdleSource | str:
    detector = MacIdle()
    return detector if detector.idle_seconds() is not None else "ioreg gave no HIDIdleTime"


def _candidates(env: Mapping[str, str], platform: str) -> tuple[list[Opener], str]:
    """The openers to try, best first, and a note added to the reason when all fail."""
    if platform == "win32":
        return [_windows], ""
    if platform == "darwin":
        return [_macos], ""
    session = env.get("XDG_SESSION_TYPE", "")
    if session == "wayland" or (not session and env.get("WAYLAND_DISPLAY")):
        # Xwayland's counter misses input to native Wayland windows: it would invent breaks.
        return [GnomeIdle.open], "; on Wayland only GNOME's idle monitor sees all input"
    return [X11Idle.open, GnomeIdle.open], ""


def choose(
    env: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> tuple[IdleSource, str | None]:
    """The first detector that answers, and None; or the null detector and why.

    Linux/BSD: GNOME's idle monitor on a Wayland session; otherwise the X11 screen saver
    extension when ``$DISPLAY`` has it, else GNOME's idle monitor (GNOME on X11 without the
    extension). Windows: GetLastInputInfo. macOS: HIDIdleTime.
    """
    try:
        openers, note = _candidates(env, platform)
        failures: list[str] = []
        for opener in openers:
            found = opener(env)
            if not isinstance(found, str):
                log.debug("idle detector: %s", found.name)
                return found, None
            failures.append(found)
        reason = f"{OFF}: {' and '.join(failures)}{note}"
    except Exception as e:  # a backend bug must not stop the daemon
        log.debug("choosing an idle detector failed", exc_info=True)
        reason = f"{OFF}: the idle detectors failed ({e.__class__.__name__})"
    return NullIdle(reason), reason
