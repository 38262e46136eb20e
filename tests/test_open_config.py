"""Open config file: the app hands the file in use to the editor adapter, which creates it from
the documented example when missing and hands it to the desktop's opener."""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

import pytest

from microbreak.adapters.editor import SystemEditor
from microbreak.app import App
from microbreak.core.exercises import CATALOG

from .fakes import (
    FakeClock,
    RecordingEditor,
    RecordingNotifier,
    fake_ports,
    scenario_settings,
)

EXAMPLE = Path(__file__).parents[1] / "config.example.toml"


def test_the_tray_entry_opens_the_config_file_in_use() -> None:
    clock, editor = FakeClock(), RecordingEditor()
    settings = scenario_settings(config_path="/home/me/.config/microbreak/config.toml")
    app = App(settings, CATALOG, fake_ports(clock, editor=editor))
    app.open_config()
    assert editor.opened == [Path("/home/me/.config/microbreak/config.toml")]


@pytest.fixture
def opener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``xdg-open`` on PATH that records what it was asked to open."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    record = tmp_path / "opened.txt"
    script = bindir / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return record


def wait_for(path: Path) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"{path} was never written")


def test_missing_file_is_created_from_the_example_and_opened(tmp_path: Path, opener: Path) -> None:
    problems: list[str] = []
    target = tmp_path / "conf" / "microbreak" / "config.toml"
    SystemEditor().open(target, problems.append)
    assert target.read_text() == EXAMPLE.read_text()
    assert wait_for(opener).strip() == str(target)
    assert problems == []


def test_existing_file_is_opened_untouched(tmp_path: Path, opener: Path) -> None:
    problems: list[str] = []
    target = tmp_path / "config.toml"
    target.write_text('min_interval = "40m"\n')
    SystemEditor().open(target, problems.append)
    assert wait_for(opener).strip() == str(target)
    assert target.read_text() == 'min_interval = "40m"\n'


def test_the_openers_output_stays_out_of_the_daemons_stderr(
    tmp_path: Path, opener: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    script = Path(os.environ["PATH"].split(os.pathsep)[0]) / "xdg-open"
    script.write_text(
        "#!/bin/sh\necho 'Gtk-WARNING: editor noise' >&2\necho 'editor chatter'\n"
        f'printf "%s\\n" "$@" > "{opener}"\n'
    )
    target = tmp_path / "config.toml"
    target.write_text("")
    problems: list[str] = []
    SystemEditor().open(target, problems.append)
    assert wait_for(opener).strip() == str(target)
    # The opener wrote its noise before the record: whatever reached our stderr is there.
    out, err = capfd.readouterr()
    assert "noise" not in err and "chatter" not in out, (out, err)


def test_an_opener_that_fails_is_logged_and_told(
    tmp_path: Path, opener: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger("microbreak"), "propagate", True)
    script = Path(os.environ["PATH"].split(os.pathsep)[0]) / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{opener}"\nexit 4\n')
    target = tmp_path / "config.toml"
    target.write_text("")
    problems: list[str] = []
    with caplog.at_level(logging.WARNING, logger="microbreak"):
        SystemEditor().open(target, problems.append)
        wait_for(opener)
        deadline = time.monotonic() + 5
        while not problems and time.monotonic() < deadline:
            time.sleep(0.02)
    assert f"could not open {target} (exit code 4)" in caplog.text
    assert problems == [f"xdg-open could not open {target} (exit code 4)"]


def test_without_an_opener_the_user_is_told_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the tray's entry does when nothing can open the file: a notification says why."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no xdg-open anywhere
    clock = FakeClock()
    notifier = RecordingNotifier(clock)
    target = tmp_path / "config.toml"
    settings = scenario_settings(config_path=str(target))
    ports = fake_ports(clock, notifier=notifier, editor=SystemEditor())
    App(settings, CATALOG, ports).open_config()
    (message,) = [m for _, m in notifier.shown]
    assert message.title == "Microbreak: cannot open the config file"
    assert message.body == f"cannot open {target}: xdg-open is not installed"
