"""Settings in layers, each over the one before, and one clear line per mistake.

Lowest first: the built-in defaults, the system-wide files (``/etc/xdg/microbreak/config.toml``
on Linux, one per ``$XDG_CONFIG_DIRS`` entry), the user's file, ``MICROBREAK_*`` variables, and
overrides from the command line. Tables merge key by key, so a user file that sets only
``[notification] timeout`` keeps the system file's ``sound``.

pydantic-settings reads the layers: a ``TomlConfigSettingsSource`` per file, and an
``EnvSettingsSource`` (prefix ``MICROBREAK_``, ``__`` for a key in a table, names in any case,
JSON for lists and tables) per variable. The rest is ours, because pydantic-settings merges its
sources into one dict and forgets where each value came from: which variables exist at all
(it ignores a misspelt one; we say "did you mean"), the merge (tables key by key, anything else
replaced whole), the record of which layer set each key (so every problem, and
``microbreak config show --sources``, names the file, the variable or the command line), the
messages for a file it cannot parse (``read_toml``'s, with line and column) or a variable that
is not JSON, and the one validation of the merge against ``Settings``, a plain pydantic model
with the exercise catalog as context. ``Settings()`` is therefore the defaults alone: it never
looks at the environment. Only the command line's config path imports this module (and so
pydantic); the daemon runs on the plain ``Runtime`` record.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, get_origin

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
    TimeOfDayError,
    format_duration,
    parse_duration,
    parse_time_of_day,
)
from ..core.exercises import CATALOG, Exercise, Position, current_id
from ..core.rotation import Selection, SelectionError
from ..core.work_hours import Span
from ..errors import ConfigError
from ..paths import CONFIG_ENV, config_file, site_config_files
from .exercise_files import did_you_mean, exercise_dirs, read_catalog, read_toml
from .record import Runtime

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ENV_PREFIX = "MICROBREAK_"
ENV_NESTED_DELIMITER = "__"


SECOND = timedelta(seconds=1)
#: The longest interval, snooze, natural break or hold: a day. Longer is a typo (100000h) or a
#: pause, and the menus and the status line are not made for it.
DAY = timedelta(hours=24)
#: The longest a reminder may stay on screen.
HOUR = timedelta(hours=1)


def _bounded(longest: timedelta) -> BeforeValidator:
    """A duration from one second to ``longest``, in whole seconds, as the menus show it."""
    allowed = f"write a duration from 1s to {format_duration(longest)}, like 45m, 1h30m or 90s"

    def check(value: object) -> timedelta:
        try:
            parsed = parse_duration(value)
        except DurationError as e:
            raise PydanticCustomError("duration", str(e)) from None
        shown = json.dumps(value, default=str)
        if parsed <= timedelta(0):
            raise PydanticCustomError(
                "duration", f"{shown} must be longer than zero; write {DURATION_HELP}"
            )
        if parsed < SECOND:
            raise PydanticCustomError("duration", f"{shown} is less than a second; {allowed}")
        if parsed.microseconds:
            raise PydanticCustomError(
                "duration", f"{shown} is not a whole number of seconds; {allowed}"
            )
        if parsed > longest:
            raise PydanticCustomError("duration", f"{shown} is too long; {allowed}")
        return parsed

    return BeforeValidator(check)


def _clock_time(value: object) -> time:
    try:
        return parse_time_of_day(value)
    except TimeOfDayError as e:
        raise PydanticCustomError("clock", str(e)) from None


def _not_a_boolean(value: object) -> object:
    """pydantic would take true as 1; in a file that is a mistake, not a number."""
    if isinstance(value, bool):
        raise PydanticKnownError("int_type")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]
Duration = Annotated[timedelta, _bounded(DAY)]
ShortDuration = Annotated[timedelta, _bounded(HOUR)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]


def _distinct(value: object, handler: ValidatorFunctionWrapHandler) -> list[timedelta]:
    """The snooze menu's entries, each once: "5m" and "300s" are the same entry."""
    parsed: list[timedelta] = handler(value)
    first: dict[timedelta, int] = {}
    for n, span in enumerate(parsed):
        if span in first:
            raw = value[n] if isinstance(value, list) else span
            earlier = first[span]
            shown = json.dumps(raw, default=str)
            same = "" if raw == format_duration(span) else f" ({format_duration(span)})"
            raise PydanticCustomError(
                "duration",
                "{key}: {value}{same} repeats snooze_choices[{earlier}]; "
                "each choice must be a different duration",
                {"key": n, "value": shown, "same": same, "earlier": earlier},
            )
        first[span] = n
    return parsed


