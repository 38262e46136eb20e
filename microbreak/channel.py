"""Where the control channel is: the private runtime dir, the socket in it, the Windows pipe.

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
    control channel is a named pipe, see ``control_pipe``) it holds only the instance lock:
    ``%LOCALAPPDATA%\\Temp\\microbreak``, inside the user's profile, which the profile's ACL
    keeps to the user (and administrators).
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


#: The socket's name in ``runtime_dir()``.
SOCKET_NAME = "control.sock"


def socket_path() -> str:
    """The daemon's control socket (Linux, macOS)."""
    return os.path.join(runtime_dir(), SOCKET_NAME)


#: A SID as Windows writes it, e.g. ``S-1-5-21-1004336348-1177238915-682003330-1001``
#: (a pattern, compiled where it is used: compiling it costs a quick command 0.2 ms).
SID = r"S-1-[0-9]+(-[0-9]+)+"


def pipe_name(sid: str) -> str:
    r"""The control pipe of the user ``sid`` (Windows): ``\\.\pipe\microbreak-S-1-5-21-...``.

    Named after the SID rather than the user name: unique, never renamed, and no two domain
    users named alike share it. Pipe names are global to the machine, so the name only helps
    find the pipe; who may open it is the pipe's DACL, set by the daemon.
    """
    if not re.fullmatch(SID, sid):
        raise ValueError(f"not a SID: {sid!r}")
    return f"\\\\.\\pipe\\{APP}-{sid}"


def control_pipe() -> str:
    """The current user's control pipe (Windows only)."""
    return pipe_name(windows_user_sid())


def windows_user_sid() -> str:
    """The SID of the user this process runs as, read from its token (Windows only).

    ctypes rather than pywin32: the client needs it to find the pipe and must start quickly;
    a few documented calls (OpenProcessToken, GetTokenInformation(TokenUser), and
    ``sid_string``) do not justify loading pywin32's DLLs into every
    hotkey command. Not run by the test suite: it was written for, not tested on, Windows.
    """
    if sys.platform != "win32":
        raise OSError("a user SID exists only on Windows")
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    kernel32.GetCurrentProcess.argtypes = []
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
    advapi32.OpenProcessToken.argtypes = [
        wintypes.HANDLE,
        wintypes.DWORD,
        ctypes.POINTER(wintypes.HANDLE),
    ]
    advapi32.GetTokenInformation.argtypes = [
        wintypes.HANDLE,
        ctypes.c_int,
        ctypes.c_void_p,
        wintypes.DWORD,
        ctypes.POINTER(wintypes.DWORD),
    ]
    token_query, token_user = 0x0008, 1

    token = wintypes.HANDLE()
    if not advapi32.OpenProcessToken(
        kernel32.GetCurrentProcess(), token_query, ctypes.byref(token)
    ):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        size = wintypes.DWORD(0)
        advapi32.GetTokenInformation(token, token_user, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        if not advapi32.GetTokenInformation(token, token_user, buffer, size, ctypes.byref(size)):
            raise ctypes.WinError(ctypes.get_last_error())
        # TOKEN_USER starts with SID_AND_ATTRIBUTES, which starts with the PSID.
        return sid_string(ctypes.c_void_p.from_buffer(buffer).value)
    finally:
        kernel32.CloseHandle(token)


def sid_string(sid: object) -> str:
    """A binary SID (a pointer to one) as Windows writes it, ``S-1-5-21-...`` (Windows only)."""
    if sys.platform != "win32":
        raise OSError("a user SID exists only on Windows")
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    advapi32.ConvertSidToStringSidW.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.LPWSTR)]
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    kernel32.LocalFree.restype = ctypes.c_void_p
    text = wintypes.LPWSTR()
    if not advapi32.ConvertSidToStringSidW(sid, ctypes.byref(text)):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        return str(text.value)
    finally:
        kernel32.LocalFree(text)
