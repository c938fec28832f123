"""Scenario -> result: statuses, missing facts, law-enforcement dependency, explanation,
notes and applicability."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..engine import ENGINE_NAMES, create_engine
from ..errors import EngineError, UsageError, did_you_mean
from ..law.conditions import Plan, World
from ..law.logic import NOT_MET
from ..law.rulebook import ResolvedBook, RuleBook
from ..law.scenarios import MEMBER_PREFIX, FamilyMember, Finding, Scenario
from ..law.vocabulary import Facts, Vocabulary
from .assemble import Assembler
from .dependency import dependency_level
from .results import Element, Outcome, ProvisionResult, Result

__all__ = [
    "Element",
    "Evaluator",
    "Outcome",
    "ProvisionResult",
    "Result",
    "apply_findings",
    "apply_members",
    "member_provisions",
]

# the facts each law-enforcement world changes (None: the world is the scenario itself)
Overrides = tuple[World | None, World | None]


class Evaluator:
    """Evaluates scenarios under one rule book with one engine."""

    def __init__(self, book: RuleBook, engine: str = "durable") -> None:
        if engine not in ENGINE_NAMES:
            raise UsageError(
                f"unknown engine {engine!r}{did_you_mean(engine, ENGINE_NAMES)}; "
                f"expected one of: {', '.join(ENGINE_NAMES)}"
            )
        self.book = book
        self.engine = create_engine(engine, book.vocabulary)
        self.engine_name = engine
        self._assemblers: dict[int, tuple[ResolvedBook, Assembler]] = {}
        self._names = frozenset(book.vocabulary.names())

    def _known(self, facts: Facts) -> Facts:
        """`facts` less those this rule set does not declare: a fact an overlay adds
        (`facts:`) means nothing to the rule set it extends, so a scenario written for
        the overlay is evaluated under the base as if it were not given. Scenario files
        are validated against the vocabulary of the rule sets named when loading."""
        if self._names.issuperset(facts):
            return facts
        return {name: value for name, value in facts.items() if name in self._names}

    def _run(
        self, facts: Facts, as_of: dt.date, scenario_id: str
    ) -> tuple[ResolvedBook, Overrides, list[int], list[list[int] | None]]:
        """The law in force; the facts each law-enforcement world changes (favourable,
        unfavourable; None where one is the scenario itself); the node statuses; and
        the provision statuses in each world, as far as analysis/dependency.py reads
        them (lean worlds: None where nothing read differs from the statuses as stated)."""
        resolved = self.book.at(as_of)
        plan = resolved.plan
        overrides = plan.world_overrides(facts, lean=True)
        try:
            statuses, worlds = self.engine.evaluate(plan, facts, overrides)
        except EngineError as exc:
            raise EngineError(
                f"scenario {scenario_id or '(unnamed)'}: {exc.message}",
                path=exc.path,
                line=exc.line,
            ) from None
        return resolved, overrides, statuses, worlds

    def outcome(self, facts: Facts, as_of: dt.date, scenario_id: str = "") -> Outcome:
        """Statuses and dependency levels only (no explanation, no missing facts)."""
        facts = self._known(facts)
        resolved, _, statuses, (favourable, unfavourable) = self._run(facts, as_of, scenario_id)
        plan = resolved.plan
        levels = {
            pid: dependency_level(plan, plan.roots[pid], statuses, favourable, unfavourable, facts)
            for pid in resolved.order
        }
        return Outcome(resolved, statuses, levels)

    def evaluate(self, facts: Facts, as_of: dt.date, scenario_id: str = "") -> Result:
        facts = self._known(facts)
        resolved, worlds, statuses, (favourable, unfavourable) = self._run(
            facts, as_of, scenario_id
        )
        return self._result(
            resolved, worlds, statuses, favourable, unfavourable, facts, as_of, scenario_id
        )

    def evaluate_many(self, items: Sequence[tuple[Facts, dt.date, str]]) -> list[Result]:
        """Results of many scenarios (facts, date, id), in order. With the vector engine
        the statuses of all scenarios under one plan (and in the two law-enforcement
        worlds) are computed as columns in one pass; every result is then assembled as
        `evaluate` assembles it. Other engines evaluate one scenario at a time."""
        if self.engine_name != "vector":
            return [self.evaluate(facts, date, sid) for facts, date, sid in items]
        import numpy as np

        groups: dict[int, tuple[ResolvedBook, list[int]]] = {}
        for row, (_, date, _) in enumerate(items):
            resolved = self.book.at(date)
            groups.setdefault(id(resolved.plan), (resolved, []))[1].append(row)
        out: list[Result | None] = [None] * len(items)
        engine: Any = self.engine
        for resolved, rows in groups.values():
            plan = resolved.plan
            try:
                compiled = engine.compile(plan)
                evaluation = compiled.evaluate(engine.codec.encode([items[r][0] for r in rows]))
            except EngineError:  # name the scenario, as `evaluate` does
                for r in rows:
                    self.evaluate(*items[r])
                raise
            nodes = range(len(plan.nodes))
            stated, favourable, unfavourable = (
                np.stack([evaluation.status(i, world) for i in nodes], axis=1).tolist()
                for world in (None, evaluation.favourable, evaluation.unfavourable)
            )
            for k, r in enumerate(rows):
                facts, date, sid = items[r]
                worlds = plan.world_overrides(facts)
                out[r] = self._result(
                    resolved,
                    worlds,
                    stated[k],
                    favourable[k] if worlds[0] is not None else None,
                    unfavourable[k] if worlds[1] is not None else None,
                    facts,
                    date,
                    sid,
                )
        return [r for r in out if r is not None]

    def _result(
        self,
        resolved: ResolvedBook,
        worlds: Overrides,
        statuses: list[int],
        favourable: list[int] | None,
        unfavourable: list[int] | None,
        facts: Facts,
        as_of: dt.date,
        scenario_id: str,
    ) -> Result:
        """A result from the statuses of every node as stated and in the two worlds."""
        provisions = self._assembler(resolved)(statuses, favourable, unfavourable, facts, worlds[0])
        return Result(
            scenario=scenario_id,
            rule_set=self.book.name,
            as_of=as_of,
            engine=self.engine_name,
            provisions=provisions,
            facts=facts,
            book=resolved,
            statuses=statuses,
        )

    def _assembler(self, resolved: ResolvedBook) -> Assembler:
        """The assembler of a version of the law, made once per version: it writes its
        function once, and its elements (`_element`) are made once per leaf, being
        immutable and depending on the plan and the vocabulary alone."""
        entry = self._assemblers.get(id(resolved))
        if entry is None or entry[0] is not resolved:  # held, so ids stay unique
            made: dict[int, Element] = {}
            plan, vocabulary = resolved.plan, self.book.vocabulary

            def element(index: int) -> Element:
                found = made.get(index)
                if found is None:
                    found = made[index] = _element(plan, vocabulary, index)
                return found

            if len(self._assemblers) >= _PLANS_REMEMBERED:  # a book re-resolved without end
                self._assemblers.clear()
            entry = self._assemblers[id(resolved)] = (resolved, Assembler(resolved, element))
        return entry[1]

    def evaluate_scenario(self, scenario: Scenario, as_of: dt.date | None = None) -> Result:
        date = as_of or scenario.as_of or dt.date.today()
        facts = scenario.evaluated_facts()
        result = self.evaluate(facts, date, scenario.id)
        if scenario.family_members:
            # one evaluation per family member, by the same engine: the per-member
            # provisions take their status from the members (docs/architecture.md)
            each = [
                (m, self.evaluate({**facts, **m.facts}, date, scenario.id))
                for m in scenario.family_members
            ]
            apply_members(result, each, member_provisions(self.book))
        if scenario.findings:
            apply_findings(result, scenario.findings)
        return result


def member_provisions(book: RuleBook) -> list[str]:
    """The provisions evaluated per family member: those whose text as enacted tests a
    member_ fact (at every date, including before they existed)."""
    return [
        pid
        for pid, source in book.sources.items()
        if any(fact.startswith(MEMBER_PREFIX) for fact in _condition_facts(source.condition))
    ]


def _condition_facts(condition: Any) -> list[str]:
    out: list[str] = []
    stack = [condition]
    while stack:
        c = stack.pop()
        if c.fact:
            out.append(c.fact)
        stack.extend(c.children)
    return out


def apply_members(
    result: Result, each: Sequence[tuple[FamilyMember, Result]], provisions: Sequence[str]
) -> None:
    """Combine per-member results into the per-member provisions of `result`: met when
    any listed member qualifies, not met when none does, undetermined otherwise (Kleene
    `any`); the member that decides it (the first met, else the first undetermined, else
    the first) gives the explanation, the law-enforcement dependency and its blockers."""
    for pid in provisions:
        if pid not in result.provisions:
            continue
        p = result.provisions[pid]
        rows = [(m, r.provisions[pid], r) for m, r in each]
        rank = {"met": 0, "undetermined": 1, "not_met": 2}
        member, deciding, full = min(rows, key=lambda row: rank[row[1].status])
        p.status = deciding.status
        p.missing_facts = list(
            dict.fromkeys(
                f for _, q, _ in rows if q.status == "undetermined" for f in q.missing_facts
            )
        )
        p.open_questions = list(
            dict.fromkeys(
                o for _, q, _ in rows if q.status == "undetermined" for o in q.open_questions
            )
        )
        p.law_enforcement = deciding.law_enforcement
        p.law_enforcement_gated = deciding.law_enforcement_gated
        p.law_enforcement_blockers = deciding.law_enforcement_blockers
        p.law_enforcement_relied_on = deciding.law_enforcement_relied_on
        p.missing_facts_behind_blockers = deciding.missing_facts_behind_blockers
        p.notes = deciding.notes
        result.statuses_of[pid] = full.statuses
        result.facts_of[pid] = full.facts
        p.members = [
            {
                "id": m.id,
                "relationship": m.facts.get(MEMBER_PREFIX + "relationship"),
                "status": q.status,
                "missing_facts": q.missing_facts,
                "law_enforcement": q.law_enforcement,
            }
            for m, q, _ in rows
        ]


def apply_findings(result: Result, findings: Sequence[Finding]) -> None:
    """Say where an outcome rests on a finding rather than a fact: a fact found "not
    established" is evaluated as false, and every provision with a not-met leaf on it
    names the finding (key `findings`) and carries a note that a denial on the evidence
    is not a finding that the thing did not happen."""
    result.findings = {f.fact: f for f in findings}
    plan = result.book.plan
    vocabulary = result.book.vocabulary
    for pid, p in result.provisions.items():
        found = [
            fact
            for fact in _not_met_facts(plan, result.statuses, plan.roots[pid])
            if fact in result.findings
        ]
        p.findings = list(dict.fromkeys(found))
        for fact in p.findings:
            f = result.findings[fact]
            when = f" on {f.date.isoformat()}" if f.date else ""
            p.notes.append(
                f"Not met on a finding, not on a known fact: {f.by} found "
                f'"{vocabulary[fact].label}" not established{when}. A decision on the '
                "evidence is not a finding that it did not happen: new evidence may support "
                "a motion, an appeal or a new filing."
            )


def _not_met_facts(plan: Plan, statuses: list[int], root: int) -> list[str]:
    """The facts tested by not-met leaves under a node (not through other provisions)."""
    out: list[str] = []
    stack = [root]
    while stack:
        i = stack.pop()
        node = plan.nodes[i]
        if node.condition.kind == "fact":
            if statuses[i] == NOT_MET and node.condition.fact:
                out.append(node.condition.fact)
        elif node.condition.kind in ("all", "any", "not"):
            stack.extend(node.children)
    return out


# plans whose elements an Evaluator remembers: a rule set has 17 versions of the law
_PLANS_REMEMBERED = 64


def _element(plan: Plan, vocabulary: Vocabulary, index: int) -> Element:
    """A blocking (or relied-on) leaf as an element, with the critique that fits it:
    the first critique cited by the leaf or, failing that, by its nearest ancestor."""
    c = plan.nodes[index].condition
    fact = c.fact or ""
    return Element(c.id, c.text, fact, vocabulary[fact].controlled_by, plan.critique_for(index))