class NotificationSettings(BaseModel):
    """How a reminder is shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout: ShortDuration = Field(default=timedelta(seconds=20))
    sound: bool = False


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: object) -> str:
    """``mon`` or ``Monday`` as ``mon``; not any word that starts like a day (``sunshine``)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in WEEKDAYS or text in _DAY_NAMES:
        return text[:3]
    raise PydanticCustomError(
        "clock",
        "{value} is not a day; use mon, tue, wed, thu, fri, sat, sun",
        {"value": json.dumps(value, default=str)},
    )


def _time_range(value: object) -> str:
    try:
        return str(Span.parse(value))
    except TimeOfDayError as e:
        raise PydanticCustomError("clock", str(e)) from None


Weekday = Annotated[str, BeforeValidator(_weekday)]
TimeRange = Annotated[str, BeforeValidator(_time_range)]


class WorkHoursSettings(BaseModel):
    """When reminders may come; off by default so a first evening try still shows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    hours: list[TimeRange] = Field(default_factory=lambda: ["09:00-17:30"], min_length=1)
    by_day: dict[Weekday, list[TimeRange]] = Field(default={})  # see ExerciseSettings.include

    @model_validator(mode="after")
    def _some_hours(self) -> WorkHoursSettings:
        """Working hours on with no hours at all would hold every reminder back, forever."""
        if self.enabled and not any(_work_week(self) or ()):
            if self.days:
                key, what = "by_day", f"{json.dumps(self.by_day)} leaves every working day empty"
                fix = 'give at least one day a range like "09:00-17:30"'
            else:
                key, what = "days", "[] leaves no working day"
                fix = f"list at least one day, like {json.dumps(list(WEEKDAYS[:5]))}"
            raise PydanticCustomError(
                "clock",
                "{key}: {what}, so with enabled = true no reminder would ever come; "
                "{fix}, or set enabled = false",
                {"key": key, "what": what, "fix": fix},
            )
        return self


class DoNotDisturbSettings(BaseModel):
    """Which conditions hold a due reminder back, and for how long at most."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fullscreen: bool = True
    desktop: bool = True
    camera: bool = True
    microphone: bool = False
    max_postpone: Duration = Field(default=timedelta(minutes=30))


def _catalog(info: ValidationInfo) -> Sequence[Exercise]:
    """The merged catalog ``load`` validates against (built-in and your own exercises)."""
    context = info.context
    if isinstance(context, Mapping):
        known = context.get("catalog")
        if known is not None:
            return tuple(known)
    return CATALOG


def _exercise_id(value: object, info: ValidationInfo) -> str:
    known = [e.id for e in _catalog(info)]
    if isinstance(value, str) and (current := current_id(value, known)) in known:
        return current  # an old id merged into another exercise still works
    hint = did_you_mean(str(value), known)
    raise PydanticCustomError(
        "exercise",
        "no exercise is called {name}{hint}; `microbreak exercises` lists them",
        {"name": json.dumps(value, default=str), "hint": hint},
    )


ExerciseId = Annotated[str, BeforeValidator(_exercise_id)]


class ExerciseSettings(BaseModel):
    """Which exercises may come up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    positions: list[Position] = Field(default_factory=lambda: [Position.SEATED], min_length=1)
    # Empty defaults, not default_factory=list: pydantic copies a mutable default for each model
    # anyway, and for a built-in factory it parses the text signature with tokenize at import,
    # a few ms of every start of the command line.
    include: list[ExerciseId] = Field(default=[])
    exclude: list[ExerciseId] = Field(default=[])

    def selection(self) -> Selection:
        """The core's view of these settings."""
        return Selection(frozenset(self.positions), tuple(self.include), tuple(self.exclude))

    @model_validator(mode="after")
    def _not_empty(self, info: ValidationInfo) -> ExerciseSettings:
        try:
            self.selection().allowed(_catalog(info))
        except SelectionError:
            raise PydanticCustomError(
                "exercise",
                "{key}: these settings leave no exercise to choose from; allow more positions, "
                "or include at least one exercise that is not excluded",
                {"key": "exclude"},
            ) from None
        return self


