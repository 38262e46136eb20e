"""The control channel on Windows: a named pipe that only this user can open.

``\\\\.\\pipe\\microbreak-<user SID>`` (``paths.control_pipe``) is created with
``FILE_FLAG_FIRST_PIPE_INSTANCE`` (if any process, of any user, holds the name already, the
daemon refuses to start rather than share it), ``PIPE_REJECT_REMOTE_CLIENTS``, and a security
descriptor (``control_common.pipe_sddl``) whose DACL grants access to this user's SID alone and
denies network logons; the owner is the user, which the client checks. A fresh instance is
opened as soon as a client connects, before anything else, so the name is never left free
for another process to take. Each request's sender is checked once it is read: the thread
impersonates the pipe client (``ImpersonateNamedPipeClient``, which names the token of whoever
wrote the bytes, with no pid that could be reused in between) and compares its user SID; a
stranger is dropped without an answer, as on the Unix socket.

The rest is the Unix socket's design, through the same ``control_common`` code: one thread
waits on every connection at once (overlapped I/O, one ``WaitForMultipleObjects``), so a
client that sends nothing costs a handle, not a worker, and is dropped after
``CLIENT_TIMEOUT``; complete requests go to the shared ``Dispatcher`` (at most
``MAX_CLIENTS`` answered at once, each on a short-lived thread) and the same limits and error
replies apply. A wait takes at most 64 handles, so at most 62 clients may be sending at once
here (the Unix socket allows ``MAX_PENDING``, 64); more get the busy reply. A reply is written
with a deadline, and the pipe is closed only once the client has hung up (or the deadline has
passed): ``FlushFileBuffers`` would wait for ever on a client that never reads.

pywin32 rather than ctypes: it is the maintained binding of exactly these calls
(``CreateNamedPipe`` with ``SECURITY_ATTRIBUTES``, overlapped ``ConnectNamedPipe`` /
``ReadFile`` / ``WriteFile``, ``ImpersonateNamedPipeClient``, SDDL conversion), it turns
failures into exceptions carrying the Windows error, and it is typed (``types-pywin32``), so
``mypy --platform win32`` checks every call here. Hand-written ctypes would have to lay out
OVERLAPPED and SECURITY_ATTRIBUTES itself, where a mistake corrupts memory instead of raising.
Only the daemon loads it; the client (``microbreak.client``) opens the pipe with plain
``open()`` and finds its name with a few ctypes calls, to start quickly.

Not tested: this module has been type-checked (``mypy --platform win32``) but never run; the
test suite runs on Linux, where the shared parts (limits, answers, the pipe name and the
security descriptor) are tested, and the transport is the Unix socket. Taken from Windows'
documentation and not yet seen to hold: ``CancelIo`` cancels only I/O issued on the calling
thread; impersonation works only once data has been read from the pipe;
``GetSecurityInfo(SE_KERNEL_OBJECT)`` on a pipe handle returns its owner (the client's check);
how soon Windows releases a dead process's file lock (a daemon started in that instant may be
told the old one still runs); whether a non-elevated client reaches an elevated daemon.
"""

# ruff: noqa: E402  (the platform assert must come first: mypy skips the module elsewhere)
from __future__ import annotations

import sys

assert sys.platform == "win32", "named pipes are Windows only: see control_unix"

import contextlib
import math
import threading
import time
from functools import partial
from typing import TYPE_CHECKING

import pywintypes
import win32api
import win32event
import win32file
import win32pipe
import win32security
import winerror

from ..protocol import MAX_MESSAGE
from .control_common import (
    BUSY,
    CLIENT_TIMEOUT,
    MAX_PENDING,
    ChannelUnavailable,
    Dispatcher,
    Handler,
    Pending,
    log,
    pipe_sddl,
    reply_bytes,
)

if TYPE_CHECKING:
    from _win32typing import PyOVERLAPPED, PySECURITY_ATTRIBUTES

#: Clients still sending: one wait holds 64 handles, two of them the stop event and the listener.
MAX_WAITING = min(MAX_PENDING, win32event.MAXIMUM_WAIT_OBJECTS - 2)
#: How soon to try again when no listening instance could be opened (out of resources).
RETRY = 1.0

