"""The guide through the app: "Start" on the reminder, "Take a break now", and its end as the
reminder's answer (run to the end: done; closed early: skip; a failure: no answer).

The real App and planner with a fake clock (``Sim``) and a guide that records what it was asked
to open; the test ends it as the guide process would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from microbreak.adapters.notify.answers import router
from microbreak.adapters.notify.freedesktop import Answer
from microbreak.core.events import EventKind
from microbreak.core.exercises import Exercise
from microbreak.core.planner import Mode, StateError

from .test_answers import Events
from .test_scenarios import Sim


@dataclass
class RecordingGuide:
    """A guide that opens nothing on screen: it keeps each ``on_end`` for the test to call."""

    can_open: bool = True
    opened: list[tuple[str, Callable[[bool | None], None]]] = field(default_factory=list)
    closed: int = 0
    dismissed: int = 0

    def open(self, exercise: Exercise, on_end: Callable[[bool | None], None]) -> bool:
        if self.can_open:
            self.opened.append((exercise.id, on_end))
        return self.can_open

    def dismiss(self, why: str) -> None:
        self.dismissed += 1

    def close(self) -> None:
        self.closed += 1

    def end(self, how: bool | None) -> None:
        self.opened[-1][1](how)


def guided_sim(*, can_open: bool = True) -> tuple[Sim, Events, RecordingGuide]:
    events, recording = Events(), RecordingGuide(can_open)
    sim = Sim(seed=3, history=events, guide=recording)
    return sim, events, recording


def test_start_on_the_reminder_opens_the_guide_for_its_exercise() -> None:
    sim, events, guide = guided_sim()
    exercise = sim.app.break_now()
    router(sim.app)(Answer.OPEN)
    assert [i for i, _ in guide.opened] == [exercise.id]
    assert events.kinds() == []  # nothing is answered until the guide ends
    assert sim.app.unanswered() == exercise.name


def test_a_guide_run_to_its_end_is_done() -> None:
    sim, events, guide = guided_sim()
    exercise = sim.app.break_now()
    router(sim.app)(Answer.OPEN)
    guide.end(True)
    assert events.kept[-1] == (EventKind.DONE, exercise.id)
    assert sim.app.unanswered() is None


def test_a_guide_closed_early_is_a_skip() -> None:
    sim, events, guide = guided_sim()
    exercise = sim.app.break_now()
    router(sim.app)(Answer.OPEN)
    guide.end(False)
    assert events.kept[-1] == (EventKind.SKIPPED, exercise.id)
    assert sim.app.mode() is Mode.RUNNING


def test_a_guide_that_failed_leaves_the_reminder_waiting() -> None:
    sim, events, guide = guided_sim()
    sim.app.break_now()
    router(sim.app)(Answer.OPEN)
    guide.end(None)
    assert events.kinds() == []
    assert sim.app.unanswered() is not None


def test_take_a_break_now_with_the_guide_shows_the_reminder_and_opens_the_guide() -> None:
    sim, events, guide = guided_sim()
    exercise = sim.app.break_now(guide=True)
    assert len(sim.shown()) == 1  # the reminder, answerable on its own too
    assert [i for i, _ in guide.opened] == [exercise.id]
    guide.end(True)
    assert events.kinds() == [EventKind.DONE]
    assert sim.notifier.withdrawn  # the answered reminder goes from the screen


def test_a_guide_ending_after_the_tray_answered_records_nothing_more() -> None:
    sim, events, guide = guided_sim()
    sim.app.break_now(guide=True)
    sim.app.skip()  # answered from the tray while the guide ran
    guide.end(True)
    assert events.kinds() == [EventKind.SKIPPED]


def test_a_guide_of_an_older_reminder_does_not_answer_the_next_one() -> None:
    sim, events, guide = guided_sim()
    sim.app.break_now(guide=True)
    sim.app.skip()
    sim.app.break_now()  # a fresh reminder is on screen when the old guide ends
    guide.end(True)
    assert events.kinds() == [EventKind.SKIPPED]
    assert sim.app.unanswered() is not None


def test_the_guide_without_a_reminder_is_refused() -> None:
    sim, _, guide = guided_sim()
    with pytest.raises(StateError, match="no reminder to guide"):
        sim.app.guide()
    assert guide.opened == []


def test_start_when_the_guide_cannot_open_snoozes() -> None:
    sim, events, _ = guided_sim(can_open=False)
    sim.app.break_now()
    router(sim.app)(Answer.OPEN)
    assert events.kinds() == [EventKind.SNOOZED]


def test_quitting_closes_the_guide() -> None:
    sim, _, guide = guided_sim()
    sim.app.close()
    assert guide.closed == 1


def test_an_answer_from_elsewhere_and_a_new_break_close_the_open_guide() -> None:
    sim, events, guide = guided_sim()
    sim.app.break_now(guide=True)
    assert guide.dismissed == 1  # none was open; asked anyway, as a new break replaces one
    sim.app.done()  # from the tray while the guide runs
    assert guide.dismissed == 2
    sim.app.break_now(guide=True)
    assert guide.dismissed == 3 and len(guide.opened) == 2
    assert events.kinds() == [EventKind.DONE]


def test_resume_leaves_the_reminder_on_screen_and_its_guide() -> None:
    """Take a break now while paused, then resume: nothing was answered, so nothing goes."""
    sim, _, guide = guided_sim()
    sim.app.pause(None)
    sim.app.break_now(guide=True)
    dismissed, withdrawn = guide.dismissed, len(sim.notifier.withdrawn)
    sim.app.resume()
    assert (guide.dismissed, len(sim.notifier.withdrawn)) == (dismissed, withdrawn)
    assert sim.app.unanswered() is not None
