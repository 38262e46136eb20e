"""The guide's timeline: what to show at each moment of an exercise, from its routine.

Pure: the window passes the elapsed seconds in (``Guide.at``), so the whole count is tested under
a fake clock. A repetition is a move in, the hold, a move out; with ``Sides.EACH`` all of them are
done on one side, then on the other. Without a routine: a countdown and a breathing picture. Its
words are marked (``N_``) and go through the ``translate`` the window passes in (``i18n._``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from .exercises import N_, Routine, Sides

#: Seconds one repetition's movement takes (in and out) when the routine gives no pace: slow
#: enough for proper form, which the articles ask for.
DEFAULT_PACE = 4.0
#: Seconds to change sides, long enough to read "Now the other side".
SWITCH_SECONDS = 4.0
#: How long the simple guide of an exercise without a routine lasts.
TIMED_SECONDS = 30.0
#: One slow breath of the simple guide's picture.
BREATH_SECONDS = 5.0
#: The hold counts its last seconds out loud ("3 · 2 · 1"); before that, only the number left.
COUNTED = 3

# The guide's words. Translators: a calm count in a small window; "Rep" is one repetition.
WELL_DONE = N_("Well done")
OTHER_SIDE = N_("Now the other side")
#: ``count`` is the seconds left ("15") or the last ones counted out ("3 · 2 · 1").
HOLD = N_("Hold… {count}")
RELAX = N_("Hold… {count} — relax")
REP = N_("Rep {rep} of {reps}")
SIDE = N_("Side {side} of {sides}")
MOVE_GENTLY = N_("Move gently, at your own pace")
INTO_POSITION = N_("Slowly into position")
BACK = N_("Slowly back")
FIRST_SIDE = N_("{caption} · first side")
SECOND_SIDE = N_("{caption} · second side")


class Phase(str, Enum):
    """The part of the exercise a moment falls in."""

    MOVE_IN = "move in"
    HOLD = "hold"
    MOVE_OUT = "move out"
    SWITCH = "switch sides"
    TIMED = "timed"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class Step:
    """One stretch of the timeline: ``phase`` from ``start`` for ``length`` seconds."""

    phase: Phase
    start: float
    length: float
    #: The repetition (from 1) and the side (1, or 2 for the second side); 0 when none.
    rep: int = 0
    side: int = 0

    @property
    def end(self) -> float:
        return self.start + self.length


@dataclass(frozen=True, slots=True)
class Frame:
    """What the guide shows at one moment."""

    phase: Phase
    #: The large, calm count: "Rep 2 of 5", "Hold… 3 · 2", "Now the other side".
    text: str
    #: The small line under it: "Rep 2 of 5 · second side", "Slowly into position".
    caption: str
    rep: int
    side: int
    #: The whole exercise done so far, 0 to 1.
    progress: float
    #: The pose to show: 0 the start position, 1 the end position, in between while moving.
    pose: float
    #: A repetition ended since the previous frame asked for: time for the chime.
    rep_ended: bool
    #: The exercise is over: the guide ends by itself, which counts as done.
    over: bool


class Guide:
    """The timeline of one exercise; ``None`` routine: the simple timed guide. ``translate``
    turns a marked message into the user's language (default ``str``: English as marked)."""

    def __init__(self, routine: Routine | None, translate: Callable[[str], str] = str) -> None:
        self.routine = routine
        self._ = translate
        self.steps = _steps(routine)
        self.total = self.steps[-1].end
        #: When each repetition ends, in order: where the chime plays.
        self.rep_ends = tuple(s.end for s in self.steps if s.phase is Phase.MOVE_OUT)

    def at(self, elapsed: float, previous: float | None = None) -> Frame:
        """The frame ``elapsed`` seconds in; ``previous`` is the elapsed time of the frame shown
        before (None: none), to tell whether a repetition ended in between."""
        t = max(0.0, elapsed)
        ended = previous is not None and any(previous < end <= t for end in self.rep_ends)
        if t >= self.total:
            return Frame(Phase.OVER, self._(WELL_DONE), "", 0, 0, 1.0, 0.0, ended, True)
        step = next(s for s in self.steps if t < s.end)
        into = t - step.start
        return Frame(
            phase=step.phase,
            text=self._text(step, into),
            caption=self._caption(step),
            rep=step.rep,
            side=step.side,
            progress=t / self.total,
            pose=_pose(step, into),
            rep_ended=ended,
            over=False,
        )

    def _text(self, step: Step, into: float) -> str:
        routine = self.routine
        if routine is None:
            return str(max(1, math.ceil(step.length - into)))
        if step.phase is Phase.SWITCH:
            return self._(OTHER_SIDE)
        if step.phase is Phase.HOLD:
            left = routine.hold_seconds - math.floor(into)
            count = str(left) if left > COUNTED else _countdown(routine.hold_seconds, left)
            return self._(HOLD).format(count=count)
        if _counts_reps(routine, step):
            return self._(REP).format(rep=step.rep, reps=routine.repetitions)
        return self._(RELAX).format(count=_countdown(routine.hold_seconds, 1))

    def _caption(self, step: Step) -> str:
        """What the count does not say: the repetition during a hold, else how to move."""
        routine = self.routine
        if routine is None:
            return self._(MOVE_GENTLY)
        if step.phase is Phase.SWITCH:
            return self._(SIDE).format(side=2, sides=2)
        if _counts_reps(routine, step):
            caption = self._(INTO_POSITION if step.phase is Phase.MOVE_IN else BACK)
        else:
            caption = self._(REP).format(rep=step.rep, reps=routine.repetitions)
        if routine.sides is Sides.EACH:
            caption = self._(FIRST_SIDE if step.side == 1 else SECOND_SIDE).format(caption=caption)
        return caption


