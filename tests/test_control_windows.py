"""The control channel's portable parts, and the Windows parts that can be checked on Linux.

Windows itself is not available here, so the named pipe server, the ``msvcrt`` lock and the
client's ctypes calls never run; what does: the pipe's name and security descriptor, the
request limits and answers that both transports share (``control_common``), the instance lock
logic (through its Linux ``flock``), the client's Windows branch against a stand-in pipe, that
``microbreak.adapters.control`` imports without ``fcntl`` and with ``sys.platform`` set to
``win32``, and ``mypy --platform win32`` over every module with a Windows branch.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from microbreak import client
from microbreak.adapters import control
from microbreak.adapters.control_common import (
    BUSY,
    MAX_CLIENTS,
    Dispatcher,
    Pending,
    pipe_sddl,
    reply_bytes,
)
from microbreak.paths import pipe_name
from microbreak.protocol import MAX_MESSAGE, Request, encode, parse_reply

from .headless import private_runtime_dir

ROOT = Path(__file__).parents[1]
SID = "S-1-5-21-1004336348-1177238915-682003330-1001"
PIPE = r"\\.\pipe\microbreak-S-1-5-21-1004336348-1177238915-682003330-1001"
NOT_SIDS = [
    "",
    "alice",
    "S-1",
    "S-1-5",
    "s-1-5-18",
    "S-1-5-21-1\\..\\evil",
    "S-1-5-21-1)(A;;GA;;;WD)",
    "S-1-5-18\n",
]


# -- the pipe's name and security descriptor --------------------------------------------------


def test_pipe_name_is_derived_from_the_sid() -> None:
    assert pipe_name(SID) == PIPE
    assert pipe_name("S-1-5-18") == r"\\.\pipe\microbreak-S-1-5-18"


@pytest.mark.parametrize("text", NOT_SIDS)
def test_pipe_name_refuses_anything_but_a_sid(text: str) -> None:
    with pytest.raises(ValueError, match="not a SID"):
        pipe_name(text)


def test_pipe_security_descriptor_admits_only_the_user() -> None:
    # Owner the user; DACL protected from inheritance; network logons denied first, then
    # full access for this SID alone: no Everyone, SYSTEM or Administrators entry.
    assert pipe_sddl(SID) == f"O:{SID}D:P(D;;GA;;;NU)(A;;GA;;;{SID})"


@pytest.mark.parametrize("text", NOT_SIDS)
def test_pipe_security_descriptor_cannot_be_spliced_into(text: str) -> None:
    with pytest.raises(ValueError, match="not a SID"):
        pipe_sddl(text)


# -- what both transports share ---------------------------------------------------------------


def test_a_request_is_the_first_line() -> None:
    pending = Pending(0.0)
    assert not pending.feed(b'{"v":1,')
    assert pending.feed(b'"cmd":"status"}\nignored')
    assert pending.line == b'{"v":1,"cmd":"status"}'


def test_a_message_over_the_limit_is_complete_and_refused() -> None:
    pending = Pending(0.0)
    assert pending.room() == MAX_MESSAGE + 1
    assert not pending.feed(b"x" * MAX_MESSAGE)  # at the limit, it may still end
    assert pending.room() == 1
    assert pending.feed(b"x")
    assert pending.line is None


def test_a_client_that_stops_early_is_answered_on_what_it_sent() -> None:
    pending = Pending(0.0)
    assert not pending.feed(b'{"v":1,"cmd":"status"}')
    assert pending.feed(b"")
    assert pending.line == b'{"v":1,"cmd":"status"}'


def _handler(request: Request) -> tuple[dict[str, Any], Callable[[], None] | None]:
    if request.cmd == "quit":
        raise RuntimeError("boom")
    return {"ok": True, "status": {"cmd": request.cmd}}, None


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (None, "message too long or not ended"),
        (b"\xff\xfe", "not a JSON message (UnicodeDecodeError)"),
        (b"[1, 2]", "a message must be a JSON object"),
        (b'{"v":2,"cmd":"status"}', "unsupported protocol version 2; this is 1"),
        (b'{"v":1,"cmd":"reboot"}', "unknown command 'reboot'"),
        (b'{"v":1,"cmd":"quit"}', "internal error: boom"),
    ],
)
def test_bad_requests_get_an_error_reply(line: bytes | None, error: str) -> None:
    reply, after = Dispatcher(_handler).answer(line)
    assert reply == {"v": 1, "ok": False, "error": error}
    assert after is None


def test_a_good_request_gets_the_handlers_reply_and_version() -> None:
    reply, _ = Dispatcher(_handler).answer(b'{"v":1,"cmd":"status"}')
    assert reply == {"v": 1, "ok": True, "status": {"cmd": "status"}}


def test_a_reply_too_long_to_send_says_so() -> None:
    data = reply_bytes({"v": 1, "ok": True, "status": {"line": "x" * MAX_MESSAGE}})
    assert parse_reply(data) == {"v": 1, "ok": False, "error": "internal error: reply too long"}
    assert reply_bytes(BUSY) == encode(BUSY)


def test_the_reply_is_sent_before_the_follow_up_runs() -> None:
    order: list[str] = []
    done = threading.Event()

    def follow_up() -> None:
        order.append("after")
        done.set()

    def quitting(request: Request) -> tuple[dict[str, Any], Callable[[], None] | None]:
        return {"ok": True}, follow_up

    def send(data: bytes) -> None:
        order.append(f"sent {parse_reply(data)}")

    assert Dispatcher(quitting).dispatch(b'{"v":1,"cmd":"quit"}', send)
    assert done.wait(5)
    assert order == ["sent {'v': 1, 'ok': True}", "after"]


def test_at_most_max_clients_are_answered_at_once() -> None:
    gate = threading.Event()
    sent: list[bytes] = []

    def slow(request: Request) -> tuple[dict[str, Any], Callable[[], None] | None]:
        gate.wait(10)
        return {"ok": True}, None

    dispatcher = Dispatcher(slow)
    line = b'{"v":1,"cmd":"status"}'
    try:
        assert all(dispatcher.dispatch(line, sent.append) for _ in range(MAX_CLIENTS))
        assert not dispatcher.dispatch(line, sent.append)  # busy: the transport says so
    finally:
        gate.set()
    deadline = time.monotonic() + 10
    while len(sent) < MAX_CLIENTS and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [parse_reply(d) for d in sent] == [{"v": 1, "ok": True}] * MAX_CLIENTS
    # Every slot is free again once the answers are out.
    deadline = time.monotonic() + 5
    while not dispatcher.dispatch(line, sent.append):
        assert time.monotonic() < deadline, "slots never freed"
        time.sleep(0.01)


# -- the factories, on this platform ----------------------------------------------------------


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A 0700 dir with a short path: a socket path must stay under 108 bytes."""
    with private_runtime_dir() as path:
        yield path


