"""The user's language: gettext catalogs, and Babel for dates, times and numbers.

The language is, first to last: the ``language`` setting (the config file, or its variable
``MICROBREAK_LANGUAGE``), then gettext's own order of ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES`` and ``LANG``. A language without a catalog speaks English, with one debug line
in the log and nothing on screen; one asked for in a region we have no catalog for speaks the
closest one shipped (``pt`` and ``pt_PT`` speak ``pt_BR``; ``de_AT`` finds ``de`` through
gettext itself). The catalogs are ``locale/<lang>/LC_MESSAGES/microbreak.mo``
beside this module, compiled from the ``.po`` files when the package is built (hatch_build.py).

The quick commands (``client.py``) never load this module on their way to a running daemon:
the daemon answers in the user's language (it was started in it, with the config's
``language``), so ``microbreak status`` prints words that are already translated. Only a failure
(no daemon) loads it, to say so in the user's language. Babel is imported only when a date, a
weekday or a number is formatted for a language the standard library cannot do alone.
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
#: The variable of the ``language`` setting, read here too by the commands that load no config.
ENV = "MICROBREAK_LANGUAGE"
#: gettext's order of the variables that name the desktop's language.
DESKTOP_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
#: The ``language`` setting's value that follows the desktop.
AUTO = "auto"

_catalog: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_pinned = False  # inside ``English``: ``use`` changes nothing


def requested(configured: str | None = None, env: Mapping[str, str] = os.environ) -> list[str]:
    """The languages asked for, best first: the setting, else the desktop's (gettext's order)."""
    for value in (configured, env.get(ENV)):
        if value and value.strip().lower() != AUTO:
            return [value.strip().replace("-", "_")]
    for name in DESKTOP_VARIABLES:
        value = env.get(name, "")
        if value:
            return [part for part in value.split(":") if part]
    return []


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
    """The codes of the catalogs installed beside this module (``de``, ``pt_BR``, ...)."""
    try:
        names = sorted(os.listdir(LOCALE_DIR))
    except OSError:
        return []
    mo = os.path.join("LC_MESSAGES", DOMAIN + ".mo")
    return [n for n in names if os.path.isfile(os.path.join(LOCALE_DIR, n, mo))]


def closest(wanted: list[str]) -> list[str]:
    """``wanted``, each language without a catalog of its own followed by the shipped ones of
    the same language in another region: ``pt_PT.UTF-8`` -> ``pt_PT.UTF-8, pt_BR``.

    gettext goes from ``de_AT`` to ``de``, never from ``pt`` to ``pt_BR``; a Portuguese reader
    is better served by Brazil's words than by English.
    """
    out: list[str] = []
    for code in wanted:
        out.append(code)
        if gettext.find(DOMAIN, LOCALE_DIR, languages=[code]):
            continue
        base = code.partition(".")[0].partition("@")[0].partition("_")[0].lower()
        out += [s for s in shipped() if s.partition("_")[0].lower() == base and s not in out]
    return out


class English:
    """Speak English inside ``with English():``, whatever ``use`` is asked meanwhile (a config
    read on the way asks for its language): ``doctor --json`` is a report for maintainers."""

    def __enter__(self) -> None:
        global _catalog, _language, _pinned
        self._saved = (_catalog, _language, _pinned)
        _catalog, _language, _pinned = gettext.NullTranslations(), "en", True

    def __exit__(self, *_: object) -> None:
        global _catalog, _language, _pinned
        _catalog, _language, _pinned = self._saved


def language() -> str:
    """The code of the catalog in use, like ``de`` or ``pt_BR``; ``en`` when none is."""
    return _language


def _(message: str) -> str:
    """``message`` in the user's language."""
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


#: argparse's own words a user of our command line can meet (Python 3.10 to 3.13), given to
#: gettext's global functions, which argparse calls, by ``lend_to_argparse``.
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


def lend_to_argparse() -> None:
    """Let argparse say its own words ("usage:", "invalid choice: ...") in our language.

    argparse asks gettext's global functions, which read the domain set by ``textdomain`` and
    take the language from the environment alone: so our domain, which carries those words
    (``ARGPARSE_WORDS``), and the language ``use`` chose, set in ``LANGUAGE`` (the programs
    this process starts inherit it, and should speak it too).
    """
    gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = _language


def shown(exercise: Exercise, field: str) -> str:
    """An exercise's ``name``, ``instructions`` or ``dose`` in the user's language: the exercise
    file's own translation (``[exercise.de]``), else the catalog's, else the English text."""
    for wanted in (_language, _language.split("_")[0]):
        for code, key, text in exercise.translations:
            if code == wanted and key == field:
                return text
    return _(str(getattr(exercise, field)))


def weekday(day: date, *, short: bool = False) -> str:
    """The weekday's name in the user's language (``Mon`` / ``Montag``)."""
    if _language == "en":
        return day.strftime("%a" if short else "%A")
    from babel.dates import format_date

    return str(format_date(day, "EEE" if short else "EEEE", locale=_language))


def month(day: date) -> str:
    """The month's short name in the user's language (``Nov`` / ``nov.``)."""
    if _language == "en":
        return day.strftime("%b")
    from babel.dates import format_date

    return str(format_date(day, "LLL", locale=_language))


def day_month(day: date, *, year: bool = False) -> str:
    """A day as a chart's axis names it: ``23 Nov`` (``23. Nov.``), with the year if asked
    (``23 Nov 2026``, ``23.11.2026``)."""
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
