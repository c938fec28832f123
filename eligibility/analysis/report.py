"""The `explain` report as data: what the screen, the handout and `--format json` show.

Built from one result, in the reader's words: per provision a card (status, the
elements as a checklist, the deciding reason, what is still to find out, the steps that
apply), one section on where the outcome depends on law enforcement (each blocking
element with the one critique that fits it, never repeated), the next steps, the
questions to ask and the open points of law, and, for `--full`, the element trees and
what would change each outcome. No fact name, reading code or brief section reaches the
default screen: facts are shown by their label, statement or interview question
(rules/facts.yaml), readings by their plain title (rules/readings.yaml).

Why one module of over 400 lines: the card, the dependency section and the steps share
one vocabulary of the reader's words and one rule that nothing is said twice; split,
each part would need to know what the others already said.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..law.conditions import MET, NOT_MET, STATUS_NAMES, UNDETERMINED, Plan
from ..law.guidance import Reading, Step, reading_ids
from ..law.rulebook import RuleBook
from ..law.scenarios import Scenario
from ..law.vocabulary import Fact, Facts, Vocabulary
from .evaluate import Element, ProvisionResult, Result
from .next_steps import next_steps
from .whatif import law_routes, routes_to_met

MAX_REASON_LEAVES = 3  # leaves named in one provision's reason

CONTROLLER_WORDS = {
    "law_enforcement": "law enforcement decides",
    "person": "the person's own step",
    "adjudicator": "USCIS, HHS or a judge decides",
    "history": "what happened",
}
LEVEL_WORDS = {
    "gated": "depends on law enforcement",
    "possibly_gated": "may depend on law enforcement",
    "relies_on": "rests on law enforcement",
    "independent": "",
}
_REQUIREMENT = {"lt": "under {}", "le": "{} or under", "gt": "over {}", "ge": "{} or over"}


# Statements in rules/facts.yaml describe the person with a verb phrase ("has reported to
# law enforcement") or stand alone ("a certifying official signed ..."); a verb phrase
# reads as a sentence with "the person" in front.
PERSON_VERBS = ("has", "is", "was", "would", "cannot", "can", "suffered", "did", "does", "had")


def with_subject(statement: str) -> str:
    """'has reported ...' -> 'the person has reported ...'; full clauses unchanged."""
    first = statement.split(" ", 1)[0]
    return f"the person {statement}" if first in PERSON_VERBS else statement


def describe_value(vocabulary: Vocabulary, fact: str, value: Any) -> str:
    """A value as a person reads it: 'yes', 'U.S. citizen', 'force, fraud', 'none'."""
    return vocabulary[fact].describe(value)


# ------------------------------------------------------------------ one provision


class _Provision:
    """Builds one provision's part of the report from the plan and its statuses."""

    def __init__(self, result: Result, book: RuleBook, pid: str) -> None:
        self.result = result
        self.plan: Plan = result.book.plan
        self.statuses = result.node_statuses(pid)
        self.facts: Facts = result.facts_for(pid)
        self.vocabulary = book.vocabulary
        self.readings = book.readings
        self.p: ProvisionResult = result.provisions[pid]
        self.root = self.plan.roots[pid]

    # -- the checklist and the reason ------------------------------------------------
    def elements(self) -> list[dict[str, str]]:
        node = self.plan.nodes[self.root]
        if node.condition.kind not in ("all", "any"):
            return []
        out = []
        for i in node.children:
            element: dict[str, Any] = {
                "id": self.plan.nodes[i].condition.id,
                "short": self._label(i),
                "status": STATUS_NAMES[self.statuses[i]],
            }
            if self.statuses[i] == NOT_MET:  # what decides it, in the person's terms
                element["details"] = self._details(i)
                # the part law enforcement controls is told once, where the report says
                # what depends on law enforcement; the card keeps the rest
                element["law_enforcement"] = any(
                    self.plan.nodes[leaf].condition.fact in self.plan.dependency_facts
                    for leaf in self._deciding_leaves(i)
                )
                element["other_details"] = self._details(i, law_enforcement=False)
            out.append(element)
        return out

    def reason(self) -> str:
        p, node = self.p, self.plan.nodes[self.root]
        if not p.applicable:
            return f"not applicable: {p.not_applicable_reason}"
        status, kind = self.statuses[self.root], node.condition.kind
        if kind not in ("all", "any"):
            return node.condition.text
        children = node.children
        if status == MET:
            if kind == "any":
                met = [i for i in children if self.statuses[i] == MET]
                return "met through: " + self._label(met[0])
            return "every element is met"
        if status == NOT_MET:
            failing = [i for i in children if self.statuses[i] == NOT_MET]
            if kind == "any":
                return "no route is met: " + "; ".join(self._explain(i) for i in failing[:2])
            return "; ".join(self._explain(i) for i in failing[:2])
        open_ = [i for i in children if self.statuses[i] == UNDETERMINED]
        return "still open: " + ", ".join(self._label(i) for i in open_)

    def _label(self, index: int) -> str:
        c = self.plan.nodes[index].condition
        return c.short or c.text

    def _explain(self, index: int) -> str:
        """'cooperated, or exempt (has not reported to law enforcement; age when
        trafficked: 16, needs under 15)': an element and the leaves that decide it."""
        details = self._details(index)
        label = self._label(index)
        return f"{label} ({'; '.join(details)})" if details else label

    def _details(self, index: int, *, law_enforcement: bool = True) -> list[str]:
        """The leaves that decide an element, in the person's terms (at most a few);
        without those testing a law-enforcement fact when law_enforcement=False."""
        label = self._label(index)
        leaves = [
            i
            for i in self._deciding_leaves(index)
            if law_enforcement
            or self.plan.nodes[i].condition.fact not in self.plan.dependency_facts
        ]
        words = [self._leaf_words(i) for i in leaves[:MAX_REASON_LEAVES]]
        return [w for w in dict.fromkeys(words) if w and w != label]

    def _deciding_leaves(self, index: int) -> list[int]:
        """Leaves whose status explains the node's, followed down while a child has the
        status its parent has (swapped under `not`)."""
        found: list[int] = []
        stack = [(index, self.statuses[index])]
        while stack:
            i, wanted = stack.pop()
            node = self.plan.nodes[i]
            kind = node.condition.kind
            if kind in ("all", "any"):
                stack.extend(
                    (c, wanted) for c in reversed(node.children) if self.statuses[c] == wanted
                )
            elif kind == "not":
                swapped = {MET: NOT_MET, NOT_MET: MET}.get(wanted, wanted)
                stack.append((node.children[0], swapped))
            else:
                found.append(i)
        return found

    def _leaf_words(self, index: int) -> str:
        c = self.plan.nodes[index].condition
        if c.kind == "fact" and c.fact:
            fact = self.vocabulary[c.fact]
            value = self.facts.get(c.fact)
            if value is None:
                return f"{fact.label}: not known yet"
            finding = self.result.findings.get(c.fact)
            if finding is not None:  # a decision on the evidence, not a known fact
                return f"{fact.label}: found not established by {finding.by}"
            if fact.type == "int" and c.op in _REQUIREMENT:
                return f"{fact.label}: {value}, needs {_REQUIREMENT[c.op].format(c.value)}"
            return fact.statement(value)
        if c.kind == "provision" and c.provision in self.result.provisions:
            other = self.result.provisions[c.provision]
            return (
                c.short or f"{other.title}: {STATUS_NAMES[self.statuses[index]].replace('_', ' ')}"
            )
        if c.kind == "open_question":
            reading = self.readings.get(c.question or "")
            return f"open point of law: {reading.title}" if reading else c.text
        return c.short or c.text

    # -- what is still to find out ------------------------------------------------------
    def questions(self, refines: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]]:
        missing = [(f, False) for f in self.p.missing_facts] + [
            (f, True) for f in self.p.missing_facts_behind_blockers
        ]
        unknown = {f for f, _ in missing}
        out = []
        for fact, behind in missing:
            definition: Fact = self.vocabulary[fact]
            out.append(
                {
                    "fact": fact,
                    "label": definition.label,
                    "question": definition.question,
                    "help": definition.help,
                    "why": definition.why,
                    "behind_blockers": behind,
                    # the facts to find out first, of which this one is a detail
                    "refines": [f for f in refines.get(fact, ()) if f in unknown],
                }
            )
        return out

    def open_points(self) -> list[dict[str, Any]]:
        """Open points of law that keep the status undetermined, each with what it
        matters for: the other unmet elements beside it (an open point in a branch that
        a known fact rules out is not reported at all)."""
        points = []
        for index in self._open_question_nodes():
            c = self.plan.nodes[index].condition
            reading = self.readings.get(c.question or "")
            points.append(
                {
                    "id": c.question,
                    "title": reading.title if reading else c.text,
                    "adopted": reading.adopted if reading else "",
                    "citations": list(reading.citations) if reading else [c.citation],
                    "verification": reading.verification if reading else c.verification,
                    "matters_if": self._matters_if(index),
                }
            )
        return points

    def _open_question_nodes(self) -> list[int]:
        found: list[int] = []
        stack, seen = [self.root], set()
        while stack:
            i = stack.pop()
            if i in seen or self.statuses[i] != UNDETERMINED:
                continue
            seen.add(i)
            node = self.plan.nodes[i]
            if node.condition.kind == "open_question":
                found.append(i)
            elif node.condition.kind == "provision":
                stack.append(node.target)  # type: ignore[arg-type]
            else:
                stack.extend(reversed(node.children))
        return found

    def _matters_if(self, index: int) -> list[str]:
        parent = self.plan.parent(index)
        if parent is None or self.plan.nodes[parent].condition.kind != "all":
            return []
        return [
            self._test_words(sibling)
            for sibling in self.plan.nodes[parent].children
            if sibling != index and self.statuses[sibling] != MET
        ]

    def _test_words(self, index: int) -> str:
        """What a leaf asks for, as a statement: 'there is substantial reason to believe
        the person committed an act of trafficking'."""
        c = self.plan.nodes[index].condition
        if c.kind == "fact" and c.fact and c.op == "is":
            return with_subject(self.vocabulary[c.fact].statement(c.value))
        return _lower_first(c.short or c.text)

    # -- law enforcement ----------------------------------------------------------------
    def dependency(self, shown_critiques: set[str]) -> dict[str, Any]:
        p = self.p
        out: dict[str, Any] = {"level": p.law_enforcement, "words": LEVEL_WORDS[p.law_enforcement]}
        out["blockers"] = [self._element(e) for e in p.law_enforcement_blockers]
        out["relied_on"] = [self._element(e) for e in p.law_enforcement_relied_on]
        critiques = {c["id"]: c for c in self.result.critiques(p.id)}
        chosen = None
        for element in p.law_enforcement_blockers + p.law_enforcement_relied_on:
            if element.critique and element.critique not in shown_critiques:
                chosen = element.critique
                break
        if chosen is not None and chosen in critiques:
            shown_critiques.add(chosen)
            critique = critiques[chosen]
            out["critique"] = {k: critique[k] for k in critique if k != "conditions"}
        return out

    def _element(self, element: Element) -> dict[str, Any]:
        fact = self.vocabulary[element.fact]
        value = self.facts.get(element.fact)
        owner = next(
            (
                n.owner
                for n in self.plan.nodes
                if n.condition.id == element.id and not n.owner.startswith("note:")
            ),
            self.p.id,
        )
        return {
            "id": element.id,
            "label": fact.label,
            "provision": owner,  # the provision whose element it is (another, via a reference)
            "text": element.text,
            "now": fact.statement(value) if value is not None else f"{fact.label}: not known",
            "unknown": value is None,
            "needed": with_subject(
                fact.statement(self.plan.dependency_facts.get(element.fact, True))
            ),
            "controlled_by": element.controlled_by,
            "who": CONTROLLER_WORDS.get(element.controlled_by, element.controlled_by),
        }


