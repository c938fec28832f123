"""Scenario -> result: statuses, missing facts, law-enforcement dependency, explanation,
notes and applicability."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine import ENGINE_NAMES, create_engine
from ..errors import EngineError, UsageError, did_you_mean
from ..law.conditions import Plan, PlanNode, World, describe_test
from ..law.logic import MET, NOT_MET, STATUS_NAMES, UNDETERMINED
from ..law.rulebook import ResolvedBook, RuleBook
from ..law.scenarios import MEMBER_PREFIX, FamilyMember, Finding, Scenario
from ..law.vocabulary import Facts, Vocabulary
from .dependency import INDEPENDENT, Level, dependency, dependency_level


@dataclass(frozen=True, slots=True)
class Element:
    """A condition of a provision named in a result (a law-enforcement blocker, say)."""

    id: str
    text: str
    fact: str
    controlled_by: str  # from the vocabulary: person, law_enforcement, adjudicator, history
    critique: str | None = None  # the id of the critique that fits this element

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "text": self.text,
            "fact": self.fact,
            "controlled_by": self.controlled_by,
        }
        if self.critique:
            out["critique"] = self.critique
        return out


@dataclass(slots=True)
class ProvisionResult:
    id: str
    title: str
    status: str
    citation: str
    missing_facts: list[str]
    law_enforcement_gated: bool
    open_questions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    law_enforcement: Level = "independent"
    law_enforcement_blockers: list[Element] = field(default_factory=list)
    law_enforcement_relied_on: list[Element] = field(default_factory=list)
    # unknown facts that decide the outcome once law enforcement acted (possibly_gated)
    missing_facts_behind_blockers: list[str] = field(default_factory=list)
    applicable: bool = True
    not_applicable_reason: str | None = None
    # false before the status can be granted: not yet law, or law that no one could be
    # granted yet (T before 2002-03-04, U before 2007-10-17, adjustment before
    # 2009-01-12: `grantable_from` in the rule files)
    grantable: bool = True
    # facts found "not established" on which a not-met element rests (scenario findings)
    findings: list[str] = field(default_factory=list)
    # per family member (t_derivatives, u_derivatives): id, relationship, status,
    # missing_facts, law_enforcement; the provision's status combines them
    members: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Result:
    """The evaluation of one scenario under one rule set on one date."""

    scenario: str
    rule_set: str
    as_of: dt.date
    engine: str
    provisions: dict[str, ProvisionResult]
    facts: Facts
    book: ResolvedBook
    statuses: list[int]
    weight: float | None = None  # the case's weight, from a table of cases (--weight)
    # fact -> a decision-maker's finding that it was not established (scenario findings)
    findings: dict[str, Finding] = field(default_factory=dict)
    # provision -> the node statuses its explanation shows, where they are not `statuses`
    # (a per-member provision shows the member that decides its status)
    statuses_of: dict[str, list[int]] = field(default_factory=dict)
    # provision -> the facts behind those statuses (the principal's and one member's)
    facts_of: dict[str, Facts] = field(default_factory=dict)

    def facts_for(self, provision: str) -> Facts:
        return self.facts_of.get(provision, self.facts)

    def node_statuses(self, provision: str) -> list[int]:
        return self.statuses_of.get(provision, self.statuses)

    def status(self, provision: str) -> str:
        return self.provisions[provision].status

    def explanation(self, provision: str) -> dict[str, Any]:
        """The element tree of one provision, with each node's status."""
        plan = self.book.plan
        return plan.explanation(
            self.node_statuses(provision), plan.roots[provision], self._describe
        )

    def _describe(self, node: PlanNode, status: int) -> dict[str, Any]:
        c = node.condition
        out: dict[str, Any] = {"id": c.id, "text": c.text, "status": STATUS_NAMES[status]}
        if c.citation:
            out["citation"] = c.citation
        if c.kind not in ("all", "any", "not"):
            out["test"] = describe_test(c)
        if c.kind == "fact":
            fact = self.book.vocabulary[c.fact or ""]
            if c.fact in self.facts:
                out["value"] = fact.to_yaml_value(self.facts[c.fact])
            if c.fact in self.findings:
                out["finding"] = self.findings[c.fact].to_dict()
            if fact.dependency:
                out["dependency"] = fact.dependency
        elif c.kind == "any":
            out["combine"] = "any"
        elif c.kind == "all":
            out["combine"] = "all"
        elif c.kind == "not":
            out["combine"] = "not"
        for key in ("short", "verification", "reading", "since", "comment"):
            value = getattr(c, key)
            if value:
                out[key] = value
        if c.critiques:
            out["critiques"] = list(c.critiques)
        return out

    def reached(self, provision: str) -> bool:
        """Whether the person has reached the provision: always, unless it is a later step
        (`reached_by`: adjustment, family members) whose fact is not true (a yes/no fact)
        or not known (another fact), and no listed family member keeps it open under a
        principal status (`follows`) that is not ruled out."""
        reached_by = self.book.provisions[provision].reached_by
        if reached_by is None:
            return True
        value = self.facts.get(reached_by)
        if value is True or (value is not None and not isinstance(value, bool)):
            return True
        # family members listed: reached unless no member qualifies under this status (a T
        # principal's family under the U visa, say), or the principal is not eligible for
        # the status it follows (a U holder's son under the T visa, when nothing says the
        # person holds T status)
        p = self.provisions[provision]
        if not p.members or p.status == "not_met":
            return False
        follows = self.book.provisions[provision].follows
        return follows is None or self.provisions[follows].status != "not_met"

    def detail_matters(self, provision: str) -> bool:
        """Whether the provision's missing facts and blockers say something about the
        case: not for a later step the person has not reached while the status it follows
        (`follows`: t_visa for t_adjustment) is not met, since they are then the later
        step's questions, asked too early (the summary leaves them out)."""
        if self.reached(provision):
            return True
        follows = self.book.provisions[provision].follows
        return follows is not None and self.provisions[follows].status == "met"

    def critiques(self, provision: str) -> list[dict[str, Any]]:
        return self.book.critiques_for(provision)

    def to_dict(self, *, explanations: bool = True) -> dict[str, Any]:
        """The JSON result of DESIGN.md (plus optional keys)."""
        provisions: dict[str, Any] = {}
        for pid, p in self.provisions.items():
            entry: dict[str, Any] = {
                "status": p.status,
                "missing_facts": p.missing_facts,
                "law_enforcement_gated": p.law_enforcement_gated,
                "law_enforcement": p.law_enforcement,
                "law_enforcement_blockers": [e.to_dict() for e in p.law_enforcement_blockers],
                "applicable": p.applicable,
                "grantable": p.grantable,
                "citation": p.citation,
                "title": p.title,
            }
            if p.law_enforcement_relied_on:
                entry["law_enforcement_relied_on"] = [
                    e.to_dict() for e in p.law_enforcement_relied_on
                ]
            if p.missing_facts_behind_blockers:
                entry["missing_facts_behind_blockers"] = p.missing_facts_behind_blockers
            if not p.applicable:
                entry["not_applicable_reason"] = p.not_applicable_reason
            if explanations:
                entry["explanation"] = self.explanation(pid)
            if p.open_questions:
                entry["open_questions"] = p.open_questions
            if p.notes:
                entry["notes"] = p.notes
            if p.findings:
                entry["findings"] = p.findings
            if p.members:
                entry["members"] = p.members
            if not self.reached(pid):
                entry["reached"] = False
            critiques = self.critiques(pid)
            if critiques:
                entry["critiques"] = critiques
            provisions[pid] = entry
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "rule_set": self.rule_set,
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "provisions": provisions,
        }
        if self.findings:
            out["findings"] = [f.to_dict() for f in self.findings.values()]
        if self.weight is not None:
            out["weight"] = self.weight
        return out

    def summary_dict(self) -> dict[str, Any]:
        """The lean result (`--detail summary`): what differs from case to case, some
        120 bytes per provision for the bundled rule sets. Left out: the explanation trees and every
        text that repeats the rule set (titles, citations, notes, critiques, the reasons
        a provision does not apply, the texts of blockers, which are named by id), and
        keys at their usual value: `law_enforcement_gated` false, `applicable` and
        `grantable` true, empty lists. `status` and `law_enforcement` are always there.
        A later step not reached (`"reached": false`) whose principal status is not met
        (`detail_matters`) has no missing facts, blockers or open questions: they would
        be its own questions, asked too early; `--detail full` gives them."""
        provisions: dict[str, Any] = {}
        for pid, p in self.provisions.items():
            entry: dict[str, Any] = {"status": p.status, "law_enforcement": p.law_enforcement}
            if p.law_enforcement_gated:
                entry["law_enforcement_gated"] = True
            if not self.reached(pid):
                entry["reached"] = False
            if self.detail_matters(pid):
                if p.missing_facts:
                    entry["missing_facts"] = p.missing_facts
                if p.law_enforcement_blockers:
                    entry["law_enforcement_blockers"] = [e.id for e in p.law_enforcement_blockers]
                if p.law_enforcement_relied_on:
                    entry["law_enforcement_relied_on"] = [e.id for e in p.law_enforcement_relied_on]
                if p.missing_facts_behind_blockers:
                    entry["missing_facts_behind_blockers"] = p.missing_facts_behind_blockers
                if p.open_questions:
                    entry["open_questions"] = p.open_questions
            if not p.applicable:
                entry["applicable"] = False
            if not p.grantable:
                entry["grantable"] = False
            if p.members:
                entry["members"] = [{"id": m["id"], "status": m["status"]} for m in p.members]
            provisions[pid] = entry
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "rule_set": self.rule_set,
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "detail": "summary",
            "provisions": provisions,
        }
        if self.weight is not None:
            out["weight"] = self.weight
        return out


