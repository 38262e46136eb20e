"""The user's time zone, for showing times and for local-time rules (mornings, working hours)."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo


def local_zone() -> tzinfo:
    """The system's zone via tzlocal; UTC when none is configured."""
    try:
        from tzlocal import get_localzone

        return get_localzone()
    except Exception:  # no zone configured, or an unreadable /etc/localtime
        return ZoneInfo("UTC")
