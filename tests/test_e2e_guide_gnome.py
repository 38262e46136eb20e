"""The guide as a native Wayland window on the headless GNOME Shell (GDK_BACKEND=wayland).

The shell itself says what it shows: Eval lists its window actors (the guide's client type must
be Wayland, not X11 through Xwayland), and its Screenshot takes the picture.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .desktop import wait_until
from .gnome_shell import GnomeShell, keep_for_readme

pytestmark = pytest.mark.desktop

PICTOGRAMS = Path(__file__).parents[1] / "assets" / "exercises"
NAME = "Tiny shrug"
# Meta.WindowClientType: 0 is a Wayland client, 1 an X11 one.
WINDOWS = """
global.get_window_actors().map(a => a.meta_window)
  .filter(w => (w.get_title() || '').startsWith(%s))
  .map(w => {
    const r = w.get_frame_rect();
    return {title: w.get_title(), client: w.get_client_type(), above: w.is_above(),
            focused: global.display.focus_window === w, x: r.x, y: r.y,
            width: r.width, height: r.height};
  })
"""


def test_the_guide_is_a_native_wayland_window(gnome_shell: GnomeShell, tmp_path: Path) -> None:
    shell = gnome_shell
    exercises = shell.home / ".config" / "microbreak" / "exercises"
    exercises.mkdir(parents=True, exist_ok=True)
    shutil.copy(PICTOGRAMS / "shoulder-shrug.png", exercises / "tiny.png")
    shutil.copy(PICTOGRAMS / "shoulder-shrug-end.png", exercises / "tiny-end.png")
    (exercises / "tiny.toml").write_text(
        "[[exercise]]\n"
        f'id = "tiny-shrug"\nname = "{NAME}"\n'
        'instructions = "Lift both shoulders to your ears. Let them drop."\n'
        'dose = "hold 2 seconds, 2 times"\nposition = "seated"\narea = "neck"\n'
        'image = "tiny.png"\nrepetitions = 2\nhold_seconds = 2\npace_seconds = 4\n',
        encoding="utf-8",
    )
    proc = shell.spawn(
        [sys.executable, "-m", "microbreak", "guide", "tiny-shrug", "--verbose"],
        name="guide",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    log = shell.watch_output(proc, "stderr")
    try:
        script = WINDOWS % f'"{NAME} — "'

        def shown() -> list[dict[str, Any]]:
            windows: list[dict[str, Any]] = shell.eval(script)
            return windows

        (window,) = wait_until(shown, 20, lambda: "the guide's window in the shell")
        assert window["client"] == 0, window  # a Wayland client, not Xwayland
        assert window["width"] < 500, window  # small
        # It leaves the keyboard focus alone here too. (It is not kept above: Wayland has no
        # request for that, keep-above is an X11 hint; the user's window menu can set it.)
        assert not window["focused"], window
        log.wait_for_line(lambda line: line.endswith("count: Hold… 2"), 15)
        # The README's: the top bar's left end and the window the shell placed.
        right = max(640, window["x"] + window["width"] + 40)
        bottom = max(440, window["y"] + window["height"] + 30)
        keep_for_readme(shell.screenshot(tmp_path / "guide-gnome.png"), (0, 0, right, bottom))
        assert proc.wait(30) == 0  # ran to its end
        assert proc.stdout is not None and proc.stdout.read().decode() == f"Done: {NAME}\n"
    finally:
        if proc.poll() is None:
            shell.stop(proc)
        shutil.rmtree(exercises)
