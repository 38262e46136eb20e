"""The guide window on the Xvfb test desktop: the real ``microbreak guide`` and the real daemon.

An exercise file of the user's own gives a tiny routine (2 repetitions, a hold of 1 or 2 s), so
no test waits long, and two pictures (``tiny.png`` and ``tiny-end.png``) for the two poses.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from .desktop import (
    Desktop,
    OutputLines,
    activate_menu_item,
    click,
    open_tray_menu,
    screenshot,
    stays_true,
    wait_docked,
    wait_until,
    window_geometry,
)
from .test_e2e_answer_dunst import cli, press, remind, totals
from .test_e2e_desktop import QUIET, TAKE_NOW, daemon
from .test_fdo_notifier import Dunst

pytestmark = pytest.mark.desktop


@pytest.fixture
def dunst(bare_desktop: Desktop) -> Iterator[Dunst]:
    """dunst, which lists actions: the reminder's body click is "Start"."""
    server = Dunst(bare_desktop)
    yield server
    server.stop()


PICTOGRAMS = Path(__file__).parents[1] / "assets" / "exercises"
NAME = "Tiny shrug"


def tiny_exercise(desktop: Desktop, *, hold: int, pace: float) -> None:
    """The user's exercise ``tiny-shrug`` (2 repetitions), the only one in the rotation."""
    config = desktop.home / ".config" / "microbreak"
    exercises = config / "exercises"
    exercises.mkdir(parents=True, exist_ok=True)
    shutil.copy(PICTOGRAMS / "shoulder-shrug.png", exercises / "tiny.png")
    shutil.copy(PICTOGRAMS / "high-reach-stretch.png", exercises / "tiny-end.png")
    (exercises / "tiny.toml").write_text(
        "[[exercise]]\n"
        'id = "tiny-shrug"\n'
        f'name = "{NAME}"\n'
        'instructions = "Lift both shoulders to your ears. Let them drop."\n'
        'dose = "hold 1 second, 2 times"\n'
        'position = "seated"\n'
        'area = "neck"\n'
        'image = "tiny.png"\n'
        f"repetitions = 2\nhold_seconds = {hold}\npace_seconds = {pace}\n",
        encoding="utf-8",
    )
    (config / "config.toml").write_text('[exercises]\ninclude = ["tiny-shrug"]\n')


def find_window(desktop: Desktop, name: str) -> int:
    """The first shown window whose title matches the regular expression ``name``; 0: none."""
    found = desktop.run(["xdotool", "search", "--onlyvisible", "--name", name]).stdout.split()
    return int(found[0]) if found else 0


def guide_window(desktop: Desktop) -> int:
    """The guide's window, once it is shown (0 before)."""
    return find_window(desktop, f"^{NAME} — ")


def focused(desktop: Desktop) -> int:
    return int(desktop.run(["xdotool", "getwindowfocus"]).stdout.strip())


def window_shot(desktop: Desktop, window: int, path: Path) -> Image.Image:
    x, y, width, height = window_geometry(desktop, window)
    return Image.open(screenshot(desktop, path)).crop((x, y, x + width, y + height))


@contextmanager
def typing_window(desktop: Desktop) -> Iterator[int]:
    """A window that has the keyboard focus, as the user's editor would."""
    proc = desktop.spawn(["xmessage", "-title", "typing-here", "typing here"], name="xmessage")
    try:
        window = wait_until(
            lambda: find_window(desktop, "^typing-here$"), 10, "the xmessage window"
        )
        desktop.run(["xdotool", "windowfocus", "--sync", str(window)])
        wait_until(lambda: focused(desktop) == window, 5, "the focus in the xmessage window")
        yield window
    finally:
        desktop.stop(proc)


