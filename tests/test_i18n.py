"""Translations: every shipped catalog complete and true to its template, and the real command
line speaking German and French (words only the translation has)."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from microbreak import i18n
from microbreak.core.durations import humanize, spelled
from microbreak.core.exercises import CATALOG, SAFETY_NOTE
from microbreak.settings.exercise_files import read_catalog

from .cli_run import PREFIX, ok, run
from .headless import cli, headless_env, private_runtime_dir, running

ROOT = Path(__file__).parents[1]
LOCALE = ROOT / "microbreak" / "locale"
TEMPLATE = LOCALE / "microbreak.pot"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/microbreak.po"))
LANGUAGES = [po.parents[1].name for po in CATALOGS]
FIELDS = ("name", "instructions", "dose")
PLACEHOLDER = re.compile(r"\{(\w*)\}")
#: printf-style placeholders (argparse's own words): each kept, as often as in the original.
PERCENT = re.compile(r"%(?:\(\w+\))?[sdr]")


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def ids(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, _single(m)) for m in catalog if m.id}


def _single(message: Message) -> str:
    return _texts(message.id)[0]


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple of texts (one, or one per plural form)."""
    if isinstance(value, tuple | list):
        return tuple(str(v) for v in value)
    return (str(value or ""),)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """Each test leaves the process speaking English, as the other tests expect."""
    yield
    i18n.use("en")


def test_the_seven_languages_of_the_start_ship() -> None:
    assert {"de", "fr", "es", "it", "pt_BR", "nl", "pl"} <= set(LANGUAGES)


@pytest.mark.parametrize("po", CATALOGS, ids=LANGUAGES)
def test_every_catalog_is_complete_and_matches_the_template(po: Path) -> None:
    catalog, template = read(po), read(TEMPLATE)
    assert ids(catalog) == ids(template), "run pybabel update (README: translations)"
    for message in catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        assert all(form.strip() for form in _texts(message.string)), message.id


@pytest.mark.parametrize("po", CATALOGS, ids=LANGUAGES)
def test_every_plural_form_is_filled(po: Path) -> None:
    catalog = read(po)
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals
    for message in plurals:
        assert isinstance(message.string, tuple)
        assert len(message.string) == catalog.num_plurals, message.id
        assert all(form.strip() for form in message.string), message.id


@pytest.mark.parametrize("po", CATALOGS, ids=LANGUAGES)
def test_each_translation_keeps_the_placeholders_of_its_original(po: Path) -> None:
    for message in read(po):
        if not message.id:
            continue
        wanted = set().union(*(placeholders(o) for o in _texts(message.id)))
        wanted_c = Counter(p for o in _texts(message.id)[:1] for p in PERCENT.findall(o))
        for form in _texts(message.string):
            assert placeholders(form) == wanted, (message.id, form)
            assert Counter(PERCENT.findall(form)) == wanted_c, (message.id, form)  # argparse's
            if "python-brace-format" in message.flags:  # no stray brace either
                form.format(**dict.fromkeys(wanted, "x"))


@pytest.mark.parametrize("po", CATALOGS, ids=LANGUAGES)
def test_each_catalog_says_its_state_in_its_header(po: Path) -> None:
    header = po.read_text(encoding="utf-8").split("msgid", 1)[0]
    assert re.search(r"^# State: .+", header, re.MULTILINE), header


def test_the_template_holds_every_marked_string(tmp_path: Path) -> None:
    """A string marked in the code but missing from the committed template fails here."""
    fresh = tmp_path / "fresh.pot"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "babel.messages.frontend", "extract"),
            *("-F", str(ROOT / "babel.cfg"), "-o", str(fresh), "microbreak"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    missing = ids(read(fresh)) - ids(read(TEMPLATE))
    assert not missing, f"not in microbreak/locale/microbreak.pot (run pybabel extract): {missing}"


def test_a_new_marked_string_would_be_missing_from_the_template(tmp_path: Path) -> None:
    """The check above can fail: extraction sees a string the template does not have."""
    code = tmp_path / "pkg"
    code.mkdir()
    (code / "m.py").write_text('from microbreak.i18n import _\n_("A string nobody marked yet")\n')
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            *(sys.executable, "-m", "babel.messages.frontend", "extract"),
            *("-F", str(ROOT / "babel.cfg"), "-o", str(fresh), "pkg"),
        ],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    assert (None, "A string nobody marked yet") in ids(read(fresh)) - ids(read(TEMPLATE))


