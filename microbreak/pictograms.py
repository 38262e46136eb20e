"""The pictogram for each exercise (drawn by ``assets/make_pictograms.py``), for notifications."""

from __future__ import annotations

import re
from pathlib import Path

from .paths import package_assets

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def pictogram(exercise_id: str) -> Path | None:
    """The packaged 128 px PNG for ``exercise_id``, or None so callers fall back to the app icon.

    Only catalog-shaped ids are looked up, so no id can point outside the pictogram folder.
    """
    if not _ID.fullmatch(exercise_id):
        return None
    path = package_assets() / "exercises" / f"{exercise_id}.png"
    return path if path.is_file() else None
