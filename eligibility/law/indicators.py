"""Indicators (`rules/indicators.yaml`): concrete questions a screener asks instead of
a legal conclusion, and the rules that turn their answers into legal facts.

A rule either *gives* a legal fact (the answers state its definition in concrete words)
or only *suggests* it (the law needs a judgement the answers cannot carry); the
interview asks the legal question itself for a suggestion. Every rule cites the law.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RuleError, did_you_mean
from . import yamlfile
from .fields import Node, describe, root
from .vocabulary import VALUE_PATTERN, Vocabulary

INDICATOR_TYPES = ("bool", "enum", "set")
EFFECTS = ("gives", "suggests")
STAGES = ("triage", "story")
VERIFICATION = ("V", "V2", "U")
_TEST = re.compile(r"(?P<q>[a-z][a-z0-9_]*)(?: (?P<op>is|has|lacks) (?P<v>[a-z0-9_]+))?\Z")

# An indicator's answers: question name -> bool | str | frozenset[str]; absent = unknown.
Answers = dict[str, Any]


@dataclass(frozen=True)
class IndicatorQuestion:
    """One indicator question (the interview asks it like a fact)."""

    name: str
    type: str
    question: str
    stage: str
    label: str
    help: str = ""
    why: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    # the attributes a Fact has, so screens and answers treat both alike
    min: int | None = None
    max: int | None = None
    controlled_by: str = "history"
    group: str = "indicators"

    def describe(self, value: Any) -> str:
        if value is None:
            return "unknown"
        if self.type == "bool":
            return "yes" if value else "no"
        if self.type == "set":
            members = [self.values[m] for m in self.values if m in value]
            return ", ".join(members) if members else "none"
        return self.values.get(value, str(value))

    def to_yaml_value(self, value: Any) -> Any:
        if self.type == "set":
            return [member for member in self.values if member in value]
        return value


@dataclass(frozen=True)
class Test:
    """`Q`, `Q is no`, `Q has V`, `Q lacks V`, `Q is V`: one condition of a rule."""

    question: str
    op: str  # "yes", "no", "has", "lacks", "is"
    value: str = ""

    def holds(self, answers: Answers) -> bool | None:
        """True or False once the question is answered; None while it is not."""
        if self.question not in answers:
            return None
        answer = answers[self.question]
        if self.op == "yes":
            return answer is True
        if self.op == "no":
            return answer is False
        if self.op == "has":
            return self.value in answer
        if self.op == "lacks":
            return self.value not in answer
        return answer == self.value

    @property
    def ref(self) -> str:
        """How the answer is named in a scenario's `derived:` list."""
        if self.op in ("has", "is"):
            return f"{self.question}.{self.value}"
        if self.op == "lacks":
            return f"{self.question}.not.{self.value}"
        return self.question if self.op == "yes" else f"{self.question}.no"


@dataclass(frozen=True)
class Rule:
    fact: str
    value: Any  # bool for a bool fact, a member for a set fact, a value for an enum
    effect: str
    when: tuple[Test, ...]
    citation: str
    because: str
    verification: str | None = None

    def holds(self, answers: Answers) -> bool | None:
        """Kleene conjunction of the tests: False as soon as one fails."""
        results = [test.holds(answers) for test in self.when]
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True


@dataclass
class Derivation:
    """What a set of indicator answers makes of the legal facts."""

    facts: dict[str, Any] = field(default_factory=dict)  # given legal facts
    # fact -> value (bool, member) -> the answers that gave it, as refs
    given: dict[str, dict[Any, list[str]]] = field(default_factory=dict)
    suggested: dict[str, dict[Any, list[str]]] = field(default_factory=dict)
    rules: dict[tuple[str, Any], list[Rule]] = field(default_factory=dict)  # what fired