def test_the_catalogs_are_compiled_for_this_install() -> None:
    """The editable install ran the build hook: German is there, not English in disguise."""
    assert i18n.use("de") == "de"
    assert i18n._("Take a break now") == "Jetzt eine Pause machen"


# -- choosing the language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "wanted"),
    [
        ({"LANGUAGE": "fr:de", "LANG": "de_DE.UTF-8"}, ["fr", "de"]),
        ({"LC_ALL": "de_AT.UTF-8", "LANG": "fr_FR.UTF-8"}, ["de_AT.UTF-8"]),
        ({"LC_MESSAGES": "nl_NL", "LANG": "fr_FR"}, ["nl_NL"]),
        ({"LANG": "fr_FR.UTF-8"}, ["fr_FR.UTF-8"]),
        ({"MICROBREAK_LANGUAGE": "de", "LANGUAGE": "fr"}, ["de"]),
        ({"MICROBREAK_LANGUAGE": "auto", "LANGUAGE": "fr"}, ["fr"]),
        ({}, []),
    ],
)
def test_the_language_comes_in_gettexts_order_after_the_setting(
    env: dict[str, str], wanted: list[str]
) -> None:
    assert i18n.requested(None, env) == wanted


def test_the_setting_beats_the_desktop() -> None:
    assert i18n.use("fr", {"LANGUAGE": "de"}) == "fr"
    assert i18n._("Quit") == "Quitter"
    assert i18n.use(None, {"LANG": "de_DE.UTF-8"}) == "de"
    assert i18n._("Quit") == "Beenden"


def test_a_language_without_a_catalog_speaks_english_with_one_debug_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="microbreak")
    assert i18n.use("sw") == "en"
    assert i18n._("Take a break now") == "Take a break now"
    said = [r for r in caplog.records if r.name == "microbreak.i18n"]
    assert len(said) == 1 and said[0].levelno == logging.DEBUG, said
    assert "sw" in said[0].getMessage()


def test_plurals_are_real_plurals() -> None:
    i18n.use("en")
    assert spelled(timedelta(minutes=1)) == "1 minute"
    assert spelled(timedelta(minutes=30)) == "30 minutes"
    assert spelled(timedelta(hours=2)) == "2 hours"
    i18n.use("de")
    assert spelled(timedelta(hours=1)) == "1 Stunde"
    assert spelled(timedelta(minutes=30)) == "30 Minuten"
    assert humanize(timedelta(minutes=5)) == "5 Min."
    i18n.use("fr")
    assert spelled(timedelta(hours=2)) == "2 heures"
    i18n.use("pl")  # one, few, many
    minutes = [spelled(timedelta(minutes=n)) for n in (1, 2, 5, 22, 25, 12)]
    assert minutes == ["1 minuta", "2 minuty", "5 minut", "22 minuty", "25 minut", "12 minut"]
    assert spelled(timedelta(hours=3)) == "3 godziny"


def test_weekdays_times_and_numbers_follow_the_language() -> None:
    monday = date(2026, 11, 30)
    afternoon = datetime(2026, 11, 30, 14, 30, tzinfo=timezone.utc)
    i18n.use("en")
    assert (i18n.weekday(monday), i18n.clock(afternoon), i18n.number(1234)) == (
        "Monday",
        "14:30",
        "1,234",
    )
    i18n.use("de")
    assert i18n.weekday(monday) == "Montag"
    assert i18n.clock(afternoon, with_day=True) == "Mo. 14:30"
    assert i18n.number(1234) == "1.234"
    assert (i18n.day_month(monday), i18n.day_month(monday, year=True)) == ("30. Nov.", "30.11.2026")
    i18n.use("fr")
    assert i18n.weekday(monday, short=True) == "lun."
    i18n.use("en")
    assert (i18n.day_month(monday), i18n.day_month(monday, year=True)) == ("30 Nov", "30 Nov 2026")


