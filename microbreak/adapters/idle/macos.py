"""Idle time on macOS: ``HIDIdleTime`` (nanoseconds) of the IOHIDSystem registry entry, read
with ``ioreg``: a stable, documented command, where an IOKit binding could not be tested here.
"""

from __future__ import annotations

import re

from ..children import output_of

COMMAND = ("ioreg", "-c", "IOHIDSystem")
TIMEOUT = 2.0
_IDLE_RE = re.compile(r'"HIDIdleTime"\s*=\s*(\d+)')


def parse_ioreg(output: str) -> float | None:
    """Seconds from the first ``"HIDIdleTime" = <ns>`` in ioreg's output."""
    match = _IDLE_RE.search(output)
    return int(match.group(1)) / 1e9 if match else None


class MacIdle:
    """Runs ``ioreg`` per query (a few milliseconds on a Mac); None on any failure."""

    name = "macos"

    def __init__(self, command: tuple[str, ...] = COMMAND, timeout: float = TIMEOUT) -> None:
        self.command = command
        self.timeout = timeout

    def idle_seconds(self) -> float | None:
        output = output_of(self.command, self.timeout)
        return parse_ioreg(output) if output is not None else None

    def close(self) -> None:
        """Nothing to close."""
