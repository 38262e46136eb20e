"""``microbreak guide [EXERCISE]``: count one exercise through in the guide window.

It needs no daemon. The daemon runs it too, as a child process with ``--answer``, whose exit
code (``ANSWER_DONE``, ``ANSWER_SKIPPED``) says whether to record done or skip.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..core.exercises import Exercise, current_id
from ..errors import EXIT_OK, EXIT_USAGE, MicrobreakError
from ..i18n import _, shown
from ..paths import pictogram
from ..settings.exercise_files import did_you_mean, end_pose

#: The exit codes of ``guide --answer``: ran to the end or Done; closed early or Skip.
ANSWER_DONE = 0
ANSWER_SKIPPED = 10


class UnknownExercise(MicrobreakError):
    """An id that is not in the catalog; the message has a "did you mean"."""

    exit_code = EXIT_USAGE


class NoToolkit(MicrobreakError):
    """No GUI toolkit to show the guide with."""

    exit_code = EXIT_USAGE


def choose(
    catalog: Sequence[Exercise], allowed: Sequence[Exercise], wanted: str | None
) -> tuple[Exercise, str | None]:
    """The exercise to guide, and a line saying which when none was named: then the first of
    your selection, always the same one (the rotation lives in the daemon, which may not run)."""
    if wanted is None:
        first = (allowed or catalog)[0]
        return first, _(
            "No exercise named: the first of your selection, {name} ({id}). "
            "`microbreak guide ID` picks another; `microbreak exercises` lists them."
        ).format(name=shown(first, "name"), id=first.id)
    ids = {e.id: e for e in catalog}
    # Ids are lower case; "Shoulder-Rolls" (a name's capitals, caps lock) means the same one.
    found = ids.get(current_id(wanted, ids)) or ids.get(current_id(wanted.strip().lower(), ids))
    if found is None:
        # Only a close id: the closest of all to "xyz" is no better a guess than any other.
        hint = did_you_mean(wanted, list(ids))
        unknown = _('no exercise "{id}"{hint}; `microbreak exercises --all` lists them')
        raise UnknownExercise("guide: " + unknown.format(id=wanted, hint=hint))
    return found, None


def pictures_of(exercise: Exercise) -> tuple[Path | None, Path | None]:
    """The start pose (the user's image, else the pictogram) and ``<name>-end.png`` beside it
    when that second pose exists."""
    start = Path(exercise.image) if exercise.image else pictogram(exercise.id)
    if start is None:
        return None, None
    end = end_pose(start)
    return start, end if end.is_file() else None


def run(exercise: Exercise, *, sound: bool, answer: bool, note: str | None = None) -> int:
    """Show the guide until it ends; the exit code (see the module) or a line and EXIT_OK.
    ``note`` (which exercise, when none was named) is printed once the window can open, so a
    guide that cannot is one line."""
    from ..adapters.guide_window import GuideUnavailable, GuideWindow, Outcome

    chime = None
    if sound:
        from ..adapters.sound import Chime

        chime = Chime()
    # With --answer the daemon waits for it; if the daemon dies (killed, crashed), the guide
    # would count on for nobody, and beside the next daemon's: it closes when orphaned.
    parent = os.getppid()
    wanted = (lambda: os.getppid() == parent) if answer else (lambda: True)
    try:
        window = GuideWindow(
            exercise, pictures_of(exercise), chime=chime.play if chime else None, wanted=wanted
        )
    except GuideUnavailable as e:
        raise NoToolkit("guide: " + _("no GUI toolkit here: {reason}").format(reason=e)) from None
    if note and not answer:
        print(note, flush=True)
    try:
        outcome = window.run()
    finally:
        if chime is not None:
            chime.wait(chime.timeout)  # the last repetition's chime plays out (bounded)
            chime.close()
    if answer:
        return ANSWER_DONE if outcome is Outcome.DONE else ANSWER_SKIPPED
    said = _("Done: {exercise}") if outcome is Outcome.DONE else _("Skipped: {exercise}")
    print(said.format(exercise=shown(exercise, "name")))
    return EXIT_OK
