"""A headless microbreak daemon in a private HOME, XDG dirs and runtime dir, for tests and
benchmarks that drive it through the real CLI and its socket."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .cli_run import clean_env
from .desktop import OutputLines, stop_process, wait_until

#: Allowance for the time between reading our clock and the daemon reading its own.
SLACK = timedelta(seconds=5)

_SETPRIV = shutil.which("setpriv")


def headless_env(
    home: Path, runtime: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Private user dirs, no display and no session bus: the daemon runs alone and quietly.

    Without a bus, notifications fall back to the log at once; idle and do-not-disturb checks
    are off so that nothing on the test machine can hold a reminder back.
    """
    env = clean_env(home)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"):
        env.pop(key, None)
    env.update(
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CACHE_HOME=str(home / "cache"),
        DBUS_SESSION_BUS_ADDRESS="disabled:",
        PYTHONUNBUFFERED="1",
        MICROBREAK_MIN_INTERVAL="30m",
        MICROBREAK_MAX_INTERVAL="1h",
        MICROBREAK_DETECT_IDLE="false",
        MICROBREAK_DO_NOT_DISTURB__FULLSCREEN="false",
        MICROBREAK_DO_NOT_DISTURB__DESKTOP="false",
        MICROBREAK_DO_NOT_DISTURB__CAMERA="false",
        MICROBREAK_DO_NOT_DISTURB__MICROPHONE="false",
    )
    env.update(extra or {})
    return env


@contextlib.contextmanager
def private_runtime_dir() -> Iterator[Path]:
    """A short 0700 dir in /tmp: a socket path must stay under 108 bytes, pytest's are long."""
    path = Path(tempfile.mkdtemp(prefix="mbrt-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def socket_file(env: Mapping[str, str]) -> Path:
    """Where the daemon of ``env`` listens."""
    return Path(env["XDG_RUNTIME_DIR"]) / "microbreak" / "control.sock"


def state_file(env: Mapping[str, str]) -> Path:
    """The daemon's saved state in ``env``."""
    return Path(env["XDG_STATE_HOME"]) / "microbreak" / "state.json"


def history_file(env: Mapping[str, str]) -> Path:
    """The event history in ``env``."""
    return Path(env["XDG_DATA_HOME"]) / "microbreak" / "history.sqlite"


def cli(
    env: Mapping[str, str], *args: str, timeout: float = 20.0
) -> subprocess.CompletedProcess[str]:
    """``python -m microbreak ARGS``, as a user would type it."""
    return subprocess.run(
        [sys.executable, "-m", "microbreak", *args],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def status(env: Mapping[str, str]) -> dict[str, Any]:
    """``microbreak status --json``, which must succeed."""
    result = cli(env, "status", "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def when(text: str | None) -> datetime:
    """A time from ``status --json``."""
    assert text is not None
    parsed = datetime.fromisoformat(text)
    assert parsed.tzinfo is not None, text
    return parsed


def now() -> datetime:
    return datetime.now(timezone.utc)


def key_file(env: Mapping[str, str]) -> Path:
    """The control key the daemon of ``env`` wrote."""
    return socket_file(env).with_name("control.key")


def request(
    env: Mapping[str, str], data: bytes, *, timeout: float = 5.0, key: bytes | None = None
) -> bytes:
    """Send ``data`` as one frame, as the user (with the daemon's key, unless ``key`` is given),
    and return the reply frame (b"" when the daemon closed without one)."""
    from microbreak.client import NotRunning, exchange

    try:
        secret = key_file(env).read_bytes() if key is None else key
        return exchange(str(socket_file(env)), "AF_UNIX", secret, data, timeout=timeout)
    except (OSError, NotRunning):  # not there yet, or gone, or it stopped reading (too long)
        return b""


@dataclass
class Daemon:
    """A running headless daemon, by handle, and its log lines (stderr)."""

    proc: subprocess.Popen[bytes]
    log: OutputLines
    env: dict[str, str]

    def wait_log(self, fragment: str, timeout: float = 10.0, after: int = 0) -> str:
        """The first log line (from ``after`` on) containing ``fragment``."""
        return self.log.wait_for_line(lambda line: fragment in line, timeout, after=after)

    def lines(self, fragment: str) -> list[str]:
        """Every log line so far containing ``fragment``."""
        return [line for line in self.log.lines() if fragment in line]

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Until the socket answers a status request (or fail if the daemon died)."""

        def answers() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the daemon exited with {self.proc.returncode}: {self.log.lines()}"
                )
            reply = request(self.env, b'{"v":1,"cmd":"status"}\n', timeout=1.0)
            return bool(reply) and json.loads(reply).get("ok") is True

        wait_until(answers, timeout, "the daemon to answer on its socket", interval=0.05)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """The exit code, once the daemon has ended by itself."""
        code = self.proc.wait(timeout)
        self.log.join(3.0)
        return code

    def stop(self) -> int:
        """SIGTERM by handle (then SIGKILL); reaps the process."""
        code = stop_process(self.proc, timeout=5.0)
        self.log.join(3.0)
        return code


def spawn_daemon(env: Mapping[str, str], *args: str, prefix: Sequence[str] = ()) -> Daemon:
    """Start ``microbreak --no-tray`` (dies with the test run, via PR_SET_PDEATHSIG); a
    ``prefix`` command runs it (and must end by exec'ing it, to keep the handle its own)."""
    argv = [*prefix, sys.executable, "-m", "microbreak", "--no-tray", "--verbose", *args]
    proc = subprocess.Popen(
        [_SETPRIV, "--pdeathsig", "TERM", "--", *argv] if _SETPRIV else argv,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert proc.stderr is not None
    return Daemon(proc, OutputLines(proc.stderr, "microbreak stderr"), dict(env))


@contextlib.contextmanager
def running(env: Mapping[str, str], *args: str, prefix: Sequence[str] = ()) -> Iterator[Daemon]:
    """A ready daemon; stopped by its handle at the end, and its log must hold no traceback."""
    daemon = spawn_daemon(env, *args, prefix=prefix)
    try:
        daemon.wait_ready()
        yield daemon
    finally:
        if daemon.proc.poll() is None:
            daemon.stop()
        daemon.log.join(3.0)
    assert not daemon.lines("Traceback"), "\n".join(daemon.log.lines())
