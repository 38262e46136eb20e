"""The control channel end to end: the real CLI against a real headless daemon.

Each test starts ``python -m microbreak --no-tray`` in its own HOME and XDG dirs (no display,
no session bus, so reminders go to the log) and drives it with ``python -m microbreak
<command>`` subprocesses, checking what a user sees: the output, the exit code and the state
that ``status --json`` reports afterwards. The socket is also attacked directly: a thousand
malformed messages, idle connections, another user's directory.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from microbreak.adapters.control import ControlServer, reply_bytes
from microbreak.channel import frame
from microbreak.client import exchange
from microbreak.protocol import MAX_MESSAGE

from .headless import (
    SLACK,
    Daemon,
    cli,
    headless_env,
    key_file,
    now,
    private_runtime_dir,
    request,
    running,
    socket_file,
    spawn_daemon,
    status,
    when,
)

STATUS_KEYS = {"mode", "line", "due", "paused_until", "last_reminder", "unanswered"}
NOT_RUNNING = "microbreak is not running"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private environment for one headless daemon."""
    with private_runtime_dir() as runtime:
        yield headless_env(tmp_path, runtime)


@pytest.fixture
def daemon(env: dict[str, str]) -> Iterator[Daemon]:
    """A running headless daemon in ``env``."""
    with running(env) as d:
        yield d


