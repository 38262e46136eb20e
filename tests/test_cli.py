"""The ``microbreak`` command line, run for real as ``python -m microbreak`` in a clean home."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from microbreak import __version__
from microbreak.core.exercises import CATALOG, SAFETY_NOTE, Position

from .cli_run import PREFIX, clean_env, run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 0 with nothing on stderr; returns stdout."""
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stderr == ""
    return result.stdout


def rotation(stdout: str) -> tuple[list[str], set[str]]:
    """The ids listed by ``microbreak exercises`` and the ones in the rotation.

    With ``--all`` a ``*`` marks the rotation; without it, every listed row is in it.
    """
    lines = stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "POSITION", "AREA", "DOSE", "GUIDE"], lines[0]
    listed: list[str] = []
    marked: set[str] = set()
    for line in lines[1:]:
        if not line.strip():
            break
        words = line.split()
        if words[0] == "*":
            marked.add(words[1])
            listed.append(words[1])
        else:
            listed.append(words[0])
    every = any(line.startswith("*") for line in lines[1:])
    return listed, (marked if every else set(listed))


def ids_at(*positions: Position) -> list[str]:
    return [e.id for e in CATALOG if e.position in positions]


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "microbreak" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- basics ------------------------------------------------------------------------------------


def test_version(tmp_path: Path) -> None:
    assert ok(run(tmp_path, "--version")) == f"microbreak {__version__}\n"
    assert __version__ == "0.1.0"


def test_help(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "--help"))
    assert out.startswith("usage: microbreak")
    for command in ("run", "exercises", "config", "--config", "--version"):
        assert command in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["exercises", "--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice"),
        (["config"], "the following arguments are required: ACTION"),
        (["--config"], "argument --config: expected one argument"),
    ],
    ids=["unknown-option", "unknown-sub-option", "unknown-command", "no-action", "no-path"],
)
def test_usage_mistake_is_one_line(tmp_path: Path, args: list[str], fragment: str) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(PREFIX)
    assert fragment in lines[0]
    assert args[-1] in lines[0] or "ACTION" in lines[0]  # names what was wrong
    assert "--help" in lines[0]  # says where to look


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["--bogus"], "microbreak"),
        (["exercises", "--bogus"], "microbreak exercises"),
        (["config", "show", "--json"], "microbreak config show"),
        (["status", "--bogus"], "microbreak status"),
    ],
)
def test_an_unknown_argument_points_at_its_commands_help(
    tmp_path: Path, args: list[str], command: str
) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert result.stderr == (
        f"microbreak: unrecognized arguments: {args[-1]} (see `{command} --help`)\n"
    )


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["--config", "/elsewhere.toml", "status"], "status"),
        (["--no-tray", "snooze", "5m"], "snooze"),
    ],
    ids=["config", "no-tray"],
)
def test_an_option_for_the_daemon_is_refused_by_its_commands_not_dropped(
    tmp_path: Path, args: list[str], command: str
) -> None:
    """The running daemon keeps the settings it started with; silently ignoring --config
    would leave the user thinking it had been read."""
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert result.stderr == (
        f"microbreak: {command} asks the running daemon, which keeps the settings it started "
        "with: --config and --no-tray do not apply (see `microbreak --help`)\n"
    )


# -- microbreak exercises ----------------------------------------------------------------------


def test_exercises_lists_seated_ones_by_default(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "exercises"))
    listed, marked = rotation(out)
    assert listed == ids_at(Position.SEATED)
    assert set(listed) == marked
    assert not any(line.startswith("*") for line in out.splitlines())
    assert "shoulder-rolls" in listed
    assert "bridge" not in out
    assert "wall-arm-slides" not in out
    # It ends with the safety note, whatever the line wrapping.
    last_paragraph = out.rstrip("\n").split("\n\n")[-1]
    assert " ".join(last_paragraph.split()) == SAFETY_NOTE
    assert "doctor" in last_paragraph


def test_exercises_all_lists_the_whole_catalog(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "exercises", "--all"))
    listed, marked = rotation(out)
    assert listed == [e.id for e in CATALOG]
    assert "bridge" in listed
    assert marked == set(ids_at(Position.SEATED))  # the rotation itself is unchanged
    assert "doctor" in out.rstrip("\n").split("\n\n")[-1]


def test_exercises_with_standing_allowed(tmp_path: Path) -> None:
    write_config(tmp_path, '[exercises]\npositions = ["seated", "standing"]\n')
    listed, marked = rotation(ok(run(tmp_path, "exercises")))
    assert listed == ids_at(Position.SEATED, Position.STANDING)
    assert marked == set(listed)
    assert "wall-arm-slides" in listed
    assert "bridge" not in listed


@pytest.mark.parametrize("all_flag", [[], ["--all"]], ids=["rotation", "all"])
def test_exercises_with_only_bridge_included(tmp_path: Path, all_flag: list[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[exercises]\ninclude = ["bridge"]\n', encoding="utf-8")
    out = ok(run(tmp_path, "exercises", *all_flag, "--config", str(path)))
    listed, marked = rotation(out)
    assert marked == {"bridge"}
    assert listed == ([e.id for e in CATALOG] if all_flag else ["bridge"])
    assert "1 of 20 exercises" in out


def test_exercises_with_a_bad_config_fails_cleanly(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[exercises]\ninclude = ["brige"]\n')
    result = run(tmp_path, "exercises")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f'{PREFIX}{path}: exercises.include[0]: no exercise is called "brige" '
        '(did you mean "bridge"?); `microbreak exercises` lists them'
    ]


# -- microbreak config path --------------------------------------------------------------------


def test_config_path_default(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "config", "path"))
    assert out == f"{tmp_path / 'config' / 'microbreak' / 'config.toml'}\n"
    assert not (tmp_path / "config").exists()  # printing the path creates nothing


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["config", "path", "--config", "a.toml"], {}, "a.toml"),
        (["--config", "a.toml", "config", "path"], {}, "a.toml"),
        (["config", "--config", "a.toml", "path"], {}, "a.toml"),
        (["config", "path"], {"MICROBREAK_CONFIG": "/etc/b.toml"}, "/etc/b.toml"),
        (["config", "path", "--config", "a.toml"], {"MICROBREAK_CONFIG": "/etc/b.toml"}, "a.toml"),
    ],
    ids=["after-action", "before-command", "before-action", "env", "option-beats-env"],
)
def test_config_path_named(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    assert ok(run(tmp_path, *args, env=env)) == f"{expected}\n"


def test_config_path_expands_home(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "config", "path", "--config", "~/mb.toml"))
    assert out == f"{tmp_path / 'home' / 'mb.toml'}\n"


@pytest.mark.parametrize("days", ["0", "3661", "800000", "a week"])
def test_stats_days_out_of_range_is_a_usage_mistake(tmp_path: Path, days: str) -> None:
    """Not a traceback: 800000 days ago is before the calendar starts."""
    result = run(tmp_path, "stats", "--days", days)
    assert result.returncode == 2
    assert result.stderr == (
        f"microbreak: argument --days: {days!r} is not a whole number of days from 1 to 3660 "
        "(see `microbreak stats --help`)\n"
    )


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    """``microbreak stats --days 3000 | head -1``: the rest of the table (far more than a pipe
    holds) has nowhere to go."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "microbreak", "stats", "--days", "3000"],
        env=clean_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `head -1` leaving
    err = proc.stderr.read().decode()
    assert proc.wait(30) in (0, 1)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
