"""The guide on the headless GNOME Shell: through Xwayland when the session has it, as GNOME
sessions do, else as a native Wayland window.

The shell itself says what it shows: Eval lists its window actors (with each one's client type:
Wayland or X11 through Xwayland, and whether it has the focus), and its Screenshot takes the
picture. Keys are real input, through Mutter's RemoteDesktop session. The guide is started as
the daemon starts it, with no GDK_BACKEND: it chooses for itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from .desktop import stays_true, wait_until
from .gnome_shell import GnomeShell, keep_for_readme, running_shell

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


WAYLAND, X11 = 0, 1


@pytest.fixture(scope="module")
def gnome_shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GnomeShell]:
    """This module's shell serves X11 clients too, through Xwayland, as a GNOME session does."""
    yield from running_shell(tmp_path_factory.mktemp("gnome-shell"), xwayland=True)


def windows(shell: GnomeShell, title_start: str) -> list[dict[str, Any]]:
    """The shell's windows whose title starts so, as ``WINDOWS`` describes them."""
    found: list[dict[str, Any]] = shell.eval(WINDOWS % json.dumps(title_start))
    return found


def start_guide(shell: GnomeShell, *, x11: bool) -> subprocess.Popen[bytes]:
    """``microbreak guide`` for a 2-repetition exercise of our own (8 s), on the shell, with no
    GDK_BACKEND; with ``x11`` its session has Xwayland (``DISPLAY``), else Wayland only. The
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
    env: Mapping[str, str] = {k: v for k, v in shell.env.items() if k != "GDK_BACKEND"}
    return shell.spawn(
        [sys.executable, "-m", "microbreak", "guide", "tiny-shrug", "--verbose"],
        name="guide",
        env={**env, **(shell.x11_env if x11 else {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(shell: GnomeShell, *procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            shell.stop(proc)
    shutil.rmtree(shell.home / ".config" / "microbreak" / "exercises", ignore_errors=True)


def test_without_xwayland_the_guide_is_a_native_wayland_window(gnome_shell: GnomeShell) -> None:
    shell = gnome_shell
    proc = start_guide(shell, x11=False)
    log = shell.watch_output(proc, "stderr")
    try:

        def shown() -> list[dict[str, Any]]:
            return windows(shell, f"{NAME} — ")

        (window,) = wait_until(shown, 20, lambda: "the guide's window in the shell")
        assert window["client"] == WAYLAND, window
        assert window["width"] < 500, window  # small
        # (It is not kept above: Wayland has no request for that, keep-above is an X11 hint;
        # the user's window menu can set it.) GNOME gives it the focus on its own, so an Esc
        # before any click must not skip it: it runs on to its end.
        wait_until(lambda: shown()[0]["focused"], 10, lambda: "the shell to focus the guide")
        log.wait_for_line(lambda line: line.endswith("count: Hold… 2"), 15)
        shell.key(ESCAPE)  # seconds after the focus came: the guide has the keyboard by now
        assert proc.wait(30) == 0  # ran to its end
        assert proc.stdout is not None and proc.stdout.read().decode() == f"Done: {NAME}\n"
    finally:
        finish(shell, proc)


def test_the_guide_leaves_the_focus_with_the_window_you_type_in(
    gnome_shell: GnomeShell, tmp_path: Path
) -> None:
    """With Xwayland there, the guide is an X11 window: GNOME honours its "do not focus" and
    "keep above" hints, which Wayland has no request for."""
    shell = gnome_shell
    procs = [shell.spawn([sys.executable, "-c", EDITOR], name="editor")]

    def editor_focused() -> bool:
        return any(w["focused"] for w in windows(shell, "Editor"))

    try:
        wait_until(editor_focused, 20, lambda: "the editor window with the focus")
        procs.append(start_guide(shell, x11=True))
        (window,) = wait_until(lambda: windows(shell, f"{NAME} — "), 20, lambda: "the guide")
        assert window["client"] == X11, window
        assert window["above"] and not window["focused"], window
        assert window["width"] < 500, window
        assert stays_true(editor_focused, 2.0), windows(shell, "")
        # The README's: the top bar's left end, the editor and the guide at the bottom left.
        right = max(640, window["x"] + window["width"] + 40)
        bottom = int(shell.size.split("x")[1])
        keep_for_readme(shell.screenshot(tmp_path / "guide-gnome.png"), (0, 0, right, bottom))
    finally:
        finish(shell, *procs)
