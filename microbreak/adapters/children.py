"""The daemon's short-lived children: players, the guide, quick queries (pactl, ioreg)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence

log = logging.getLogger(__name__)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and everything it started (in a process group of its own); it may
    already be gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if sys.platform != "win32":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()


def output_of(
    command: Sequence[str], timeout: float, env: Mapping[str, str] | None = None
) -> str | None:
    """What a query command printed, or None if it is missing, failed or timed out."""
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        log.debug("%s failed: %s", " ".join(command), e)
        return None
    return done.stdout if done.returncode == 0 else None
