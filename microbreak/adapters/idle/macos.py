"""Idle time on macOS: ``HIDIdleTime`` (nanoseconds) of the IOHIDSystem registry entry.

Read with ``ioreg``, the one subprocess among the detectors, with a timeout: it is a stable,
documented command, where a ctypes IOKit/CoreFoundation binding could not be tested here.
"""

from __future__ import annotations

import logging
import re
import subprocess

log = logging.getLogger(__name__)

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
        try:
            result = subprocess.run(
                self.command,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            log.debug("ioreg failed: %s", e)
            return None
        return parse_ioreg(result.stdout) if result.returncode == 0 else None

    def close(self) -> None:
        """Nothing to close."""
