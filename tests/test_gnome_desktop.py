"""The real daemon on GNOME Shell: its tray icon through the AppIndicator extension, and natural
breaks seen by Mutter's own idle monitor.

Ubuntu's GNOME (and KDE, waybar) show tray icons only as StatusNotifier items; Debian's and
Fedora's GNOME only with the AppIndicator extension. Here the extension runs in a real headless
shell, and the daemon, started as a user starts it (with its tray), must put its icon in the top
bar with a working menu. On GNOME under Wayland only Mutter knows how long the user has been
idle: the daemon reads it from ``org.gnome.Mutter.IdleMonitor``, and input injected through
``org.gnome.Mutter.RemoteDesktop`` is real input to Mutter.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from microbreak.adapters.idle import GnomeIdle, choose

from .desktop import wait_until
from .gnome_shell import GnomeShell, daemon_env, keep_for_readme
from .headless import (
    SLACK,
    Daemon,
    cli,
    now,
    private_runtime_dir,
    running,
    status,
    when,
)

pytestmark = pytest.mark.desktop

ASSETS = Path(__file__).resolve().parent.parent / "assets"
#: The right end of a 1280x800 screen's top bar and the menu that opens below it.
README_TRAY_AREA = (760, 0, 1280, 330)


@contextlib.contextmanager
def with_tray(shell: GnomeShell, env: dict[str, str]) -> Iterator[Daemon]:
    """``microbreak --verbose`` with its tray icon, as a user starts it; stopped by its handle,
    and its log must hold no traceback."""
    proc = shell.spawn(
        [sys.executable, "-m", "microbreak", "--verbose"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    daemon = Daemon(proc, shell.watch_output(proc, "stderr"), env)
    try:
        daemon.wait_ready()
        yield daemon
    finally:
        shell.stop(proc, timeout=5.0)
    assert not daemon.lines("Traceback"), "\n".join(daemon.log.lines())


def totals(env: dict[str, str]) -> dict[str, Any]:
    """``microbreak stats --json``'s totals."""
    result = cli(env, "stats", "--json")
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)["totals"]
    return found


def rgb_counts(image: Image.Image) -> Counter[tuple[int, int, int]]:
    """How many pixels of each colour ``image`` has (transparent ones left out)."""
    rgba = image.convert("RGBA")
    pixels: list[tuple[int, int, int, int]] = [
        rgba.getpixel((x, y))  # type: ignore[misc]
        for y in range(rgba.height)
        for x in range(rgba.width)
    ]
    return Counter((r, g, b) for r, g, b, a in pixels if a == 255)


def icon_colour() -> tuple[int, int, int]:
    """The main colour of the running tray icon (its disc)."""
    with Image.open(ASSETS / "tray-running.png") as image:
        ((colour, _count),) = rgb_counts(image).most_common(1)
    return colour


def coloured(image: Image.Image, colour: tuple[int, int, int], slack: int = 24) -> int:
    """How many pixels of ``image`` are within ``slack`` of ``colour`` on every channel."""
    return sum(
        count
        for pixel, count in rgb_counts(image).items()
        if all(abs(p - c) <= slack for p, c in zip(pixel, colour, strict=True))
    )


