"""The chime never blocks, never leaves a child behind, and complains once at most."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import stat
import time
import wave
from pathlib import Path

import pytest

from microbreak.adapters import sound
from microbreak.adapters.sound import Chime

WAV = Path(__file__).parents[1] / "assets" / "chime.wav"
SLEEP = shutil.which("sleep") or "/bin/sleep"


@pytest.fixture
def bindir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH of our own: only the fake players a test puts there can be found."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.fixture
def warnings(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """Capture the sound module's records, even after ``logs.setup`` stopped propagation."""
    monkeypatch.setattr(logging.getLogger("microbreak"), "propagate", True)
    caplog.set_level(logging.DEBUG, logger=sound.__name__)
    return caplog


def fake_player(bindir: Path, name: str, body: str) -> None:
    """A tiny shell script standing in for a real audio player."""
    script = bindir / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def warning_count(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for record in caplog.records if record.levelno == logging.WARNING)


def gone(pid: int) -> bool:
    """True once ``pid`` is neither running nor a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_for_file(path: Path, lines: int = 1) -> list[str]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= lines:
            return path.read_text().splitlines()
        time.sleep(0.01)
    raise AssertionError(f"{path} was never written")


def test_the_wav_is_a_short_quiet_mono_chime() -> None:
    with wave.open(str(WAV), "rb") as chime:
        assert chime.getnchannels() == 1
        assert chime.getsampwidth() == 2
        assert chime.getframerate() == 22050
        frames = chime.readframes(chime.getnframes())
        assert 0.3 <= chime.getnframes() / chime.getframerate() <= 1.5
    samples = memoryview(frames).cast("h")
    loudest = max(abs(s) for s in samples)
    assert 0.1 * 32767 < loudest < 0.5 * 32767
    assert abs(samples[0]) < 200 and abs(samples[-1]) < 200  # fades in and out, no click


def test_the_player_gets_the_file(bindir: Path, tmp_path: Path) -> None:
    record = tmp_path / "args.txt"
    fake_player(bindir, "aplay", f'printf "%s\\n" "$@" > "{record}"')
    chime = Chime(WAV)
    chime.play()
    assert chime.wait(5)
    assert record.read_text().splitlines() == ["-q", str(WAV)]


def test_pw_play_is_preferred(bindir: Path, tmp_path: Path) -> None:
    record = tmp_path / "who.txt"
    for name in ("aplay", "paplay", "pw-play"):
        fake_player(bindir, name, f'echo {name} > "{record}"')
    chime = Chime(WAV)
    chime.play()
    assert chime.wait(5)
    assert record.read_text().strip() == "pw-play"


def test_an_overrunning_player_is_killed_and_reaped_and_warned_about_once(
    bindir: Path, tmp_path: Path, warnings: pytest.LogCaptureFixture
) -> None:
    pids = tmp_path / "pids.txt"
    # The shell and the sleep it starts: both must go, not just the first.
    fake_player(bindir, "pw-play", f'echo $$ > "{pids}"\n{SLEEP} 30 &\necho $! >> "{pids}"\nwait')
    chime = Chime(WAV, timeout=0.5)

    started = time.monotonic()
    chime.play()
    assert time.monotonic() - started < 0.05
    shell, child = (int(pid) for pid in wait_for_file(pids, lines=2))
    assert chime.wait(3)
    assert time.monotonic() - started < 3
    assert gone(shell)
    deadline = time.monotonic() + 2
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.01)  # the orphaned sleep is reaped by init, not by us
    assert gone(child)
    assert warning_count(warnings) == 1
    assert "took longer than 0.5 s" in warnings.text

    pids.unlink()
    chime.play()
    wait_for_file(pids, lines=2)
    assert chime.wait(3)
    assert warning_count(warnings) == 1


def test_play_returns_at_once_and_a_second_chime_is_dropped(bindir: Path, tmp_path: Path) -> None:
    starts = tmp_path / "starts.txt"
    fake_player(bindir, "pw-play", f'echo start >> "{starts}"\nexec {SLEEP} 30')
    chime = Chime(WAV, timeout=0.5)
    started = time.monotonic()
    chime.play()
    chime.play()
    chime.play()
    assert time.monotonic() - started < 0.05
    wait_for_file(starts)
    assert chime.wait(3)
    assert starts.read_text().splitlines() == ["start"]


def test_close_stops_a_playing_chime_quietly(
    bindir: Path, tmp_path: Path, warnings: pytest.LogCaptureFixture
) -> None:
    pid_file = tmp_path / "pid.txt"
    fake_player(bindir, "pw-play", f'echo $$ > "{pid_file}"\nexec {SLEEP} 30')
    chime = Chime(WAV, timeout=30)
    chime.play()
    pid = int(wait_for_file(pid_file)[0])
    started = time.monotonic()
    chime.close()
    assert time.monotonic() - started < 2
    assert gone(pid)
    chime.play()  # closed: no more chimes
    assert chime.wait(1)
    assert pid_file.read_text().strip() == str(pid)
    # Closing while the player is still being started stops it as soon as it exists.
    early = Chime(WAV, timeout=30)
    early.play()
    started = time.monotonic()
    early.close()
    assert time.monotonic() - started < 2
    assert warning_count(warnings) == 0


def test_a_failing_player_is_warned_about_once(
    bindir: Path, warnings: pytest.LogCaptureFixture
) -> None:
    fake_player(bindir, "paplay", "echo 'Connection refused' >&2\nexit 1")
    chime = Chime(WAV)
    for _ in range(3):
        chime.play()
        assert chime.wait(5)
    assert warning_count(warnings) == 1
    assert "paplay failed (exit code 1): Connection refused" in warnings.text


def test_no_player_at_all_is_warned_about_once(
    bindir: Path, warnings: pytest.LogCaptureFixture
) -> None:
    chime = Chime(WAV)
    for _ in range(3):
        started = time.monotonic()
        chime.play()
        assert time.monotonic() - started < 0.05
        assert chime.wait(5)
    assert warning_count(warnings) == 1
    assert "none of pw-play, paplay, aplay is installed" in warnings.text


def test_a_missing_file_is_warned_about_once(
    bindir: Path, tmp_path: Path, warnings: pytest.LogCaptureFixture
) -> None:
    record = tmp_path / "played.txt"
    fake_player(bindir, "pw-play", f'touch "{record}"')
    chime = Chime(tmp_path / "nothing.wav")
    chime.play()
    chime.play()
    assert chime.wait(5)
    chime.play()
    assert chime.wait(5)
    assert not record.exists()
    assert warning_count(warnings) == 1


def test_the_default_chime_is_the_packaged_one() -> None:
    path = Chime().path
    assert path.name == "chime.wav" and path.is_file()


def test_the_players_output_goes_to_the_log_not_to_stderr(
    bindir: Path,
    tmp_path: Path,
    warnings: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # Like paplay spawning a sound server: a child that outlives the player and keeps its
    # output open. The chime must neither wait for it nor call it an overrun.
    pid_file = tmp_path / "server.pid"
    fake_player(
        bindir,
        "pw-play",
        f'echo "chatter on stdout"\necho "pw-play: latency note" >&2\n'
        f'{SLEEP} 3 &\necho $! > "{pid_file}"\nexit 0',
    )
    chime = Chime(WAV, timeout=1.0)
    started = time.monotonic()
    chime.play()
    try:
        assert chime.wait(5)
        assert time.monotonic() - started < 1.0
    finally:
        server = int(wait_for_file(pid_file)[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(server, signal.SIGKILL)
    out, err = capfd.readouterr()
    assert "chatter" not in out and "latency" not in err, (out, err)
    assert warning_count(warnings) == 0
    assert "the chime player pw-play said: pw-play: latency note" in warnings.text
