"""The daemon's short-lived children: players, the guide, quick queries (pactl, ioreg)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import IO

log = logging.getLogger(__name__)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and everything it started (in a process group of its own); it may
    already be gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if sys.platform != "win32":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()


def spawn(command: Sequence[str]) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """Start a child in a process group of its own (a kill takes its children too). Its output
    goes to a scratch file, not a pipe: a server it spawns would keep a pipe open past its end."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by ``reap``)
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=os.name == "posix",
        )
    except OSError:
        output.close()
        raise
    return process, output


def reap(
    process: subprocess.Popen[bytes], output: IO[bytes], timeout: float
) -> tuple[int | None, str]:
    """Wait at most ``timeout`` s for a ``spawn``ed child: its exit code (None: it overran and
    was killed) and its last line of output (its one-line error); closes the scratch file."""
    try:
        code: int | None = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        process.wait()
        code = None
    with output:
        output.seek(0)
        lines = output.read().decode(errors="replace").strip().splitlines()
    return code, lines[-1] if lines else ""


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