# Older pywin32 builds lack these two; the values are winbase.h's.
_FIRST_INSTANCE: int = getattr(win32pipe, "FILE_FLAG_FIRST_PIPE_INSTANCE", 0x00080000)
_REJECT_REMOTE: int = getattr(win32pipe, "PIPE_REJECT_REMOTE_CLIENTS", 0x00000008)
_OPEN_MODE = win32pipe.PIPE_ACCESS_DUPLEX | win32file.FILE_FLAG_OVERLAPPED
_PIPE_MODE = (
    win32pipe.PIPE_TYPE_BYTE | win32pipe.PIPE_READMODE_BYTE | win32pipe.PIPE_WAIT | _REJECT_REMOTE
)


def _ms(seconds: float) -> int:
    """A wait in whole milliseconds, rounded up so that a deadline is never woken early."""
    return math.ceil(max(0.0, seconds) * 1000)


def _own_sid() -> str:
    """This process's user SID, as text."""
    token = win32security.OpenProcessToken(win32api.GetCurrentProcess(), win32security.TOKEN_QUERY)
    try:
        sid = win32security.GetTokenInformation(token, win32security.TokenUser)[0]
    finally:
        win32api.CloseHandle(token)
    return str(win32security.ConvertSidToStringSid(sid))


def _wait(handle: int, io: PyOVERLAPPED, event: int, deadline: float) -> bool:
    """Wait until ``deadline`` for the I/O on ``io``; True if it completed without error.

    Whatever happens, the OS is done with ``io`` and its buffer on return: an I/O still under
    way is cancelled (it was issued on this thread, which ``CancelIo`` requires) and waited for.
    """
    remaining = _ms(deadline - time.monotonic())
    done = win32event.WaitForSingleObject(event, remaining) == win32event.WAIT_OBJECT_0
    if not done:
        with contextlib.suppress(pywintypes.error):
            win32file.CancelIo(handle)
    try:
        win32file.GetOverlappedResult(handle, io, True)
    except pywintypes.error:
        return False
    return done


class _Instance:
    """One pipe instance, i.e. one connection, and the overlapped I/O under way on it."""

    __slots__ = ("buffer", "event", "handle", "io", "request", "under_way")

    def __init__(self, handle: int) -> None:
        self.handle = handle
        self.event = win32event.CreateEvent(None, True, False, None)
        self.io = pywintypes.OVERLAPPED()
        self.io.hEvent = self.event
        self.buffer: memoryview | None = None
        self.request = Pending(0.0)
        #: An I/O issued on the serving thread and not yet collected.
        self.under_way = False

    def close(self) -> None:
        """Cancel any I/O under way, wait until the OS is done with the buffers, close."""
        if self.under_way:
            self.under_way = False
            with contextlib.suppress(pywintypes.error):
                win32file.CancelIo(self.handle)
            with contextlib.suppress(pywintypes.error):
                win32file.GetOverlappedResult(self.handle, self.io, True)
        with contextlib.suppress(pywintypes.error):
            win32file.CloseHandle(self.handle)
        with contextlib.suppress(pywintypes.error):
            win32api.CloseHandle(self.event)


