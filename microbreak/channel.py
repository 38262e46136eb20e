"""Where the control channel is, and its frames: ``multiprocessing.connection``'s on a socket.

Loaded by every quick command, so ``str`` paths and the cheapest stdlib parts only. A client
sends the key from ``control_key_file``, then the request; the daemon answers, or ``REFUSED``.
The key goes only where the daemon alone listens (a socket in the private runtime dir; on
Windows a pipe held with FILE_FLAG_FIRST_PIPE_INSTANCE), so the client proves it may read the
key and the filesystem proves the daemon. No ``authkey`` HMAC: its imports cost about 32 ms.
"""

from __future__ import annotations

import os
import re
import sys

APP = "microbreak"
SOCKET_NAME = "control.sock"
KEY_NAME = "control.key"
REFUSED = b"refused"


class UnsafeDirectory(RuntimeError):
    """A directory microbreak will not use because someone else could reach into it."""


def runtime_dir() -> str:
    """The control socket's and the instance lock's dir, private to the user: in
    ``$XDG_RUNTIME_DIR`` or the temp dir; on Windows in the profile, whose ACL keeps it so."""
    if sys.platform == "win32":
        import platformdirs

        path = platformdirs.user_runtime_dir(APP, appauthor=False)
    elif os.path.isdir(base := os.environ.get("XDG_RUNTIME_DIR", "")):
        path = os.path.join(base, APP)
    else:
        import tempfile

        path = os.path.join(tempfile.gettempdir(), f"{APP}-{os.getuid()}")
    ensure_private_dir(path)
    return path


def ensure_private_dir(path: str) -> None:
    """Create ``path`` mode 0700, or check that an existing one is ours and private (on
    Windows, where modes and uids mean nothing, only that it is no link or junction)."""
    import stat

    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeDirectory(f"{path} is not a directory; refusing to use it")
    if sys.platform == "win32":
        if info.st_file_attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT:
            raise UnsafeDirectory(f"{path} is a junction, not a directory; refusing to use it")
        return
    if info.st_uid != os.getuid():
        raise UnsafeDirectory(f"{path} belongs to another user (uid {info.st_uid}); refusing it")
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)


def control_address() -> tuple[str, str]:
    """Where the daemon listens, with its ``multiprocessing.connection`` family. A Windows
    pipe name is global to the machine: it only finds the daemon, the key decides who talks."""
    if sys.platform == "win32":
        import getpass

        user = re.sub(r"[^A-Za-z0-9_.-]", "_", getpass.getuser())
        return f"\\\\.\\pipe\\{APP}-{user}", "AF_PIPE"
    return os.path.join(runtime_dir(), SOCKET_NAME), "AF_UNIX"


def control_key_file() -> str:
    """The key a control client hands over first, written by the daemon at each start."""
    return os.path.join(runtime_dir(), KEY_NAME)


def frame(data: bytes) -> bytes:
    """One frame as ``multiprocessing.connection`` writes it on a socket."""
    return len(data).to_bytes(4, "big", signed=True) + data
