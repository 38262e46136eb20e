"""The daemon's side of the control channel: one instance per user, and a private Unix socket.

The lock is an ``flock`` on a file in the private runtime dir: the kernel drops it when the
daemon dies, however it dies, so a lock left by a crashed daemon is simply taken over. The
socket is created mode 0600 in that 0700 dir, and each peer's uid is checked as well. Requests
are handled one connection at a time on short-lived threads with a timeout, so a client that
sends garbage, too much, or nothing at all gets an error or is dropped, and never stalls the
daemon. The accept loop blocks: no polling.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import MicrobreakError
from ..protocol import MAX_MESSAGE, VERSION, ProtocolError, Request, encode, parse_request

log = logging.getLogger(__name__)

#: How long one client may take to send its request.
CLIENT_TIMEOUT = 2.0
#: Connections handled at once; more are turned away with an error reply.
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

    def release(self) -> None:
        """Let go early (tests); normally process exit does it."""
        if self._fd is not None:
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


class ControlServer:
    """Listens on the control socket and answers each request through ``handler``."""

    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self._handler = handler
        self._sock: socket.socket | None = None
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
        self._sock = sock
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting and remove the socket file."""
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
            sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _serve(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                break  # closed by stop()
            if not self._slots.acquire(blocking=False):
                self._refuse(conn, "busy: too many clients at once")
                continue
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _refuse(self, conn: socket.socket, error: str) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(CLIENT_TIMEOUT)
            conn.sendall(encode({"v": VERSION, "ok": False, "error": error}))

    def _client(self, conn: socket.socket) -> None:
        after: Callable[[], None] | None = None
        try:
            with conn:
                conn.settimeout(CLIENT_TIMEOUT)
                uid = _peer_uid(conn)
                if uid is not None and uid != os.getuid():
                    log.warning("refused a control connection from uid %s", uid)
                    return
                reply, after = self._answer(_read_line(conn))
                with contextlib.suppress(OSError):
                    conn.sendall(encode(reply))
        except OSError as e:  # timeouts and resets: the client's problem, not ours
            log.debug("control client dropped: %s", e)
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
        try:
            reply, after = self._handler(request)
        except Exception as e:
            log.exception("control command %s failed", request.cmd)
            return {"v": VERSION, "ok": False, "error": f"internal error: {e}"}, None
        return {"v": VERSION, **reply}, after


def _read_line(conn: socket.socket) -> bytes | None:
    """One request line, or None if it is longer than allowed or the client stops early."""
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(MAX_MESSAGE + 1 - len(data))
        if not chunk:
            return data or None
        data += chunk
        if len(data) > MAX_MESSAGE:
            return None
    return data.split(b"\n", 1)[0]