def one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    """The CLI said what went wrong in one line, without a traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("microbreak: ") and fragment in lines[0], result.stderr


# -- every command through the CLI ----------------------------------------------------------


def test_status_text_and_json(daemon: Daemon) -> None:
    text = cli(daemon.env, "status")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Next break in "), text.stdout
    data = status(daemon.env)
    again = cli(daemon.env, "status").stdout.strip()
    assert set(data) >= STATUS_KEYS  # newer daemons may say more
    assert data["running"] is True
    assert data["mode"] == "running"
    # The same line, read between two plain readings (the minutes may tick on in between).
    assert data["line"] in {text.stdout.strip(), again}
    assert data["paused_until"] is None and data["last_reminder"] is None
    assert data["unanswered"] is None
    # A fresh interval of 30 to 60 minutes (the env's min and max).
    due = when(data["due"])
    assert now() + timedelta(minutes=30) - SLACK <= due <= now() + timedelta(hours=1)


def test_pause_for_a_duration(daemon: Daemon) -> None:
    before = now()
    result = cli(daemon.env, "pause", "20m")
    assert result.returncode == 0, result.stderr
    assert "Paused until" in result.stdout
    data = status(daemon.env)
    assert data["mode"] == "paused" and data["due"] is None
    until = when(data["paused_until"])
    assert before + timedelta(minutes=20) <= until <= now() + timedelta(minutes=20)
    daemon.wait_log("paused for 20 min")


def test_pause_until_a_time_of_day(daemon: Daemon) -> None:
    local = datetime.now().astimezone() + timedelta(hours=2)
    expected = local.replace(second=0, microsecond=0)
    result = cli(daemon.env, "pause", "--until", local.strftime("%H:%M"))
    assert result.returncode == 0, result.stderr
    data = status(daemon.env)
    assert data["mode"] == "paused"
    # The next time the local clock shows HH:MM, which is less than two hours away.
    assert when(data["paused_until"]) == expected
    today = datetime.now().astimezone().date()
    shown = local.strftime("%H:%M" if local.date() == today else "%a %H:%M")
    assert data["line"] == f"Paused until {shown}"


def test_pause_until_resumed_then_resume(daemon: Daemon) -> None:
    result = cli(daemon.env, "pause")
    assert result.returncode == 0, result.stderr
    data = status(daemon.env)
    assert (data["mode"], data["paused_until"], data["due"]) == ("paused", None, None)
    assert data["line"] == "Paused until resumed"

    before = now()
    resumed = cli(daemon.env, "resume")
    assert resumed.returncode == 0, resumed.stderr
    data = status(daemon.env)
    assert data["mode"] == "running" and data["paused_until"] is None
    # The first reminder after a pause comes min_interval (30 min) later, never at once.
    due = when(data["due"])
    assert before + timedelta(minutes=30) <= due <= now() + timedelta(minutes=30)

    again = cli(daemon.env, "resume")
    assert again.returncode == 1
    one_line_error(again, "not paused")


def test_snooze_moves_the_pending_reminder(daemon: Daemon) -> None:
    due = when(status(daemon.env)["due"])
    result = cli(daemon.env, "snooze", "10m")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Snoozed: next break in"), result.stdout
    data = status(daemon.env)
    assert data["mode"] == "snoozed"
    assert when(data["due"]) - due == timedelta(minutes=10)


def test_snooze_without_a_duration_uses_the_first_choice(tmp_path: Path) -> None:
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime, {"MICROBREAK_SNOOZE_CHOICES": '["7m", "20m"]'})
        with running(env) as d:
            due = when(status(env)["due"])
            result = cli(env, "snooze")
            assert result.returncode == 0, result.stderr
            assert when(status(env)["due"]) - due == timedelta(minutes=7)
            d.wait_log("snoozed for 7 min")


def test_now_while_paused_says_no_server_showed_it(daemon: Daemon) -> None:
    """A break taken while paused (or after hours) that no server showed is said as such too."""
    assert cli(daemon.env, "pause", "10m").returncode == 0
    result = cli(daemon.env, "now")
    assert result.returncode == 0, result.stderr
    said = "No notification server showed the reminder. Paused until "
    assert result.stdout.startswith(said), result.stdout


def test_now_shows_a_reminder_and_done_answers_it_once(daemon: Daemon) -> None:
    result = cli(daemon.env, "now")
    assert result.returncode == 0, result.stderr
    line = daemon.wait_log("reminder: Microbreak: ")
    name = line.split("reminder: Microbreak: ", 1)[1]
    # With no notification server on this headless desktop it says so, then the status line,
    # which names the exercise (once): the reminder is still due, as the tray shows it too.
    said = f"No notification server showed the reminder. Break due: {name}\n"
    assert result.stdout == said, result.stdout
    data = status(daemon.env)
    assert data["line"] == f"Break due: {name}"
    assert data["last_reminder"]["name"] == name
    assert abs(when(data["last_reminder"]["at"]) - now()) < SLACK
    assert data["unanswered"] == name
    # A fresh interval starts with the reminder.
    assert when(data["due"]) >= now() + timedelta(minutes=30) - SLACK
    text = cli(daemon.env, "status").stdout
    shown = when(data["last_reminder"]["at"]).astimezone().strftime("%H:%M")
    assert data["last_reminder"]["local_time"] == shown
    assert f"last reminder: {name} at {shown}" in text and f"waiting for done/skip: {name}" in text

    done = cli(daemon.env, "done")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Well done: {name}.")
    assert status(daemon.env)["unanswered"] is None
    daemon.wait_log(f"done: {name}")

    again = cli(daemon.env, "done")
    assert again.returncode == 1
    one_line_error(again, "there is no reminder to mark as done")


def test_skip_drops_the_reminder_and_starts_a_fresh_interval(daemon: Daemon) -> None:
    assert cli(daemon.env, "now").returncode == 0
    name = daemon.wait_log("reminder: Microbreak: ").split("Microbreak: ", 1)[1]
    assert cli(daemon.env, "snooze", "5m").returncode == 0  # brings that exercise back in 5 min
    before = now()
    result = cli(daemon.env, "skip")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Skipped {name}.")
    data = status(daemon.env)
    assert data["mode"] == "running" and data["unanswered"] is None
    assert when(data["due"]) >= before + timedelta(minutes=30)
    # With nothing unanswered, skip drops the pending reminder: a reschedule, not a skip.
    plain = cli(daemon.env, "skip")
    assert plain.returncode == 0
    assert plain.stdout.startswith("No reminder on screen to skip; rescheduled the next break")


def test_quit_stops_the_daemon_and_removes_the_socket(daemon: Daemon) -> None:
    assert socket_file(daemon.env).exists()
    result = cli(daemon.env, "quit")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "microbreak is quitting\n"  # no "next break in": there is none
    assert daemon.wait_exit(5.0) == 0
    assert not socket_file(daemon.env).exists()
    after = cli(daemon.env, "status")
    assert after.returncode == 3
    one_line_error(after, NOT_RUNNING)


def test_status_shows_a_config_problem_as_the_json_does(tmp_path: Path) -> None:
    """A bad edit keeps the previous settings running: plain ``status`` says so too."""
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime)
        env.pop("MICROBREAK_MIN_INTERVAL")  # from the file, so that editing it matters
        config = Path(env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('min_interval = "30m"\n')
        with running(env) as d:
            assert cli(env, "status").stdout.count("\n") == 1  # no problem: the one line
            config.write_text('min_interval = "banana"\n')
            d.wait_log("config problem, the previous settings stay")
            problem = status(env)["config_problem"]
            assert "min_interval" in problem and "banana" in problem
            result = cli(env, "status")
            assert result.returncode == 0, result.stderr
            first, second = result.stdout.splitlines()
            assert first.startswith("Next break in ")
            assert second == f"Config problem (previous settings in use): {problem}"


def test_the_daemon_refuses_what_makes_no_sense(daemon: Daemon) -> None:
    """Exit code 1: the command was well formed, but the daemon said no (and nothing changed)."""
    resume = cli(daemon.env, "resume")
    assert resume.returncode == 1
    one_line_error(resume, "microbreak is not paused")
    assert cli(daemon.env, "pause").returncode == 0
    before = status(daemon.env)
    for command, why in (("snooze", "resume it before snoozing"), ("skip", "is paused")):
        result = cli(daemon.env, command)
        assert result.returncode == 1, (command, result)
        one_line_error(result, why)
    assert status(daemon.env) == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("snooze", "5x"), '"5x" is not a duration'),
        (("pause", "10m", "--until", "14:00"), "give a duration or --until, not both"),
        (("pause", "--until", "25:00"), "is not a time of day"),
        (("pause", "--until", "noon"), "is not a time of day"),
        (("pause", "0"), "must be longer than zero"),
        (("snooze", "0s"), "must be longer than zero"),
        (("pause", "200h"), "from 1 second to 7 days"),
        (("snooze", "0.5s"), "from 1 second to 7 days"),
        (("status", "extra"), "unrecognized arguments"),
        (("nap",), "invalid choice"),
    ],
)
def test_usage_mistakes_exit_2(daemon: Daemon, args: tuple[str, ...], fragment: str) -> None:
    before = status(daemon.env)
    result = cli(daemon.env, *args)
    assert result.returncode == 2, result
    one_line_error(result, fragment)
    assert result.stdout == ""
    assert status(daemon.env)["due"] == before["due"]


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--json"),
        ("pause",),
        ("pause", "20m"),
        ("pause", "--until", "10:00"),
        ("resume",),
        ("snooze",),
        ("snooze", "10m"),
        ("now",),
        ("skip",),
        ("done",),
        ("quit",),
    ],
)
def test_every_command_says_when_no_daemon_runs(env: dict[str, str], args: tuple[str, ...]) -> None:
    result = cli(env, *args)
    assert result.returncode == 3, result
    one_line_error(result, NOT_RUNNING)
    if "--json" in args:  # a script reads JSON whatever happened
        assert json.loads(result.stdout) == {
            "running": False,
            "error": "microbreak is not running (start it with `microbreak`)",
        }
    else:
        assert result.stdout == ""


# -- one daemon per user ---------------------------------------------------------------------


def test_a_second_daemon_is_refused_and_the_first_keeps_answering(daemon: Daemon) -> None:
    due = status(daemon.env)["due"]
    second = spawn_daemon(daemon.env)
    try:
        assert second.wait_exit(20.0) == 1
    finally:
        second.stop()
    assert f"microbreak is already running (pid {daemon.proc.pid})" in "\n".join(second.log.lines())
    assert not second.lines("Traceback")
    assert daemon.proc.poll() is None
    assert status(daemon.env)["due"] == due


def test_a_killed_daemon_is_taken_over_and_its_schedule_kept(env: dict[str, str]) -> None:
    first = spawn_daemon(env)
    try:
        first.wait_ready()
        due = when(status(env)["due"])
        pid = first.proc.pid
    finally:
        first.proc.kill()  # no clean-up at all: lock file, pid and socket file stay behind
        first.wait_exit(5.0)
    assert socket_file(env).exists()
    gone = cli(env, "status")
    assert gone.returncode == 3
    one_line_error(gone, NOT_RUNNING)

    with running(env) as second:
        line = second.wait_log("took over from a daemon that stopped without cleaning up")
        assert f"(pid {pid})" in line
        assert abs(when(status(env)["due"]) - due) < timedelta(seconds=1)
        second.wait_log("resumed: the pending reminder keeps its time")


def test_a_clean_restart_is_not_reported_as_a_take_over(env: dict[str, str]) -> None:
    with running(env) as first:
        assert cli(env, "quit").returncode == 0
        assert first.wait_exit(5.0) == 0
    with running(env) as second:
        second.wait_log("started;")
        assert second.lines("took over") == []


# -- socket security -------------------------------------------------------------------------


def test_socket_and_runtime_dir_are_private(daemon: Daemon) -> None:
    sock = socket_file(daemon.env)
    info = sock.stat()
    assert stat.S_ISSOCK(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
    assert info.st_uid == os.getuid()


def test_a_runtime_dir_others_can_enter_is_made_private(env: dict[str, str]) -> None:
    private = socket_file(env).parent
    private.mkdir()
    private.chmod(0o755)
    with running(env):
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        assert status(env)["mode"] == "running"


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the dir to another user")
def test_a_runtime_dir_of_another_user_is_refused(env: dict[str, str]) -> None:
    private = socket_file(env).parent
    private.mkdir(mode=0o700)
    os.chown(private, 65534, 65534)  # nobody
    message = f"{private} belongs to another user (uid 65534); refusing it"

    refused = spawn_daemon(env)
    try:
        assert refused.wait_exit(20.0) == 1
    finally:
        refused.stop()
    text = "\n".join(refused.log.lines())
    assert f"microbreak: {message}" in text and "Traceback" not in text
    assert not socket_file(env).exists()

    client = cli(env, "status")
    assert client.returncode == 1
    one_line_error(client, message)
    assert private.stat().st_uid == 65534  # left alone


# -- malformed messages ----------------------------------------------------------------------


def _malformed(rng: random.Random) -> list[tuple[str, bytes]]:
    """Labelled messages that are not a valid request; none of them may change anything."""
    valid = [
        b'{"v":1,"cmd":"pause","args":{"seconds":600}}',
        b'{"v":1,"cmd":"snooze","args":{"seconds":300}}',
        b'{"v":1,"cmd":"pause","args":{"until":"14:30"}}',
        b'{"v":1,"cmd":"quit","args":{}}',
        b'{"v":1,"cmd":"now"}',
    ]
    fixed: list[bytes] = [
        b"\n",
        b"   \n",
        b"null\n",
        b"[]\n",
        b"{}\n",
        b"5\n",
        b'"status"\n',
        b'{"v":1,"cmd":5}\n',
        b'{"v":"1","cmd":"status"}\n',
        b'{"v":true,"cmd":"status"}\n',
        b'{"v":1.5,"cmd":"status"}\n',
        b'{"v":2,"cmd":"status"}\n',
        b'{"v":null,"cmd":"status"}\n',
        b'{"cmd":"status"}\n',
        b'{"v":1}\n',
        b'{"v":1,"cmd":null}\n',
        b'{"v":1,"cmd":["status"]}\n',
        b'{"v":1,"cmd":{"status":1}}\n',
        b'{"v":1,"cmd":"status","args":[]}\n',
        b'{"v":1,"cmd":"status","args":"x"}\n',
        b'{"v":1,"cmd":"status","args":null}\n',
        b'{"v":1,"cmd":"STATUS"}\n',
        b'{"v":1,"cmd":"status "}\n',
        b'{"v":1,"cmd":"__init__"}\n',
        b'{"v":1,"cmd":"' + b"x" * 3000 + b'"}\n',  # the error quoting it must still fit
        b'{"v":1,"cmd":"' + "\u00e9".encode() * 1000 + b'"}\n',
        b'{"v":1,"cmd":"\\ud800"}\n',  # a lone surrogate: valid JSON, not valid text
        b'{"v":1,"cmd":"status","args":{"seconds":600}}\n',
        b'{"v":1,"cmd":"status","args":{"' + b"k" * 3000 + b'":1}}\n',
        b'{"v":1,"cmd":"resume","args":{"force":true}}\n',
        b'{"v":1,"cmd":"snooze","args":{"until":"14:00"}}\n',
        b'{"v":1,"cmd":"pause","args":{"seconds":600,"until":"14:00"}}\n',
        b'{"v":1,"cmd":"pause","args":{"until":5}}\n',
        b'{"v":1,"cmd":"pause","args":{"until":""}}\n',
        b'{"v":1,"cmd":"pause","args":{"until":"25:00"}}\n',
        b'{"v":1,"cmd":"pause","args":{"until":"14:30:00.123"}}\n',
        b'{"v":1,"cmd":"pause","args":{"until":null}}\n',
        b'{"v":1,"cmd":"pause","args":{"until":"\\u0000"}}\n',
        b'{"v":1,"cmd":"status"}{"v":1,"cmd":"quit"}\n',
        b'{"v":1,"cmd":"nap"}\n{"v":1,"cmd":"quit"}\n',  # only the first line counts
        b"\xff\xfe\xfd\n",
        b'{"v":1,"cmd":"st\xc3\x28tus"}\n',  # invalid UTF-8 inside a string
        b'{"v":1,"cmd":"\xed\xa0\x80"}\n',  # an encoded surrogate
        b'{"v":1,"cmd":"\xc0\xaf"}\n',  # an overlong encoding
        b"\x00" * 64 + b"\n",
        b"{" * 2000 + b"\n",
        b"[" * 2000 + b"]" * 2000 + b"\n",  # within the size limit, beyond the recursion limit
        b'{"a":' * 800 + b"1" + b"}" * 800 + b"\n",
        b"[" * 10_000 + b"]" * 10_000 + b"\n",  # nested depth 10,000: over 4 KiB as well
        b'{"v":1,"cmd":"status","pad":"' + b"x" * 4100 + b'"}\n',  # just over 4 KiB
        b'{"v":1,"cmd":"status","pad":"' + b"x" * 1_000_000 + b'"}\n',  # 1 MB
        b"x" * 1_000_000,  # 1 MB without a newline
    ]
    for seconds in (
        b"-1", b"0", b"0.5", b"-0.0", b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999",
        b"604801", b"1" + b"0" * 400, b"-" + b"9" * 400, b'"600"', b"true", b"null", b"[600]",
        b"{}", b"1e-320",
    ):  # fmt: skip
        for cmd in (b"pause", b"snooze"):
            fixed.append(b'{"v":1,"cmd":"' + cmd + b'","args":{"seconds":' + seconds + b"}}\n")
    for cmd in (b"status", b"resume", b"now", b"skip", b"done", b"quit"):
        fixed.append(b'{"v":1,"cmd":"' + cmd + b'","args":{"seconds":60}}\n')
    messages = [(f"fixed {i}", m) for i, m in enumerate(fixed)]
    for i in range(60):
        word = "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz_-") for _ in range(rng.randint(1, 30))
        )
        messages.append(
            (f"unknown command {i}", json.dumps({"v": 1, "cmd": word}).encode() + b"\n")
        )
    for i in range(400):
        data = rng.randbytes(rng.randint(1, 600))
        messages.append((f"random bytes {i}", data + (b"\n" if i % 2 else b"")))
    for i in range(300):
        whole = rng.choice(valid)
        messages.append((f"truncated {i}", whole[: rng.randint(1, len(whole) - 1)]))
    for i in range(200):  # valid JSON of a random shape
        value = _random_json(rng, 3)
        if isinstance(value, dict) and value.get("cmd") == "status":
            continue
        messages.append((f"random json {i}", json.dumps(value).encode() + b"\n"))
    return messages


def _random_json(rng: random.Random, depth: int) -> object:
    choices: list[object] = [
        None, True, False, 0, -1, 1, 2**70, 1.5, math.inf, "", "v", "cmd", "status", "args",
        "seconds", "until",
    ]  # fmt: skip
    kind = rng.randrange(4) if depth else 0
    if kind == 0:
        return rng.choice(choices)
    if kind == 1:
        return [_random_json(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {
        str(rng.choice(["v", "cmd", "args", "seconds", "x"])): _random_json(rng, depth - 1)
        for _ in range(rng.randint(0, 4))
    }


def _is_error_reply(reply: bytes) -> bool:
    if not reply.endswith(b"\n") or reply.count(b"\n") != 1 or len(reply) > MAX_MESSAGE:
        return False
    message = json.loads(reply)
    return (
        isinstance(message, dict)
        and message.get("v") == 1
        and message.get("ok") is False
        and isinstance(message.get("error"), str)
        and bool(message["error"])
    )


def test_malformed_messages_get_an_error_and_change_nothing(daemon: Daemon) -> None:
    env = daemon.env
    assert cli(env, "snooze", "10m").returncode == 0  # a state that is not the start state
    before = status(env)
    messages = _malformed(random.Random(20261121))
    assert len(messages) >= 1000

    wrong = []
    for label, data in messages:
        reply = request(env, data)
        # Only a message over the size limit may go unanswered (the reply can be lost when
        # the daemon closes with our bytes unread); every other one gets its error.
        if (reply or len(data) <= MAX_MESSAGE) and not _is_error_reply(reply):
            wrong.append((label, data[:100], reply[:200]))
    assert wrong == []
    assert daemon.proc.poll() is None

    # A client that goes away in the middle of its key or of a frame, or says nothing.
    for i in range(50):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(socket_file(env)))
            if i % 2:
                sock.sendall(b"\x00\x00\x00\x40" + b'{"v":1,"cmd":"pau')

    after = status(env)
    assert after == {**before, "line": after["line"]}  # the minutes in the line may tick on
    assert daemon.proc.poll() is None
    assert daemon.lines("Traceback") == [] and daemon.lines("ERROR") == []


def test_a_client_without_the_key_is_refused(daemon: Daemon) -> None:
    """Only a client that proves it holds the key in the user's runtime dir is heard."""
    env = daemon.env
    key = key_file(env)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    before = status(env)

    quit_request = b'{"v":1,"cmd":"quit","args":{}}\n'
    with pytest.raises(OSError, match="the daemon refused the key"):
        exchange(str(socket_file(env)), "AF_UNIX", bytes(32), quit_request)
    # A client that skips the key and sends its request at once gets no answer to it.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5.0)
        sock.connect(str(socket_file(env)))
        sock.sendall(len(quit_request).to_bytes(4, "big") + quit_request)
        heard = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(4096):
                heard += chunk
    assert b'"ok"' not in heard  # at most the daemon's refusal

    assert daemon.proc.poll() is None
    assert status(env) == {**before, "line": status(env)["line"]}
    assert daemon.lines("Traceback") == []


