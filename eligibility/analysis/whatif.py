"""What would change this: the smallest sets of fact changes that make a provision met.

Found by search, not written by hand. Candidate changes are limited to what can still
change: facts not known yet (to be established), steps the person can take (report,
comply, file), and acts of law enforcement (a request, a signature, a grant). Facts of
history that are known (an age, what was done) are never "changed". Only facts that
feed an element not yet met are tried, and a set is kept only if no smaller subset
already works. The search uses the reference evaluator, which the differential tests
prove identical to the durable-rules engine.

Routes are grouped by who controls them: a route with any law-enforcement act is a
law-enforcement route ("a signature on Form I-918 Supplement B is the only thing
missing"); otherwise it is the person's (their own steps, or facts still to establish).
The law itself is the third controller: the same facts under the law of other dates and
under other rule sets (`law_routes`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..law.conditions import Plan
from ..law.logic import MET, NOT_MET, UNDETERMINED, leaves_below
from ..law.vocabulary import Facts, Vocabulary

MAX_CHANGES = 3  # larger routes are not "what would change this" but a new case
MAX_EVALUATIONS = 20_000  # bounds the search on badly underspecified cases


@dataclass(frozen=True)
class Change:
    fact: str
    value: Any
    before: Any  # None when the fact was unknown
    controlled_by: str  # history (to establish), person, law_enforcement


@dataclass(frozen=True)
class Route:
    changes: tuple[Change, ...]

    @property
    def controller(self) -> str:
        """Who would have to act: law enforcement if any change is its act; else an
        adjudicator (USCIS, HHS, a judge) if any change is a judgement of theirs; else
        the person (their own steps, or facts still to establish)."""
        for controller in ("law_enforcement", "adjudicator"):
            if any(c.controlled_by == controller for c in self.changes):
                return controller
        return "person"


@dataclass(frozen=True)
class LawRoute:
    """The same facts under other law: a rule set on a range of dates."""

    rule_set: str
    start: dt.date | None
    end: dt.date | None  # exclusive
    status: str


def _relevant_facts(plan: Plan, root: int, statuses: list[int]) -> list[str]:
    """Facts read by leaves under `root` that are not met yet (following references);
    under a negation a met leaf may be the obstacle, so every fact below a `not` counts."""
    found: dict[str, None] = {}
    # last written first: the order in which routes have always been tried and listed
    for index, negated in leaves_below(plan, root, last_first=True):
        condition = plan.nodes[index].condition
        if condition.kind == "fact" and (negated or statuses[index] != MET):
            found.setdefault(condition.fact or "", None)
    return list(found)


def _thresholds(plan: Plan, fact: str) -> set[int]:
    values: set[int] = set()
    for node in plan.nodes:
        c = node.condition
        if c.kind == "fact" and c.fact == fact and c.op in ("eq", "lt", "le", "gt", "ge"):
            values.update({c.value - 1, c.value, c.value + 1})
    return values


def _candidate_values(
    plan: Plan, vocabulary: Vocabulary, facts: Mapping[str, Any], name: str
) -> list[Any]:
    fact = vocabulary[name]
    current = facts.get(name)
    if current is not None and fact.controlled_by == "history":
        return []  # what happened is established, not changed
    if fact.type == "bool":
        values: list[Any] = [True, False]
    elif fact.type == "enum":
        values = list(fact.values)
    elif fact.type == "int":
        values = sorted(
            v
            for v in _thresholds(plan, name)
            if fact.min is not None and fact.max is not None and fact.min <= v <= fact.max
        )
    else:  # an unknown set: none of the members, or each member named by a test
        members = set()
        for node in plan.nodes:
            c = node.condition
            if c.kind == "fact" and c.fact == name:
                members.update(c.value)
        values = [frozenset()] + [frozenset({m}) for m in sorted(members)]
    return [v for v in values if v != current]


def routes_to_met(
    plan: Plan,
    vocabulary: Vocabulary,
    facts: Facts,
    provision: str,
    *,
    max_changes: int = MAX_CHANGES,
    limit: int = 8,
) -> list[Route]:
    """Minimal sets of changes, smallest first, that make `provision` met."""
    root = plan.roots[provision]
    statuses = plan.evaluate(facts)
    if statuses[root] == MET:
        return []
    candidates = [
        (name, values)
        for name in _relevant_facts(plan, root, statuses)
        if (values := _candidate_values(plan, vocabulary, facts, name))
    ]
    found: list[Route] = []
    found_sets: list[frozenset[str]] = []
    evaluations = 0
    for size in range(1, max_changes + 1):
        for combo in itertools.combinations(candidates, size):
            names = frozenset(name for name, _ in combo)
            if any(previous <= names for previous in found_sets):
                continue  # a smaller route already works: not minimal
            for chosen in itertools.product(*(v for _, v in combo)):
                evaluations += 1
                if evaluations > MAX_EVALUATIONS:
                    return _ordered(found)[:limit]
                changed = dict(facts)
                changed.update(
                    (name, value) for (name, _), value in zip(combo, chosen, strict=True)
                )
                if plan.evaluate_root(changed, root) == MET:
                    found.append(
                        Route(
                            tuple(
                                Change(name, value, facts.get(name), vocabulary[name].controlled_by)
                                for (name, _), value in zip(combo, chosen, strict=True)
                            )
                        )
                    )
                    found_sets.append(names)
                    break  # one set of values per set of facts is enough to show
        if found and size >= 1 and len(found) >= limit:
            break
    return _ordered(found)[:limit]


def _ordered(routes: list[Route]) -> list[Route]:
    return sorted(routes, key=lambda r: (len(r.changes), r.controller != "person"))


def law_routes(
    facts: Facts, provision: str, as_of: dt.date, books: Iterable[Any]
) -> list[LawRoute]:
    """The provision's status under each rule set in `books`, date range by date range
    (one evaluation per version of the law), merged where the status does not change."""
    routes: list[LawRoute] = []
    for book in books:
        dates = book.change_dates
        starts: list[dt.date | None] = [None, *dates]
        previous: LawRoute | None = None
        for start, end in zip(starts, [*dates, None], strict=True):
            probe = start or (dates[0] - dt.timedelta(days=1))
            plan = book.at(probe).plan
            status = plan.evaluate(facts)[plan.roots[provision]]
            word = ("not_met", "met", "undetermined")[status]
            if previous is not None and previous.status == word:
                previous = LawRoute(book.name, previous.start, end, word)
                routes[-1] = previous
                continue
            previous = LawRoute(book.name, start, end, word)
            routes.append(previous)
    return routes


def status_word(status: int) -> str:
    return {MET: "met", NOT_MET: "not_met", UNDETERMINED: "undetermined"}[status]
