"""The config file and ``MICROBREAK_*`` variables, checked through the real command line.

Every mistake must end in exit code 2, nothing on stdout and one ``microbreak: `` line per problem
naming where it came from (the file or the variable), the key, and what is allowed instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from microbreak.core.durations import (
    DURATION_HELP,
    DurationError,
    format_duration,
    humanize,
    parse_duration,
)
from microbreak.settings import config

from .cli_run import PREFIX, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "config.example.toml"


# -- running the real command line -------------------------------------------------------------


def check(
    tmp_path: Path, path: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``microbreak config check`` (with ``--config path`` when given)."""
    args = ["config", "check"] + (["--config", str(path)] if path is not None else [])
    return run(tmp_path, *args, env=env)


def effective(stdout: str) -> str:
    """The printed settings without the ``# path: OK`` header line."""
    header, _, body = stdout.partition("\n")
    assert header.startswith("# ") and header.endswith(": OK"), stdout
    return body


def assert_usage_error(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Exit code 2, empty stdout, no traceback, every line prefixed; returns the lines."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines, "an error must say something"
    for line in lines:
        assert line.startswith(PREFIX), line
    return lines


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def no_microbreak_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests must not see the caller's MICROBREAK_* variables either."""
    for name in list(os.environ):
        if name.upper().startswith("MICROBREAK_"):
            monkeypatch.delenv(name)


# -- the documented example --------------------------------------------------------------------


def test_example_config_checks_and_equals_defaults(tmp_path: Path) -> None:
    with_example = check(tmp_path, EXAMPLE)
    assert with_example.returncode == 0, with_example.stderr
    assert with_example.stderr == ""
    assert with_example.stdout.startswith(f"# {EXAMPLE}: OK\n")

    without = check(tmp_path)
    assert without.returncode == 0, without.stderr
    assert effective(with_example.stdout) == effective(without.stdout)
    assert 'min_interval = "30m"' in without.stdout


@pytest.mark.usefixtures("no_microbreak_env")
def test_example_config_loads_in_process_as_defaults() -> None:
    loaded = config.load(EXAMPLE)
    assert loaded.exists
    assert loaded.path == EXAMPLE
    assert loaded.settings == config.Settings()
    assert config.describe(loaded.settings) == config.describe(config.Settings())


def _model_keys(model: type[BaseModel]) -> dict[str, set[str] | None]:
    """Top-level keys of the model; for a nested table, the set of its keys."""
    keys: dict[str, set[str] | None] = {}
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys[name] = set(ann.model_fields)
        else:
            keys[name] = None
    return keys


def test_example_config_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    model = _model_keys(config.Settings)
    assert set(data) == set(model), "config.example.toml and Settings disagree on top-level keys"
    for name, sub in model.items():
        if sub is None:
            assert not isinstance(data[name], dict), f"{name} should be a plain value"
        else:
            assert isinstance(data[name], dict), f"{name} should be a [{name}] table"
            assert set(data[name]) == sub, f"[{name}] keys differ from the model"

    # Every key line sits under a comment: walking up over other keys of the same group, the
    # first other line is a comment (not a blank line or a [table] header).
    lines = text.splitlines()
    seen: set[str] = set()
    table = ""
    for n, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped.strip("[]") + "."
            continue
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key = table + stripped.split("=", 1)[0].strip()
        seen.add(key)
        above = n - 1
        while above >= 0 and "=" in lines[above] and not lines[above].lstrip().startswith("#"):
            above -= 1
        assert above >= 0 and lines[above].lstrip().startswith("#"), f"{key} has no comment"
    expected = {
        f"{name}.{s}" if sub else name for name, sub in model.items() for s in (sub or {""})
    }
    assert seen == expected


# -- bad configs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """A broken config file, the key the message must name and a fragment of what is allowed."""

    id: str
    text: str
    key: str | None
    allowed: str


BAD = [
    Bad(
        "toml-syntax",
        'min_interval = "30m"\nmax_interval = = "1h"\n',
        None,
        "line 2, column 16: TOML syntax error",
    ),
    Bad(
        "unterminated-string",
        'min_interval = "30m\n',
        None,
        "line 1, column 20: TOML syntax error",
    ),
    Bad("unknown-key", 'min_intervl = "30m"\n', "min_intervl", 'did you mean "min_interval"?'),
    Bad(
        "unknown-nested-key",
        '[notification]\ntimeoutt = "30s"\n',
        "notification.timeoutt",
        'did you mean "timeout"?',
    ),
    Bad(
        "unknown-nested-key-far-off",
        '[notification]\ncolour = "red"\n',
        "notification.colour",
        "allowed keys here: timeout",
    ),
    Bad(
        "string-for-list",
        'snooze_choices = "5m"\n',
        "snooze_choices",
        'expected a list, like ["5m", "10m", "15m"]',
    ),
    Bad(
        "string-for-exercise-list",
        '[exercises]\ninclude = "bridge"\n',
        "exercises.include",
        'expected a list, like ["shoulder-rolls"',
    ),
    Bad("string-for-table", 'notification = "loud"\n', "notification", "a table of settings"),
    Bad("list-for-table", 'exercises = ["seated"]\n', "exercises", "a table of settings"),
    Bad(
        "not-a-duration",
        'min_interval = "soon"\n',
        "min_interval",
        f'"soon" is not {DURATION_HELP}',
    ),
    Bad("zero-duration", 'natural_break = "0m"\n', "natural_break", "must be longer than zero"),
    Bad("zero-number", "max_interval = 0\n", "max_interval", "must be longer than zero"),
    Bad(
        "below-a-microsecond",  # longer than zero, though no timedelta holds it
        "min_interval = 1e-9\n",
        "min_interval",
        "1e-09 is less than a second; write a duration from 1s to 24h",
    ),
    Bad(
        "unit-twice",
        'min_interval = "30m30m"\n',
        "min_interval",
        '"30m30m" gives the minutes twice; write each of h, m and s once at most, like 1h30m',
    ),
    Bad(
        "negative-duration",
        '[notification]\ntimeout = "-20s"\n',
        "notification.timeout",
        f"must be longer than zero; write {DURATION_HELP}",
    ),
    Bad(
        "huge-duration",
        'max_interval = "99999999999h"\n',
        "max_interval",
        f"far too long; write {DURATION_HELP}",
    ),
    Bad("infinite-duration", "min_interval = inf\n", "min_interval", f"is not {DURATION_HELP}"),
    Bad(
        "boolean-duration",
        "natural_break = true\n",
        "natural_break",
        f"true is not {DURATION_HELP}",
    ),
    Bad(
        "min-above-max",
        'min_interval = "2h"\nmax_interval = "1h"\n',
        "min_interval",
        "min_interval must not exceed max_interval",
    ),
    Bad(
        "unknown-exercise",
        '[exercises]\ninclude = ["brige"]\n',
        "exercises.include[0]",
        'did you mean "bridge"?); `microbreak exercises` lists them',
    ),
    Bad(
        "bad-position",
        '[exercises]\npositions = ["sitting"]\n',
        "exercises.positions[0]",
        'one of "seated", "standing" or "floor"',
    ),
    Bad(
        "no-positions",
        "[exercises]\npositions = []\n",
        "exercises.positions",
        "a list with at least 1 entry",
    ),
    Bad(
        "nothing-left",
        '[exercises]\ninclude = ["bridge"]\nexclude = ["bridge"]\n',
        "exercises.exclude",
        "leave no exercise to choose from; allow more positions",
    ),
    Bad(
        "no-snooze-choices",
        "snooze_choices = []\n",
        "snooze_choices",
        "a list with at least 1 entry",
    ),
    Bad(
        "too-many-snooze-choices",
        "snooze_choices = [" + ", ".join(['"5m"'] * 9) + "]\n",
        "snooze_choices",
        "a list with at most 8 entries",
    ),
    Bad(
        "bad-snooze-choice",
        'snooze_choices = ["5m", "later"]\n',
        "snooze_choices[1]",
        f'"later" is not {DURATION_HELP}',
    ),
    Bad("bad-morning", 'morning = "25:00"\n', "morning", 'a time of day like "08:30"'),
    Bad(
        "datetime-morning",
        "morning = 2024-05-27T07:30:00\n",
        "morning",
        'a time of day like "08:30"',
    ),
]


@dataclass(frozen=True)
class Checked:
    """One bad file, its bytes before the check, and what the check did."""

    path: Path
    before: bytes
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def checked_bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    """Check every BAD file, a few processes at a time: each one is mostly interpreter start-up."""

    def one(bad: Bad) -> Checked:
        home = tmp_path_factory.mktemp(bad.id)
        path = write(home, bad.text)
        before = path.read_bytes()
        return Checked(path, before, check(home, path))

    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) + 1)) as pool:
        return dict(zip([b.id for b in BAD], pool.map(one, BAD), strict=True))


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_bad_config_is_one_clear_line(checked_bad: dict[str, Checked], bad: Bad) -> None:
    checked = checked_bad[bad.id]
    path = checked.path

    lines = assert_usage_error(checked.result)

    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"{PREFIX}{path}: "), line
    if bad.key is not None:
        assert f"{path}: {bad.key}: " in line, line
    assert bad.allowed in line, line
    assert path.read_bytes() == checked.before


