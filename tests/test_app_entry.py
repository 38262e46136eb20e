"""The application entry that lets the desktop name our notifications (``desktop-entry`` hint).

Written by the daemon at start into ``$XDG_DATA_HOME/applications``, with the autostart
entry's own writer: valid, written once, brought up to date, and a user's own file left alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from microbreak.adapters.notify.freedesktop import DESKTOP_ENTRY
from microbreak.usecases import autostart

from .test_autostart import keys, validate_desktop_file


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def test_written_where_the_hint_points_and_valid(data_home: Path) -> None:
    said = autostart.install_app_entry()
    path = data_home / "applications" / f"{DESKTOP_ENTRY}.desktop"
    assert said == f"wrote the application entry: {path}"
    validate_desktop_file(path)
    found = keys(path)
    assert found["Name"] == "microbreak"
    assert found["X-GNOME-UsesNotifications"] == "true"
    assert Path(found["Icon"]).is_file()
    assert "X-GNOME-Autostart-enabled" not in found  # that one is the autostart entry's


def test_written_once_and_brought_up_to_date(data_home: Path) -> None:
    autostart.install_app_entry()
    path = autostart.app_entry_path()
    assert autostart.install_app_entry() is None  # up to date: nothing written
    path.write_text(path.read_text().replace("Name=microbreak", "Name=old"))
    assert autostart.install_app_entry() == f"updated the application entry: {path}"
    assert path.read_bytes() == autostart.app_entry()


def test_a_users_own_file_is_left_alone(data_home: Path) -> None:
    path = autostart.app_entry_path()
    path.parent.mkdir(parents=True)
    mine = "[Desktop Entry]\nType=Application\nName=my microbreak\nExec=true\n"
    path.write_text(mine)
    assert autostart.install_app_entry() == f"left alone: {path} was not written by microbreak"
    assert path.read_text() == mine
