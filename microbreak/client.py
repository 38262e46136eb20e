"""``microbreak status|pause|resume|snooze|now|skip|done|quit``: talk to the running daemon.

These run from hotkeys, so they must feel instant: this module loads only ``json``, ``socket``
and our own light modules (``channel``, ``protocol``, ``errors``). The duration parser (and
with it ``datetime``) is loaded when a command needs it, ``typing`` never at run time. A test
keeps the quick path free of heavy imports (``tests/test_quick_path.py``).

The daemon serves with ``multiprocessing.connection`` (``adapters/control.py``): a Unix socket
on Linux and macOS, a named pipe on Windows. On a socket this side speaks the same frames with
``socket`` alone, because importing ``multiprocessing`` would cost more than a quick command's
whole budget; on Windows it uses the standard library's client. Either way the key comes
first (``channel``).
"""

from __future__ import annotations

import json
import socket
import sys

from .channel import REFUSED, UnsafeDirectory, control_address, control_key_file, frame
from .errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from .protocol import (
    MAX_MESSAGE,
    MAX_SECONDS,
    MIN_SECONDS,
    VERSION,
    ProtocolError,
    encode,
    parse_reply,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol, TypeVar

    T = TypeVar("T")

    class Talk(Protocol):
        """Frames to and from the daemon: a socket's, or a Windows pipe's."""

        name: str

        def send(self, data: bytes) -> None: ...

        def recv(self, most: int) -> bytes: ...


def N_(message: str) -> str:
    """Mark ``message`` for the catalog (``i18n.N_``, without importing gettext here)."""
    return message


#: Exit code when no daemon is running.
EXIT_NOT_RUNNING = 3
NOT_RUNNING = N_("microbreak is not running (start it with `microbreak`)")
TIMEOUT = 5.0


class NotRunning(Exception):
    """No daemon answers on the control channel."""


def call(cmd: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send one request and return the daemon's reply."""
    address, family = control_address()
    try:
        with open(control_key_file(), "rb") as file:
            key = file.read()
    except FileNotFoundError:
        raise NotRunning() from None
    request = encode({"v": VERSION, "cmd": cmd, "args": args or {}})
    return parse_reply(exchange(address, family, key, request))


def exchange(
    address: str, family: str, key: bytes, request: bytes, *, timeout: float = TIMEOUT
) -> bytes:
    """Connect, hand over ``key`` and ``request`` (see ``channel``) and return the reply frame.

    Each step waits at most ``timeout``.
    """
    talk = _Socket(address, timeout) if family == "AF_UNIX" else _Pipe(address, timeout)
    with talk:
        talk.send(key)
        talk.send(request)
        reply = talk.recv(MAX_MESSAGE)
    if reply == REFUSED:
        raise OSError("the daemon refused the key in control.key (did it just restart?)")
    return reply


class _Socket:
    """Frames on the daemon's Unix socket (Linux, macOS), each step bounded by a timeout."""

    _sock: socket.socket

    def __init__(self, path: str, timeout: float) -> None:
        if sys.platform == "win32":
            raise OSError("no Unix sockets on Windows: the daemon listens on a pipe there")
        self.name = path
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(path)
        except (FileNotFoundError, ConnectionRefusedError):
            self._sock.close()
            raise NotRunning() from None
        except BaseException:
            self._sock.close()
            raise

    def __enter__(self) -> _Socket:
        return self

    def __exit__(self, *_: object) -> None:
        self._sock.close()

    def send(self, data: bytes) -> None:
        self._sock.sendall(frame(data))

    def recv(self, most: int) -> bytes:
        size = int.from_bytes(self._exactly(4), "big", signed=True)
        if not 0 <= size <= most:
            raise OSError(f"a frame of {size} bytes from the daemon")
        return self._exactly(size)

    def _exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self._sock.recv(count - len(data))
            if not chunk:
                raise OSError("the daemon closed the channel")
            data += chunk
        return data


class _Pipe:
    """Frames on the daemon's named pipe (Windows), through the standard library's client.

    Its calls have no timeout, so each runs on a helper thread that is given up on after
    ``timeout`` (the command then exits, which closes the pipe). Not run on Windows yet.
    """

    def __init__(self, address: str, timeout: float) -> None:
        from multiprocessing.connection import Client

        self.name = address
        self._timeout = timeout
        try:
            self._conn = self._bounded(lambda: Client(address, "AF_PIPE"))
        except FileNotFoundError:
            raise NotRunning() from None

    def __enter__(self) -> _Pipe:
        return self

    def __exit__(self, *_: object) -> None:
        self._conn.close()

    def send(self, data: bytes) -> None:
        self._bounded(lambda: self._conn.send_bytes(data))

    def recv(self, most: int) -> bytes:
        return self._bounded(lambda: self._conn.recv_bytes(most))

    def _bounded(self, step: Callable[[], T]) -> T:
        import threading

        outcome: list[T | BaseException] = []

        def run() -> None:
            try:
                outcome.append(step())
            except BaseException as e:  # handed to the caller's thread
                outcome.append(e)

        helper = threading.Thread(target=run, name="control-client", daemon=True)
        helper.start()
        helper.join(self._timeout)
        if not outcome:
            raise TimeoutError("timed out")
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result


def _arguments(duration: str | None, until: str | None) -> dict[str, Any]:
    """The request's arguments, checked here as well as in the daemon, so that a mistake is a
    usage error (exit 2). Raises ValueError (a ``DurationError``) with the reason."""
    args: dict[str, Any] = {}
    if duration is None and until is None:
        return args
    from .i18n import _, use

    use()  # the parsers below word their mistakes in the user's language
    if duration is not None:
        from .core.durations import DurationError, parse_duration

        seconds = parse_duration(duration).total_seconds()
        if seconds <= 0:
            raise DurationError(_('"{value}" must be longer than zero').format(value=duration))
        if not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise DurationError(
                _('"{value}" must be from 1 second to 7 days').format(value=duration)
            )
        args["seconds"] = seconds
    if until is not None:
        from .core.durations import parse_time_of_day  # the config's parser: H:MM or HH:MM

        args["until"] = parse_time_of_day(until).strftime("%H:%M")
    return args


def run(
    cmd: str,
    *,
    duration: str | None = None,
    until: str | None = None,
    as_json: bool = False,
    guide: bool = False,
) -> int:
    """Carry out one client command; prints one line (or JSON) and returns the exit code.

    With ``as_json`` a failure prints JSON too (``{"running": false, "error": ...}`` when no
    daemon runs), besides the one line on stderr, so that a script always reads JSON.
    ``guide`` (``now --guide``): the break opens the guide window instead of a notification.
    """
    try:
        args = _arguments(duration, until)
    except ValueError as e:
        print(f"microbreak: {cmd}: {e}", file=sys.stderr)
        return EXIT_USAGE
    if guide:
        args["guide"] = True
    try:
        reply = call(cmd, args)
    except NotRunning:
        return _failed(NOT_RUNNING, EXIT_NOT_RUNNING, as_json, running=False)
    except UnsafeDirectory as e:
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
    """Say what went wrong in one line on stderr (and as JSON on stdout); returns ``code``.

    Our own words are translated here, on the slow path only: gettext stays out of a
    successful quick command (the daemon's words come translated)."""
    from .i18n import _, use

    use()
    error = _(error)
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
    if "text" in reply:  # the daemon's words, in the user's language (see i18n)
        return str(reply["text"])
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