def test_several_problems_one_line_each(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'min_interval = "abc"\n'
        "max_interval = true\n"
        'morning = "noon"\n'
        "spam = 1\n"
        "[notification]\n"
        'timeout = "0s"\n'
        "[exercises]\n"
        'positions = ["sitting", "floor"]\n',
    )
    lines = assert_usage_error(check(tmp_path, path))
    keys = [
        "min_interval",
        "max_interval",
        "morning",
        "spam",
        "notification.timeout",
        "exercises.positions[0]",
    ]
    assert len(lines) == len(keys), lines
    for key in keys:
        assert sum(f"{PREFIX}{path}: {key}: " in line for line in lines) == 1, (key, lines)


def test_failed_check_leaves_the_file_alone(tmp_path: Path) -> None:
    """Nothing lost: the bad file's bytes (CRLF, BOM-free UTF-8, comments) stay as they were."""
    directory = tmp_path / "config" / "microbreak"
    directory.mkdir(parents=True)
    path = directory / "config.toml"
    original = (
        "# my settings \u2013 keep these\r\n"
        'min_interval = "45 minutes"  # too long to type\r\n'
        'max_interval = "1h"\r\n'
        "[exercises]\r\n"
        'positions = ["seated", "lying"]\r\n'
    ).encode()
    path.write_bytes(original)

    lines = assert_usage_error(check(tmp_path))  # found at the default place

    assert lines == [
        f'{PREFIX}{path}: exercises.positions[1]: got "lying"; '
        'expected one of "seated", "standing" or "floor"'
    ]
    assert path.read_bytes() == original
    assert sorted(p.name for p in directory.iterdir()) == ["config.toml"]