# ------------------------------------------------------------------ the whole report


def build_report(
    result: Result,
    scenario: Scenario | None,
    *,
    book: RuleBook,
    compare_books: Iterable[RuleBook] = (),
    what_if: bool = True,
    vocabulary: Vocabulary | None = None,
    refines: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """The whole explain report for one result (plain data, JSON-ready). `refines`
    (rules/interview.yaml): a fact that only adds detail to others; while one of those
    is still to find out too, its question says so (`refines`), and the default screen
    leaves it to --full, as the interview leaves it for later."""
    vocabulary = vocabulary or book.vocabulary
    document = result.to_dict()
    plan = result.book.plan
    laws = [book, *compare_books]
    steps = next_steps(book.steps, result)
    shown_critiques: set[str] = set()
    provisions: dict[str, Any] = {}
    for pid, entry in document["provisions"].items():
        part = _Provision(result, book, pid)
        status = entry["status"]
        routes: dict[str, list[list[dict[str, Any]]]] = {
            "person": [],
            "law_enforcement": [],
            "adjudicator": [],
        }
        if what_if and status != "met" and entry["applicable"]:
            for route in routes_to_met(plan, vocabulary, result.facts, pid):
                routes[route.controller].append(
                    [
                        {
                            "fact": c.fact,
                            "label": vocabulary[c.fact].label,
                            "question": vocabulary[c.fact].question,
                            "from": describe_value(vocabulary, c.fact, c.before),
                            "to": describe_value(vocabulary, c.fact, c.value),
                            "controlled_by": c.controlled_by,
                        }
                        for c in route.changes
                    ]
                )
        law = []
        if what_if and laws:
            for found in law_routes(result.facts, pid, result.as_of, laws):
                law.append(
                    {
                        "rule_set": found.rule_set,
                        "from": found.start.isoformat() if found.start else None,
                        "until": found.end.isoformat() if found.end else None,
                        "status": found.status,
                    }
                )
        provisions[pid] = {
            **entry,
            # a later step (adjustment, family members) the person has not reached yet:
            # the default screen shows it as a table row only
            "later_step": not result.reached(pid),
            "reason": part.reason(),
            "elements": part.elements(),
            "questions": part.questions(refines or {}),
            "open_points": part.open_points(),
            "dependency": part.dependency(shown_critiques),
            "next_steps": [_step(s) for s in steps if s.provision == pid],
            "what_would_change": {**routes, "law": law},
        }
    report: dict[str, Any] = {k: document[k] for k in ("scenario", "rule_set", "as_of", "engine")}
    report["rule_set_title"] = book.title
    if scenario is not None:
        report["title"] = scenario.title
        report["description"] = scenario.description
    report["facts"] = {
        name: describe_value(vocabulary, name, result.facts[name])
        for name in vocabulary.names()
        if name in result.facts
    }
    # the same facts in words, for a reader who does not know the fact names
    report["facts_stated"] = [
        {"fact": name, "text": _stated(vocabulary, name, result)} for name in report["facts"]
    ]
    # where facts came from, and the trainee's notes (saved by `eligibility interview`)
    report["derived"] = _derived(scenario, vocabulary) if scenario is not None else []
    report["notes"] = _notes(scenario, vocabulary) if scenario is not None else []
    report["provisions"] = provisions
    report["next_steps"] = [_step(s) for s in steps]
    report["questions"] = _all_questions(provisions)
    report["readings"] = _readings_used(result, provisions, book.readings)
    return report


def _stated(vocabulary: Vocabulary, name: str, result: Result) -> str:
    """A fact in words; one found not established says so (it is not a known fact)."""
    fact = vocabulary[name]
    finding = result.findings.get(name)
    if finding is not None:
        return f"{fact.label}: found not established by {finding.by}"
    return fact.statement(result.facts[name])


_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


def _derived(scenario: Scenario, vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """Legal facts an interview derived from indicator answers, with those answers:
    "coercion: from threats to hurt the family; passport or ID taken"."""
    indicators = vocabulary.indicators
    found = []
    for name, values in scenario.derived.items():
        if name not in scenario.facts:  # edited out of the facts since: not used
            continue
        fact = vocabulary[name]
        for value, refs in values.items():
            # a set member in its own words: "coercion", "debt bondage"
            what = fact.statement(value) if fact.type == "bool" else str(value).replace("_", " ")
            found.append(
                {
                    "fact": name,
                    "value": value,
                    "text": what,
                    "from": [
                        _PARENTHESIS.sub("", indicators.ref_label(r)) if indicators else r
                        for r in refs
                    ],
                    # from the triage only (where, what happened): the short screen
                    # leaves these out, the story's signs are what a trainee checks
                    "triage": indicators is not None
                    and all(
                        r.split(".")[0] in indicators
                        and indicators[r.split(".")[0]].stage == "triage"
                        for r in refs
                    ),
                }
            )
    return found


def _notes(scenario: Scenario, vocabulary: Vocabulary) -> list[dict[str, str]]:
    indicators = vocabulary.indicators
    notes = []
    for name, note in scenario.notes.items():
        if name in vocabulary:
            label = vocabulary[name].label
        elif indicators is not None and name in indicators:
            label = indicators[name].label
        else:
            label = name
        notes.append({"question": name, "label": label, "note": note})
    return notes


def _lower_first(text: str) -> str:
    """'The person was coerced' -> 'the person was coerced' (not 'HHS finds' -> 'hHS')."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _step(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "kind": step.kind,
        "provision": step.provision,
        "text": step.text,
        "citation": step.citation,
        "reading": step.reading,
    }


def _all_questions(provisions: dict[str, Any]) -> list[dict[str, Any]]:
    """Every question still to ask, once, with the provisions it can change."""
    found: dict[str, dict[str, Any]] = {}
    for pid, p in provisions.items():
        for q in p["questions"]:
            entry = found.setdefault(q["fact"], {**q, "provisions": []})
            entry["provisions"].append(pid)
            entry["behind_blockers"] = entry["behind_blockers"] and q["behind_blockers"]
    return list(found.values())


def _readings_used(
    result: Result, provisions: dict[str, Any], readings: dict[str, Reading] | Any
) -> list[dict[str, Any]]:
    """The readings this report's outcomes rest on (for --full and the handout), in
    plain words: those named by the elements that decide each applicable provision's
    status (followed down while a child has its parent's status), by its open points of
    law and by the steps shown."""
    plan, statuses = result.book.plan, result.statuses
    ids: dict[str, None] = {}
    for pid, p in provisions.items():
        if not p["applicable"]:
            continue
        stack = [(plan.roots[pid], statuses[plan.roots[pid]])]
        while stack:
            index, wanted = stack.pop()
            node = plan.nodes[index]
            for rid in reading_ids(node.condition.reading or ""):
                ids.setdefault(rid, None)
            if node.condition.kind == "not":
                wanted = {MET: NOT_MET, NOT_MET: MET}.get(wanted, wanted)
            stack.extend((c, wanted) for c in node.children if statuses[c] == wanted)
        for point in p["open_points"]:
            if point["id"]:
                ids.setdefault(point["id"], None)
        for step in p["next_steps"]:
            if step["reading"]:
                ids.setdefault(step["reading"], None)
    return [
        {
            "id": rid,
            "title": readings[rid].title,
            "explanation": readings[rid].explanation,
            "adopted": readings[rid].adopted,
            "citations": list(readings[rid].citations),
            "verification": readings[rid].verification,
        }
        for rid in ids
        if rid in readings
    ]


# ------------------------------------------------------------------ several dates


def shift_ages(facts: Facts, from_date: dt.date, to_date: dt.date) -> Facts:
    """The person's facts on another date: `age_now` moves with the date (whole years
    between the two dates); everything that happened, including the age when it
    happened, stays. Never below the age when it happened."""
    if "age_now" not in facts or from_date == to_date:
        return dict(facts)
    years = _whole_years(from_date, to_date)
    age = facts["age_now"] + years
    floor = facts.get("age_at_victimization", 0)
    return {**facts, "age_now": max(age, floor, 0)}


def _whole_years(start: dt.date, end: dt.date) -> int:
    """Whole years from start to end (negative when end is earlier)."""
    if end < start:
        return -_whole_years(end, start)
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def compare_dates(results: list[Result], *, ages: list[int | None] | None = None) -> dict[str, Any]:
    """The same person under the law of several dates: statuses side by side and the
    elements whose status differs. `ages`: the person's age now at each date."""
    dates = [r.as_of.isoformat() for r in results]
    rows = []
    for pid in results[0].provisions:
        statuses = [r.provisions[pid].status for r in results]
        changed: dict[str, list[str]] = {}
        trees = [{n["id"]: n for n in _walk(r.explanation(pid))} for r in results]
        ids = list(dict.fromkeys(i for t in trees for i in t))
        for node_id in ids[1:]:  # the root's change is the row's
            values = [t[node_id]["status"] if node_id in t else "absent" for t in trees]
            if len(set(values)) > 1:
                changed[node_id] = values
        texts = {}
        for t in trees:
            texts.update({k: (v.get("short") or v["text"], v.get("since")) for k, v in t.items()})
        # most telling first: elements whose status changed, then elements the law
        # added, then elements it removed
        ordered = sorted(
            changed.items(), key=lambda item: ("absent" in item[1], item[1][0] != "absent")
        )
        rows.append(
            {
                "provision": pid,
                "title": results[0].provisions[pid].title,
                "statuses": statuses,
                "gated": [r.provisions[pid].law_enforcement_gated for r in results],
                "law_enforcement": [r.provisions[pid].law_enforcement for r in results],
                "changed_elements": [
                    {"id": k, "text": texts[k][0], "since": texts[k][1], "statuses": v}
                    for k, v in ordered
                ],
            }
        )
    out: dict[str, Any] = {
        "scenario": results[0].scenario,
        "rule_set": results[0].rule_set,
        "dates": dates,
        "provisions": rows,
    }
    if ages is not None:
        out["ages"] = ages
    return out


def _walk(tree: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield tree
    for child in tree["children"]:
        yield from _walk(child)
