"""Done and Skip in the tray menu, and the tray following the CLI, on the real test desktop.

After a reminder the menu shows "Done: <exercise>" and "Skip it" until one of them (or `microbreak
done` / `skip`) answers it; the answer lands in the history that `microbreak stats` reads. A
change made from the command line shows in the tray icon at once, without waiting for a tick.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .desktop import (
    Desktop,
    NotifyMonitor,
    OutputLines,
    activate_menu_item,
    open_tray_menu,
    press_keys,
    screenshot,
    shown_windows_of_type,
    wait_docked,
    wait_menu_closed,
    wait_until,
    window_geometry,
)

pytestmark = pytest.mark.desktop

QUIET = {"MICROBREAK_MIN_INTERVAL": "30m", "MICROBREAK_MAX_INTERVAL": "1h"}
# Enabled menu entries while a reminder waits for an answer (the status line and Resume are
# disabled while running; "Done: X" and "Skip it" are shown after Resume).
TAKE_NOW, SNOOZE, PAUSE, DONE, SKIP, OPEN_CONFIG, QUIT = range(7)


@dataclass
class TrayDaemon:
    """The daemon with its tray, by handle, and its log lines."""

    proc: subprocess.Popen[bytes]
    log: OutputLines

    def wait_log(self, fragment: str, timeout: float = 10.0) -> str:
        return self.log.wait_for_line(lambda line: fragment in line, timeout)


@contextmanager
def tray_daemon(desktop: Desktop) -> Iterator[TrayDaemon]:
    """``microbreak`` with its tray on ``desktop``, stopped by its handle at the end."""
    proc = desktop.spawn(
        [sys.executable, "-m", "microbreak", "--verbose"],
        name="microbreak",
        extra_env=QUIET,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    log = desktop.watch_output(proc, "stderr")
    try:
        yield TrayDaemon(proc, log)
    finally:
        if proc.poll() is None:
            desktop.stop(proc)
    assert not any("Traceback" in line for line in log.lines()), "\n".join(log.lines())


def cli(desktop: Desktop, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI with the desktop's environment (same HOME, runtime dir and config)."""
    return subprocess.run(
        [sys.executable, "-m", "microbreak", *args],
        env={**desktop.env, **QUIET},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def today(desktop: Desktop) -> dict[str, Any]:
    """Today's counts from ``microbreak stats --json``."""
    result = cli(desktop, "stats", "--json")
    assert result.returncode == 0, result.stderr
    day: dict[str, Any] = json.loads(result.stdout)["per_day"][-1]
    return day


def test_done_and_skip_in_the_tray_menu_are_recorded(desktop: Desktop) -> None:
    with NotifyMonitor(desktop) as bus, tray_daemon(desktop) as d:
        window = wait_docked(desktop, timeout=10)
        d.wait_log("tray icon shown")
        open_tray_menu(desktop, window)
        activate_menu_item(desktop, TAKE_NOW)
        note = bus.wait_for(lambda n: n.app_name == "microbreak", timeout=10)
        name = note.summary.removeprefix("Microbreak: ")

        open_tray_menu(desktop, window)
        activate_menu_item(desktop, DONE)
        d.wait_log(f"done: {name}")
        counts = today(desktop)
        assert (counts["reminders"], counts["done"], counts["skipped"]) == (1, 1, 0)

        # Answered already: the CLI has nothing left to mark.
        again = cli(desktop, "done")
        assert again.returncode == 1
        assert "there is no reminder to mark as done" in again.stderr

        # The next reminder, from the CLI this time, skipped from the menu.
        assert cli(desktop, "now").returncode == 0
        second = bus.wait_for(lambda n: n.app_name == "microbreak", timeout=10, after=1)
        skipped = second.summary.removeprefix("Microbreak: ")
        open_tray_menu(desktop, window)
        activate_menu_item(desktop, SKIP)
        d.wait_log(f"skipped {skipped}")
        counts = today(desktop)
        assert (counts["reminders"], counts["done"], counts["skipped"]) == (2, 1, 1)
        assert json.loads(cli(desktop, "status", "--json").stdout)["unanswered"] is None


def _icon(desktop: Desktop, window: int, shot: Path) -> Image.Image:
    """The docked icon's pixels, cut from a screenshot of the whole screen."""
    x, y, width, height = window_geometry(desktop, window)
    with Image.open(screenshot(desktop, shot)) as image:
        return image.convert("RGB").crop((x, y, x + width, y + height))


def _colourful(image: Image.Image) -> int:
    """How many pixels are clearly coloured (not grey): the running icon is teal."""
    data = image.convert("RGB").tobytes()
    return sum(
        1 for i in range(0, len(data), 3) if max(data[i : i + 3]) - min(data[i : i + 3]) > 40
    )


def test_a_pause_from_the_cli_shows_in_the_tray_icon_at_once(
    desktop: Desktop, tmp_path: Path
) -> None:
    with tray_daemon(desktop) as d:
        window = wait_docked(desktop, timeout=10)
        d.wait_log("tray icon shown")
        shot = tmp_path / "screen.png"

        def drawn() -> Image.Image | None:
            icon = _icon(desktop, window, shot)
            return icon if _colourful(icon) > 50 else None

        before = wait_until(drawn, 5.0, "the teal running icon to be drawn")
        assert before is not None
        result = cli(desktop, "pause", "30m")
        assert result.returncode == 0, result.stderr

        def changed() -> Image.Image | None:
            icon = _icon(desktop, window, shot)
            return icon if icon.tobytes() != before.tobytes() else None

        after = wait_until(changed, 3.0, "the tray icon to change after `microbreak pause 30m`")
        assert after is not None
        # The paused icon is grey: hardly a coloured pixel left.
        assert _colourful(after) < _colourful(before) / 10, (_colourful(before), _colourful(after))
        assert json.loads(cli(desktop, "status", "--json").stdout)["mode"] == "paused"


def _close_menu(desktop: Desktop) -> None:
    press_keys(desktop, "Escape")
    wait_menu_closed(desktop)


def _on_screen(desktop: Desktop, window: int) -> bool:
    x, y, width, height = window_geometry(desktop, window)
    screen = desktop.xdisplay.screen()
    return (
        x >= 0
        and y >= 0
        and x + width <= screen.width_in_pixels
        and (y + height <= screen.height_in_pixels)
    )


def _work_on_another_day(desktop: Desktop) -> None:
    """Working hours on a day that is not today: the status line becomes "Outside working
    hours — next reminder Saturday 09:00", much longer than "Next break at 14:32"."""
    day = (datetime.now().astimezone() + timedelta(days=3)).strftime("%a").lower()
    config = Path(desktop.env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[work_hours]\nenabled = true\ndays = ["{day}"]\nhours = ["09:00-17:00"]\n')


def test_the_menu_fits_on_screen_the_first_time_after_the_status_line_grew(
    desktop: Desktop, tmp_path: Path
) -> None:
    with tray_daemon(desktop) as d:
        window = wait_docked(desktop, timeout=10)
        d.wait_log("tray: Next break at")
        menu = open_tray_menu(desktop, window)
        short = window_geometry(desktop, menu)
        _close_menu(desktop)

        _work_on_another_day(desktop)
        d.wait_log("tray: Outside working hours")

        menu = open_tray_menu(desktop, window)  # the first opening since the line grew
        x, y, width, height = window_geometry(desktop, menu)
        shot = screenshot(desktop, tmp_path / "menu.png")
        assert width > short[2], (short, (x, y, width, height))  # the long line is in it
        assert _on_screen(desktop, menu), f"menu at {(x, y, width, height)}; see {shot}"
        _close_menu(desktop)


def test_the_tray_windows_are_of_class_microbreak(desktop: Desktop) -> None:
    with tray_daemon(desktop) as d:
        window = wait_docked(desktop, timeout=10)
        d.wait_log("tray icon shown")
        menu = open_tray_menu(desktop, window)
        for wid in (window, menu):
            win = desktop.xdisplay.create_resource_object("window", wid)
            assert win.get_wm_class() == ("microbreak", "Microbreak")
        _close_menu(desktop)


def _tooltip_width(desktop: Desktop, window: int) -> int:
    """Hover over the icon until GTK shows its tooltip; its width, then move away. The pointer
    moves a pixel now and then while it waits, as a hand does: one motion alone, just after the
    text changed, often shows no tooltip here (3 runs in 5 once, with GTK 3.24)."""
    x, y, width, height = window_geometry(desktop, window)

    def shown() -> list[int]:
        return shown_windows_of_type(desktop, "_NET_WM_WINDOW_TYPE_TOOLTIP")

    found: list[int] = []
    for nudge in range(5):
        where = (x + width // 2 + nudge % 2, y + height // 2)
        desktop.run(["xdotool", "mousemove", *(str(n) for n in where)])
        with contextlib.suppress(AssertionError):
            found = wait_until(shown, 1.5, "the tray icon's tooltip")
            break
    assert found, "no tooltip after five hovers of 1.5 s"
    tooltip = found[0]
    tip_width = window_geometry(desktop, tooltip)[2]
    desktop.run(["xdotool", "mousemove", "10", "400"])
    wait_until(lambda: not shown(), 5.0, "the tooltip to go")
    return tip_width


def test_the_tooltip_follows_the_status_line(desktop: Desktop) -> None:
    with tray_daemon(desktop) as d:
        window = wait_docked(desktop, timeout=10)
        d.wait_log("tray: Next break at")
        short = _tooltip_width(desktop, window)  # "microbreak / Next break at 14:32"
        _work_on_another_day(desktop)
        d.wait_log("tray: Outside working hours")
        # GTK names the icon's window after the new line once it has taken it; a hover while it
        # is still taking it may show no tooltip until the pointer moves again.
        icon = desktop.xdisplay.create_resource_object("window", window)
        net_wm_name = desktop.xdisplay.intern_atom("_NET_WM_NAME")

        def named() -> bool:
            return "Outside working hours" in (icon.get_full_text_property(net_wm_name) or "")

        wait_until(named, 5, "GTK to name the icon after the new line")
        assert _tooltip_width(desktop, window) > short
