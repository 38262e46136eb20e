"""What every control transport shares: the limits, the request buffer and the answering.

The Unix socket (``control_unix``) and the Windows named pipe (``control_windows``) only move
bytes and check who is on the other end; how much a client may send, when a request is
complete, the error replies, and how many requests are answered at once are decided here, in
one place, so that both platforms behave alike. Standard library only, importable everywhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import MicrobreakError
from ..paths import SID_PATTERN
from ..protocol import MAX_MESSAGE, VERSION, ProtocolError, Request, encode, parse_request

log = logging.getLogger("microbreak.adapters.control")

#: How long one client may take to send its request (and to take the reply).
CLIENT_TIMEOUT = 2.0
#: Connections still sending their request; more are turned away with an error reply.
MAX_PENDING = 64
#: Requests being answered at once; more are turned away with an error reply.
MAX_CLIENTS = 8

Handler = Callable[[Request], tuple[dict[str, Any], Callable[[], None] | None]]

BUSY: dict[str, Any] = {"v": VERSION, "ok": False, "error": "busy: too many clients"}


class AlreadyRunning(MicrobreakError):
    """Another daemon holds the lock."""

    def __init__(self, pid: int | None) -> None:
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"microbreak is already running{who}")
        self.pid = pid


class ChannelUnavailable(MicrobreakError):
    """The control channel cannot be opened, e.g. another process already holds its name."""


class Server(Protocol):
    """A control channel: answers requests between ``start()`` and ``stop()``."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Pending:
    """A request still arriving: at most ``MAX_MESSAGE`` bytes, up to ``deadline``."""

    __slots__ = ("data", "deadline", "line")

    def __init__(self, deadline: float) -> None:
        self.data = b""
        self.deadline = deadline
        #: The request once complete; None when it was too long or never ended.
        self.line: bytes | None = None

    def room(self) -> int:
        """How many more bytes to read: one past the limit, to notice an over-long message."""
        return MAX_MESSAGE + 1 - len(self.data)

    def feed(self, chunk: bytes) -> bool:
        """Add what arrived (``b""``: the client stopped sending); True once there is a request.

        The request is the first line; a message longer than ``MAX_MESSAGE`` without a newline
        is complete too (``line`` None, answered with an error); a client that stops early is
        answered on what it sent.
        """
        self.data += chunk
        if b"\n" in self.data:
            self.line = self.data.split(b"\n", 1)[0]
        elif len(self.data) > MAX_MESSAGE:
            self.line = None
        elif not chunk:
            self.line = self.data
        else:
            return False
        return True


def reply_bytes(reply: dict[str, Any]) -> bytes:
    """One reply line; a reply too long to send becomes an error that says so."""
    try:
        return encode(reply)
    except ProtocolError:
        return encode({"v": VERSION, "ok": False, "error": "internal error: reply too long"})


class Dispatcher:
    """Answers complete requests through ``handler``, at most ``MAX_CLIENTS`` at once.

    Each request is answered on a short-lived thread, so a slow action does not stall the
    transport's reading; the transport hands over a ``send`` that writes the reply bytes and
    closes the connection, and must not raise.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)

    def dispatch(self, line: bytes | None, send: Callable[[bytes], None]) -> bool:
        """Start answering ``line``; False (and ``send`` not called) when too busy to."""
        if not self._slots.acquire(blocking=False):
            return False
        try:
            threading.Thread(target=self._run, args=(line, send), daemon=True).start()
        except RuntimeError:  # no thread to be had: refuse this one, keep serving
            self._slots.release()
            return False
        return True

    def _run(self, line: bytes | None, send: Callable[[bytes], None]) -> None:
        after: Callable[[], None] | None = None
        try:
            reply, after = self.answer(line)
            send(reply_bytes(reply))
        finally:
            self._slots.release()
        if after is not None:
            after()

    def answer(self, data: bytes | None) -> tuple[dict[str, Any], Callable[[], None] | None]:
        """The reply to one request line (None: too long), and what to do once it is sent."""
        if data is None:
            return {"v": VERSION, "ok": False, "error": "message too long or not ended"}, None
        try:
            request = parse_request(data)
        except ProtocolError as e:
            return {"v": VERSION, "ok": False, "error": str(e)}, None
        except Exception as e:  # a bug in the parser must not cost the client its reply
            log.exception("cannot parse a control request")
            return {"v": VERSION, "ok": False, "error": f"internal error: {e}"}, None
        try:
            reply, after = self._handler(request)
        except Exception as e:
            log.exception("control command %s failed", request.cmd)
            return {"v": VERSION, "ok": False, "error": f"internal error: {e}"}, None
        return {"v": VERSION, **reply}, after


def pipe_sddl(sid: str) -> str:
    """The Windows control pipe's security descriptor, in SDDL, for the user ``sid``.

    Owner: the user (a client checks it, to refuse a pipe another user created first). DACL,
    protected from inheritance: network logons denied outright, then full access for the user
    and nobody else; no other user, group, SYSTEM or Administrators entry. Objects without a
    label are medium integrity, so the user's own low-integrity (sandboxed) processes cannot
    write to it either. The SID is checked, so nothing can be spliced into the descriptor.
    """
    if not SID_PATTERN.fullmatch(sid):
        raise ValueError(f"not a SID: {sid!r}")
    return f"O:{sid}D:P(D;;GA;;;NU)(A;;GA;;;{sid})"
