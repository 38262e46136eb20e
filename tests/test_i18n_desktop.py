"""German end to end: the reminder and the tray menu on the Xvfb desktop, and a wheel built
from a clean checkout, installed into a fresh venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from microbreak import i18n
from microbreak.core.exercises import CATALOG

from .desktop import (
    Desktop,
    NotifyMonitor,
    activate_menu_item,
    open_tray_menu,
    screenshot,
    wait_docked,
    wait_until,
)
from .test_e2e_answer_dunst import cli, press, remind
from .test_e2e_desktop import PAUSE, PAUSE_30_MIN, QUIET, daemon
from .test_fdo_notifier import Dunst

ROOT = Path(__file__).parents[1]
GERMAN = {"LANGUAGE": "de", **QUIET}


def german_names() -> set[str]:
    """The exercises' names as the German catalog has them."""
    i18n.use("de")
    try:
        return {i18n.shown(e, "name") for e in CATALOG}
    finally:
        i18n.use("en")


@pytest.fixture
def dunst(bare_desktop: Desktop) -> Iterator[Dunst]:
    server = Dunst(bare_desktop)
    yield server
    server.stop()


@pytest.mark.desktop
def test_the_reminder_is_german_title_and_buttons(bare_desktop: Desktop, dunst: Dunst) -> None:
    bare_desktop.start_tray_host()  # the GTK tray's loop dispatches the button's signal
    with NotifyMonitor(bare_desktop) as bus, daemon(bare_desktop, env=GERMAN) as d:
        d.wait_log("tray icon shown")
        name = remind(bare_desktop, d, dunst)
        note = bus.wait_for(lambda n: n.app_name == "microbreak", timeout=10)
        assert note.summary == f"Microbreak: {name}"
        assert name in german_names(), name
        buttons = note.actions[1::2]
        assert buttons == ("", "Erledigt", "Später (5 Min.)", "Überspringen"), note.actions
        menu = press(dunst, "#Erledigt ")  # dunst's own list of the reminder's buttons
        seen = sorted(line.split(" (", 1)[0] for line in menu)
        assert seen == ["#", "#Erledigt", "#Später", "#Überspringen"], menu
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the answered reminder to go")
        assert cli(bare_desktop, "status").stdout.startswith("Nächste Pause in ")


@pytest.mark.desktop
def test_the_tray_menu_is_german(desktop: Desktop, tmp_path: Path) -> None:
    with daemon(desktop, env=GERMAN) as d:
        window = wait_docked(desktop, timeout=10)
        said = d.wait_log("tray menu: ")
        open_tray_menu(desktop, window)
        screenshot(desktop, tmp_path / "tray-menu-de.png")
        entries = said.split("tray menu: ", 1)[1]
        assert entries.startswith("Nächste Pause um ")
        for label in (
            "Jetzt eine Pause machen",
            "Später erinnern [5 Min. | 10 Min. | 15 Min.]",
            "Pausieren [30 Minuten | 1 Stunde | 2 Stunden | Bis morgen früh | Bis zur Fortsetzung]",
            "Fortsetzen",
            "Konfigurationsdatei öffnen",
            "Beenden",
        ):
            assert f"| {label}" in entries, entries
        assert "Take a break now" not in entries
        activate_menu_item(desktop, PAUSE, PAUSE_30_MIN)  # "Pausieren > 30 Minuten"
        d.wait_log("tray: Pausiert bis ")
        assert cli(desktop, "status").stdout.startswith("Pausiert bis ")


@pytest.mark.desktop
def test_a_language_set_by_live_reload_reaches_every_menu_entry(desktop: Desktop) -> None:
    config = desktop.home / ".config" / "microbreak" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('min_interval = "30m"\n', encoding="utf-8")
    with daemon(desktop, env={"LANGUAGE": "en"}) as d:
        wait_docked(desktop, timeout=10)
        assert "| Take a break now" in d.wait_log("tray menu: ")
        config.write_text('min_interval = "30m"\nlanguage = "de"\n', encoding="utf-8")
        said = d.wait_log("tray menu: Nächste Pause", timeout=15)
        entries = said.split("tray menu: ", 1)[1]
        for label in ("Jetzt eine Pause machen", "Pausieren [30 Minuten", "Beenden"):
            assert f"| {label}" in entries, entries
        assert "Take a break now" not in entries and "Quit" not in entries, entries


def test_a_wheel_from_a_clean_checkout_speaks_german(tmp_path: Path) -> None:
    """``python -m build`` on a fresh clone (no .mo files, none in git) makes the sdist and a
    wheel from it: the build hook compiles the catalogs into the wheel, and a fresh venv that
    installs it shows the exercises in German."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", head], check=True)
    assert not list(clone.glob("microbreak/locale/*/LC_MESSAGES/*.mo"))
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(clone)],  # sdist, then wheel
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = dist.glob("microbreak-*.whl")

    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    # The dependencies come from this test's environment, after the fresh venv's own
    # site-packages, so microbreak itself is the wheel's.
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    Path(site, "deps.pth").write_text("".join(f"{p}\n" for p in deps))
    home = tmp_path / "home"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LANGUAGE": "de",
        "COLUMNS": "100",
    }
    where = subprocess.run(
        [python, "-c", "import microbreak; print(microbreak.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert where.startswith(site), where
    shown = subprocess.run(
        [python, "-m", "microbreak", "exercises"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    assert "Schulterkreisen" in shown.stdout and "Sprechen Sie vor dem Beginn" in shown.stdout
