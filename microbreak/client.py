"""``microbreak status|pause|resume|snooze|now|skip|done|quit``: talk to the running daemon.

These run from hotkeys, so they must feel instant: this module imports only the standard
library, the protocol and the duration parser, never the scheduler, the tray or pydantic.

The channel is the daemon's Unix socket on Linux and macOS. On Windows it is a named pipe,
opened with plain ``open()`` (no pywin32 to load); a few ctypes calls find its name (the
user's SID) and check that the pipe's owner is this user, so that a pipe another user created
under our name (while no daemon ran) is refused, as a socket dir another user owns is. The
Windows branch is tested on Linux with a stand-in pipe (``tests/test_control_windows.py``),
but the ctypes calls and the real pipe have not run on Windows.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from .core.durations import DurationError, parse_duration, parse_time_of_day
from .errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from .paths import UnsafeDirectory, control_pipe, sid_string, socket_path, windows_user_sid
from .protocol import MAX_SECONDS, MIN_SECONDS, VERSION, ProtocolError, encode, parse_reply

#: Exit code when no daemon is running.
EXIT_NOT_RUNNING = 3
TIMEOUT = 5.0
#: All instances of the pipe are taken: the daemon opens another in a moment.
ERROR_PIPE_BUSY = 231
#: How long to wait before trying a busy pipe again.
BUSY_RETRY = 0.01


class NotRunning(Exception):
    """No daemon answers on the control socket."""


class UnsafeChannel(Exception):
    """A control pipe that is not this user's: someone else created it under our name."""


class Pipe(Protocol):
    """What the client needs of an open pipe (a ``FileIO``, or a stand-in in tests)."""

    def write(self, data: bytes, /) -> int | None: ...

    def read(self, size: int, /) -> bytes | None: ...

    def fileno(self) -> int: ...

    def close(self) -> None: ...


