"""The one-line mistakes speak the user's language too: TOML syntax errors, keys set twice, a
repeated snooze choice, working hours with no hours, a bad ``--chart`` path and an exercise file
in the wrong shape, through the real command line. Each line still names the file and the key;
the English wording is checked by the tests of each mistake."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .cli_run import PREFIX, run
from .test_config import assert_usage_error, check, write


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The only line of a usage error (exit 2), without the prefix."""
    lines = assert_usage_error(result)
    assert len(lines) == 1, lines
    return lines[0].removeprefix(PREFIX)


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (
            "de",
            (
                "Zeile 1, Spalte 18: min_interval: TOML-Syntaxfehler: ",
                'schreiben Sie Dauern und Uhrzeiten in Anführungszeichen: min_interval = "30m"',
            ),
        ),
        (
            "fr",
            (
                "ligne 1, colonne 18 : min_interval : erreur de syntaxe TOML : ",
                'écrivez les durées et les heures entre guillemets : min_interval = "30m"',
            ),
        ),
    ],
)
def test_a_toml_syntax_error_is_translated(
    tmp_path: Path, language: str, says: tuple[str, ...]
) -> None:
    path = write(tmp_path, "min_interval = 30m\n")
    line = one_line(check(tmp_path, path, env={"LANGUAGE": language}))
    assert line.startswith(f"{path}: "), line
    for words in says:
        assert words in line, (words, line)
    assert "TOML syntax error" not in line and "write durations" not in line


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("de", "Zeile 2, Spalte 21: min_interval: zweimal gesetzt (zuerst in Zeile 1); behalten"),
        (
            "fr",
            "ligne 2, colonne 21 : min_interval : définie deux fois (d\u2019abord à la ligne 1) ;",
        ),
    ],
)
def test_a_key_set_twice_is_translated(tmp_path: Path, language: str, says: str) -> None:
    path = write(tmp_path, 'min_interval = "30m"\nmin_interval = "40m"\n')
    line = one_line(check(tmp_path, path, env={"LANGUAGE": language}))
    assert line.startswith(f"{path}: "), line
    assert says in line, line


def test_a_table_written_twice_is_translated(tmp_path: Path) -> None:
    path = write(tmp_path, "[work_hours]\nenabled = true\n[work_hours]\nenabled = false\n")
    line = one_line(check(tmp_path, path, env={"LANGUAGE": "de"}))
    assert line.startswith(f"{path}: Zeile 3, Spalte "), line
    assert "[work_hours]: diese Tabelle kommt zweimal vor (zuerst in Zeile 1)" in line, line


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("de", '"300s" (5m) wiederholt snooze_choices[0]; jede Auswahl muss eine andere Dauer'),
        ("fr", '"300s" (5m) répète snooze_choices[0] ; chaque choix doit être une durée'),
    ],
)
def test_a_repeated_snooze_choice_is_translated(tmp_path: Path, language: str, says: str) -> None:
    path = write(tmp_path, 'snooze_choices = ["5m", "300s"]\n')
    line = one_line(check(tmp_path, path, env={"LANGUAGE": language}))
    assert line.startswith(f"{path}: snooze_choices[1]: {says}"), line


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("de", ("[] lässt keinen Arbeitstag übrig", "oder setzen Sie enabled = false")),
        ("fr", ("[] ne laisse aucun jour travaillé", "ou mettez enabled = false")),
    ],
)
def test_working_hours_without_a_day_are_translated(
    tmp_path: Path, language: str, says: tuple[str, ...]
) -> None:
    path = write(tmp_path, "[work_hours]\nenabled = true\ndays = []\n")
    line = one_line(check(tmp_path, path, env={"LANGUAGE": language}))
    assert line.startswith(f"{path}: work_hours.days: "), line
    for words in says:
        assert words in line, (words, line)
    assert '["mon", "tue", "wed", "thu", "fri"]' in line


