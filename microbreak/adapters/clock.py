"""The system's clocks: wall, monotonic and (on Linux) boot time, read together.

``core/clock.py`` compares two readings to tell a suspend from a wall-clock jump.
"""

from __future__ import annotations

import sys
import time

from ..core.clock import Reading


class SystemClock:
    """The real clocks. Without CLOCK_BOOTTIME (not Linux) suspends are not told apart."""

    def read(self) -> Reading:
        """Read all three clocks at once."""
        mono = time.monotonic()
        boot = mono
        if sys.platform == "linux":
            boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        return Reading(time.time(), mono, boot)
