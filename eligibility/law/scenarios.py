"""Scenario files: load and validate against the vocabulary, save.

Their JSON Schema (`eligibility schema`) is law/scenario_schema.py.

Why one module of over 400 lines: it reads and writes one file format, and the keys the
reader accepts (facts, findings, family members, expectations, the interview's record)
are the keys the writer emits; kept side by side, the two stay in step.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, ScenarioError, UsageError, did_you_mean
from . import yamlfile
from .fields import DATE_PATTERN, ID_PATTERN, Node, describe, parse_date, root
from .logic import STATUS_NAMES
from .vocabulary import Facts, Vocabulary

SCENARIO_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
# ids of generated scenarios: gen-SEED-INDEX (compare --generate), col-SEED-INDEX (the
# column-wise stream); see population/generate.py and population/columns.py
GENERATED_ID = re.compile(r"(gen|col)-([0-9]+)-([0-9]+)\Z")
TOP_KEYS = (
    "id",
    "title",
    "description",
    "as_of",
    "facts",
    "findings",
    "family_members",
    "expect",
    "source",
    "tags",
)
# written by `eligibility interview` (issue 18); additive, every one optional
INTERVIEW_KEYS = ("indicators", "derived", "notes", "interview")
INTERVIEW_META = ("saved", "rule_set", "as_of")
# interview.earlier: the records of the sessions before the last, oldest first (a case
# resumed with `interview --from` keeps when and under which rule set it was answered)
EARLIER = "earlier"
EXPECT_KEYS = ("status", "law_enforcement_gated", "missing_facts")
FINDING_KEYS = ("found", "by", "date", "note")
# What a decision-maker can find of a fact. Only "not established" so far: the fact was
# not proved to the decision-maker's satisfaction, which is not the same as known false.
FINDING_KINDS = ("not_established",)


@dataclass(frozen=True)
class Finding:
    """A decision-maker's finding on a yes/no fact (`findings:` in a scenario file).

    A fact found "not established" is evaluated as not met for that decision (the value
    false), and results say that it rests on a finding, not on a fact: a denied case
    reads differently from one where the thing did not happen."""

    fact: str
    found: str  # one of FINDING_KINDS
    by: str  # who decided: "USCIS", "an immigration judge", "the AAO" ...
    date: dt.date | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fact": self.fact, "found": self.found, "by": self.by}
        if self.date:
            out["date"] = self.date.isoformat()
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Expectation:
    """What a scenario expects of one provision under one rule set (and date)."""

    status: str
    law_enforcement_gated: bool | None = None
    missing_facts: tuple[str, ...] | None = None


# family_members: each key is a fact of the vocabulary without its `member_` prefix
MEMBER_PREFIX = "member_"


@dataclass(frozen=True)
class FamilyMember:
    """One family member of the principal (`family_members:` in a scenario file): an id
    and the member_ facts, evaluated together with the principal's facts."""

    id: str
    facts: Facts

    def to_yaml(self, vocabulary: Vocabulary) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        for name, value in vocabulary.to_yaml(self.facts).items():
            out[name[len(MEMBER_PREFIX) :]] = value
        return out


@dataclass
class Scenario:
    id: str
    facts: Facts
    title: str = ""
    description: str = ""
    as_of: dt.date | None = None
    # "us-law" or "us-law@2002-06-01" -> provision -> expectation
    expect: dict[str, dict[str, Expectation]] = field(default_factory=dict)
    source: str = ""
    tags: tuple[str, ...] = ()
    path: str = ""
    # facts given as null: asked, and nobody knows yet (a resumed interview offers to
    # ask them again)
    asked_unknown: tuple[str, ...] = ()
    # indicator answers (rules/indicators.yaml); those given as null
    indicators: dict[str, Any] = field(default_factory=dict)
    indicators_unknown: tuple[str, ...] = ()
    # legal fact -> value -> the indicator answers it was derived from (as refs:
    # "control_signs.threats_family"); the facts themselves are in `facts`
    derived: dict[str, dict[Any, list[str]]] = field(default_factory=dict)
    # fact or indicator question -> the trainee's note
    notes: dict[str, str] = field(default_factory=dict)
    # when, and under which rule set and date, an interview saved it
    interview: dict[str, str] = field(default_factory=dict)
    # the records of earlier interview sessions of this case, oldest first
    earlier_interviews: tuple[dict[str, str], ...] = ()
    # facts a decision-maker found not established (evaluated as false, said so)
    findings: tuple[Finding, ...] = ()
    # the principal's family members, each evaluated with the principal's facts
    family_members: tuple[FamilyMember, ...] = ()

    def evaluated_facts(self) -> Facts:
        """The facts as evaluated: the stated facts, and every fact found not
        established as false."""
        if not self.findings:
            return self.facts
        return {**self.facts, **{f.fact: False for f in self.findings}}


