"""Every exercise has its own clean pictogram: right size, not blank, no two alike."""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from microbreak.core.exercises import CATALOG
from microbreak.pictograms import pictogram


@pytest.mark.parametrize("exercise_id", [exercise.id for exercise in CATALOG])
def test_each_exercise_has_a_pictogram(exercise_id: str) -> None:
    path = pictogram(exercise_id)
    assert path is not None, f"no pictogram for {exercise_id} (run assets/make_pictograms.py)"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (128, 128)
        assert image.mode == "RGBA"
        low, high = image.getchannel("A").getextrema()
    assert (low, high) == (0, 255)  # transparent corners, an opaque drawing


def test_no_two_pictograms_are_alike() -> None:
    digests = {}
    for exercise in CATALOG:
        path = pictogram(exercise.id)
        assert path is not None
        with Image.open(path) as image:
            digests[exercise.id] = hashlib.sha256(image.tobytes()).hexdigest()
    assert len(set(digests.values())) == len(CATALOG)


def test_an_unknown_exercise_has_none() -> None:
    assert pictogram("no-such-exercise") is None
    assert pictogram("../microbreak") is None
