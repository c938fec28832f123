"""Scenarios for testing invariants: Hypothesis strategies that favour the values the
rules tell apart and steer toward each status of each provision, and the exhaustive
witnesses (a smallest scenario giving each provision each status) of the sweep."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from ...law.logic import MET, NOT_MET
from ...law.rulebook import RuleBook
from ...law.vocabulary import Facts
from ..search import Search, SearchLimit, ValueClasses
from .model import Invariant

EARLIEST, LATEST = dt.date(1998, 1, 1), dt.date(2030, 12, 31)


class ScenarioGenerator:
    """Scenarios of one rule book, at its dates, for invariants to be tested on."""

    def __init__(
        self,
        book: RuleBook,
        classes: ValueClasses,
        excluded: Callable[[Mapping[str, Any]], bool],
    ) -> None:
        self.book = book
        self.vocabulary = book.vocabulary
        self.names = self.vocabulary.names()
        self.classes = classes
        self.excluded = excluded
        self._values: dict[str, st.SearchStrategy[Any]] = {}
        self._witnesses: dict[int, list[Facts]] = {}
        self._few = st.sets(st.sampled_from(self.names), max_size=6)
        self._any = st.sets(st.sampled_from(self.names))

    def dates(self, invariant: Invariant) -> st.SearchStrategy[dt.date]:
        low = max(EARLIEST, invariant.start or EARLIEST)
        high = min(LATEST, (invariant.until - dt.timedelta(days=1)) if invariant.until else LATEST)
        edges: list[dt.date] = []
        for day in reversed(self.book.change_dates):  # shrinks toward the latest law
            for date in (day, day - dt.timedelta(days=1)):
                if low <= date <= high and date not in edges:
                    edges.append(date)
        if not edges:
            return st.dates(min_value=low, max_value=high)
        return st.one_of(st.sampled_from(edges), st.dates(min_value=low, max_value=high))

    def value(self, name: str) -> st.SearchStrategy[Any]:
        """Values of one fact, favouring one of each class (and its neighbours)."""
        if name not in self._values:
            self._values[name] = self._value(name)
        return self._values[name]

    def _value(self, name: str) -> st.SearchStrategy[Any]:
        fact = self.vocabulary[name]
        if fact.type == "bool":
            return st.booleans()
        if fact.type == "enum":
            return st.sampled_from(list(fact.values))
        classes = list(self.classes[name])
        if fact.type == "int":
            near = sorted(
                {
                    v + d
                    for v in classes
                    for d in (-1, 0)
                    if (fact.min or 0) <= v + d <= (fact.max or 0)
                }
            )
            return st.one_of(
                st.sampled_from(near), st.integers(min_value=fact.min, max_value=fact.max)
            )
        return st.one_of(
            st.sampled_from(classes), st.frozensets(st.sampled_from(list(fact.values)))
        )

    def scenario(self, draw: st.DrawFn, date: dt.date) -> Facts:
        """Draw a scenario for one date: half at random, half steered by the rules
        toward a chosen status of a chosen provision, plus some noise."""
        names = self.names
        facts: Facts = {}
        if draw(_BOOLEANS):
            facts = self._steered(draw, date)
            noise = draw(self._few)
        else:
            noise = draw(self._any)
        for name in names:
            if name in noise and name not in facts:
                facts[name] = draw(self.value(name))
        return {name: facts[name] for name in names if name in facts}

    def scenarios(
        self, dates: st.SearchStrategy[dt.date] | None = None
    ) -> st.SearchStrategy[tuple[dt.date, Facts]]:
        """(date, facts) pairs, for tests that want the same generator."""
        chosen = dates if dates is not None else st.sampled_from(self.book.change_dates)

        @st.composite
        def build(draw: st.DrawFn) -> tuple[dt.date, Facts]:
            date = draw(chosen)
            return date, self.scenario(draw, date)

        return build()

    def _steered(self, draw: st.DrawFn, date: dt.date) -> Facts:
        """Facts steered toward a drawn status (met, not met, or left alone) for each
        provision in force, one after another, from a drawn starting provision: random
        facts alone rarely meet a provision with a dozen elements."""
        book_at = self.book.at(date)
        plan = book_at.plan
        in_force = [p for p in book_at.order if book_at.provisions[p].in_force]
        facts: Facts = {}
        if not in_force:
            return facts
        # One drawn seed drives the searches: a draw per step would make long searches
        # overrun Hypothesis's per-example budget and be thrown away. The greedy pass in
        # `_minimal` makes the shrunk counterexample minimal all the same.
        chooser = random.Random(draw(_SEEDS))
        search = Search(plan, self.classes, excluded=self.excluded, limit=200)
        for pid in _rotated(in_force, draw(_index(len(in_force)))):
            target = draw(_index(3))
            if target == 2:
                continue  # left to the other provisions and the noise
            try:
                found = search.reach(
                    plan.roots[pid],
                    (MET if target == 0 else NOT_MET,),
                    facts,
                    choose=lambda names: names[chooser.randrange(len(names))],
                    order=lambda name, values: _rotated(values, chooser.randrange(len(values))),
                )
            except SearchLimit:
                found = None
            if found is not None:
                facts = found
        return facts

    # -- forms ---------------------------------------------------------------------

    def witnesses(self, date: dt.date) -> list[Facts]:
        """For one date: no facts at all, and for every provision in force a smallest
        scenario in which it is met and one in which it is not met (if any)."""
        epoch = self.book.epoch(date)
        if epoch not in self._witnesses:
            book_at = self.book.at(date)
            plan = book_at.plan
            search = Search(plan, self.classes, excluded=self.excluded)
            found: list[Facts] = [{}]
            for pid in book_at.order:
                if not book_at.provisions[pid].in_force:
                    continue
                for target in (MET, NOT_MET):
                    try:
                        facts = search.reach(plan.roots[pid], (target,))
                    except SearchLimit:
                        facts = None
                    if facts is not None:
                        facts = {n: facts[n] for n in self.names if n in facts}
                        if facts not in found:
                            found.append(facts)
            self._witnesses[epoch] = found
        return self._witnesses[epoch]


_BOOLEANS = st.booleans()
_SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@functools.cache
def _index(size: int) -> st.SearchStrategy[int]:
    """Indexes 0..size-1 (one strategy object per size: building them is not free)."""
    return st.integers(min_value=0, max_value=max(size - 1, 0))


def _rotated(values: Sequence[Any], start: int) -> list[Any]:
    return list(values[start:]) + list(values[:start])
