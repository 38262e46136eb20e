"""Settings in layers, lowest first: the defaults, the system-wide files, the user's file,
``MICROBREAK_*`` variables and command-line overrides; tables merge key by key.

pydantic-settings reads each layer but forgets where a value came from, so the merge is ours:
every problem and ``config show --sources`` name the file, the variable or the flag. Only the
command line imports this (and so pydantic); the daemon runs on the plain ``Runtime`` record.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticKnownError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from ..core.durations import (
    DURATION_HELP,
    DurationError,
    format_duration,
    parse_duration,
    parse_time_of_day,
)
from ..core.exercises import CATALOG, Exercise, Position, current_id
from ..core.rotation import Selection, SelectionError
from ..core.work_hours import Span
from ..errors import ConfigError
from ..i18n import AUTO, _, use
from ..paths import CONFIG_ENV, config_file, site_config_files
from .exercise_files import did_you_mean, exercise_dirs, read_catalog, read_toml
from .record import WEEKDAYS, Runtime, hours_by_day

ENV_PREFIX = "MICROBREAK_"
ENV_NESTED_DELIMITER = "__"
#: ``MICROBREAK_IDLE_BACKEND`` and the like name backends (``adapters/backends.py``), not settings.
BACKEND_SUFFIX = "_BACKEND"

SECOND = timedelta(seconds=1)
#: The longest interval, snooze, natural break or hold: a day. Longer is a typo (100000h) or a
#: pause, and the menus and the status line are not made for it.
DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)  # the longest a reminder may stay on screen


def _parsed(parse: Callable[[object], Any]) -> BeforeValidator:
    """One of the core's parsers, whose message already says what is allowed."""

    def check(value: object) -> Any:
        try:
            return parse(value)
        except DurationError as e:  # TimeOfDayError too
            raise PydanticCustomError("duration", str(e)) from None

    return BeforeValidator(check)


def _bounded(longest: timedelta) -> BeforeValidator:
    """A duration from one second to ``longest``, in whole seconds, as the menus show it."""

    def parse(value: object) -> timedelta:
        parsed = parse_duration(value)
        if parsed <= timedelta(0):
            problem = _("{value} must be longer than zero; write {help}")
        elif parsed < SECOND:
            problem = _("{value} is less than a second; {allowed}")
        elif parsed.microseconds:
            problem = _("{value} is not a whole number of seconds; {allowed}")
        elif parsed > longest:
            problem = _("{value} is too long; {allowed}")
        else:
            return parsed
        allowed = _("write a duration from 1s to {longest}, like 45m, 1h30m or 90s")
        allowed = allowed.format(longest=format_duration(longest))
        shown = json.dumps(value, default=str)
        raise DurationError(problem.format(value=shown, help=_(DURATION_HELP), allowed=allowed))

    return _parsed(parse)


def _not_a_boolean(value: object) -> object:
    """pydantic would take true as 1; in a file that is a mistake, not a number."""
    if isinstance(value, bool):
        raise PydanticKnownError("int_type")
    return value


def _language(value: object) -> str:
    """``auto`` (the desktop's language) or a code like ``de`` or ``pt_BR``, as gettext names
    its catalogs; a code with no catalog is allowed and speaks English."""
    text = value.strip() if isinstance(value, str) else ""
    if text.lower() == AUTO:
        return AUTO
    match = _LANGUAGE_CODE.fullmatch(text)
    if match is None:
        raise PydanticCustomError(
            "language",
            _('{value} is not a language; write "auto" or a code like "de", "fr" or "pt_BR"'),
            {"value": json.dumps(value, default=str)},
        )
    region = f"_{match[2].upper()}" if match[2] else ""
    return match[1].lower() + region


