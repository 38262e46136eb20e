"""Whether now is a bad moment for a reminder: screen locked, or a do-not-disturb condition.

Each detector asks the desktop one small question (D-Bus, the X server, /proc, pactl) and
answers "cannot tell" (None) rather than raise. Connections are opened and desktop libraries
imported on first use, so this package imports anywhere.
"""

from __future__ import annotations

from .camera import CameraInUse
from .dnd import DoNotDisturb
from .fullscreen import FullScreen
from .lock import LockDetector, LogindLock
from .microphone import MicrophoneInUse
from .notifications import GnomeBanners, NotificationServerDnd

__all__ = [
    "CameraInUse",
    "DoNotDisturb",
    "FullScreen",
    "GnomeBanners",
    "LockDetector",
    "LogindLock",
    "MicrophoneInUse",
    "NotificationServerDnd",
]
