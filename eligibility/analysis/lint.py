"""Lint a rule set: what `eligibility check` finds by reading the rules, before it tests
any invariant on generated scenarios.

Every finding has the shape of an error message, `path:line: key: message`, and a
severity: an *error* fails `eligibility check` (exit 1), a *warning* is shown but does
not (unless `--strict`). The checks, in the order they are reported:

- ``load``: the rule set loads and resolves at every date on which it changes. Loader
  and resolution errors (an undeclared fact, a condition without a citation, a cycle
  between provisions, an amendment whose target does not exist at its effective date)
  become findings, not crashes.
- ``citations``: every condition in force at any date has a citation.
- ``facts``: facts used by the rules but not declared (the loader rejects them) and
  facts declared in `facts.yaml` but never used by this rule set (a warning: the
  vocabulary is shared by every rule set and is a public contract).
- ``satisfiable``: at every epoch (the interval between two dates on which the law
  changes), every provision in force can be met and can be not met, and so can every
  condition, unless a deliberate constant (`always:`) or an open question of law is
  the reason. Decided by exhaustive search, see `Search`.
- ``reachable``: no condition is written and never in force, and none is shadowed by a
  constant sibling (an `any` with a branch that is always met, an `all` with one that is
  never met) so that its outcome can never matter. Both are warnings: dead text, which
  an author may keep on purpose to show it in explanations.
- ``order``: `all` and `any` do not depend on the order of their conditions, so file
  order matters only where changes are applied one after another: amendments of one
  provision with the same effective date, and the changes of one overlay file. Two such
  changes that touch the same condition (or one inside a subtree the other replaces or
  removes) make the result depend on file order.

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

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EligibilityError, InputError, printable
from ..law import yamlfile
from ..law.amendments import apply_amendment
from ..law.conditions import Condition, Plan
from ..law.logic import MET, NOT_MET, STATUS_NAMES, UNDETERMINED
from ..law.provisions import Amendment
from ..law.rulebook import ResolvedBook, RuleBook
from ..law.vocabulary import Facts, Vocabulary

ERROR, WARNING = "error", "warning"
_DID_YOU_MEAN = re.compile(r" \(did you mean [^)]*\)")
DEFAULT_SEARCH_LIMIT = 50_000  # evaluations per question; the bundled rules need < 200


# ------------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Finding:
    """One problem found in a rule set, located like an error message."""

    check: str  # which check found it (see the module docstring)
    code: str  # what kind of problem: never-met, unused-fact, ...
    severity: str  # error | warning
    message: str
    path: str | None = None
    line: int | None = None
    key: str | None = None  # the condition id, fact or provision concerned

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        key = f"{self.key}: " if self.key else ""
        return printable(f"{where}{key}{self.message}")


@dataclass(frozen=True)
class CheckSummary:
    """What one lint check looked at, for the report (also when it found nothing)."""

    name: str
    description: str
    findings: tuple[Finding, ...]


@dataclass
class LintReport:
    rule_set: str
    checks: list[CheckSummary]
    epochs: list[dt.date]  # the first day of every epoch examined
    book: RuleBook | None  # None when the rule set does not load

    @property
    def findings(self) -> list[Finding]:
        return [f for check in self.checks for f in check.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]


def finding_from_error(exc: EligibilityError, check: str = "load", when: str = "") -> Finding:
    """A loader or resolution error as a lint finding (same location, same message)."""
    message = exc.message
    lowered = message.lower()
    if "unknown fact" in lowered:
        code = "undeclared-fact"
    elif "cycle" in lowered:
        code = "provision-cycle"
    elif "no condition" in lowered and "at this date" in lowered:
        code = "missing-amendment-target"
    elif "citation" in lowered and "needs" in lowered:
        code = "missing-citation"
    elif isinstance(exc, InputError):
        code = "unreadable-file"
    else:
        code = "load-error"
    return Finding(check, code, ERROR, message + when, exc.path, exc.line, exc.key)


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
                points = sorted(p for p in cuts.get(name, ()) if low < p <= high)
                # the last value of each class but the last class (14, 17, 18 for ages
                # cut at 15 and 18): natural in a counterexample, and next to a boundary
                self.values[name] = (*(p - 1 for p in points), points[-1] if points else low)
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
    ) -> ValueClasses:
        """Classes from every test in `resolved` (conditions and notes), plus `extra`."""
        conditions: list[Condition] = []
        for book_at in resolved:
            for provision in book_at.provisions.values():
                conditions.append(provision.condition)
                conditions.extend(n.when for n in provision.notes if n.when is not None)
        return cls(book.vocabulary, itertools.chain(_fact_tests(conditions), extra), linked)


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


# -------------------------------------------------------------------------- epochs


def epoch_starts(book: RuleBook, as_of: dt.date | None = None) -> list[dt.date]:
    """The first day of every epoch in which some provision is in force (or the one
    date asked for)."""
    if as_of is not None:
        return [as_of]
    return list(book.change_dates)


def _epoch_end(book: RuleBook, start: dt.date) -> dt.date | None:
    later = [d for d in book.change_dates if d > start]
    return later[0] if later else None


def describe_dates(book: RuleBook, starts: Iterable[dt.date], examined: Sequence[dt.date]) -> str:
    """'at every date examined', 'from A until B', 'from A on', joined by commas."""
    chosen = sorted(set(starts))
    if len(examined) > 1 and chosen == sorted(examined):
        return f"at every date from {chosen[0].isoformat()}"
    if len(examined) == 1:
        return f"on {chosen[0].isoformat()}"
    runs: list[list[dt.date]] = []
    order = sorted(examined)
    for date in chosen:
        if runs and order.index(date) == order.index(runs[-1][-1]) + 1:
            runs[-1].append(date)
        else:
            runs.append([date])
    parts = []
    for run in runs:
        end = _epoch_end(book, run[-1])
        parts.append(
            f"from {run[0].isoformat()} until {end.isoformat()}"
            if end
            else f"from {run[0].isoformat()} on"
        )
    return ", ".join(parts)


class _Collector:
    """Findings keyed by what they are about, with the epochs where each holds."""

    def __init__(self) -> None:
        self.items: dict[tuple[Any, ...], tuple[Finding, list[dt.date]]] = {}

    def add(self, key: tuple[Any, ...], finding: Finding, date: dt.date) -> None:
        if key in self.items:
            self.items[key][1].append(date)
        else:
            self.items[key] = (finding, [date])

    def findings(
        self, book: RuleBook, examined: Sequence[dt.date], lead: str = ""
    ) -> list[Finding]:
        out = []
        for finding, dates in self.items.values():
            when = describe_dates(book, dates, examined)
            out.append(
                Finding(
                    finding.check,
                    finding.code,
                    finding.severity,
                    f"{finding.message} ({lead}{when})",
                    finding.path,
                    finding.line,
                    finding.key,
                )
            )
        return out


# ---------------------------------------------------------------------------- lint


def lint(
    book: RuleBook,
    *,
    as_of: dt.date | None = None,
    excluded: Callable[[Facts], bool] | None = None,
    linked: Iterable[tuple[str, str]] = (),
    search_limit: int = DEFAULT_SEARCH_LIMIT,
) -> LintReport:
    """Every lint check on a loaded rule set (see the module docstring).

    `excluded` tells which fact combinations are impossible (the assumptions of the
    invariants file), `linked` which int facts such assumptions compare.
    """
    examined = epoch_starts(book, as_of)
    resolved: dict[dt.date, ResolvedBook] = {}
    load = _Collector()
    for date in examined:
        try:
            resolved[date] = book.at(date)
        except EligibilityError as exc:
            # the nearest valid name may differ from one date to the next
            same = (exc.path, exc.line, _DID_YOU_MEAN.sub("", exc.message))
            load.add(("load", same), finding_from_error(exc, "load"), date)
    checks = [
        CheckSummary(
            "load",
            "loads, and resolves at every date on which the law changes",
            tuple(load.findings(book, examined, "when resolving the law ")),
        )
    ]
    checks.append(
        CheckSummary(
            "citations",
            "every condition in force has a citation",
            tuple(_citations(book, resolved, examined)),
        )
    )
    checks.append(
        CheckSummary(
            "facts",
            "every fact used is declared, and every declared fact is used",
            tuple(_facts(book, resolved)),
        )
    )
    classes = ValueClasses.for_book(book, resolved.values(), linked=linked)
    satisfiable, reachable = _satisfiability(
        book, resolved, examined, classes, excluded, search_limit
    )
    checks.append(
        CheckSummary(
            "satisfiable",
            "every provision and condition in force can be met and can be not met",
            tuple(satisfiable),
        )
    )
    complete = as_of is None and len(resolved) == len(examined)
    checks.append(
        CheckSummary(
            "reachable",
            "no condition is never in force or shadowed by a constant",
            tuple(reachable + _never_in_force(book, resolved, complete)),
        )
    )
    checks.append(
        CheckSummary(
            "order",
            "no result depends on the order of changes in a file",
            tuple(_order(book, examined)),
        )
    )
    return LintReport(book.name, checks, examined, book)


def lint_failure(rule_set: str, exc: EligibilityError) -> LintReport:
    """The report for a rule set that does not even load."""
    return LintReport(
        rule_set, [CheckSummary("load", "loads", (finding_from_error(exc),))], [], None
    )


def _in_force(book_at: ResolvedBook) -> Iterator[str]:
    return (pid for pid in book_at.order if book_at.provisions[pid].in_force)


def _citations(
    book: RuleBook, resolved: Mapping[dt.date, ResolvedBook], examined: Sequence[dt.date]
) -> list[Finding]:
    found = _Collector()
    for date, book_at in resolved.items():
        for pid in _in_force(book_at):
            for node in book_at.provisions[pid].condition.walk():
                if not node.citation.strip():
                    found.add(
                        ("citation", pid, node.id),
                        Finding(
                            "citations",
                            "missing-citation",
                            ERROR,
                            f"condition of {pid} has no citation",
                            node.origin[0] or None,
                            node.origin[1],
                            node.id,
                        ),
                        date,
                    )
    return found.findings(book, examined)


def _facts(book: RuleBook, resolved: Mapping[dt.date, ResolvedBook]) -> list[Finding]:
    vocabulary = book.vocabulary
    used: dict[str, Condition] = {}
    in_notes: set[str] = set()
    conditions: list[Condition] = []
    for source in book.sources.values():  # every text ever written, in force or not
        conditions.append(source.condition)
        for amendment in source.amendments:
            for operation in amendment.operations:
                conditions.extend(operation.conditions)
    for change in book.changes:
        for operation in change.operations:
            conditions.extend(operation.conditions)
    for book_at in resolved.values():
        for provision in book_at.provisions.values():
            conditions.append(provision.condition)
            for note in provision.notes:
                if note.when is not None:
                    in_notes.update(n.fact for n in note.when.walk() if n.fact)
    for source in book.sources.values():
        for note in source.notes:
            if note.when is not None:
                in_notes.update(n.fact for n in note.when.walk() if n.fact)
    findings: list[Finding] = []
    for condition in conditions:
        for node in condition.walk():
            if node.kind == "fact" and node.fact:
                used.setdefault(node.fact, node)
                if node.fact not in vocabulary:  # the loader rejects this first
                    findings.append(
                        Finding(
                            "facts",
                            "undeclared-fact",
                            ERROR,
                            f"fact {node.fact} is not declared in facts.yaml",
                            node.origin[0] or None,
                            node.origin[1],
                            node.id,
                        )
                    )
    lines: yamlfile.Document | None = None
    try:
        lines = yamlfile.load(vocabulary.path) if vocabulary.path else None
    except EligibilityError:
        lines = None
    for name in vocabulary:
        if name in used or name in in_notes:
            continue
        findings.append(
            Finding(
                "facts",
                "unused-fact",
                WARNING,
                f"declared but never used by a condition or note of {book.name}: the "
                f"interview never needs to ask it",
                vocabulary.path or None,
                lines.line((name,)) if lines else None,
                name,
            )
        )
    return findings


def _never_in_force(
    book: RuleBook, resolved: Mapping[dt.date, ResolvedBook], every_date: bool
) -> list[Finding]:
    """Conditions written in a rule file that are in force at no date at all."""
    if not every_date:
        return []
    seen: set[tuple[str, str]] = set()
    for book_at in resolved.values():
        for pid in _in_force(book_at):
            seen.update((pid, n.id) for n in book_at.provisions[pid].condition.walk())
    written: dict[tuple[str, str], Condition] = {}
    if book.extends is None:  # an overlay replaces base text on purpose: only its own
        for pid, source in book.sources.items():
            for node in source.condition.walk():
                written.setdefault((pid, node.id), node)
            for amendment in source.amendments:
                for operation in amendment.operations:
                    for condition in operation.conditions:
                        for node in condition.walk():
                            written.setdefault((pid, node.id), node)
    for change in book.changes:
        if change.origin[0] != book.path:
            continue
        for operation in change.operations:
            for condition in operation.conditions:
                for node in condition.walk():
                    written.setdefault((change.provision, node.id), node)
    return [
        Finding(
            "reachable",
            "never-in-force",
            WARNING,
            f"condition of {pid} is in force at no date: it is replaced or removed "
            f"before (or when) it would take effect",
            node.origin[0] or None,
            node.origin[1],
            node.id,
        )
        for (pid, cid), node in written.items()
        if (pid, cid) not in seen
    ]


# ------------------------------------------------------------------ satisfiability


def _structure(plan: Plan) -> list[Any]:
    """A key per node that is equal for equal subtrees in equal contexts (the same
    conditions, referring to provisions with the same conditions), to reuse search
    results across epochs."""
    keys: list[Any] = [None] * len(plan.nodes)
    for node in plan.nodes:  # children and referred provisions come first
        condition = node.condition
        if condition.kind == "provision":
            keys[node.index] = ("provision", condition.provision, keys[node.target])
        elif node.children:
            keys[node.index] = (
                condition.kind,
                condition.id,
                condition.op,
                tuple(keys[i] for i in node.children),
            )
        else:
            keys[node.index] = (
                condition.kind,
                condition.id,
                condition.fact,
                condition.op,
                condition.value,
                condition.constant,
                condition.question,
            )
    return keys


def _satisfiability(
    book: RuleBook,
    resolved: Mapping[dt.date, ResolvedBook],
    examined: Sequence[dt.date],
    classes: ValueClasses,
    excluded: Callable[[Facts], bool] | None,
    limit: int,
) -> tuple[list[Finding], list[Finding]]:
    never = _Collector()
    shadowed = _Collector()
    cache: dict[tuple[Any, int], bool | None] = {}
    for date, book_at in resolved.items():
        plan = book_at.plan
        keys = _structure(plan)
        search = Search(plan, classes, excluded=excluded, limit=limit)
        empty = plan.evaluate({})

        def can(
            index: int, status: int, keys: list[Any] = keys, search: Search = search
        ) -> bool | None:
            key = (keys[index], status)
            if key not in cache:
                try:
                    cache[key] = search.can(index, status)
                except SearchLimit:
                    cache[key] = None  # unknown: reported once, below
            return cache[key]

        for pid in _in_force(book_at):
            root = plan.roots[pid]
            indexes = [n.index for n in plan.nodes if n.owner == pid]
            for index in indexes:
                for status in (MET, NOT_MET):
                    if can(index, status) is None:
                        node = plan.nodes[index].condition
                        never.add(
                            ("limit", pid, node.id, status),
                            Finding(
                                "satisfiable",
                                "search-limit",
                                WARNING,
                                f"could not decide within {limit} evaluations whether this "
                                f"condition of {pid} can be {STATUS_NAMES[status]}",
                                node.origin[0] or None,
                                node.origin[1],
                                node.id,
                            ),
                            date,
                        )
            for status in (MET, NOT_MET):
                _report_never(plan, pid, root, status, can, never, date)
            for index in indexes:
                _report_shadowed(plan, pid, index, empty, shadowed, date)
    return never.findings(book, examined), shadowed.findings(book, examined)


def _causes(
    plan: Plan, index: int, status: int, can: Callable[[int, int], bool | None]
) -> list[tuple[str, int]]:
    """Why node `index` can never have `status`: the deepest nodes that explain it.

    ("node", i): node i can never have the status (or its opposite, under a `not`) by
    itself; ("constant", i): a deliberate `always:`; ("question", i): an open question
    of law; ("provision", i): a referenced provision (reported where it is written).
    """
    node = plan.nodes[index]
    kind = node.condition.kind
    if kind == "always":
        return [("constant", index)]
    if kind == "open_question":
        return [("question", index)]
    if kind == "provision":
        return [("provision", index)]
    if kind == "not":
        child = node.children[0]
        return _causes(plan, child, MET if status == NOT_MET else NOT_MET, can)
    if kind in ("all", "any"):
        # `all` is never met if one child is never met, never not met only if no child
        # ever is; `any` mirrors it.
        one_suffices = (kind == "all") == (status == MET)
        blocked = [i for i in node.children if can(i, status) is False]
        if one_suffices and blocked:
            return [cause for i in blocked for cause in _causes(plan, i, status, can)]
        if not one_suffices:  # every child is blocked
            return [cause for i in node.children for cause in _causes(plan, i, status, can)]
    return [("node", index)]


def _report_never(
    plan: Plan,
    pid: str,
    root: int,
    status: int,
    can: Callable[[int, int], bool | None],
    found: _Collector,
    date: dt.date,
) -> None:
    word = "met" if status == MET else "not met"
    # every node of the provision that can never have the status by itself
    for node in plan.nodes:
        if node.owner != pid or can(node.index, status) is not False:
            continue
        causes = _causes(plan, node.index, status, can)
        if ("node", node.index) not in causes:
            continue
        condition = node.condition
        whole = can(root, status) is False
        consequence = f", so {pid} can never be {word}" if whole and node.index != root else ""
        subject = (
            f"{pid} can never be {word}"
            if node.index == root
            else f"condition of {pid} can never be {word}{consequence}"
        )
        code = ("provision-never-" if whole else "condition-never-") + (
            "met" if status == MET else "not-met"
        )
        if condition.kind == "fact":
            reason = f"no value of {condition.fact} passes this test"
        elif condition.kind in ("all", "any"):
            each = "met" if (condition.kind == "all") == (status == MET) else "not met"
            reason = (
                f"its conditions can each be {each}, but never all together (they "
                f"contradict each other)"
                if each == word
                else "no combination of facts gives it"
            )
        else:
            reason = "no combination of facts gives it"
        found.add(
            (code, pid, condition.id, status),
            Finding(
                "satisfiable",
                code,
                ERROR,
                f"{subject}: {reason}",
                condition.origin[0] or None,
                condition.origin[1],
                condition.id,
            ),
            date,
        )
    if can(root, status) is False:
        causes = _causes(plan, root, status, can)
        kinds = {kind for kind, _ in causes}
        if kinds <= {"question", "constant"} and "question" in kinds:
            questions = sorted(
                {plan.nodes[i].condition.question or "" for kind, i in causes if kind == "question"}
            )
            condition = plan.nodes[root].condition
            found.add(
                ("question-only", pid, status),
                Finding(
                    "satisfiable",
                    f"provision-never-{'met' if status == MET else 'not-met'}",
                    WARNING,
                    f"{pid} can never be {word}: every way rests on an open question "
                    f"of law ({', '.join(questions)})",
                    condition.origin[0] or None,
                    condition.origin[1],
                    pid,
                ),
                date,
            )


def _report_shadowed(
    plan: Plan, pid: str, index: int, empty: list[int], found: _Collector, date: dt.date
) -> None:
    """Children of `index` whose outcome can never matter because a sibling is constant
    (reported at the constant, which is usually what to change)."""
    node = plan.nodes[index]
    kind = node.condition.kind
    if kind not in ("all", "any"):
        return
    dominant = MET if kind == "any" else NOT_MET
    constants = [i for i in node.children if empty[i] == dominant]
    if not constants:
        return
    shadowed = [plan.nodes[i].condition.id for i in node.children if i not in constants]
    if not shadowed:
        return
    constant = plan.nodes[constants[0]].condition
    word = STATUS_NAMES[dominant].replace("_", " ")
    # A deliberate constant (`always:`) makes this dead text, kept perhaps for the
    # explanation: a warning. A condition that is constant without saying so is
    # reported as an error by the satisfiability check already.
    severity = WARNING if constant.kind == "always" else ERROR
    found.add(
        ("shadowed", pid, constant.id, tuple(shadowed)),
        Finding(
            "reachable",
            "unreachable-condition",
            severity,
            f"condition of {pid} is always {word}, so {node.condition.id} "
            f"({'any' if kind == 'any' else 'all'}) is {word} whatever its other conditions "
            f"say: {', '.join(shadowed)} can never change the result",
            constant.origin[0] or None,
            constant.origin[1],
            constant.id,
        ),
        date,
    )


# --------------------------------------------------------------------------- order


def _find(tree: Condition, cid: str) -> Condition | None:
    return next((n for n in tree.walk() if n.id == cid), None)


def _touched(tree: Condition, amendment: Amendment) -> dict[str, set[str]]:
    """Condition id -> what the amendment changes about it: '*' (the whole node),
    'children' (adds to it), or the fields it updates."""
    touched: dict[str, set[str]] = {}

    def mark(cid: str, aspect: str) -> None:
        touched.setdefault(cid, set()).add(aspect)

    for operation in amendment.operations:
        target = operation.target
        if operation.op in ("replace", "remove"):
            subtree = _find(tree, target)
            for node in subtree.walk() if subtree else ():
                mark(node.id, "*")
            mark(target, "*")
        elif operation.op == "add":
            mark(target, "children")
        else:
            for name in operation.fields:
                mark(target, name)
        for condition in operation.conditions:
            for node in condition.walk():
                mark(node.id, "*")
    return touched


def _conflicts(a: dict[str, set[str]], b: dict[str, set[str]]) -> list[str]:
    clashes = []
    for cid in sorted(set(a) & set(b)):
        first, second = a[cid], b[cid]
        if "*" in first or "*" in second or (first & second) - {"children"}:
            clashes.append(cid)
    return clashes


def _order(book: RuleBook, examined: Sequence[dt.date]) -> list[Finding]:
    found: dict[tuple[str, str, str], Finding] = {}

    def compare(
        pid: str, group: Sequence[Amendment], tree: Condition, overlay: bool
    ) -> Condition | None:
        touches: list[tuple[Amendment, dict[str, set[str]]]] = []
        for amendment in group:
            touches.append((amendment, _touched(tree, amendment)))
            try:
                tree = apply_amendment(tree, amendment)
            except EligibilityError:
                tree = None  # type: ignore[assignment]  # reported by the load check
                break
        for (a, ta), (b, tb) in itertools.combinations(touches, 2):
            for cid in _conflicts(ta, tb)[:1]:
                key = (a.id, b.id, pid)
                if key in found:
                    continue
                if overlay:
                    message = (
                        f"changes {a.id} and {b.id} of {pid} both change condition "
                        f"{cid}: an overlay's changes apply in file order, so the "
                        f"result depends on that order"
                    )
                else:
                    message = (
                        f"amendments {a.id} and {b.id} of {pid} both change "
                        f"condition {cid} on {a.effective}: amendments with the same "
                        f"effective date apply in file order, so the result "
                        f"depends on that order"
                    )
                found[key] = Finding(
                    "order",
                    "order-dependent",
                    ERROR,
                    message,
                    b.origin[0] or None,
                    b.origin[1],
                    b.id,
                )
        return tree

    for date in examined:
        for pid, source in book.sources.items():
            if date < source.effective:
                continue
            tree: Condition | None = source.condition
            dated = sorted(
                (a for a in source.amendments if a.effective and a.effective <= date),
                key=lambda a: a.effective,
            )  # type: ignore[arg-type, return-value]
            for _, group in itertools.groupby(dated, key=lambda a: a.effective):
                if tree is None:
                    break
                tree = compare(pid, list(group), tree, overlay=False)
            changes = [
                c
                for c in book.changes
                if c.provision == pid and (c.effective is None or c.effective <= date)
            ]
            by_file: dict[str, list[Amendment]] = {}
            for change in changes:
                by_file.setdefault(change.origin[0], []).append(change)
            for group in by_file.values():
                if tree is None:
                    break
                tree = compare(pid, group, tree, overlay=True)
    return list(found.values())