_LANGUAGE_CODE = re.compile(r"([A-Za-z]{2,3})(?:[_-]([A-Za-z]{2}))?")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: object) -> str:
    """``mon`` or ``Monday`` as ``mon``; not any word that starts like a day (``sunshine``)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in WEEKDAYS or text in _DAY_NAMES:
        return text[:3]
    raise PydanticCustomError(
        "clock",
        _("{value} is not a day; use mon, tue, wed, thu, fri, sat, sun"),
        {"value": json.dumps(value, default=str)},
    )


def _exercise_id(value: object, info: ValidationInfo) -> str:
    known = [e.id for e in _catalog(info)]
    if isinstance(value, str) and (current := current_id(value, known)) in known:
        return current  # an old id merged into another exercise still works
    raise PydanticCustomError(
        "exercise",
        _("no exercise is called {name}{hint}; `microbreak exercises` lists them"),
        {"name": json.dumps(value, default=str), "hint": did_you_mean(str(value), known)},
    )


def _catalog(info: ValidationInfo) -> tuple[Exercise, ...]:
    """The merged catalog ``load`` validates against; ``Settings()`` alone has the built-in one."""
    return tuple((info.context or {}).get("catalog", CATALOG))


WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]
Duration = Annotated[timedelta, _bounded(DAY)]
ShortDuration = Annotated[timedelta, _bounded(HOUR)]
ClockTime = Annotated[time, _parsed(parse_time_of_day)]
Language = Annotated[str, BeforeValidator(_language)]
Weekday = Annotated[str, BeforeValidator(_weekday)]
TimeRange = Annotated[str, _parsed(lambda value: str(Span.parse(value)))]
ExerciseId = Annotated[str, BeforeValidator(_exercise_id)]


def _distinct(value: object, handler: ValidatorFunctionWrapHandler) -> list[timedelta]:
    """The snooze menu's entries, each once: "5m" and "300s" are the same entry."""
    parsed: list[timedelta] = handler(value)
    first: dict[timedelta, int] = {}
    for n, span in enumerate(parsed):
        if span in first:
            raw = value[n] if isinstance(value, list) else span
            shown = json.dumps(raw, default=str)
            same = "" if raw == format_duration(span) else f" ({format_duration(span)})"
            raise PydanticCustomError(
                "duration",
                # Translators: {same} is empty or the duration in other words (" (5m)").
                _(
                    "{key}: {value}{same} repeats snooze_choices[{earlier}]; "
                    "each choice must be a different duration"
                ),
                {"key": n, "value": shown, "same": same, "earlier": first[span]},
            )
        first[span] = n
    return parsed


def _days_once(value: object, handler: ValidatorFunctionWrapHandler) -> dict[str, list[str]]:
    """``by_day``'s days, each once: ``fri`` and ``Friday`` are one day, and the later of the
    two would replace the other unseen."""
    parsed: dict[str, list[str]] = handler(value)
    if isinstance(value, dict) and len(parsed) < len(value):
        first: dict[str, str] = {}
        for raw in value:
            day = _weekday(raw)  # each one valid, or the handler raised
            if day in first:
                raise PydanticCustomError(
                    "clock",
                    _("{key}: {first} and {second} are the same day; set each day once"),
                    {"key": raw, "first": json.dumps(first[day]), "second": json.dumps(raw)},
                )
            first[day] = raw
    return parsed


