"""Config mistakes that used to pass silently or get an unclear message (issue 9, items 6-13).

Each one goes through the real command line (``microbreak config check``, once ``microbreak
run``) and must end in exit code 2 and one line naming the file (or the variable), the key and
what is allowed. The processes run a few at a time: each is mostly interpreter start-up.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from microbreak.core.durations import TimeOfDayError, parse_time_of_day
from microbreak.core.work_hours import Span

from .cli_run import PREFIX, run
from .test_config import assert_usage_error, check, effective, write

PYDANTIC_WORDS = ("Input should", "valid integer", "valid boolean", "than or equal to")


@dataclass(frozen=True)
class Case:
    """A config file (and variables), the key its one line must name, and fragments of it."""

    id: str
    text: str
    key: str | None
    says: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


MISTAKES = [
    # 6: working hours on, and no working hours at all
    Case(
        "6-no-days",
        "[work_hours]\nenabled = true\ndays = []\n",
        "work_hours.days",
        (
            "[] leaves no working day, so with enabled = true no reminder would ever come",
            'list at least one day, like ["mon", "tue", "wed", "thu", "fri"]',
            "or set enabled = false",
        ),
    ),
    Case(
        "6-every-day-emptied",
        '[work_hours]\nenabled = true\ndays = ["mon"]\nby_day = { mon = [] }\n',
        "work_hours.by_day",
        ("no reminder would ever come", 'give at least one day a range like "09:00-17:30"'),
    ),
    Case(
        "6-a-day-twice-by-name",
        '[work_hours.by_day]\nfri = ["09:00-13:00"]\nfriday = ["10:00-11:00"]\n',
        "work_hours.by_day.friday",
        ('"fri" and "friday" are the same day; set each day once',),
    ),
    Case(
        "6-a-day-twice-by-case",
        '[work_hours]\nby_day = { Fri = ["09:00-13:00"], fri = ["10:00-11:00"] }\n',
        "work_hours.by_day.fri",
        ('"Fri" and "fri" are the same day',),
    ),
    # 7: the same snooze choice twice, as written or once parsed
    Case(
        "7-same-text",
        'snooze_choices = ["5m", "5m", "10m"]\n',
        "snooze_choices[1]",
        ('"5m" repeats snooze_choices[0]', "each choice must be a different duration"),
    ),
    Case(
        "7-same-duration",
        'snooze_choices = ["5m", "10m", "300s"]\n',
        "snooze_choices[2]",
        ('"300s" (5m) repeats snooze_choices[0]',),
    ),
    # 8: numbers and booleans in our words, not pydantic's
    Case(
        "8-negative-goal",
        "daily_goal = -1\n",
        "daily_goal",
        ("got -1; expected a whole number from 1 to 100",),
    ),
    Case(
        "8-huge-goal",
        "daily_goal = 1000\n",
        "daily_goal",
        ("expected a whole number from 1 to 100",),
    ),
    Case(
        "8-fraction-goal",
        "daily_goal = 2.5\n",
        "daily_goal",
        ("expected a whole number from 1 to 100",),
    ),
    Case(
        "8-text-goal",
        'daily_goal = "six"\n',
        "daily_goal",
        ("expected a whole number from 1 to 100",),
    ),
    Case(
        "8-boolean-goal",
        "daily_goal = true\n",
        "daily_goal",
        ("got true; expected a whole number",),
    ),
    Case(
        "8-text-switch",
        'detect_idle = "maybe"\n',
        "detect_idle",
        ('got "maybe"; expected true or false',),
    ),
    Case(
        "8-number-switch",
        "[notification]\nsound = 2.5\n",
        "notification.sound",
        ("expected true or false",),
    ),
    # 9: an empty time range
    Case(
        "9-empty-range",
        '[work_hours]\nhours = ["09:00-09:00"]\n',
        "work_hours.hours[0]",
        ('"09:00-09:00" is an empty range: it ends at the time it starts',),
    ),
    # 12: durations from one second to a sensible maximum
    Case(
        "12-huge-interval",
        'max_interval = "100000h"\n',
        "max_interval",
        ('"100000h" is too long; write a duration from 1s to 24h',),
    ),
    Case(
        "12-long-snooze",
        'snooze_choices = ["5m", "25h"]\n',
        "snooze_choices[1]",
        ("too long; write a duration from 1s to 24h",),
    ),
    Case(
        "12-long-hold",
        '[do_not_disturb]\nmax_postpone = "48h"\n',
        "do_not_disturb.max_postpone",
        ("too long; write a duration from 1s to 24h",),
    ),
    Case(
        "12-long-timeout",
        '[notification]\ntimeout = "2h"\n',
        "notification.timeout",
        ('"2h" is too long; write a duration from 1s to 1h',),
    ),
    Case(
        "12-half-second",
        'natural_break = "0.5s"\n',
        "natural_break",
        ('"0.5s" is less than a second; write a duration from 1s to 24h',),
    ),
    Case(
        "12-fraction-of-a-second",
        'min_interval = "1.5s"\n',
        "min_interval",
        ('"1.5s" is not a whole number of seconds',),
    ),
    # 10: a duration or a time without quotes
    Case(
        "10-bare-duration",
        "min_interval = 30m\n",
        "line 1, column 18: min_interval",
        (
            "TOML syntax error: Expected newline or end of document after a statement; "
            'write durations and times in quotes: min_interval = "30m"',
        ),
    ),
    Case(
        "10-bare-time",
        "morning = 8:00\n",
        "line 1, column 12: morning",
        ('write durations and times in quotes: morning = "8:00"',),
    ),
    Case(
        "10-bare-list",
        "snooze_choices = [5m, 10m]\n",
        "line 1, column 20: snooze_choices",
        ('write durations and times in quotes: snooze_choices = ["5m", "10m"]',),
    ),
    Case(
        "10-bare-in-table",
        "[notification]\ntimeout = 20s\n",
        "line 2, column 13: notification.timeout",
        ('write durations and times in quotes: timeout = "20s"',),
    ),
    Case(
        "10-bare-range",
        "[work_hours]\nby_day = { fri = [9:00-13:00] }\n",
        "line 2, column 20: work_hours.by_day",
        ('write durations and times in quotes: by_day = { fri = ["9:00-13:00"] }',),
    ),
    # 13: a key written twice
    # A Windows editor's byte order mark
    Case(
        "bom",
        '\ufeffmin_interval = "30m"\n',
        "line 1, column 1",
        ("the file starts with a byte order mark (BOM)", "save it as UTF-8 without BOM"),
    ),
    Case(
        "13-key-twice",
        'min_interval = "1m"\nmax_interval = "2h"\nmin_interval = "2m"\n',
        "line 3, column 20: min_interval",
        ("set twice (first on line 1); keep only one of them",),
    ),
    Case(
        "13-key-twice-on-a-last-line-with-no-newline",
        'min_interval = "1m"\nmax_interval = "2h"\nmin_interval = "2m"',
        "line 3, column 20: min_interval",
        ("set twice (first on line 1); keep only one of them",),
    ),
    Case(
        "10-bare-duration-on-a-last-line-with-no-newline",
        "[notification]\ntimeout = 20s",
        "line 2, column 13: notification.timeout",
        ('write durations and times in quotes: timeout = "20s"',),
    ),
    Case(
        "13-key-twice-crlf",
        '[exercises]\r\ninclude = []\r\nexclude = []\r\ninclude = ["bridge"]\r\n',
        "line 4, column 21: exercises.include",
        ("set twice (first on line 2)",),
    ),
    Case(
        "13-key-twice-in-table",
        '[notification]\nsound = true\ntimeout = "5s"\nsound = false\n',
        "line 4, column 14: notification.sound",
        ("set twice (first on line 2)",),
    ),
    Case(
        "13-table-twice",
        '[notification]\nsound = true\n[exercises]\npositions = ["seated"]\n'
        '[notification]\ntimeout = "5s"\n',
        "line 5, column 14: [notification]",
        ("this table appears twice (first on line 1); merge the two",),
    ),
    Case(
        "13-inline-table-then-key",
        'notification = { sound = true }\nnotification.timeout = "5s"\n',
        "line 2, column 28: notification.timeout",
        ("notification is already set whole on line 1; set timeout there instead",),
    ),
]


@dataclass(frozen=True)
class Checked:
    path: Path
    before: bytes
    result: subprocess.CompletedProcess[str]


def _in_pool(jobs: list[Callable[[], Checked]]) -> list[Checked]:
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) + 1)) as pool:
        return list(pool.map(lambda job: job(), jobs))


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    def job(case: Case) -> Callable[[], Checked]:
        def one() -> Checked:
            home = tmp_path_factory.mktemp(case.id)
            path = write(home, case.text)
            before = path.read_bytes()
            return Checked(path, before, check(home, path, env=case.env))

        return one

    return dict(zip([c.id for c in MISTAKES], _in_pool([job(c) for c in MISTAKES]), strict=True))


@pytest.mark.parametrize("case", MISTAKES, ids=[c.id for c in MISTAKES])
def test_mistake_is_one_clear_line(checked: dict[str, Checked], case: Case) -> None:
    done = checked[case.id]
    lines = assert_usage_error(done.result)
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"{PREFIX}{done.path}: {case.key}: "), line
    for fragment in case.says:
        assert fragment in line, line
    assert not any(words in line for words in PYDANTIC_WORDS), line
    assert done.path.read_bytes() == done.before


# -- 6: the same mistake from a variable, and from `microbreak run` ------------------------------


def test_no_working_day_from_variables_names_the_variable(tmp_path: Path) -> None:
    env = {"MICROBREAK_WORK_HOURS__ENABLED": "true", "MICROBREAK_WORK_HOURS__DAYS": "[]"}
    lines = assert_usage_error(check(tmp_path, env=env))
    assert lines == [
        f"{PREFIX}environment variable MICROBREAK_WORK_HOURS__DAYS: work_hours.days: [] leaves "
        "no working day, so with enabled = true no reminder would ever come; list at least one "
        'day, like ["mon", "tue", "wed", "thu", "fri"], or set enabled = false'
    ]


def test_run_refuses_to_start_without_working_hours(tmp_path: Path) -> None:
    path = write(tmp_path, "[work_hours]\nenabled = true\ndays = []\n")
    lines = assert_usage_error(run(tmp_path, "run", "--no-tray", "--config", str(path)))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{PREFIX}{path}: work_hours.days: [] leaves no working day")


def test_empty_days_are_fine_while_working_hours_are_off_or_by_day_has_hours(
    tmp_path: Path,
) -> None:
    off = write(tmp_path, "[work_hours]\nenabled = false\ndays = []\n", "off.toml")
    weekend = write(
        tmp_path,
        '[work_hours]\nenabled = true\ndays = []\nby_day = { sat = ["10:00-12:00"] }\n',
        "weekend.toml",
    )
    for path in (off, weekend):
        result = check(tmp_path, path)
        assert result.returncode == 0, result.stderr


# -- 7: a repeated snooze choice from a variable ------------------------------------------------


def test_repeated_snooze_choice_from_a_variable(tmp_path: Path) -> None:
    env = {"MICROBREAK_SNOOZE_CHOICES": '["10m", "1h", "60m"]'}
    lines = assert_usage_error(check(tmp_path, env=env))
    assert lines == [
        f"{PREFIX}environment variable MICROBREAK_SNOOZE_CHOICES: snooze_choices[2]: "
        '"60m" (1h) repeats snooze_choices[1]; each choice must be a different duration'
    ]


# -- 8: no raw pydantic message for any number or switch, from a file or a variable -----------

SWITCHES = (
    "detect_idle",
    "notification.sound",
    "work_hours.enabled",
    "do_not_disturb.fullscreen",
    "do_not_disturb.desktop",
    "do_not_disturb.camera",
    "do_not_disturb.microphone",
)


def _every_number_and_switch(value: str) -> str:
    """A file that sets daily_goal and every true/false key to ``value``."""
    top = [f"daily_goal = {value}"]
    tables: dict[str, list[str]] = {}
    for key in SWITCHES:
        table, _, name = key.rpartition(".")
        (tables.setdefault(table, []) if table else top).append(f"{name} = {value}")
    text = "\n".join(top) + "\n"
    for table, keys in tables.items():
        text += f"[{table}]\n" + "\n".join(keys) + "\n"
    return text


@pytest.mark.parametrize("value", ['"x"', "-1", "2.5", "[]", "{}", "1000"])
def test_numbers_and_switches_are_explained_in_our_words(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, _every_number_and_switch(value))
    lines = assert_usage_error(check(tmp_path, path))
    by_key = {line.split(": ")[2]: line for line in lines}
    assert set(by_key) == {"daily_goal", *SWITCHES}, lines
    assert "expected a whole number from 1 to 100" in by_key["daily_goal"]
    for key in SWITCHES:
        assert by_key[key].endswith("expected true or false"), by_key[key]
    for line in lines:
        assert not any(words in line for words in PYDANTIC_WORDS), line


def test_goal_from_a_variable_in_our_words(tmp_path: Path) -> None:
    lines = assert_usage_error(check(tmp_path, env={"MICROBREAK_DAILY_GOAL": "0"}))
    assert lines == [
        f'{PREFIX}environment variable MICROBREAK_DAILY_GOAL: daily_goal: got "0"; '
        "expected a whole number from 1 to 100"
    ]


# -- 11: H:MM everywhere, with one parser for the config and the command line -----------------


def test_times_without_a_leading_zero_are_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'morning = "8:00"\n[work_hours]\nenabled = true\nhours = ["9:00-17:00", "18:30-9:15"]\n'
        'by_day = { fri = ["9:00-13:00"] }\n',
    )
    result = check(tmp_path, path)
    assert result.returncode == 0, result.stderr
    shown = effective(result.stdout)
    assert 'morning = "08:00"' in shown
    assert 'hours = ["09:00-17:00", "18:30-09:15"]' in shown
    assert 'by_day = { fri = ["09:00-13:00"] }' in shown


TIMES = ["8:30", "08:30", "0:05", "23:59", "08:30:00", "24:00", "8:5", "830", "noon", "7:60"]


def test_config_and_pause_until_agree_on_every_time(tmp_path: Path) -> None:
    """The config's ``morning`` and ``pause --until`` take and refuse the same texts.

    No daemon runs: a time the command line takes ends in exit 3 (not running), one it refuses
    in exit 2 before it looks for the daemon.
    """

    def both(n: int, text: str) -> tuple[int, int, str]:
        home = tmp_path / str(n)
        home.mkdir()
        path = write(home, f'morning = "{text}"\n')
        config = check(home, path)
        pause = run(home, "pause", "--until", text)
        return config.returncode, pause.returncode, pause.stderr

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(both, range(len(TIMES)), TIMES))
    for text, (config, pause, stderr) in zip(TIMES, results, strict=True):
        accepted = _parses(text)
        assert config == (0 if accepted else 2), (text, config)
        assert pause == (3 if accepted else 2), (text, pause, stderr)
    assert [_parses(t) for t in TIMES] == [True] * 5 + [False] * 5


def _parses(text: str) -> bool:
    try:
        parse_time_of_day(text)
    except TimeOfDayError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("9:00-17:00", "09:00", "17:00"), (" 22:00 - 6:30 ", "22:00", "06:30")],
)
def test_span_reads_short_times(text: str, start: str, end: str) -> None:
    span = Span.parse(text)
    assert (span.start.strftime("%H:%M"), span.end.strftime("%H:%M")) == (start, end)
    assert str(span) == f"{start}-{end}"


@pytest.mark.parametrize("text", ["09:00-09:00", "9:00-09:00", "0:00-00:00"])
def test_span_refuses_an_empty_range(text: str) -> None:
    with pytest.raises(TimeOfDayError, match="is an empty range"):
        Span.parse(text)


# -- 12: the longest durations are allowed ------------------------------------------------------


def test_longest_durations_are_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'min_interval = "24h"\nmax_interval = "24h"\nsnooze_choices = ["1s", "24h"]\n'
        'natural_break = "1s"\n[notification]\ntimeout = "1h"\n'
        '[do_not_disturb]\nmax_postpone = "24h"\n',
    )
    result = check(tmp_path, path)
    assert result.returncode == 0, result.stderr
    assert 'max_interval = "24h"' in result.stdout
    assert 'timeout = "1h"' in result.stdout


# -- 10 and 13: exercise files share the TOML reading --------------------------------------------


def test_exercise_file_names_the_key_written_twice(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "microbreak" / "exercises"
    folder.mkdir(parents=True)
    path = folder / "mine.toml"
    path.write_text(
        '[[exercise]]\nid = "wall-push"\nname = "Wall push"\nid = "wall-push-up"\n',
        encoding="utf-8",
    )
    lines = assert_usage_error(check(tmp_path))
    assert lines == [
        f"{PREFIX}{path}: line 4, column 20: exercise.id: set twice (first on line 2); "
        "keep only one of them"
    ]


def test_values_nested_too_deeply_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    """tomllib reads nested lists by recursion: 500 levels end Python's stack."""
    deep = "x = " + "[" * 500 + "]" * 500 + "\n"
    path = write(tmp_path, deep)
    assert assert_usage_error(check(tmp_path, path)) == [
        f"{PREFIX}{path}: values nested too deeply to read"
    ]
    exercises = tmp_path / "config" / "microbreak" / "exercises"
    exercises.mkdir(parents=True)
    (exercises / "deep.toml").write_text(deep, encoding="utf-8")
    assert assert_usage_error(run(tmp_path, "exercises", "--check")) == [
        f"{PREFIX}{exercises / 'deep.toml'}: values nested too deeply to read"
    ]


def test_a_file_that_is_not_utf8_gets_the_fix(tmp_path: Path) -> None:
    """Windows editors' "Unicode" is UTF-16: one line that says to save it as UTF-8."""
    path = write(tmp_path, "")
    path.write_bytes('min_interval = "30m"\n'.encode("utf-16"))
    assert assert_usage_error(check(tmp_path, path)) == [
        f"{PREFIX}{path}: byte 1 is not UTF-8 text; TOML files are UTF-8: save it so"
    ]
