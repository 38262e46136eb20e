"""The words of a reminder: what the notification and the fallback log line say."""

from __future__ import annotations

from dataclasses import dataclass

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
    again = " (again)" if reminder.trigger is Trigger.SNOOZED else ""
    return Message(
        title=f"Microbreak: {exercise.name}{again}",
        body=f"{exercise.instructions}\n{exercise.dose[:1].upper()}{exercise.dose[1:]}.",
        exercise_id=exercise.id,
        image=exercise.image,
    )
