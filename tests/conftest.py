"""Shared fixtures: a real test desktop for the end-to-end tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .desktop import NOTIFICATIONS_NAME, Desktop, make_desktop
from .gnome_shell import GnomeShell, running_shell

DESKTOP_TOOLS = ("Xvfb", "dbus-daemon", "dbus-monitor", "dunst", "trayer", "xdotool")


def _require_desktop_tools() -> None:
    """Skip on a developer machine without the desktop packages; in CI that is a failure."""
    missing = [tool for tool in DESKTOP_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    message = f"desktop tools missing: {', '.join(missing)} (see the README's test command)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def bare_desktop(tmp_path: Path) -> Iterator[Desktop]:
    """Xvfb and a private session bus, nothing else: tests add what they need."""
    _require_desktop_tools()
    with make_desktop(tmp_path) as desktop:
        yield desktop


@pytest.fixture
def desktop(bare_desktop: Desktop) -> Desktop:
    """A full test desktop: X server, session bus, notification server, XEmbed tray."""
    bare_desktop.start_notification_server()
    bare_desktop.start_tray_host()
    return bare_desktop


@pytest.fixture(scope="module")
def gnome_shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GnomeShell]:
    """A headless GNOME Shell on Wayland with its own buses, shared by one test module's tests
    (it takes about a second to start and 200 MB): a test cleans up what it added."""
    yield from running_shell(tmp_path_factory.mktemp("gnome-shell"))


@pytest.fixture
def shell(gnome_shell: GnomeShell) -> Iterator[GnomeShell]:
    """The module's shell, serving notifications itself, with an empty message tray before and
    after the test."""
    if not gnome_shell.name_has_owner(NOTIFICATIONS_NAME):
        gnome_shell.own_notifications()
    gnome_shell.clear_notifications()
    yield gnome_shell
    gnome_shell.clear_notifications()
