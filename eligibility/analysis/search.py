"""Exhaustive search over fact assignments, for the lint and the invariant checker.

The search behind ``satisfiable`` relies on two facts about the rules. First, the
values of a fact fall into finitely many classes that no test tells apart (ages below
15, from 15 to 17, 18 and over; sets by which listed members they contain), so one
representative per class is enough (`ValueClasses`). Second, Kleene logic is monotone
in information: once a node is decided, no further answer changes it, and only the
facts under its undetermined part (`Plan.missing`) can. A depth-first search that
branches on those facts only, and stops as soon as the node is decided, is therefore
exhaustive and small.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..law.conditions import Condition, Plan
from ..law.logic import MET, NOT_MET, UNDETERMINED
from ..law.rulebook import ResolvedBook, RuleBook
from ..law.vocabulary import Facts, Vocabulary

DEFAULT_SEARCH_LIMIT = 50_000  # evaluations per question; the bundled rules need < 200


# ------------------------------------------------------------------- value classes


def _fact_tests(conditions: Iterable[Condition]) -> Iterator[tuple[str, str, Any]]:
    for condition in conditions:
        for node in condition.walk():
            if node.kind == "fact" and node.fact:
                yield node.fact, node.op or "is", node.value


class ValueClasses:
    """For every fact, one representative of each class of values that no test tells
    apart: enough to search every assignment of facts exhaustively.

    `tests` are (fact, operator, operand) triples as in rule conditions; `linked` are
    pairs of int facts compared with each other (by an assumption), which then share
    their cut points so that comparisons of representatives are exact.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        tests: Iterable[tuple[str, str, Any]],
        linked: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.vocabulary = vocabulary
        cuts: dict[str, set[int]] = {}
        operands: dict[str, list[frozenset[str]]] = {}
        for name, op, value in tests:
            fact = vocabulary[name]
            if fact.type == "int":
                points = cuts.setdefault(name, set())
                if op in ("lt", "ge"):
                    points.add(value)
                elif op in ("le", "gt"):
                    points.add(value + 1)
                elif op == "eq":
                    points.update((value, value + 1))
            elif fact.type == "set":
                members = frozenset([value]) if isinstance(value, str) else frozenset(value)
                if members not in operands.setdefault(name, []):
                    operands[name].append(members)
        for a, b in linked:  # union of cut points across compared facts
            shared = cuts.get(a, set()) | cuts.get(b, set())
            cuts[a], cuts[b] = set(shared), set(shared)
        self.values: dict[str, tuple[Any, ...]] = {}
        for name in vocabulary:
            fact = vocabulary[name]
            if fact.type == "bool":
                self.values[name] = (False, True)
            elif fact.type == "enum":
                self.values[name] = tuple(fact.values)
            elif fact.type == "int":
                low, high = fact.min or 0, fact.max if fact.max is not None else 0
                bounds = sorted(p for p in cuts.get(name, ()) if low < p <= high)
                # the last value of each class but the last class (14, 17, 18 for ages
                # cut at 15 and 18): natural in a counterexample, and next to a boundary
                self.values[name] = (*(p - 1 for p in bounds), bounds[-1] if bounds else low)
            else:
                self.values[name] = self._set_classes(fact.values, operands.get(name, []))

    @staticmethod
    def _set_classes(
        members: Iterable[str], operands: Sequence[frozenset[str]]
    ) -> tuple[frozenset[str], ...]:
        # Members that belong to the same operands are interchangeable ("atoms");
        # members in no operand change no test, like leaving them out.
        atoms: dict[tuple[bool, ...], str] = {}
        for member in members:
            signature = tuple(member in operand for operand in operands)
            if any(signature):
                atoms.setdefault(signature, member)
        chosen = list(atoms.values())
        return tuple(
            frozenset(combo)
            for size in range(len(chosen) + 1)
            for combo in itertools.combinations(chosen, size)
        )

    def __getitem__(self, name: str) -> tuple[Any, ...]:
        return self.values[name]

    @classmethod
    def for_book(
        cls,
        book: RuleBook,
        resolved: Iterable[ResolvedBook],
        extra: Iterable[tuple[str, str, Any]] = (),
        linked: Iterable[tuple[str, str]] = (),
        *,
        vocabulary: Vocabulary | None = None,
    ) -> ValueClasses:
        """Classes from every test in `resolved` (conditions and notes), plus `extra`,
        for the facts of `vocabulary` (by default the book's)."""
        conditions: list[Condition] = []
        for book_at in resolved:
            for provision in book_at.provisions.values():
                conditions.append(provision.condition)
                conditions.extend(n.when for n in provision.notes if n.when is not None)
        return cls(
            vocabulary or book.vocabulary, itertools.chain(_fact_tests(conditions), extra), linked
        )