def test_the_tray_icon_shows_in_the_top_bar_and_its_menu_works(
    shell: GnomeShell, tmp_path: Path
) -> None:
    shell.enable_appindicator()
    teal = icon_colour()
    with Image.open(shell.screenshot(tmp_path / "before.png")) as before:
        assert coloured(before.crop((0, 0, 1280, 32)), teal) == 0  # the bar has no icon of ours
    with private_runtime_dir() as runtime:
        env = daemon_env(shell, tmp_path, runtime)
        with with_tray(shell, env) as daemon:
            assert "tray: appindicator (StatusNotifier host found)" in daemon.wait_log("tray: ")
            daemon.wait_log("tray icon shown (appindicator backend)")
            key = shell.indicator("microbreak")

            # The icon, drawn by the shell in the top bar, where the extension put it (the
            # extension loads the picture after it placed the button: look until it shows).
            shots = iter(range(1000))

            def drawn() -> tuple[int, int] | None:
                box = shell.indicator_box(key)
                if box is None:
                    return None
                left, _top, right, bottom = box
                with Image.open(shell.screenshot(tmp_path / f"bar-{next(shots)}.png")) as shot:
                    ours = coloured(shot.crop((left, 0, right, 32)), teal)
                    elsewhere = coloured(shot.crop((0, 0, 1280, 32)), teal) - ours
                return (left, right) if bottom <= 32 and ours > 40 and not elsewhere else None

            place = wait_until(drawn, 10.0, "our icon in a screenshot of the top bar")
            assert place is not None and place[1] - place[0] >= 16, place

            # The menu, built by the shell from our DBusMenu: the status line first.
            wait_until(
                lambda: "Take a break now" in shell.menu_labels(key),
                10.0,
                lambda: f"the menu's entries; it holds {shell.menu_labels(key)}",
            )
            labels = shell.menu_labels(key)
            line = status(env)["line"]  # "Next break in 41 min (05:31)"
            due = line.rsplit("(", 1)[1].rstrip(")")
            assert labels[0] == f"Next break at {due}", labels
            assert labels[1:5] == ["Take a break now", "Snooze", "Pause", "Resume"], labels
            shell.open_menu(key)
            # The README's picture: the top bar's right end, with the open menu.
            keep_for_readme(shell.screenshot(tmp_path / "gnome-tray.png"), README_TRAY_AREA)
            shell.open_menu(key, False)

            # "Take a break now", clicked in the shell's menu: a reminder in the message tray.
            shell.activate(key, "Take a break now")
            name = daemon.wait_log("reminder: Microbreak: ").split("Microbreak: ", 1)[1]
            note = shell.wait_notification(f"Microbreak: {name}")
            assert note.actions == ("Done", "Snooze 5 min", "Skip")
            assert status(env)["unanswered"] == name
            assert totals(env)["reminders"] == 1

            # The menu follows: it offers Done for that reminder, which answers it.
            wait_until(
                lambda: f"Done: {name}" in shell.menu_labels(key),
                10.0,
                lambda: f"'Done: {name}' in the menu; it holds {shell.menu_labels(key)}",
            )
            shell.activate(key, f"Done: {name}")
            daemon.wait_log(f"done: {name}")
            wait_until(lambda: not shell.notifications(), 5.0, "the reminder to leave")
            assert status(env)["unanswered"] is None
            assert (totals(env)["reminders"], totals(env)["done"]) == (1, 1)
    # Gone with the daemon.
    wait_until(lambda: key not in shell.status_area(), 10.0, "the icon to leave the top bar")


def test_the_idle_backend_reads_mutters_idle_time_and_real_input_resets_it(
    shell: GnomeShell,
) -> None:
    env = {**shell.env, "XDG_SESSION_TYPE": "wayland"}
    detector, why = choose(env, "linux")
    try:
        assert why is None and isinstance(detector, GnomeIdle), why
        shell.nudge()
        first = detector.idle_seconds()
        assert first is not None
        grown = wait_until(
            lambda: (idle := detector.idle_seconds() or 0.0) >= first + 1.0 and idle,
            10.0,
            lambda: f"the idle time to grow from {first} s (now {detector.idle_seconds()} s)",
        )
        shell.nudge()
        reset = detector.idle_seconds()
        assert reset is not None and reset < grown - 0.5, (first, grown, reset)
    finally:
        detector.close()


def test_mutters_idle_time_drives_a_natural_break_through_the_daemon(
    shell: GnomeShell, tmp_path: Path
) -> None:
    # natural_break's smallest value is one second, for anyone: 2s keeps the test short.
    shell.nudge()
    with private_runtime_dir() as runtime:
        env = daemon_env(shell, tmp_path, runtime, detect_idle="true", natural_break="2s")
        with running(env) as daemon:
            daemon.wait_log("idle detection: gnome")
            # No input: Mutter's idle time passes 2 s and the daemon sees the user away.
            away = wait_until(
                lambda: (line := status(env)["line"]).startswith("Away since") and line,
                15.0,
                lambda: f"the status to say away; it says {status(env)['line']!r}",
            )
            assert away.endswith(": a natural break"), away
            assert totals(env)["natural_breaks"] == 0  # not until the user is back

            # Input through RemoteDesktop: Mutter's idle time drops, the user is back.
            shell.nudge()
            touched = now()
            back = daemon.wait_log("away counts as a natural break", timeout=10.0)
            assert "welcome back: " in back
            after = status(env)
            assert after["mode"] == "running" and after["line"].startswith("Next break in"), after
            # A fresh interval (30 min at least) from the return, not the old due time.
            assert when(after["due"]) >= touched + timedelta(minutes=30) - SLACK, after
            assert totals(env)["natural_breaks"] == 1
