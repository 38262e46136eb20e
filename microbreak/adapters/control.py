"""The daemon's side of the control channel: one instance per user, and a private channel.

This is where callers import from, on every platform; it loads no OS-specific module itself
(no ``fcntl`` on Windows, no pywin32 elsewhere). ``make_lock`` and ``make_server`` pick the
platform's parts:

- the instance lock (``instance_lock``): ``flock`` on Linux and macOS, ``msvcrt.locking`` on
  Windows, on ``daemon.lock`` in the private runtime dir; a lock left by a crashed daemon is
  taken over, a live one raises ``AlreadyRunning``;
- the channel: a Unix socket, mode 0600 in that 0700 dir, peer uid checked (``control_unix``);
  on Windows a named pipe whose DACL admits only the user's SID (``control_windows``).

Both channels share ``control_common``: the request size limit, the client timeout, the
error replies, and the bounded answering of requests on short-lived threads.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..paths import SOCKET_NAME
from .control_common import (
    CLIENT_TIMEOUT,
    MAX_CLIENTS,
    MAX_PENDING,
    AlreadyRunning,
    ChannelUnavailable,
    Handler,
    Server,
)
from .instance_lock import InstanceLock

__all__ = [
    "CLIENT_TIMEOUT",
    "LOCK_NAME",
    "MAX_CLIENTS",
    "MAX_PENDING",
    "AlreadyRunning",
    "ChannelUnavailable",
    "Handler",
    "InstanceLock",
    "Server",
    "make_lock",
    "make_server",
]

#: The lock file's name in the private runtime dir.
LOCK_NAME = "daemon.lock"


def make_lock(private_dir: Path) -> InstanceLock:
    """The one-daemon-per-user lock (not yet taken: call ``acquire()``)."""
    return InstanceLock(private_dir / LOCK_NAME)


def make_server(private_dir: Path, handler: Handler) -> Server:
    """This platform's control channel (not yet listening: call ``start()``).

    ``private_dir`` holds the Unix socket; the Windows pipe lives in the pipe namespace
    instead, named after the user (``paths.control_pipe``).
    """
    if sys.platform == "win32":
        from ..paths import control_pipe
        from .control_windows import PipeServer

        try:
            name = control_pipe()
        except OSError as e:
            raise ChannelUnavailable(f"cannot name the control pipe: {e}") from None
        return PipeServer(name, handler)
    else:  # not a fall-through: mypy --platform win32 must not see this import
        from .control_unix import ControlServer

        return ControlServer(private_dir / SOCKET_NAME, handler)


if sys.platform != "win32":
    # The name daemon.py imported before make_server existed; Unix only, as it always was.
    from .control_unix import ControlServer

    __all__ += ["ControlServer"]
