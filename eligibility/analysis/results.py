"""The records of an evaluation: a scenario's `Result` (one `ProvisionResult` per
provision, each naming the `Element`s law enforcement blocks or was relied on) and the
lean `Outcome` of a population run. Made by analysis/evaluate.py; read by reports,
renderers, expectations and invariants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..law.conditions import PlanNode, describe_test
from ..law.logic import STATUS_NAMES
from ..law.rulebook import ResolvedBook
from ..law.scenarios import Finding
from ..law.vocabulary import Facts
from .dependency import Level


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
    """One provision's result. Every field is required: `Evaluator` makes eleven of
    these per scenario, and defaults made by factories double the cost of making one."""

    id: str
    title: str
    status: str
    citation: str
    missing_facts: list[str]
    law_enforcement_gated: bool
    open_questions: list[str]
    notes: list[str]
    law_enforcement: Level
    law_enforcement_blockers: list[Element]
    law_enforcement_relied_on: list[Element]
    # unknown facts that decide the outcome once law enforcement acted (possibly_gated)
    missing_facts_behind_blockers: list[str]
    applicable: bool
    not_applicable_reason: str | None
    # false before the status can be granted: not yet law, or law that no one could be
    # granted yet (T before 2002-03-04, U before 2007-10-17, adjustment before
    # 2009-01-12: `grantable_from` in the rule files)
    grantable: bool
    # facts found "not established" on which a not-met element rests (scenario findings)
    findings: list[str]
    # per family member (t_derivatives, u_derivatives): id, relationship, status,
    # missing_facts, law_enforcement; the provision's status combines them
    members: list[dict[str, Any]]


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


@dataclass(frozen=True, slots=True)
class Outcome:
    """A scenario's statuses without explanations or missing facts: what a population
    run needs (`Evaluator.outcome`)."""

    book: ResolvedBook  # the law in force on the date evaluated
    statuses: list[int]  # every node of book.plan
    levels: dict[str, Level]  # provision id -> law-enforcement dependency

    def status(self, provision: str) -> int:
        return self.statuses[self.book.plan.roots[provision]]
