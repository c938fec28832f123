"""The fact vocabulary (`rules/facts.yaml`): declarations, validation, JSON Schema."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The engine's limits on fact names (ASCII, not reserved) and on set facts are refused
# where a fact is declared; engine/limits.py imports nothing, so the law layer reads it.
from ..engine.limits import FACT_NAME, MAX_SET_VALUES, RESERVED_NAMES
from ..errors import RuleError, did_you_mean
from . import yamlfile
from .fields import Node, article, describe, root

if TYPE_CHECKING:
    from .indicators import Indicators

FACT_TYPES = ("bool", "int", "enum", "set")
VALUE_PATTERN = re.compile(r"[a-z0-9_]+\Z")
DEPENDENCIES = ("law_enforcement_action", "cooperation")
CONTROLLERS = ("history", "person", "law_enforcement", "adjudicator")

# A scenario's facts after validation: name -> bool | int | str | frozenset[str].
# Unknown facts are absent; they are never stored as False.
Facts = dict[str, Any]


@dataclass(frozen=True)
class Fact:
    """One declared fact."""

    name: str
    type: str
    question: str
    help: str = ""
    why: str = ""
    values: Mapping[str, str] = field(default_factory=dict)  # value -> label
    min: int | None = None
    max: int | None = None
    dependency: str | None = None
    favourable: Any = None
    group: str = ""
    controlled_by: str = "history"
    label: str = ""  # a short noun phrase for tables and reports: "age when trafficked"
    statements: Mapping[bool, str] = field(default_factory=dict)  # bool facts: what each says
    # context: a fact no rule tests (when it happened): asked and shown so that the
    # case is read in its time, never deciding a result (rules/facts.yaml `context`)
    context: bool = False
    # where it is declared (facts.yaml, or an overlay's `facts:`), for lint findings
    origin: tuple[str, int | None] = field(default=("", None), compare=False)

    def statement(self, value: Any) -> str:
        """What a value says about the person, in plain words, for reports:
        'No certifying official has signed Form I-918 Supplement B', 'age now: 17'."""
        if self.type == "bool" and value in self.statements:
            return self.statements[value]
        return f"{self.label}: {self.describe(value)}"

    def describe(self, value: Any) -> str:
        """A value as a person reads it: 'yes', 'force, fraud', 'none', 'unknown'."""
        if value is None:
            return "unknown"
        if self.type == "bool":
            return "yes" if value else "no"
        if self.type == "set":
            members = [self.values[m] for m in self.values if m in value]
            return ", ".join(members) if members else "none"
        if self.type == "enum":
            return self.values.get(value, str(value))
        return str(value)

    def expected(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.type == "bool":
            return "true or false"
        if self.type == "int":
            return f"a whole number from {self.min} to {self.max}"
        listed = ", ".join(self.values)
        if self.type == "enum":
            return f"one of: {listed}"
        return f"a list of any of: {listed}"

    def check(self, node: Node) -> Any:
        """Validate one scenario value; return it normalised (sets become frozensets)."""
        value = node.value
        if self.type == "bool":
            if not isinstance(value, bool):
                raise node.fail(f"expected {self.expected()}, got {describe(value)}")
            return value
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise node.fail(f"expected {self.expected()}, got {describe(value)}")
            if not (self.min is None or value >= self.min) or not (
                self.max is None or value <= self.max
            ):
                raise node.fail(f"expected {self.expected()}, got {value}")
            return value
        if self.type == "enum":
            return node.choice(self.values, what=f"{self.name} value")
        items = node.elements(what=f"list ({self.expected()})")
        seen: set[str] = set()
        for item in items:
            member = item.choice(self.values, what=f"{self.name} value")
            if member in seen:
                raise item.fail(f"{member} is listed twice")
            seen.add(member)
        return frozenset(seen)

    def to_yaml_value(self, value: Any) -> Any:
        """The plain value a scenario file stores (sets in vocabulary order)."""
        if self.type == "set":
            return [member for member in self.values if member in value]
        return value

    def json_schema(self) -> dict[str, Any]:
        description = self.question + (f" {self.help}" if self.help else "")
        schema: dict[str, Any]
        if self.type == "bool":
            schema = {"type": "boolean"}
        elif self.type == "int":
            schema = {"type": "integer", "minimum": self.min, "maximum": self.max}
        elif self.type == "enum":
            schema = {"enum": list(self.values)}
        else:
            schema = {"type": "array", "uniqueItems": True, "items": {"enum": list(self.values)}}
        # null means "don't know", the same as leaving the fact out
        return {"anyOf": [schema, {"type": "null"}], "description": description}


class Vocabulary:
    """All declared facts, in file order: the bundled `facts.yaml`, then the facts that
    overlays add (`facts:` of an overlay file, read by the same parser)."""

    def __init__(self, facts: Mapping[str, Fact], path: str = "") -> None:
        self.facts = dict(facts)
        self.path = path  # the bundled facts.yaml (each fact's `origin` says where it is)
        # the indicator questions beside the facts (rules/indicators.yaml), set by the
        # registry: scenarios record their answers, checked against them
        self.indicators: Indicators | None = None

    def extended(self, facts: Mapping[str, Fact]) -> Vocabulary:
        """This vocabulary plus `facts` (new names only: parse_facts refuses the others)."""
        if not facts:
            return self
        extended = Vocabulary({**self.facts, **facts}, self.path)
        extended.indicators = self.indicators
        return extended

    def union(self, other: Vocabulary, *, names: tuple[str, str] = ("", "")) -> Vocabulary:
        """The facts of both (two rule sets compared over one population). A name both
        declare must mean the same: two overlays may not give one name two meanings."""
        if other is self:
            return self
        merged = dict(self.facts)
        for name, fact in other.facts.items():
            mine = merged.get(name)
            if mine is None:
                merged[name] = fact
            elif mine != fact:
                first, second = names
                raise RuleError(
                    f"fact {name} is declared differently by the rule sets "
                    f"{first or 'A'} and {second or 'B'} ({mine.origin[0] or 'facts.yaml'} "
                    f"and {fact.origin[0] or 'facts.yaml'}): rename one of them",
                    path=fact.origin[0] or None,
                    line=fact.origin[1],
                )
        union = Vocabulary(merged, self.path)
        union.indicators = self.indicators or other.indicators
        return union

    def __contains__(self, name: object) -> bool:
        return name in self.facts

    def __getitem__(self, name: str) -> Fact:
        return self.facts[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.facts)

    def names(self) -> list[str]:
        return list(self.facts)

    def dependency_facts(self) -> dict[str, Any]:
        """Facts tagged with a law-enforcement dependency -> their favourable value."""
        return {f.name: f.favourable for f in self.facts.values() if f.dependency}

    def validate(self, node: Node) -> Facts:
        """Validate the `facts:` mapping of a scenario; unknown names get a suggestion."""
        if node.value is None:
            return {}
        facts: Facts = {}
        for name, child in node.entries(what="mapping of fact names to values"):
            if name not in self.facts:
                raise child.fail(f"unknown fact{did_you_mean(name, self.facts)}")
            if child.value is None:  # "don't know", stated explicitly
                continue
            facts[name] = self.facts[name].check(child)
        return facts

    def to_yaml(self, facts: Facts) -> dict[str, Any]:
        """Facts in vocabulary order, as plain YAML values."""
        return {
            name: self.facts[name].to_yaml_value(facts[name])
            for name in self.facts
            if name in facts
        }

    def json_schema(self) -> dict[str, Any]:
        return {name: fact.json_schema() for name, fact in self.facts.items()}


def load_vocabulary(path: str | Path) -> Vocabulary:
    """Load and check `facts.yaml`."""
    doc = yamlfile.load(path)
    top = root(doc, RuleError)
    if not isinstance(top.value, dict) or not top.value:
        raise top.fail("expected a mapping of fact names to declarations")
    return Vocabulary(parse_facts(top), str(path))


def parse_facts(top: Node, declared: Vocabulary | None = None) -> dict[str, Fact]:
    """A mapping of fact names to declarations: `facts.yaml`, or the `facts:` of an
    overlay, which adds facts to the vocabulary of the rule set it extends (`declared`)
    and may not redefine one of them."""
    facts: dict[str, Fact] = {}
    for name, node in top.entries(what="mapping of fact names to declarations"):
        if not isinstance(name, str) or not FACT_NAME.match(name):
            raise node.fail(
                "fact names are lower_case_with_underscores (ASCII letters, "
                "digits and _, starting with a letter)"
            )
        if name in RESERVED_NAMES:
            raise node.fail(f"`{name}` is reserved by the engine; choose another name")
        if declared is not None and name in declared:
            where = declared[name].origin[0] or declared.path or "facts.yaml"
            raise node.fail(
                f"fact {name} is already declared ({where}): an overlay adds new facts "
                f"and never redefines one; give yours another name"
            )
        node.mapping(
            required=("type", "question"),
            optional=(
                "values",
                "min",
                "max",
                "help",
                "why",
                "dependency",
                "favourable",
                "group",
                "controlled_by",
                "label",
                "statements",
                "context",
            ),
            what="fact declaration",
        )
        kind = node.child("type").choice(FACT_TYPES, what="fact type")
        values: dict[str, str] = {}
        if kind in ("enum", "set"):
            if not node.has("values"):
                raise node.fail(f"{article(kind)} {kind} fact needs `values`")
            values_node = node.child("values")
            if not isinstance(values_node.value, dict) or not values_node.value:
                raise values_node.fail("expected a mapping of value -> label")
            if kind == "set" and len(values_node.value) > MAX_SET_VALUES:
                raise values_node.fail(f"a set fact has at most {MAX_SET_VALUES} values")
            for value, label in values_node.items():
                if not VALUE_PATTERN.match(value):
                    raise label.fail("values are lower_case_with_underscores")
                label.text()
                values[value] = label.value
        elif node.has("values"):
            raise node.fail(f"{article(kind)} {kind} fact takes no `values`", "values")
        low = high = None
        if kind == "int":
            if not (node.has("min") and node.has("max")):
                raise node.fail("an int fact needs `min` and `max`")
            low, high = node.child("min").integer(), node.child("max").integer()
            if low > high:
                raise node.fail(f"`min` ({low}) is larger than `max` ({high})", "min")
        else:
            for key in ("min", "max"):
                if node.has(key):
                    raise node.fail(f"{article(kind)} {kind} fact takes no `{key}`", key)
        dependency = (
            node.child("dependency").choice(DEPENDENCIES, what="dependency")
            if node.has("dependency")
            else None
        )
        favourable = None
        if dependency:
            if kind != "bool":
                raise node.fail("dependency facts must be bool facts", "dependency")
            favourable = node.child("favourable").boolean() if node.has("favourable") else True
        elif node.has("favourable"):
            raise node.fail("`favourable` applies only to facts with a `dependency`", "favourable")
        facts[name] = Fact(
            name=name,
            type=kind,
            question=node.child("question").text(),
            help=node.child("help").text() if node.has("help") else "",
            why=node.child("why").text() if node.has("why") else "",
            values=values,
            min=low,
            max=high,
            dependency=dependency,
            favourable=favourable,
            group=node.child("group").text() if node.has("group") else "",
            controlled_by=node.child("controlled_by").choice(CONTROLLERS, what="controller")
            if node.has("controlled_by")
            else "history",
            label=node.child("label").text() if node.has("label") else name.replace("_", " "),
            statements=_statements(node, kind),
            context=node.child("context").boolean() if node.has("context") else False,
            origin=(top.doc.path, top.doc.line(node.path)),
        )
    return facts


def _statements(node: Node, kind: str) -> dict[bool, str]:
    """`statements: {"true": ..., "false": ...}` of a bool fact: what each answer says
    (the keys are quoted: a mapping key is text in our YAML)."""
    if not node.has("statements"):
        return {}
    statements = node.child("statements")
    if kind != "bool":
        raise statements.fail("`statements` apply only to bool facts (true and false)")
    if not isinstance(statements.value, dict) or set(statements.value) != {"true", "false"}:
        raise statements.fail('expected a mapping with the keys "true" and "false"')
    return {value: statements.child(str(value).lower()).text() for value in (True, False)}