class Indicators:
    """The indicator questions and the rules from their answers to legal facts."""

    def __init__(
        self, questions: Mapping[str, IndicatorQuestion], rules: Iterable[Rule], path: str = ""
    ) -> None:
        self.questions = dict(questions)
        self.rules = list(rules)
        self.path = path

    def __contains__(self, name: object) -> bool:
        return name in self.questions

    def __getitem__(self, name: str) -> IndicatorQuestion:
        return self.questions[name]

    def targets(self) -> set[str]:
        """The legal facts some rule derives."""
        return {rule.fact for rule in self.rules}

    def rules_for(self, fact: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.fact == fact]

    def serves(self, question: str) -> list[str]:
        """The legal facts an indicator question can give or suggest."""
        found: dict[str, None] = {}
        for rule in self.rules:
            if any(test.question == question for test in rule.when):
                found.setdefault(rule.fact, None)
        return list(found)

    def useful(self, fact: str, answers: Answers, unknown: Iterable[str] = ()) -> list[str]:
        """Unanswered indicator questions that could still give or suggest `fact`, in
        catalogue order: each appears in a rule for the fact that no answer has made
        fail yet."""
        skip = set(unknown) | set(answers)
        found: set[str] = set()
        for rule in self.rules_for(fact):
            if rule.holds(answers) is False:
                continue
            found.update(t.question for t in rule.when if t.question not in skip)
        return [name for name in self.questions if name in found]

    def derive(self, answers: Answers, vocabulary: Vocabulary) -> Derivation:
        """Legal facts given by the answers (a fact given both true and false is left
        unknown), and the ones only suggested, each with the answers behind it."""
        result = Derivation()
        bool_values: dict[str, set[Any]] = {}
        for rule in self.rules:
            if rule.holds(answers) is not True:
                continue
            refs = [test.ref for test in rule.when]
            target = result.given if rule.effect == "gives" else result.suggested
            found = target.setdefault(rule.fact, {}).setdefault(rule.value, [])
            found.extend(ref for ref in refs if ref not in found)
            result.rules.setdefault((rule.fact, rule.value), []).append(rule)
            if rule.effect == "gives":
                bool_values.setdefault(rule.fact, set()).add(rule.value)
        for fact, values in bool_values.items():
            kind = vocabulary[fact].type
            if kind == "set":
                result.facts[fact] = frozenset(values)
            elif len(values) == 1:
                result.facts[fact] = next(iter(values))
            else:  # contradictory answers: nothing is given, the trainee is asked
                result.given.pop(fact, None)
        # a suggestion of a value that is given supports it: its answers are listed
        # after the ones that gave it ("coercion: threats to the family; passport taken")
        for fact, suggested in list(result.suggested.items()):
            for value in list(suggested):
                if value in result.given.get(fact, {}):
                    refs = result.given[fact][value]
                    refs.extend(ref for ref in suggested.pop(value) if ref not in refs)
            if not suggested:
                del result.suggested[fact]
        return result

    def ref_label(self, ref: str) -> str:
        """'control_signs.threats_family' -> 'threats to hurt the family, ...'."""
        parts = ref.split(".")
        question = self.questions.get(parts[0])
        if question is None:
            return ref
        if len(parts) == 1:
            return question.label
        if parts[1] == "no" and len(parts) == 2:
            return f"{question.label}: no"
        if parts[1] == "not" and len(parts) == 3:
            return f"not {question.values.get(parts[2], parts[2])}"
        return question.values.get(parts[1], ref)

    def validate(self, node: Node) -> Answers:
        """A scenario's `indicators:` mapping; null means "asked, nobody knows"."""
        if node.value is None:
            return {}
        answers: Answers = {}
        for name, child in node.entries(what="mapping of indicator questions to answers"):
            if name not in self.questions:
                raise child.fail(f"unknown indicator question{did_you_mean(name, self.questions)}")
            if child.value is None:
                continue
            question = self.questions[name]
            if question.type == "bool":
                answers[name] = child.boolean()
            elif question.type == "enum":
                answers[name] = child.choice(question.values, what=f"{name} value")
            else:
                answers[name] = frozenset(
                    item.choice(question.values, what=f"{name} value")
                    for item in child.elements(what=f"list of {name} values")
                )
        return answers

    def json_schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for name, q in self.questions.items():
            schema: dict[str, Any]
            if q.type == "bool":
                schema = {"type": "boolean"}
            elif q.type == "enum":
                schema = {"enum": list(q.values)}
            else:
                schema = {"type": "array", "uniqueItems": True, "items": {"enum": list(q.values)}}
            properties[name] = {"anyOf": [schema, {"type": "null"}], "description": q.question}
        return properties


