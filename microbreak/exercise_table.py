"""``microbreak exercises``: the catalog as a readable table."""

from __future__ import annotations

import shutil
import textwrap

from .core.exercises import CATALOG, SAFETY_NOTE
from .core.rotation import Selection


def table(selection: Selection, *, every: bool = False) -> str:
    """One row per exercise: id, name, position, area, dose; a mark on the ones in rotation."""
    allowed = {e.id for e in selection.allowed()}
    rows: list[tuple[str, ...]] = [("ID", "NAME", "POSITION", "AREA", "DOSE")]
    for e in CATALOG:
        if every or e.id in allowed:
            rows.append((e.id, e.name, e.position.value, e.area.value, e.dose))
    if every:  # a first column marks the exercises in the rotation
        rows = [("", *rows[0])] + [("*" if r[0] in allowed else "", *r) for r in rows[1:]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    shown = len(rows) - 1
    footer = [
        "",
        f"{len(allowed)} of {len(CATALOG)} exercises "
        + ("is" if len(allowed) == 1 else "are")
        + " in your rotation"
        + ("" if every else f" (shown: {shown}; `microbreak exercises --all` lists every one)")
        + ("; * marks them" if every else ""),
        "",
        *textwrap.wrap(SAFETY_NOTE, width),
    ]
    return "\n".join(lines + footer)
