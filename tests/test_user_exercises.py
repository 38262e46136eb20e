"""Your own exercises: ``[[exercise]]`` tables in ``<config dir>/exercises/*.toml``.

Good files join the catalog (a user file beats a system file beats the built-in one, by id);
every bad one ends in exit code 2 and one line naming the file, the exercise, the field and
what is allowed, like the config's problems.
"""

from __future__ import annotations

import dataclasses
import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from microbreak.core.exercises import CATALOG, Area, Position, Routine, Sides
from microbreak.core.rotation import Rotation, Selection
from microbreak.errors import ConfigError
from microbreak.settings import config
from microbreak.settings import exercise_files as user_exercises
from microbreak.settings.exercise_files import (
    MAX_INSTRUCTIONS,
    OWN_TITLE,
    exercise_dirs,
    read_catalog,
)
from microbreak.settings.record import Runtime

from .cli_run import PREFIX, isolate_config, ok, run
from .fakes import by_id

BUILT_IN = len(CATALOG)


def png() -> bytes:
    """A real 1x1 PNG, made with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x20\x80\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def exercise(**fields: object) -> str:
    """One ``[[exercise]]`` table; ``None`` leaves a field out."""
    values: dict[str, object] = {
        "id": "neck-tilt",
        "name": "Neck tilt",
        "instructions": "Tip your head gently toward one shoulder, then the other.",
        "dose": "3 each side",
        "position": "seated",
        "area": "neck",
    }
    values.update(fields)
    lines = ["[[exercise]]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in values.items() if v is not None]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Dirs:
    """A private user dir and system dir (``$XDG_CONFIG_HOME``, ``$XDG_CONFIG_DIRS``)."""

    root: Path

    @property
    def user(self) -> Path:
        return self.root / "config" / "microbreak" / "exercises"

    @property
    def system(self) -> Path:
        return self.root / "xdg" / "microbreak" / "exercises"

    @property
    def config_file(self) -> Path:
        return self.root / "config" / "microbreak" / "config.toml"

    def write(self, directory: Path, name: str, text: str | bytes) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {"XDG_CONFIG_DIRS": str(self.root / "xdg"), **(extra or {})}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(self.root, *args, env=self.env())


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dirs:
    isolate_config(tmp_path, monkeypatch)
    return Dirs(tmp_path)


def problems(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Exit code 2, nothing on stdout, no traceback; the lines without their prefix."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(PREFIX) for line in lines), lines
    return [line[len(PREFIX) :] for line in lines]


# -- the dirs ----------------------------------------------------------------------------------


def test_exercise_dirs_system_first_user_last(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_DIRS", "/etc/office:/etc/xdg")
    assert exercise_dirs() == [
        Path("/etc/xdg/microbreak/exercises"),
        Path("/etc/office/microbreak/exercises"),
        dirs.user,
    ]


def test_no_dirs_means_the_built_in_catalog(dirs: Dirs) -> None:
    assert read_catalog().exercises == CATALOG
    assert read_catalog([]).exercises == CATALOG
    assert (
        read_catalog().summary()
        == f"{BUILT_IN} built-in, 0 of your own (0 replacing built-in ones)"
    )


# -- good files --------------------------------------------------------------------------------


def test_one_file_with_several_exercises(dirs: Dirs) -> None:
    dirs.write(
        dirs.user,
        "neck.toml",
        "# my physio's list\n"
        + exercise()
        + "\n"
        + exercise(
            id="chin-tuck",
            name="Chin tuck",
            position="standing",
            area="upper back",
            source="Physio handout",
        ),
    )
    merged = read_catalog().exercises
    assert merged[:BUILT_IN] == CATALOG
    tilt, tuck = merged[BUILT_IN:]
    assert tilt.id == "neck-tilt" and tilt.position is Position.SEATED and tilt.area is Area.NECK
    assert tilt.source.title == OWN_TITLE and tilt.source.seed == "neck.toml"
    assert tilt.image is None
    assert tuck.position is Position.STANDING and tuck.area is Area.UPPER_BACK
    assert tuck.source.title == "Physio handout"


def test_files_are_read_in_name_order_and_odd_files_skipped(dirs: Dirs) -> None:
    dirs.write(dirs.user, "b.toml", exercise(id="bee"))
    dirs.write(dirs.user, "a.toml", exercise(id="ay"))
    dirs.write(dirs.user, "notes.txt", "not an exercise")
    dirs.write(dirs.user, ".#a.toml", "editor lock file")
    assert [e.id for e in read_catalog().exercises[BUILT_IN:]] == ["ay", "bee"]


def test_image_relative_to_the_file_becomes_absolute(dirs: Dirs) -> None:
    picture = dirs.write(dirs.user / "pictures", "tilt.png", png())
    dirs.write(dirs.user, "neck.toml", exercise(image="pictures/tilt.png"))
    (tilt,) = read_catalog().exercises[BUILT_IN:]
    assert tilt.image == str(picture)
    assert Path(tilt.image).is_absolute()


def test_an_end_pose_that_is_a_png_is_fine(dirs: Dirs) -> None:
    picture = dirs.write(dirs.user, "tilt.png", png())
    dirs.write(dirs.user, "tilt-end.png", png())
    dirs.write(dirs.user, "neck.toml", exercise(image="tilt.png"))
    (tilt,) = read_catalog().exercises[BUILT_IN:]
    assert tilt.image == str(picture)


def test_absolute_and_home_image_paths(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(dirs.root / "home"))
    picture = dirs.write(dirs.root / "home", "tilt.png", png())
    dirs.write(dirs.user, "a.toml", exercise(id="one", image=str(picture)))
    dirs.write(dirs.user, "b.toml", exercise(id="two", image="~/tilt.png"))
    assert [e.image for e in read_catalog().exercises[BUILT_IN:]] == [str(picture), str(picture)]


def test_replacing_a_built_in_keeps_its_place(dirs: Dirs) -> None:
    dirs.write(dirs.user, "bridge.toml", exercise(id="bridge", name="Desk bridge"))
    merged = read_catalog()
    assert len(merged.exercises) == BUILT_IN
    index = [e.id for e in CATALOG].index("bridge")
    assert merged.exercises[index].name == "Desk bridge"
    assert merged.exercises[index].position is Position.SEATED  # was floor
    assert merged.origin("bridge") == "yours"
    assert merged.summary() == f"{BUILT_IN} built-in, 1 of your own (1 replacing a built-in one)"
    # Now seated, it joins the default rotation.
    assert "bridge" in {e.id for e in Selection().allowed(merged.exercises)}


def test_user_beats_system_beats_built_in(dirs: Dirs) -> None:
    dirs.write(dirs.system, "office.toml", exercise(id="bridge", name="Office bridge"))
    dirs.write(dirs.system, "more.toml", exercise(id="stand-up", name="Stand up"))
    dirs.write(dirs.user, "mine.toml", exercise(id="stand-up", name="My stand up"))
    merged = read_catalog()
    names = {e.id: e.name for e in merged.exercises}
    assert names["bridge"] == "Office bridge"
    assert names["stand-up"] == "My stand up"
    assert merged.origin("bridge") == "system"
    assert merged.origin("stand-up") == "yours"
    assert merged.origin("cat-camel") == "built-in"


def test_the_same_id_in_system_and_user_dirs_is_no_duplicate(dirs: Dirs) -> None:
    dirs.write(dirs.system, "a.toml", exercise())
    dirs.write(dirs.user, "a.toml", exercise(dose="5 each side"))
    (tilt,) = read_catalog().exercises[BUILT_IN:]
    assert tilt.dose == "5 each side"


def test_check_summary_through_the_command_line(dirs: Dirs) -> None:
    dirs.write(dirs.system, "office.toml", exercise(id="stand-up"))
    dirs.write(dirs.user, "mine.toml", exercise() + exercise(id="bridge"))
    out = ok(dirs.cli("exercises", "--check"))
    said = f"{BUILT_IN} built-in, 2 of your own, 1 system-wide (1 replacing a built-in one)"
    assert out == f"{said}: all valid\n"


def test_system_wide_exercises_are_not_counted_as_your_own(dirs: Dirs) -> None:
    dirs.write(dirs.system, "office.toml", exercise(id="stand-up") + exercise(id="bridge"))
    said = f"{BUILT_IN} built-in, 0 of your own, 2 system-wide (1 replacing a built-in one)"
    assert read_catalog().summary() == said
    dirs.write(dirs.user, "bridge.toml", exercise(id="bridge"))  # yours beats theirs
    said = f"{BUILT_IN} built-in, 1 of your own, 1 system-wide (1 replacing a built-in one)"
    assert read_catalog().summary() == said


def test_check_needs_no_config(dirs: Dirs) -> None:
    """A broken config does not hide the exercise files' state (``config check`` covers it)."""
    dirs.write(dirs.config_file.parent, "config.toml", "spam = 1\n")
    assert ok(dirs.cli("exercises", "--check")).endswith(": all valid\n")