def test_working_hours_with_every_day_empty_are_translated(tmp_path: Path) -> None:
    path = write(tmp_path, '[work_hours]\nenabled = true\ndays = ["mon"]\nby_day = { mon = [] }\n')
    line = one_line(check(tmp_path, path, env={"LANGUAGE": "de"}))
    assert line.startswith(f'{path}: work_hours.by_day: {{"mon": []}} lässt jeden Arbeitstag'), line
    assert 'einen Bereich wie "09:00-17:30"' in line, line


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (
            "de",
            ".txt-Dateien können nicht geschrieben werden; lassen Sie den Namen auf "
            ".png, .svg, .pdf oder .jpg enden",
        ),
        ("pl", "nie można zapisać plików .txt; zakończ nazwę na .png, .svg, .pdf lub .jpg"),
    ],
)
def test_a_chart_path_mistake_is_translated(tmp_path: Path, language: str, says: str) -> None:
    result = run(tmp_path, "stats", "--chart", "out.txt", env={"LANGUAGE": language})
    assert one_line(result) == f"--chart out.txt: {says}"
    assert not (tmp_path / "out.txt").exists()


def test_a_chart_path_naming_a_directory_is_translated(tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    result = run(tmp_path, "stats", "--chart", "charts", env={"LANGUAGE": "de"})
    example = Path("charts", "chart.png")
    said = f"--chart charts: ist ein Ordner; nennen Sie eine Datei, z. B. {example}"
    assert one_line(result) == said


@pytest.mark.parametrize(
    ("language", "single", "elsewhere", "unknown"),
    [
        (
            "de",
            "exercise: schreiben Sie [[exercise]] (zwei eckige Klammern) über jede Übung",
            "dose: schreiben Sie die Felder jeder Übung unter eine Überschrift [[exercise]]",
            'exercse: unbekannter Schlüssel (meinten Sie "exercise"?)',
        ),
        (
            "fr",
            "exercise : écrivez [[exercise]] (deux crochets) au-dessus de chaque exercice",
            "dose : placez les champs de chaque exercice sous un en-tête [[exercise]]",
            'exercse : clé inconnue (vouliez-vous dire "exercise" ?)',
        ),
    ],
)
def test_an_exercise_file_in_the_wrong_shape_is_translated(
    tmp_path: Path, language: str, single: str, elsewhere: str, unknown: str
) -> None:
    exercises = tmp_path / "config" / "microbreak" / "exercises"
    exercises.mkdir(parents=True)
    one, two = exercises / "one.toml", exercises / "two.toml"
    one.write_text('[exercise]\nid = "x"\n', encoding="utf-8")
    two.write_text('dose = "x"\nexercse = 1\n', encoding="utf-8")
    lines = assert_usage_error(run(tmp_path, "exercises", "--check", env={"LANGUAGE": language}))
    sep = " : " if language == "fr" else ": "
    assert lines == [
        f"{PREFIX}{one}{sep}{single}",
        f"{PREFIX}{two}{sep}{elsewhere}",
        f"{PREFIX}{two}{sep}{unknown}",
    ]


def test_an_exercise_id_used_twice_is_translated(tmp_path: Path) -> None:
    exercises = tmp_path / "config" / "microbreak" / "exercises"
    exercises.mkdir(parents=True)
    entry = (
        '[[exercise]]\nid = "wall-push"\nname = "Wall push"\ninstructions = "Push the wall."\n'
        'dose = "10 times"\nposition = "standing"\narea = "chest"\n'
    )
    first, second = exercises / "a.toml", exercises / "b.toml"
    first.write_text(entry, encoding="utf-8")
    second.write_text(entry, encoding="utf-8")
    lines = assert_usage_error(run(tmp_path, "exercises", "--check", env={"LANGUAGE": "de"}))
    assert lines == [
        f'{PREFIX}{second}: exercise "wall-push": id: bereits in {first} verwendet; '
        "jede ID darf in Ihren Übungsdateien nur einmal vorkommen"
    ]
