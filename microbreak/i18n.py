"""The user's language: gettext catalogs, and Babel (imported only for another language than
English) for dates, times and numbers.

The language is the ``language`` setting (or ``MICROBREAK_LANGUAGE``), else gettext's order of
``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``; without a catalog, English. The
catalogs (``locale/<lang>/LC_MESSAGES/microbreak.mo``) are compiled at build (hatch_build.py).
The quick commands load this only on a failure: the daemon's answers come translated.
"""

from __future__ import annotations

import gettext
import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date, datetime

    from .core.exercises import Exercise

DOMAIN = "microbreak"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
ENV = "MICROBREAK_LANGUAGE"  # read here too by the commands that load no config
DESKTOP_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order
AUTO = "auto"  # the ``language`` setting's value that follows the desktop

_catalog: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_pinned = False  # inside ``English``: ``use`` changes nothing


def requested(configured: str | None = None, env: Mapping[str, str] = os.environ) -> list[str]:
    """The languages asked for, best first: the setting, else the desktop's (gettext's order)."""
    for value in (configured, env.get(ENV)):
        if value and value.strip().lower() != AUTO:
            return [value.strip().replace("-", "_")]
    desktop = next((env[name] for name in DESKTOP_VARIABLES if env.get(name)), "")
    return [part for part in desktop.split(":") if part]


SPOKEN = "language"  # beside the control socket: the language the daemon speaks


def spoken(env: Mapping[str, str] = os.environ) -> str | None:
    """The language for the commands that load no config (the quick commands, ``autostart``):
    ``MICROBREAK_LANGUAGE``, else the one the config set for the daemon that ran last in this
    session (``keep``), so that their words match its answers; None (the desktop's) where it
    follows the desktop, as these commands do then too."""
    if env.get(ENV):
        return env[ENV]
    from .channel import runtime_dir  # light: no platformdirs on the desktops that set XDG

    try:
        with open(os.path.join(runtime_dir(), SPOKEN), encoding="utf-8") as file:
            return file.read(40).strip() or None
    except (OSError, RuntimeError):  # none yet, or a runtime dir that is not safe to use
        return None


def keep(configured: str) -> None:
    """Keep the language the config sets for the daemon (its ``language``) for ``spoken``, or
    remove what an earlier daemon kept when it follows the desktop (``auto``); best effort."""
    from pathlib import Path

    from .channel import runtime_dir
    from .paths import write_whole

    try:
        path = Path(runtime_dir(), SPOKEN)
        if configured.strip().lower() == AUTO:
            path.unlink()  # none there: the OSError below
            return
        write_whole(path, configured.encode())
    except (OSError, RuntimeError):
        pass


def use(configured: str | None = None, env: Mapping[str, str] = os.environ) -> str:
    """Speak the language asked for from now on; returns its code (``en`` without a catalog)."""
    global _catalog, _language
    if _pinned:
        return _language
    wanted = closest(requested(configured, env))
    found = gettext.find(DOMAIN, LOCALE_DIR, languages=wanted or ["en"], all=True)
    if found:
        _catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=wanted)
        # de_DE.UTF-8 finds locale/de: the code of the catalog that answered.
        _language = os.path.basename(os.path.dirname(os.path.dirname(found[0])))
        return _language
    _catalog, _language = gettext.NullTranslations(), "en"
    if wanted and not wanted[0].lower().startswith(("en", "c", "posix")):
        import logging

        logging.getLogger(__name__).debug("no %s catalog for %s: English", DOMAIN, wanted)
    return _language


def shipped() -> list[str]:
    """The codes of the catalogs installed (``de``, ``pt_BR``, ...)."""
    try:
        names = sorted(os.listdir(LOCALE_DIR))
    except OSError:
        return []
    mo = os.path.join("LC_MESSAGES", DOMAIN + ".mo")
    return [n for n in names if os.path.isfile(os.path.join(LOCALE_DIR, n, mo))]


