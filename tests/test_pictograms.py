"""Every exercise has its own clean pictogram: right size, not blank, no two alike."""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

import pytest
from PIL import Image

from microbreak.core.exercises import CATALOG, MERGED
from microbreak.paths import pictogram

ASSETS = Path(__file__).parents[1] / "assets"


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


def test_no_pictogram_is_left_without_its_exercise() -> None:
    on_disk = {path.stem for path in (ASSETS / "exercises").glob("*.png")}
    assert on_disk == {exercise.id for exercise in CATALOG}
    for old in MERGED:
        assert pictogram(old) is None, old


def test_committed_pictograms_are_what_the_generator_draws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ASSETS))  # the generator imports make_icons beside it
    module = importlib.import_module("make_pictograms")
    written = module.build(tmp_path)
    assert [path.stem for path in written] == [exercise.id for exercise in CATALOG]
    for path in written:
        committed = ASSETS / "exercises" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale"
    sheet = module.contact_sheet(written)
    assert sheet.width >= 5 * 128 and sheet.height >= 4 * 128
