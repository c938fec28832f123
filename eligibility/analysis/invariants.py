"""Invariants: properties a rule set must keep, written as data (`rules/invariants.yaml`,
or an `invariants:` list in an overlay) and tested by `eligibility check` with Hypothesis
on generated scenarios at random dates.

Every invariant has an `id`, a `text` a lawyer can read, a `citation` and/or `why`, and
optionally `rule_sets` (it holds only for the rule sets named, exactly: an overlay that
extends one is another rule set) and `dates` (`from`, `until`: it holds only on those
dates). It takes one of four forms:

- `if` / `then`: for every scenario where `if` holds (or every scenario, without `if`),
  `then` holds. Tests are written like rule conditions: `all`, `any`, `not`; a fact
  test (`fact: u_certification_signed, is: true`; `fact: citizenship, any_of: [...]`;
  `fact: age_now, known: false`; an int fact may be compared with another:
  `le: {fact: age_now}`); or a provision test (`provision: t_visa, is: met`, or a list
  of statuses; `gated: true` for `law_enforcement_gated`). A test on an unknown fact is
  undetermined, so `then` must be met outright: "u_visa met implies
  u_certification_signed is true" fails if the certification is unknown.
- `unaffected_by`: the statuses of `provisions` (default: all) never change when any of
  the facts selected (`facts: [...]` and/or `dependency: [cooperation, ...]`) changes
  to any value, or becomes unknown.
- `never_worse_when`: a list of changes (`facts`/`dependency` with `from: false, to:
  true` for yes/no facts, `from`/`to` values for choices, `to: lower|higher` for
  numbers, `to: more|fewer` for lists); none makes a provision of `provisions` worse,
  in the order not_met < undetermined < met (or, with `worse: met_to_not_met`, never
  turns met into not_met). That is monotonicity: "turning a cooperation fact from false
  to true never turns a met provision into not_met".
- `explained_by_missing_facts: true`: an undetermined provision is undetermined only
  because of its `missing_facts` (and open questions of law): answering any other
  unknown fact leaves it undetermined with the same missing facts; answering all of
  its missing facts decides it, unless an open question of law remains (then only the
  open questions remain). And answering unknown facts never changes a decided status.

`assumptions` (bundled file only) exclude impossible scenarios: a generated scenario is
discarded when an assumption is not met (a test on an unknown fact never excludes).

Counterexamples are found with `hypothesis.find` (derandomized, no database, at most
`examples` scenarios per invariant), shrunk by Hypothesis, then made 1-minimal (leaving
out any one fact makes the failure go away), and printed as scenario files that
`eligibility evaluate` and `explain` accept.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, assume, configuration, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from ..errors import EligibilityError, RuleError, printable
from ..law import yamlfile
from ..law.fields import Node, root
from ..law.logic import (
    MET,
    NOT_MET,
    STATUS_NAMES,
    STATUS_OF,
    UNDETERMINED,
    FactTestReader,
    all_of,
    any_of,
    describe_comparison,
    fact_status,
    negation,
    show,
)
from ..law.rulebook import RuleBook
from ..law.scenarios import Scenario, dump_yaml, scenario_document
from ..law.vocabulary import DEPENDENCIES, Facts, Vocabulary
from .evaluate import Evaluator, Result
from .lint import Search, SearchLimit, ValueClasses

FORMS = ("then", "unaffected_by", "never_worse_when", "explained_by_missing_facts")
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


class InvariantParser:
    """Parses invariants and assumptions against a vocabulary and provision ids."""

    def __init__(self, vocabulary: Vocabulary, provisions: Iterable[str]) -> None:
        self.vocabulary = vocabulary
        self.tests = FactTestReader(vocabulary, extra=("known",))
        self.provisions = tuple(provisions)

    def test(self, node: Node, *, facts_only: bool = False) -> Test:
        node.mapping(optional=TEST_KINDS + FACT_OPS + ("gated",), what="test")
        kinds = [k for k in TEST_KINDS if node.has(k)]
        if len(kinds) != 1:
            raise node.fail(
                f"a test needs exactly one of: {', '.join(TEST_KINDS)} (found "
                f"{', '.join(kinds) or 'none'})"
            )
        kind = kinds[0]
        if kind in ("all", "any"):
            items = node.child(kind).elements(
                what=f"list of tests under `{kind}`", allow_empty=False
            )
            return Test(kind, tuple(self.test(i, facts_only=facts_only) for i in items))
        if kind == "not":
            return Test("not", (self.test(node.child("not"), facts_only=facts_only),))
        if kind == "provision":
            if facts_only:
                raise node.fail("an assumption tests facts only, not provisions")
            return self._provision_test(node)
        return self._fact_test(node)

    def _provision_test(self, node: Node) -> Test:
        extra = [k for k in FACT_OPS if k != "is" and node.has(k)]
        if extra:
            raise node.fail(
                f"`{extra[0]}` applies to fact tests; a provision test takes "
                f"`is` (a status, or a list of statuses) and/or `gated`"
            )
        pid = node.child("provision").choice(self.provisions, what="provision")
        statuses: frozenset[str] = frozenset()
        if node.has("is"):
            value = node.child("is")
            items = value.elements() if isinstance(value.value, list) else [value]
            statuses = frozenset(i.choice(STATUS_NAMES, what="status") for i in items)
        gated = node.child("gated").boolean() if node.has("gated") else None
        if not statuses and gated is None:
            raise node.fail(
                f"say what to test of {pid}: `is: met` (or not_met, "
                f"undetermined) and/or `gated: true|false`"
            )
        return Test("provision", provision=pid, statuses=statuses, gated=gated)

    def _fact_test(self, node: Node) -> Test:
        if node.has("gated"):
            raise node.fail("`gated` applies to provision tests")
        name = self.tests.fact(node.child("fact"))
        op = self.tests.operator(node, name)
        if op is None:
            return Test("fact", fact=name, op="is", value=True)
        operand = node.child(op)
        if op == "known":
            return Test("fact", fact=name, op="known", value=operand.boolean())
        if isinstance(operand.value, dict):
            operand.mapping(required=("fact",), what="comparison with another fact")
            other = self.tests.fact(operand.child("fact"))
            if self.vocabulary[name].type != "int" or self.vocabulary[other].type != "int":
                raise operand.fail("only whole-number facts can be compared with each other")
            return Test("fact", fact=name, op=op, other=other)
        return Test("fact", fact=name, op=op, value=self.tests.operand(operand, name, op))

    def selection(self, node: Node) -> tuple[str, ...]:
        """`facts: [...]` and/or `dependency: [...]` -> fact names, vocabulary order."""
        node.mapping(optional=("facts", "dependency", "from", "to"), what="selection of facts")
        chosen: set[str] = set()
        if node.has("facts"):
            items = node.child("facts")
            for item in (
                items.elements(allow_empty=False) if isinstance(items.value, list) else [items]
            ):
                chosen.add(self.tests.fact(item))
        if node.has("dependency"):
            items = node.child("dependency")
            for item in (
                items.elements(allow_empty=False) if isinstance(items.value, list) else [items]
            ):
                tag = item.choice(DEPENDENCIES, what="dependency tag")
                chosen.update(n for n in self.vocabulary if self.vocabulary[n].dependency == tag)
        if not chosen:
            raise node.fail("select facts with `facts: [...]` and/or `dependency: [...]`")
        return tuple(n for n in self.vocabulary if n in chosen)

    def change(self, node: Node) -> MonotoneChange:
        names = self.selection(node)
        types = {self.vocabulary[n].type for n in names}
        if len(types) > 1:
            raise node.fail(f"one change selects facts of one type; found {', '.join(types)}")
        kind = types.pop()
        if kind in ("bool", "enum"):
            for key in ("from", "to"):
                if not node.has(key):
                    raise node.fail(f"a change of {kind} facts needs `from` and `to`")
            before = self.tests.operand(node.child("from"), names[0], "eq")
            after = self.tests.operand(node.child("to"), names[0], "eq")
            if before == after:
                raise node.fail("`from` and `to` are the same value")
            return MonotoneChange(names, "set", before, after)
        if node.has("from"):
            raise node.fail(f"a change of {kind} facts takes only `to`", "from")
        choices = ("lower", "higher") if kind == "int" else ("more", "fewer")
        if not node.has("to"):
            raise node.fail(f"a change of {kind} facts needs `to: {' | '.join(choices)}`")
        return MonotoneChange(names, node.child("to").choice(choices, what="direction"))

    def provision_list(self, node: Node) -> tuple[str, ...]:
        if node.value == "all":
            return self.provisions
        items = node.elements(what="list of provisions (or `all`)", allow_empty=False)
        return tuple(i.choice(self.provisions, what="provision") for i in items)

    def invariant(self, node: Node) -> Invariant:
        node.mapping(required=("id", "text"), optional=INVARIANT_KEYS, what="invariant")
        iid = node.child("id").identifier()
        forms = [k for k in FORMS if node.has(k)]
        if len(forms) != 1:
            raise node.fail(
                f"invariant {iid}: needs exactly one of {', '.join(FORMS)} "
                f"(found {', '.join(forms) or 'none'})"
            )
        form = forms[0]
        if not (node.has("citation") or node.has("why")):
            raise node.fail(f"invariant {iid}: give a `citation` or a `why`")
        if node.has("if") and form != "then":
            raise node.fail(f"invariant {iid}: `if` goes with `then`", "if")
        if node.has("worse") and form != "never_worse_when":
            raise node.fail(f"invariant {iid}: `worse` goes with `never_worse_when`", "worse")
        if node.has("provisions") and form == "then":
            raise node.fail(
                f"invariant {iid}: an if/then invariant names its provisions in its tests",
                "provisions",
            )
        start = until = None
        if node.has("dates"):
            dates = node.child("dates")
            dates.mapping(optional=("from", "until"), what="dates")
            start = dates.child("from").date() if dates.has("from") else None
            until = dates.child("until").date() if dates.has("until") else None
            if start and until and start >= until:
                raise dates.fail("`from` must be before `until`")
        rule_sets = None
        if node.has("rule_sets"):
            rule_sets = tuple(
                i.identifier()
                for i in node.child("rule_sets").elements(
                    what="list of rule set names", allow_empty=False
                )
            )
        common: dict[str, Any] = dict(
            id=iid,
            text=node.child("text").text(),
            form=form,
            citation=node.child("citation").text() if node.has("citation") else "",
            why=node.child("why").text() if node.has("why") else "",
            rule_sets=rule_sets,
            start=start,
            until=until,
            provisions=self.provision_list(node.child("provisions"))
            if node.has("provisions")
            else self.provisions,
            origin=(node.doc.path, node.doc.line(node.path)),
        )
        if form == "then":
            return Invariant(
                when=self.test(node.child("if")) if node.has("if") else None,
                then=self.test(node.child("then")),
                **common,
            )
        if form == "unaffected_by":
            selection = node.child("unaffected_by")
            for key in ("from", "to"):
                if selection.has(key):
                    raise selection.fail(
                        "`unaffected_by` selects facts; any change of them "
                        "must leave the provisions unchanged",
                        key,
                    )
            return Invariant(facts=self.selection(selection), **common)
        if form == "never_worse_when":
            items = node.child("never_worse_when").elements(
                what="list of changes", allow_empty=False
            )
            worse = (
                node.child("worse").choice(WORSE, what="meaning of worse")
                if node.has("worse")
                else WORSE[0]
            )
            return Invariant(changes=tuple(self.change(i) for i in items), worse=worse, **common)
        if node.child(form).boolean() is not True:
            raise node.child(form).fail(
                "write `explained_by_missing_facts: true` (or leave the invariant out)"
            )
        return Invariant(**common)

    def assumption(self, node: Node) -> Assumption:
        node.mapping(required=("id", "text", "holds"), what="assumption")
        return Assumption(
            node.child("id").identifier(),
            node.child("text").text(),
            self.test(node.child("holds"), facts_only=True),
            (node.doc.path, node.doc.line(node.path)),
        )


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


def _unique(items: Sequence[Any], what: str) -> None:
    seen: dict[str, Any] = {}
    for item in items:
        if item.id in seen:
            raise RuleError(
                f"{what} id {item.id} is used twice (first at line {seen[item.id].origin[1]})",
                path=item.origin[0],
                line=item.origin[1],
            )
        seen[item.id] = item


def load_invariants(path: str | Path, book: RuleBook) -> InvariantFile:
    """The invariants file (`assumptions`, `invariants`), plus the invariants of `book`'s
    overlays, checked against its vocabulary and provisions."""
    parser = InvariantParser(book.vocabulary, book.sources)
    out = InvariantFile()
    if path:
        top = root(yamlfile.load(path), RuleError)
        top.mapping(required=("invariants",), optional=("assumptions",), what="invariants file")
        out.assumptions = (
            [
                parser.assumption(n)
                for n in top.child("assumptions").elements(what="list of assumptions")
            ]
            if top.has("assumptions")
            else []
        )
        out.invariants = [
            parser.invariant(n) for n in top.child("invariants").elements(what="list of invariants")
        ]
    for overlay in book.overlays:  # an overlay may bring invariants of its own
        top = root(yamlfile.load(overlay), RuleError)
        if top.has("invariants"):
            items = top.child("invariants").elements(what="list of invariants")
            out.invariants += [parser.invariant(n) for n in items]
    _unique(out.assumptions, "assumption")
    _unique(out.invariants, "invariant")
    return out


# ----------------------------------------------------------------------- running


@dataclass
class Counterexample:
    date: dt.date
    facts: Facts  # the scenario that shows the failure
    explanation: list[str]  # what goes wrong, in words
    other: Facts | None = None  # the changed scenario, for two-scenario forms
    documents: list[tuple[str, str]] = field(default_factory=list)  # (label, YAML)


@dataclass
class Outcome:
    invariant: Invariant
    status: str  # passed | failed | skipped
    examples: int = 0
    seconds: float = 0.0
    counterexample: Counterexample | None = None
    reason: str = ""


@dataclass(frozen=True)
class _Example:
    date: dt.date
    facts: Facts
    extra: Any = None


class _Invalid:
    """A generated scenario that contradicts an assumption."""


INVALID = _Invalid()


@dataclass
class _Failure:
    lines: list[str]
    other: Facts | None = None


def _statuses(result: Result, provisions: Iterable[str]) -> str:
    parts = []
    for pid in provisions:
        p = result.provisions[pid]
        text = f"{pid} {p.status}"
        if p.missing_facts:
            shown = p.missing_facts[:4]
            more = len(p.missing_facts) - len(shown)
            text += f" (missing: {', '.join(shown)}" + (f" and {more} more)" if more else ")")
        parts.append(text)
    return "; ".join(parts)


@contextmanager
def private_hypothesis_storage() -> Iterator[None]:
    """Hypothesis caches what it reads from source code in `.hypothesis/` under the
    working directory, which may be a folder of case files: use a private temporary
    directory instead, removed at the end (unless the user chose one with
    HYPOTHESIS_STORAGE_DIRECTORY)."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    with tempfile.TemporaryDirectory(prefix="eligibility-check-") as directory:
        configuration.set_hypothesis_home_dir(directory)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