class _Table(BaseModel):
    """A table of settings: no unknown key, never changed after validation, and durations in
    seconds in the JSON form that becomes the ``Runtime`` record."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_timedelta="float")


class NotificationSettings(_Table):
    """``[notification]``: how long a reminder stays on screen, and whether it chimes."""

    timeout: ShortDuration = timedelta(seconds=20)
    sound: bool = False


class WorkHoursSettings(_Table):
    """Off by default, so that a first evening try still shows reminders."""

    enabled: bool = False
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    hours: list[TimeRange] = Field(default_factory=lambda: ["09:00-17:30"], min_length=1)
    by_day: Annotated[dict[Weekday, list[TimeRange]], WrapValidator(_days_once)] = {}

    @model_validator(mode="after")
    def _some_hours(self) -> WorkHoursSettings:
        """Working hours on with no hours at all would hold every reminder back, forever."""
        if self.enabled and not any(hours_by_day(self.model_dump())):
            if self.days:
                key, value = "by_day", json.dumps(self.by_day)
                said = _(
                    "{key}: {value} leaves every working day empty, so with enabled = true "
                    "no reminder would ever come; "
                    'give at least one day a range like "09:00-17:30", or set enabled = false'
                )
            else:
                key, value = "days", json.dumps(list(WEEKDAYS[:5]))
                said = _(
                    "{key}: [] leaves no working day, so with enabled = true no reminder would "
                    "ever come; list at least one day, like {value}, or set enabled = false"
                )
            raise PydanticCustomError("clock", said, {"key": key, "value": value})
        return self


class DoNotDisturbSettings(_Table):
    """``[do_not_disturb]``: what holds a reminder back, and for how long at most."""

    fullscreen: bool = True
    desktop: bool = True
    camera: bool = True
    microphone: bool = False
    max_postpone: Duration = timedelta(minutes=30)


class ExerciseSettings(_Table):
    """``[exercises]``: which exercises a reminder may choose from."""

    positions: list[Position] = Field(default_factory=lambda: [Position.SEATED], min_length=1)
    # Not default_factory=list: for a built-in factory pydantic parses the text signature with
    # tokenize at import, a few ms of every start of the command line (it copies a default anyway).
    include: list[ExerciseId] = []
    exclude: list[ExerciseId] = []

    def selection(self) -> Selection:
        return Selection(frozenset(self.positions), tuple(self.include), tuple(self.exclude))

    @model_validator(mode="after")
    def _not_empty(self, info: ValidationInfo) -> ExerciseSettings:
        try:
            self.selection().allowed(_catalog(info))
        except SelectionError:
            raise PydanticCustomError(
                "exercise",
                _(
                    "{key}: these settings leave no exercise to choose from; allow more "
                    "positions, or include at least one exercise that is not excluded"
                ),
                {"key": "exclude"},
            ) from None
        return self


class Settings(_Table):
    """Every setting, with its default (config.example.toml documents them); ``Settings()`` is
    the defaults alone, it reads no file and no variable."""

    min_interval: Duration = timedelta(minutes=30)
    max_interval: Duration = timedelta(minutes=60)
    snooze_choices: Annotated[list[Duration], WrapValidator(_distinct)] = Field(
        default_factory=lambda: [timedelta(minutes=m) for m in (5, 10, 15)],
        min_length=1,
        max_length=8,
    )
    morning: ClockTime = time(8, 0)
    natural_break: Duration = timedelta(minutes=5)
    detect_idle: bool = True
    gnome_breaks_warning: bool = True
    daily_goal: WholeNumber = Field(default=6, ge=1, le=100)
    language: Language = AUTO
    notification: NotificationSettings = Field(default_factory=NotificationSettings)
    exercises: ExerciseSettings = Field(default_factory=ExerciseSettings)
    work_hours: WorkHoursSettings = Field(default_factory=WorkHoursSettings)
    do_not_disturb: DoNotDisturbSettings = Field(default_factory=DoNotDisturbSettings)

    @model_validator(mode="after")
    def _bounds(self) -> Settings:
        if self.min_interval > self.max_interval:
            low, high = format_duration(self.min_interval), format_duration(self.max_interval)
            raise PydanticCustomError(
                "bounds",
                _(
                    "{key}: {low} is longer than max_interval {high}; "
                    "min_interval must not exceed max_interval"
                ),
                {"key": "min_interval", "low": low, "high": high},
            )
        return self


class _Sources(BaseSettings, Settings):
    """``Settings`` for pydantic-settings' sources, never validated itself (``defer_build``);
    keys in a file are case-sensitive, as TOML's are."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        defer_build=True,
    )


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a setting came from: the defaults, a file, a variable or the command line."""

    kind: str  # "default", "system", "user", "environment" or "command line"
    name: str = ""  # the file, the variable or the dotted key

    def __str__(self) -> str:
        """As a problem names it: the file, ``environment variable X`` or ``command line``."""
        if self.kind == "environment":
            return _("environment variable {name}").format(name=self.name)
        return self.name if self.kind in {"system", "user"} else self.kind

    @property
    def label(self) -> str:
        """As ``config show --sources`` names it."""
        return f"environment {self.name}" if self.kind == "environment" else str(self)


DEFAULT = Origin("default")
COMMAND_LINE = "command line"
Loc = tuple[str, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Loaded:
    """Settings and where they came from: the user's file (``exists`` False: none yet), the
    system-wide files read, the layer that set each key, and the merged exercise catalog."""

    settings: Settings
    path: Path
    exists: bool
    system_files: tuple[Path, ...] = ()
    origins: Mapping[Loc, Origin] = field(default_factory=dict)  # a key not in it: its default
    catalog: tuple[Exercise, ...] = CATALOG
    exercise_dirs: tuple[Path, ...] = ()
    environment: tuple[str, ...] = ()  # the MICROBREAK_* variables that set something
    overridden: bool = False  # whether the command line set something

    def origin(self, key: str) -> Origin:
        """Where the value of the dotted ``key`` came from."""
        return _nearest(self.origins, tuple(key.split("."))) or DEFAULT


def runtime(loaded: Loaded, *, tray: bool = True, verbose: bool = False) -> Runtime:
    """The one settings record, for the lean daemon and ``config check --json``."""
    return Runtime(
        **loaded.settings.model_dump(mode="json"),
        config_path=str(loaded.path),
        config_exists=loaded.exists,
        exercise_dirs=tuple(str(d) for d in loaded.exercise_dirs),
        tray=tray,
        verbose=verbose,
    )


def load(
    explicit: str | os.PathLike[str] | None = None,
    *,
    overrides: Mapping[str, object] | None = None,
) -> Loaded:
    """Read every layer and validate the merge, or raise ConfigError with one line per problem.
    ``explicit`` (``--config``) or ``$MICROBREAK_CONFIG`` replace the user's file only;
    ``overrides`` maps dotted keys (``"notification.timeout"``) to values of command-line flags."""
    path, named = config_file(explicit)
    exists = path.is_file()
    if not exists and path.exists():
        raise ConfigError([_("{path}: is not a file").format(path=path)])
    if not exists and named:
        source = f"{CONFIG_ENV}={path}" if not explicit else "--config"
        said = _("{path}: no such config file (named by {source})")
        raise ConfigError([said.format(path=path, source=source)])
    variables = _variables()
    problems = _unknown_env(variables)
    if problems:
        raise ConfigError(problems)

    sites = site_config_files()
    system_files = tuple(f for f in sites if f.is_file())
    problems += [
        _("{path}: is not a file").format(path=f) for f in sites if f.exists() != f.is_file()
    ]
    files = [(Origin("system", str(f)), f) for f in system_files]
    files += [(Origin("user", str(path)), path)] if exists else []
    layers = [(_read(file, problems), _always(origin)) for origin, file in files]
    environment = _environment(variables, problems)
    # A key is set by its own variable, else by the one of the table that holds it.
    layers.append(
        (environment, lambda loc: Origin("environment", _nearest(variables, loc) or _env_name(loc)))
    )
    for key, value in (overrides or {}).items():
        data: Any = value  # "notification.timeout" as {"notification": {"timeout": value}}
        for part in reversed(key.split(".")):
            data = {part: data}
        layers.append((data, _always(Origin(COMMAND_LINE, key))))
    dirs = tuple(exercise_dirs())
    catalog = CATALOG
    try:
        catalog = read_catalog(dirs).exercises
    except ConfigError as e:
        problems += e.problems
    if problems:
        raise ConfigError(problems)

    merged: dict[str, Any] = {}
    origins: dict[Loc, Origin] = {}
    for data, origin in layers:
        _merge(merged, data, origin, origins)
    with suppress(PydanticCustomError):  # a bad one is reported with the rest below
        use(_language(merged.get("language", AUTO)))  # the language speaks the mistakes too
    try:
        settings = Settings.model_validate(merged, context={"catalog": catalog})
    except ValidationError as e:
        raise ConfigError(_explain(e, origins, Origin("user", str(path)))) from None
    return Loaded(
        settings,
        path,
        exists,
        system_files=system_files,
        origins=origins,
        catalog=catalog,
        exercise_dirs=dirs,
        environment=tuple(variables.values()),
        overridden=bool(overrides),
    )


def _read(path: Path, problems: list[str]) -> dict[str, Any]:
    """The file's settings ({} and a problem if bad), one source per file: the source's merge
    of a list of files forgets which file set a key."""
    try:
        return TomlConfigSettingsSource(_Sources, toml_file=path)()
    except (ValueError, OSError, RecursionError):  # TOMLDecodeError is a ValueError
        try:  # the line and column of a syntax error, as for an exercise file
            return read_toml(path)
        except ConfigError as e:
            problems += e.problems
            return {}


def _environment(variables: Mapping[Loc, str], problems: list[str]) -> dict[str, Any]:
    """What pydantic-settings' env source makes of the ``MICROBREAK_*`` ``variables``.

    The source stops at the first value that is not JSON, naming the field only, and lets an
    empty one in a table through: each is tried here first, to name the variable and the fix.
    """
    bad = []
    for loc, var in variables.items():
        if (kind := _kind(loc)) is not None:
            try:
                json.loads(os.environ[var])
            except ValueError:
                said = _("environment variable {var}: not valid JSON; write {kind}")
                bad.append(said.format(var=var, kind=kind))
    problems += bad
    if bad or not variables:
        return {}
    try:  # names in any case; the prefix and the delimiter are _Sources'
        return EnvSettingsSource(_Sources, case_sensitive=False)()
    except SettingsError as e:
        problems.append(f"environment: {e}")
        return {}


def _variables() -> dict[Loc, str]:
    """Each ``MICROBREAK_*`` variable (but the config path) by the key it sets, in any case."""
    return {
        tuple(var[len(ENV_PREFIX) :].lower().split(ENV_NESTED_DELIMITER)): var
        for var in sorted(os.environ)
        if var.upper().startswith(ENV_PREFIX)
        and var.upper() != CONFIG_ENV
        and not var.upper().endswith(BACKEND_SUFFIX)
    }


def _nearest(found: Mapping[Any, T], loc: tuple[str | int, ...]) -> T | None:
    """The entry for ``loc``, else for the nearest table (or list) that holds it."""
    return next((found[k] for n in range(len(loc), 0, -1) if (k := loc[:n]) in found), None)


def _always(origin: Origin) -> Callable[[Loc], Origin]:
    return lambda _loc: origin


def _merge(
    into: dict[str, Any],
    layer: Mapping[str, Any],
    origin: Callable[[Loc], Origin],
    origins: dict[Loc, Origin],
    prefix: Loc = (),
) -> None:
    """Lay ``layer`` over ``into``: tables of settings key by key, any other value whole;
    ``origins`` stays in the order the keys were last set, so a later entry is a higher layer."""
    for key, value in layer.items():
        loc = (*prefix, key)
        below = into.get(key)
        merge = _table(loc) is not None and isinstance(value, dict)
        if not (merge and isinstance(below, dict)):  # what was set here before is replaced
            for old in [k for k in origins if k[: len(loc)] == loc]:
                del origins[old]
        if merge:
            table: dict[str, Any] = dict(below) if isinstance(below, dict) else {}
            into[key] = table
            _merge(table, value, origin, origins, loc)
        else:
            into[key] = value
            origins[loc] = origin(loc)


def _table(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model of the table of settings at ``loc`` (``Settings`` at ``()``), else None."""
    model: type[BaseModel] | None = Settings
    for key in loc:
        spec = model.model_fields.get(str(key)) if model is not None else None
        ann = spec.annotation if spec is not None else None
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return model


