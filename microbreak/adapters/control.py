"""The daemon's side of the control channel: one instance per user, and a private Unix socket.

The lock is an ``flock`` on a file in the private runtime dir: the kernel drops it when the
daemon dies, however it dies, so a lock left by a crashed daemon is simply taken over. The
socket is created mode 0600 in that 0700 dir, and each peer's uid is checked as well. One
thread reads every connection at once through a selector, so a client that sends nothing (or
sends slowly) costs a file descriptor, not a worker, and never keeps others waiting; it is
dropped after ``CLIENT_TIMEOUT``. A complete request is answered on a short-lived thread, so a
slow action (a notification server that takes its time) does not stall the reading either.
Garbage or an over-long message gets an error reply. The loop blocks: no polling.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import MicrobreakError
from ..protocol import MAX_MESSAGE, VERSION, ProtocolError, Request, encode, parse_request

log = logging.getLogger(__name__)

#: How long one client may take to send its request (and to take the reply).
CLIENT_TIMEOUT = 2.0
#: Connections still sending their request; more are turned away with an error reply.
MAX_PENDING = 64
#: Requests being answered at once; more are turned away with an error reply.
MAX_CLIENTS = 8

Handler = Callable[[Request], tuple[dict[str, Any], Callable[[], None] | None]]


class AlreadyRunning(MicrobreakError):
    """Another daemon holds the lock."""

    def __init__(self, pid: int | None) -> None:
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"microbreak is already running{who}")
        self.pid = pid


class InstanceLock:
    """Held for the daemon's whole life; released by the kernel when the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.previous_pid: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning; remembers a crashed daemon's pid."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise AlreadyRunning(pid) from None
        self.previous_pid = _read_pid(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        # A clean exit clears the pid, so only a daemon that died leaves one to be taken over.
        atexit.register(self.release)

    def release(self) -> None:
        """Clear our pid and let go (a clean exit); the kernel drops the lock on any other."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0) or None
    except (ValueError, OSError):
        return None


def _peer_uid(conn: socket.socket) -> int | None:
    """The connecting process's uid (Linux SO_PEERCRED); None where the OS does not say."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class _Pending:
    """A connection whose request has not fully arrived yet."""

    __slots__ = ("data", "deadline")

    def __init__(self, deadline: float) -> None:
        self.data = b""
        self.deadline = deadline


class ControlServer:
    """Listens on the control socket and answers each request through ``handler``."""

    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self._handler = handler
        self._sock: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)

    def start(self) -> None:
        """Bind (replacing a socket file left by a crashed daemon) and start accepting."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # the socket file is born 0600
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)
        sock.listen(16)
        sock.setblocking(False)
        self._sock = sock
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, drop unfinished requests and remove the socket file."""
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread.is_alive():
            self._thread.join(CLIENT_TIMEOUT)
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        self._wake_r.close()
        self._wake_w.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _serve(self) -> None:
        assert self._sock is not None
        listener = self._sock
        pending: dict[socket.socket, _Pending] = {}
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            try:
                while True:
                    timeout = None
                    if pending:
                        first = min(p.deadline for p in pending.values())
                        timeout = max(0.0, first - time.monotonic())
                    for key, _ in selector.select(timeout):
                        if key.fileobj is self._wake_r:
                            return
                        if key.fileobj is listener:
                            self._accept(listener, selector, pending)
                        else:
                            conn = key.fileobj
                            assert isinstance(conn, socket.socket)
                            self._receive(conn, selector, pending)
                    now = time.monotonic()
                    for conn in [c for c, p in pending.items() if p.deadline <= now]:
                        log.debug("control client sent nothing in time; dropped")
                        self._forget(conn, selector, pending)
                        conn.close()
            finally:
                for conn in pending:
                    conn.close()

    def _accept(
        self,
        listener: socket.socket,
        selector: selectors.BaseSelector,
        pending: dict[socket.socket, _Pending],
    ) -> None:
        try:
            conn, _ = listener.accept()
        except OSError:  # the client gave up already, or out of file descriptors
            return
        try:
            uid = _peer_uid(conn)
        except OSError:
            conn.close()
            return
        if uid is not None and uid != os.getuid():
            log.warning("refused a control connection from uid %s", uid)
            conn.close()
            return
        if len(pending) >= MAX_PENDING:
            self._reply(conn, {"v": VERSION, "ok": False, "error": "busy: too many clients"})
            return
        conn.setblocking(False)
        pending[conn] = _Pending(time.monotonic() + CLIENT_TIMEOUT)
        selector.register(conn, selectors.EVENT_READ)

    def _receive(
        self,
        conn: socket.socket,
        selector: selectors.BaseSelector,
        pending: dict[socket.socket, _Pending],
    ) -> None:
        state = pending[conn]
        try:
            chunk = conn.recv(MAX_MESSAGE + 1 - len(state.data))
        except BlockingIOError:
            return
        except OSError as e:  # reset by the client: its problem, not ours
            log.debug("control client dropped: %s", e)
            self._forget(conn, selector, pending)
            conn.close()
            return
        if not chunk and not state.data:  # connected and left without a word
            self._forget(conn, selector, pending)
            conn.close()
            return
        state.data += chunk
        line: bytes | None
        if b"\n" in state.data:
            line = state.data.split(b"\n", 1)[0]
        elif len(state.data) > MAX_MESSAGE:
            line = None
        elif not chunk:  # the client stopped early: answer what came
            line = state.data
        else:
            return
        self._forget(conn, selector, pending)
        if not self._slots.acquire(blocking=False):
            self._reply(conn, {"v": VERSION, "ok": False, "error": "busy: too many clients"})
            return
        try:
            threading.Thread(target=self._client, args=(conn, line), daemon=True).start()
        except RuntimeError:  # no thread to be had: refuse this one, keep serving
            self._slots.release()
            self._reply(conn, {"v": VERSION, "ok": False, "error": "busy: too many clients"})

    @staticmethod
    def _forget(
        conn: socket.socket,
        selector: selectors.BaseSelector,
        pending: dict[socket.socket, _Pending],
    ) -> None:
        selector.unregister(conn)
        del pending[conn]

    @staticmethod
    def _reply(conn: socket.socket, reply: dict[str, Any]) -> None:
        """Send one reply and close; a client that went away meanwhile is not an error."""
        try:
            data = encode(reply)
        except ProtocolError:  # too long to send: say so instead
            data = encode({"v": VERSION, "ok": False, "error": "internal error: reply too long"})
        with contextlib.suppress(OSError), conn:
            conn.settimeout(CLIENT_TIMEOUT)
            conn.sendall(data)

    def _client(self, conn: socket.socket, line: bytes | None) -> None:
        after: Callable[[], None] | None = None
        try:
            reply, after = self._answer(line)
            self._reply(conn, reply)
        finally:
            self._slots.release()
        if after is not None:
            after()

    def _answer(self, data: bytes | None) -> tuple[dict[str, Any], Callable[[], None] | None]:
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
