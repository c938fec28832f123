"""`rules/interview.yaml`: the order of an interview (stages, costs, branches) and the
wording of questions on a date. Data a trainer edits; the interview reads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RuleError
from . import yamlfile
from .fields import Node, root
from .indicators import Indicators
from .vocabulary import CONTROLLERS, Vocabulary

WORDING_KEYS = ("question", "help", "why")


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    questions: tuple[str, ...] = ()  # listed, in this order
    controlled_by: tuple[str, ...] = ()
    note: str = ""
    # the later steps (a green card, family members): asked last, and only if the
    # trainee chooses to go on once the person's own protections are asked
    later_steps: bool = False


@dataclass(frozen=True)
class Wording:
    start: dt.date | None
    end: dt.date | None
    texts: Mapping[str, str]

    def holds(self, date: dt.date) -> bool:
        return (self.start is None or date >= self.start) and (self.end is None or date < self.end)


@dataclass
class InterviewGuide:
    stages: list[Stage]
    controller_costs: dict[str, float]
    question_costs: dict[str, float]
    branches: dict[str, tuple[str, ...]]
    wording: dict[str, list[Wording]] = field(default_factory=dict)
    # question -> the questions it refines: asked only after those were asked and at
    # least one of them answered (not "don't know")
    refines: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def later_stage(self) -> int | None:
        """The index of the stage of later steps, if the guide has one."""
        for index, stage in enumerate(self.stages):
            if stage.later_steps:
                return index
        return None

    def stage_of(self, name: str, controlled_by: str) -> int:
        """The index of the stage that asks question `name`."""
        for index, stage in enumerate(self.stages):
            if name in stage.questions:
                return index
        for index, stage in enumerate(self.stages):
            if controlled_by in stage.controlled_by:
                return index
        return max(i for i, s in enumerate(self.stages) if not s.later_steps)

    def listed_position(self, name: str) -> int:
        """Position in its stage's list (listed questions come first, in that order)."""
        for stage in self.stages:
            if name in stage.questions:
                return stage.questions.index(name)
        return len(max((s.questions for s in self.stages), key=len))

    def cost(self, name: str, controlled_by: str) -> float:
        return self.question_costs.get(name, self.controller_costs.get(controlled_by, 1.0))

    def text(self, name: str, key: str, default: str, date: dt.date) -> str:
        """The question, help or why of `name` as worded for the law on `date`."""
        for variant in self.wording.get(name, []):
            if variant.holds(date):
                return variant.texts.get(key, default)
        return default


def load_guide(
    path: str | Path, vocabulary: Vocabulary, indicators: Indicators | None
) -> InterviewGuide:
    doc = yamlfile.load(path)
    top = root(doc, RuleError)
    top.mapping(
        required=("stages", "costs", "branches"), optional=("wording", "refines"), what="guide"
    )
    known = set(vocabulary.names()) | set(indicators.questions if indicators else ())
    stages: list[Stage] = []
    for node in top.child("stages").elements(what="list of stages", allow_empty=False):
        node.mapping(
            required=("id", "title"),
            optional=("questions", "controlled_by", "note", "later_steps"),
            what="stage",
        )
        listed = tuple(_names(node, "questions", known)) if node.has("questions") else ()
        controllers = (
            tuple(
                c.choice(CONTROLLERS, what="controller")
                for c in node.child("controlled_by").elements()
            )
            if node.has("controlled_by")
            else ()
        )
        stages.append(
            Stage(
                id=node.child("id").identifier(),
                title=node.child("title").text(),
                questions=listed,
                controlled_by=controllers,
                note=node.child("note").text() if node.has("note") else "",
                later_steps=node.child("later_steps").boolean()
                if node.has("later_steps")
                else False,
            )
        )
    costs = top.child("costs")
    costs.mapping(optional=("by_controller", "by_question"), what="costs")
    controller_costs = {
        name: _positive(value)
        for name, value in (
            costs.child("by_controller").entries() if costs.has("by_controller") else []
        )
        if _controller(name, value)
    }
    question_costs: dict[str, float] = {}
    if costs.has("by_question"):
        for name, value in costs.child("by_question").entries():
            if name not in known:
                raise value.fail(f"unknown question {name!r}")
            question_costs[name] = _positive(value)
    branches = {
        name: tuple(item.text() for item in value.elements(what="list of provisions"))
        for name, value in top.child("branches").entries(what="mapping of branches")
    }
    wording: dict[str, list[Wording]] = {}
    if top.has("wording"):
        for name, variants in top.child("wording").entries(what="mapping of questions"):
            if name not in known:
                raise variants.fail(f"unknown question {name!r}")
            wording[name] = [_wording(v) for v in variants.elements(what="list of variants")]
    refines: dict[str, tuple[str, ...]] = {}
    if top.has("refines"):
        for name, refined in top.child("refines").entries(what="mapping of questions"):
            if name not in known:
                raise refined.fail(f"unknown question {name!r}")
            refines[name] = tuple(_names(top.child("refines"), name, known))
    return InterviewGuide(stages, controller_costs, question_costs, branches, wording, refines)


def _names(node: Node, key: str, known: set[str]) -> list[str]:
    names = []
    for item in node.child(key).elements():
        name = item.text()
        if name not in known:
            raise item.fail(f"unknown question {name!r}: not a fact or an indicator question")
        names.append(name)
    return names


def _controller(name: str, value: Node) -> bool:
    if name not in CONTROLLERS:
        raise value.fail(f"unknown controller {name!r}; expected one of {', '.join(CONTROLLERS)}")
    return True


def _positive(node: Node) -> float:
    number = node.number()
    if number <= 0:
        raise node.fail("a cost is a positive number")
    return number


def _wording(node: Node) -> Wording:
    node.mapping(optional=("from", "until", *WORDING_KEYS), what="wording variant")
    texts = {key: node.child(key).text() for key in WORDING_KEYS if node.has(key)}
    if not texts:
        raise node.fail("a variant gives at least one of question, help, why")
    return Wording(
        start=node.child("from").date() if node.has("from") else None,
        end=node.child("until").date() if node.has("until") else None,
        texts=texts,
    )
