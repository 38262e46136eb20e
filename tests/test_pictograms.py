"""Every exercise has its own clean pictograms, a start and an end pose: right size, not blank,
no two alike, the figure really moving between the two, and all of them shipped in the wheel."""

from __future__ import annotations

import hashlib
import importlib
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image, ImageChops

from microbreak.core.exercises import CATALOG, MERGED
from microbreak.paths import pictogram

ASSETS = Path(__file__).parents[1] / "assets"
POSES = ("", "-end")  # <id>.png is the start pose (the one a notification shows), <id>-end.png


def pose_files(exercise_id: str) -> list[Path]:
    return [ASSETS / "exercises" / f"{exercise_id}{suffix}.png" for suffix in POSES]


def figure(path: Path) -> Image.Image:
    """The dark pixels of a pictogram as a 1-bit mask: the figure, not tile, props or arrows."""
    with Image.open(path) as image:
        flat = Image.new("RGBA", image.size, (255, 255, 255, 255))
        flat.alpha_composite(image.convert("RGBA"))
    return flat.convert("L").point(lambda value: 255 if value < 80 else 0).convert("1")


def teal_pixels(path: Path) -> int:
    """How many pixels are clearly the teal of the arrows."""
    with Image.open(path) as image:
        red, green, _blue, alpha = image.convert("RGBA").split()
    teal = ImageChops.multiply(
        ImageChops.subtract(green, red).point(lambda value: 255 if value > 70 else 0),
        alpha.point(lambda value: 255 if value > 200 else 0),
    )
    return teal.histogram()[255]


def generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ASSETS))  # the generator imports make_icons beside it
    return importlib.import_module("make_pictograms")


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


@pytest.mark.parametrize("exercise_id", [exercise.id for exercise in CATALOG])
def test_each_exercise_has_a_start_and_an_end_pose_alike_in_form(exercise_id: str) -> None:
    start, end = pose_files(exercise_id)
    assert pictogram(exercise_id) == start
    assert end.is_file(), f"no end pose for {exercise_id} (run assets/make_pictograms.py)"
    for path in (start, end):
        with Image.open(path) as image:
            assert (image.format, image.size, image.mode) == ("PNG", (128, 128), "RGBA"), path
            assert image.getchannel("A").getextrema() == (0, 255), path


@pytest.mark.parametrize("exercise_id", [exercise.id for exercise in CATALOG])
def test_the_figure_moves_between_the_two_poses(exercise_id: str) -> None:
    """Not just the arrows gone: a fair share of the figure's own pixels is somewhere else."""
    start, end = (figure(path) for path in pose_files(exercise_id))
    moved = ImageChops.logical_xor(start, end).histogram()[255]
    either = ImageChops.logical_or(start, end).histogram()[255]
    assert moved >= 300, f"{exercise_id}: only {moved} px of the figure move"
    assert moved / either >= 0.15, f"{exercise_id}: only {moved / either:.0%} of the figure moves"


@pytest.mark.parametrize("exercise_id", [exercise.id for exercise in CATALOG])
def test_the_start_pose_shows_the_movement_and_the_end_pose_has_no_arrows(
    exercise_id: str,
) -> None:
    start, end = pose_files(exercise_id)
    assert teal_pixels(start) >= 40, f"{exercise_id}: the start pose has no arrow"
    assert teal_pixels(end) == 0, f"{exercise_id}: the end pose has an arrow"


def test_no_two_pictograms_are_alike() -> None:
    digests = set()
    for exercise in CATALOG:
        for path in pose_files(exercise.id):
            with Image.open(path) as image:
                digests.add(hashlib.sha256(image.tobytes()).hexdigest())
    assert len(digests) == 2 * len(CATALOG)


def test_an_unknown_exercise_has_none() -> None:
    assert pictogram("no-such-exercise") is None
    assert pictogram("../microbreak") is None


def test_no_pictogram_is_left_without_its_exercise() -> None:
    on_disk = {path.name for path in (ASSETS / "exercises").iterdir()}
    assert on_disk == {path.name for exercise in CATALOG for path in pose_files(exercise.id)}
    for old in MERGED:
        assert pictogram(old) is None, old


def test_committed_pictograms_are_what_the_generator_draws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = generator(monkeypatch)
    written = module.build(tmp_path)
    expected = [path for exercise in CATALOG for path in pose_files(exercise.id)]
    assert [path.name for path in written] == [path.name for path in expected]
    for path, committed in zip(written, expected, strict=True):
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale"


def test_the_contact_sheet_shows_each_start_pose_beside_its_end_pose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = generator(monkeypatch)
    paths = [path for exercise in CATALOG for path in pose_files(exercise.id)]
    sheet = module.contact_sheet(paths)
    assert sheet.width >= 2 * 128 and sheet.height >= len(CATALOG) // 3 * 128
    background = sheet.getpixel((0, 0))
    for path, left in zip(paths[:2], (12, 12 + 128 + 8), strict=True):
        with Image.open(path) as tile:
            expected = Image.new("RGB", tile.size, background)
            expected.paste(tile, (0, 0), tile)
        shown = sheet.crop((left, 12, left + 128, 12 + 128))
        assert ImageChops.difference(shown, expected).getbbox() is None, path.name


def test_the_wheel_ships_both_poses_of_every_exercise(tmp_path: Path) -> None:
    """Build the wheel as an installer would and look inside: the guide needs the end poses."""
    root = ASSETS.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("microbreak-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    for exercise in CATALOG:
        for path in pose_files(exercise.id):
            assert f"microbreak/assets/exercises/{path.name}" in shipped
