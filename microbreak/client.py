"""``microbreak status|pause|resume|snooze|now|skip|done|quit``: talk to the running daemon.

These run from hotkeys, so they must feel instant: this module loads only ``json``, ``socket``
and our own light modules (``channel``, ``protocol``, ``errors``). The duration parser (and
with it ``datetime``) is loaded when a command needs it, ``typing`` never at run time. A test
keeps the quick path free of heavy imports (``tests/test_quick_path.py``).

The channel is the daemon's Unix socket on Linux and macOS. On Windows it is a named pipe,
opened with plain ``open()`` (no pywin32 to load); a few ctypes calls find its name (the
user's SID) and check that the pipe's owner is this user, so that a pipe another user created
under our name (while no daemon ran) is refused, as a socket dir another user owns is. The
Windows branch is tested on Linux with a stand-in pipe (``tests/test_control_windows.py``),
but the ctypes calls and the real pipe have not run on Windows.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time

from .channel import UnsafeDirectory, control_pipe, sid_string, socket_path, windows_user_sid
from .errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from .protocol import MAX_SECONDS, MIN_SECONDS, VERSION, ProtocolError, encode, parse_reply

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol

    class Pipe(Protocol):
        """What the client needs of an open pipe (a ``FileIO``, or a stand-in in tests)."""

        def write(self, data: bytes, /) -> int | None: ...

        def read(self, size: int, /) -> bytes | None: ...

        def fileno(self) -> int: ...

        def close(self) -> None: ...


#: Exit code when no daemon is running.
EXIT_NOT_RUNNING = 3
NOT_RUNNING = "microbreak is not running (start it with `microbreak`)"
TIMEOUT = 5.0
#: ``--until``: HH:MM on a 24-hour clock.
TIME_OF_DAY = r"([01]?[0-9]|2[0-3]):([0-5][0-9])"
#: All instances of the pipe are taken: the daemon opens another in a moment.
ERROR_PIPE_BUSY = 231
#: How long to wait before trying a busy pipe again.
BUSY_RETRY = 0.01


class NotRunning(Exception):
    """No daemon answers on the control socket."""


class UnsafeChannel(Exception):
    """A control pipe that is not this user's: someone else created it under our name."""


def call(cmd: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send one request and return the daemon's reply."""
    if sys.platform == "win32":
        name = control_pipe()
        return parse_reply(talk_over_pipe(name, encode(_request(cmd, args))))
    return parse_reply(_talk_over_socket(socket_path(), encode(_request(cmd, args))))


def _request(cmd: str, args: dict[str, Any] | None) -> dict[str, Any]:
    return {"v": VERSION, "cmd": cmd, "args": args or {}}


def _talk_over_socket(path: str, request: bytes) -> bytes:
    if sys.platform == "win32":
        raise OSError("no Unix sockets on Windows: see talk_over_pipe")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    with sock:
        try:
            sock.connect(path)
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


def _arguments(duration: str | None, until: str | None) -> dict[str, Any]:
    """The request's arguments, checked here as well as in the daemon, so that a mistake is a
    usage error (exit 2). Raises ValueError (a ``DurationError``) with the reason."""
    args: dict[str, Any] = {}
    if duration is not None:
        from .core.durations import DurationError, parse_duration

        seconds = parse_duration(duration).total_seconds()
        if seconds <= 0:
            raise DurationError(f'"{duration}" must be longer than zero')
        if not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise DurationError(f'"{duration}" must be from 1 second to 7 days')
        args["seconds"] = seconds
    if until is not None:
        match = re.fullmatch(TIME_OF_DAY, until.strip())
        if match is None:
            raise ValueError(f'--until "{until}" is not a time of day like 14:30')
        args["until"] = f"{int(match[1]):02d}:{match[2]}"
    return args


def run(
    cmd: str, *, duration: str | None = None, until: str | None = None, as_json: bool = False
) -> int:
    """Carry out one client command; prints one line (or JSON) and returns the exit code.

    With ``as_json`` a failure prints JSON too (``{"running": false, "error": ...}`` when no
    daemon runs), besides the one line on stderr, so that a script always reads JSON.
    """
    try:
        args = _arguments(duration, until)
    except ValueError as e:
        print(f"microbreak: {cmd}: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        reply = call(cmd, args)
    except NotRunning:
        return _failed(NOT_RUNNING, EXIT_NOT_RUNNING, as_json, running=False)
    except (UnsafeDirectory, UnsafeChannel) as e:
        return _failed(str(e), EXIT_FAILURE, as_json, running=None)
    except (OSError, ProtocolError) as e:
        why = f"the daemon did not answer properly ({e})"
        return _failed(why, EXIT_FAILURE, as_json, running=None)
    if not reply.get("ok"):
        code = EXIT_USAGE if reply.get("usage") else EXIT_FAILURE
        return _failed(str(reply.get("error", "the daemon refused")), code, as_json, running=True)
    if as_json:
        print(json.dumps({"running": True, **reply.get("status", {})}, indent=2, sort_keys=True))
    else:
        print(_describe(cmd, reply))
    return EXIT_OK


def _failed(error: str, code: int, as_json: bool, *, running: bool | None) -> int:
    """Say what went wrong in one line on stderr (and as JSON on stdout); returns ``code``."""
    print(f"microbreak: {error}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": error, "running": running}, indent=2, sort_keys=True))
    return code


def _describe(cmd: str, reply: dict[str, Any]) -> str:
    status = reply.get("status", {})
    line = str(status.get("line", ""))
    message = reply.get("message")
    if cmd == "quit":  # the daemon is going: its schedule is no news
        return str(message or "microbreak is quitting")
    if cmd != "status":
        return f"{message}. {line}" if message else line
    extra = []
    last = status.get("last_reminder")
    if isinstance(last, dict) and last.get("local_time"):
        extra.append(f"last reminder: {last.get('name')} at {last['local_time']}")
    if status.get("unanswered"):
        extra.append(f"waiting for done/skip: {status['unanswered']}")
    text = "; ".join([line, *extra])
    problem = status.get("config_problem")
    if problem:
        first, *more = str(problem).splitlines() or [""]
        text += f"\nConfig problem (previous settings in use): {first}"
        text += "".join(f"\n  {other}" for other in more)
    return text
