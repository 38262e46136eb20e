"""The daemon's side of the control channel: ``multiprocessing.connection``, private to the user.

A ``Listener`` on a 0600 Unix socket or a Windows pipe (``channel`` says why its key is safe);
one JSON request per connection (``protocol``), never unpickled. A client cannot stall the
daemon: no ``authkey`` (whose exchange would run inside ``accept``), a thread per connection,
cut after ``CLIENT_TIMEOUT``, at most ``MAX_PENDING`` at once; idle, one thread in ``accept``.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import secrets
import socket
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..channel import REFUSED
from ..core.durations import TimeOfDayError, parse_time_of_day
from ..core.planner import StateError
from ..errors import MicrobreakError
from ..i18n import _, clock, shown
from ..paths import write_whole
from ..protocol import MAX_MESSAGE, VERSION, ProtocolError, encode, parse_request

if TYPE_CHECKING:
    from ..app import App, Snapshot

log = logging.getLogger(__name__)

CLIENT_TIMEOUT = 2.0  # from connecting to taking the reply
MAX_PENDING = 64  # connections served at once; more are closed unanswered
KEY_BYTES = 32

After = Callable[[], None] | None
#: A request frame in; the reply frame, and what to do once it is sent (quit), out.
Answer = Callable[[bytes], tuple[bytes, After]]


class ChannelUnavailable(MicrobreakError):
    """The control channel cannot be opened (its address is taken, or the key not written)."""


def handler(app: App) -> Answer:
    """Each command through the app's one entry for its action; a refusal is an error reply, a
    success carries the status. Never raises."""

    def duration(args: dict[str, Any]) -> timedelta | None:
        seconds = args.get("seconds")
        return timedelta(seconds=float(seconds)) if seconds is not None else None

    def pause(args: dict[str, Any]) -> None:
        if "until" in args:
            app.pause_until(parse_time_of_day(args["until"]))
        else:
            app.pause(duration(args))

    def now(args: dict[str, Any]) -> str:
        exercise = app.break_now(guide=bool(args.get("guide")))
        if app.snapshot().undelivered:  # the status line names it: "Break due: <exercise>"
            return _("No notification server showed the reminder")
        return _("Break now: {exercise}").format(exercise=shown(exercise, "name"))

    #: Each command's action; the ones with words for the user return them.
    actions: dict[str, Callable[[dict[str, Any]], object]] = {
        "status": lambda args: None,
        "pause": pause,
        "resume": lambda args: app.resume(),
        "snooze": lambda args: app.snooze(duration(args)),
        "now": now,
        "skip": lambda args: app.skip(),
        "done": lambda args: app.done(),
        "quit": lambda args: _("microbreak is quitting"),
    }

    def handle(cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            said = actions[cmd](args)
        except TimeOfDayError as e:
            return {"ok": False, "usage": True, "error": f"until: {e}"}
        except StateError as e:
            return {"ok": False, "error": str(e)}
        snap = app.snapshot()
        reply: dict[str, Any] = {"ok": True, "status": status_json(snap), "text": summary(snap)}
        if isinstance(said, str) and said:
            reply["message"] = said
        return reply

    def answer(data: bytes) -> tuple[bytes, After]:
        cmd = None
        try:
            cmd, args = parse_request(data)
            reply = handle(cmd, args)
        except ProtocolError as e:
            reply = {"ok": False, "error": str(e)}
        except Exception as e:  # a bug must not cost the client its reply
            log.exception("control request %s failed", cmd)
            reply = {"ok": False, "error": f"internal error: {e}"}
        return reply_bytes(reply), app.quit if cmd == "quit" and reply["ok"] else None

    return answer


def summary(snap: Snapshot) -> str:
    """What ``microbreak status`` prints, in the user's language: the client prints it as it
    comes, so the quick commands need no catalog of their own."""
    parts = [snap.line]
    if snap.last is not None and snap.last_shown is not None:
        at = clock(snap.last_shown.astimezone(snap.tz))
        name = shown(snap.last, "name")
        parts.append(_("last reminder: {exercise} at {time}").format(exercise=name, time=at))
    if snap.unanswered is not None:
        name = shown(snap.unanswered, "name")
        parts.append(_("waiting for done/skip: {exercise}").format(exercise=name))
    text = "; ".join(parts)
    if snap.config_problem:
        first, *more = snap.config_problem.splitlines() or [""]
        said = _("Config problem (previous settings in use): {problem}").format(problem=first)
        text += "\n" + said + "".join(f"\n  {other}" for other in more)
    return text


def status_json(snap: Snapshot) -> dict[str, Any]:
    """The state as ``microbreak status --json`` prints it."""
    last = None
    if snap.last is not None and snap.last_shown is not None:
        last = {
            "id": snap.last.id,
            "name": snap.last.name,
            "at": snap.last_shown.isoformat(),
            # As the line shows times: in the daemon's zone (and no datetime for the client).
            "local_time": snap.last_shown.astimezone(snap.tz).strftime("%H:%M"),
        }
    policy, status = snap.settings.policy(), snap.status
    return {
        "mode": status.mode.value,
        "line": snap.line,
        "due": status.due.isoformat() if status.due else None,
        "paused_until": status.paused_until.isoformat() if status.paused_until else None,
        "last_reminder": last,
        "unanswered": snap.unanswered.name if snap.unanswered else None,
        "settings": {
            "min_interval": policy.min_interval.total_seconds(),
            "max_interval": policy.max_interval.total_seconds(),
            "snooze_choices": [d.total_seconds() for d in snap.settings.snoozes()],
        },
        "config_problem": snap.config_problem,
    }


def reply_bytes(reply: dict[str, Any]) -> bytes:
    """One reply frame; a reply too long to send becomes an error that says so."""
    try:
        return encode({"v": VERSION, **reply})
    except ProtocolError:
        return encode({"v": VERSION, "ok": False, "error": "internal error: reply too long"})


class ControlServer:
    """Answers requests through ``answer`` (``handler(app)``) between ``start()`` and ``stop()``."""

    def __init__(self, address: str, family: str, key_file: Path, answer: Answer) -> None:
        self.address, self.family, self.key_file = address, family, key_file
        self._answer = answer
        self._slots = threading.BoundedSemaphore(MAX_PENDING)
        self._listener: Listener | None = None
        self._key = b""
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)

    def listen(self) -> None:
        """Write a fresh key, readable by the user alone and renamed into place (a client never
        reads half a key), and listen (replacing a socket a crashed daemon left). A client that
        connects from now on is not told "not running": it waits, queued, for ``start()``."""
        unix = self.family == "AF_UNIX"
        self._key = secrets.token_bytes(KEY_BYTES)
        try:
            write_whole(self.key_file, self._key, private=True)
            if unix:  # we hold the instance lock, so a socket file here is a dead daemon's
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.address)
            self._listener = Listener(self.address, self.family, backlog=MAX_PENDING)
            if unix:
                os.chmod(self.address, 0o600)
        except OSError as e:
            raise ChannelUnavailable(f"cannot open the control channel {self.address}: {e}") from e

    def start(self) -> None:
        """Answer the clients, queued since ``listen()`` and to come."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, and remove the key and the socket."""
        listener = self._listener
        assert listener is not None, "stop() before listen()"
        self._stopping.set()
        if self._thread.ident is not None:  # started
            # accept() has no timeout: a connection of our own wakes it to see that we stop.
            with contextlib.suppress(OSError), Client(self.address, self.family):
                pass
            self._thread.join(timeout=2.0)
        listener.close()  # also unlinks the socket file
        with contextlib.suppress(OSError):
            self.key_file.unlink()

    def _serve(self) -> None:
        assert self._listener is not None
        while True:
            try:
                conn = self._listener.accept()
            except OSError as e:
                if self._stopping.is_set():
                    return
                log.debug("accept failed: %s", e)
                continue
            if self._stopping.is_set():
                conn.close()
                return
            if not self._slots.acquire(blocking=False):
                log.debug("too many control connections: one closed unanswered")
                conn.close()
                continue
            try:
                threading.Thread(target=self._converse, args=(conn,), daemon=True).start()
            except RuntimeError:  # no thread to be had: refuse this one, keep serving
                conn.close()
                self._slots.release()

    def _converse(self, conn: Connection) -> None:
        """The key and the request within ``CLIENT_TIMEOUT``, then the reply."""
        deadline = threading.Timer(CLIENT_TIMEOUT, _cut, args=(conn,))
        deadline.start()
        try:
            after = self._exchange(conn, deadline)
        finally:
            _disarm(deadline)
            conn.close()
            self._slots.release()
        if after is not None:
            after()

    def _exchange(self, conn: Connection, deadline: threading.Timer) -> After:
        try:
            fits = hmac.compare_digest(conn.recv_bytes(KEY_BYTES), self._key)  # OSError if longer
            if not fits:
                # Take the request unread, so the refusal reaches the client, not a reset.
                with contextlib.suppress(OSError, EOFError):
                    conn.recv_bytes(MAX_MESSAGE)
                conn.send_bytes(REFUSED)
                log.debug("a control client without the key was refused")
                return None
        except (OSError, EOFError) as e:
            log.debug("a control client left before its key: %s", e or "closed")
            return None
        try:
            data: bytes | None = conn.recv_bytes(MAX_MESSAGE)
        except EOFError:
            return None
        except OSError:  # over MAX_MESSAGE, or cut by the deadline
            data = None
        # The client has had its say; the app's answer (a slow notification server on ``now``)
        # is ours to bound, not the client's.
        _disarm(deadline)
        if data is None:
            reply, after = reply_bytes({"ok": False, "error": "message too long"}), None
        else:
            reply, after = self._answer(data)
        try:
            conn.send_bytes(reply)
        except OSError as e:
            log.debug("a control client left before its reply: %s", e)
        return after


def _cut(conn: Connection) -> None:
    """Wake the thread blocked on ``conn``: its client took too long."""
    if sys.platform == "win32":  # closing the pipe handle cancels the read waiting on it
        conn.close()
        return
    with contextlib.suppress(OSError), socket.socket(fileno=os.dup(conn.fileno())) as sock:
        sock.shutdown(socket.SHUT_RDWR)


def _disarm(deadline: threading.Timer) -> None:
    """No cut from now on, nor one under way: a cut after the close could reach a file
    descriptor number that belongs to another connection by then."""
    deadline.cancel()
    deadline.join()