def _ask(path: Path, data: bytes) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        sock.sendall(data)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return parse_reply(reply)


def test_make_server_is_the_private_unix_socket_here(short_dir: Path) -> None:
    server = control.make_server(short_dir, _handler)
    server.start()
    try:
        path = short_dir / "control.sock"
        assert path.stat().st_mode & 0o777 == 0o600
        assert _ask(path, b'{"v":1,"cmd":"now"}\n') == {
            "v": 1,
            "ok": True,
            "status": {"cmd": "now"},
        }
        assert _ask(path, b"garbage\n")["error"].startswith("not a JSON message")
    finally:
        server.stop()
    assert not (short_dir / "control.sock").exists()


def test_make_lock_allows_one_daemon_and_names_it(short_dir: Path) -> None:
    first = control.make_lock(short_dir)
    first.acquire()
    try:
        assert (short_dir / "daemon.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(control.AlreadyRunning) as refused:
            control.make_lock(short_dir).acquire()
        assert refused.value.pid == os.getpid()
        assert str(refused.value) == f"microbreak is already running (pid {os.getpid()})"
    finally:
        first.release()
    assert (short_dir / "daemon.lock").read_text() == ""  # a clean exit leaves no pid
    second = control.make_lock(short_dir)
    second.acquire()
    second.release()
    assert second.previous_pid is None


def test_a_lock_left_by_a_killed_daemon_is_taken_over(short_dir: Path) -> None:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from microbreak.adapters.control import make_lock\n"
        "make_lock(Path(sys.argv[1])).acquire()\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(short_dir)], stdout=subprocess.PIPE, cwd=ROOT
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        with pytest.raises(control.AlreadyRunning) as refused:
            control.make_lock(short_dir).acquire()
        assert refused.value.pid == holder.pid
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()
    lock = control.make_lock(short_dir)
    lock.acquire()
    try:
        assert lock.previous_pid == holder.pid
        assert (short_dir / "daemon.lock").read_text() == f"{os.getpid()}\n"
    finally:
        lock.release()


# -- importable everywhere --------------------------------------------------------------------

_IMPORT_WITHOUT_FCNTL = """
import json, sys
sys.modules["fcntl"] = None  # import fcntl now raises ImportError, as on Windows
if sys.argv[1] == "win32":
    sys.platform = "win32"
import microbreak.adapters.control as control
import microbreak.client as client
loaded = sorted(m for m in sys.modules if m.startswith("microbreak.adapters.control"))
print(json.dumps({
    "names": sorted(n for n in ("make_lock", "make_server", "AlreadyRunning", "InstanceLock",
                                "ControlServer") if hasattr(control, n)),
    "loaded": loaded,
}))
"""


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_control_imports_without_fcntl(platform: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_WITHOUT_FCNTL, platform],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    common = ["AlreadyRunning", "InstanceLock", "make_lock", "make_server"]
    if platform == "win32":
        # Neither transport is loaded at import time; the Unix one never on Windows.
        assert out["names"] == common
        assert out["loaded"] == [
            "microbreak.adapters.control",
            "microbreak.adapters.control_common",
        ]
    else:
        assert out["names"] == sorted([*common, "ControlServer"])
        assert "microbreak.adapters.control_windows" not in out["loaded"]


def test_the_lock_needs_fcntl_only_when_taken(short_dir: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "sys.modules['fcntl'] = None\n"
        "from microbreak.adapters.control import make_lock\n"
        "make_lock(Path(sys.argv[1])).acquire()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(short_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "import of fcntl halted" in result.stderr.splitlines()[-1]


# -- the client's Windows branch, against a stand-in pipe -------------------------------------


class FakePipe:
    """An open pipe whose daemon answers ``reply`` (or never, until ``release``)."""

    def __init__(self, reply: bytes, *, hang: bool = False) -> None:
        self.reply = reply
        self.written = b""
        self.closed = False
        self.released = threading.Event()
        if not hang:
            self.released.set()

    def write(self, data: bytes, /) -> int:
        self.written += data
        return len(data)

    def read(self, size: int, /) -> bytes:
        self.released.wait(10)
        chunk, self.reply = self.reply[:size], self.reply[size:]
        return chunk

    def fileno(self) -> int:
        return -1

    def close(self) -> None:
        self.closed = True


def _no_check(pipe: client.Pipe, name: str) -> None:
    pass


def _busy() -> OSError:
    error = OSError(16, "All pipe instances are busy")
    error.winerror = 231  # type: ignore[attr-defined]  # set by CPython on Windows only
    return error


def test_no_pipe_means_not_running() -> None:
    def missing(name: str) -> client.Pipe:
        raise FileNotFoundError(2, "The system cannot find the file specified", name)

    with pytest.raises(client.NotRunning):
        client.talk_over_pipe(PIPE, b"{}\n", opener=missing, check=_no_check)


def test_a_pipe_we_may_not_open_is_refused() -> None:
    def denied(name: str) -> client.Pipe:
        raise PermissionError(13, "Access is denied", name)

    with pytest.raises(client.UnsafeChannel, match="access denied"):
        client.talk_over_pipe(PIPE, b"{}\n", opener=denied, check=_no_check)


def test_a_busy_pipe_is_tried_again() -> None:
    pipe = FakePipe(b'{"v":1,"ok":true}\n')
    attempts: list[str] = []

    def busy_twice(name: str) -> client.Pipe:
        attempts.append(name)
        if len(attempts) < 3:
            raise _busy()
        return pipe

    request = encode({"v": 1, "cmd": "status", "args": {}})
    reply = client.talk_over_pipe(PIPE, request, opener=busy_twice, check=_no_check)
    assert reply == b'{"v":1,"ok":true}\n'
    assert attempts == [PIPE] * 3
    assert pipe.written == request and pipe.closed


def test_a_pipe_busy_for_ever_gives_up_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "TIMEOUT", 0.3)

    def always_busy(name: str) -> client.Pipe:
        raise _busy()

    start = time.monotonic()
    with pytest.raises(OSError, match="busy"):
        client.talk_over_pipe(PIPE, b"{}\n", opener=always_busy, check=_no_check)
    assert 0.3 <= time.monotonic() - start < 3


def test_a_pipe_owned_by_someone_else_is_closed_and_refused() -> None:
    pipe = FakePipe(b"")

    def foreign(pipe: client.Pipe, name: str) -> None:
        raise client.UnsafeChannel(f"the control pipe {name} belongs to S-1-5-21-9; refusing it")

    with pytest.raises(client.UnsafeChannel, match="belongs to"):
        client.talk_over_pipe(PIPE, b"{}\n", opener=lambda name: pipe, check=foreign)
    assert pipe.closed and pipe.written == b""


def test_a_daemon_that_never_answers_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "TIMEOUT", 0.3)
    pipe = FakePipe(b'{"v":1,"ok":true}\n', hang=True)
    start = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            client.talk_over_pipe(PIPE, b"{}\n", opener=lambda name: pipe, check=_no_check)
        assert 0.3 <= time.monotonic() - start < 3
    finally:
        pipe.released.set()  # let the helper thread finish


