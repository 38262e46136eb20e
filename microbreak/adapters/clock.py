"""The system's clocks, read together (wall, monotonic and, on Linux, boot time), and its zone:
``core/clock.py`` compares two readings to tell a suspend from a wall-clock jump."""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import datetime, timezone, tzinfo

from ..core.clock import Reading

log = logging.getLogger(__name__)


class SystemClock:
    """The real clocks. Without CLOCK_BOOTTIME (not Linux) suspends are not told apart."""

    def read(self) -> Reading:
        mono = boot = time.monotonic()
        if sys.platform == "linux":  # a statement, so mypy --platform skips it elsewhere
            boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        return Reading(time.time(), mono, boot)


def local_zone() -> tzinfo:
    """The system's time zone (via tzlocal). Where tzlocal finds none, the C library's offset
    now, fixed: UTC when no zone is configured, and for a ``TZ`` that is a POSIX rule rather
    than a zone name (``JST-9``) its offset, which then misses daylight-saving changes (said)."""
    try:
        from tzlocal import get_localzone

        return get_localzone()
    except Exception:  # no zone configured, an unreadable /etc/localtime, TZ=JST-9
        fixed = datetime.now().astimezone().tzinfo or timezone.utc
        if os.environ.get("TZ"):
            log.warning(
                "TZ=%s is not a time zone name; using its offset now, %s, which does not follow "
                "daylight-saving changes: set TZ to a name such as Europe/Berlin",
                os.environ["TZ"],
                datetime.now(fixed).strftime("UTC%z"),
            )
        return fixed
