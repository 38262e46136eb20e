"""Checks on the exercise catalog: shape, variety, traceability and originality of its texts."""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest

from microbreak.core import exercises
from microbreak.core.exercises import (
    CATALOG,
    MERGED,
    SAFETY_NOTE,
    Area,
    Exercise,
    Position,
    current_id,
)
from microbreak.settings import config

from .cli_run import isolate_config
from .fakes import by_id

SEEDS = Path(__file__).parents[2] / "shared" / "seeds"
MODULE = Path(exercises.__file__)
README = Path(__file__).parents[1] / "README.md"

KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_BODY = 160
COPY_RUN = 8  # this many consecutive words shared with a seed counts as copied text

WELLNESS_MICROBREAK = (
    "upper-back-movement",
    "high-reach-stretch",
    "shoulder-rolls",
    "shoulder-squeeze",
    "shoulder-shrug",
)
DESK_FRIENDLY = (
    "seated-thoracic-rotation",
    "gentle-neck-stretch",
    "seated-chest-opener",
    "seated-backbend",
    "upper-back-stretch",
    "reaching-skyward",
    "wall-arm-slides",
    "pectoralis-doorway-stretch",
    "pelvic-push",
    "raise-a-knee",
)
FLOOR = (
    "floor-press",
    "mid-trap-on-pillow",
    "upper-back-extension",
    "cat-camel",
    "bridge",
)

# The seated rotation, one movement each: what the body does, in plain words. Two exercises with
# the same movement are one exercise twice (as scapular squeezes, the shoulder blade squeeze and
# the shoulder squeeze were: all three pinch the shoulder blades together).
SEATED_MOVEMENTS = {
    "gentle-neck-stretch": "tip the head sideways",
    "shoulder-shrug": "lift the shoulders toward the ears",
    "shoulder-rolls": "circle the shoulders",
    "high-reach-stretch": "reach both arms straight up",
    "shoulder-squeeze": "pinch the shoulder blades together",
    "upper-back-stretch": "spread the shoulder blades apart, back rounded",
    "seated-chest-opener": "draw linked hands down behind the back",
    "seated-backbend": "arch the back, arms overhead",
    "seated-thoracic-rotation": "turn the chest to each side",
    "upper-back-movement": "fold forward and roll up",
}
SEATED_AREAS = {Area.NECK, Area.SHOULDERS, Area.UPPER_BACK, Area.CHEST, Area.SPINE}
MAX_PER_AREA = 2

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"seed articles not available at {SEEDS}"
)


def _words(text: str) -> list[str]:
    """Lower-case words with punctuation dropped, so quoting cannot hide behind formatting."""
    text = text.lower().replace("\u2019", "").replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def _runs(words: list[str], n: int) -> set[tuple[str, ...]]:
    """All runs of n consecutive words."""
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _seed_runs(n: int) -> set[tuple[str, ...]]:
    """Every n-word run of every seed article, each article taken on its own."""
    runs: set[tuple[str, ...]] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        runs |= _runs(_words(path.read_text(encoding="utf-8")), n)
    return runs


def _texts() -> Iterable[tuple[str, str]]:
    """Every sentence we wrote ourselves, labelled for a readable failure."""
    for e in CATALOG:
        yield f"{e.id}.instructions", e.instructions
    yield "SAFETY_NOTE", SAFETY_NOTE


def test_catalog_is_big_enough() -> None:
    assert len(CATALOG) >= 14


def test_ids_are_unique_and_kebab_case() -> None:
    ids = [e.id for e in CATALOG]
    assert len(ids) == len(set(ids))
    for i in ids:
        assert KEBAB.match(i), i


def test_required_exercises_are_present() -> None:
    ids = {e.id for e in CATALOG}
    for required in (*WELLNESS_MICROBREAK, *DESK_FRIENDLY, *FLOOR):
        assert required in ids, required


def test_floor_exercises_are_marked_floor_and_nothing_else_is() -> None:
    index = by_id()
    for i in FLOOR:
        assert index[i].position is Position.FLOOR, i
    assert {e.id for e in CATALOG if e.position is Position.FLOOR} == set(FLOOR)


def test_wall_and_doorway_stretches_are_standing() -> None:
    index = by_id()
    assert index["wall-arm-slides"].position is Position.STANDING
    assert index["pectoralis-doorway-stretch"].position is Position.STANDING


def test_seated_rotation_has_variety() -> None:
    seated = [e for e in CATALOG if e.position is Position.SEATED]
    assert 9 <= len(seated) <= 11
    # The wellness microbreak moves are the heart of the default rotation.
    index = by_id()
    for i in WELLNESS_MICROBREAK:
        assert index[i].position is Position.SEATED, i


def test_seated_rotation_covers_every_area_a_few_times_each() -> None:
    per_area = Counter(e.area for e in CATALOG if e.position is Position.SEATED)
    assert set(per_area) == SEATED_AREAS, per_area
    crowded = {area.value: n for area, n in per_area.items() if n > MAX_PER_AREA}
    assert not crowded, f"more than {MAX_PER_AREA} seated exercises for {crowded}"