_ENV_EXAMPLES = {
    "snooze_choices": 'a list like ["5m", "10m"]',
    "notification": 'a table like {"timeout": "20s"}',
    "by_day": 'a table like {"fri": ["09:00-13:00"]}',
}
_LIST_EXAMPLES = {
    "snooze_choices": '["5m", "10m", "15m"]',
    "days": '["mon", "tue", "wed", "thu", "fri"]',
    "hours": '["09:00-17:30"]',
    "positions": '["seated", "standing"]',
    "include": '["shoulder-rolls", "shoulder-shrug"]',
    "exclude": '["shoulder-rolls", "shoulder-shrug"]',
}


def _kind(loc: Loc) -> str | None:
    """How a JSON value for this key looks (``a list like [...]``), or None for plain text."""
    if (table := _table(loc)) is not None:
        first = next(iter(table.model_fields))
        return _ENV_EXAMPLES.get(loc[-1], f'a table like {{"{first}": ...}}')
    shape = get_origin(_model_at(loc).model_fields[loc[-1]].annotation)
    if shape is list or shape is dict:  # the one dict, by_day, has its example
        return _ENV_EXAMPLES.get(loc[-1]) or f"a list like {_LIST_EXAMPLES[loc[-1]]}"
    return None


# -- explaining mistakes -----------------------------------------------------------------------


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel]:
    """The model that owns the last key of ``loc``: its type, its limits, its other keys."""
    return next(m for n in range(len(loc) - 1, -1, -1) if (m := _table(loc[:n])) is not None)