def load_indicators(path: str | Path, vocabulary: Vocabulary) -> Indicators:
    """Load and check `indicators.yaml` against the fact vocabulary."""
    doc = yamlfile.load(path)
    top = root(doc, RuleError)
    top.mapping(required=("questions", "derive"), what="indicator file")
    questions: dict[str, IndicatorQuestion] = {}
    for name, node in top.child("questions").entries(what="mapping of indicator questions"):
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise node.fail("indicator names are lower_case_with_underscores")
        if name in vocabulary:
            raise node.fail(f"`{name}` is a fact of facts.yaml; an indicator needs its own name")
        node.mapping(
            required=("type", "stage", "label", "question"),
            optional=("help", "why", "values"),
            what="indicator question",
        )
        kind = node.child("type").choice(INDICATOR_TYPES, what="indicator type")
        values: dict[str, str] = {}
        if kind != "bool":
            if not node.has("values"):
                raise node.fail(f"a {kind} indicator needs `values`")
            for value, label in node.child("values").entries(what="mapping of value -> label"):
                if not VALUE_PATTERN.match(value):
                    raise label.fail("values are lower_case_with_underscores")
                values[value] = label.text()
        elif node.has("values"):
            raise node.fail("a bool indicator takes no `values`", "values")
        questions[name] = IndicatorQuestion(
            name=name,
            type=kind,
            question=node.child("question").text(),
            stage=node.child("stage").choice(STAGES, what="stage"),
            label=node.child("label").text(),
            help=node.child("help").text() if node.has("help") else "",
            why=node.child("why").text() if node.has("why") else "",
            values=values,
        )
    rules = [
        _rule(item, questions, vocabulary)
        for item in top.child("derive").elements(what="list of rules", allow_empty=False)
    ]
    return Indicators(questions, rules, str(path))


def _rule(node: Node, questions: Mapping[str, IndicatorQuestion], vocabulary: Vocabulary) -> Rule:
    node.mapping(
        required=("fact", "value", "effect", "when", "citation", "because"),
        optional=("verification",),
        what="derivation rule",
    )
    fact_name = node.child("fact").choice(vocabulary.names(), what="fact")
    fact = vocabulary[fact_name]
    value_node = node.child("value")
    value: Any
    if fact.type == "bool":
        value = value_node.boolean()
    elif fact.type in ("set", "enum"):
        value = value_node.choice(fact.values, what=f"{fact_name} value")
    else:
        raise node.fail(f"{fact_name} is a number: indicators derive yes/no and choices only")
    effect = node.child("effect").choice(EFFECTS, what="effect")
    verification = (
        node.child("verification").choice(VERIFICATION, what="verification tag")
        if node.has("verification")
        else None
    )
    if verification == "U" and effect == "gives":
        raise node.fail("an unverified ([U]) rule may only suggest, not give", "effect")
    tests = []
    for item in node.child("when").elements(what="list of tests", allow_empty=False):
        text = item.text()
        match = _TEST.match(text)
        if not match or match.group("q") not in questions:
            name = match.group("q") if match else text
            raise item.fail(
                f"unknown test {describe(text)}{did_you_mean(name, questions)}; expected "
                "`Q`, `Q is no`, `Q has V`, `Q lacks V` or `Q is V` with Q an indicator question"
            )
        question = questions[match.group("q")]
        op, member = match.group("op"), match.group("v") or ""
        if question.type == "bool":
            if op not in (None, "is") or (op == "is" and member not in ("yes", "no")):
                raise item.fail(
                    f"{question.name} is yes/no: write `{question.name}` or `... is no`"
                )
            op = "no" if member == "no" else "yes"
            member = ""
        elif question.type == "set" and op not in ("has", "lacks"):
            raise item.fail(f"{question.name} is a choice of several: use `has` or `lacks`")
        elif question.type == "enum" and op != "is":
            raise item.fail(f"{question.name} is one choice: use `is`")
        if member and member not in question.values:
            raise item.fail(
                f"unknown {question.name} value {member!r}{did_you_mean(member, question.values)}"
            )
        tests.append(Test(question.name, op, member))
    return Rule(
        fact=fact_name,
        value=value,
        effect=effect,
        when=tuple(tests),
        citation=node.child("citation").text(),
        because=node.child("because").text(),
        verification=verification,
    )