def test_no_two_seated_exercises_are_the_same_movement() -> None:
    seated = {e.id for e in CATALOG if e.position is Position.SEATED}
    # A new seated exercise has to say which movement it is, and it must be a new one.
    assert seated == set(SEATED_MOVEMENTS), seated ^ set(SEATED_MOVEMENTS)
    repeated = [m for m, n in Counter(SEATED_MOVEMENTS.values()).items() if n > 1]
    assert not repeated, repeated


def test_no_two_seated_exercises_share_their_wording() -> None:
    """Near-duplicates show in the text too: no 4-word run in two seated instructions."""
    seated = [e for e in CATALOG if e.position is Position.SEATED]
    seen: dict[tuple[str, ...], str] = {}
    for e in seated:
        for run in _runs(_words(e.instructions), 4):
            assert seen.setdefault(run, e.id) == e.id, (" ".join(run), seen[run], e.id)


def test_merged_ids_point_at_a_current_exercise() -> None:
    ids = {e.id for e in CATALOG}
    assert MERGED, "nothing merged: drop this test with MERGED"
    for old, new in MERGED.items():
        assert old not in ids, old
        assert new in ids, new
        assert current_id(old, ids) == new
    assert current_id("shoulder-rolls", ids) == "shoulder-rolls"
    assert current_id("no-such-exercise", ids) == "no-such-exercise"
    # An exercise file of yours that reuses an old id keeps it.
    assert current_id("scapular-squeezes", {*ids, "scapular-squeezes"}) == "scapular-squeezes"


@pytest.mark.parametrize("key", ["include", "exclude"])
def test_a_config_naming_a_merged_id_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    isolate_config(tmp_path, monkeypatch)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[exercises]\n{key} = ["scapular-squeezes", "shoulder-blade-squeeze"]\n', encoding="utf-8"
    )
    settings = config.load(path).settings.exercises
    assert getattr(settings, key) == ["shoulder-squeeze", "shoulder-squeeze"]
    allowed = {e.id for e in settings.selection().allowed()}
    assert ("shoulder-squeeze" in allowed) is (key == "include")


def test_readme_lists_every_exercise_with_its_position_and_area() -> None:
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| ([^|]+) \| (\w+) \| ([a-z ]+) \|$", README.read_text(), re.M
    )
    assert [(i, n.strip(), p, a) for i, n, p, a in rows] == [
        (e.id, e.name, e.position.value, e.area.value) for e in CATALOG
    ]


def test_texts_fit_a_notification() -> None:
    for e in CATALOG:
        assert e.instructions.strip(), e.id
        assert len(e.instructions) <= MAX_BODY, (e.id, len(e.instructions))
        assert e.dose.strip(), e.id
        assert e.name.strip() and e.name[0].isupper(), e.id
        assert e.name[1:] == e.name[1:].lower(), f"{e.id}: name should be sentence case"
        assert isinstance(e.position, Position) and isinstance(e.area, Area)


def test_safety_note_covers_the_essentials() -> None:
    note = SAFETY_NOTE.lower()
    assert "doctor" in note or "physician" in note
    assert "stop" in note and "sharp" in note
    assert 1 <= note.count(".") <= 2


def test_by_id_matches_catalog_and_is_safe_to_mutate() -> None:
    index = by_id()
    assert list(index) == [e.id for e in CATALOG]
    assert all(isinstance(e, Exercise) for e in index.values())
    index.clear()
    assert len(by_id()) == len(CATALOG)


def test_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the catalog should not depend on sibling modules"
            roots.add((node.module or "").split(".")[0])
    assert roots <= set(sys.stdlib_module_names), roots - set(sys.stdlib_module_names)


@needs_seeds
def test_every_source_is_a_real_seed_with_its_title() -> None:
    for e in CATALOG:
        path = SEEDS / e.source.seed
        assert path.is_file(), (e.id, e.source.seed)
        first_line = path.read_text(encoding="utf-8").splitlines()[0].strip()
        assert e.source.title == first_line, e.id


@needs_seeds
def test_every_seed_article_is_used() -> None:
    used = {e.source.seed for e in CATALOG}
    assert used == {p.name for p in SEEDS.glob("*.txt")}


@needs_seeds
def test_texts_are_in_our_own_words() -> None:
    seed_runs = _seed_runs(COPY_RUN)
    assert seed_runs, "no seed text was read, so the check would prove nothing"
    for label, text in _texts():
        copied = [" ".join(run) for run in _runs(_words(text), COPY_RUN) & seed_runs]
        assert not copied, f"{label} repeats seed text: {copied}"


def test_copy_check_would_catch_a_copy() -> None:
    """Guard the guard: the helpers must flag a lightly reformatted quote."""
    source = "Hold for 15 seconds and release. Repeat this exercise about 3 times."
    quoted = "HOLD for 15 seconds, and release -- repeat this exercise about 3 times!"
    assert _runs(_words(quoted), COPY_RUN) & _runs(_words(source), COPY_RUN)
