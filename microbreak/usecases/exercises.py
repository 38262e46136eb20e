"""``microbreak exercises``: the catalog, yours merged in, as a readable table."""

from __future__ import annotations

import shutil
import textwrap

from ..core.exercises import SAFETY_NOTE, Routine, Sides
from ..core.guide import TIMED_SECONDS
from ..core.rotation import Selection
from ..i18n import N_, _, ngettext
from ..i18n import shown as in_language
from ..settings.exercise_files import read_catalog


def table(selection: Selection, *, every: bool = False) -> str:
    """One row per exercise in the rotation (``every``: all, the rotation's marked), the
    built-in exercises merged with your files. When some come from files, a SOURCE column says
    where from, and which replaced a built-in one."""
    merged = read_catalog()
    allowed = {e.id for e in selection.allowed(merged.exercises)}
    replacing = {e.id for e in merged.replacing}
    rows: list[tuple[str, ...]] = [
        (_("ID"), _("NAME"), _("POSITION"), _("AREA"), _("DOSE"), _("GUIDE"), _("SOURCE"))
    ]
    rows += [
        (
            e.id,
            in_language(e, "name"),
            _(e.position.value),
            _(e.area.value),
            in_language(e, "dose"),
            guide_text(e.routine),
            _(merged.origin(e.id)) + (_(" (replaces)") if e.id in replacing else ""),
        )
        for e in merged.exercises
        if every or e.id in allowed
    ]
    if not merged.own:  # all built-in: no SOURCE column
        rows = [r[:-1] for r in rows]
    if every:  # a first column marks the exercises in the rotation
        rows = [("", *rows[0])] + [("*" if r[0] in allowed else "", *r) for r in rows[1:]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    rotation = ngettext(
        "{n} of {total} exercises is in your rotation",
        "{n} of {total} exercises are in your rotation",
        len(allowed),
    ).format(n=len(allowed), total=len(merged.exercises))
    if every:
        rotation += _("; * marks them")
    else:
        shown = len(rows) - 1
        rotation += _(" (shown: {n}; `microbreak exercises --all` lists every one)").format(n=shown)
    footer = ["", rotation]
    if merged.own:
        check = _("{summary}; `microbreak exercises --check` validates them")
        footer.append(check.format(summary=merged.summary()))
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    footer += ["", *textwrap.wrap(_(SAFETY_NOTE), width)]
    return "\n".join(lines + footer)


def guide_text(routine: Routine | None) -> str:
    """The routine's fields in a few words: ``10x · hold 2 s · each side · 6 s pace``."""
    if routine is None:
        return _("timed {seconds} s").format(seconds=f"{TIMED_SECONDS:g}")
    # Translators: how many repetitions, short ("10x").
    parts = [_("{n}x").format(n=routine.repetitions)]
    if routine.hold_seconds:
        parts.append(_("hold {seconds} s").format(seconds=routine.hold_seconds))
    if routine.sides is Sides.EACH:
        parts.append(_("each side"))
    if routine.pace_seconds is not None:
        parts.append(_("{seconds} s pace").format(seconds=f"{routine.pace_seconds:g}"))
    return " · ".join(parts)


#: Words the table shows from data, listed here for the catalog. Translators: a position
#: ("seated", "standing", "on the floor"), a body area, where an exercise comes from.
SHOWN_WORDS = (
    (N_("seated"), N_("standing"), N_("floor")),
    (N_("neck"), N_("shoulders"), N_("upper back"), N_("chest"), N_("spine"), N_("hips")),
    (N_("built-in"), N_("system"), N_("yours")),
)
