"""Idle time on Windows from ``GetLastInputInfo`` (user32), through ctypes."""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)


class _LastInputInfo(ctypes.Structure):
    _fields_ = (("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint32))


def ticks_between(last_input: int, now: int) -> int:
    """Milliseconds from ``last_input`` to ``now``, modulo 2**32: the counts wrap in 49.7 days."""
    return (now - last_input) & 0xFFFFFFFF


class WindowsIdle:
    """Seconds since the last input in this Windows session; None elsewhere or on failure."""

    name = "windows"

    def idle_seconds(self) -> float | None:
        if sys.platform != "win32":
            return None
        try:
            user32 = ctypes.windll.user32
            kernel32 = ctypes.windll.kernel32
            kernel32.GetTickCount.restype = ctypes.c_uint32
            info = _LastInputInfo()
            info.cbSize = ctypes.sizeof(info)
            if not user32.GetLastInputInfo(ctypes.byref(info)):
                return None
            return ticks_between(int(info.dwTime), int(kernel32.GetTickCount())) / 1000.0
        except (OSError, AttributeError) as e:
            log.debug("GetLastInputInfo failed: %s", e)
            return None

    def close(self) -> None:
        """Nothing to close."""