def parse_scenario(doc: yamlfile.Document, vocabulary: Vocabulary) -> Scenario:
    top = root(doc, ScenarioError)
    top.mapping(
        required=("id", "facts"), optional=TOP_KEYS + INTERVIEW_KEYS, what="scenario (a mapping)"
    )
    sid = top.child("id").value
    if not isinstance(sid, str) or not SCENARIO_ID.match(sid):
        raise top.child("id").fail(
            f"expected an id of lower-case letters, digits and '-', got {describe(sid)}"
        )
    facts = vocabulary.validate(top.child("facts"))
    facts_node = top.child("facts").value
    asked_unknown = (
        tuple(name for name, value in facts_node.items() if value is None)
        if isinstance(facts_node, dict)
        else ()
    )
    findings = _findings(top, vocabulary, facts) if top.has("findings") else ()
    members = _family_members(top, vocabulary) if top.has("family_members") else ()
    expect: dict[str, dict[str, Expectation]] = {}
    if top.has("expect"):
        for rule_set, per_set in top.child("expect").entries(
            what="mapping of rule set -> provision -> status"
        ):
            name, _, date = rule_set.partition("@")
            if not ID_PATTERN.match(name) or (date and not DATE_PATTERN.match(date)):
                raise per_set.fail("expected RULE_SET or RULE_SET@YYYY-MM-DD")
            if date:
                try:
                    parse_date(date)
                except ValueError as exc:
                    raise per_set.fail(str(exc)) from None
            expect[rule_set] = {
                pid: _expectation(node, vocabulary)
                for pid, node in per_set.entries(what="mapping of provision -> status")
            }
    return Scenario(
        id=sid,
        facts=facts,
        title=top.child("title").text() if top.has("title") else "",
        description=top.child("description").text() if top.has("description") else "",
        as_of=top.child("as_of").date() if top.has("as_of") else None,
        expect=expect,
        source=top.child("source").text() if top.has("source") else "",
        tags=tuple(top.child("tags").text_list()) if top.has("tags") else (),
        path=doc.path,
        asked_unknown=asked_unknown,
        findings=findings,
        family_members=members,
        **_interview_parts(top, vocabulary),
    )


def _interview_parts(top: Node, vocabulary: Vocabulary) -> dict[str, Any]:
    """The keys `eligibility interview` writes: indicators, derived, notes, interview."""
    parts: dict[str, Any] = {}
    indicators = vocabulary.indicators
    if top.has("indicators"):
        node = top.child("indicators")
        if indicators is None:
            raise node.fail("this rules directory has no indicators.yaml")
        parts["indicators"] = indicators.validate(node)
        if isinstance(node.value, dict):
            parts["indicators_unknown"] = tuple(n for n, v in node.value.items() if v is None)
    if top.has("derived"):
        derived: dict[str, dict[Any, list[str]]] = {}
        for name, node in top.child("derived").entries(what="mapping of fact -> value -> answers"):
            if name not in vocabulary:
                raise node.fail(f"unknown fact{did_you_mean(name, vocabulary.names())}")
            fact = vocabulary[name]
            for value, refs in node.entries(what="mapping of value -> list of answers"):
                key: Any = value
                if fact.type == "bool":
                    if value not in ("yes", "no", True, False):
                        raise refs.fail("expected yes or no as the value of a yes/no fact")
                    key = value in ("yes", True)
                elif value not in fact.values:
                    raise refs.fail(f"unknown {name} value{did_you_mean(str(value), fact.values)}")
                derived.setdefault(name, {})[key] = refs.text_list()
        parts["derived"] = derived
    if top.has("notes"):
        known = set(vocabulary.names()) | set(indicators.questions if indicators else ())
        notes = {}
        for name, node in top.child("notes").entries(what="mapping of question -> note"):
            if name not in known:
                raise node.fail(f"unknown question{did_you_mean(name, sorted(known))}")
            notes[name] = node.text()
        parts["notes"] = notes
    if top.has("interview"):
        node = top.child("interview")
        node.mapping(optional=(*INTERVIEW_META, EARLIER), what="interview record")
        parts["interview"] = {
            key: str(node.child(key).value) for key in INTERVIEW_META if node.has(key)
        }
        if node.has(EARLIER):
            earlier = []
            for item in node.child(EARLIER).elements(what="list of interview records"):
                item.mapping(optional=INTERVIEW_META, what="interview record")
                earlier.append(
                    {key: str(item.child(key).value) for key in INTERVIEW_META if item.has(key)}
                )
            parts["earlier_interviews"] = tuple(earlier)
    return parts


