"""The daemon's side of the guide: a child process, watched by a waiting thread and bounded.

Real child processes stand in for the guide (``command`` is the one seam): one that hangs, one
that crashes, one that answers with each exit code. Their routines are tiny, so the bound
(the exercise's length plus a margin) is a second or so.
"""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import replace

import pytest

from microbreak.adapters.guide_process import ANSWER_SKIPPED, GuideProcess
from microbreak.core.exercises import Exercise, Routine, Sides

from .desktop import wait_until
from .fakes import by_id

TINY = replace(by_id()["shoulder-shrug"], routine=Routine(1, 0, Sides.BOTH, 0.5))


class Scripted(GuideProcess):
    """A guide process that runs ``code`` instead of the window."""

    def __init__(self, code: str, *, margin: float = 5.0) -> None:
        super().__init__(None, margin=margin)
        self.code = code

    def command(self, exercise: Exercise) -> list[str]:
        return [sys.executable, "-c", self.code]


def run_to_end(guide: GuideProcess, timeout: float = 10.0) -> bool | None:
    ended = threading.Event()
    got: list[bool | None] = []

    def on_end(how: bool | None) -> None:
        got.append(how)
        ended.set()

    assert guide.open(TINY, on_end)
    assert ended.wait(timeout), "on_end was not called"
    return got[0]


@pytest.mark.parametrize(
    ("code", "how"),
    [
        ("raise SystemExit(0)", True),
        (f"raise SystemExit({ANSWER_SKIPPED})", False),
        ("raise RuntimeError('a crash')", None),
    ],
    ids=["done", "skipped", "crashed"],
)
def test_the_exit_code_is_the_answer(code: str, how: bool | None) -> None:
    assert run_to_end(Scripted(code)) is how


def test_a_hanging_guide_is_killed_after_its_length_and_the_margin(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guide = Scripted("import os, time; print(os.getpid(), flush=True); time.sleep(60)", margin=0.5)
    assert run_to_end(guide) is None
    assert "ran past 1 s and was stopped" in caplog.text


def test_one_guide_at_a_time_and_quit_stops_it_without_an_answer() -> None:
    guide = Scripted("import time; time.sleep(60)", margin=60)
    answers: list[bool | None] = []
    assert guide.open(TINY, answers.append)
    process = guide._process  # the child it started, to see it killed
    assert process is not None
    other = replace(by_id()["gentle-neck-stretch"], routine=TINY.routine)
    assert not guide.open(other, answers.append)  # another exercise's is open already
    assert guide.open(TINY, answers.append)  # this one's is: the one asked for, not a second
    assert guide._process is process
    guide.close()
    assert process.wait(5) == -signal.SIGKILL
    assert answers == []
    assert not guide.open(TINY, answers.append)  # closed for good


def test_the_real_command_runs_the_guide_verb_with_the_config() -> None:
    from pathlib import Path

    command = GuideProcess(Path("/x/config.toml")).command(TINY)
    assert command[1:] == [
        "-m",
        "microbreak",
        "guide",
        "shoulder-shrug",
        "--answer",
        "--config",
        "/x/config.toml",
    ]


def test_a_dismissed_guide_goes_without_an_answer_and_another_may_open(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guide = Scripted("import time; time.sleep(60)", margin=60)
    answers: list[bool | None] = []
    assert guide.open(TINY, answers.append)
    process = guide._process
    assert process is not None
    with caplog.at_level("INFO", logger="microbreak.adapters.guide_process"):
        guide.dismiss("a new reminder replaced its own")  # the log says which it was
        assert process.wait(5) == -signal.SIGKILL
        wait_until(lambda: "guide closed" in caplog.text, 5, "the guide's last log line")
    assert f"guide closed: {TINY.name} (a new reminder replaced its own)" in caplog.text
    assert guide.open(TINY, answers.append)  # the next reminder's guide
    guide.close()
    assert answers == []