def test_listing_marks_your_own(dirs: Dirs) -> None:
    dirs.write(dirs.system, "office.toml", exercise(id="stand-up", position="standing"))
    dirs.write(dirs.user, "mine.toml", exercise() + exercise(id="bridge", name="Desk bridge"))
    out = ok(dirs.cli("exercises", "--all"))
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "POSITION", "AREA", "DOSE", "GUIDE", "SOURCE"]
    table = lines[1 : lines.index("")]
    rows = {line.split()[1] if line.startswith("*") else line.split()[0]: line for line in table}
    assert rows["neck-tilt"].startswith("*") and rows["neck-tilt"].endswith("yours")
    assert rows["bridge"].endswith("yours (replaces)")
    assert rows["stand-up"].endswith("system") and not rows["stand-up"].startswith("*")
    assert rows["cat-camel"].endswith("built-in")
    assert f"of {BUILT_IN + 2} exercises" in out
    assert f"{BUILT_IN} built-in, 2 of your own, 1 system-wide (1 replacing a built-in one)" in out
    # The rotation (seated by default) includes yours.
    rotation = ok(dirs.cli("exercises"))
    assert "neck-tilt" in rotation and "stand-up" not in rotation


def test_include_and_exclude_know_your_ids(dirs: Dirs) -> None:
    dirs.write(dirs.user, "mine.toml", exercise() + exercise(id="chin-tuck", area="upper back"))
    dirs.write(
        dirs.config_file.parent,
        "config.toml",
        '[exercises]\ninclude = ["neck-tilt", "chin-tuck", "bridge"]\nexclude = ["chin-tuck"]\n',
    )
    assert 'include = ["neck-tilt", "chin-tuck", "bridge"]' in ok(dirs.cli("config", "check"))
    loaded = config.load()
    allowed = loaded.settings.exercises.selection().allowed(loaded.catalog)
    assert [e.id for e in allowed] == ["bridge", "neck-tilt"]


