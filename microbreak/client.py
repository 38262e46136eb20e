"""``microbreak status|pause|resume|snooze|now|skip|done|quit``: talk to the running daemon.

From hotkeys, so instant: only ``json``, ``socket`` and our light modules are loaded
(``tests/test_quick_path.py``). On a socket this speaks ``multiprocessing.connection``'s frames
by hand, as importing ``multiprocessing`` would cost more than the whole budget; on Windows's
pipe it uses the standard library's client. Either way the key comes first (``channel``).
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
    from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` for the catalog (``i18n.N_``, without importing gettext here)."""
    return message


EXIT_NOT_RUNNING = 3
NOT_RUNNING = N_("microbreak is not running (start it with `microbreak`)")
TIMEOUT = 5.0


class NotRunning(Exception):
    """No daemon answers on the control channel."""


def call(cmd: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
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
    """Hand over ``key`` and ``request`` (see ``channel``) and return the reply frame."""
    talk = _over_socket if family == "AF_UNIX" else _over_pipe
    reply = talk(address, key, request, timeout)
    if reply == REFUSED:
        raise OSError("the daemon refused the key in control.key (did it just restart?)")
    return reply


def _over_socket(path: str, key: bytes, request: bytes, timeout: float) -> bytes:
    """The exchange on the daemon's Unix socket (Linux, macOS), each step within ``timeout``."""
    if sys.platform == "win32":
        raise OSError("no Unix sockets on Windows: the daemon listens on a pipe there")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except (FileNotFoundError, ConnectionRefusedError):
            raise NotRunning() from None
        sock.sendall(frame(key))
        sock.sendall(frame(request))

        def exactly(count: int) -> bytes:
            data = b""
            while len(data) < count:
                chunk = sock.recv(count - len(data))
                if not chunk:
                    raise OSError("the daemon closed the channel")
                data += chunk
            return data

        size = int.from_bytes(exactly(4), "big", signed=True)
        if not 0 <= size <= MAX_MESSAGE:
            raise OSError(f"a frame of {size} bytes from the daemon")
        return exactly(size)


def _over_pipe(address: str, key: bytes, request: bytes, timeout: float) -> bytes:
    """The exchange on the daemon's named pipe (Windows), through the standard library's client,
    whose calls have no timeout: on a helper thread given up on after ``timeout`` (the command
    then exits, which closes the pipe). Not run on Windows yet."""
    import threading
    from multiprocessing.connection import Client

    outcome: list[bytes | BaseException] = []

    def talk() -> None:
        try:
            with Client(address, "AF_PIPE") as conn:
                conn.send_bytes(key)
                conn.send_bytes(request)
                outcome.append(conn.recv_bytes(MAX_MESSAGE))
        except FileNotFoundError:
            outcome.append(NotRunning())
        except BaseException as e:  # handed to the caller's thread
            outcome.append(e)

    helper = threading.Thread(target=talk, name="control-client", daemon=True)
    helper.start()
    helper.join(timeout)
    if not outcome:
        raise TimeoutError("timed out")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _arguments(duration: str | None, until: str | None) -> dict[str, Any]:
    """The request's arguments, checked here as well as in the daemon, so that a mistake is a
    usage error (exit 2). Raises ValueError (a parser's is a ``DurationError``) with the reason."""
    args: dict[str, Any] = {}
    if duration is None and until is None:
        return args
    from .i18n import _, spoken, use

    use(spoken())  # the parsers below word their mistakes in the daemon's language
    if duration and until:
        raise ValueError(_("give a duration or --until, not both"))
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
    With ``as_json`` a failure prints JSON too, so that a script always reads JSON."""
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
    """Say what went wrong on stderr (and as JSON on stdout), in words translated here, on the
    slow path only: gettext stays out of a successful quick command."""
    from .i18n import _, spoken, use

    use(spoken())
    error = _(error)
    print(f"microbreak: {error}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": error, "running": running}, indent=2, sort_keys=True))
    return code


def _describe(cmd: str, reply: dict[str, Any]) -> str:
    """The daemon's own words, already in the user's language."""
    line = str(reply.get("status", {}).get("line", ""))
    message = reply.get("message")
    if cmd == "quit":  # the daemon is going: its schedule is no news
        return str(message or "microbreak is quitting")
    if cmd == "status":
        return str(reply.get("text", line))
    return f"{message}. {line}" if message else line
