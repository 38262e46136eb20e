"""The words of a reminder: what the notification and the fallback log line say."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _, shown
from .planner import Reminder, Trigger


@dataclass(frozen=True, slots=True)
class Message:
    """A notification's title and body."""

    title: str
    body: str
    exercise_id: str | None = None  # lets the notifier show the exercise's pictogram
    image: str | None = None  # a user exercise's own picture (absolute path)


def reminder_message(reminder: Reminder) -> Message:
    """Title names the exercise; the body says how to do it and how many times."""
    exercise = reminder.exercise
    again = _(" (again)") if reminder.trigger is Trigger.SNOOZED else ""
    dose = shown(exercise, "dose")
    return Message(
        title=_("Microbreak: {exercise}{again}").format(
            exercise=shown(exercise, "name"), again=again
        ),
        body=f"{shown(exercise, 'instructions')}\n{dose[:1].upper()}{dose[1:]}.",
        exercise_id=exercise.id,
        image=exercise.image,
    )