def _env_name(loc: Loc) -> str:
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(loc).upper()


def _allowed(error: Mapping[str, Any]) -> str:
    """What a value of this type may be, in words."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = error["loc"]
    if kind == "enum":
        return _("one of {values}").format(values=ctx.get("expected", "")).replace("'", '"')
    if kind in {"list_type", "too_short", "too_long"}:
        in_by_day = len(loc) > 1 and loc[-2] == "by_day"
        words = {
            "too_short": _("a list with at least {n} entry, like {example}"),
            "too_long": _("a list with at most {n} entries, like {example}"),
            "list_type": _("a list, like {example}"),
        }
        return words[kind].format(
            n=ctx.get("min_length", ctx.get("max_length")),
            example=_LIST_EXAMPLES.get("hours" if in_by_day else str(loc[-1]), "[...]"),
        )
    if kind == "dict_type" and loc[-1] == "by_day":
        return _("a table like {example}").format(example='{ fri = ["09:00-13:00"] }')
    if kind in {"model_type", "dict_type"}:
        return _("a table of settings")
    if kind.startswith("bool_"):
        return _("true or false")
    if kind.startswith(("int_", "greater_than", "less_than")):  # daily_goal, ge= and le= limits
        spec = _model_at(tuple(loc)).model_fields[str(loc[-1])]
        limits = {k: getattr(m, k) for m in spec.metadata for k in ("ge", "le") if hasattr(m, k)}
        within = _(" from {low} to {high}").format(low=limits["ge"], high=limits["le"])
        return _("a whole number{range}").format(range=within)
    # Anything else in pydantic's words, minus its "Input should be" preamble.
    return str(error["msg"]).removeprefix("Input should be ")


def _explain(error: ValidationError, origins: Mapping[Loc, Origin], fallback: Origin) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        # pydantic marks a bad key of a table (by_day's day) with a last "[key]" part.
        loc = tuple(p for p in item["loc"] if p != "[key]")
        kind, message = item["type"], str(item["msg"])
        ours = kind in {"duration", "clock", "exercise", "bounds", "language"}
        if ours and (sub := (item.get("ctx") or {}).get("key")):  # the message names a key
            loc = (*loc, sub)
            message = message.split(": ", 1)[1]
        # The layer that set the value (or the table, or the list, holding it); for a key nobody
        # set (a check across keys), the highest layer that set its table, else ``fallback``.
        near = [origin for k, origin in origins.items() if loc and k[:1] == (str(loc[0]),)]
        origin = _nearest(origins, loc) or (near[-1] if near else fallback)
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)[1:]  # x.y[0]
        if kind == "extra_forbidden":
            known = list(_model_at(loc).model_fields)
            listed = _("; allowed keys here: {keys}").format(keys=", ".join(known))
            hint = did_you_mean(str(loc[-1]), known) or listed
            said = _("{origin}: {key}: unknown key{hint}")
            problems.append(said.format(origin=origin, key=key, hint=hint))
            continue
        if kind == "bounds":
            other = origins.get(("max_interval",), DEFAULT)
            if other not in {origin, DEFAULT}:
                message += _(" (max_interval comes from {origin})").format(origin=other)
        elif not ours:
            value, allowed = item.get("input"), _allowed(item)
            if isinstance(value, str | int | float | bool):
                said = _("got {value}; expected {allowed}")
                message = said.format(value=json.dumps(value), allowed=allowed)
            else:
                message = _("expected {allowed}").format(allowed=allowed)
        problems.append(f"{origin}: {key}: {message}")
    return problems


def _unknown_env(variables: Mapping[Loc, str]) -> list[str]:
    """``MICROBREAK_*`` variables that set nothing are typos; say so rather than ignore them."""
    keys = [key.split(".") for key, _ in _leaves(Settings())]
    known = sorted({CONFIG_ENV} | {_env_name(tuple(k[:n])) for k in keys for n in (1, len(k))})
    said = _("environment variable {var}: unknown setting{hint}")
    return [
        said.format(var=var, hint=did_you_mean(_env_name(loc), known))
        for loc, var in variables.items()
        if _env_name(loc) not in known
    ]


def _toml_value(value: object) -> str:
    """A value as TOML writes it; JSON's true, numbers and strings (str enums too) are TOML's."""
    if isinstance(value, timedelta):
        return f'"{format_duration(value)}"'
    if isinstance(value, time):
        return f'"{value.strftime("%H:%M")}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return json.dumps(value)


def _leaves(settings: Settings) -> list[tuple[str, object]]:
    """Every setting as (dotted key, value), top-level keys first, in the model's order."""
    data = settings.model_dump()
    top = [(key, value) for key, value in data.items() if not isinstance(value, dict)]
    tables = [
        (f"{name}.{key}", value)
        for name, table in data.items()
        if isinstance(table, dict)
        for key, value in table.items()
    ]
    return top + tables


def describe(settings: Settings) -> str:
    """The effective settings as TOML, for ``microbreak config check``."""
    data = settings.model_dump()
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
    return "\n".join(lines)


def show(loaded: Loaded, *, sources: bool = False) -> str:
    """The effective settings; with ``sources``, one aligned ``key = value  # source`` line per
    setting (still valid TOML) under a line naming the layers, lowest first."""
    if not sources:
        return describe(loaded.settings)
    layers = ["default", *(str(p) for p in loaded.system_files)]
    layers.append(str(loaded.path) if loaded.exists else f"{loaded.path} (not there)")
    layers += ["environment"] if loaded.environment else []
    layers += [COMMAND_LINE] if loaded.overridden else []
    rows = [(k, _toml_value(v), loaded.origin(k).label) for k, v in _leaves(loaded.settings)]
    key_width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    lines = [f"# lowest first: {' < '.join(layers)}"]
    lines += [f"{k.ljust(key_width)} = {v.ljust(value_width)}  # {s}" for k, v, s in rows]
    return "\n".join(lines)