def test_the_key_is_new_each_start_and_removed_at_quit(env: dict[str, str]) -> None:
    with running(env) as first:
        key = key_file(env).read_bytes()
        assert cli(env, "quit").returncode == 0
        assert first.wait_exit(5.0) == 0
    assert not key_file(env).exists() and not socket_file(env).exists()
    with running(env):
        assert key_file(env).read_bytes() != key
        # A client holding the old key is refused by the new daemon.
        with pytest.raises(OSError, match="the daemon refused the key"):
            exchange(str(socket_file(env)), "AF_UNIX", key, b'{"v":1,"cmd":"status"}\n')


def test_frames_are_those_of_multiprocessing_connection() -> None:
    """The client speaks the standard library's socket frames without importing it."""
    left, right = socket.socketpair()
    with left, right, Connection(os.dup(right.fileno())) as conn:
        for data in (b"", b"x", b"{}" * 3000):
            conn.send_bytes(data)
            assert left.recv(len(data) + 4, socket.MSG_WAITALL) == frame(data)
            left.sendall(frame(data))
            assert conn.recv_bytes() == data


def _echo(data: bytes) -> tuple[bytes, None]:
    """An answer naming the command it was given."""
    return reply_bytes({"ok": True, "cmd": json.loads(data)["cmd"]}), None


