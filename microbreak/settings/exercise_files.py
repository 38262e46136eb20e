"""Your own exercises: ``[[exercise]]`` tables in ``*.toml`` files of ``<config dir>/exercises``,
the system-wide dirs' then yours, each later one replacing the built-in or earlier exercise of
its id. Standard library only (``tomllib``): the lean daemon, which never imports pydantic, reads
them itself. Every problem is one line naming the file, the exercise and the field.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..core.exercises import CATALOG, Area, Exercise, Position, Routine, Sides, Source
from ..errors import ConfigError
from ..i18n import _, ngettext
from ..paths import site_config_dirs, user_config_dir
from . import toml_errors

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: The dose as data for the guide (``Routine``): optional, but any needs ``repetitions``.
ROUTINE_FIELDS = ("repetitions", "hold_seconds", "sides", "pace_seconds")
#: The fields every exercise needs, then every field it may have.
REQUIRED = ("id", "name", "instructions", "dose", "position", "area")
FIELDS = (*REQUIRED, "image", "source", *ROUTINE_FIELDS)
TEXT_FIELDS = ("id", "name", "instructions", "dose", "image", "source")
#: The bounds of a routine a guide can count.
MAX_REPETITIONS = 100
MAX_HOLD = 120
PACE_RANGE = (0.5, 30.0)
#: Longer instructions are cut by notification servers.
MAX_INSTRUCTIONS = 160
OWN_TITLE = "your own exercise"  # the source of an exercise that names none
TABLE = "exercise"
TRANSLATED = ("name", "instructions", "dose")

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: A table of translations is named by its language: ``[exercise.de]``, ``[exercise.pt_BR]``.
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
_PNG = b"\x89PNG\r\n\x1a\n"
_BUILT_IN = frozenset(e.id for e in CATALOG)

_Member = TypeVar("_Member", Position, Area, Sides)
_N = TypeVar("_N", int, float)
_Problem = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class Catalog:
    """The merged catalog, and the file each exercise that is not built in came from."""

    exercises: tuple[Exercise, ...]
    files: Mapping[str, Path]
    #: The user's own dir (the last one read); exercises from the others are system-wide.
    user_dir: Path | None = None

    @property
    def own(self) -> tuple[Exercise, ...]:
        """The exercises from files (yours and the system-wide ones), in catalog order."""
        return tuple(e for e in self.exercises if e.id in self.files)

    @property
    def replacing(self) -> tuple[Exercise, ...]:
        """The exercises from files that replace a built-in one with the same id."""
        return tuple(e for e in self.own if e.id in _BUILT_IN)

    def origin(self, exercise_id: str) -> str:
        """``"built-in"``, ``"system"`` (a site config dir) or ``"yours"``."""
        path = self.files.get(exercise_id)
        if path is None:
            return "built-in"
        return "yours" if path.parent == self.user_dir else "system"

    def summary(self) -> str:
        """``20 built-in, 3 of your own (1 replacing a built-in one)``, and how many of the
        files' exercises are system-wide, when any are: those are not the user's own."""
        k = len(self.replacing)
        replacing = ngettext("{n} replacing a built-in one", "{n} replacing built-in ones", k)
        system = sum(self.origin(e.id) == "system" for e in self.own)
        if system:
            said = _("{built_in} built-in, {own} of your own, {system} system-wide ({replacing})")
        else:
            said = _("{built_in} built-in, {own} of your own ({replacing})")
        return said.format(
            built_in=len(CATALOG),
            own=len(self.own) - system,
            system=system,
            replacing=replacing.format(n=k),
        )


def exercise_dirs() -> list[Path]:
    """Where exercise files are read from, lowest priority first: system-wide, then yours."""
    return [*(d / "exercises" for d in site_config_dirs()), user_config_dir() / "exercises"]


def read_catalog(dirs: Sequence[str | Path] | None = None) -> Catalog:
    """The merged catalog of ``dirs`` (default: ``exercise_dirs()``) and each one's file, or
    ConfigError with one line per problem in any file."""
    chosen = [Path(d) for d in (exercise_dirs() if dirs is None else dirs)]
    problems: list[str] = []
    merged = {e.id: e for e in CATALOG}
    files: dict[str, Path] = {}
    for directory in chosen:
        for exercise, path in _read_dir(directory, problems).values():
            merged[exercise.id] = exercise  # a replaced built-in keeps its place in the list
            files[exercise.id] = path
    if problems:
        raise ConfigError(problems)
    return Catalog(tuple(merged.values()), files, chosen[-1] if chosen else None)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file, or ConfigError naming the file and, for a syntax error, line and column."""
    try:
        text = path.read_bytes().decode()
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([f"{path}: {toml_errors.explain(str(e), text)}"]) from None
    except UnicodeDecodeError as e:  # UTF-16 ("Unicode" in Windows editors), Latin-1...
        said = _("{path}: byte {offset} is not UTF-8 text; TOML files are UTF-8: save it so")
        raise ConfigError([said.format(path=path, offset=e.start + 1)]) from None
    except OSError as e:
        said = _("{path}: cannot be read ({error})")
        error = f"{e.__class__.__name__}: {e}"
        raise ConfigError([said.format(path=path, error=error)]) from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        said = _("{path}: values nested too deeply to read")
        raise ConfigError([said.format(path=path)]) from None


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean "x"?)`` for a close match, else an empty string: a far one misleads."""
    import difflib  # only when a name is wrong: the daemon need not hold it

    close = difflib.get_close_matches(name, list(choices), n=1)
    return _(' (did you mean "{name}"?)').format(name=close[0]) if close else ""


# -- reading one dir and one file --------------------------------------------------------------


def _read_dir(directory: Path, problems: list[str]) -> dict[str, tuple[Exercise, Path]]:
    """The exercises of every ``*.toml`` file in ``directory`` (none if it does not exist)."""
    found: dict[str, tuple[Exercise, Path]] = {}
    if not directory.exists():
        return found
    if not directory.is_dir():
        said = _("{path}: is not a directory; exercise files go in a dir of this name")
        problems.append(said.format(path=directory))
        return found
    try:
        paths = sorted(p for p in directory.glob("*.toml") if not p.name.startswith("."))
    except OSError as e:  # e.g. NotADirectoryError, PermissionError
        said = _("{path}: cannot be read as a dir of exercise files ({error})")
        problems.append(said.format(path=directory, error=e.strerror))
        return found
    for path in paths:
        if not path.is_file():
            if path.is_symlink():  # a link that leads nowhere is a file meant to be read
                problems.append(_broken_link(path))
            elif path.is_dir():
                said = _("{path}: is a directory, not an exercise file; rename or move it")
                problems.append(said.format(path=path))
            continue
        for exercise in _read_file(path, problems):
            if exercise.id in found:
                other = found[exercise.id][1]
                if other == path:
                    said = _(
                        "already used earlier in this file; "
                        "each id may appear once among your exercise files"
                    )
                else:
                    said = _(
                        "already used in {path}; each id may appear once among your exercise files"
                    )
                problems.append(f'{path}: exercise "{exercise.id}": id: ' + said.format(path=other))
                continue
            found[exercise.id] = (exercise, path)
    return found


def _broken_link(path: Path) -> str:
    """The line for a ``*.toml`` symlink that leads to no file: dangling, in a loop, or to a
    directory."""
    try:
        path.stat()
    except OSError as e:
        if e.errno == errno.ELOOP:
            said = _("{path}: is a symbolic link that leads round in a loop; fix or remove it")
            return said.format(path=path)
        said = _("{path}: is a symbolic link to {target}, which does not exist; fix or remove it")
    else:
        said = _("{path}: is a symbolic link to {target}, which is not a file; fix or remove it")
    try:
        target = os.readlink(path)
    except OSError as e:  # removed meanwhile
        target = e.strerror or str(e)
    return said.format(path=path, target=target)


def _read_file(path: Path, problems: list[str]) -> list[Exercise]:
    try:
        data = read_toml(path)
    except ConfigError as e:
        problems.extend(e.problems)
        return []
    before = len(problems)
    for key in [k for k in data if k != TABLE]:
        if key in FIELDS:
            said = _("{path}: {key}: put each exercise's fields under an [[exercise]] header")
            problems.append(said.format(path=path, key=key))
        else:
            hint = did_you_mean(key, [TABLE]) or _("; a file holds [[exercise]] tables only")
            said = _("{path}: {key}: unknown key{hint}")
            problems.append(said.format(path=path, key=key, hint=hint))
    entries = data.get(TABLE)
    if isinstance(entries, list) and all(isinstance(e, dict) for e in entries):
        result = [_exercise(path, n, entry, problems) for n, entry in enumerate(entries, 1)]
        return [e for e in result if e is not None]
    if entries is None:
        if len(problems) == before:
            said = _("{path}: holds no [[exercise]] table; see the README for an example")
            problems.append(said.format(path=path))
    elif isinstance(entries, dict):
        said = _("{path}: exercise: write [[exercise]] (two brackets) above each exercise")
        problems.append(said.format(path=path))
    else:
        said = _("{path}: exercise: expected [[exercise]] tables, got {value}")
        problems.append(said.format(path=path, value=_shown(entries)))
    return []


def _shown(value: object) -> str:
    if isinstance(value, str | int | float | bool):
        return json.dumps(value)
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a table")
    # Translators: {type} is Python's name of a TOML value's type (datetime, date, time).
    return _("a {type}").format(type=type(value).__name__)


def _exercise(path: Path, n: int, entry: dict[str, Any], problems: list[str]) -> Exercise | None:
    """One ``[[exercise]]`` table, or None after adding its problems."""
    raw_id = entry.get("id")
    named = isinstance(raw_id, str) and raw_id.strip()
    where = f'{path}: exercise "{raw_id}"' if named else f"{path}: exercise #{n}"
    before = len(problems)

    def problem(key: str, text: str) -> None:
        problems.append(f"{where}: {key}: {text}")

    translations: list[tuple[str, str, str]] = []
    for key in entry:
        if _LANGUAGE.fullmatch(key) and isinstance(entry[key], dict):
            translations += _translation(key, entry[key], problem)
        elif key not in FIELDS:
            listed = _("; allowed fields: {fields}").format(fields=", ".join(FIELDS))
            problem(key, _("unknown field{hint}").format(hint=did_you_mean(key, FIELDS) or listed))
    needs = _("missing; every exercise needs {fields}").format(fields=", ".join(REQUIRED))
    for key in [k for k in REQUIRED if k not in entry]:
        problem(key, needs)
    text = {k: v for k in TEXT_FIELDS if k in entry and (v := _text(k, entry[k], problem))}
    position = _member(Position, entry.get("position"), "position", problem)
    area = _member(Area, entry.get("area"), "area", problem)
    image = _image(path, text.get("image"), problem)
    routine = _routine(entry, problem)
    if len(problems) > before or position is None or area is None:
        return None
    return Exercise(
        id=text["id"],
        name=text["name"],
        instructions=text["instructions"],
        dose=text["dose"],
        position=position,
        area=area,
        source=Source(text.get("source", OWN_TITLE), path.name),
        image=image,
        routine=routine,
        translations=tuple(translations),
    )


def _translation(
    language: str, table: dict[str, Any], problem: _Problem
) -> list[tuple[str, str, str]]:
    """``[exercise.de]``: the exercise's name, instructions and dose in that language."""
    found = []
    for key, value in table.items():
        where = f"{language}.{key}"
        if key not in TRANSLATED:
            listed = _("; a translation gives {fields}").format(fields=", ".join(TRANSLATED))
            hint = did_you_mean(key, TRANSLATED) or listed
            problem(where, _("unknown field{hint}").format(hint=hint))
        elif text := _text(key, value, problem, where):
            found.append((language, key, text))
    return found


