"""``microbreak exercises``: the catalog, yours merged in, as a readable table."""

from __future__ import annotations

import shutil
import textwrap

from ..core.exercises import SAFETY_NOTE, Routine, Sides
from ..core.guide import TIMED_SECONDS
from ..core.rotation import Selection
from ..settings.exercise_files import Catalog, read_catalog


def table(selection: Selection, *, every: bool = False, catalog: Catalog | None = None) -> str:
    """One row per exercise: id, name, position, area, dose, the guide's count (the dose's
    fields, ``guide_text``); a mark on the ones in rotation.

    ``catalog`` defaults to the built-in exercises merged with your files. When some come from
    files, a SOURCE column says which: ``yours``, ``system`` (a system-wide dir), ``built-in``,
    with ``(replaces)`` on a file's exercise that took a built-in one's place.
    """
    merged = read_catalog() if catalog is None else catalog
    allowed = {e.id for e in selection.allowed(merged.exercises)}
    replacing = {e.id for e in merged.replacing}
    with_source = bool(merged.own)
    rows: list[tuple[str, ...]] = [
        ("ID", "NAME", "POSITION", "AREA", "DOSE", "GUIDE") + (("SOURCE",) if with_source else ())
    ]
    for e in merged.exercises:
        if every or e.id in allowed:
            source = merged.origin(e.id) + (" (replaces)" if e.id in replacing else "")
            row = (e.id, e.name, e.position.value, e.area.value, e.dose, guide_text(e.routine))
            rows.append(row + ((source,) if with_source else ()))
    if every:  # a first column marks the exercises in the rotation
        rows = [("", *rows[0])] + [("*" if r[0] in allowed else "", *r) for r in rows[1:]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    shown = len(rows) - 1
    total = len(merged.exercises)
    footer = [
        "",
        f"{len(allowed)} of {total} exercises "
        + ("is" if len(allowed) == 1 else "are")
        + " in your rotation"
        + ("" if every else f" (shown: {shown}; `microbreak exercises --all` lists every one)")
        + ("; * marks them" if every else ""),
    ]
    if with_source:
        footer.append(f"{merged.summary()}; `microbreak exercises --check` validates them")
    footer += ["", *textwrap.wrap(SAFETY_NOTE, width)]
    return "\n".join(lines + footer)


def guide_text(routine: Routine | None) -> str:
    """The routine's fields in a few words: ``10x · hold 2 s · each side · 6 s pace``."""
    if routine is None:
        return f"timed {TIMED_SECONDS:g} s"
    parts = [f"{routine.repetitions}x"]
    if routine.hold_seconds:
        parts.append(f"hold {routine.hold_seconds} s")
    if routine.sides is Sides.EACH:
        parts.append("each side")
    if routine.pace_seconds is not None:
        parts.append(f"{routine.pace_seconds:g} s pace")
    return " · ".join(parts)