def start_guide(desktop: Desktop, *args: str) -> tuple[subprocess.Popen[bytes], OutputLines]:
    proc = desktop.spawn(
        [sys.executable, "-m", "microbreak", "guide", *args],
        name="guide",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return proc, desktop.watch_output(proc, "stderr")


def test_the_guide_counts_moves_between_poses_and_leaves_the_focus_alone(
    bare_desktop: Desktop, tmp_path: Path
) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=2, pace=4.0)  # in 2 s, hold 2 s, out 2 s; twice
    with typing_window(desktop) as typing:
        proc, log = start_guide(desktop, "tiny-shrug", "--verbose")
        window = wait_until(lambda: guide_window(desktop), 15, "the guide window")
        start = window_shot(desktop, window, tmp_path / "start.png")
        # The focus stays where the user was typing, while the guide counts.
        assert focused(desktop) == typing
        log.wait_for_line(lambda line: line.endswith("count: Hold… 2"), 10)
        end = window_shot(desktop, window, tmp_path / "end.png")
        assert focused(desktop) == typing
        # The start and the end pose differ on screen (not only the count under them).
        picture = (0, 0, end.width, end.height // 2)
        diff = ImageChops.difference(
            start.crop(picture).convert("L"), end.crop(picture).convert("L")
        )
        assert sum(diff.histogram()[41:]) > 500  # pixels that changed clearly
        log.wait_for_line(lambda line: line.endswith("count: Rep 2 of 2"), 10)
        counts = [ln.split("count: ", 1)[1] for ln in log.lines() if "count: " in ln]
        assert counts[:5] == [
            "Rep 1 of 2",
            "Hold… 2",
            "Hold… 2 · 1",
            "Hold… 2 · 1 — relax",
            "Rep 2 of 2",
        ]
        # A click into it lets it take the focus; then Esc closes it: a skip.
        click(desktop, window)
        wait_until(lambda: focused(desktop) != typing, 5, "the focus to follow the click")
        desktop.run(["xdotool", "key", "Escape"])
        assert proc.wait(10) == 0
        assert proc.stdout is not None and proc.stdout.read().decode() == f"Skipped: {NAME}\n"


def test_a_guide_without_a_second_pose_pulses_its_one_picture(
    bare_desktop: Desktop, tmp_path: Path
) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=2, pace=4.0)
    (desktop.home / ".config/microbreak/exercises/tiny-end.png").unlink()
    proc, log = start_guide(desktop, "tiny-shrug", "--verbose", "--answer")
    window = wait_until(lambda: guide_window(desktop), 15, "the guide window")
    start = window_shot(desktop, window, tmp_path / "start.png")
    log.wait_for_line(lambda line: line.endswith("count: Hold… 2"), 10)
    grown = window_shot(desktop, window, tmp_path / "grown.png")
    assert ImageChops.difference(start, grown).getbbox() is not None
    assert proc.wait(20) == 0  # ran to its end: done (``--answer``: exit code 0)


def test_a_guided_break_run_to_its_end_is_done_one_closed_early_a_skip(
    bare_desktop: Desktop,
) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=1, pace=1.0)  # 2 s a repetition: 4 s in all
    quiet = {"MICROBREAK_MIN_INTERVAL": "30m", "MICROBREAK_MAX_INTERVAL": "1h"}
    with daemon(desktop, "--no-tray", env=quiet) as d:
        d.wait_log("started;", timeout=15)
        asked = desktop.run([sys.executable, "-m", "microbreak", "now", "--guide"])
        assert asked.returncode == 0, asked.stderr
        assert NAME in asked.stdout  # no notification server here: "Break due: <name>"
        d.wait_log(f"guide opened: {NAME}", timeout=10)
        d.wait_log(f"guide ended: {NAME} (done)", timeout=30)
        d.wait_log(f"done: {NAME}", timeout=5)

        desktop.run([sys.executable, "-m", "microbreak", "now", "--guide"])
        window = wait_until(lambda: guide_window(desktop), 15, "the second guide window")
        click(desktop, window)
        desktop.run(["xdotool", "key", "Escape"])
        d.wait_log(f"guide ended: {NAME} (skipped)", timeout=10)
        d.wait_log(f"skipped {NAME}", timeout=5)
        stats = desktop.run([sys.executable, "-m", "microbreak", "stats", "--json", "--days", "1"])
        totals = json.loads(stats.stdout)["totals"]
        assert (totals["reminders"], totals["done"], totals["skipped"]) == (2, 1, 1)


def test_an_unknown_exercise_is_one_line_with_a_did_you_mean(bare_desktop: Desktop) -> None:
    result = bare_desktop.run([sys.executable, "-m", "microbreak", "guide", "shoulder-shrugs"])
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line == (
        'microbreak: guide: no exercise "shoulder-shrugs" (did you mean "shoulder-shrug"?); '
        "`microbreak exercises --all` lists them"
    )
    assert guide_window(bare_desktop) == 0


@pytest.mark.parametrize("named", [["shoulder-shrug"], []])
def test_no_display_is_one_line_and_exit_2(bare_desktop: Desktop, named: list[str]) -> None:
    """Without an id too: which exercise it would have shown is not said before the error."""
    env = {k: v for k, v in bare_desktop.env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-m", "microbreak", "guide", *named],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "microbreak: guide: no GUI toolkit here: GTK cannot open the display "
        "(no DISPLAY or WAYLAND_DISPLAY)"
    ]
    assert result.stdout == ""


