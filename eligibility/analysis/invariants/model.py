"""Invariants as data: tests on a scenario and its result (Kleene's three values, from
law/logic.py), the four forms of invariant, and the assumptions that exclude impossible
scenarios. See the package docstring for the file format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...law.logic import (
    MET,
    NOT_MET,
    UNDETERMINED,
    all_of,
    any_of,
    describe_comparison,
    fact_status,
    negation,
    show,
)
from ..evaluate import Result

FORMS = ("then", "unaffected_by", "never_worse_when", "explained_by_missing_facts")
# the form of the invariant an overlay's `expands: BASE` declares (not written in files:
# `expansion_invariant` makes it): nothing met under BASE is lost under the overlay
EXPANDS = "expands"
INVARIANT_KEYS = (
    "id",
    "text",
    "citation",
    "why",
    "rule_sets",
    "dates",
    "provisions",
    "if",
    "worse",
) + FORMS
WORSE = ("any_step_down", "met_to_not_met")
TEST_KINDS = ("all", "any", "not", "fact", "provision")
FACT_OPS = ("is", "eq", "lt", "le", "gt", "ge", "any_of", "none_of", "known")
RANK = {NOT_MET: 0, UNDETERMINED: 1, MET: 2}  # "worse" for monotonicity
DEFAULT_EXAMPLES = 100
EARLIEST, LATEST = dt.date(1998, 1, 1), dt.date(2030, 12, 31)


# -------------------------------------------------------------------------- tests


@dataclass(frozen=True)
class Test:
    """A test on one scenario and its result, with Kleene's three values."""

    kind: str
    children: tuple[Test, ...] = ()
    fact: str | None = None
    op: str | None = None
    value: Any = None
    other: str | None = None  # compare with this fact instead of a value
    provision: str | None = None
    statuses: frozenset[str] = frozenset()
    gated: bool | None = None

    def evaluate(self, facts: Mapping[str, Any], result: Result | None) -> int:
        kind = self.kind
        if kind == "all":
            return all_of(child.evaluate(facts, result) for child in self.children)
        if kind == "any":
            return any_of(child.evaluate(facts, result) for child in self.children)
        if kind == "not":
            return negation(self.children[0].evaluate(facts, result))
        if kind == "provision":
            assert result is not None and self.provision is not None
            outcome = result.provisions[self.provision]
            ok = (not self.statuses or outcome.status in self.statuses) and (
                self.gated is None or outcome.law_enforcement_gated == self.gated
            )
            return MET if ok else NOT_MET
        value = facts.get(self.fact or "")
        if self.op == "known":
            return MET if (value is not None) == self.value else NOT_MET
        operand = facts.get(self.other) if self.other else self.value
        return fact_status(self.op or "is", value, operand)

    def walk(self) -> Iterable[Test]:
        yield self
        for child in self.children:
            yield from child.walk()

    def describe(self) -> str:
        if self.kind in ("all", "any"):
            joined = f" {'and' if self.kind == 'all' else 'or'} "
            return "(" + joined.join(c.describe() for c in self.children) + ")"
        if self.kind == "not":
            return f"not {self.children[0].describe()}"
        if self.kind == "provision":
            parts = []
            if self.statuses:
                parts.append(" or ".join(sorted(self.statuses)))
            if self.gated is not None:
                parts.append("law-enforcement gated" if self.gated else "not gated")
            return f"{self.provision} is {', '.join(parts)}"
        if self.op == "known":
            return f"{self.fact} is {'known' if self.value else 'unknown'}"
        return describe_comparison(self.fact or "", self.op or "is", self.other or self.value)


# ------------------------------------------------------------------------ invariants


@dataclass(frozen=True)
class MonotoneChange:
    """One change that must never make things worse (`never_worse_when`)."""

    facts: tuple[str, ...]
    direction: str  # set | lower | higher | more | fewer
    before: Any = None  # for `set`: from
    after: Any = None  # for `set`: to

    def describe(self) -> str:
        names = ", ".join(self.facts)
        if self.direction == "set":
            return f"{names}: {show(self.before)} -> {show(self.after)}"
        return f"{names}: {self.direction}"


@dataclass(frozen=True)
class Invariant:
    id: str
    text: str
    form: str  # one of FORMS
    citation: str = ""
    why: str = ""
    rule_sets: tuple[str, ...] | None = None
    start: dt.date | None = None  # holds from this date
    until: dt.date | None = None  # holds before this date
    provisions: tuple[str, ...] = ()
    when: Test | None = None  # `if`
    then: Test | None = None
    facts: tuple[str, ...] = ()  # `unaffected_by`
    changes: tuple[MonotoneChange, ...] = ()  # `never_worse_when`
    worse: str = "any_step_down"  # `never_worse_when`: what counts as worse
    origin: tuple[str, int | None] = ("", None)

    def applies_to(self, rule_set: str) -> bool:
        return self.rule_sets is None or rule_set in self.rule_sets

    def tests(self) -> Iterable[Test]:
        for test in (self.when, self.then):
            if test is not None:
                yield from test.walk()


def expansion_invariant(
    overlay: str, base: str, provisions: Sequence[str], origin: str
) -> Invariant:
    """The invariant of `expands: BASE`: on every scenario and date, every provision of
    BASE that is met under BASE is met under the overlay too."""
    return Invariant(
        id=f"expands-{base}".replace("/", "-").replace(".", "-")[:80],
        text=f"{overlay} expands {base}: every protection met under {base} is met under "
        f"{overlay} too, on every scenario and date",
        form=EXPANDS,
        why=f"declared by `expands: {base}` in {origin}: a reform meant only to add "
        f"protection must never take any away",
        provisions=tuple(provisions),
        origin=(origin, None),
    )


@dataclass(frozen=True)
class Assumption:
    id: str
    text: str
    holds: Test
    origin: tuple[str, int | None] = ("", None)


@dataclass
class InvariantFile:
    invariants: list[Invariant] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)


def exclusions(
    assumptions: Sequence[Assumption],
) -> tuple[Callable[[Mapping[str, Any]], bool] | None, list[tuple[str, str]]]:
    """What the assumptions rule out (a test of facts; None when there is nothing),
    and the pairs of int facts they compare with each other."""
    tests = [t for a in assumptions for t in a.holds.walk()]
    linked = [(t.fact, t.other) for t in tests if t.kind == "fact" and t.fact and t.other]
    if not assumptions:
        return None, linked

    def excluded(facts: Mapping[str, Any]) -> bool:
        return any(a.holds.evaluate(facts, None) == NOT_MET for a in assumptions)

    return excluded, linked
