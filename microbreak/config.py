"""Settings: the TOML file, ``MICROBREAK_*`` variables over it, and one clear line per mistake.

pydantic-settings validates and reads the environment; the file is read here with ``tomllib`` so
that a syntax error can name its line and column and every problem can name where it came from.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from .core.durations import DURATION_HELP, DurationError, format_duration, parse_duration
from .core.exercises import CATALOG, Position
from .core.rotation import Selection, SelectionError
from .errors import ConfigError
from .paths import CONFIG_ENV, config_file
from .runtime import Runtime

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ENV_PREFIX = "MICROBREAK_"


def _positive_duration(value: object) -> timedelta:
    try:
        parsed = parse_duration(value)
    except DurationError as e:
        raise PydanticCustomError("duration", str(e)) from None
    if parsed <= timedelta(0):
        raise PydanticCustomError(
            "duration",
            f"{json.dumps(value, default=str)} must be longer than zero; write {DURATION_HELP}",
        )
    return parsed


def _clock_time(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    shown = json.dumps(value, default=str)
    raise PydanticCustomError("clock", f'{shown} is not a time of day like "08:30"')


Duration = Annotated[timedelta, BeforeValidator(_positive_duration)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]


class NotificationSettings(BaseModel):
    """How a reminder is shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout: Duration = Field(default=timedelta(seconds=20))
    sound: bool = False


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday(value: object) -> str:
    text = str(value).strip().lower()[:3]
    if isinstance(value, str) and text in WEEKDAYS:
        return text
    raise PydanticCustomError(
        "clock",
        "{value} is not a day; use mon, tue, wed, thu, fri, sat, sun",
        {"value": json.dumps(value, default=str)},
    )


def _time_range(value: object) -> str:
    if isinstance(value, str) and "-" in value:
        start, _, end = (part.strip() for part in value.partition("-"))
        try:
            a, b = time.fromisoformat(start), time.fromisoformat(end)
        except ValueError:
            pass
        else:
            if a != b:
                return f"{a.strftime('%H:%M')}-{b.strftime('%H:%M')}"
    raise PydanticCustomError(
        "clock",
        '{value} is not a time range like "09:00-17:30" (an end before the start crosses midnight)',
        {"value": json.dumps(value, default=str)},
    )


Weekday = Annotated[str, BeforeValidator(_weekday)]
TimeRange = Annotated[str, BeforeValidator(_time_range)]


class WorkHoursSettings(BaseModel):
    """When reminders may come; off by default so a first evening try still shows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    hours: list[TimeRange] = Field(default_factory=lambda: ["09:00-17:30"], min_length=1)
    by_day: dict[Weekday, list[TimeRange]] = Field(default_factory=dict)


class DoNotDisturbSettings(BaseModel):
    """Which conditions hold a due reminder back, and for how long at most."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fullscreen: bool = True
    desktop: bool = True
    camera: bool = True
    microphone: bool = False
    max_postpone: Duration = Field(default=timedelta(minutes=30))


def _exercise_id(value: object) -> str:
    known = [e.id for e in CATALOG]
    if isinstance(value, str) and value in known:
        return value
    hint = _did_you_mean(str(value), known)
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
    include: list[ExerciseId] = Field(default_factory=list)
    exclude: list[ExerciseId] = Field(default_factory=list)

    def selection(self) -> Selection:
        """The core's view of these settings."""
        return Selection(frozenset(self.positions), tuple(self.include), tuple(self.exclude))

    @model_validator(mode="after")
    def _not_empty(self) -> ExerciseSettings:
        try:
            self.selection().allowed()
        except SelectionError:
            raise PydanticCustomError(
                "exercise",
                "{key}: these settings leave no exercise to choose from; allow more positions, "
                "or include at least one exercise that is not excluded",
                {"key": "exclude"},
            ) from None
        return self


class Settings(BaseSettings):
    """Every setting, with its default; see config.example.toml for the documented file."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True
    )

    min_interval: Duration = Field(default=timedelta(minutes=30))
    max_interval: Duration = Field(default=timedelta(minutes=60))
    snooze_choices: list[Duration] = Field(
        default_factory=lambda: [timedelta(minutes=m) for m in (5, 10, 15)],
        min_length=1,
        max_length=8,
    )
    morning: ClockTime = Field(default=time(8, 0))
    natural_break: Duration = Field(default=timedelta(minutes=5))
    detect_idle: bool = True
    daily_goal: int = Field(default=6, ge=1, le=100)
    notification: NotificationSettings = Field(default_factory=NotificationSettings)
    exercises: ExerciseSettings = Field(default_factory=ExerciseSettings)
    work_hours: WorkHoursSettings = Field(default_factory=WorkHoursSettings)
    do_not_disturb: DoNotDisturbSettings = Field(default_factory=DoNotDisturbSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment variables override the file's values, which arrive as init values."""
        return (env_settings, init_settings)

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