class Settings(BaseModel):
    """Every setting, with its default; see config.example.toml for the documented file.

    ``Settings()`` is the built-in defaults alone; ``load`` adds the files, the environment
    and the command line.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_interval: Duration = Field(default=timedelta(minutes=30))
    max_interval: Duration = Field(default=timedelta(minutes=60))
    snooze_choices: Annotated[list[Duration], WrapValidator(_distinct)] = Field(
        default_factory=lambda: [timedelta(minutes=m) for m in (5, 10, 15)],
        min_length=1,
        max_length=8,
    )
    morning: ClockTime = Field(default=time(8, 0))
    natural_break: Duration = Field(default=timedelta(minutes=5))
    detect_idle: bool = True
    daily_goal: WholeNumber = Field(default=6, ge=1, le=100)
    notification: NotificationSettings = Field(default_factory=NotificationSettings)
    exercises: ExerciseSettings = Field(default_factory=ExerciseSettings)
    work_hours: WorkHoursSettings = Field(default_factory=WorkHoursSettings)
    do_not_disturb: DoNotDisturbSettings = Field(default_factory=DoNotDisturbSettings)

    @model_validator(mode="after")
    def _bounds(self) -> Settings:
        if self.min_interval > self.max_interval:
            raise PydanticCustomError(
                "bounds",
                "{key}: {low} is longer than max_interval {high}; "
                "min_interval must not exceed max_interval",
                {
                    "key": "min_interval",
                    "low": format_duration(self.min_interval),
                    "high": format_duration(self.max_interval),
                },
            )
        return self


class _Sources(BaseSettings, Settings):
    """``Settings`` as pydantic-settings' sources see it: its fields, and where to find them.

    Only a description for the sources, never validated itself (``defer_build``): the merge of
    the layers is validated as a plain ``Settings``. Keys in a file are case-sensitive, as TOML's
    are; ``_Variable`` matches variable names in any case.
    """

    model_config = SettingsConfigDict(
        case_sensitive=True,
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        defer_build=True,
    )


class _Variable(EnvSettingsSource):
    """pydantic-settings' environment source, shown a single ``MICROBREAK_*`` variable.

    It matches the name to a setting (any case, ``__`` for a key in a table), decodes JSON for a
    list or a table and nests the value. One source per variable is how ``load`` knows which
    variable set which key, and which one is not valid JSON. ``_load_env_vars`` is the source's
    hook for where the variables come from (``DotEnvSettingsSource`` overrides it too).
    """

    def __init__(self, name: str, value: str) -> None:
        # Set first: the base class calls _load_env_vars from its __init__.
        self.variable = name
        self.text = value
        super().__init__(_Sources, case_sensitive=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {self.variable.lower(): self.text}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a setting came from: the defaults, a file, a variable or the command line."""

    kind: str  # "default", "system", "user", "environment" or "command line"
    name: str = ""  # the file, the variable or the dotted key

    def __str__(self) -> str:
        """As a problem names it: the file, ``environment variable X`` or ``command line``."""
        if self.kind == "environment":
            return f"environment variable {self.name}"
        if self.kind in {"system", "user"}:
            return self.name
        return self.kind

    @property
    def label(self) -> str:
        """As ``config show --sources`` names it."""
        return f"environment {self.name}" if self.kind == "environment" else str(self)


DEFAULT = Origin("default")
COMMAND_LINE = "command line"


