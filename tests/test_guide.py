"""The guide's timeline (``core/guide.py``), run from the structured dose under a fake clock.

No window and no real time: each test asks the pure timeline what it shows at chosen elapsed
seconds, as the window does on each tick.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microbreak.adapters.guide_window import prefer_x11
from microbreak.core.exercises import CATALOG, Routine, Sides
from microbreak.core.guide import (
    DEFAULT_PACE,
    SWITCH_SECONDS,
    TIMED_SECONDS,
    Frame,
    Guide,
    Phase,
)
from microbreak.core.rotation import Selection
from microbreak.usecases.guide import UnknownExercise, choose, pictures_of

from .fakes import by_id


def frames(guide: Guide, times: list[float]) -> list[tuple[float, Frame]]:
    """The frames at ``times``, each told the previous time, as the window asks for them."""
    shown: list[tuple[float, Frame]] = []
    previous = None
    for t in times:
        shown.append((t, guide.at(t, previous)))
        previous = t
    return shown


def test_a_hold_counts_down_then_relaxes() -> None:
    # hold 3 s, 2 reps, pace 2 s: in 1 s, hold 3 s, out 1 s per rep.
    guide = Guide(Routine(2, 3, Sides.BOTH, 2.0))
    assert guide.total == 10.0
    texts = [guide.at(t).text for t in (0.5, 1.0, 2.0, 3.0, 4.5, 5.5)]
    assert texts == [
        "Rep 1 of 2",
        "Hold… 3",
        "Hold… 3 · 2",
        "Hold… 3 · 2 · 1",
        "Hold… 3 · 2 · 1 — relax",
        "Rep 2 of 2",
    ]
    assert guide.at(2.0).caption == "Rep 1 of 2"  # the count is the hold's
    assert guide.at(0.5).caption == "Slowly into position"  # the count is the repetition
    assert guide.at(5.5).rep == 2


def test_a_long_hold_shows_the_seconds_left_before_the_count() -> None:
    guide = Guide(by_id()["gentle-neck-stretch"].routine)  # hold 15 s, 2 each side
    into_hold = DEFAULT_PACE / 2
    assert guide.at(into_hold).text == "Hold… 15"
    assert guide.at(into_hold + 5).text == "Hold… 10"
    assert guide.at(into_hold + 13.5).text == "Hold… 3 · 2"


def test_each_side_switches_once_in_the_middle() -> None:
    guide = Guide(Routine(2, 0, Sides.EACH, 2.0))
    assert guide.total == 2 * 2 * 2.0 + SWITCH_SECONDS
    assert guide.at(0.5).caption == "Slowly into position · first side"
    assert guide.at(1.0).caption == "Slowly back · first side"
    switch = guide.at(4.5)
    assert (switch.phase, switch.text, switch.caption) == (
        Phase.SWITCH,
        "Now the other side",
        "Side 2 of 2",
    )
    assert guide.at(8.5).caption == "Slowly into position · second side"
    assert guide.at(8.5).text == "Rep 1 of 2"
    assert guide.at(11.0).side == 2


def test_the_pace_sets_the_speed_of_each_movement() -> None:
    slow, quick = Guide(Routine(3, 0, Sides.BOTH, 6.0)), Guide(Routine(3, 0, Sides.BOTH, 2.0))
    assert (slow.total, quick.total) == (18.0, 6.0)
    assert Guide(Routine(3, 0, Sides.BOTH)).total == 3 * DEFAULT_PACE


def test_the_pose_moves_from_start_to_end_and_back() -> None:
    guide = Guide(Routine(1, 2, Sides.BOTH, 2.0))  # in 0-1, hold 1-3, out 3-4
    poses = [guide.at(t).pose for t in (0.0, 0.5, 1.0, 2.0, 3.5, 3.99)]
    assert poses[0] == 0.0 and 0.4 < poses[1] < 0.6 and poses[2] == poses[3] == 1.0
    assert 0.4 < poses[4] < 0.6 and poses[5] < 0.01


def test_the_chime_marks_each_repetition_once() -> None:
    guide = Guide(Routine(3, 1, Sides.BOTH, 1.0))  # 2 s per rep
    ticks = [i / 10 for i in range(0, 61)]
    ended = [t for t, frame in frames(guide, ticks) if frame.rep_ended]
    assert ended == [2.0, 4.0, 6.0]
    # A first frame has nothing before it to compare with.
    assert not guide.at(2.0).rep_ended


def test_it_ends_exactly_at_the_total() -> None:
    guide = Guide(Routine(2, 1, Sides.BOTH, 1.0))
    assert not guide.at(guide.total - 0.001).over
    end = guide.at(guide.total)
    assert end.over and end.progress == 1.0 and end.phase is Phase.OVER
    assert guide.at(guide.total + 60).over


def test_without_a_routine_a_simple_timed_guide() -> None:
    guide = Guide(None)
    assert guide.total == TIMED_SECONDS
    assert guide.at(0).text == f"{TIMED_SECONDS:g}"
    assert guide.at(TIMED_SECONDS - 0.5).text == "1"
    assert guide.at(10).phase is Phase.TIMED and guide.rep_ends == ()
    poses = {round(guide.at(t / 4).pose, 1) for t in range(0, 40)}
    assert min(poses) == 0.0 and max(poses) == 1.0  # the picture breathes


def test_a_clock_that_goes_back_is_the_start() -> None:
    guide = Guide(Routine(2, 1, Sides.BOTH))
    assert guide.at(-5.0) == guide.at(0.0)


def test_every_built_in_exercise_has_the_routine_of_its_dose() -> None:
    for exercise in CATALOG:
        routine = exercise.routine
        assert routine is not None, exercise.id
        numbers = [int(n) for n in re.findall(r"\d+", exercise.dose)]
        hold = re.search(r"hold (\d+) second", exercise.dose)
        assert routine.hold_seconds == (int(hold.group(1)) if hold else 0), exercise.id
        # The repetitions are the dose's count (the low end of a range), never the hold.
        counts = numbers[1:] if hold else numbers
        assert routine.repetitions == counts[0], exercise.id
        assert (routine.sides is Sides.EACH) == ("each side" in exercise.dose), exercise.id
        assert (routine.pace_seconds is not None) == ("slow" in exercise.dose), exercise.id


routines = st.builds(
    Routine,
    repetitions=st.integers(1, 12),
    hold_seconds=st.integers(0, 20),
    sides=st.sampled_from(Sides),
    pace_seconds=st.none() | st.floats(0.5, 10, allow_nan=False),
)


@given(routine=routines, cuts=st.lists(st.floats(0, 1, allow_nan=False), max_size=60))
def test_property_progress_monotone_ends_at_total_visits_every_rep(
    routine: Routine, cuts: list[float]
) -> None:
    guide = Guide(routine)
    sides = 2 if routine.sides is Sides.EACH else 1
    # Random moments, and the end of every repetition (so that no two share one frame's gap).
    times = sorted({c * guide.total for c in cuts} | {0.0, guide.total, *guide.rep_ends})
    shown = frames(guide, times)
    progress = [f.progress for _, f in shown]
    assert progress == sorted(progress)
    assert all(0.0 <= p <= 1.0 for p in progress)
    # Over exactly at the total, not a moment before.
    assert shown[-1][1].over and progress[-1] == 1.0
    assert not any(f.over for t, f in shown if t < guide.total)
    # Every repetition on every side has its moment, in order, and ends with one chime.
    visited = [(s.side, s.rep) for s in guide.steps if s.phase is Phase.MOVE_OUT]
    reps = range(1, routine.repetitions + 1)
    assert visited == [(side, rep) for side in range(1, sides + 1) for rep in reps]
    for step in guide.steps:
        if step.length > 0:
            middle = guide.at(step.start + step.length / 2)
            assert (middle.side, middle.rep, middle.phase) == (step.side, step.rep, step.phase)
    chimes = sum(f.rep_ended for _, f in shown)
    assert chimes == routine.repetitions * sides


# -- which exercise, which pictures (usecases/guide.py) ----------------------------------------


def test_without_an_id_the_first_of_the_selection_and_it_says_so() -> None:

    allowed = Selection().allowed(CATALOG)
    exercise, said = choose(CATALOG, allowed, None)
    assert exercise == allowed[0]
    assert said is not None and f"{exercise.name} ({exercise.id})" in said


def test_an_id_an_old_merged_id_and_a_wrong_one() -> None:

    assert choose(CATALOG, CATALOG, "bridge") == (by_id()["bridge"], None)
    assert choose(CATALOG, CATALOG, "scapular-squeezes")[0].id == "shoulder-squeeze"
    with pytest.raises(UnknownExercise) as info:
        choose(CATALOG, CATALOG, "shoulder-shrugg")
    assert str(info.value).startswith('guide: no exercise "shoulder-shrugg" (did you mean ')
    assert '"shoulder-shrug"' in str(info.value) and info.value.exit_code == 2


@pytest.mark.parametrize("wanted", ["xyz", "zzzzzz", "q"])
def test_a_wrong_id_close_to_none_gets_no_guess(wanted: str) -> None:
    """The closest of all ids to "xyz" is no better than any other: no "did you mean"."""
    with pytest.raises(UnknownExercise) as info:
        choose(CATALOG, CATALOG, wanted)
    said = f'guide: no exercise "{wanted}"; `microbreak exercises --all` lists them'
    assert (str(info.value), info.value.exit_code) == (said, 2)


@pytest.mark.parametrize("wanted", ["SHOULDER-ROLLS", "Shoulder-Rolls ", "shoulder-rolls"])
def test_an_id_in_capitals_is_the_same_exercise(wanted: str) -> None:
    assert choose(CATALOG, CATALOG, wanted) == (by_id()["shoulder-rolls"], None)


def test_the_end_pose_is_the_picture_named_end_beside_the_start(tmp_path: Path) -> None:

    start = tmp_path / "tilt.png"
    start.write_bytes(b"\x89PNG\r\n\x1a\n")
    mine = replace(by_id()["bridge"], id="tilt", image=str(start))
    assert pictures_of(mine) == (start, None)  # one pose: the window pulses it
    (tmp_path / "tilt-end.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert pictures_of(mine) == (start, tmp_path / "tilt-end.png")
    built_in, end = pictures_of(by_id()["bridge"])
    assert built_in is not None and built_in.name == "bridge.png"
    assert end is None or end.name == "bridge-end.png"


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "x11,wayland"),  # GNOME, Xwayland
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),  # no Xwayland: Wayland it is
        ({"DISPLAY": ":0"}, None),  # X11: GTK's default already
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "GDK_BACKEND": "wayland"}, "wayland"),
    ],
)
def test_on_wayland_the_guide_opens_through_xwayland_when_there_is_one(
    env: dict[str, str], backend: str | None
) -> None:
    prefer_x11(env)
    assert env.get("GDK_BACKEND") == backend
