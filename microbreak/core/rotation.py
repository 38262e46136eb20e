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
        """The exercises allowed, in catalog order. Naming one in ``include`` asks for it, whatever
        its position; without an include list only ``positions`` (seated by default) count, so a
        floor exercise never comes up at a desk unless the user asked for it."""
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
    """Deals exercises from a shuffled deck; the deck is refilled only when it is empty.

    The last exercise shown is remembered by id even while the selection leaves it out, so
    that taking it out and putting it back (two config edits, or a restart in between) cannot
    bring it straight back.
    """

    def __init__(self, exercises: Iterable[Exercise], rng: random.Random) -> None:
        self._exercises: dict[str, Exercise] = {}
        self._rng = rng
        self._deck: list[str] = []
        self._last: str | None = None
        self.reselect(exercises)

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return tuple(self._exercises.values())

    def reselect(self, exercises: Iterable[Exercise]) -> None:
        """Deal from other exercises (live reload): the round and the last one carry on."""
        chosen = {e.id: e for e in exercises}
        if not chosen:
            raise SelectionError("a rotation needs at least one exercise")
        self._exercises = chosen
        self._deck = [i for i in self._deck if i in chosen]

    def resume(self, deck: Sequence[str], last: str | None) -> None:
        """Carry on from a saved deck (ids no longer allowed are dropped)."""
        self._deck = [i for i in deck if i in self._exercises]
        self._last = last

    @property
    def deck(self) -> tuple[str, ...]:
        """Ids still to be shown in this round, next first (kept so a restart can resume)."""
        return tuple(self._deck)

    @property
    def last(self) -> Exercise | None:
        """The exercise shown most recently, if the selection still has it."""
        return self._exercises.get(self._last) if self._last else None

    @property
    def last_id(self) -> str | None:
        """The id of the exercise shown most recently, allowed now or not (for saving)."""
        return self._last

    def next(self) -> Exercise:
        """The next exercise: never a repeat within a round, never the last one again while
        there is another to show, and a new body area when possible."""
        stale = len(self._exercises) > 1 and all(i == self._last for i in self._deck)
        if not self._deck or stale:  # stale: only the last one left (a hand-edited state file)
            self._deck = list(self._exercises)
            self._rng.shuffle(self._deck)
        last = self.last
        other_id = [n for n, i in enumerate(self._deck) if i != self._last]
        # Prefer another body area; failing that, at least not the very same exercise (which
        # could otherwise happen across the boundary between two rounds).
        other_area = [
            n for n in other_id if last is None or self._exercises[self._deck[n]].area != last.area
        ]
        pick = (other_area or other_id or [0])[0]
        chosen = self._exercises[self._deck.pop(pick)]
        self._last = chosen.id
        return chosen
