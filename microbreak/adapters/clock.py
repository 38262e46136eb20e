"""The system's clocks, read together (wall, monotonic and, on Linux, boot time), and its zone:
``core/clock.py`` compares two readings to tell a suspend from a wall-clock jump."""

from __future__ import annotations

import sys
import time
from datetime import tzinfo
from zoneinfo import ZoneInfo

from ..core.clock import Reading


class SystemClock:
    """The real clocks. Without CLOCK_BOOTTIME (not Linux) suspends are not told apart."""

    def read(self) -> Reading:
        mono = boot = time.monotonic()
        if sys.platform == "linux":  # a statement, so mypy --platform skips it elsewhere
            boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        return Reading(time.time(), mono, boot)


def local_zone() -> tzinfo:
    """The system's time zone (via tzlocal); UTC when none is configured."""
    try:
        from tzlocal import get_localzone

        return get_localzone()
    except Exception:  # no zone configured, or an unreadable /etc/localtime
        return ZoneInfo("UTC")
