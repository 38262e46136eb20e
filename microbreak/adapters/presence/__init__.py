"""Whether now is a bad moment for a reminder: screen locked, or a do-not-disturb condition.

Each detector asks the desktop one small question (D-Bus, the X server, /proc, pactl) and
answers "cannot tell" (None) rather than raise. The shared connections (``bus``, ``xserver``)
are opened on first use; desktop libraries are imported only then, so this package imports
anywhere.
"""

from __future__ import annotations

from .bus import Bus
from .camera import CameraInUse
from .dnd import Check, DoNotDisturb
from .fullscreen import FullScreen
from .lock import LockDetector, LockSource, LogindLock, ScreenSaverLock
from .microphone import MicrophoneInUse
from .notifications import GnomeBanners, NotificationServerDnd
from .xserver import XServer

__all__ = [
    "Bus",
    "CameraInUse",
    "Check",
    "DoNotDisturb",
    "FullScreen",
    "GnomeBanners",
    "LockDetector",
    "LockSource",
    "LogindLock",
    "MicrophoneInUse",
    "NotificationServerDnd",
    "ScreenSaverLock",
    "XServer",
]
