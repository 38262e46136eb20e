"""The guide as a native Wayland window on the headless GNOME Shell (GDK_BACKEND=wayland).

The shell itself says what it shows: Eval lists its window actors (the guide's client type must
be Wayland, not X11 through Xwayland), and its Screenshot takes the picture. Keys are real
input, through Mutter's RemoteDesktop session.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .desktop import stays_true, wait_until
from .gnome_shell import GnomeShell, keep_for_readme

pytestmark = pytest.mark.desktop

PICTOGRAMS = Path(__file__).parents[1] / "assets" / "exercises"
NAME = "Tiny shrug"
ESCAPE = 0xFF1B  # the X keysym
#: A window the user types in: the first one the shell shows, so it has the focus.
EDITOR = """
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk
window = Gtk.Window(title="Editor")
window.add(Gtk.Entry())
window.show_all()
Gtk.main()
"""
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


def windows(shell: GnomeShell, title_start: str) -> list[dict[str, Any]]:
    """The shell's windows whose title starts so, as ``WINDOWS`` describes them."""
    found: list[dict[str, Any]] = shell.eval(WINDOWS % json.dumps(title_start))
    return found


def start_guide(shell: GnomeShell) -> subprocess.Popen[bytes]:
    """``microbreak guide`` for a 2-repetition exercise of our own (8 s), on the shell; the
    exercise files go when the test ends (``finish``)."""
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
    return shell.spawn(
        [sys.executable, "-m", "microbreak", "guide", "tiny-shrug", "--verbose"],
        name="guide",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(shell: GnomeShell, *procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            shell.stop(proc)
    shutil.rmtree(shell.home / ".config" / "microbreak" / "exercises", ignore_errors=True)


def test_the_guide_is_a_native_wayland_window(gnome_shell: GnomeShell, tmp_path: Path) -> None:
    shell = gnome_shell
    proc = start_guide(shell)
    log = shell.watch_output(proc, "stderr")
    try:

        def shown() -> list[dict[str, Any]]:
            return windows(shell, f"{NAME} — ")

        (window,) = wait_until(shown, 20, lambda: "the guide's window in the shell")
        assert window["client"] == 0, window  # a Wayland client, not Xwayland
        assert window["width"] < 500, window  # small
        # (It is not kept above: Wayland has no request for that, keep-above is an X11 hint;
        # the user's window menu can set it.) GNOME gives it the focus on its own (see the
        # next test), so an Esc before any click must not skip it: it runs on to its end.
        wait_until(lambda: shown()[0]["focused"], 10, lambda: "the shell to focus the guide")
        log.wait_for_line(lambda line: line.endswith("count: Hold… 2"), 15)
        shell.key(ESCAPE)  # seconds after the focus came: the guide has the keyboard by now
        # The README's: the top bar's left end and the window the shell placed.
        right = max(640, window["x"] + window["width"] + 40)
        bottom = max(440, window["y"] + window["height"] + 30)
        keep_for_readme(shell.screenshot(tmp_path / "guide-gnome.png"), (0, 0, right, bottom))
        assert proc.wait(30) == 0  # ran to its end
        assert proc.stdout is not None and proc.stdout.read().decode() == f"Done: {NAME}\n"
    finally:
        finish(shell, proc)


class FocusTaken(Exception):
    """The guide took the keyboard focus from the window the user types in."""


@pytest.mark.xfail(
    strict=True,
    raises=FocusTaken,
    reason="GNOME under Wayland gives a new window the focus, and GTK 3 has no Wayland request "
    "to refuse it (accept-focus and focus-on-map are X11 hints)",
)
def test_the_guide_leaves_the_focus_with_the_window_you_type_in(gnome_shell: GnomeShell) -> None:
    shell = gnome_shell
    procs = [shell.spawn([sys.executable, "-c", EDITOR], name="editor")]

    def editor_focused() -> bool:
        return any(w["focused"] for w in windows(shell, "Editor"))

    try:
        wait_until(editor_focused, 20, lambda: "the editor window with the focus")
        procs.append(start_guide(shell))
        wait_until(lambda: windows(shell, f"{NAME} — "), 20, lambda: "the guide's window")
        if not stays_true(editor_focused, 2.0):
            raise FocusTaken(str(windows(shell, "")))
    finally:
        finish(shell, *procs)