def test_a_misspelt_own_id_gets_a_hint(dirs: Dirs) -> None:
    dirs.write(dirs.user, "mine.toml", exercise())
    dirs.write(dirs.config_file.parent, "config.toml", '[exercises]\ninclude = ["neck-tlt"]\n')
    assert problems(dirs.cli("config", "check")) == [
        f'{dirs.config_file}: exercises.include[0]: no exercise is called "neck-tlt" '
        '(did you mean "neck-tilt"?); `microbreak exercises` lists them'
    ]


def test_a_bad_exercise_file_fails_the_config_check_too(dirs: Dirs) -> None:
    path = dirs.write(dirs.user, "mine.toml", exercise(area="legs"))
    (line,) = problems(dirs.cli("config", "check"))
    assert line.startswith(f'{path}: exercise "neck-tilt": area: "legs" is not one of')


# -- the daemon's side -------------------------------------------------------------------------


def test_the_daemon_gets_the_same_catalog_without_pydantic(dirs: Dirs) -> None:
    dirs.write(dirs.user, "mine.toml", exercise())
    runtime = config.runtime(config.load())
    text = runtime.to_json()
    code = (
        "import sys\n"
        "from microbreak.settings.record import Runtime\n"
        "r = Runtime.from_json(sys.argv[1])\n"
        "ids = [e.id for e in r.selection().allowed(r.catalog())]\n"
        "print(ids[-1], any(m.split('.')[0] == 'pydantic' for m in sys.modules))\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent"}  # the dirs travel in the record
    out = subprocess.run(
        [sys.executable, "-c", code, text], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["neck-tilt", "False"]


def test_a_rotation_over_the_merged_catalog(dirs: Dirs) -> None:
    import random

    dirs.write(dirs.user, "mine.toml", exercise())
    allowed = Selection(include=("neck-tilt", "bridge")).allowed(read_catalog().exercises)
    rotation = Rotation(allowed, random.Random(1))
    assert {rotation.next().id, rotation.next().id} == {"neck-tilt", "bridge"}


def test_runtime_without_dirs_uses_the_usual_ones(dirs: Dirs) -> None:
    dirs.write(dirs.user, "mine.toml", exercise())
    runtime = Runtime.from_json(config.runtime(config.load()).to_json())
    bare = dataclasses.replace(runtime, exercise_dirs=None)
    assert bare.catalog() == runtime.catalog() == read_catalog().exercises


def test_a_file_gone_bad_after_the_check_is_a_catalog_error(dirs: Dirs) -> None:
    path = dirs.write(dirs.user, "mine.toml", exercise())
    runtime = config.runtime(config.load())
    path.write_text(exercise(position="lying"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        runtime.catalog()
    assert info.value.exit_code == 2
    assert info.value.problems == [
        f'{path}: exercise "neck-tilt": position: "lying" is not one of '
        '"seated", "standing", "floor"'
    ]


def test_the_dose_fields_become_a_routine(dirs: Dirs) -> None:
    dirs.write(
        dirs.user,
        "mine.toml",
        exercise(repetitions=2, hold_seconds=1, sides="each", pace_seconds=1.5)
        + exercise(id="chin-tuck", repetitions=4)
        + exercise(id="plain"),
    )
    mine = {e.id: e for e in read_catalog().exercises}
    assert mine["neck-tilt"].routine == Routine(2, 1, Sides.EACH, 1.5)
    assert mine["chin-tuck"].routine == Routine(4, 0, Sides.BOTH, None)
    assert mine["plain"].routine is None  # a simple timed guide
    listed = ok(dirs.cli("exercises", "--all"))
    row = next(line for line in listed.splitlines() if "neck-tilt" in line)
    assert "2x · hold 1 s · each side · 1.5 s pace" in row
    assert "timed 30 s" in next(line for line in listed.splitlines() if " plain " in line)


def test_built_in_exercises_have_no_image() -> None:
    assert all(e.image is None for e in CATALOG)
    assert by_id()["bridge"].image is None


# -- bad files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """Exercise files (name -> text), the file and label the line must start with, and text."""

    id: str
    files: dict[str, str | bytes]
    file: str
    label: str | None  # 'exercise "x"' or "exercise #2"; None for a problem of the whole file
    key: str | None
    allowed: str


LONG = "Sit tall. " * 17  # 170 characters
BAD = [
    Bad(
        "unknown-field",
        {"a.toml": exercise(imagee="x.png")},
        "a.toml",
        'exercise "neck-tilt"',
        "imagee",
        'unknown field (did you mean "image"?)',
    ),
    Bad(
        "unknown-field-far-off",
        {"a.toml": exercise(colour="red")},
        "a.toml",
        'exercise "neck-tilt"',
        "colour",
        "unknown field; allowed fields: id, name, instructions, dose, position, area, image, "
        "source",
    ),
    Bad(
        "missing-field",
        {"a.toml": exercise(dose=None)},
        "a.toml",
        'exercise "neck-tilt"',
        "dose",
        "missing; every exercise needs id, name, instructions, dose, position, area",
    ),
    Bad(
        "missing-id",
        {"a.toml": exercise() + exercise(id=None)},
        "a.toml",
        "exercise #2",
        "id",
        "missing; every exercise needs id,",
    ),
    Bad(
        "bad-position",
        {"neck.toml": exercise(position="lying")},
        "neck.toml",
        'exercise "neck-tilt"',
        "position",
        '"lying" is not one of "seated", "standing", "floor"',
    ),
    Bad(
        "position-not-a-string",
        {"a.toml": exercise(position=1)},
        "a.toml",
        'exercise "neck-tilt"',
        "position",
        'got 1; expected one of "seated", "standing", "floor"',
    ),
    Bad(
        "bad-area",
        {"a.toml": exercise(area="legs")},
        "a.toml",
        'exercise "neck-tilt"',
        "area",
        '"legs" is not one of "neck", "shoulders", "upper back", "chest", "spine", "hips"',
    ),
    Bad(
        "instructions-too-long",
        {"a.toml": exercise(instructions=LONG)},
        "a.toml",
        'exercise "neck-tilt"',
        "instructions",
        f"{len(LONG.strip())} characters; at most {MAX_INSTRUCTIONS} fit in a notification",
    ),
    Bad(
        "empty-instructions",
        {"a.toml": exercise(instructions="  ")},
        "a.toml",
        'exercise "neck-tilt"',
        "instructions",
        "is empty; write some text in the quotes",
    ),
    Bad(
        "duplicate-across-files",
        {"a.toml": exercise(), "b.toml": exercise(name="Another tilt")},
        "b.toml",
        'exercise "neck-tilt"',
        "id",
        "already used in {dir}/a.toml; each id may appear once among your exercise files",
    ),
    Bad(
        "duplicate-in-one-file",
        {"a.toml": exercise() + exercise()},
        "a.toml",
        'exercise "neck-tilt"',
        "id",
        "already used earlier in this file",
    ),
    Bad(
        "image-missing",
        {"a.toml": exercise(image="pictures/tilt.png")},
        "a.toml",
        'exercise "neck-tilt"',
        "image",
        "{dir}/pictures/tilt.png: no such file; give a PNG path, relative to this file or full",
    ),
    Bad(
        "image-not-png",
        {"a.toml": exercise(image="tilt.jpg"), "tilt.jpg": b"\xff\xd8\xff\xe0 JFIF"},
        "a.toml",
        'exercise "neck-tilt"',
        "image",
        "{dir}/tilt.jpg: is not a PNG picture; notifications need a .png",
    ),
    Bad(
        "end-pose-not-png",  # the guide's second picture, found here, not when the guide opens
        {"a.toml": exercise(image="tilt.png"), "tilt.png": png(), "tilt-end.png": b"GIF89a"},
        "a.toml",
        'exercise "neck-tilt"',
        "image",
        "{dir}/tilt-end.png: is not a PNG picture; the guide's end pose must be a .png",
    ),
    Bad(
        "toml-syntax",
        {"a.toml": '[[exercise]]\nid = "neck-tilt\nname = "x"\n'},
        "a.toml",
        None,
        None,
        "line 2, column 16: TOML syntax error",
    ),
    Bad(
        "wrong-type",
        {"a.toml": exercise(dose=3)},
        "a.toml",
        'exercise "neck-tilt"',
        "dose",
        "got 3; expected a string in quotes",
    ),
    Bad(
        "list-for-a-string",
        {"a.toml": exercise(name=["Neck", "tilt"])},
        "a.toml",
        'exercise "neck-tilt"',
        "name",
        "got a list; expected a string in quotes",
    ),
    Bad(
        "bad-id",
        {"a.toml": exercise(id="Neck Tilt")},
        "a.toml",
        'exercise "Neck Tilt"',
        "id",
        '"Neck Tilt" is not an id like "neck-tilt" (lower-case letters and digits',
    ),
    Bad(
        "single-brackets",
        {"a.toml": exercise().replace("[[exercise]]", "[exercise]")},
        "a.toml",
        None,
        "exercise",
        "write [[exercise]] (two brackets) above each exercise",
    ),
    Bad(
        "no-header",
        {"a.toml": 'id = "neck-tilt"\n'},
        "a.toml",
        None,
        "id",
        "put each exercise's fields under an [[exercise]] header",
    ),
    Bad(
        "unknown-top-level-key",
        {"a.toml": "exercises = []\n" + exercise()},
        "a.toml",
        None,
        "exercises",
        'unknown key (did you mean "exercise"?)',
    ),
    Bad(
        "repetitions-not-a-number",
        {"a.toml": exercise(repetitions="five")},
        "a.toml",
        'exercise "neck-tilt"',
        "repetitions",
        'got "five"; expected a whole number from 1 to 100',
    ),
    Bad(
        "repetitions-out-of-range",
        {"a.toml": exercise(repetitions=0)},
        "a.toml",
        'exercise "neck-tilt"',
        "repetitions",
        "0 is out of range; expected a whole number from 1 to 100",
    ),
    Bad(
        "hold-a-fraction",
        {"a.toml": exercise(repetitions=3, hold_seconds=2.5)},
        "a.toml",
        'exercise "neck-tilt"',
        "hold_seconds",
        "got 2.5; expected a whole number from 0 to 120",
    ),
    Bad(
        "bad-sides",
        {"a.toml": exercise(repetitions=3, sides="left")},
        "a.toml",
        'exercise "neck-tilt"',
        "sides",
        '"left" is not one of "both", "each"',
    ),
    Bad(
        "pace-too-fast",
        {"a.toml": exercise(repetitions=3, pace_seconds=0.1)},
        "a.toml",
        'exercise "neck-tilt"',
        "pace_seconds",
        "0.1 is out of range; expected seconds per repetition from 0.5 to 30",
    ),
    Bad(
        "hold-without-repetitions",
        {"a.toml": exercise(hold_seconds=5, sides="each")},
        "a.toml",
        'exercise "neck-tilt"',
        "repetitions",
        "missing; hold_seconds, sides need repetitions (a whole number from 1)",
    ),
    Bad(
        "misspelt-routine-field",
        {"a.toml": exercise(repetition=5)},
        "a.toml",
        'exercise "neck-tilt"',
        "repetition",
        'unknown field (did you mean "repetitions"?)',
    ),
    Bad(
        "empty-file",
        {"a.toml": "# nothing yet\n"},
        "a.toml",
        None,
        None,
        "holds no [[exercise]] table",
    ),
]


@dataclass(frozen=True)
class Checked:
    dir: Path
    before: dict[str, bytes]
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def checked_bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    """``exercises --check`` on every BAD dir, a few processes at a time."""

    def one(bad: Bad) -> Checked:
        home = Dirs(tmp_path_factory.mktemp(bad.id))
        for name, text in bad.files.items():
            home.write(home.user, name, text)
        before = {p.name: p.read_bytes() for p in home.user.iterdir()}
        return Checked(home.user, before, home.cli("exercises", "--check"))

    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) + 1)) as pool:
        return dict(zip([b.id for b in BAD], pool.map(one, BAD), strict=True))


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_bad_exercise_file_is_one_clear_line(checked_bad: dict[str, Checked], bad: Bad) -> None:
    checked = checked_bad[bad.id]
    (line,) = problems(checked.result)
    prefix = f"{checked.dir / bad.file}: "
    if bad.label:
        prefix += f"{bad.label}: "
    if bad.key:
        prefix += f"{bad.key}: "
    assert line.startswith(prefix), (line, prefix)
    assert bad.allowed.format(dir=checked.dir) in line, line
    # Nothing is touched.
    assert {p.name: p.read_bytes() for p in checked.dir.iterdir()} == checked.before