@pytest.fixture
def as_windows(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[str], client.Pipe]], None]:
    """Run ``client.run`` down its Windows branch, with ``opener`` for ``open()``."""

    def use(opener: Callable[[str], client.Pipe]) -> None:
        monkeypatch.setattr(sys, "platform", "win32")
        monkeypatch.setattr(client, "control_pipe", lambda: PIPE)
        monkeypatch.setattr(client, "_check_owner", _no_check)
        monkeypatch.setattr(client, "_open_pipe", opener)

    return use


def test_the_cli_says_not_running_without_a_pipe(
    as_windows: Callable[[Callable[[str], client.Pipe]], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    def missing(name: str) -> client.Pipe:
        raise FileNotFoundError(2, "The system cannot find the file specified", name)

    as_windows(missing)
    assert client.run("status") == client.EXIT_NOT_RUNNING
    assert capsys.readouterr().err == (
        "microbreak: microbreak is not running (start it with `microbreak`)\n"
    )


def test_the_cli_talks_over_the_pipe(
    as_windows: Callable[[Callable[[str], client.Pipe]], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    pipe = FakePipe(
        b'{"v":1,"ok":true,"message":"Paused","status":{"line":"Paused until 10:00"}}\n'
    )
    opened: list[str] = []

    def opener(name: str) -> client.Pipe:
        opened.append(name)
        return pipe

    as_windows(opener)
    assert client.run("pause", duration="10m") == 0
    assert opened == [PIPE]
    assert json.loads(pipe.written) == {"v": 1, "cmd": "pause", "args": {"seconds": 600.0}}
    assert capsys.readouterr().out == "Paused. Paused until 10:00\n"


# -- the Windows modules are type-checked as Windows code -------------------------------------


def test_mypy_for_windows_is_clean() -> None:
    mypy = Path(sys.executable).parent / "mypy"
    assert mypy.exists() or shutil.which("mypy"), "mypy is not installed (pip install -e '.[test]')"
    modules = [
        "microbreak/adapters/control.py",
        "microbreak/adapters/control_common.py",
        "microbreak/adapters/control_unix.py",
        "microbreak/adapters/control_windows.py",
        "microbreak/adapters/instance_lock.py",
        "microbreak/client.py",
        "microbreak/paths.py",
    ]
    result = subprocess.run(
        [str(mypy) if mypy.exists() else "mypy", "--platform", "win32", *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