def _text(key: str, value: object, problem: _Problem, where: str = "") -> str | None:
    """The stripped text of a field (``where`` names it in a translation), or None if reported."""
    where = where or key
    text = value.strip() if isinstance(value, str) else None
    if text is None:
        problem(where, _("got {value}; expected a string in quotes").format(value=_shown(value)))
    elif not text:
        problem(where, _("is empty; write some text in the quotes"))
    elif key == "id" and not _ID.fullmatch(text):
        said = _(
            '{value} is not an id like "neck-tilt" '
            "(lower-case letters and digits joined by single hyphens)"
        )
        problem(where, said.format(value=json.dumps(text)))
    elif key == "instructions" and len(text) > MAX_INSTRUCTIONS:
        said = _("{n} characters; at most {most} fit in a notification")
        problem(where, said.format(n=len(text), most=MAX_INSTRUCTIONS))
    else:
        return text
    return None


def _number(
    entry: dict[str, Any], key: str, kind: type[_N], low: _N, high: _N, problem: _Problem
) -> _N | None:
    """A number from ``low`` to ``high`` (a fraction for the pace only), or None if reported."""
    value = entry.get(key)
    if value is None:
        return None
    if kind is int:
        allowed = _("expected a whole number from {low} to {high}")
    else:
        allowed = _("expected seconds per repetition from {low} to {high}, e.g. 4 or 2.5")
    allowed = allowed.format(low=f"{low:g}", high=f"{high:g}")
    if isinstance(value, bool) or not isinstance(value, (int, kind)):
        problem(key, _("got {value}; {allowed}").format(value=_shown(value), allowed=allowed))
    elif not low <= value <= high:
        shown = value if kind is int else f"{value:g}"
        problem(key, _("{value} is out of range; {allowed}").format(value=shown, allowed=allowed))
    else:
        return kind(value)
    return None