def test_at_least_the_required_kinds_of_mistake_are_covered() -> None:
    kinds = {b.id for b in BAD}
    assert {
        "unknown-field",
        "missing-field",
        "bad-position",
        "bad-area",
        "instructions-too-long",
        "duplicate-across-files",
        "image-missing",
        "toml-syntax",
        "wrong-type",
    } <= kinds


def test_every_problem_of_every_file_is_reported(dirs: Dirs) -> None:
    a = dirs.write(dirs.user, "a.toml", exercise(position="lying", area="legs"))
    b = dirs.write(dirs.system, "b.toml", exercise(id="x", dose=None))
    c = dirs.write(dirs.user, "c.toml", exercise(id="good"))
    lines = problems(dirs.cli("exercises", "--check"))
    assert len(lines) == 3, lines
    assert lines[0].startswith(f'{b}: exercise "x": dose: missing')  # the system dir first
    assert lines[1].startswith(f'{a}: exercise "neck-tilt": position: ')
    assert lines[2].startswith(f'{a}: exercise "neck-tilt": area: ')
    assert not any(str(c) in line for line in lines)


def test_a_file_where_the_dir_should_be(dirs: Dirs) -> None:
    dirs.write(dirs.user.parent, "exercises", "not a dir")
    (line,) = problems(dirs.cli("exercises", "--check"))
    assert line == f"{dirs.user}: is not a directory; exercise files go in a dir of this name"