def test_at_scale_2_the_window_is_twice_the_size(bare_desktop: Desktop, tmp_path: Path) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=2, pace=4.0)
    sizes = []
    for scale in ("1", "2"):
        proc = desktop.spawn(
            [sys.executable, "-m", "microbreak", "guide", "tiny-shrug"],
            name=f"guide at scale {scale}",
            extra_env={"GDK_SCALE": scale},
            stdout=subprocess.DEVNULL,
        )
        window = wait_until(lambda: guide_window(desktop), 15, f"the guide at scale {scale}")
        x, y, width, height = window_geometry(desktop, window)
        sizes.append((width, height))
        # Bottom left, a margin from the edges: away from the top corners of notifications.
        margin = 48 * int(scale)
        screen = desktop.xdisplay.screen()
        assert (x, y + height) == (margin, int(screen.height_in_pixels) - margin), (x, y)
        window_shot(desktop, window, tmp_path / f"guide-scale-{scale}.png")
        desktop.stop(proc)
        wait_until(lambda: not guide_window(desktop), 5, "the guide to go")
    (w1, h1), (w2, h2) = sizes
    assert abs(w2 - 2 * w1) <= 4 and abs(h2 - 2 * h1) <= 4, sizes


def background(image: Image.Image) -> int:
    """The brightness of the window's most common colour (its background), 0 to 255."""
    grey = image.convert("L")
    counts = grey.histogram()
    return counts.index(max(counts))


@pytest.mark.parametrize(("scheme", "dark"), [(1, True), (2, False)], ids=["dark", "light"])
def test_it_follows_the_desktops_dark_preference(
    bare_desktop: Desktop, tmp_path: Path, scheme: int, dark: bool
) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=2, pace=4.0)
    portal = desktop.spawn(
        [sys.executable, "-m", "tests.fake_portal", str(scheme)],
        name="fake portal",
        cwd=Path(__file__).parents[1],
    )
    wait_until(
        lambda: desktop.name_has_owner("org.freedesktop.portal.Desktop"), 10, "the fake portal"
    )
    proc, _ = start_guide(desktop, "tiny-shrug")
    window = wait_until(lambda: guide_window(desktop), 15, "the guide window")
    shot = window_shot(desktop, window, tmp_path / f"guide-{scheme}.png")
    assert (background(shot) < 90) is dark, background(shot)
    desktop.stop(proc)
    desktop.stop(portal)


@pytest.mark.parametrize(("sound", "chimes"), [("true", 2), ("false", 0)], ids=["on", "off"])
def test_a_chime_per_repetition_only_with_sound_on(
    bare_desktop: Desktop, tmp_path: Path, sound: str, chimes: int
) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=0, pace=1.0)  # 2 repetitions of 1 s
    bindir, played = tmp_path / "bin", tmp_path / "played"
    bindir.mkdir()
    player = bindir / "pw-play"  # the first player the chime looks for
    player.write_text(f'#!/bin/sh\necho "$1" >> "{played}"\n')
    player.chmod(0o755)
    path = f"{bindir}:{desktop.env['PATH']}"
    proc = desktop.spawn(
        [sys.executable, "-m", "microbreak", "guide", "tiny-shrug"],
        name="guide",
        extra_env={"PATH": path, "MICROBREAK_NOTIFICATION__SOUND": sound},
        stdout=subprocess.DEVNULL,
    )
    assert proc.wait(30) == 0
    lines = played.read_text().splitlines() if played.exists() else []
    assert len(lines) == chimes, lines
    assert all(line.endswith("chime.wav") for line in lines)


def test_start_on_the_reminder_opens_the_guide_and_its_end_is_done(
    bare_desktop: Desktop, dunst: Dunst
) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=1, pace=1.0)
    with daemon(desktop, "--no-tray", env=QUIET) as d:
        name = remind(desktop, d, dunst)
        assert name == NAME
        press(dunst, "# ")  # the body's (default) action: Start
        d.wait_log(f"guide opened: {NAME}", timeout=10)
        d.wait_log(f"guide ended: {NAME} (done)", timeout=30)
        assert not any("snoozed" in line for line in d.log.lines())
        counted = totals(desktop)
        assert (counted["done"], counted["snoozed"], counted["skipped"]) == (1, 0, 0)


def test_start_on_a_reminder_whose_guide_is_open_leaves_it_open(
    bare_desktop: Desktop, dunst: Dunst
) -> None:
    """`now --guide` shows the reminder and its guide; a click on the reminder then is no
    snooze, and does not close the guide counting that very exercise."""
    desktop = bare_desktop
    tiny_exercise(desktop, hold=5, pace=4.0)
    with daemon(desktop, "--no-tray", env=QUIET) as d:
        d.wait_log("started;", timeout=15)
        assert cli(desktop, "now", "--guide").returncode == 0
        wait_until(lambda: guide_window(desktop), 15, "the guide window")
        wait_until(lambda: dunst.displayed() == 1, 5.0, "the reminder on screen")
        press(dunst, "# ")  # the body's (default) action: Start
        d.wait_log(f"the guide of {NAME} is open already", timeout=10)
        assert stays_true(lambda: bool(guide_window(desktop)), 1.0)
        assert not any("snoozed" in line for line in d.log.lines())
        assert json.loads(cli(desktop, "status", "--json").stdout)["mode"] == "running"