def test_a_command_sent_before_the_channel_answers_waits_for_its_answer(tmp_path: Path) -> None:
    """The daemon listens before it says "started;" and answers once started: a command sent
    in between is queued, not told that nothing runs."""
    address, key_path = str(tmp_path / "control.sock"), tmp_path / "control.key"
    server = ControlServer(address, "AF_UNIX", key_path, _echo)
    server.listen()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(address)
            sock.sendall(frame(key_path.read_bytes()) + frame(b'{"v":1,"cmd":"status"}\n'))
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):  # listening, not answering yet
                sock.recv(1)
            sock.settimeout(5.0)
            server.start()
            size = int.from_bytes(sock.recv(4, socket.MSG_WAITALL), "big")
            reply = json.loads(sock.recv(size, socket.MSG_WAITALL))
    finally:
        server.stop()
    assert reply == {"v": 1, "ok": True, "cmd": "status"}
    assert not Path(address).exists() and not key_path.exists()


def test_a_channel_stopped_before_it_answered_leaves_nothing(tmp_path: Path) -> None:
    """A start-up that fails between listening and answering still removes the socket and key."""
    address, key_path = str(tmp_path / "control.sock"), tmp_path / "control.key"
    server = ControlServer(address, "AF_UNIX", key_path, _echo)
    server.listen()
    assert Path(address).exists() and key_path.exists()
    server.stop()
    assert not Path(address).exists() and not key_path.exists()


