"""The idle detector for when nothing can tell: natural breaks are simply off."""

from __future__ import annotations


class NullIdle:
    """Always "cannot tell"; ``reason`` says why no real detector was found."""

    name = "none"

    def __init__(self, reason: str = "no idle detector") -> None:
        self.reason = reason

    def idle_seconds(self) -> float | None:
        """Never known."""
        return None

    def close(self) -> None:
        """Nothing to close."""
