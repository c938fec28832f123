"""The `explain` report as data: what the rich screen shows and `--format json` prints.

For each provision: its status with a one-line reason, the element tree with citations
and the amendment that wrote each element, the questions still to ask, the
law-enforcement dependency (which elements turn on a law-enforcement act or on
cooperation, whether this person's outcome is gated, and the critiques that apply), a
result card (reasons this may apply, complications, information still missing) and
what would change the outcome, grouped by who controls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..law.rulebook import RuleBook
from ..law.scenarios import Scenario
from ..law.vocabulary import Vocabulary
from .evaluate import Result
from .whatif import law_routes, routes_to_met

CONTROLLER_LABEL = {
    "person": "the person's own situation or steps",
    "law_enforcement": "law enforcement (a request, a signature, a grant)",
    "law": "the law itself (another date, or another rule set)",
}


def describe_value(vocabulary: Vocabulary, fact: str, value: Any) -> str:
    """A value as a person reads it: 'yes', 'noncitizen', 'force, fraud', 'none'."""
    if value is None:
        return "unknown"
    definition = vocabulary[fact]
    if definition.type == "bool":
        return "yes" if value else "no"
    if definition.type == "set":
        members = [m for m in definition.values if m in value]
        return ", ".join(members) if members else "none"
    return str(value)


def _reason(tree: dict[str, Any], missing: list[str], questions: list[str]) -> str:
    """One line saying why a provision has its status."""
    status = tree["status"]
    children = tree["children"]
    if status == "met":
        if tree.get("combine") == "any":
            route = next(c for c in children if c["status"] == "met")
            return f"met through: {route['text']}"
        return "every element is met"
    if status == "not_met":
        if tree.get("combine") == "all":
            failed = next(c for c in children if c["status"] == "not_met")
            return f"not met: {failed['text']}"
        if tree.get("combine") == "any":
            return "no route to it is met"
        return tree["text"]
    parts = []
    if missing:
        parts.append(f"unknown: {', '.join(missing)}")
    if questions:
        parts.append(f"open question of law: {', '.join(questions)}")
    return "undetermined (" + "; ".join(parts) + ")" if parts else "undetermined"


def _walk(tree: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield tree
    for child in tree["children"]:
        yield from _walk(child)


def _decisive(tree: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Nodes whose status explains the root's: followed down while a child has its
    parent's status (swapped under `not`). An unknown element below a decided branch,
    say, does not matter to this person."""
    yield tree
    for child in tree["children"]:
        expected = tree["status"]
        if tree.get("combine") == "not":
            expected = {"met": "not_met", "not_met": "met"}.get(expected, expected)
        if child["status"] == expected:
            yield from _decisive(child)