def call(cmd: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send one request and return the daemon's reply."""
    if sys.platform == "win32":
        name = control_pipe()
        return parse_reply(talk_over_pipe(name, encode(_request(cmd, args))))
    return parse_reply(_talk_over_socket(socket_path(), encode(_request(cmd, args))))


def _request(cmd: str, args: dict[str, Any] | None) -> dict[str, Any]:
    return {"v": VERSION, "cmd": cmd, "args": args or {}}


def _talk_over_socket(path: Path, request: bytes) -> bytes:
    if sys.platform == "win32":
        raise OSError("no Unix sockets on Windows: see talk_over_pipe")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    with sock:
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise NotRunning() from None
        sock.sendall(request)
        return _read_reply(sock.recv)


def _read_reply(read: Callable[[int], bytes | None]) -> bytes:
    """Read up to the reply's newline, or until the daemon closes the channel."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = read(65536)
        if not chunk:
            break
        data += chunk
    return data


def _open_pipe(name: str) -> Pipe:
    return open(name, "r+b", buffering=0)  # closed by talk_over_pipe


def talk_over_pipe(
    name: str,
    request: bytes,
    *,
    opener: Callable[[str], Pipe] | None = None,
    check: Callable[[Pipe, str], None] | None = None,
) -> bytes:
    """Send ``request`` on the pipe ``name`` and return the reply bytes (Windows).

    No pipe by that name: NotRunning. Every instance busy (the daemon opens a fresh one as
    each client connects): try again until ``TIMEOUT``. A pipe we may not open, or whose owner
    is not this user: UnsafeChannel. The exchange is bounded by ``TIMEOUT`` too: a blocking
    pipe has no timeout of its own, so it runs on a helper thread that is given up on if the
    daemon does not answer (the command exits right after, closing the pipe).
    """
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            pipe = (opener or _open_pipe)(name)
            break
        except FileNotFoundError:
            raise NotRunning() from None
        except PermissionError:
            raise UnsafeChannel(
                f"cannot open the control pipe {name}: access denied (another user's pipe?)"
            ) from None
        except OSError as e:
            if getattr(e, "winerror", None) != ERROR_PIPE_BUSY or time.monotonic() >= deadline:
                raise
        time.sleep(BUSY_RETRY)
    try:
        (check or _check_owner)(pipe, name)
    except BaseException:
        pipe.close()
        raise
    return _exchange(pipe, request, deadline)


def _exchange(pipe: Pipe, request: bytes, deadline: float) -> bytes:
    import threading

    outcome: list[bytes | Exception] = []

    def talk() -> None:
        try:
            sent = 0
            while sent < len(request):
                count = pipe.write(request[sent:])
                if not count:
                    raise OSError("the control pipe took nothing")
                sent += count
            outcome.append(_read_reply(pipe.read))
        except Exception as e:
            outcome.append(e)

    helper = threading.Thread(target=talk, name="control-pipe", daemon=True)
    helper.start()
    helper.join(max(0.0, deadline - time.monotonic()))
    if not outcome:  # the helper is still blocked on the pipe; closing it under it is unsafe
        raise TimeoutError("timed out")
    pipe.close()
    result = outcome[0]
    if isinstance(result, Exception):
        raise result
    return result


def _check_owner(pipe: Pipe, name: str) -> None:
    """Refuse the pipe unless its owner is this user (the daemon sets itself as owner).

    Only the SeRestorePrivilege (administrators) lets a process give an object an owner
    other than itself, so another user cannot forge it. Windows only; ctypes, see above.
    """
    if sys.platform != "win32":
        raise OSError("control pipes exist only on Windows")
    import ctypes
    import msvcrt
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    advapi32.GetSecurityInfo.restype = wintypes.DWORD
    advapi32.GetSecurityInfo.argtypes = [
        wintypes.HANDLE,
        ctypes.c_int,
        wintypes.DWORD,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_void_p),
    ]
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    kernel32.LocalFree.restype = ctypes.c_void_p
    se_kernel_object, owner_security_information = 6, 0x1

    owner = ctypes.c_void_p()
    descriptor = ctypes.c_void_p()
    status = advapi32.GetSecurityInfo(
        msvcrt.get_osfhandle(pipe.fileno()),
        se_kernel_object,
        owner_security_information,
        ctypes.byref(owner),
        None,
        None,
        None,
        ctypes.byref(descriptor),
    )
    if status != 0:
        raise ctypes.WinError(status)
    try:
        owner_sid = sid_string(owner)
    finally:
        kernel32.LocalFree(descriptor)
    if owner_sid != windows_user_sid():
        raise UnsafeChannel(f"the control pipe {name} belongs to {owner_sid}; refusing it")


def _seconds(text: str) -> float:
    return parse_duration(text).total_seconds()


def run(
    cmd: str, *, duration: str | None = None, until: str | None = None, as_json: bool = False
) -> int:
    """Carry out one client command; prints one line (or JSON) and returns the exit code."""
    args: dict[str, Any] = {}
    try:
        if duration is not None:
            seconds = _seconds(duration)
            if seconds <= 0:
                raise DurationError(f'"{duration}" must be longer than zero')
            # Checked here as well as in the daemon, so a mistake is a usage error (exit 2).
            if not MIN_SECONDS <= seconds <= MAX_SECONDS:
                raise DurationError(f'"{duration}" must be from 1 second to 7 days')
            args["seconds"] = seconds
        if until is not None:
            args["until"] = parse_time_of_day(until).strftime("%H:%M")  # config's parser
    except DurationError as e:
        print(f"microbreak: {cmd}: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        reply = call(cmd, args)
    except NotRunning:
        print("microbreak: microbreak is not running (start it with `microbreak`)", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except (UnsafeDirectory, UnsafeChannel) as e:
        print(f"microbreak: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except (OSError, ProtocolError) as e:
        print(f"microbreak: the daemon did not answer properly ({e})", file=sys.stderr)
        return EXIT_FAILURE
    if not reply.get("ok"):
        print(f"microbreak: {reply.get('error', 'the daemon refused')}", file=sys.stderr)
        return EXIT_USAGE if reply.get("usage") else EXIT_FAILURE
    if as_json:
        print(json.dumps(reply.get("status", {}), indent=2, sort_keys=True))
    else:
        print(_describe(cmd, reply))
    return EXIT_OK


def _describe(cmd: str, reply: dict[str, Any]) -> str:
    status = reply.get("status", {})
    line = str(status.get("line", ""))
    if cmd == "status":
        extra = []
        last = status.get("last_reminder")
        if isinstance(last, dict) and last.get("at"):
            when = datetime.fromisoformat(str(last["at"])).astimezone().strftime("%H:%M")
            extra.append(f"last reminder: {last.get('name')} at {when}")
        if status.get("unanswered"):
            extra.append(f"waiting for done/skip: {status['unanswered']}")
        return "; ".join([line, *extra])
    message = reply.get("message")
    return f"{message}. {line}" if message else line