def closest(wanted: list[str]) -> list[str]:
    """``wanted``, each language without a catalog followed by the shipped ones of another
    region (``pt_PT`` -> ``pt_PT, pt_BR``): gettext goes from ``de_AT`` to ``de``, never from
    ``pt`` to ``pt_BR``, and Brazil's words serve a Portuguese reader better than English."""
    out: list[str] = []
    for code in wanted:
        out.append(code)
        if gettext.find(DOMAIN, LOCALE_DIR, languages=[code]):
            continue
        base = code.partition(".")[0].partition("@")[0].partition("_")[0].lower()
        out += [s for s in shipped() if s.partition("_")[0].lower() == base and s not in out]
    return out


class English:
    """English inside ``with English():``, whatever ``use`` is asked meanwhile (a config read
    on the way asks for its language): ``doctor --json`` is a report for maintainers."""

    def __enter__(self) -> None:
        global _catalog, _language, _pinned
        self._saved = (_catalog, _language, _pinned)
        _catalog, _language, _pinned = gettext.NullTranslations(), "en", True

    def __exit__(self, *_: object) -> None:
        global _catalog, _language, _pinned
        _catalog, _language, _pinned = self._saved


def _(message: str) -> str:
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form for ``n`` in the user's language (Polish has three)."""
    return _catalog.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` translated in ``context``, for a word that means two things in English."""
    return _catalog.pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog but leave it English: data translated when shown."""
    return message


#: argparse's own words (Python 3.10 to 3.13), for ``lend_to_argparse``.
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
)


class LendToArgparse:
    """Inside ``with LendToArgparse():``, argparse says its own words ("usage:") in our
    language: it asks gettext's global functions, which take the domain from ``textdomain``
    (ours carries ``ARGPARSE_WORDS``) and the language from the environment alone. The user's
    ``LANGUAGE`` comes back at the end: the daemon this process may become, and every program
    it starts, must see the user's own, not the one lent."""

    def __enter__(self) -> None:
        gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
        gettext.textdomain(DOMAIN)
        self._before = os.environ.get("LANGUAGE")
        os.environ["LANGUAGE"] = _language

    def __exit__(self, *_: object) -> None:
        if self._before is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = self._before


def shown(exercise: Exercise, field: str) -> str:
    """An exercise's ``name``, ``instructions`` or ``dose`` in the user's language: its file's
    own translation (``[exercise.de]``), else the catalog's, else the English text."""
    for wanted in (_language, _language.split("_")[0]):
        for code, key, text in exercise.translations:
            if code == wanted and key == field:
                return text
    return _(str(getattr(exercise, field)))


def _date(day: date, english: str, pattern: str) -> str:
    """``day`` by ``strftime`` in English, else by Babel's ``pattern``."""
    if _language == "en":
        return day.strftime(english)
    from babel.dates import format_date

    return str(format_date(day, pattern, locale=_language))


def weekday(day: date, *, short: bool = False) -> str:
    """The weekday's name (``Mon`` / ``Montag``)."""
    return _date(day, "%a", "EEE") if short else _date(day, "%A", "EEEE")


def month(day: date) -> str:
    """The month's short name (``Nov`` / ``nov.``)."""
    return _date(day, "%b", "LLL")


def day_month(day: date, *, year: bool = False) -> str:
    """A day as a chart's axis names it: ``23 Nov`` (``23. Nov.``), or ``23.11.2026``."""
    if _language == "en":
        return f"{day.day} {day:%b %Y}" if year else f"{day.day} {day:%b}"
    from babel.dates import format_date, format_skeleton

    if year:
        return str(format_date(day, "medium", locale=_language))
    return str(format_skeleton("MMMd", day, locale=_language))


def clock(when: datetime, *, with_day: bool = False) -> str:
    """A time of day as the language writes it (``14:30``), with the short weekday if asked."""
    text = when.strftime("%H:%M")
    if _language != "en":
        from babel.dates import format_time

        text = format_time(when, "short", locale=_language)
    return f"{weekday(when, short=True)} {text}" if with_day else text


def number(value: float, *, digits: int = 0) -> str:
    """A number with the language's decimal sign (``0.5`` / ``0,5``)."""
    if _language == "en":
        return f"{value:,.{digits}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=_language))