def test_take_a_break_now_in_the_tray_opens_the_guide(desktop: Desktop) -> None:
    tiny_exercise(desktop, hold=1, pace=1.0)
    with daemon(desktop, env=QUIET) as d:
        icon = wait_docked(desktop, timeout=10)
        open_tray_menu(desktop, icon)
        activate_menu_item(desktop, TAKE_NOW)
        wait_until(lambda: guide_window(desktop), 15, "the guide window")
        d.wait_log(f"guide ended: {NAME} (done)", timeout=30)
        assert totals(desktop)["done"] == 1


def test_an_answer_from_the_cli_closes_the_guide_and_the_next_break_has_its_own(
    bare_desktop: Desktop,
) -> None:
    desktop = bare_desktop
    tiny_exercise(desktop, hold=5, pace=4.0)  # 18 s: still open when answered
    with daemon(desktop, "--no-tray", env=QUIET) as d:
        d.wait_log("started;", timeout=15)
        assert cli(desktop, "now", "--guide").returncode == 0
        wait_until(lambda: guide_window(desktop), 15, "the guide window")
        assert cli(desktop, "done").returncode == 0
        d.wait_log(f"guide closed: {NAME} (its reminder was answered another way)", timeout=10)
        wait_until(lambda: not guide_window(desktop), 10, "the answered guide to go")
        assert cli(desktop, "now", "--guide").returncode == 0
        wait_until(lambda: guide_window(desktop), 15, "the next break's guide")
        assert len([line for line in d.log.lines() if "guide opened:" in line]) == 2
        assert not any("is not guided" in line for line in d.log.lines())
        assert totals(desktop)["done"] == 1


PARENT = """
import subprocess, sys, time
guide = subprocess.Popen([sys.executable, "-m", "microbreak", "guide", "tiny-shrug", "--answer"])
print(guide.pid, flush=True)
time.sleep(120)
"""


def test_a_guide_whose_daemon_died_closes(bare_desktop: Desktop) -> None:
    """``--answer``: the daemon waits for it. Killed, the daemon leaves a guide nobody will
    hear, which would count on beside the next daemon's: it closes instead."""
    desktop = bare_desktop
    tiny_exercise(desktop, hold=5, pace=4.0)  # 18 s: still counting when its parent goes
    parent = desktop.spawn(
        [sys.executable, "-c", PARENT], name="stand-in daemon", stdout=subprocess.PIPE
    )
    assert parent.stdout is not None
    guide_pid = int(parent.stdout.readline())
    wait_until(lambda: guide_window(desktop), 15, "the guide window")
    parent.kill()
    parent.wait(5)

    def gone() -> bool:  # PID 1 here reaps no orphan: a zombie is gone too
        try:
            return Path(f"/proc/{guide_pid}/stat").read_text().split(") ")[1][0] == "Z"
        except FileNotFoundError:
            return True

    wait_until(gone, 5, "the orphaned guide to close")
    wait_until(lambda: not guide_window(desktop), 5, "its window to go")


@pytest.mark.parametrize("named", [True, False])
def test_sigterm_closes_it_like_the_close_button(bare_desktop: Desktop, named: bool) -> None:
    """Without an id, it says which exercise it chose (the first of the selection) first."""
    desktop = bare_desktop
    tiny_exercise(desktop, hold=2, pace=4.0)
    proc, _ = start_guide(desktop, *(["tiny-shrug"] if named else []))
    wait_until(lambda: guide_window(desktop), 15, "the guide window")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0
    assert proc.stdout is not None
    said = proc.stdout.read().decode().splitlines()
    if not named:
        chosen = said.pop(0)
        assert chosen.startswith(f"No exercise named: the first of your selection, {NAME} ")
    assert said == [f"Skipped: {NAME}"]


def test_a_built_in_exercise_moves_between_its_two_pictograms(
    bare_desktop: Desktop, tmp_path: Path
) -> None:
    desktop = bare_desktop
    assert (PICTOGRAMS / "shoulder-shrug-end.png").is_file()
    proc, log = start_guide(desktop, "shoulder-shrug", "--verbose")  # in 2 s, then hold 3 s
    window = wait_until(lambda: find_window(desktop, "^Shoulder shrug — "), 15, "the guide")
    start = window_shot(desktop, window, tmp_path / "start.png")
    log.wait_for_line(lambda line: line.endswith("count: Hold… 3"), 10)
    end = window_shot(desktop, window, tmp_path / "end.png")
    picture = (0, 0, end.width, end.height // 2)
    diff = ImageChops.difference(start.crop(picture).convert("L"), end.crop(picture).convert("L"))
    assert sum(diff.histogram()[41:]) > 300
    desktop.stop(proc)
