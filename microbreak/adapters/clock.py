"""The system's clocks, read together (wall, monotonic and, on Linux, boot time), and its zone:
``core/clock.py`` compares two readings to tell a suspend from a wall-clock jump."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import warnings
from datetime import datetime, timezone, tzinfo

from ..core.clock import Reading

log = logging.getLogger(__name__)

#: Where the system's zone is set (timedated replaces it; ``ln -sf`` too).
LOCALTIME = "/etc/localtime"


class SystemClock:
    """The real clocks. Without CLOCK_BOOTTIME (not Linux) suspends are not told apart."""

    def __init__(self) -> None:
        self._seen = self._zone_file()
        self._zone = local_zone()

    def read(self) -> Reading:
        mono = boot = time.monotonic()
        if sys.platform == "linux":  # a statement, so mypy --platform skips it elsewhere
            boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        return Reading(time.time(), mono, boot)

    def zone(self) -> tzinfo:
        """The system's zone, looked up again when its file changed (a user who travels):
        three system calls a look (stat, lstat, readlink). ``TZ`` in the environment fixes it."""
        seen = self._zone_file()
        if seen != self._seen:
            self._seen = seen
            from tzlocal import reload_localzone

            if sys.platform != "win32":  # the C library's first (tzlocal checks against it)
                time.tzset()
            # tzlocal warns (a warning and a log line, each time) of Debian's /etc/timezone,
            # which timedated leaves stale beside the new /etc/localtime it trusts.
            logging.getLogger("tzlocal").setLevel(logging.ERROR)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with contextlib.suppress(Exception):  # as local_zone: said there
                    reload_localzone()
                self._zone = local_zone()
        return self._zone

    def _zone_file(self) -> tuple[object, ...]:
        if os.environ.get("TZ"):
            return ()
        try:
            found = os.stat(LOCALTIME)
            link = os.readlink(LOCALTIME) if os.path.islink(LOCALTIME) else ""
        except OSError:
            return ()
        return found.st_ino, found.st_mtime_ns, found.st_size, link


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
