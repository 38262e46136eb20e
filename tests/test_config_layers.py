"""Settings in layers: defaults < system-wide files < the user's file < MICROBREAK_* < overrides.

The system-wide dirs come from ``$XDG_CONFIG_DIRS``, which every test points at a private
directory; the user's dir from ``$XDG_CONFIG_HOME`` (``tests/cli_run.py`` sets it). Each
precedence is checked in-process and through the real command line, and every problem must
still name the one file (or variable) it came from.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from microbreak.core.work_hours import WorkWeek
from microbreak.errors import ConfigError
from microbreak.paths import site_config_dirs, site_config_files
from microbreak.settings import config
from microbreak.settings.record import Runtime

from .cli_run import PREFIX, isolate_config, ok, run


@dataclass(frozen=True)
class Home:
    """A private system dir, user dir and environment for one test."""

    root: Path

    @property
    def system_dir(self) -> Path:
        return self.root / "xdg" / "microbreak"

    @property
    def system(self) -> Path:
        return self.system_dir / "config.toml"

    @property
    def user(self) -> Path:
        return self.root / "config" / "microbreak" / "config.toml"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {"XDG_CONFIG_DIRS": str(self.root / "xdg"), **(extra or {})}

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def cli(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run(self.root, *args, env=self.env(env))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """Private dirs, also for in-process loads, and no MICROBREAK_* variables from outside."""
    isolate_config(tmp_path, monkeypatch)
    return Home(tmp_path)


def one_problem(result: subprocess.CompletedProcess[str]) -> str:
    """Exit code 2, nothing on stdout, no traceback, exactly one prefixed line; returns it."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(PREFIX)
    return lines[0][len(PREFIX) :]


def sources(stdout: str) -> dict[str, tuple[str, str]]:
    """``config show --sources`` as key -> (value, source)."""
    rows: dict[str, tuple[str, str]] = {}
    for line in stdout.splitlines()[1:]:
        key, _, rest = line.partition(" = ")
        value, _, source = rest.partition("  # ")
        rows[key.strip()] = (value.strip(), source.strip())
    return rows


def every_key() -> set[str]:
    """Every setting as a dotted key."""
    keys: set[str] = set()
    for name, spec in config.Settings.model_fields.items():
        ann = spec.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys.update(f"{name}.{sub}" for sub in ann.model_fields)
        else:
            keys.add(name)
    return keys


# -- where the system files are ----------------------------------------------------------------


def test_system_dirs_follow_xdg_config_dirs_lowest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_DIRS", "/etc/office:relative:/etc/xdg:/etc/office")
    assert site_config_dirs() == [Path("/etc/xdg/microbreak"), Path("/etc/office/microbreak")]
    assert site_config_files()[-1] == Path("/etc/office/microbreak/config.toml")


def test_system_dirs_default_to_etc_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_DIRS", raising=False)
    assert site_config_dirs() == [Path("/etc/xdg/microbreak")]


# -- precedence, in-process --------------------------------------------------------------------

LAYERS = ("default", "system", "user", "environment", "command line")


@pytest.mark.parametrize("top", LAYERS, ids=LAYERS)
@pytest.mark.parametrize(
    ("key", "env", "values"),
    [
        ("min_interval", "MICROBREAK_MIN_INTERVAL", ("30m", "21m", "22m", "23m", "24m")),
        (
            "notification.timeout",
            "MICROBREAK_NOTIFICATION__TIMEOUT",
            ("20s", "31s", "32s", "33s", "34s"),
        ),
    ],
    ids=["top-level", "nested"],
)
def test_each_layer_beats_the_ones_below(
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
    top: str,
    key: str,
    env: str,
    values: tuple[str, ...],
) -> None:
    """Set the key in every layer up to ``top``: the value and its origin are ``top``'s."""
    level = LAYERS.index(top)
    table, _, leaf = key.rpartition(".")
    header = f"[{table}]\n" if table else ""
    if level >= 1:
        home.write(home.system, f'{header}{leaf} = "{values[1]}"\n')
    if level >= 2:
        home.write(home.user, f'{header}{leaf} = "{values[2]}"\n')
    if level >= 3:
        monkeypatch.setenv(env, values[3])
    overrides = {key: values[4]} if level >= 4 else None

    loaded = config.load(overrides=overrides)

    settings: object = loaded.settings
    for part in key.split("."):
        settings = getattr(settings, part)
    assert config.describe(loaded.settings).count(f'{leaf} = "{values[level]}"') == 1
    assert isinstance(settings, timedelta)
    origin = loaded.origin(key)
    assert origin.kind == top
    expected = {
        "default": "default",
        "system": str(home.system),
        "user": str(home.user),
        "environment": f"environment {env}",
        "command line": "command line",
    }[top]
    assert origin.label == expected