@dataclass(frozen=True, slots=True)
class Loaded:
    """Settings with the user file they came from (``exists`` False: no file yet) and the rest.

    ``path`` is the user layer's file; ``system_files`` the system-wide files that were read,
    lowest first; ``origins`` maps a dotted key to the layer that set it (a key not in it has
    its default); ``catalog`` is the merged exercise catalog read from ``exercise_dirs``.
    """

    settings: Settings
    path: Path
    exists: bool
    system_files: tuple[Path, ...] = ()
    origins: Mapping[str, Origin] = field(default_factory=dict)
    catalog: tuple[Exercise, ...] = CATALOG
    exercise_dirs: tuple[Path, ...] = ()
    environment: tuple[str, ...] = ()  # the MICROBREAK_* variables that set something
    overridden: bool = False  # whether the command line set something

    def origin(self, key: str) -> Origin:
        """Where the value of the dotted ``key`` came from (``DEFAULT`` if nobody set it)."""
        parts = key.split(".")
        for n in range(len(parts), 0, -1):
            found = self.origins.get(".".join(parts[:n]))
            if found is not None:
                return found
        return DEFAULT


def _work_week(work: WorkHoursSettings) -> tuple[tuple[str, ...], ...] | None:
    """Per weekday (Monday first) the time ranges, or None when working hours are off."""
    if not work.enabled:
        return None
    return tuple(
        tuple(work.by_day.get(day, work.hours if day in work.days else [])) for day in WEEKDAYS
    )


