"""GNOME's own movement breaks (GNOME 48+): ``doctor`` and the daemon say when they are on.

Debian 12's GNOME 43 has no ``org.gnome.desktop.break-reminders`` schema, so the tests compile
one into a private GSETTINGS_SCHEMA_DIR, with the key's default as GNOME would hold it, and run
the real ``doctor`` and daemon as subprocesses (GSettings reads that directory once per process).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from microbreak.adapters.gnome_breaks import KEY, SCHEMA

from .cli_run import PREFIX, run
from .headless import headless_env, private_runtime_dir, running

_SCHEMA_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<schemalist>
  <schema id="{SCHEMA}" path="/org/gnome/desktop/break-reminders/">
    <key name="{KEY}" type="as"><default>%s</default></key>
  </schema>
</schemalist>
"""


def schema_dir(tmp_path: Path, selected: str) -> Path:
    """A compiled schema dir whose ``selected-breaks`` defaults to ``selected`` (GVariant)."""
    tool = shutil.which("glib-compile-schemas")
    if tool is None:
        pytest.skip("glib-compile-schemas is not installed (Debian: libglib2.0-bin)")
    folder = tmp_path / f"schemas-{abs(hash(selected))}"
    folder.mkdir()
    (folder / f"{SCHEMA}.gschema.xml").write_text(_SCHEMA_XML % selected)
    subprocess.run([tool, str(folder)], check=True)
    return folder


def gnome_check(
    tmp_path: Path, schemas: Path | None, extra: dict[str, str] | None = None
) -> dict[str, object]:
    """The doctor's "GNOME breaks" row, from ``microbreak doctor --json``."""
    env = headless_env(
        tmp_path / "home", tmp_path, {"GSETTINGS_BACKEND": "memory", **(extra or {})}
    )
    if schemas is not None:
        env["GSETTINGS_SCHEMA_DIR"] = str(schemas)
    result = subprocess.run(
        [sys.executable, "-m", "microbreak", "doctor", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    checks = json.loads(result.stdout)["checks"]
    (row,) = [c for c in checks if c["name"] == "GNOME breaks"]
    found: dict[str, object] = row
    return found


def test_doctor_says_when_gnomes_movement_breaks_are_on(tmp_path: Path) -> None:
    row = gnome_check(tmp_path, schema_dir(tmp_path, "['eyesight', 'movement']"))
    assert (row["status"], row["needed"]) == ("warn", False)
    assert "movement breaks are on" in str(row["detail"])
    assert "choose one" in str(row["fix"]) and SCHEMA in str(row["fix"])


def test_doctor_is_quiet_when_they_are_off(tmp_path: Path) -> None:
    row = gnome_check(tmp_path, schema_dir(tmp_path, "['eyesight']"))
    assert (row["status"], row["detail"]) == ("info", "GNOME's movement breaks are off")


def test_doctor_without_the_schema(tmp_path: Path) -> None:
    empty = tmp_path / "no-schemas"
    empty.mkdir()
    row = gnome_check(tmp_path, empty)
    assert row["status"] == "info"
    assert f"no {SCHEMA} schema" in str(row["detail"])


@pytest.mark.parametrize(("selected", "said"), [("['movement']", 1), ("@as []", 0)])
def test_the_daemon_says_so_once_at_start(tmp_path: Path, selected: str, said: int) -> None:
    schemas = schema_dir(tmp_path, selected)
    with private_runtime_dir() as runtime:
        extra = {"GSETTINGS_SCHEMA_DIR": str(schemas), "GSETTINGS_BACKEND": "memory"}
        env = headless_env(tmp_path / "home", runtime, extra)
        with running(env) as daemon:
            daemon.wait_log("started; ")
            lines = daemon.lines("GNOME's own movement breaks are on")
            assert len(lines) == said, lines


QUIET = "gnome_breaks_warning = false\n"


def said_at_start(tmp_path: Path, selected: str, config: str | None) -> list[str]:
    """The daemon's start-up lines about GNOME's breaks, with ``config`` as its config file."""
    schemas = schema_dir(tmp_path, selected)
    home = tmp_path / "home"
    args: list[str] = []
    if config is not None:
        path = home / "microbreak.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config)
        args = ["--config", str(path)]
    with private_runtime_dir() as runtime:
        extra = {"GSETTINGS_SCHEMA_DIR": str(schemas), "GSETTINGS_BACKEND": "memory"}
        env = headless_env(home, runtime, extra)
        with running(env, *args) as daemon:
            daemon.wait_log("started; ")
            return daemon.lines("GNOME's own movement breaks are on")


def test_the_start_up_line_says_how_to_keep_both(tmp_path: Path) -> None:
    (line,) = said_at_start(tmp_path, "['movement']", "gnome_breaks_warning = true\n")
    assert "two reminders to move" in line
    assert "set gnome_breaks_warning = false in the config" in line


def test_the_user_who_keeps_both_is_not_told_at_start(tmp_path: Path) -> None:
    assert said_at_start(tmp_path, "['movement']", QUIET) == []


def test_doctor_still_reports_them_when_the_start_up_line_is_off(tmp_path: Path) -> None:
    row = gnome_check(
        tmp_path,
        schema_dir(tmp_path, "['movement']"),
        {"MICROBREAK_GNOME_BREAKS_WARNING": "false"},
    )
    assert (row["status"], row["needed"]) == ("warn", False)
    assert "movement breaks are on" in str(row["detail"])


@pytest.mark.parametrize(
    ("text", "got"),
    [('gnome_breaks_warning = "maybe"\n', '"maybe"'), ("gnome_breaks_warning = 2.5\n", "2.5")],
)
def test_a_wrong_value_is_one_clear_line(tmp_path: Path, text: str, got: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    result = run(tmp_path, "config", "check", "--config", str(path))
    assert result.returncode == 2 and result.stdout == "", result
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{PREFIX}{path}: gnome_breaks_warning: "), line
    assert f"got {got}; expected true or false" in line, line
    assert path.read_text() == text  # nothing lost