def test_the_exercises_are_translated_when_shown_and_kept_english_as_data() -> None:
    i18n.use("de")
    rolls = next(e for e in CATALOG if e.id == "shoulder-rolls")
    assert rolls.name == "Shoulder rolls"  # the data stays English (ids, history, stats)
    assert i18n.shown(rolls, "name") == "Schulterkreisen"
    assert i18n._(SAFETY_NOTE).startswith("Sprechen Sie vor dem Beginn")
    same = [(e.id, f) for e in CATALOG for f in FIELDS if i18n.shown(e, f) == getattr(e, f)]
    assert same == []


def test_the_status_line_in_german() -> None:
    from microbreak.adapters.presence.fullscreen import REASON
    from microbreak.core.planner import Mode, Status

    now = datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc)  # a Friday
    utc = timezone.utc
    i18n.use("de")
    due = Status(Mode.RUNNING, now + timedelta(minutes=23), None)
    assert due.text(now, utc) == "Nächste Pause in 23 Min. (16:23)"
    assert due.text(now, utc, countdown=False) == "Nächste Pause um 16:23"
    monday = now + timedelta(days=3, hours=-7)
    off = Status(Mode.RUNNING, monday, None, off_duty_until=monday)
    assert (
        off.text(now, utc)
        == "Außerhalb der Arbeitszeit \N{EM DASH} nächste Erinnerung Montag 09:00"
    )
    paused = Status(Mode.PAUSED, None, monday)
    assert paused.text(now, utc) == "Pausiert bis Mo. 09:00"
    held = Status(Mode.RUNNING, now, None, held=i18n._(REASON))
    assert held.text(now, utc) == "Zurückgehalten: ein Vollbildfenster"


# -- the real command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Schulterkreisen", "sitzend", "in Ihrer Auswahl", "Sprechen Sie vor dem Beginn"]),
        ("fr", ["Rotations des épaules", "assis", "dans votre rotation", "Parlez-en à votre"]),
    ],
)
def test_exercises_speaks_the_desktops_language(
    tmp_path: Path, language: str, words: list[str]
) -> None:
    out = ok(run(tmp_path, "exercises", env={"LANGUAGE": language}))
    for word in words:
        assert word in out, out
    assert "Shoulder rolls" not in out


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", 'erhalten: "six"; erwartet: eine ganze Zahl von 1 bis 100'),
        ("fr", 'reçu "six" ; attendu : un nombre entier de 1 à 100'),
    ],
)
def test_a_bad_configs_error_line_is_translated(
    tmp_path: Path, language: str, expected: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('daily_goal = "six"\n')
    result = run(tmp_path, "--config", str(config), "config", "check", env={"LANGUAGE": language})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"{PREFIX}{config}: daily_goal: {expected}"]


def test_the_language_setting_is_validated_like_every_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "german please"\n')
    result = run(tmp_path, "--config", str(config), "config", "check")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f'{PREFIX}{config}: language: "german please" is not a language; write "auto" or a '
        'code like "de", "fr" or "pt_BR"'
    ]


def test_the_language_setting_beats_the_desktop_and_speaks_the_files_mistakes(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "fr"\ndaily_goal = true\n')
    result = run(tmp_path, "--config", str(config), "config", "check", env={"LANGUAGE": "de"})
    assert result.returncode == 2
    assert "attendu : un nombre entier de 1 à 100" in result.stderr
    config.write_text('language = "fr"\n')
    out = ok(run(tmp_path, "--config", str(config), "exercises", env={"LANGUAGE": "de"}))
    assert "Rotations des épaules" in out


def test_the_commands_that_load_no_config_speak_the_daemons_language(tmp_path: Path) -> None:
    """The quick commands and ``autostart`` read no config: they speak the language the daemon
    spoke last in this session, so that their words match its answers."""
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime, {"LANGUAGE": "de"})
        config = Path(env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('language = "pl"\n')
        with running(env):
            wrong = cli(env, "pause", "5x")
            assert wrong.returncode == 2
            assert wrong.stderr.startswith('microbreak: pause: "5x" to nie czas trwania')
            said = cli(env, "autostart", "status").stdout
            assert said.startswith("wpis autostartu XDG: "), said
            assert cli(env, "quit").returncode == 0
        absent = cli(env, "status")
        assert absent.returncode == 3
        polish = "microbreak nie działa (uruchom go poleceniem `microbreak`)"
        assert absent.stderr == f"microbreak: {polish}\n"
        # As everywhere, the variable beats the rest.
        french = cli({**env, "MICROBREAK_LANGUAGE": "fr"}, "status").stderr
        assert french == "microbreak: microbreak ne tourne pas (lancez-le avec `microbreak`)\n"


def test_a_language_the_daemon_spoke_once_does_not_stick_to_the_next(tmp_path: Path) -> None:
    """The language lent to argparse is put back before the daemon starts: a daemon that spoke
    French for a config's sake leaves the next one, on "auto", the desktop's English, and the
    programs it starts see the user's own LANGUAGE (none here)."""
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime, {"LANG": "en_US.UTF-8"})
        env.pop("LANGUAGE", None)
        config = Path(env["XDG_CONFIG_HOME"]) / "microbreak" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('language = "fr"\n')
        with running(env):
            assert cli(env, "status").stdout.startswith("Prochaine pause dans ")
            assert cli(env, "quit").returncode == 0
        kept = Path(env["XDG_RUNTIME_DIR"]) / "microbreak" / "language"
        assert kept.read_text() == "fr"  # for the commands that read no config
        config.write_text("")
        with running(env) as daemon:
            assert not kept.exists()  # on "auto" they follow the desktop, as the daemon does
            assert cli(env, "status").stdout.startswith("Next break in ")
            environ = Path(f"/proc/{daemon.proc.pid}/environ").read_bytes().split(b"\0")
            assert not [v for v in environ if v.startswith(b"LANGUAGE=")]


