"""The control channel on Linux and macOS: a private Unix socket.

The socket is created mode 0600 in the 0700 runtime dir, and each peer's uid is checked as
well. One thread reads every connection at once through a selector, so a client that sends
nothing (or sends slowly) costs a file descriptor, not a worker, and never keeps others
waiting; it is dropped after ``CLIENT_TIMEOUT``. Complete requests go to the shared
``Dispatcher`` (``control_common``), which answers each on a short-lived thread, so a slow
action (a notification server that takes its time) does not stall the reading either. Garbage
or an over-long message gets an error reply. The loop blocks: no polling.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .control_common import (
    BUSY,
    CLIENT_TIMEOUT,
    MAX_PENDING,
    Dispatcher,
    Handler,
    Pending,
    log,
    reply_bytes,
)

assert sys.platform != "win32", "Windows has no Unix sockets here: see control_windows"


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
        self._dispatcher = Dispatcher(handler)
        self._sock: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
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
        pending: dict[socket.socket, Pending] = {}
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
        pending: dict[socket.socket, Pending],
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
            self._reply(conn, BUSY)
            return
        conn.setblocking(False)
        pending[conn] = Pending(time.monotonic() + CLIENT_TIMEOUT)
        selector.register(conn, selectors.EVENT_READ)

    def _receive(
        self,
        conn: socket.socket,
        selector: selectors.BaseSelector,
        pending: dict[socket.socket, Pending],
    ) -> None:
        state = pending[conn]
        try:
            chunk = conn.recv(state.room())
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
        if not state.feed(chunk):
            return
        self._forget(conn, selector, pending)
        if not self._dispatcher.dispatch(state.line, lambda data: self._send(conn, data)):
            self._reply(conn, BUSY)

    @staticmethod
    def _forget(
        conn: socket.socket,
        selector: selectors.BaseSelector,
        pending: dict[socket.socket, Pending],
    ) -> None:
        selector.unregister(conn)
        del pending[conn]

    @classmethod
    def _reply(cls, conn: socket.socket, reply: dict[str, Any]) -> None:
        cls._send(conn, reply_bytes(reply))

    @staticmethod
    def _send(conn: socket.socket, data: bytes) -> None:
        """Send one reply and close; a client that went away meanwhile is not an error."""
        with contextlib.suppress(OSError), conn:
            conn.settimeout(CLIENT_TIMEOUT)
            conn.sendall(data)