# -- where the file comes from -----------------------------------------------------------------


@pytest.mark.usefixtures("no_microbreak_env")
def test_no_file_at_default_place_means_defaults(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    default = tmp_path / "config" / "microbreak" / "config.toml"
    assert result.stdout.startswith(f"# {default} (not there; defaults): OK\n")
    assert effective(result.stdout) == config.describe(config.Settings()) + "\n"
    assert not default.exists()


def test_file_at_default_place_is_read(tmp_path: Path) -> None:
    default = tmp_path / "config" / "microbreak" / "config.toml"
    default.parent.mkdir(parents=True)
    default.write_text('morning = "07:15"\n', encoding="utf-8")
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# {default}: OK\n")
    assert 'morning = "07:15"' in result.stdout


def test_microbreak_config_variable_picks_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'natural_break = "12m"\n', "elsewhere.toml")
    result = check(tmp_path, env={"MICROBREAK_CONFIG": str(path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# {path}: OK\n")
    assert 'natural_break = "12m"' in result.stdout


def test_config_option_beats_the_variable(tmp_path: Path) -> None:
    by_env = write(tmp_path, 'natural_break = "12m"\n', "env.toml")
    by_option = write(tmp_path, 'natural_break = "7m"\n', "option.toml")
    result = check(tmp_path, by_option, env={"MICROBREAK_CONFIG": str(by_env)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# {by_option}: OK\n")
    assert 'natural_break = "7m"' in result.stdout


@pytest.mark.parametrize(
    ("how", "named_by"),
    [("option", "named by --config"), ("env", "named by MICROBREAK_CONFIG=")],
)
def test_named_file_must_exist(tmp_path: Path, how: str, named_by: str) -> None:
    missing = tmp_path / "nowhere" / "config.toml"
    if how == "option":
        result = check(tmp_path, missing)
    else:
        result = check(tmp_path, env={"MICROBREAK_CONFIG": str(missing)})
    lines = assert_usage_error(result)
    assert len(lines) == 1
    assert lines[0].startswith(f"{PREFIX}{missing}: no such config file (")
    assert named_by in lines[0]
    assert not missing.parent.exists()


def test_directory_is_not_a_config_file(tmp_path: Path) -> None:
    lines = assert_usage_error(check(tmp_path, tmp_path))
    assert lines == [f"{PREFIX}{tmp_path}: is not a file"]


# -- the environment ---------------------------------------------------------------------------


def test_misspelt_variable_is_an_error(tmp_path: Path) -> None:
    lines = assert_usage_error(check(tmp_path, env={"MICROBREAK_MIN_INTERVL": "5"}))
    assert lines == [
        f"{PREFIX}environment variable MICROBREAK_MIN_INTERVL: unknown setting "
        '(did you mean "MICROBREAK_MIN_INTERVAL"?)'
    ]


def test_variable_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'min_interval = "35m"\nmax_interval = "50m"\n')
    plain = check(tmp_path, path)
    assert plain.returncode == 0, plain.stderr
    assert 'min_interval = "35m"' in plain.stdout

    result = check(tmp_path, path, env={"MICROBREAK_MIN_INTERVAL": "40m"})
    assert result.returncode == 0, result.stderr
    assert 'min_interval = "40m"' in result.stdout
    assert 'max_interval = "50m"' in result.stdout  # the rest of the file still applies


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MICROBREAK_NOTIFICATION__TIMEOUT": "45s"}, 'timeout = "45s"'),
        ({"MICROBREAK_SNOOZE_CHOICES": '["5m", "20m"]'}, 'snooze_choices = ["5m", "20m"]'),
        ({"MICROBREAK_EXERCISES__POSITIONS": '["seated", "standing"]'}, "standing"),
        ({"MICROBREAK_MORNING": "07:30"}, 'morning = "07:30"'),
    ],
    ids=["nested", "json-list", "nested-list", "time"],
)
def test_variables_set_values(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    result = check(tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert expected in effective(result.stdout)


@pytest.mark.parametrize(
    ("env", "variable", "allowed"),
    [
        ({"MICROBREAK_MIN_INTERVAL": "soon"}, "MICROBREAK_MIN_INTERVAL", f"is not {DURATION_HELP}"),
        (
            {"MICROBREAK_MIN_INTERVAL": "2h"},
            "MICROBREAK_MIN_INTERVAL",
            "min_interval must not exceed max_interval",
        ),
        (
            {"MICROBREAK_NOTIFICATION__TIMEOUT": "-1s"},
            "MICROBREAK_NOTIFICATION__TIMEOUT",
            "must be longer than zero",
        ),
        (
            {"MICROBREAK_SNOOZE_CHOICES": '["5m", "10m"'},
            "MICROBREAK_SNOOZE_CHOICES",
            'not valid JSON; write a list like ["5m", "10m"]',
        ),
        (
            {"MICROBREAK_SNOOZE_CHOICES": "5m"},
            "MICROBREAK_SNOOZE_CHOICES",
            "not valid JSON",
        ),
        (
            {"MICROBREAK_EXERCISES__POSITIONS": "[seated"},
            "MICROBREAK_EXERCISES__POSITIONS",
            "not valid JSON",
        ),
        (
            {"MICROBREAK_EXERCISES__POSITIONS": '["sitting"]'},
            "MICROBREAK_EXERCISES__POSITIONS",
            'one of "seated", "standing" or "floor"',
        ),
    ],
    ids=[
        "not-a-duration",
        "min-above-max",
        "nested-negative",
        "broken-json",
        "not-json",
        "nested-broken-json",
        "nested-bad-position",
    ],
)
def test_bad_variable_names_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str, allowed: str
) -> None:
    path = write(tmp_path, 'natural_break = "5m"\n')
    before = path.read_bytes()
    lines = assert_usage_error(check(tmp_path, path, env=env))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{PREFIX}environment variable {variable}: "), lines
    assert str(path) not in lines[0]
    assert allowed in lines[0]
    assert path.read_bytes() == before


# -- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45m", timedelta(minutes=45)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("1h", timedelta(hours=1)),
        (30, timedelta(minutes=30)),
        (2.5, timedelta(minutes=2, seconds=30)),
        ("2.5", timedelta(minutes=2, seconds=30)),
        ("30", timedelta(minutes=30)),
        (" 10 m ", timedelta(minutes=10)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(minutes=90)),
        ("10M", timedelta(minutes=10)),
        ("10 min", timedelta(minutes=10)),
        ("5 mins", timedelta(minutes=5)),
        ("2 minutes", timedelta(minutes=2)),
        ("1 hour", timedelta(hours=1)),
        ("2 hours", timedelta(hours=2)),
        ("1 hr 5 min", timedelta(hours=1, minutes=5)),
        ("90 sec", timedelta(seconds=90)),
        ("30 seconds", timedelta(seconds=30)),
        (timedelta(seconds=7), timedelta(seconds=7)),
    ],
)
def test_parse_duration(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "value",
    ["abc", "", "  ", "10x", "m", "10ms", "10 minx", "--5m", "inf", "nan", True, None, [5]],
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(DurationError, match="is not a duration like 45m"):
        parse_duration(value)


@pytest.mark.parametrize("value", ["99999999999h", 1e300, float("inf")])
def test_parse_duration_rejects_absurd_spans(value: object) -> None:
    with pytest.raises(DurationError, match=DURATION_HELP):
        parse_duration(value)


@pytest.mark.parametrize(
    ("value", "unit"),
    [("30m30m", "minutes"), ("1h 2 hours", "hours"), ("1m5s 1m", "minutes"), ("5s5sec", "seconds")],
)
def test_parse_duration_refuses_a_unit_given_twice(value: str, unit: str) -> None:
    """ "30m30m" is a slip, not an hour."""
    with pytest.raises(DurationError) as info:
        parse_duration(value)
    assert str(info.value).startswith(f'"{value}" gives the {unit} twice; write each of h, m')


@pytest.mark.parametrize("value", [1e-9, "1e-9", 5e-12])
def test_parse_duration_keeps_a_tiny_span_apart_from_zero(value: object) -> None:
    """Under a microsecond, but positive: the checks call it short, not "not longer than zero"."""
    assert timedelta(0) < parse_duration(value) < timedelta(seconds=1)
    assert parse_duration(f"-{value}") < timedelta(0)


def test_parse_duration_shows_booleans_as_written() -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(True)
    assert str(info.value).startswith("true is not ")


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(minutes=90), "1h30m"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(hours=2), "2h"),
        (timedelta(seconds=3725), "1h2m5s"),
        (timedelta(seconds=20), "20s"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration_round_trips(span: timedelta, text: str) -> None:
    assert format_duration(span) == text
    assert parse_duration(text) == span


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(minutes=23), "23 min"),
        (timedelta(minutes=22, seconds=1), "23 min"),
        (timedelta(minutes=65), "1 h 5 min"),
        (timedelta(seconds=40), "40 s"),
        (timedelta(hours=1), "1 h"),
    ],
)
def test_humanize(span: timedelta, text: str) -> None:
    assert humanize(span) == text
    # What the menus show can be typed back into the config file.
    assert abs(parse_duration(text) - span) < timedelta(minutes=1)
