"""One daemon per user: a lock the OS drops when its holder dies, and the holder's pid beside it
(a clean exit clears it). Linux, macOS: ``flock``. Windows (type-checked, never run here):
``msvcrt.locking`` on a byte past the pid, since its locks are mandatory and the pid is read."""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import sys
from pathlib import Path

from ..errors import MicrobreakError
from ..i18n import _

#: The lock file's name in the private runtime dir.
LOCK_NAME = "daemon.lock"
#: Where the Windows lock sits: past any pid, which is written from offset 0.
WINDOWS_LOCK_OFFSET = 1024
#: Python's descriptors are not inherited anyway (PEP 446); O_BINARY: no newline translation.
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)


class InstanceLock:
    """The lock file of the one daemon: taken at its start, let go at its exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.previous_pid: int | None = None

    def acquire(self) -> None:
        """Take the lock, or say who holds it; remembers a crashed daemon's pid."""
        fd = os.open(self.path, _OPEN_FLAGS, 0o600)
        try:
            held = _try_lock(fd)
        except BaseException:
            os.close(fd)
            raise
        if not held:
            pid = _read_pid(fd)
            os.close(fd)
            if pid:
                raise MicrobreakError(
                    _("microbreak is already running (pid {pid})").format(pid=pid)
                )
            raise MicrobreakError(_("microbreak is already running"))
        self.previous_pid = _read_pid(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        atexit.register(self.release)

    def release(self) -> None:
        """Clear our pid and let go (a clean exit); the OS drops the lock on any other."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            with contextlib.suppress(OSError):
                _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode().strip() or 0) or None
    except (ValueError, OSError):
        return None


def _try_lock(fd: int) -> bool:
    """Lock without waiting: True if ours now, False if another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as e:
            # Held, or (Microsoft says) not yet released after its holder crashed.
            if e.errno in (errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)):
                return False
            raise
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    """Windows asks for an explicit unlock; closing the file does it elsewhere."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
