"""The commands for the running daemon run from hotkeys: they must start at once.

``microbreak status`` and its kind skip argparse, logging and every other slow import: the
entry point reads their plain forms by hand (``cli.control_words``) and hands them straight to
the client. These tests hold the quick path to that, against a real headless daemon, and check
that the hand reading never disagrees with the argparse grammar it stands in for.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from microbreak.cli import build_parser, control_words
from microbreak.protocol import COMMANDS

from .headless import Daemon, cli, headless_env, private_runtime_dir, running

#: What a quick command must not load: the daemon's libraries, the config machinery, and the
#: standard library's slow importers (each several milliseconds, measured by
#: ``bench/bench_client.py``, which reports them too).
HEAVY = {
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "pystray",
    "gi",
    "PIL",
    "plyer",
    "dbus",
    "Xlib",
    "matplotlib",
    "platformdirs",
    "argparse",
    "logging",
    "dataclasses",
    "inspect",
    "typing",
    "pathlib",
    "tempfile",
    "microbreak.settings.config",
    "microbreak.paths",
}
SCRIPT = Path(sys.executable).with_name("microbreak")


def imports(env: dict[str, str], *argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -X importtime ARGV``; the result and every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return result, names


def heavy(names: set[str]) -> list[str]:
    return sorted(n for n in names if n in HEAVY or n.split(".")[0] in HEAVY)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    with private_runtime_dir() as runtime, running(headless_env(tmp_path, runtime)) as d:
        yield d


def test_the_quick_commands_load_no_heavy_module(daemon: Daemon) -> None:
    """Each command in turn, through ``python -m microbreak`` and the console script."""
    module, script = ("-m", "microbreak"), (str(SCRIPT),)
    for entry, args in (
        (module, ("status",)),
        (script, ("status",)),
        (module, ("status", "--json")),
        (script, ("status", "--json")),
        (module, ("now",)),
        (script, ("status",)),  # with a last reminder to show
        (module, ("snooze", "10m")),
        (script, ("snooze", "5m")),
        (module, ("pause", "--until", "23:59")),
        (script, ("resume",)),
        (script, ("pause", "20m")),
        (module, ("resume",)),
        (script, ("quit",)),
    ):
        result, names = imports(daemon.env, *entry, *args)
        assert result.returncode == 0, (entry, args, result.stderr)
        assert "microbreak.client" in names, (entry, args)  # it did take the quick path
        assert heavy(names) == [], (entry, args)
        if args[0] == "status":  # the daemon writes its times: no datetime to load
            assert "datetime" not in names, (entry, args)
    assert daemon.wait_exit(5.0) == 0


def test_without_a_daemon_the_quick_path_stays_light(tmp_path: Path) -> None:
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime)
        for args in (("status",), ("status", "--json"), ("pause", "5m")):
            result, names = imports(env, "-m", "microbreak", *args)
            assert result.returncode == 3, result.stderr
            assert "microbreak.client" in names
            assert heavy(names) == [], args


def test_the_other_forms_still_go_through_argparse(daemon: Daemon) -> None:
    """Help, options before the command and usage mistakes: argparse, as before."""
    helped = cli(daemon.env, "status", "--help")
    assert helped.returncode == 0 and helped.stdout.startswith("usage: microbreak status")
    assert "--json" in helped.stdout
    plain = cli(daemon.env, "status")
    verbose = cli(daemon.env, "--verbose", "status")
    assert plain.returncode == verbose.returncode == 0, verbose.stderr
    assert plain.stdout.startswith("Next break in ") and verbose.stdout.startswith("Next break in")
    result, names = imports(daemon.env, "-m", "microbreak", "status", "--js")  # an abbreviation
    assert result.returncode == 0 and result.stdout.lstrip().startswith("{"), result.stderr
    assert "argparse" in names  # the fallback really ran
    mistake = cli(daemon.env, "snooze", "10m", "20m")
    assert mistake.returncode == 2
    assert mistake.stderr.startswith("microbreak: unrecognized arguments: 20m")
    assert len(mistake.stderr.splitlines()) == 1


#: Words to build command lines from: every control verb, their options, values, and words
#: that argparse reads in its own ways (``--``, ``-h``, abbreviations, a negative number).
WORDS = ("--json", "--until", "--js", "10m", "14:30", "", "-5", "-h", "--", "x", "--verbose")


def command_lines() -> Iterator[list[str]]:
    """Each control verb followed by up to three of ``WORDS``."""
    for verb in COMMANDS:
        for n in range(4):
            for rest in itertools.product(WORDS, repeat=n):
                yield [verb, *rest]


def test_the_hand_reading_agrees_with_argparse() -> None:
    parser = build_parser()
    accepted = 0
    for words in command_lines():
        quick = control_words(words)
        if quick is None:
            continue  # argparse reads it, as it always did
        accepted += 1
        args = parser.parse_args(words)  # a usage error here would be a disagreement
        read = (
            args.command,
            getattr(args, "duration", None),
            getattr(args, "until", None),
            getattr(args, "json", False),
        )
        assert read == quick, words
    # Every bare verb, status --json, pause|snooze with a duration (10m, "", 14:30, x) and
    # pause --until with a time or another word.
    assert accepted == len(COMMANDS) + 1 + 2 * 4 + 4


@pytest.mark.parametrize(
    "words",
    [["status"], ["status", "--json"], ["pause", "1h"], ["pause", "--until", "9:30"], ["done"]],
)
def test_the_plain_forms_take_the_quick_path(words: list[str]) -> None:
    assert control_words(words) is not None