def _family_members(top: Node, vocabulary: Vocabulary) -> tuple[FamilyMember, ...]:
    """`family_members: [{id: ID, relationship: ..., age_at_filing: N, ...}]`: each key is
    a member_ fact without its prefix, validated like any fact."""
    keys = tuple(n[len(MEMBER_PREFIX) :] for n in vocabulary.names() if n.startswith(MEMBER_PREFIX))
    out: list[FamilyMember] = []
    seen: set[str] = set()
    for item in top.child("family_members").elements(what="list of family members"):
        item.mapping(required=("id", "relationship"), optional=("id", *keys), what="family member")
        mid = item.child("id").value
        if not isinstance(mid, str) or not SCENARIO_ID.match(mid) or mid in seen:
            raise item.child("id").fail(
                f"expected a new id of lower-case letters, digits and '-', got {describe(mid)}"
            )
        seen.add(mid)
        renamed = {MEMBER_PREFIX + k: v for k, v in item.value.items() if k != "id"}
        facts = vocabulary.validate(Node(item.doc, renamed, item.path, ScenarioError))
        out.append(FamilyMember(id=mid, facts=facts))
    return tuple(out)


def _findings(top: Node, vocabulary: Vocabulary, facts: Facts) -> tuple[Finding, ...]:
    """`findings: {FACT: {found: not_established, by: WHO, date: D, note: TEXT}}`."""
    out = []
    bool_facts = [name for name in vocabulary.names() if vocabulary[name].type == "bool"]
    for name, node in top.child("findings").entries(what="mapping of fact -> finding"):
        key = Node(top.doc, name, node.path, ScenarioError)
        key.choice(bool_facts, what="yes/no fact (findings are made on yes/no facts)")
        if name in facts:
            raise node.fail(
                f"{name} is both a fact and a finding: a finding says the fact was not "
                "established, so leave it out of `facts`"
            )
        node.mapping(required=("found", "by"), optional=FINDING_KEYS, what="finding")
        out.append(
            Finding(
                fact=name,
                found=node.child("found").choice(FINDING_KINDS, what="finding"),
                by=node.child("by").text(),
                date=node.child("date").date() if node.has("date") else None,
                note=node.child("note").text() if node.has("note") else "",
            )
        )
    return tuple(out)


def _expectation(node: Node, vocabulary: Vocabulary) -> Expectation:
    if isinstance(node.value, str) or node.value is None:
        return Expectation(node.choice(STATUS_NAMES, what="status"))
    node.mapping(required=("status",), optional=EXPECT_KEYS, what="expectation")
    missing = None
    if node.has("missing_facts"):
        missing = tuple(
            item.choice(vocabulary.names(), what="fact")
            for item in node.child("missing_facts").elements()
        )
    return Expectation(
        status=node.child("status").choice(STATUS_NAMES, what="status"),
        law_enforcement_gated=node.child("law_enforcement_gated").boolean()
        if node.has("law_enforcement_gated")
        else None,
        missing_facts=missing,
    )


def load_scenario(path: str | os.PathLike[str], vocabulary: Vocabulary) -> Scenario:
    """Load and validate one scenario file."""
    try:
        doc = yamlfile.load(path)
    except InputError as exc:
        hint = generated_hint(str(path))
        if hint and not Path(path).exists():
            raise InputError(f"{exc.message}{hint}", path=exc.path) from None
        raise
    return parse_scenario(doc, vocabulary)


def generated_hint(name: str) -> str:
    """For a file that does not exist but is named like a generated scenario: how to
    write it (`eligibility generate`), or ''."""
    sid = Path(name).name.removesuffix(".yaml")
    found = GENERATED_ID.match(sid)
    if found is None:
        return ""
    kind, seed, index = found.groups()
    stream = " --stream columns" if kind == "col" else ""
    return (
        f"; {sid} is the id of a generated scenario (seed {seed}, number {index}): write "
        f"it with `eligibility generate 1 --seed {seed} --start {index}{stream} --out DIR` "
        f"(adding the --distribution it was drawn from, unless that was the default), "
        f"then use DIR/{sid}.yaml"
    )