def runtime(loaded: Loaded, *, tray: bool = True, verbose: bool = False) -> Runtime:
    """The plain record the lean daemon process runs on."""
    s = loaded.settings
    return Runtime(
        min_interval=s.min_interval.total_seconds(),
        max_interval=s.max_interval.total_seconds(),
        snooze_choices=tuple(d.total_seconds() for d in s.snooze_choices),
        morning=s.morning.strftime("%H:%M"),
        natural_break=s.natural_break.total_seconds(),
        notification_timeout=s.notification.timeout.total_seconds(),
        positions=tuple(p.value for p in s.exercises.positions),
        include=tuple(s.exercises.include),
        exclude=tuple(s.exercises.exclude),
        config_path=str(loaded.path),
        config_exists=loaded.exists,
        daily_goal=s.daily_goal,
        detect_idle=s.detect_idle,
        sound=s.notification.sound,
        dnd=(
            ("fullscreen", s.do_not_disturb.fullscreen),
            ("desktop", s.do_not_disturb.desktop),
            ("camera", s.do_not_disturb.camera),
            ("microphone", s.do_not_disturb.microphone),
        ),
        max_postpone=s.do_not_disturb.max_postpone.total_seconds(),
        work_hours=_work_week(s.work_hours),
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

    ``explicit`` (``--config``) or ``$MICROBREAK_CONFIG`` replace the user's file only; the
    system-wide files still apply beneath it. ``overrides`` maps dotted keys (``"min_interval"``,
    ``"notification.timeout"``) to values from command-line flags, above everything else.
    """
    path, named = config_file(explicit)
    exists = path.is_file()
    if not exists and path.exists():
        raise ConfigError([f"{path}: is not a file"])
    if not exists and named:
        source = f"{CONFIG_ENV}={path}" if not explicit else "--config"
        raise ConfigError([f"{path}: no such config file (named by {source})"])
    problems = _unknown_env()
    if problems:
        raise ConfigError(problems)

    layers: list[tuple[Origin, dict[str, Any]]] = []
    system_files: list[Path] = []
    for system in site_config_files():
        if system.is_file():
            system_files.append(system)
            layers.append((Origin("system", str(system)), _read(system, problems)))
        elif system.exists():
            problems.append(f"{system}: is not a file")
    if exists:
        layers.append((Origin("user", str(path)), _read(path, problems)))
    env = _env_layers(problems)
    layers += env
    layers += [
        (Origin(COMMAND_LINE, key), _nest(tuple(key.split(".")), value))
        for key, value in (overrides or {}).items()
    ]
    dirs = tuple(exercise_dirs())
    catalog = CATALOG
    try:
        catalog = read_catalog(dirs).exercises
    except ConfigError as e:
        problems += e.problems
    if problems:
        raise ConfigError(problems)

    merged: dict[str, Any] = {}
    origins: dict[tuple[str, ...], Origin] = {}
    for origin, data in layers:
        _merge(merged, data, origin, origins, Settings, ())
    try:
        settings = Settings.model_validate(merged, context={"catalog": catalog})
    except ValidationError as e:
        fallback = Origin("user", str(path))
        raise ConfigError(_explain(e, origins, fallback)) from None
    return Loaded(
        settings,
        path,
        exists,
        system_files=tuple(system_files),
        origins={".".join(loc): origin for loc, origin in origins.items()},
        catalog=catalog,
        exercise_dirs=dirs,
        environment=tuple(dict.fromkeys(o.name for o, _ in env)),
        overridden=bool(overrides),
    )


def _read(path: Path, problems: list[str]) -> dict[str, Any]:
    """The file's settings, read by pydantic-settings' TOML source ({} and a problem if bad)."""
    try:
        return TomlConfigSettingsSource(_Sources, toml_file=path)()
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as e:
        try:  # the same message as for an exercise file: the line and column of a syntax error
            read_toml(path)
        except ConfigError as again:
            problems += again.problems
        else:  # fixed between the two reads
            problems.append(f"{path}: cannot be read ({e.__class__.__name__}: {e})")
        return {}


def _nest(loc: tuple[str, ...], value: object) -> dict[str, Any]:
    """``("notification", "timeout"), "30s"`` as ``{"notification": {"timeout": "30s"}}``."""
    data: dict[str, Any] = {loc[-1]: value}
    for key in reversed(loc[:-1]):
        data = {key: data}
    return data


def _table(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    """The model of ``key`` when it is a table of settings (``[notification]``), else None."""
    found = model.model_fields.get(key) if model is not None else None
    ann = found.annotation if found is not None else None
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _merge(
    into: dict[str, Any],
    layer: Mapping[str, Any],
    origin: Origin,
    origins: dict[tuple[str, ...], Origin],
    model: type[BaseModel] | None,
    prefix: tuple[str, ...],
) -> None:
    """Lay ``layer`` over ``into``: tables key by key, any other value replaced whole.

    ``origins`` records which layer set each key; it stays in the order the keys were last set,
    so a later entry always comes from a higher layer.
    """
    for key, value in layer.items():
        loc = (*prefix, key)
        table = _table(model, key)
        below = into.get(key)
        if table is not None and isinstance(value, dict):
            if not isinstance(below, dict):
                _forget(origins, loc)
                below = {}
            into[key] = below = dict(below)
            _merge(below, value, origin, origins, table, loc)
        else:
            _forget(origins, loc)
            into[key] = value
            origins[loc] = origin


def _forget(origins: dict[tuple[str, ...], Origin], loc: tuple[str, ...]) -> None:
    for key in [k for k in origins if k[: len(loc)] == loc]:
        del origins[key]


def _env_layers(problems: list[str]) -> list[tuple[Origin, dict[str, Any]]]:
    """One layer per ``MICROBREAK_*`` variable: a whole table's first, then its single keys.

    Lists and tables are written as JSON (``MICROBREAK_SNOOZE_CHOICES='["5m", "20m"]'``); a
    key inside a table is reached with a double underscore (``MICROBREAK_NOTIFICATION__SOUND``).
    Names are matched case-insensitively; ``_unknown_env`` has already refused unknown ones.
    pydantic-settings reads each variable (``_Variable``).
    """
    found: list[tuple[int, Origin, dict[str, Any]]] = []
    for var in sorted(os.environ):
        upper = var.upper()
        if not upper.startswith(ENV_PREFIX) or upper == CONFIG_ENV:
            continue
        loc = tuple(upper[len(ENV_PREFIX) :].lower().split(ENV_NESTED_DELIMITER))
        text, kind = os.environ[var], _kind(loc)
        try:
            data: dict[str, Any] | None = _Variable(var, text)()
        except SettingsError:  # only lists and tables are decoded, so kind is not None here
            data = None
        # pydantic-settings does not decode an empty value for a list or table inside a table
        if data is None or (kind is not None and text == ""):
            problems.append(f"environment variable {var}: not valid JSON; write {kind}")
            continue
        found.append((len(loc), Origin("environment", var), data))
    found.sort(key=lambda item: item[0])
    return [(origin, data) for _, origin, data in found]


_ENV_EXAMPLES = {
    "snooze_choices": 'a list like ["5m", "10m"]',
    "notification": 'a table like {"timeout": "20s"}',
    "by_day": 'a table like {"fri": ["09:00-13:00"]}',
}


def _kind(loc: tuple[str, ...]) -> str | None:
    """How a JSON value for this key looks (``a list like [...]``), or None for plain text."""
    model: type[BaseModel] = Settings
    ann: Any = None
    for key in loc:
        found = model.model_fields.get(key)
        ann = found.annotation if found is not None else None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
    example = _ENV_EXAMPLES.get(loc[-1])
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        first = next(iter(ann.model_fields))
        return example or f'a table like {{"{first}": ...}}'
    if get_origin(ann) is list:
        return example or f"a list like {_LIST_EXAMPLES.get(loc[-1], '[...]')}"
    if get_origin(ann) is dict:
        return example or "a table like {...}"
    return None


# -- explaining mistakes -----------------------------------------------------------------------


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel]:
    """The model that owns the last key of ``loc`` (for listing allowed keys)."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        spec = model.model_fields.get(str(part))
        ann = spec.annotation if spec else None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            break
    return model


def _env_name(loc: tuple[str | int, ...]) -> str:
    keys = [str(p) for p in loc if isinstance(p, str)]
    return ENV_PREFIX + "__".join(keys).upper()


def _origin_of(
    loc: tuple[str | int, ...], origins: Mapping[tuple[str, ...], Origin], fallback: Origin
) -> Origin:
    """The layer that set the value at ``loc`` (or the table, or the list, holding it).

    A check across keys may name a key nobody set (``exercises.exclude`` when the include list
    leaves nothing); then the highest layer that set anything in the same table is to blame,
    and failing that ``fallback`` (the user's file).
    """
    for n in range(len(loc), 0, -1):
        keys = loc[:n]
        if all(isinstance(p, str) for p in keys):  # list positions are never set on their own
            found = origins.get(tuple(str(p) for p in keys))
            if found is not None:
                return found
    near = [origin for key, origin in origins.items() if loc and key[:1] == (str(loc[0]),)]
    return near[-1] if near else fallback


def _key(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


_LIST_EXAMPLES = {
    "snooze_choices": '["5m", "10m", "15m"]',
    "days": '["mon", "tue", "wed", "thu", "fri"]',
    "hours": '["09:00-17:30"]',
    "positions": '["seated", "standing"]',
    "include": '["shoulder-rolls", "shoulder-shrug"]',
    "exclude": '["shoulder-rolls", "shoulder-shrug"]',
}


def _allowed(error: Mapping[str, Any]) -> str:
    """What a value of this type may be, in words."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "enum":
        return f"one of {ctx.get('expected', '')}".replace("'", '"')
    if kind in {"list_type", "too_short", "too_long"}:
        loc = error["loc"]
        in_by_day = len(loc) > 1 and loc[-2] == "by_day"
        example = _LIST_EXAMPLES.get("hours" if in_by_day else str(loc[-1]), "[...]")
        size = ""
        if kind == "too_short":
            size = f" with at least {ctx.get('min_length')} entry"
        elif kind == "too_long":
            size = f" with at most {ctx.get('max_length')} entries"
        return f"a list{size}, like {example}"
    if kind == "dict_type" and error["loc"][-1] == "by_day":
        return 'a table like { fri = ["09:00-13:00"] }'
    if kind in {"model_type", "dict_type"}:
        return "a table of settings"
    if kind == "string_type":
        return "a string in quotes"
    if kind.startswith("bool_"):
        return "true or false"
    if kind.startswith("int_") or kind in _NUMBER_LIMITS:
        return f"a whole number{_number_range(tuple(error['loc']))}"
    # Anything else in pydantic's words, minus its "Input should be" preamble.
    return str(error["msg"]).removeprefix("Input should be ")


#: pydantic's error types for a number out of its Field(ge=..., le=...) limits.
_NUMBER_LIMITS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _number_range(loc: tuple[str | int, ...]) -> str:
    """`` from 1 to 100`` for a field with both limits (Field's ge and le), else ``""``."""
    spec = _model_at(loc).model_fields.get(str(loc[-1]))
    limits = {
        k: getattr(m, k)
        for m in (spec.metadata if spec else ())
        for k in ("ge", "le")
        if getattr(m, k, None) is not None
    }
    if "ge" in limits and "le" in limits:
        return f" from {limits['ge']} to {limits['le']}"
    if "ge" in limits:
        return f" of at least {limits['ge']}"
    if "le" in limits:
        return f" of at most {limits['le']}"
    return ""


def _explain(
    error: ValidationError, origins: Mapping[tuple[str, ...], Origin], fallback: Origin
) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        # pydantic marks a bad key of a table (by_day's day) with a last "[key]" part.
        loc = tuple(p for p in item["loc"] if p != "[key]")
        origin = _origin_of(loc, origins, fallback)
        key = _key(loc)
        if item["type"] == "extra_forbidden":
            name = str(loc[-1])
            known = list(_model_at(loc).model_fields)
            hint = did_you_mean(name, known) or f"; allowed keys here: {', '.join(known)}"
            problems.append(f"{origin}: {key}: unknown key{hint}")
            continue
        message = str(item["msg"])
        if item["type"] in {"duration", "clock", "exercise", "bounds"}:
            sub = (item.get("ctx") or {}).get("key")
            if sub:
                loc = (*loc, sub)
                key = _key(loc)
                message = message.split(": ", 1)[1]
                origin = _origin_of(loc, origins, fallback)
            if item["type"] == "bounds":
                other = _origin_of(("max_interval",), origins, DEFAULT)
                if other not in {origin, DEFAULT}:
                    message += f" (max_interval comes from {other})"
            problems.append(f"{origin}: {key}: {message}")
            continue
        value = item.get("input")
        shown = json.dumps(value) if isinstance(value, str | int | float | bool) else ""
        got = f"got {shown}; " if shown else ""
        problems.append(f"{origin}: {key}: {got}expected {_allowed(item)}")
    return problems


def _unknown_env() -> list[str]:
    """``MICROBREAK_*`` variables that set nothing are typos; say so rather than ignore them."""
    known = {CONFIG_ENV}
    for name, spec in Settings.model_fields.items():
        known.add(_env_name((name,)))
        ann = spec.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            known.update(_env_name((name, sub)) for sub in ann.model_fields)
    problems = []
    for var in sorted(os.environ):
        upper = var.upper()
        if upper.startswith(ENV_PREFIX) and upper not in known:
            hint = did_you_mean(upper, sorted(known))
            problems.append(f"environment variable {var}: unknown setting{hint}")
    return problems


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        return f'"{format_duration(value)}"'
    if isinstance(value, time):
        return f'"{value.strftime("%H:%M")}"'
    if isinstance(value, Enum):
        return json.dumps(value.value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return json.dumps(value)


def describe(settings: Settings) -> str:
    """The effective settings as TOML, for ``microbreak config check``."""
    top: list[str] = []
    tables: list[str] = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            tables += ["", f"[{name}]"]
            tables += [f"{k} = {_toml_value(getattr(value, k))}" for k in type(value).model_fields]
        else:
            top.append(f"{name} = {_toml_value(value)}")
    return "\n".join(top + tables)


def _leaves(settings: Settings) -> list[tuple[str, object]]:
    """Every setting as (dotted key, value), top-level keys first, in the model's order."""
    top: list[tuple[str, object]] = []
    tables: list[tuple[str, object]] = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            tables += [(f"{name}.{k}", getattr(value, k)) for k in type(value).model_fields]
        else:
            top.append((name, value))
    return top + tables


def show(loaded: Loaded, *, sources: bool = False) -> str:
    """The effective settings, for ``microbreak config show``.

    With ``sources``, one aligned ``key = value  # source`` line per setting (still valid
    TOML, with dotted keys), under a line naming the layers, lowest first.
    """
    if not sources:
        return describe(loaded.settings)
    layers = ["default", *(str(p) for p in loaded.system_files)]
    layers.append(str(loaded.path) if loaded.exists else f"{loaded.path} (not there)")
    if loaded.environment:
        layers.append("environment")
    if loaded.overridden:
        layers.append(COMMAND_LINE)
    rows = [
        (key, _toml_value(value), loaded.origin(key).label)
        for key, value in _leaves(loaded.settings)
    ]
    key_width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    lines = [f"# lowest first: {' < '.join(layers)}"]
    lines += [f"{k.ljust(key_width)} = {v.ljust(value_width)}  # {s}" for k, v, s in rows]
    return "\n".join(lines)
