"""Scenario -> result: statuses, missing facts, counterfactual, explanation, notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..engine import ENGINE_NAMES, engine_class
from ..errors import EngineError, UsageError, did_you_mean
from ..law.conditions import MET, STATUS_NAMES, UNDETERMINED, PlanNode, describe_test
from ..law.rulebook import ResolvedBook, RuleBook
from ..law.scenarios import Scenario
from ..law.vocabulary import Facts


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

    def status(self, provision: str) -> str:
        return self.provisions[provision].status

    def explanation(self, provision: str) -> dict[str, Any]:
        """The element tree of one provision, with each node's status."""
        plan = self.book.plan
        return plan.explanation(self.statuses, plan.roots[provision], self._describe)

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
            if fact.dependency:
                out["dependency"] = fact.dependency
        elif c.kind == "any":
            out["combine"] = "any"
        elif c.kind == "all":
            out["combine"] = "all"
        elif c.kind == "not":
            out["combine"] = "not"
        for key in ("verification", "reading", "since", "comment"):
            value = getattr(c, key)
            if value:
                out[key] = value
        if c.critiques:
            out["critiques"] = list(c.critiques)
        return out

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
                "citation": p.citation,
                "title": p.title,
            }
            if explanations:
                entry["explanation"] = self.explanation(pid)
            if p.open_questions:
                entry["open_questions"] = p.open_questions
            if p.notes:
                entry["notes"] = p.notes
            critiques = self.critiques(pid)
            if critiques:
                entry["critiques"] = critiques
            provisions[pid] = entry
        return {
            "scenario": self.scenario,
            "rule_set": self.rule_set,
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "provisions": provisions,
        }


class Evaluator:
    """Evaluates scenarios under one rule book with one engine."""

    def __init__(self, book: RuleBook, engine: str = "durable") -> None:
        if engine not in ENGINE_NAMES:
            raise UsageError(
                f"unknown engine {engine!r}{did_you_mean(engine, ENGINE_NAMES)}; "
                f"expected one of: {', '.join(ENGINE_NAMES)}"
            )
        self.book = book
        vocabulary = book.vocabulary
        self.engine = engine_class(engine)(
            {n: vocabulary[n].type for n in vocabulary},
            {n: tuple(vocabulary[n].values) for n in vocabulary},
        )
        self.engine_name = engine

    def evaluate(self, facts: Facts, as_of: dt.date, scenario_id: str = "") -> Result:
        resolved = self.book.at(as_of)
        plan = resolved.plan
        try:
            statuses, (counterfactual,) = self.engine.evaluate(
                plan, facts, [plan.counterfactual_overrides(facts)]
            )
        except EngineError as exc:
            raise EngineError(
                f"scenario {scenario_id or '(unnamed)'}: {exc.message}",
                path=exc.path,
                line=exc.line,
            ) from None
        provisions: dict[str, ProvisionResult] = {}
        missing = plan.missing
        for pid, title, citation, root, notes in resolved.layout:
            status = statuses[root]
            facts_missing, questions = (
                missing(statuses, root) if status == UNDETERMINED else ([], [])
            )
            gated = status != MET and counterfactual is not None and counterfactual[root] == MET
            provisions[pid] = ProvisionResult(
                pid,
                title,
                STATUS_NAMES[status],
                citation,
                facts_missing,
                gated,
                questions,
                [text for text, when in notes if when is None or statuses[when] == MET],
            )
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

    def evaluate_scenario(self, scenario: Scenario, as_of: dt.date | None = None) -> Result:
        date = as_of or scenario.as_of or dt.date.today()
        return self.evaluate(scenario.facts, date, scenario.id)