def _routine(entry: dict[str, Any], problem: _Problem) -> Routine | None:
    """The optional dose fields as a ``Routine``; None when none is given (or after problems)."""
    given = [key for key in ROUTINE_FIELDS if key in entry]
    if not given:
        return None
    repetitions = _number(entry, "repetitions", int, 1, MAX_REPETITIONS, problem)
    hold = _number(entry, "hold_seconds", int, 0, MAX_HOLD, problem)
    sides = _member(Sides, entry.get("sides"), "sides", problem)
    pace = _number(entry, "pace_seconds", float, *PACE_RANGE, problem)
    if "repetitions" not in entry:
        said = _("missing; {fields} need repetitions (a whole number from 1)")
        problem("repetitions", said.format(fields=", ".join(given)))
    if repetitions is None:
        return None
    # A problem with another field is reported already, and the exercise then dropped.
    return Routine(repetitions, hold or 0, sides or Sides.BOTH, pace)


def _member(enum: type[_Member], value: object, key: str, problem: _Problem) -> _Member | None:
    """The enum member ``value`` names, or None (missing: already reported)."""
    if value is None:
        return None
    with suppress(ValueError):
        return enum(value)
    if isinstance(value, str):
        said = _("{value} is not {allowed}")
    else:
        said = _("got {value}; expected {allowed}")
    allowed = _("one of {values}").format(values=", ".join(f'"{m.value}"' for m in enum))
    problem(key, said.format(value=_shown(value), allowed=allowed))
    return None