@dataclass(frozen=True, slots=True)
class Loaded:
    """Settings with the file they came from (``exists`` False: defaults, no file yet)."""

    settings: Settings
    path: Path
    exists: bool


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
        tray=tray,
        verbose=verbose,
    )


def load(explicit: str | os.PathLike[str] | None = None) -> Loaded:
    """Read the config file and environment, or raise ConfigError with one line per problem."""
    path, named = config_file(explicit)
    where = str(path)
    data: dict[str, Any] = {}
    exists = path.is_file()
    if exists:
        data = _read_toml(path)
    elif path.exists():
        raise ConfigError([f"{where}: is not a file"])
    elif named:
        source = f"{CONFIG_ENV}={path}" if not explicit else "--config"
        raise ConfigError([f"{where}: no such config file (named by {source})"])
    problems = _unknown_env()
    if problems:
        raise ConfigError(problems)
    try:
        settings = Settings(**data)
    except ValidationError as e:
        raise ConfigError(_explain(e, where)) from None
    except SettingsError as e:
        raise ConfigError([_explain_env_parse(e)]) from None
    return Loaded(settings, path, exists)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([f"{path}: {_toml_position(str(e))}"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{path}: cannot be read ({e.__class__.__name__}: {e})"]) from None


def _toml_position(message: str) -> str:
    """Turn tomllib's "... (at line 3, column 5)" into "line 3, column 5: ..."."""
    head, sep, tail = message.rpartition(" (at ")
    if sep and tail.endswith(")"):
        return f"{tail[:-1]}: TOML syntax error: {head}"
    return f"TOML syntax error: {message}"


# -- explaining mistakes -----------------------------------------------------------------------


def _did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel]:
    """The model that owns the last key of ``loc`` (for listing allowed keys)."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        ann = field.annotation if field else None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            break
    return model


def _env_name(loc: tuple[str | int, ...]) -> str:
    keys = [str(p) for p in loc if isinstance(p, str)]
    return ENV_PREFIX + "__".join(keys).upper()


def _from_env(loc: tuple[str | int, ...]) -> str | None:
    """The environment variable that set this key, if one did."""
    keys = [str(p) for p in loc if isinstance(p, str)]
    for n in range(len(keys), 0, -1):
        name = ENV_PREFIX + "__".join(keys[:n]).upper()
        if any(k.upper() == name for k in os.environ):
            return name
    return None


def _key(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


_LIST_EXAMPLES = {
    "snooze_choices": '["5m", "10m", "15m"]',
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
        example = _LIST_EXAMPLES.get(str(error["loc"][-1]), "[...]")
        size = ""
        if kind == "too_short":
            size = f" with at least {ctx.get('min_length')} entry"
        elif kind == "too_long":
            size = f" with at most {ctx.get('max_length')} entries"
        return f"a list{size}, like {example}"
    if kind in {"model_type", "dict_type"}:
        return "a table of settings"
    if kind == "string_type":
        return "a string in quotes"
    return str(error["msg"])


def _explain(error: ValidationError, where: str) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        env = _from_env(loc)
        origin = f"environment variable {env}" if env else where
        key = _key(loc)
        if item["type"] == "extra_forbidden":
            name = str(loc[-1])
            known = list(_model_at(loc).model_fields)
            hint = _did_you_mean(name, known) or f"; allowed keys here: {', '.join(known)}"
            problems.append(f"{origin}: {key}: unknown key{hint}")
            continue
        message = str(item["msg"])
        if item["type"] in {"duration", "clock", "exercise", "bounds"}:
            sub = (item.get("ctx") or {}).get("key")
            if sub:
                loc = (*loc, sub)
                key = _key(loc)
                message = message.split(": ", 1)[1]
                env = _from_env(loc)
                origin = f"environment variable {env}" if env else where
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
    for name, field in Settings.model_fields.items():
        known.add(_env_name((name,)))
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            known.update(_env_name((name, sub)) for sub in ann.model_fields)
    problems = []
    for var in sorted(os.environ):
        upper = var.upper()
        if upper.startswith(ENV_PREFIX) and upper not in known:
            hint = _did_you_mean(upper, sorted(known))
            problems.append(f"environment variable {var}: unknown setting{hint}")
    return problems


def _explain_env_parse(error: SettingsError) -> str:
    text = str(error)
    for name in Settings.model_fields:
        if f'"{name}"' in text:
            var = _env_name((name,))
            for key in sorted(os.environ):
                if key.upper() == var or key.upper().startswith(var + "__"):
                    try:
                        json.loads(os.environ[key])
                    except ValueError:
                        var = key
                        break
            return (
                f"environment variable {var}: not valid JSON; "
                f'write a list like ["5m", "10m"] or a table like {{"timeout": "20s"}}'
            )
    return f"environment: {text}"


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
