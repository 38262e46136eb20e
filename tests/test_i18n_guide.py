"""What landed after the catalogs, in the user's language: the guide (its timeline, its command
lines, the routine fields of an exercise file, the GUIDE column), the reasons ``doctor`` shows
from the tray, idle and backend modules, and the closest catalog for a region we do not ship."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from microbreak import i18n
from microbreak.adapters import backends, idle, tray_probe
from microbreak.adapters.tray_probe import Probe
from microbreak.core.exercises import Routine, Sides
from microbreak.core.guide import Guide, Phase
from microbreak.usecases import doctor

from .cli_run import PREFIX, ok, run


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """Each test leaves the process speaking English, as the other tests expect."""
    yield
    i18n.use("en")


def _texts(guide: Guide, step: float = 0.25) -> list[tuple[Phase, str, str]]:
    """Every distinct (phase, count, caption) the guide shows, in order."""
    seen: list[tuple[Phase, str, str]] = []
    t = 0.0
    while t <= guide.total:
        frame = guide.at(t)
        said = (frame.phase, frame.text, frame.caption)
        if not seen or seen[-1] != said:
            seen.append(said)
        t += step
    return seen


# -- the guide's timeline ------------------------------------------------------------------------


def test_the_guides_timeline_speaks_german_under_de() -> None:
    routine = Routine(2, 4, Sides.EACH, 2.0)
    i18n.use("de")
    german = _texts(Guide(routine, i18n._))
    counts = {text for _, text, _ in german}
    captions = {caption for _, _, caption in german}
    assert {
        "Wiederholung 1 von 2",
        "Halten… 4",
        "Halten… 3 · 2",
        "Jetzt die andere Seite",
    } <= counts
    assert "Halten… 3 · 2 · 1 — lösen" in counts
    assert "Langsam in die Position · erste Seite" in captions
    assert "Langsam zurück · zweite Seite" not in captions  # a hold's end says "relax" instead
    assert "Wiederholung 2 von 2 · zweite Seite" in captions
    assert "Seite 2 von 2" in captions
    assert Guide(routine, i18n._).at(10_000).text == "Gut gemacht"
    # The same timeline as in English, word for word translated: no English left in it.
    english = _texts(Guide(routine))
    assert [p for p, _, _ in german] == [p for p, _, _ in english]
    assert not {w for _, t, c in german for w in ("Rep", "Hold", "side", "Slowly") if w in t + c}


def test_the_guide_without_a_hold_names_the_movement_in_german() -> None:
    i18n.use("de")
    guide = Guide(Routine(3, 0, Sides.BOTH, 2.0), i18n._)
    assert (guide.at(0.5).text, guide.at(0.5).caption) == (
        "Wiederholung 1 von 3",
        "Langsam in die Position",
    )
    assert guide.at(1.5).caption == "Langsam zurück"
    timed = Guide(None, i18n._)
    assert timed.at(0).caption == "Bewegen Sie sich sanft, in Ihrem eigenen Tempo"


def test_the_guides_data_stays_english_without_a_translator() -> None:
    i18n.use("de")  # the core holds no language: only the translate it is given
    guide = Guide(Routine(2, 4, Sides.EACH, 2.0))
    assert guide.at(0.5).text == "Rep 1 of 2"


# -- the command line ----------------------------------------------------------------------------


def test_guide_with_an_unknown_id_says_so_in_german_with_a_did_you_mean(tmp_path: Path) -> None:
    result = run(tmp_path, "guide", "shoulder-roll", env={"LANGUAGE": "de"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f'{PREFIX}guide: keine Übung "shoulder-roll" (meinten Sie "shoulder-rolls"?); '
        "`microbreak exercises --all` listet sie auf"
    ]


def test_guide_without_a_display_says_so_in_french(tmp_path: Path) -> None:
    result = run(tmp_path, "guide", "shoulder-rolls", env={"LANGUAGE": "fr"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{PREFIX}guide: pas de boîte à outils graphique ici : "
        "GTK ne peut pas ouvrir l\N{RIGHT SINGLE QUOTATION MARK}affichage "
        "(ni DISPLAY ni WAYLAND_DISPLAY)"
    ]


def test_exercises_shows_the_guide_column_in_german(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "exercises", "--all", env={"LANGUAGE": "de"}))
    header = out.splitlines()[0]
    assert "ANLEITUNG" in header and "GUIDE" not in header
    assert (
        "10\N{MULTIPLICATION SIGN} · 2 s halten · je Seite" in out
    )  # the chin tuck's routine, as a German reads it
    assert " hold " not in out and "each side" not in out


def test_a_routine_fields_mistake_is_one_german_line(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "microbreak" / "exercises"
    folder.mkdir(parents=True)
    mine = folder / "mine.toml"
    mine.write_text(
        "[[exercise]]\n"
        'id = "wrist-circles"\n'
        'name = "Wrist circles"\n'
        'instructions = "Circle both wrists slowly."\n'
        'dose = "5 each way"\n'
        'position = "seated"\n'
        'area = "shoulders"\n'
        "hold_seconds = 500\n"
        'pace_seconds = "slow"\n'
    )
    result = run(tmp_path, "exercises", "--check", env={"LANGUAGE": "de"})
    assert result.returncode == 2
    where = f'{PREFIX}{mine}: exercise "wrist-circles": '
    assert result.stderr.splitlines() == [
        where + "hold_seconds: 500 liegt außerhalb des Bereichs; "
        "erwartet: eine ganze Zahl von 0 bis 120",
        where + 'pace_seconds: erhalten: "slow"; '
        "erwartet: Sekunden pro Wiederholung von 0.5 bis 30, z. B. 4 oder 2.5",
        where + "repetitions: fehlt; hold_seconds, pace_seconds brauchen repetitions "
        "(eine ganze Zahl ab 1)",
    ]


# -- the reasons doctor shows --------------------------------------------------------------------


def test_the_tray_reasons_are_german_under_de() -> None:
    i18n.use("de")
    nothing = tray_probe.choose(Probe(True, False, False), {}, "linux")
    assert nothing.reason.startswith("kein Systembereich gefunden: weder ein StatusNotifier-Host")
    assert "unter GNOME installieren Sie die Erweiterung" in nothing.reason
    headless = tray_probe.choose(Probe(False, True, True), {}, "linux")
    assert headless.reason == "keine Anzeige ($DISPLAY und $WAYLAND_DISPLAY sind nicht gesetzt)"
    picked = tray_probe.choose(Probe(True, True, True), {}, "linux")
    assert picked.reason == "StatusNotifier-Host gefunden"
    i18n.use("en")
    assert tray_probe.choose(Probe(True, True, True), {}, "linux").reason == (
        "StatusNotifier host found"
    )


def test_an_unknown_backend_override_is_german_under_de() -> None:
    i18n.use("de")
    choice = backends.first("idle", idle.CANDIDATES, {"MICROBREAK_IDLE_BACKEND": "nope"}, "linux")
    assert choice.why_none() == (
        "MICROBREAK_IDLE_BACKEND=nope nennt kein idle-Backend 'nope' "
        "(bekannt: x11, gnome, windows, macos)"
    )


WAYLAND_NO_BUS = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}


def test_the_idle_reason_is_german_and_keeps_its_fix() -> None:
    english = doctor.check_idle(WAYLAND_NO_BUS)
    i18n.use("de")
    detector, reason = idle.choose(WAYLAND_NO_BUS, "linux")
    detector.close()
    assert reason == (
        "natürliche Pausen sind aus: der X11-Zähler wird unter Wayland nicht verwendet "
        "(er übersieht Eingaben in Wayland-Fenster) und kein GNOME-Leerlaufmonitor "
        "(kein D-Bus-Sitzungsbus)"
    )
    german = doctor.check_idle(WAYLAND_NO_BUS)
    assert german.detail == reason
    assert german.fix == english.fix  # chosen from the English reason, whatever is shown
    assert english.fix is not None and "Wayland" in english.fix and "natural breaks" in english.fix


# -- the closest catalog -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({"LANGUAGE": "pt"}, "pt_BR"),
        ({"LANG": "pt_PT.UTF-8"}, "pt_BR"),
        ({"LC_ALL": "pt_AO"}, "pt_BR"),
        ({"LANGUAGE": "de_AT"}, "de"),  # gettext's own way to the language
        ({"LANGUAGE": "fr_CA:pt"}, "fr"),  # the first that has a catalog still wins
        ({"LANGUAGE": "sw_KE"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
    ],
)
def test_a_region_without_a_catalog_speaks_the_closest_shipped_one(
    env: dict[str, str], language: str
) -> None:
    assert i18n.use(None, env) == language


def test_portuguese_from_portugal_reads_the_brazilian_catalog(tmp_path: Path) -> None:
    i18n.use(None, {"LANG": "pt_PT.UTF-8"})
    assert i18n._("Quit") == "Sair"
    out = ok(run(tmp_path, "exercises", env={"LANGUAGE": "pt"}))
    assert "no seu rodízio" in out, out
