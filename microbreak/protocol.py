"""The control protocol: one JSON line each way per connection, at most ``MAX_MESSAGE`` bytes.

``{"v": 1, "cmd": "pause", "args": {"seconds": 600}}`` gets ``{"v": 1, "ok": true, ...}`` or
``{"v": 1, "ok": false, "error": "..."}``. Every quick command imports this, so it loads
``json`` alone: no ``typing`` at run time, no ``dataclasses`` (milliseconds, via ``inspect``).
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Any

VERSION = 1
MAX_MESSAGE = 4096
MIN_SECONDS = 1
MAX_SECONDS = 7 * 24 * 3600

COMMANDS = ("status", "pause", "resume", "snooze", "now", "skip", "done", "quit")
#: The argument keys of the commands that take any.
ARGUMENTS = {"pause": {"seconds", "until"}, "snooze": {"seconds"}, "now": {"guide"}}


class ProtocolError(ValueError):
    """A message that is not a valid request or reply; the text says why."""


def _bounded(data: bytes) -> bytes:
    if len(data) > MAX_MESSAGE:
        raise ProtocolError(f"message is longer than {MAX_MESSAGE} bytes")
    return data


def encode(message: dict[str, Any]) -> bytes:
    """One compact JSON line."""
    return _bounded(json.dumps(message, separators=(",", ":")).encode() + b"\n")


def _load(data: bytes) -> dict[str, Any]:
    _bounded(data)
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ProtocolError(f"not a JSON message ({e.__class__.__name__})") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    version = message.get("v")
    if isinstance(version, bool) or version != VERSION:
        raise ProtocolError(f"unsupported protocol version {_short(version)}; this is {VERSION}")
    return message


def _short(value: object) -> str:
    """``repr`` cut short: an error reply quoting the request must stay under MAX_MESSAGE."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def parse_request(data: bytes) -> tuple[str, dict[str, Any]]:
    """A request line's command and arguments, or ProtocolError with the reason."""
    message = _load(data)
    cmd = message.get("cmd")
    if not isinstance(cmd, str) or cmd not in COMMANDS:
        raise ProtocolError(f"unknown command {_short(cmd)}")
    args = message.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError("args must be an object")
    extra = set(args) - ARGUMENTS.get(cmd, set())
    if extra:
        raise ProtocolError(f"{cmd} takes no argument {_short(sorted(extra)[0])}")
    if "seconds" in args:
        seconds = args["seconds"]
        # Compared, never converted (a 400-digit integer must not raise OverflowError); NaN
        # fails every comparison, infinity the upper bound.
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not MIN_SECONDS <= seconds <= MAX_SECONDS
        ):
            raise ProtocolError(f"seconds must be a number from {MIN_SECONDS} to {MAX_SECONDS}")
    if "guide" in args and not isinstance(args["guide"], bool):
        raise ProtocolError("guide must be true or false")
    if "until" in args:
        until = args["until"]
        if not isinstance(until, str) or len(until) > 8:
            raise ProtocolError('until must be a time of day like "14:30"')
        if "seconds" in args:
            raise ProtocolError("give seconds or until, not both")
    return cmd, dict(args)


def parse_reply(data: bytes) -> dict[str, Any]:
    message = _load(data)
    if not isinstance(message.get("ok"), bool):
        raise ProtocolError("a reply needs ok")
    return message