# ------------------------------------------------------------------------- search


_BIT = {NOT_MET: 1, MET: 2, UNDETERMINED: 4}


def possible(plan: Plan, statuses: Sequence[int]) -> list[int]:
    """For every node, the statuses it may still take as unknown facts get answered
    (bits: 1 not met, 2 met, 4 undetermined), assuming independent facts.

    An over-approximation (two tests of one fact are treated as unrelated), so a status
    missing here is truly out of reach: the search uses it to abandon a branch early,
    e.g. once a bar that rests on an open question can no longer be lifted.
    """
    out = [0] * len(plan.nodes)
    for node in plan.nodes:
        i = node.index
        status = statuses[i]
        if status != UNDETERMINED:
            out[i] = _BIT[status]
            continue
        kind = node.condition.kind
        if kind == "fact":
            out[i] = 3
        elif kind == "open_question":
            out[i] = 4
        elif kind == "provision":
            out[i] = out[node.target]  # type: ignore[index]
        elif kind == "not":
            child = out[node.children[0]]
            out[i] = (child & 4) | ((child & 1) << 1) | ((child & 2) >> 1)
        else:
            bits = [out[c] for c in node.children]
            strong, weak = (1, 2) if kind == "all" else (2, 1)  # all: one not-met decides
            value = 0
            if any(b & strong for b in bits):
                value |= strong
            if all(b & weak for b in bits):
                value |= weak
            if all(b & (weak | 4) for b in bits) and any(b & 4 for b in bits):
                value |= 4
            out[i] = value
    return out


class SearchLimit(Exception):
    """The search needed more evaluations than allowed; the answer is unknown."""


class Search:
    """Exhaustive search for fact assignments that give a node a wanted status.

    Only facts under the node's undetermined part are branched on, one class
    representative per value class, and a branch stops as soon as the node is decided
    (Kleene logic is monotone in information), so a failed search is a proof that no
    assignment (consistent with `excluded`) gives the status.
    """

    def __init__(
        self,
        plan: Plan,
        classes: ValueClasses,
        *,
        excluded: Callable[[Facts], bool] | None = None,
        limit: int = DEFAULT_SEARCH_LIMIT,
    ) -> None:
        self.plan = plan
        self.classes = classes
        self.excluded = excluded
        self.limit = limit
        self.evaluations = 0

    def reach(
        self,
        root: int,
        targets: Iterable[int],
        base: Facts | None = None,
        *,
        allowed: Iterable[str] | None = None,
        choose: Callable[[list[str]], str] | None = None,
        order: Callable[[str, tuple[Any, ...]], Sequence[Any]] | None = None,
    ) -> Facts | None:
        """Facts extending `base` (only with `allowed` facts, if given) under which
        node `root` has one of the `targets` statuses; None if there are none.

        `choose` picks the fact to branch on (default: the first missing one) and
        `order` the order in which its values are tried; both let a caller randomise
        the search. Raises SearchLimit when the limit of evaluations is reached.
        """
        wanted = frozenset(targets)
        wanted_bits = sum(_BIT[t] for t in wanted)
        plan = self.plan
        permitted = None if allowed is None else frozenset(allowed)
        evaluate, missing, classes = self.plan.evaluate, self.plan.missing, self.classes
        budget = [self.limit]

        def visit(facts: Facts) -> Facts | None:
            budget[0] -= 1
            if budget[0] < 0:
                raise SearchLimit(f"more than {self.limit} evaluations")
            self.evaluations += 1
            statuses = evaluate(facts)
            status = statuses[root]
            if status in wanted:
                return facts
            if status != UNDETERMINED:
                return None
            if not possible(plan, statuses)[root] & wanted_bits:
                return None
            names, _ = missing(statuses, root)
            if permitted is not None:
                names = [n for n in names if n in permitted]
            if not names:
                return None
            name = choose(names) if choose else names[0]
            values = classes[name]
            for value in order(name, values) if order else values:
                candidate = {**facts, name: value}
                if self.excluded is not None and self.excluded(candidate):
                    continue
                found = visit(candidate)
                if found is not None:
                    return found
            return None

        start = dict(base or {})
        if self.excluded is not None and self.excluded(start):
            return None
        return visit(start)

    def can(self, root: int, status: int) -> bool:
        return self.reach(root, (status,)) is not None