def _counts_reps(routine: Routine, step: Step) -> bool:
    """The large count shows the repetition (moving, no hold being counted out)."""
    return step.phase is Phase.MOVE_IN or (
        step.phase is Phase.MOVE_OUT and routine.hold_seconds == 0
    )


def _countdown(hold: int, down_to: int) -> str:
    """``3 · 2 · 1``: the counted seconds from the first shown down to ``down_to``."""
    return " · ".join(str(n) for n in range(min(hold, COUNTED), down_to - 1, -1))


def _steps(routine: Routine | None) -> tuple[Step, ...]:
    if routine is None:
        return (Step(Phase.TIMED, 0.0, TIMED_SECONDS),)
    half = (routine.pace_seconds or DEFAULT_PACE) / 2  # a pace is above 0 when given
    # One repetition: a move in and a hold, each where it takes time, then always a move out.
    hold = float(routine.hold_seconds)
    moves = [(p, n) for p, n in ((Phase.MOVE_IN, half), (Phase.HOLD, hold)) if n > 0]
    moves.append((Phase.MOVE_OUT, half))
    sides = 2 if routine.sides is Sides.EACH else 1
    steps: list[Step] = []
    t = 0.0
    for side in range(1, sides + 1):
        if side > 1:
            steps.append(Step(Phase.SWITCH, t, SWITCH_SECONDS, 0, side))
            t += SWITCH_SECONDS
        for rep in range(1, routine.repetitions + 1):
            for phase, length in moves:
                steps.append(Step(phase, t, length, rep, side))
                t += length
    return tuple(steps)


def _ease(x: float) -> float:
    """A slow start and a slow end to each movement."""
    return (1 - math.cos(math.pi * min(1.0, max(0.0, x)))) / 2


def _pose(step: Step, into: float) -> float:
    x = into / step.length  # every step takes time: a pace is above 0
    if step.phase is Phase.MOVE_IN:
        return _ease(x)
    if step.phase is Phase.HOLD:
        return 1.0
    if step.phase is Phase.MOVE_OUT:
        return 1.0 - _ease(x)
    if step.phase is Phase.TIMED:
        return (1 - math.cos(2 * math.pi * into / BREATH_SECONDS)) / 2
    return 0.0