def test_tables_merge_key_by_key(home: Home) -> None:
    home.write(home.system, '[notification]\nsound = true\ntimeout = "40s"\n')
    home.write(home.user, '[notification]\ntimeout = "10s"\n')
    loaded = config.load()
    assert loaded.settings.notification.sound is True  # kept from the system file
    assert loaded.settings.notification.timeout == timedelta(seconds=10)
    assert loaded.origin("notification.sound").label == str(home.system)
    assert loaded.origin("notification.timeout").label == str(home.user)
    assert loaded.system_files == (home.system,)


def test_a_variable_table_merges_too(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    home.write(home.system, '[notification]\nsound = true\ntimeout = "40s"\n')
    monkeypatch.setenv("MICROBREAK_NOTIFICATION", '{"timeout": "5s"}')
    loaded = config.load()
    assert loaded.settings.notification.sound is True
    assert loaded.settings.notification.timeout == timedelta(seconds=5)
    assert (
        str(loaded.origin("notification.timeout")) == "environment variable MICROBREAK_NOTIFICATION"
    )


def test_lists_are_replaced_whole(home: Home) -> None:
    home.write(home.system, 'snooze_choices = ["5m", "10m", "15m", "20m"]\n')
    home.write(home.user, 'snooze_choices = ["7m"]\n')
    assert config.load().settings.snooze_choices == [timedelta(minutes=7)]


def test_the_first_xdg_config_dir_wins(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    high, low = home.root / "high", home.root / "low"
    home.write(high / "microbreak" / "config.toml", 'morning = "07:00"\n')
    home.write(low / "microbreak" / "config.toml", 'morning = "06:00"\nnatural_break = "9m"\n')
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{high}:{low}")
    loaded = config.load()
    assert loaded.settings.morning.strftime("%H:%M") == "07:00"
    assert loaded.settings.natural_break == timedelta(minutes=9)
    assert loaded.system_files == (
        low / "microbreak" / "config.toml",
        high / "microbreak" / "config.toml",
    )


def test_explicit_file_replaces_only_the_user_layer(home: Home, tmp_path: Path) -> None:
    home.write(home.system, "[notification]\nsound = true\n")
    home.write(home.user, 'morning = "06:30"\n')  # not read: --config names another file
    other = home.write(tmp_path / "other.toml", 'natural_break = "11m"\n')
    loaded = config.load(other)
    assert loaded.path == other and loaded.exists
    assert loaded.settings.notification.sound is True
    assert loaded.settings.natural_break == timedelta(minutes=11)
    assert loaded.settings.morning.strftime("%H:%M") == "08:00"


def test_backwards_compatible_results(home: Home) -> None:
    loaded = config.load()
    assert loaded.settings == config.Settings()
    assert loaded.path == home.user and not loaded.exists
    assert loaded.origins == {}
    # A Loaded built the old way still makes a Runtime (the built-in exercises only).
    old = config.Loaded(config.Settings(), home.user, False)
    assert config.runtime(old).exercise_dirs == ()
    runtime = config.runtime(loaded, tray=False)
    assert Runtime.from_json(runtime.to_json()) == runtime
    assert runtime.exercise_dirs == tuple(str(d) for d in loaded.exercise_dirs)


# -- problems name their layer -----------------------------------------------------------------


def test_problem_in_the_system_file_names_it(home: Home) -> None:
    home.write(home.system, 'min_intervl = "5m"\n')
    home.write(home.user, 'natural_break = "4m"\n')
    line = one_problem(home.cli("config", "check"))
    assert line == f'{home.system}: min_intervl: unknown key (did you mean "min_interval"?)'


def test_syntax_error_in_the_system_file_names_it(home: Home) -> None:
    home.write(home.system, 'min_interval = "30m\n')
    line = one_problem(home.cli("config", "check"))
    assert line.startswith(f"{home.system}: line 1, column 20: TOML syntax error")


@pytest.mark.parametrize(
    ("language", "says"), [("en", "is not a file"), ("de", "ist keine Datei")], ids=["en", "de"]
)
def test_a_system_file_that_is_a_folder_is_said_in_the_users_language(
    home: Home, language: str, says: str
) -> None:
    home.system.mkdir(parents=True)
    line = one_problem(home.cli("config", "check", env={"LANGUAGE": language}))
    assert line == f"{home.system}: {says}"


def test_problem_in_the_user_file_names_the_user_file(home: Home) -> None:
    home.write(home.system, '[notification]\ntimeout = "40s"\n')
    home.write(home.user, '[notification]\nsound = "loud"\n')
    line = one_problem(home.cli("config", "check"))
    assert line.startswith(f"{home.user}: notification.sound: ")


def test_problem_in_a_variable_names_the_variable(home: Home) -> None:
    home.write(home.system, 'min_interval = "20m"\n')
    line = one_problem(home.cli("config", "check", env={"MICROBREAK_MIN_INTERVAL": "soon"}))
    assert line.startswith("environment variable MICROBREAK_MIN_INTERVAL: min_interval: ")


def test_problem_in_an_override_names_the_command_line(home: Home) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(overrides={"min_interval": "soon", "notification.colour": "red"})
    assert info.value.problems[0].startswith('command line: min_interval: "soon" is not ')
    assert info.value.problems[1].startswith("command line: notification.colour: unknown key")


def test_bounds_across_layers_name_both(home: Home) -> None:
    home.write(home.system, 'max_interval = "40m"\n')
    home.write(home.user, 'min_interval = "50m"\n')
    line = one_problem(home.cli("config", "check"))
    assert line.startswith(f"{home.user}: min_interval: 50m is longer than max_interval 40m")
    assert line.endswith(f"(max_interval comes from {home.system})")


def test_a_check_across_keys_blames_the_layer_that_set_the_table(home: Home) -> None:
    home.write(home.system, '[exercises]\ninclude = ["bridge"]\n')
    home.write(home.user, '[exercises]\nexclude = ["bridge"]\n')
    line = one_problem(home.cli("config", "check"))
    assert line.startswith(f"{home.user}: exercises.exclude: these settings leave no exercise")


def test_a_value_overridden_above_is_not_checked(home: Home) -> None:
    """Only the effective settings are validated; an unknown key is always reported."""
    home.write(home.system, 'min_interval = "soon"\n')
    home.write(home.user, 'min_interval = "25m"\n')
    assert 'min_interval = "25m"' in ok(home.cli("config", "check"))


# -- through the real command line -------------------------------------------------------------


def test_precedence_through_the_command_line(home: Home) -> None:
    home.write(
        home.system,
        'min_interval = "21m"\nmax_interval = "51m"\nmorning = "07:00"\n'
        '[notification]\nsound = true\ntimeout = "41s"\n',
    )
    home.write(home.user, 'max_interval = "52m"\n[notification]\ntimeout = "12s"\n')
    out = ok(home.cli("config", "check", env={"MICROBREAK_MIN_INTERVAL": "23m"}))
    assert out.startswith(f"# {home.user}: OK\n")
    for line in (
        'min_interval = "23m"',
        'max_interval = "52m"',
        'morning = "07:00"',
        'timeout = "12s"',
        "sound = true",
    ):
        assert line in out.splitlines(), (line, out)


def test_config_option_keeps_the_system_layer(home: Home) -> None:
    home.write(home.system, "[notification]\nsound = true\n")
    home.write(home.user, 'morning = "06:30"\n')
    other = home.write(home.root / "other.toml", 'morning = "09:15"\n')
    for how in (["--config", str(other)], []):
        env = {} if how else {"MICROBREAK_CONFIG": str(other)}
        out = ok(home.cli("config", "check", *how, env=env))
        assert 'morning = "09:15"' in out
        assert "sound = true" in out


def test_show_sources_names_every_layer(home: Home) -> None:
    home.write(home.system, 'min_interval = "21m"\n[notification]\nsound = true\n')
    home.write(home.user, 'max_interval = "52m"\n[notification]\ntimeout = "12s"\n')
    out = ok(home.cli("config", "show", "--sources", env={"MICROBREAK_MORNING": "07:45"}))
    header = out.splitlines()[0]
    assert header == (f"# lowest first: default < {home.system} < {home.user} < environment"), (
        header
    )
    rows = sources(out)
    assert rows["min_interval"] == ('"21m"', str(home.system))
    assert rows["max_interval"] == ('"52m"', str(home.user))
    assert rows["morning"] == ('"07:45"', "environment MICROBREAK_MORNING")
    assert rows["notification.sound"] == ("true", str(home.system))
    assert rows["notification.timeout"] == ('"12s"', str(home.user))
    assert rows["natural_break"] == ('"5m"', "default")
    # Every setting is there, aligned: the values and the sources start in one column each.
    assert set(rows) == every_key()
    lines = out.splitlines()[1:]
    assert len({line.index(" = ") for line in lines}) == 1
    assert len({line.index("  # ") for line in lines}) == 1


def test_show_sources_without_any_file(home: Home) -> None:
    out = ok(home.cli("config", "show", "--sources"))
    assert out.splitlines()[0] == f"# lowest first: default < {home.user} (not there)"
    assert {source for _, source in sources(out).values()} == {"default"}


def test_show_without_sources_prints_the_settings(home: Home) -> None:
    home.write(home.system, 'morning = "07:00"\n')
    out = ok(home.cli("config", "show"))
    assert out == config.describe(config.load().settings) + "\n"
    assert 'morning = "07:00"' in out


def test_show_fails_like_check(home: Home) -> None:
    home.write(home.system, "spam = 1\n")
    line = one_problem(home.cli("config", "show", "--sources"))
    assert line.startswith(f"{home.system}: spam: unknown key")


def test_config_check_json_prints_the_one_record(tmp_path: Path) -> None:
    """``config check --json`` is the validated settings as the daemon's record, and documented."""
    user = tmp_path / "config" / "microbreak" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('min_interval = "40m"\nmorning = "7:30"\n[notification]\nsound = true\n')
    env = {"XDG_CONFIG_DIRS": str(tmp_path / "xdg")}
    out = ok(run(tmp_path, "config", "check", "--json", env=env))
    assert out.count("\n") == 1
    record = Runtime.from_json(out)
    assert (record.min_interval, record.morning, record.sound) == (2400.0, "07:30:00", True)
    assert record.policy().min_interval == timedelta(minutes=40)
    assert (record.config_path, record.config_exists) == (str(user), True)
    assert json.loads(out)["notification"] == {"timeout": 20.0, "sound": True}
    help_text = ok(run(tmp_path, "config", "check", "--help", env=env))
    assert "--json" in help_text and "the record the daemon runs on" in " ".join(help_text.split())
    bad = run(tmp_path, "config", "check", "--runtime-json", env=env)
    assert bad.returncode == 2
    assert (record.tray, record.verbose) == (True, False)
    # With the options `run` takes, the record `run` with them would start.
    options = Runtime.from_json(ok(run(tmp_path, "--no-tray", "-v", "config", "check", "--json")))
    assert (options.tray, options.verbose) == (False, True)


def test_the_record_holds_every_setting_under_its_own_name() -> None:
    """The record is the model's JSON form: a setting added to one is in the other."""
    names = {f.name for f in fields(Runtime)} - {
        "config_path",
        "config_exists",
        "exercise_dirs",
        "tray",
        "verbose",
    }
    assert names == set(config.Settings.model_fields)
    record = config.runtime(config.Loaded(config.Settings(), Path("x.toml"), False))
    assert record.snoozes() == tuple(config.Settings().snooze_choices)
    assert record.selection() == config.Settings().exercises.selection()
    assert record.work_week() is None
    work = {"enabled": True, "days": ["mon", "Tuesday"], "by_day": {"tue": ["10:00-12:00"]}}
    settings = config.Settings.model_validate({"work_hours": work})
    record = config.runtime(config.Loaded(settings, Path("x.toml"), False))
    assert record.work_week() == WorkWeek.parse([["09:00-17:30"], ["10:00-12:00"]] + [[]] * 5)
