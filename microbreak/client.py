"""``microbreak status|pause|resume|snooze|now|skip|done|quit``: talk to the running daemon.

These run from hotkeys, so they must feel instant: this module imports only the standard
library, the protocol and the duration parser, never the scheduler, the tray or pydantic.

The channel is ``multiprocessing.connection`` (``adapters/control.py`` is the daemon's side):
a Unix socket on Linux and macOS, a named pipe on Windows, and on both an HMAC handshake with
the key the daemon wrote into the user's private runtime dir. It is imported only when a
command is sent.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from typing import Any

from .core.durations import DurationError, parse_duration
from .errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from .paths import UnsafeDirectory, control_address, control_key_file
from .protocol import (
    MAX_MESSAGE,
    MAX_SECONDS,
    MIN_SECONDS,
    VERSION,
    ProtocolError,
    encode,
    parse_reply,
)

#: Exit code when no daemon is running.
EXIT_NOT_RUNNING = 3
TIMEOUT = 5.0
#: ``--until``: HH:MM on a 24-hour clock.
_TIME_OF_DAY = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


class NotRunning(Exception):
    """No daemon answers on the control channel."""


class UnsafeChannel(Exception):
    """Whoever answers at the daemon's address does not hold the daemon's key."""


def call(cmd: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send one request and return the daemon's reply, within ``TIMEOUT``."""
    address, family = control_address()
    try:
        key = control_key_file().read_bytes()
    except FileNotFoundError:
        raise NotRunning() from None
    request = encode({"v": VERSION, "cmd": cmd, "args": args or {}})
    return parse_reply(exchange(address, family, key, request))


def exchange(
    address: str, family: str, key: bytes, request: bytes, *, timeout: float = TIMEOUT
) -> bytes:
    """Connect, prove we hold ``key`` (and that the daemon does), send, return the reply.

    ``multiprocessing.connection.Client`` has no timeout of its own, so the talk runs on a
    helper thread that is given up on if the daemon does not answer in time (the command
    exits right after, which closes the connection).
    """
    import threading
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Client

    outcome: list[bytes | BaseException] = []

    def talk() -> None:
        try:
            with Client(address, family, authkey=key) as conn:
                conn.send_bytes(request)
                outcome.append(conn.recv_bytes(MAX_MESSAGE))
        except BaseException as e:  # handed to the caller's thread
            outcome.append(e)

    helper = threading.Thread(target=talk, name="control-client", daemon=True)
    helper.start()
    helper.join(timeout)
    if not outcome:
        raise TimeoutError("timed out")
    result = outcome[0]
    if isinstance(result, FileNotFoundError | ConnectionRefusedError):
        raise NotRunning()
    if isinstance(result, AuthenticationError):
        raise UnsafeChannel(
            f"whoever answers at {address} does not hold microbreak's key; refusing it"
        )
    if isinstance(result, EOFError):
        raise OSError("the daemon closed the channel without a reply")
    if isinstance(result, BaseException):
        raise result
    return result


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
            match = _TIME_OF_DAY.fullmatch(until.strip())
            if match is None:
                raise DurationError(f'--until "{until}" is not a time of day like 14:30')
            args["until"] = f"{int(match[1]):02d}:{match[2]}"
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
