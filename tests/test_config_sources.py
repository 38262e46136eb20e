"""pydantic-settings reads the layers; ``config`` keeps the merge, the provenance and the messages.

If ``config`` went back to reading files and variables itself, the spies below would see nothing
and the case-insensitive keys inside a JSON table would become unknown keys. The sources are
pydantic-settings' public classes, used through their constructors: no subclass, no private name.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import (
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    TomlConfigSettingsSource,
)

from microbreak.errors import ConfigError
from microbreak.settings import config

from .cli_run import isolate_config, ok, run


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The system file and the user file of a private config, no MICROBREAK_* from outside."""
    isolate_config(tmp_path, monkeypatch)
    system = tmp_path / "xdg" / "microbreak" / "config.toml"
    user = tmp_path / "config" / "microbreak" / "config.toml"
    return system, user


def test_every_layer_comes_from_a_pydantic_settings_source(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the sources return is merged: a value a spy adds shows up, with its layer."""
    system, user = files
    write(system, 'min_interval = "21m"\n[notification]\nsound = true\n')
    write(user, 'max_interval = "52m"\n')
    monkeypatch.setenv("MICROBREAK_MORNING", "07:45")
    monkeypatch.setenv("MICROBREAK_NOTIFICATION__TIMEOUT", "12s")
    read_files: list[Path] = []
    read_variables: list[dict[str, Any]] = []
    toml_call = TomlConfigSettingsSource.__call__
    env_call = EnvSettingsSource.__call__

    def toml_spy(self: TomlConfigSettingsSource) -> dict[str, Any]:
        assert isinstance(self.toml_file_path, Path)
        read_files.append(self.toml_file_path)
        data = toml_call(self)
        return {**data, "daily_goal": 7} if self.toml_file_path == user else data

    def env_spy(self: EnvSettingsSource) -> dict[str, Any]:
        assert (self.env_prefix, self.env_nested_delimiter) == ("MICROBREAK_", "__")
        assert self.case_sensitive is False
        data = env_call(self)
        read_variables.append(data)
        return data

    monkeypatch.setattr(TomlConfigSettingsSource, "__call__", toml_spy)
    monkeypatch.setattr(EnvSettingsSource, "__call__", env_spy)

    loaded = config.load()

    assert read_files == [system, user]
    # one source over the whole environment; which variable set what is ours to say
    assert read_variables == [{"morning": "07:45", "notification": {"timeout": "12s"}}]
    s = loaded.settings
    assert (s.min_interval, s.max_interval) == (timedelta(minutes=21), timedelta(minutes=52))
    assert s.notification.sound is True
    assert s.notification.timeout == timedelta(seconds=12)
    assert s.daily_goal == 7
    assert loaded.origin("daily_goal").label == str(user)
    assert loaded.origin("notification.sound").label == str(system)
    timeout = loaded.origin("notification.timeout")
    assert timeout.label == "environment MICROBREAK_NOTIFICATION__TIMEOUT"


def test_names_and_table_keys_in_any_case_through_the_command_line(tmp_path: Path) -> None:
    """pydantic-settings matches variable names, and the keys of a JSON table, in any case."""
    env = {
        "XDG_CONFIG_DIRS": str(tmp_path / "xdg"),
        "microbreak_notification__Timeout": "45s",
        "Microbreak_Exercises": '{"Positions": ["seated", "standing"]}',
    }
    out = ok(run(tmp_path, "config", "show", "--sources", env=env))
    rows = {}
    for line in out.splitlines()[1:]:
        key, _, rest = line.partition(" = ")
        value, _, source = rest.partition("  # ")
        rows[key.strip()] = (value.strip(), source.strip())
    timeout, positions = rows["notification.timeout"], rows["exercises.positions"]
    assert timeout == ('"45s"', "environment microbreak_notification__Timeout")
    assert positions == ('["seated", "standing"]', "environment Microbreak_Exercises")
    assert rows["notification.sound"] == ("false", "default")


def test_settings_alone_are_the_defaults_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROBREAK_MIN_INTERVAL", "23m")
    monkeypatch.setenv("MICROBREAK_NOTIFICATION__SOUND", "true")
    settings = config.Settings()
    assert settings.min_interval == timedelta(minutes=30)
    assert settings.notification.sound is False
    assert config.describe(settings) == config.describe(config.Settings.model_validate({}))


@pytest.mark.parametrize(
    ("variable", "value", "kind"),
    [
        ("MICROBREAK_EXERCISES__POSITIONS", "", 'a list like ["seated", "standing"]'),
        ("MICROBREAK_SNOOZE_CHOICES", "", 'a list like ["5m", "10m"]'),
        ("MICROBREAK_WORK_HOURS__BY_DAY", "{fri", 'a table like {"fri": ["09:00-13:00"]}'),
    ],
    ids=["empty-in-a-table", "empty", "broken-table"],
)
def test_a_variable_that_is_not_json_says_what_to_write(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, variable: str, value: str, kind: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        config.load()
    assert info.value.problems == [f"environment variable {variable}: not valid JSON; write {kind}"]


def test_a_file_that_is_not_utf8_names_the_file(files: tuple[Path, Path]) -> None:
    _, user = files
    user.parent.mkdir(parents=True)
    user.write_bytes(b'morning = "\xff"\n')
    with pytest.raises(ConfigError) as info:
        config.load()
    [problem] = info.value.problems
    assert problem == f"{user}: byte 12 is not UTF-8 text; TOML files are UTF-8: save it so"


def test_the_daemon_and_the_client_import_neither_pydantic_nor_the_config() -> None:
    code = (
        "import sys, json, microbreak.daemon, microbreak.client\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MICROBREAK_")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    loaded = set(json.loads(out.stdout))
    assert "microbreak.daemon" in loaded
    heavy = {"pydantic", "pydantic_core", "pydantic_settings"}
    assert not {m.split(".")[0] for m in loaded} & heavy
    assert "microbreak.settings.config" not in loaded


def test_the_sources_are_used_as_they_are_and_no_private_name_is_touched() -> None:
    """An override of a source's private hook (``_load_env_vars``) breaks on an upgrade."""
    for name, value in vars(config).items():
        if inspect.isclass(value) and value.__module__ == config.__name__:
            assert not issubclass(value, PydanticBaseSettingsSource), name
    tree = ast.parse(inspect.getsource(config))
    private = [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert private == []


def test_a_key_of_a_table_variable_is_overridden_by_its_own_variable(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The env source lays ``X__KEY`` over the table ``X``; each key names its own variable."""
    system, _ = files
    write(system, '[notification]\ntimeout = "40s"\n')
    monkeypatch.setenv("MICROBREAK_NOTIFICATION", '{"timeout": "5s", "sound": true}')
    monkeypatch.setenv("MICROBREAK_NOTIFICATION__TIMEOUT", "7s")
    loaded = config.load()
    assert loaded.settings.notification.timeout == timedelta(seconds=7)
    assert loaded.settings.notification.sound is True
    assert loaded.origin("notification.timeout").name == "MICROBREAK_NOTIFICATION__TIMEOUT"
    assert loaded.origin("notification.sound").name == "MICROBREAK_NOTIFICATION"
    assert loaded.environment == ("MICROBREAK_NOTIFICATION", "MICROBREAK_NOTIFICATION__TIMEOUT")