class PipeServer:
    """Listens on the control pipe ``name`` and answers each request through ``handler``."""

    def __init__(self, name: str, handler: Handler) -> None:
        self.name = name
        self._dispatcher = Dispatcher(handler)
        self._stop = win32event.CreateEvent(None, True, False, None)
        self._thread: threading.Thread | None = None
        self._attributes: PySECURITY_ATTRIBUTES | None = None
        self._sid = ""

    def start(self) -> None:
        """Take the pipe's name (refusing one held already) and start accepting.

        A name still held is waited for a moment (``CLIENT_TIMEOUT``): a daemon that has just
        quit gives up its lock before the OS has closed its last pipe instances.
        """
        deadline = time.monotonic() + CLIENT_TIMEOUT
        try:
            self._sid = _own_sid()
            descriptor = win32security.ConvertStringSecurityDescriptorToSecurityDescriptor(
                pipe_sddl(self._sid), win32security.SDDL_REVISION_1
            )
            attributes = win32security.SECURITY_ATTRIBUTES()
            attributes.SECURITY_DESCRIPTOR = descriptor
            attributes.bInheritHandle = False
            self._attributes = attributes
            while True:
                try:
                    first = self._create(first=True)
                    break
                except pywintypes.error as e:
                    taken = e.winerror in (winerror.ERROR_ACCESS_DENIED, winerror.ERROR_PIPE_BUSY)
                    if not taken or time.monotonic() >= deadline:
                        raise
                time.sleep(0.1)
        except pywintypes.error as e:
            if e.winerror in (winerror.ERROR_ACCESS_DENIED, winerror.ERROR_PIPE_BUSY):
                raise ChannelUnavailable(
                    f"another process holds the control pipe {self.name}; refusing to share it"
                ) from None
            raise ChannelUnavailable(
                f"cannot create the control pipe {self.name}: {e.strerror}"
            ) from None
        self._thread = threading.Thread(
            target=self._serve, args=(first,), name="control", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting and drop unfinished requests; the name goes with the last instance."""
        with contextlib.suppress(pywintypes.error):
            win32event.SetEvent(self._stop)
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(CLIENT_TIMEOUT)
        if thread is None or not thread.is_alive():
            with contextlib.suppress(pywintypes.error):
                win32api.CloseHandle(self._stop)

    # -- the serving thread ------------------------------------------------------------------

    def _create(self, *, first: bool) -> _Instance:
        """A new instance of the pipe; ``first`` fails if the name exists already."""
        assert self._attributes is not None
        mode = _OPEN_MODE | (_FIRST_INSTANCE if first else 0)
        handle = win32pipe.CreateNamedPipe(
            self.name,
            mode,
            _PIPE_MODE,
            win32pipe.PIPE_UNLIMITED_INSTANCES,
            MAX_MESSAGE,
            MAX_MESSAGE,
            0,
            self._attributes,
        )
        return _Instance(handle)

    def _listen(self, inst: _Instance) -> bool:
        """Wait for a client on ``inst`` (its event is set when one comes); False if unusable."""
        for _ in range(3):
            win32event.ResetEvent(inst.event)
            try:
                result = win32pipe.ConnectNamedPipe(inst.handle, inst.io)
            except pywintypes.error as e:
                if e.winerror != winerror.ERROR_NO_DATA:
                    log.warning("cannot listen on the control pipe: %s", e.strerror)
                    return False
                # A client came and went before we listened: clear the instance, listen again.
                with contextlib.suppress(pywintypes.error):
                    win32pipe.DisconnectNamedPipe(inst.handle)
                continue
            if result == winerror.ERROR_IO_PENDING:
                inst.under_way = True
            else:  # ERROR_PIPE_CONNECTED: a client connected first; no I/O, no event from it
                win32event.SetEvent(inst.event)
            return True
        return False

    def _new_listener(self) -> _Instance | None:
        """A fresh listening instance, or None (logged) when none can be had just now."""
        try:
            inst = self._create(first=False)
        except pywintypes.error as e:
            log.warning("cannot open another control pipe instance: %s", e.strerror)
            return None
        if not self._listen(inst):
            inst.close()
            return None
        return inst

    def _serve(self, first: _Instance) -> None:
        listener: _Instance | None = first if self._listen(first) else None
        if listener is None:
            first.close()
        retry_at = None if listener is not None else time.monotonic() + RETRY
        pending: list[_Instance] = []
        try:
            while True:
                now = time.monotonic()
                if listener is None and retry_at is not None and retry_at <= now:
                    listener = self._new_listener()
                    retry_at = None if listener is not None else now + RETRY
                owners: list[_Instance | None] = [None]
                handles = [self._stop]
                for inst in ([listener] if listener is not None else []) + pending:
                    owners.append(inst)
                    handles.append(inst.event)
                deadlines = [p.request.deadline for p in pending]
                if retry_at is not None:
                    deadlines.append(retry_at)
                timeout = _ms(min(deadlines) - now) if deadlines else win32event.INFINITE
                index = win32event.WaitForMultipleObjects(handles, False, timeout)
                index -= win32event.WAIT_OBJECT_0
                if index == 0:
                    return
                if 0 < index < len(owners):
                    ready = owners[index]
                    assert ready is not None
                    if index == 1 and listener is not None:
                        # A fresh listener first: the name must never be left free.
                        listener = self._new_listener()
                        if listener is None:
                            retry_at = time.monotonic() + RETRY
                        self._connected(ready, pending)
                    else:
                        self._received(ready, pending)
                now = time.monotonic()
                for inst in [p for p in pending if p.request.deadline <= now]:
                    log.debug("control client sent nothing in time; dropped")
                    pending.remove(inst)
                    inst.close()
        except Exception:
            log.exception("the control pipe stopped serving")
        finally:
            for left in [listener, *pending]:
                if left is not None:
                    left.close()

    def _connected(self, inst: _Instance, pending: list[_Instance]) -> None:
        if inst.under_way:
            inst.under_way = False
            try:
                win32file.GetOverlappedResult(inst.handle, inst.io, False)
            except pywintypes.error:  # the client gave up already
                inst.close()
                return
        if len(pending) >= MAX_WAITING:
            self._send(inst, reply_bytes(BUSY), linger=False)
            return
        inst.request = Pending(time.monotonic() + CLIENT_TIMEOUT)
        if self._read(inst):
            pending.append(inst)

    def _read(self, inst: _Instance) -> bool:
        """Read what may come, up to the limit; False (and closed) if the client has left."""
        win32event.ResetEvent(inst.event)
        inst.buffer = win32file.AllocateReadBuffer(inst.request.room())
        try:
            win32file.ReadFile(inst.handle, inst.buffer, inst.io)
        except pywintypes.error:
            inst.close()
            return False
        inst.under_way = True
        return True

    def _received(self, inst: _Instance, pending: list[_Instance]) -> None:
        inst.under_way = False
        try:
            count = win32file.GetOverlappedResult(inst.handle, inst.io, False)
        except pywintypes.error as e:
            # Mostly ERROR_BROKEN_PIPE: the client left. A pipe cannot be half closed, so
            # unlike a socket there is nobody left to answer.
            log.debug("control client dropped: %s", e.strerror)
            pending.remove(inst)
            inst.close()
            return
        assert inst.buffer is not None
        chunk = bytes(inst.buffer[:count])
        if not chunk or not inst.request.feed(chunk):  # an empty write, or more to come
            if not self._read(inst):
                pending.remove(inst)
            return
        pending.remove(inst)
        if not self._from_this_user(inst):
            log.warning("refused a control request from another user")
            inst.close()
            return
        if not self._dispatcher.dispatch(inst.request.line, partial(self._send, inst)):
            self._send(inst, reply_bytes(BUSY), linger=False)

    def _from_this_user(self, inst: _Instance) -> bool:
        """Whether the request on ``inst`` was written by a process of this user."""
        try:
            win32security.ImpersonateNamedPipeClient(inst.handle)
        except pywintypes.error as e:
            log.debug("cannot tell who sent a control request: %s", e.strerror)
            return False
        try:
            token = win32security.OpenThreadToken(
                win32api.GetCurrentThread(), win32security.TOKEN_QUERY, True
            )
            try:
                sid = win32security.GetTokenInformation(token, win32security.TokenUser)[0]
            finally:
                win32api.CloseHandle(token)
            return str(win32security.ConvertSidToStringSid(sid)) == self._sid
        except pywintypes.error as e:
            log.debug("cannot tell who sent a control request: %s", e.strerror)
            return False
        finally:
            win32security.RevertToSelf()  # raises (and stops the thread) rather than go on

    @staticmethod
    def _send(inst: _Instance, data: bytes, linger: bool = True) -> None:
        """Write one reply and close the instance; a client that went away is not an error.

        On an answering thread the reply may take ``CLIENT_TIMEOUT``, and the instance stays
        open until the client hangs up (it does once it has read the reply), so closing cannot
        drop an unread reply. The serving thread sends busy replies without ``linger``: one
        write into the empty pipe buffer, no waiting.
        """
        deadline = time.monotonic() + (CLIENT_TIMEOUT if linger else 0.0)
        event = win32event.CreateEvent(None, True, False, None)
        io = pywintypes.OVERLAPPED()
        io.hEvent = event
        try:
            win32file.WriteFile(inst.handle, data, io)
            if _wait(inst.handle, io, event, deadline) and linger:
                scratch = win32file.AllocateReadBuffer(64)
                while True:  # until the client hangs up (an error) or the deadline
                    win32event.ResetEvent(event)
                    win32file.ReadFile(inst.handle, scratch, io)
                    if not _wait(inst.handle, io, event, deadline):
                        break
        except pywintypes.error:
            pass
        finally:
            with contextlib.suppress(pywintypes.error):
                win32api.CloseHandle(event)
            inst.close()
