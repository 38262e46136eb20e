"""Desktop notifications: plyer's, the freedesktop API with buttons, the choice between them per
reminder, and the routing of a button's answer to the app's own entries."""

from __future__ import annotations

from pathlib import Path

from ...core.messages import Message

APP_NAME = "microbreak"  # the sender both notifiers name


def pictogram_for(message: Message) -> Path | None:
    """The exercise's picture, so the movement is seen at a glance: the user's own image, else
    the packaged pictogram."""
    if message.image and Path(message.image).is_file():
        return Path(message.image)
    if message.exercise_id is None:
        return None
    from ...paths import pictogram

    return pictogram(message.exercise_id)