def _dependency_elements(
    tree: dict[str, Any], critiques: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Elements that turn on a law-enforcement act or on cooperation, with the critiques
    cited by the element or the nearest element above it that cites one."""
    found: list[dict[str, Any]] = []

    def visit(node: dict[str, Any], inherited: list[str]) -> None:
        cited = node.get("critiques") or inherited
        if node.get("dependency"):
            found.append(
                {
                    "id": node["id"],
                    "text": node["text"],
                    "citation": node.get("citation", ""),
                    "fact": node.get("test", "").split(" ")[0],
                    "dependency": node["dependency"],
                    "status": node["status"],
                    "value": node.get("value"),
                    "critiques": [critiques[c] for c in cited if c in critiques],
                }
            )
        for child in node["children"]:
            visit(child, cited)

    visit(tree, [])
    return found


def build_report(
    result: Result,
    scenario: Scenario | None,
    *,
    vocabulary: Vocabulary,
    compare_books: Iterable[RuleBook] = (),
    book: RuleBook | None = None,
    what_if: bool = True,
) -> dict[str, Any]:
    """The whole explain report for one result (plain data, JSON-ready)."""
    document = result.to_dict()
    plan = result.book.plan
    laws = [b for b in ([book] if book else []) + list(compare_books)]
    provisions: dict[str, Any] = {}
    for pid, entry in document["provisions"].items():
        tree = entry["explanation"]
        status = entry["status"]
        critiques = {c["id"]: c for c in entry.get("critiques", [])}
        dependency = _dependency_elements(tree, critiques)
        questions = [
            {
                "fact": f,
                "question": vocabulary[f].question,
                "help": vocabulary[f].help,
                "why": vocabulary[f].why,
            }
            for f in entry["missing_facts"]
        ]
        reasons = [c["text"] for c in tree["children"] if c["status"] == "met"]
        complications: list[str] = []
        if entry["law_enforcement_gated"]:
            complications.append(
                "Law-enforcement gated: this would be met if law enforcement "
                "acted and the person cooperated."
            )
        decisive = list(_decisive(tree))
        seen_facts: set[str] = set()
        for node in decisive:
            fact = node.get("test", "").split(" ")[0]
            if node.get("dependency") and node["status"] != "met" and fact not in seen_facts:
                seen_facts.add(fact)
                kind = (
                    "an act of law enforcement"
                    if node["dependency"] == "law_enforcement_action"
                    else "cooperation"
                )
                value = describe_value(vocabulary, fact, result.facts.get(fact))
                complications.append(f"Turns on {kind}: {node['text']} (now: {value}).")
        # Unverified points the outcome rests on (not branches that simply do not
        # apply); where a point and an element below it are both unverified, the lower.
        unverified = [
            n for n in decisive if n.get("verification") == "U" and n["status"] != "not_met"
        ]
        for node in unverified:
            if not any(other is not node and other in list(_walk(node)) for other in unverified):
                complications.append(f"Unverified point of law [U]: {node['text']}")
        complications.extend(
            n for n in entry.get("notes", []) if "cap" in n.lower() or "grant_available" in n
        )
        routes: dict[str, list[list[dict[str, Any]]]] = {"person": [], "law_enforcement": []}
        if what_if and status != "met":
            for route in routes_to_met(plan, vocabulary, result.facts, pid):
                routes[route.controller].append(
                    [
                        {
                            "fact": c.fact,
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
            for route in law_routes(result.facts, pid, result.as_of, laws):
                law.append(
                    {
                        "rule_set": route.rule_set,
                        "from": route.start.isoformat() if route.start else None,
                        "until": route.end.isoformat() if route.end else None,
                        "status": route.status,
                    }
                )
        provisions[pid] = {
            **entry,
            "reason": _reason(tree, entry["missing_facts"], entry.get("open_questions", [])),
            "questions": questions,
            "law_enforcement": {"gated": entry["law_enforcement_gated"], "elements": dependency},
            "card": {
                "reasons": reasons,
                "complications": complications,
                "missing": [q["question"] for q in questions]
                + [f"Open question of law {q}" for q in entry.get("open_questions", [])],
            },
            "what_would_change": {
                "person": routes["person"],
                "law_enforcement": routes["law_enforcement"],
                "law": law,
            },
        }
    report = {key: document[key] for key in ("scenario", "rule_set", "as_of", "engine")}
    if scenario is not None:
        report["title"] = scenario.title
        report["description"] = scenario.description
    report["facts"] = {
        name: describe_value(vocabulary, name, result.facts[name])
        for name in vocabulary.names()
        if name in result.facts
    }
    report["provisions"] = provisions
    return report


STATUS_NAMES_TEXT = {"met": "met", "not_met": "not met", "undetermined": "unknown"}


def compare_dates(results: list[Result]) -> dict[str, Any]:
    """The same person under the law of several dates: statuses side by side and the
    elements whose status differs."""
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
            texts.update({k: (v["text"], v.get("since")) for k, v in t.items()})
        # most telling first: elements whose status changed, then elements the law
        # added, then elements it removed
        ordered = sorted(
            changed.items(), key=lambda item: ("absent" in item[1], item[1][0] != "absent")
        )
        changed = dict(ordered)
        rows.append(
            {
                "provision": pid,
                "statuses": statuses,
                "gated": [r.provisions[pid].law_enforcement_gated for r in results],
                "changed_elements": [
                    {"id": k, "text": texts[k][0], "since": texts[k][1], "statuses": v}
                    for k, v in changed.items()
                ],
            }
        )
    return {
        "scenario": results[0].scenario,
        "rule_set": results[0].rule_set,
        "dates": dates,
        "provisions": rows,
    }
