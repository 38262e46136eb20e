"""Choose a backend the one way every kind uses: tray, idle, lock, do-not-disturb, notifications.

pystray's way: a variable overrides the choice (``MICROBREAK_IDLE_BACKEND=gnome``, a comma-separated
list tried in order); else this platform's candidates are tried best first. An opener returns the
backend or a sentence (in the user's language) saying why it cannot work here, kept so that one
line can say why nothing works; an opener that raises is our bug, logged and counted as a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..i18n import _

log = logging.getLogger(__name__)

T = TypeVar("T")

#: ``sys.platform`` prefixes of the desktops that speak freedesktop.org's D-Bus APIs and X11.
FREEDESKTOP = ("linux", "freebsd", "openbsd", "netbsd", "dragonfly", "sunos")


@dataclass(frozen=True, slots=True)
class Candidate(Generic[T]):
    """One backend of a kind: its name, how to open it, and where it is worth trying."""

    name: str
    open: Callable[[Mapping[str, str]], T | str]
    #: ``sys.platform`` prefixes where it is tried, empty for everywhere; an override names it
    #: whatever the platform, as in pystray.
    platforms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Choice(Generic[T]):
    """What opened, best first (name and backend), and why each other candidate did not."""

    kind: str
    opened: tuple[tuple[str, T], ...]
    failures: tuple[str, ...]

    @property
    def backend(self) -> T | None:
        return self.opened[0][1] if self.opened else None

    @property
    def name(self) -> str | None:
        return self.opened[0][0] if self.opened else None

    def why_none(self, joiner: str = "; ") -> str:
        """The failures in one line (for "running without …" messages)."""
        return joiner.join(self.failures) or _("no {kind} backend for this system").format(
            kind=self.kind
        )


def override_variable(kind: str) -> str:
    """``MICROBREAK_<KIND>_BACKEND``, e.g. MICROBREAK_IDLE_BACKEND: the variable that names the
    backends, as PYSTRAY_BACKEND does pystray's. The suffix keeps it apart from the settings'
    variables (MICROBREAK_DO_NOT_DISTURB is the [do_not_disturb] table), which the config loader
    knows by it (``settings.config.BACKEND_SUFFIX``)."""
    return "MICROBREAK_" + kind.upper().replace("-", "_").replace(" ", "_") + "_BACKEND"


def named(kind: str, env: Mapping[str, str], variable: str | None = None) -> list[str]:
    """The backends the override variable names, in order (empty: none, the usual choice)."""
    wanted = env.get(variable or override_variable(kind), "")
    return [name.strip() for name in wanted.split(",") if name.strip()]


def first(
    kind: str,
    candidates: Sequence[Candidate[T]],
    env: Mapping[str, str],
    platform: str,
) -> Choice[T]:
    """The first candidate that opens (the later ones are not tried)."""
    return every(kind, candidates, env, platform, stop_at_first=True)


def every(
    kind: str,
    candidates: Sequence[Candidate[T]],
    env: Mapping[str, str],
    platform: str,
    *,
    variable: str | None = None,
    stop_at_first: bool = False,
) -> Choice[T]:
    """Every candidate that opens, in order (kinds whose backends all answer together)."""
    variable = variable or override_variable(kind)
    wanted = env.get(variable, "").strip()
    pool = [c for c in candidates if not c.platforms or platform.startswith(c.platforms)]
    failures: list[str] = []
    if wanted:  # the names given, in their order, whatever the platform
        known = {c.name: c for c in candidates}
        names = named(kind, env, variable)
        pool = [known[n] for n in names if n in known]
        # Translators: {kind} is the code's word (tray, idle, lock), {name} a backend's name.
        unknown = _("{variable}={wanted} names no {kind} backend {name} (known: {known})")
        failures = [
            unknown.format(
                variable=variable, wanted=wanted, kind=kind, name=repr(n), known=", ".join(known)
            )
            for n in names
            if n not in known
        ]
    opened: list[tuple[str, T]] = []
    for candidate in pool:
        try:
            found = candidate.open(env)
        except Exception as e:  # a backend bug must not stop the daemon: try the next one
            log.debug("opening the %s backend %s failed", kind, candidate.name, exc_info=True)
            found = _("the {name} {kind} backend failed ({error})").format(
                name=candidate.name, kind=kind, error=e.__class__.__name__
            )
        if isinstance(found, str):
            failures.append(found)
            continue
        log.debug("%s backend: %s", kind, candidate.name)
        opened.append((candidate.name, found))
        if stop_at_first:
            break
    return Choice(kind, tuple(opened), tuple(failures))