def scenario_paths(arguments: Iterable[str]) -> list[Path]:
    """Files named on the command line; directories give their *.yaml/*.yml/*.json."""
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
            )
            if not found:
                raise UsageError(f"{argument}: no scenario files (*.yaml) in this directory")
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        else:
            raise InputError(f"no such file or directory{generated_hint(argument)}", path=argument)
    return paths


def iter_scenarios(arguments: Iterable[str], vocabulary: Vocabulary) -> Iterator[Scenario]:
    for path in scenario_paths(arguments):
        yield load_scenario(path, vocabulary)


def scenario_document(
    scenario: Scenario, vocabulary: Vocabulary, unknown: Iterable[str] = ()
) -> dict[str, Any]:
    """The plain data of a scenario file. `unknown` facts are saved as null, meaning
    "asked, and nobody knows yet"."""
    data: dict[str, Any] = {"id": scenario.id}
    if scenario.title:
        data["title"] = scenario.title
    if scenario.description:
        data["description"] = scenario.description
    if scenario.as_of:
        data["as_of"] = scenario.as_of.isoformat()
    facts = vocabulary.to_yaml(scenario.facts)
    for name in vocabulary.names():
        if name in unknown and name not in facts:
            facts[name] = None
    data["facts"] = {name: facts[name] for name in vocabulary.names() if name in facts}
    if scenario.family_members:
        data["family_members"] = [m.to_yaml(vocabulary) for m in scenario.family_members]
    if scenario.findings:
        data["findings"] = {
            f.fact: {k: v for k, v in f.to_dict().items() if k != "fact"} for f in scenario.findings
        }
    return data


def kept_document(scenario: Scenario) -> dict[str, Any]:
    """The keys of a scenario file that neither the facts nor an interview write
    (expectations, source, tags): kept when a resumed case is saved again."""
    data: dict[str, Any] = {}
    if scenario.expect:
        data["expect"] = {
            rule_set: {pid: _expectation_yaml(e) for pid, e in per_set.items()}
            for rule_set, per_set in scenario.expect.items()
        }
    if scenario.source:
        data["source"] = scenario.source
    if scenario.tags:
        data["tags"] = list(scenario.tags)
    return data


def _expectation_yaml(expectation: Expectation) -> Any:
    if expectation.law_enforcement_gated is None and expectation.missing_facts is None:
        return expectation.status
    out: dict[str, Any] = {"status": expectation.status}
    if expectation.law_enforcement_gated is not None:
        out["law_enforcement_gated"] = expectation.law_enforcement_gated
    if expectation.missing_facts is not None:
        out["missing_facts"] = list(expectation.missing_facts)
    return out


def interview_document(
    scenario: Scenario, vocabulary: Vocabulary, *, saved: dt.datetime | None, rule_set: str
) -> dict[str, Any]:
    """The keys an interview adds to a scenario file, in the order they are written."""
    data: dict[str, Any] = {}
    indicators = vocabulary.indicators
    if indicators is not None and (scenario.indicators or scenario.indicators_unknown):
        answers: dict[str, Any] = {}
        for name, question in indicators.questions.items():
            if name in scenario.indicators:
                answers[name] = question.to_yaml_value(scenario.indicators[name])
            elif name in scenario.indicators_unknown:
                answers[name] = None
        data["indicators"] = answers
    if scenario.derived:
        data["derived"] = {
            fact: {
                ("yes" if value is True else "no" if value is False else str(value)): list(refs)
                for value, refs in values.items()
            }
            for fact, values in scenario.derived.items()
        }
    if scenario.notes:
        data["notes"] = dict(scenario.notes)
    meta: dict[str, str] = {}
    if saved is not None:
        meta["saved"] = saved.isoformat()
    if rule_set:
        meta["rule_set"] = rule_set
    if scenario.as_of:
        meta["as_of"] = scenario.as_of.isoformat()
    if meta and scenario.earlier_interviews:
        meta[EARLIER] = [dict(record) for record in scenario.earlier_interviews]  # type: ignore[assignment]
    if meta:
        data["interview"] = meta
    return data


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=88, default_flow_style=None
    )