def test_idle_connections_do_not_keep_others_waiting(daemon: Daemon) -> None:
    env = daemon.env
    idle = []
    try:
        for i in range(20):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            idle.append(sock)
            sock.connect(str(socket_file(env)))
            if i % 2:
                sock.sendall(b"\x00\x00\x00\x40" + b'{"v":1,"cmd":"sta')  # half, then nothing
        for _ in range(3):
            start = time.monotonic()
            result = cli(env, "status")
            took = time.monotonic() - start
            assert result.returncode == 0, result.stderr
            assert took < 1.0, f"status took {took:.2f} s with 20 idle connections open"
        # The daemon cuts them after its client timeout (2 s): each sees the end.
        for sock in idle:
            sock.settimeout(6.0)
            with contextlib.suppress(ConnectionResetError):
                while sock.recv(4096):
                    pass
    finally:
        for sock in idle:
            sock.close()
    assert status(env)["mode"] == "running"


def test_status_answers_quickly(daemon: Daemon) -> None:
    """A sanity bound for a hotkey, not the benchmark (see bench/bench_client.py)."""
    times = []
    for _ in range(20):
        start = time.monotonic()
        result = cli(daemon.env, "status")
        times.append(time.monotonic() - start)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Next break in")
    assert max(times) < 1.0, times
