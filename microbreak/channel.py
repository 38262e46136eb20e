"""Where the control channel is: the private runtime dir, the socket and key in it, the pipe.

Every quick command (``microbreak status`` from a hotkey) starts here, so this module uses the
standard library's cheapest parts only: paths are ``str`` (``os.path``, no ``pathlib``), and
platformdirs is loaded only on Windows. ``paths`` hands the same places to the daemon as
``Path`` objects.
"""

from __future__ import annotations

import os
import re
import sys

APP = "microbreak"


class UnsafeDirectory(RuntimeError):
    """A directory microbreak will not use because someone else could reach into it."""


def runtime_dir() -> str:
    """Where the control socket and the instance lock live: private to this user.

    ``$XDG_RUNTIME_DIR/microbreak`` on Linux (a per-user tmpfs); elsewhere, or without it, a
    ``microbreak-<uid>`` directory in the temp dir. Created with mode 0700; a directory that
    another user owns, or that others can enter, is refused. On Windows (no socket there: the
    control channel is a named pipe, see ``control_address``) it holds the instance lock and
    the control key: ``%LOCALAPPDATA%\\Temp\\microbreak``, inside the user's profile, which
    the profile's ACL keeps to the user (and administrators).
    """
    if sys.platform == "win32":
        import platformdirs

        path = platformdirs.user_runtime_dir(APP, appauthor=False)
        ensure_private_dir(path)
        return path
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        path = os.path.join(base, APP)
    else:
        import tempfile

        path = os.path.join(tempfile.gettempdir(), f"{APP}-{os.getuid()}")
    ensure_private_dir(path)
    return path


def ensure_private_dir(path: str | os.PathLike[str]) -> None:
    """Create ``path`` mode 0700, or check that an existing one is ours and private.

    On Windows mode bits and uids mean nothing: the dir is created inside the user's profile
    (whose ACL it inherits), and only a link or junction in its place is refused.
    """
    import stat

    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeDirectory(f"{os.fspath(path)} is not a directory; refusing to use it")
    if sys.platform == "win32":
        if info.st_file_attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT:
            raise UnsafeDirectory(
                f"{os.fspath(path)} is a junction, not a directory; refusing to use it"
            )
        return
    if info.st_uid != os.getuid():
        raise UnsafeDirectory(
            f"{os.fspath(path)} belongs to another user (uid {info.st_uid}); refusing it"
        )
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)


#: The control socket's and the control key's names in ``runtime_dir()``.
SOCKET_NAME = "control.sock"
KEY_NAME = "control.key"


def control_address() -> tuple[str, str]:
    """Where the daemon listens, with its ``multiprocessing.connection`` family.

    A Unix socket in the private runtime dir on Linux and macOS; a named pipe on Windows,
    named after the user. A pipe name is global to the machine, so it only finds the daemon:
    the key in ``control_key_file`` decides who may talk to it, both ways.
    """
    if sys.platform == "win32":
        import getpass

        user = re.sub(r"[^A-Za-z0-9_.-]", "_", getpass.getuser())
        return f"\\\\.\\pipe\\{APP}-{user}", "AF_PIPE"
    return os.path.join(runtime_dir(), SOCKET_NAME), "AF_UNIX"


def control_key_file() -> str:
    """The key a control client hands over first, written by the daemon at each start."""
    return os.path.join(runtime_dir(), KEY_NAME)


# -- the conversation: frames, and the key first ---------------------------------------------
#
# The daemon serves with ``multiprocessing.connection`` (``adapters/control.py``), whose frames
# on a socket are a 4-byte big-endian length and the bytes (on a Windows pipe, one pipe message
# each). The client's first frame is the key from ``control_key_file``, its second the request;
# the daemon answers with one frame, or with ``REFUSED`` when the key is not the one it wrote.
#
# The key goes only where the daemon alone can listen: on Linux and macOS a socket in the
# user's private (0700, checked) runtime dir; on Windows the standard library's pipe listener,
# which takes the name with FILE_FLAG_FIRST_PIPE_INSTANCE (no other user can add an instance,
# and a key is new at each start). So the client proves that it may read the key file, and the
# filesystem proves the daemon to the client. The library's own ``authkey`` HMAC exchange is
# not used: importing ``multiprocessing`` costs a quick command about 28 ms and OpenSSL's
# HMAC another 4 ms, together more than the command's whole budget.

REFUSED = b"refused"


def frame(data: bytes) -> bytes:
    """One frame as ``multiprocessing.connection`` writes it on a socket."""
    return len(data).to_bytes(4, "big", signed=True) + data