def test_config_checks_ok_and_a_second_daemon_are_german_too(tmp_path: Path) -> None:
    head = ok(run(tmp_path, "config", "check", env={"LANGUAGE": "de"})).splitlines()[0]
    assert head.startswith("# ") and head.endswith(": in Ordnung"), head
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime, {"LANGUAGE": "de"})
        with running(env) as first:
            second = cli(env, "--no-tray")  # a second daemon
            assert second.returncode == 1
            said = f"microbreak läuft bereits (PID {first.proc.pid})"
            assert said in second.stderr, second.stderr


def test_stats_table_and_weekdays_in_german(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "stats", "--days", "7", env={"LANGUAGE": "de"}))
    header = out.splitlines()[2].split()
    assert header[:3] == ["DATUM", "ERINNERUNGEN", "ERLEDIGT"], out
    days = {line.split()[1] for line in out.splitlines()[3:10]}
    assert days == {"Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."}, out
    assert "Serie: 0 Tage in Folge mit erreichtem Ziel" in out


def test_autostart_status_is_translated(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "autostart", "status", env={"LANGUAGE": "de"}))
    assert out.startswith("XDG-Autostart-Eintrag: "), out
    assert ": nicht vorhanden" in out


def test_the_help_is_translated(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "--help", env={"LANGUAGE": "de"}))
    assert "jetzt eine Pause machen" in out and "den laufenden Dienst beenden" in out
    out = ok(run(tmp_path, "autostart", "--help", env={"LANGUAGE": "fr"}))
    assert "Lancer microbreak à l\N{RIGHT SINGLE QUOTATION MARK}ouverture de session" in out


def test_argparses_own_words_are_translated_too(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "stats", "--help", env={"LANGUAGE": "fr"}))
    assert out.startswith("utilisation : ") and "\noptions:\n" in out, out
    assert "afficher cette aide et quitter" in out
    result = run(tmp_path, "stretch", env={"LANGUAGE": "de"})
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{PREFIX}Argument "), line
    assert "ungültige Wahl: 'stretch' (möglich sind " in line, line
    assert line.endswith("(siehe `microbreak --help`)"), line
    # The setting's variable reaches argparse's words too.
    result = run(tmp_path, "stats", "--days", env={"MICROBREAK_LANGUAGE": "pl"})
    assert "oczekiwano jednego argumentu (zobacz `microbreak stats --help`)" in result.stderr


def test_doctor_speaks_the_language_and_its_json_report_stays_english(tmp_path: Path) -> None:
    env = {"LANGUAGE": "de", "DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": str(tmp_path)}
    table = run(tmp_path, "doctor", env=env).stdout
    assert "Prüfung" in table and "Sitzungsbus" in table and "Abhilfe: " in table
    assert "keiner: $DBUS_SESSION_BUS_ADDRESS ist nicht gesetzt" in table
    report = json.loads(run(tmp_path, "doctor", "--json", env=env).stdout)
    bus = next(c for c in report["checks"] if c["name"] == "session bus")
    assert bus["detail"].startswith("none: $DBUS_SESSION_BUS_ADDRESS is not set")


