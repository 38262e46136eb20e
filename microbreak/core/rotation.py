"""Exercise choice: a shuffled rotation that prefers a different body area each time.

A plain random pick repeats favourites and starves others; a shuffled deck shows every allowed
exercise once before any comes back, which is what people expect of a "playlist".
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .exercises import CATALOG, Exercise, Position


class SelectionError(ValueError):
    """The include/exclude/position settings leave nothing to choose, or name no exercise."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which exercises may be picked: by position, or an explicit list, minus exclusions."""

    positions: frozenset[Position] = frozenset({Position.SEATED})
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def allowed(self, catalog: Sequence[Exercise] = CATALOG) -> tuple[Exercise, ...]:
        """The exercises this selection allows, in catalog order.

        Naming an exercise in ``include`` is asking for it, whatever its position; without an
        include list only the configured positions (seated by default) are used, so a floor
        exercise never comes up at a desk unless the user asked for it.
        """
        known = {e.id for e in catalog}
        unknown = [i for i in (*self.include, *self.exclude) if i not in known]
        if unknown:
            raise SelectionError(f"unknown exercise id {unknown[0]!r}")
        if self.include:
            chosen = [e for e in catalog if e.id in self.include]
        else:
            chosen = [e for e in catalog if e.position in self.positions]
        result = tuple(e for e in chosen if e.id not in self.exclude)
        if not result:
            raise SelectionError("these settings leave no exercise to choose from")
        return result


class Rotation:
    """Deals exercises from a shuffled deck; the deck is refilled only when it is empty."""

    def __init__(
        self,
        exercises: Iterable[Exercise],
        rng: random.Random,
        deck: Sequence[str] = (),
        last: str | None = None,
    ) -> None:
        self._exercises = {e.id: e for e in exercises}
        if not self._exercises:
            raise SelectionError("a rotation needs at least one exercise")
        self._rng = rng
        self._deck: list[str] = []
        self._last: str | None = None
        self.resume(deck, last)

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        """Every exercise in the rotation."""
        return tuple(self._exercises.values())

    def resume(self, deck: Sequence[str], last: str | None) -> None:
        """Carry on from a saved deck (ids no longer allowed are dropped)."""
        self._deck = [i for i in deck if i in self._exercises]
        self._last = last if last in self._exercises else None

    @property
    def deck(self) -> tuple[str, ...]:
        """Ids still to be shown in this round, next first (kept so a restart can resume)."""
        return tuple(self._deck)

    @property
    def last(self) -> Exercise | None:
        """The exercise shown most recently."""
        return self._exercises.get(self._last) if self._last else None

    def _refill(self) -> None:
        ids = list(self._exercises)
        self._rng.shuffle(ids)
        self._deck = ids

    def next(self) -> Exercise:
        """The next exercise: never a repeat within a round, a new body area when possible."""
        if not self._deck:
            self._refill()
        last = self.last
        pick = 0
        if last is not None:
            # Prefer another body area; failing that, at least not the very same exercise
            # (which can happen across the boundary between two rounds).
            other_area = [
                n for n, i in enumerate(self._deck) if self._exercises[i].area != last.area
            ]
            other_id = [n for n, i in enumerate(self._deck) if i != last.id]
            pick = (other_area or other_id or [0])[0]
        chosen = self._exercises[self._deck.pop(pick)]
        self._last = chosen.id
        return chosen