def end_pose(start: Path) -> Path:
    """Where the guide looks for an exercise's end pose: ``<name>-end.png`` beside its start."""
    return start.with_name(f"{start.stem}-end{start.suffix}")


def _image(path: Path, value: str | None, problem: _Problem) -> str | None:
    """The absolute path of an existing PNG, relative paths taken from the file's dir; the end
    pose beside it (``<name>-end.png``, which the guide shows when it is a file) is a PNG too,
    so that a bad one is found here, not when the guide first opens."""
    if value is None:
        return None
    image = path.parent.absolute() / Path(value).expanduser()  # an absolute path replaces the dir
    if not image.exists():
        said = _("{path}: no such file; give a PNG path, relative to this file or full")
        problem("image", said.format(path=image))
        return None
    if not image.is_file():
        problem("image", _("{path}: is not a file; give a PNG picture").format(path=image))
        return None
    why = _not_png(image, _("{path}: is not a PNG picture; notifications need a .png"))
    end = end_pose(image)
    if why is None and end.is_file():
        why = _not_png(end, _("{path}: is not a PNG picture; the guide's end pose must be a .png"))
    if why is not None:
        problem("image", why)
        return None
    return str(image)


def _not_png(image: Path, not_png: str) -> str | None:
    """Why the file ``image`` is no PNG picture, as a line naming it (``not_png`` when it can be
    read), or None."""
    try:
        with image.open("rb") as f:
            magic = f.read(len(_PNG))
    except OSError as e:
        return _("{path}: cannot be read ({error})").format(path=image, error=e.strerror)
    return None if magic == _PNG else not_png.format(path=image)