def test_a_language_with_no_catalog_is_english(tmp_path: Path) -> None:
    out = ok(run(tmp_path, "exercises", env={"LANGUAGE": "sw"}))
    assert "Shoulder rolls" in out


QUICK_PROBE = (
    "import sys\n"
    "from microbreak.cli import main\n"
    "main(['status'])\n"
    "catalogs = ('gettext', 'locale', 'babel', 'microbreak.i18n')\n"
    "print(sorted(m for m in catalogs if m in sys.modules))"
)


def test_status_comes_from_the_daemon_in_its_language(tmp_path: Path) -> None:
    for language, words in (
        ("de", ("Pause fällig: ", "letzte Erinnerung: ", "wartet auf Erledigt/Überspringen: ")),
        ("fr", ("Pause à faire : ", "dernier rappel : ", "en attente de Fait/Passer : ")),
    ):
        home = tmp_path / language
        with private_runtime_dir() as runtime:
            env = headless_env(home, runtime, {"LANGUAGE": language})
            with running(env):
                now = subprocess.run(
                    [sys.executable, "-m", "microbreak", "now"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                # Headless: no notification server took it, and "now" says so.
                nobody = (
                    "Kein Benachrichtigungsdienst hat die Erinnerung angezeigt. ",
                    "Aucun serveur de notifications "
                    "n\N{RIGHT SINGLE QUOTATION MARK}a affiché le rappel. ",
                )
                assert now.stdout.startswith(nobody), now.stdout
                status = subprocess.run(
                    [sys.executable, "-m", "microbreak", "status"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                # The words came translated: the quick command itself loads no catalog.
                probe = subprocess.run(
                    [sys.executable, "-c", QUICK_PROBE],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                assert probe.stdout.splitlines()[-1] == "[]", probe.stdout
        for word in words:
            assert word in status.stdout, status.stdout
        assert "Break due" not in status.stdout


def test_the_not_running_message_is_translated(tmp_path: Path) -> None:
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime, {"LANGUAGE": "de"})
        result = subprocess.run(
            [sys.executable, "-m", "microbreak", "status"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 3
    assert result.stderr == f"{PREFIX}microbreak läuft nicht (starten Sie es mit `microbreak`)\n"


# -- your own exercises, in your language ------------------------------------------------------

OWN = """\
[[exercise]]
id = "wrist-circles"
name = "Wrist circles"
instructions = "Circle both wrists slowly, five times each way."
dose = "5 each way"
position = "seated"
area = "shoulders"

[exercise.de]
name = "Handgelenkkreisen"
instructions = "Kreisen Sie beide Handgelenke langsam, je fünfmal in jede Richtung."
dose = "je 5-mal"
"""


def test_an_exercise_file_may_carry_its_own_translations(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "microbreak" / "exercises"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text(OWN)
    wrist = next(e for e in read_catalog([folder]).exercises if e.id == "wrist-circles")
    i18n.use("de")
    assert i18n.shown(wrist, "name") == "Handgelenkkreisen"
    assert i18n.shown(wrist, "dose") == "je 5-mal"
    i18n.use("fr")  # no French given: the file's own words
    assert i18n.shown(wrist, "name") == "Wrist circles"
    out = ok(run(tmp_path, "exercises", "--all", env={"LANGUAGE": "de"}))
    assert "Handgelenkkreisen" in out and "je 5-mal" in out


def test_a_bad_translation_in_an_exercise_file_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "microbreak" / "exercises"
    folder.mkdir(parents=True)
    mine = folder / "mine.toml"
    bad = OWN.replace('dose = "je 5-mal"', 'doze = "je 5-mal"').replace(
        'name = "Handgelenkkreisen"', "name = 5"
    )
    mine.write_text(bad)
    result = run(tmp_path, "exercises", "--check")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f'{PREFIX}{mine}: exercise "wrist-circles": de.name: got 5; expected a string in quotes',
        f'{PREFIX}{mine}: exercise "wrist-circles": de.doze: unknown field (did you mean "dose"?)',
    ]
