"""The daemon's short-lived children (the chime's player, the guide): each is started in a
process group of its own, so that one kill takes it and whatever it started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and everything it started; it may already be gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if sys.platform != "win32":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