# the facts each law-enforcement world changes (None: the world is the scenario itself)
Overrides = tuple[World | None, World | None]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A scenario's statuses without explanations or missing facts: what a population
    run needs (`Evaluator.outcome`)."""

    book: ResolvedBook  # the law in force on the date evaluated
    statuses: list[int]  # every node of book.plan
    levels: dict[str, Level]  # provision id -> law-enforcement dependency

    def status(self, provision: str) -> int:
        return self.statuses[self.book.plan.roots[provision]]


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
        self._elements: dict[int, tuple[Plan, Callable[[int], Element]]] = {}
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
        plan = resolved.plan
        provisions: dict[str, ProvisionResult] = {}
        missing = plan.missing
        dependent = plan.dependent
        elements = self._elements_of(plan)
        behind: list[int] | None = None  # the favourable world in full, when needed
        for layout in resolved.layout:
            root = layout.root
            status = statuses[root]
            facts_missing, questions = (
                missing(statuses, root) if status == UNDETERMINED else ([], [])
            )
            # a provision none of whose elements tests a dependency fact is independent
            # (analysis/dependency.py); most are, so the call is skipped for them
            found = (
                dependency(plan, root, statuses, favourable, unfavourable, facts)
                if root in dependent
                else INDEPENDENT
            )
            level = found.level
            notes = layout.notes
            result = ProvisionResult(
                layout.id,
                layout.title,
                STATUS_NAMES[status],
                layout.citation,
                facts_missing,
                level == "gated",
                questions,
                [text for text, when in notes if when is None or statuses[when] == MET]
                if notes
                else [],
                level,
                [elements(i) for i in found.blockers] if found.blockers else [],
                [elements(i) for i in found.relied_on] if found.relied_on else [],
            )
            if level == "possibly_gated" and worlds[0] is not None:
                if behind is None:
                    behind = plan.evaluate_world(facts, worlds[0], statuses)
                result.missing_facts_behind_blockers = [
                    f for f in missing(behind, root)[0] if f not in facts_missing
                ]
            result.grantable = layout.grantable
            for reason, when in layout.not_applicable:
                if statuses[when] == MET:
                    result.applicable = False
                    result.not_applicable_reason = reason
                    break
            provisions[layout.id] = result
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

    def _elements_of(self, plan: Plan) -> Callable[[int], Element]:
        """The element of a plan's leaf (`_element`), made once per leaf and plan: an
        Element is immutable and depends on the plan and the vocabulary alone."""
        entry = self._elements.get(id(plan))
        if entry is None or entry[0] is not plan:  # the plan is held, so ids stay unique
            made: dict[int, Element] = {}
            vocabulary = self.book.vocabulary

            def element(index: int) -> Element:
                found = made.get(index)
                if found is None:
                    found = made[index] = _element(plan, vocabulary, index)
                return found

            if len(self._elements) >= _PLANS_REMEMBERED:  # a book re-resolved without end
                self._elements.clear()
            entry = self._elements[id(plan)] = (plan, element)
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