def test_a_link_that_leads_to_no_file_is_one_line_each(dirs: Dirs) -> None:
    """A dangling or looping ``*.toml`` link was skipped without a word; each is a line now,
    and the other files are still read and checked."""
    dirs.write(dirs.user, "good.toml", exercise(id="good"))
    bad = dirs.write(dirs.user, "bad.toml", exercise(id="bad", area="legs"))
    (dirs.user / "gone.toml").symlink_to("nowhere.toml")
    (dirs.user / "loop.toml").symlink_to("loop.toml")
    (dirs.user / "pictures").mkdir()
    (dirs.user / "folder.toml").symlink_to("pictures")
    (dirs.user / "old.toml").mkdir()  # a real folder by that name, too
    assert problems(dirs.cli("exercises", "--check")) == [
        f'{bad}: exercise "bad": area: "legs" is not one of "neck", "shoulders", "upper back", '
        '"chest", "spine", "hips"',
        f"{dirs.user / 'folder.toml'}: is a symbolic link to pictures, which is not a file; "
        "fix or remove it",
        f"{dirs.user / 'gone.toml'}: is a symbolic link to nowhere.toml, which does not exist; "
        "fix or remove it",
        f"{dirs.user / 'loop.toml'}: is a symbolic link that leads round in a loop; "
        "fix or remove it",
        f"{dirs.user / 'old.toml'}: is a directory, not an exercise file; rename or move it",
    ]


def test_in_process_error_lists_every_problem(dirs: Dirs) -> None:
    dirs.write(dirs.user, "a.toml", exercise(position="lying") + exercise(id="b", area="legs"))
    with pytest.raises(ConfigError) as info:
        user_exercises.read_catalog()
    assert len(info.value.problems) == 2
    assert str(info.value) == "\n".join(info.value.problems)