class InvariantChecker:
    """Runs invariants against one rule book with Hypothesis."""

    def __init__(
        self,
        book: RuleBook,
        assumptions: Sequence[Assumption] = (),
        *,
        engine: str = "durable",
        as_of: dt.date | None = None,
        examples: int = DEFAULT_EXAMPLES,
        label: str = "",
        invariants: Iterable[Invariant] = (),
    ) -> None:
        self.book = book
        self.label = label or book.name  # how the user named the rule set
        self.vocabulary = book.vocabulary
        self.assumptions = list(assumptions)
        self.evaluator = Evaluator(book, engine)
        self.as_of = as_of
        self.examples = examples
        self.names = self.vocabulary.names()
        # the values the invariants test are boundaries too (generation favours them)
        tests = [t for a in self.assumptions for t in a.holds.walk()] + [
            t for i in invariants for t in i.tests()
        ]
        self._excluded, self.linked = exclusions(self.assumptions)
        triples = [
            (t.fact, t.op, t.value)
            for t in tests
            if t.kind == "fact" and t.op not in ("known", None) and not t.other
        ]
        self.classes = ValueClasses.for_book(
            book, [book.at(d) for d in book.change_dates], triples, self.linked
        )
        self._cache: dict[tuple[int, frozenset[tuple[str, Any]]], Result] = {}
        self._values: dict[str, st.SearchStrategy[Any]] = {}
        self._witnesses: dict[int, list[Facts]] = {}
        self._few = st.sets(st.sampled_from(self.names), max_size=6)
        self._any = st.sets(st.sampled_from(self.names))

    # -- evaluation ----------------------------------------------------------------
    def excluded(self, facts: Mapping[str, Any]) -> bool:
        return self._excluded is not None and self._excluded(facts)

    def evaluate(self, facts: Facts, date: dt.date) -> Result:
        key = (self.book.epoch(date), frozenset(facts.items()))
        result = self._cache.get(key)
        if result is None:
            if len(self._cache) > 20_000:
                self._cache.clear()
            result = self._cache[key] = self.evaluator.evaluate(facts, date, "generated")
        return result

    # -- strategies ----------------------------------------------------------------
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
    def _check_then(self, inv: Invariant, ex: _Example) -> _Failure | None | _Invalid:
        if self.excluded(ex.facts):
            return INVALID
        result = self.evaluate(ex.facts, ex.date)
        if inv.when is not None and inv.when.evaluate(ex.facts, result) != MET:
            return None
        assert inv.then is not None
        if inv.then.evaluate(ex.facts, result) == MET:
            return None
        mentioned = [t.provision for t in inv.tests() if t.provision]
        facts = [t.fact for t in inv.tests() if t.fact]
        lines = []
        if inv.when is not None:
            lines.append(f"if {inv.when.describe()}: yes")
        lines.append(f"then {inv.then.describe()}: no")
        if mentioned:
            lines.append("here: " + _statuses(result, dict.fromkeys(mentioned)))
        shown = [f"{n} is {show(ex.facts.get(n))}" for n in dict.fromkeys(facts)]
        if shown:
            lines.append("facts: " + "; ".join(shown))
        return _Failure(lines)

    def _compare(
        self,
        inv: Invariant,
        ex: _Example,
        after: Facts,
        change: str,
        worse: Callable[[int, int], bool],
    ) -> _Failure | None | _Invalid:
        if self.excluded(ex.facts) or self.excluded(after):
            return INVALID
        before_result = self.evaluate(ex.facts, ex.date)
        after_result = self.evaluate(after, ex.date)
        for pid in inv.provisions:
            old = STATUS_OF[before_result.provisions[pid].status]
            new = STATUS_OF[after_result.provisions[pid].status]
            if worse(old, new):
                return _Failure(
                    [
                        f"changing {change} changes {pid} from {STATUS_NAMES[old]} to "
                        f"{STATUS_NAMES[new]}",
                        "before: " + _statuses(before_result, [pid]),
                        "after: " + _statuses(after_result, [pid]),
                    ],
                    after,
                )
        return None

    def _check_unaffected(self, inv: Invariant, ex: _Example) -> _Failure | None | _Invalid:
        changes: dict[str, Any] = ex.extra
        after = {k: v for k, v in ex.facts.items() if k not in changes}
        after.update({k: v for k, v in changes.items() if v is not None})
        after = {n: after[n] for n in self.names if n in after}
        if after == ex.facts:
            return None
        said = ", ".join(
            f"{k} from {show(ex.facts.get(k))} to {show(v)}"
            for k, v in changes.items()
            if ex.facts.get(k) != v
        )
        return self._compare(inv, ex, after, said, lambda old, new: old != new)

    def _check_monotone(self, inv: Invariant, ex: _Example) -> _Failure | None | _Invalid:
        name, old_value, new_value = ex.extra
        before = {**ex.facts, name: old_value}
        before = {n: before[n] for n in self.names if n in before}
        after = {**before, name: new_value}
        example = replace(ex, facts=before)
        if inv.worse == "met_to_not_met":

            def worse(old: int, new: int) -> bool:
                return old == MET and new == NOT_MET
        else:

            def worse(old: int, new: int) -> bool:
                return RANK[new] < RANK[old]

        return self._compare(
            inv, example, after, f"{name} from {show(old_value)} to {show(new_value)}", worse
        )

    def _check_explained(self, inv: Invariant, ex: _Example) -> _Failure | None | _Invalid:
        if self.excluded(ex.facts):
            return INVALID
        fill, chosen = ex.extra
        facts = ex.facts
        result = self.evaluate(facts, ex.date)
        unknown = [n for n in self.names if n not in facts]

        def extended(names: Iterable[str]) -> Facts | None:
            wanted = set(names)
            out = {**facts, **{n: fill[n] for n in unknown if n in wanted and n in fill}}
            out = {n: out[n] for n in self.names if n in out}
            return None if self.excluded(out) else out

        answered = extended(n for n in unknown if n in chosen)
        if answered is not None and answered != facts:
            later = self.evaluate(answered, ex.date)
            for pid in inv.provisions:
                old, new = result.provisions[pid].status, later.provisions[pid].status
                if old != "undetermined" and new != old:
                    return _Failure(
                        [
                            f"{pid} is {old}, but answering "
                            f"{_answers(answered, facts)} makes it {new}: a decided status "
                            f"must not change when unknown facts are answered"
                        ],
                        answered,
                    )
        for pid in inv.provisions:
            p = result.provisions[pid]
            if p.status != "undetermined":
                continue
            if not p.missing_facts and not p.open_questions:
                return _Failure(
                    [f"{pid} is undetermined but names no missing fact and no open question"]
                )
            outside = extended(n for n in unknown if n in chosen and n not in p.missing_facts)
            if outside is not None and outside != facts:
                q = self.evaluate(outside, ex.date).provisions[pid]
                if (q.status, q.missing_facts, q.open_questions) != (
                    p.status,
                    p.missing_facts,
                    p.open_questions,
                ):
                    return _Failure(
                        [
                            f"{pid} is undetermined (missing: {', '.join(p.missing_facts)}), "
                            f"but answering {_answers(outside, facts)}, which are not among its "
                            f"missing facts, makes it {q.status}"
                            + (
                                f" (missing: {', '.join(q.missing_facts)})"
                                if q.missing_facts
                                else ""
                            )
                        ],
                        outside,
                    )
            complete = extended(p.missing_facts)
            if complete is None:
                continue
            q = self.evaluate(complete, ex.date).provisions[pid]
            if q.status == "undetermined" and (q.missing_facts or not q.open_questions):
                return _Failure(
                    [
                        f"{pid} is undetermined (missing: {', '.join(p.missing_facts)}), and "
                        f"answering all of them ({_answers(complete, facts)}) leaves it "
                        f"undetermined"
                        + (
                            f" with missing facts {', '.join(q.missing_facts)}"
                            if q.missing_facts
                            else " without an open question of law"
                        )
                    ],
                    complete,
                )
        return None

    def _form(
        self, inv: Invariant
    ) -> tuple[Callable[[st.DrawFn, dt.date, Facts], Any], Callable[[Invariant, _Example], Any]]:
        """The extra data a form draws, and its check."""
        names = self.names
        if inv.form == "then":
            return (lambda draw, date, facts: None), self._check_then
        if inv.form == "unaffected_by":

            def changes(draw: st.DrawFn, date: dt.date, facts: Facts) -> dict[str, Any]:
                chosen = draw(
                    st.lists(
                        st.sampled_from(inv.facts), min_size=1, max_size=len(inv.facts), unique=True
                    )
                )
                return {n: draw(st.one_of(st.none(), self.value(n))) for n in chosen}

            return changes, self._check_unaffected
        if inv.form == "never_worse_when":
            return self._draw_change(inv), self._check_monotone

        def fill(draw: st.DrawFn, date: dt.date, facts: Facts) -> tuple[Facts, frozenset]:
            values = {n: draw(self.value(n)) for n in names if n not in facts}
            chosen = draw(st.frozensets(st.sampled_from(names)))
            return values, chosen

        return fill, self._check_explained

    def _draw_change(self, inv: Invariant) -> Callable[[st.DrawFn, dt.date, Facts], Any]:
        def draw_change(draw: st.DrawFn, date: dt.date, facts: Facts) -> tuple[str, Any, Any]:
            change = draw(st.sampled_from(inv.changes))
            name = draw(st.sampled_from(change.facts))
            if change.direction == "set":
                return name, change.before, change.after
            strategy = self.value(name)
            first = facts[name] if name in facts and draw(st.booleans()) else draw(strategy)
            second = draw(strategy)
            if change.direction in ("lower", "higher"):
                assume(first != second)
                low, high = sorted((first, second))
                return (name, high, low) if change.direction == "lower" else (name, low, high)
            union = first | second
            assume(union != first)
            return (name, first, union) if change.direction == "more" else (name, union, first)

        return draw_change

    # -- running -------------------------------------------------------------------
    def applicable(self, inv: Invariant) -> str:
        """Why `inv` is not checked here, or ''."""
        if not inv.applies_to(self.book.name):
            return f"holds only for {', '.join(inv.rule_sets or ())}"
        if self.as_of is not None and (
            (inv.start and self.as_of < inv.start) or (inv.until and self.as_of >= inv.until)
        ):
            return f"does not hold on {self.as_of.isoformat()} (see its `dates`)"
        return ""

    def check(self, inv: Invariant) -> Outcome:
        """Test one invariant: first on a sweep of scenarios that give every provision
        each status at every epoch (found by the exhaustive search of the lint, so the
        rare combinations that a dozen elements require are never missed), then on
        `examples` scenarios generated by Hypothesis, which shrinks any failure."""
        reason = self.applicable(inv)
        if reason:
            return Outcome(inv, "skipped", reason=reason)
        draw_extra, check = self._form(inv)
        started = time.perf_counter()
        swept = 0
        for example in self._sweep(inv):
            outcome = self._run(check, inv, example)
            if outcome is INVALID:
                continue
            swept += 1
            if isinstance(outcome, _Failure):
                return self._failed(inv, check, example, swept, started)
        if self.examples <= 0:
            return Outcome(inv, "passed", swept, time.perf_counter() - started)
        dates = st.just(self.as_of) if self.as_of else self.dates(inv)

        @st.composite
        def examples(draw: st.DrawFn) -> _Example:
            date = draw(dates)
            facts = self.scenario(draw, date)
            return _Example(date, facts, draw_extra(draw, date, facts))

        counted = [0]

        def fails(example: _Example) -> bool:
            outcome = self._run(check, inv, example)
            if outcome is INVALID:
                assume(False)
            counted[0] += 1
            return isinstance(outcome, _Failure)

        config = settings(
            max_examples=self.examples,
            derandomize=True,
            database=None,
            deadline=None,
            print_blob=False,
            verbosity=Verbosity.quiet,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.generate, Phase.shrink),
            report_multiple_bugs=False,
        )
        try:
            found = find(examples(), fails, settings=config)
        except NoSuchExample:
            return Outcome(inv, "passed", swept + counted[0], time.perf_counter() - started)
        except Unsatisfiable:
            return Outcome(
                inv,
                "skipped",
                swept + counted[0],
                time.perf_counter() - started,
                reason="could not generate scenarios that satisfy the assumptions",
            )
        return self._failed(inv, check, found, swept + counted[0], started)

    def _failed(
        self,
        inv: Invariant,
        check: Callable[[Invariant, _Example], Any],
        example: _Example,
        tried: int,
        started: float,
    ) -> Outcome:
        example = self._minimal(check, inv, example)
        failure = self._run(check, inv, example)
        assert isinstance(failure, _Failure)
        counterexample = Counterexample(example.date, example.facts, failure.lines, failure.other)
        counterexample.documents = self._documents(inv, counterexample)
        return Outcome(inv, "failed", tried, time.perf_counter() - started, counterexample)

    # -- the sweep -------------------------------------------------------------------
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

    def _sweep_dates(self, inv: Invariant) -> list[dt.date]:
        if self.as_of is not None:
            return [self.as_of]
        return [
            d
            for d in reversed(self.book.change_dates)  # the law of today first
            if (inv.start is None or d >= inv.start) and (inv.until is None or d < inv.until)
        ]

    def _sweep(self, inv: Invariant) -> Iterable[_Example]:
        for date in self._sweep_dates(inv):
            for facts in self.witnesses(date):
                for extra in self._sweep_extras(inv, facts):
                    yield _Example(date, facts, extra)

    def _sweep_extras(self, inv: Invariant, facts: Facts) -> Iterable[Any]:
        classes = self.classes
        if inv.form == "then":
            yield None
        elif inv.form == "unaffected_by":
            for name in inv.facts:
                for value in (None, *classes[name]):
                    if facts.get(name) != value:
                        yield {name: value}
        elif inv.form == "never_worse_when":
            for change in inv.changes:
                for name in change.facts:
                    if change.direction == "set":
                        yield name, change.before, change.after
                        continue
                    values = list(classes[name])
                    current = facts.get(name)
                    if current is not None and current not in values:
                        values.append(current)
                    if change.direction in ("lower", "higher"):
                        values.sort()
                        pairs = list(zip(values, values[1:], strict=False))
                        if change.direction == "lower":
                            pairs = [(high, low) for low, high in pairs]
                        yield from ((name, a, b) for a, b in pairs)
                    else:  # one member more (monotonicity then follows for any superset)
                        atoms = {m for value in values for m in value}
                        for small in values:
                            for atom in sorted(atoms - small):
                                large = small | {atom}
                                yield (
                                    (name, small, large)
                                    if change.direction == "more"
                                    else (name, large, small)
                                )
        else:
            unknown = [n for n in self.names if n not in facts]
            for pick in (0, -1):  # every unknown fact answered one way, then another
                yield {n: classes[n][pick] for n in unknown}, frozenset(self.names)

    def _run(
        self, check: Callable[[Invariant, _Example], Any], inv: Invariant, example: _Example
    ) -> Any:
        try:
            return check(inv, example)
        except EligibilityError as exc:  # an engine failure is a failure to report
            return _Failure([f"evaluating this scenario failed: {exc}"])

    def _minimal(
        self, check: Callable[[Invariant, _Example], Any], inv: Invariant, example: _Example
    ) -> _Example:
        """Leave out every fact whose absence keeps the failure (1-minimal)."""
        for name in list(example.facts):
            trial = replace(example, facts={k: v for k, v in example.facts.items() if k != name})
            if isinstance(self._run(check, inv, trial), _Failure):
                example = trial
        return example

    def _documents(self, inv: Invariant, found: Counterexample) -> list[tuple[str, str]]:
        base = inv.id.replace("_", "-")
        text = printable(" ".join(inv.text.split()))
        description = (
            f"Invariant {inv.id}: {text} Counterexample found by `eligibility "
            f"check --rules {printable(self.label)}`: " + "; ".join(found.explanation[:2])
        )
        out = []
        items = [("scenario", base, found.facts)]
        if found.other is not None:
            items = [
                ("before", f"{base}-before", found.facts),
                ("after", f"{base}-after", found.other),
            ]
        for label, sid, facts in items:
            scenario = Scenario(
                id=f"counterexample-{sid}",
                facts=facts,
                title=f"Counterexample to invariant {inv.id} under "
                f"{printable(self.book.name)} ({label})",
                description=description,
                as_of=found.date,
            )
            out.append((label, dump_yaml(scenario_document(scenario, self.vocabulary))))
        return out

    def run(self, invariants: Iterable[Invariant]) -> list[Outcome]:
        return [self.check(inv) for inv in invariants]


def _answers(facts: Facts, base: Facts) -> str:
    return ", ".join(f"{k}: {show(v)}" for k, v in facts.items() if base.get(k) != v) or "nothing"


_BOOLEANS = st.booleans()
_SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@functools.cache
def _index(size: int) -> st.SearchStrategy[int]:
    """Indexes 0..size-1 (one strategy object per size: building them is not free)."""
    return st.integers(min_value=0, max_value=max(size - 1, 0))


def _rotated(values: Sequence[Any], start: int) -> list[Any]:
    return list(values[start:]) + list(values[:start])
