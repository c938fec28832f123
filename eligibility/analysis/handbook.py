"""The rule handbook: Markdown pages generated from the rule files, so they never drift.

One page per provision (its elements in every version of the text, with citations and
the amendment that wrote each element; the amendment history; the elements that turn
on law enforcement with the critiques that apply; notes; the next steps that concern
it, with their dates; the training scenarios that exercise it), a page of the readings
of the law (rules/readings.yaml: each unsettled point in plain words, with its primary
citations and tag; reports link to it), and an index with the timeline and a Mermaid
diagram of provisions and facts. Output is deterministic: the same rules and scenarios
give the same bytes.

Why one module of over 400 lines: every page shares the same links, anchors and dating
of texts; it is one document generator, read from top to bottom, page by page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..law.conditions import Condition, describe_test
from ..law.guidance import Reading, Step, reading_ids
from ..law.rulebook import RuleBook
from ..law.scenarios import Scenario
from ..law.vocabulary import Vocabulary

DEPENDENCY_LABEL = {"law_enforcement_action": "law-enforcement act", "cooperation": "cooperation"}
READINGS_PAGE = "readings.md"
STEP_KIND_LABEL = {
    "form": "Form or request",
    "alternative": "Alternative where law enforcement blocks",
    "lawyer": "Point for a lawyer",
    "services": "Services",
}
TAG_LABEL = {"V": "verified", "V2": "secondary source", "U": "unverified"}


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reading_anchor(rid: str) -> str:
    """The anchor of a reading on the readings page (`E-13` -> `e-13`)."""
    return rid.lower()


def _reading_links(ids: Iterable[str]) -> str:
    return ", ".join(f"[{rid}]({READINGS_PAGE}#{reading_anchor(rid)})" for rid in ids)


def _condition_lines(node: Condition, vocabulary: Vocabulary, depth: int = 0) -> list[str]:
    indent = "  " * depth
    combine = {"all": "all of:", "any": "any of:", "not": "not:"}.get(node.kind, "")
    parts = [f"{indent}- "]
    if combine:
        parts.append(f"**{combine}** ")
    parts.append(node.text)
    tags = []
    if node.short:
        tags.append(f"“{node.short}”")
    if node.kind not in ("all", "any", "not"):
        tags.append(f"`{describe_test(node)}`")
    if node.kind == "fact" and vocabulary[node.fact or ""].dependency:
        tags.append(f"⚑ {DEPENDENCY_LABEL[vocabulary[node.fact or ''].dependency or '']}")
    if node.since:
        tags.append(f"since {node.since}")
    if node.verification == "U":
        tags.append("**[U] unverified**")
    if node.reading:
        tags.append(f"reading {_reading_links(reading_ids(node.reading))}")
    if node.question and node.question != node.reading:
        tags.append(f"open question {_reading_links([node.question])}")
    line = "".join(parts)
    if tags:
        line += " — " + ", ".join(tags)
    line += f" — *{node.citation}*" if node.citation else ""
    lines = [line, f"{indent}  <!-- id: {node.id} -->"]
    if node.comment:
        lines.append(f"{indent}  > {node.comment}")
    for child in node.children:
        lines.extend(_condition_lines(child, vocabulary, depth + 1))
    return lines


def _versions(book: RuleBook, pid: str) -> list[tuple[dt.date | None, dt.date | None, Condition]]:
    """The provision's text per period, merging periods where it did not change."""
    dates = book.change_dates
    versions: list[tuple[dt.date | None, dt.date | None, Condition]] = []
    for start, end in zip([None, *dates], [*dates, None], strict=True):
        probe = start or (dates[0] - dt.timedelta(days=1))
        condition = book.at(probe).provisions[pid].condition
        if versions and versions[-1][2] == condition:
            versions[-1] = (versions[-1][0], end, condition)
        else:
            versions.append((start, end, condition))
    return versions


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return f"before {end.isoformat()}" if end else "always"
    if end is None:
        return f"from {start.isoformat()}"
    return f"{start.isoformat()} to {(end - dt.timedelta(days=1)).isoformat()}"


def provision_page(book: RuleBook, pid: str, scenarios: Iterable[Scenario]) -> str:
    source = book.sources[pid]
    vocabulary = book.vocabulary
    latest = book.at(book.change_dates[-1]).provisions[pid]
    lines = [
        f"# {source.title}",
        "",
        f"`{pid}` · rule set `{book.name}` · in force from "
        f"{source.effective.isoformat()} ({source.enacted_by}) · current citation: "
        f"*{latest.citation}*",
        "",
        f"Source file: `{source.path.split('rules/', 1)[-1]}`"
        + (f" · checked on {source.checked_on.isoformat()}" if source.checked_on else ""),
        "",
        "[Back to the index](index.md)",
        "",
    ]
    lines += ["## The text in force, period by period", "", "| period | text |", "|---|---|"]
    versions = _versions(book, pid)
    for number, (start, end, condition) in enumerate(versions, start=1):
        lines.append(f"| {_period(start, end)} | version {number}: {_escape(condition.text)} |")
    lines.append("")
    for number, (start, end, condition) in enumerate(reversed(versions)):
        version = len(versions) - number
        lines += [f"### Version {version}: {_period(start, end)}", ""]
        lines += _condition_lines(condition, vocabulary)
        lines.append("")
    lines += ["## Amendments", ""]
    if source.amendments:
        lines += ["| effective | instrument | change | tag |", "|---|---|---|---|"]
        for a in sorted(source.amendments, key=lambda a: a.effective or dt.date.min):
            ops = "; ".join(f"{op.op} `{op.target}`" for op in a.operations)
            lines.append(
                f"| {a.effective.isoformat() if a.effective else ''} | "
                f"{_escape(a.instrument)} | {_escape(a.summary)} ({ops}) | "
                f"{a.verification or ''} |"
            )
    else:
        lines.append("None: the text is as enacted.")
    lines.append("")
    lines += ["## Where it depends on law enforcement", ""]
    dependent: dict[str, Condition] = {}
    critiques: dict[str, Any] = {}
    for _, _, condition in versions:
        for node in condition.walk():
            if node.kind == "fact" and vocabulary[node.fact or ""].dependency:
                dependent.setdefault(node.id, node)
            for cid in node.critiques:
                critiques[cid] = book.critiques[cid]
    if dependent:
        for node in dependent.values():
            fact = vocabulary[node.fact or ""]
            lines.append(
                f"- {node.text} — `{node.fact}`, "
                f"{DEPENDENCY_LABEL[fact.dependency or '']} — *{node.citation}*"
            )
    else:
        lines.append("No element turns on an act of law enforcement or on cooperation.")
    lines.append("")
    if critiques:
        lines += ["### Critiques cited by these elements", ""]
        for critique in critiques.values():
            lines.append(
                f"- **{critique.author} ({critique.year}), {critique.recommendation}** "
                f"(`{critique.source}`): {critique.summary}"
            )
        lines.append("")
    tests = [na for na in source.not_applicable if na.when is not None]
    if tests:
        lines += ["## When it does not apply", ""]
        for na in tests:
            assert na.when is not None
            lines.append(
                f"- Not applicable when {describe_test(na.when)}: {na.text} — *{na.citation}*"
            )
        lines += [
            "",
            "The status is still reported, with `applicable: false` and the reason.",
            "",
        ]
    if source.notes:
        lines += ["## Notes (not conditions)", ""]
        for note in source.notes:
            when = []
            if note.start:
                when.append(f"from {note.start.isoformat()}")
            if note.until:
                when.append(f"until {(note.until - dt.timedelta(days=1)).isoformat()}")
            if note.when is not None:
                when.append(
                    f"when {describe_test(note.when) if not note.when.children else note.when.text}"
                )
            suffix = f" ({', '.join(when)})" if when else ""
            lines.append(f"- {note.text}{suffix} — *{note.citation}*")
        lines.append("")
    lines += _step_lines(book.steps, pid)
    lines += ["## Training scenarios that exercise it", ""]
    rows = []
    for scenario in sorted(scenarios, key=lambda s: s.id):
        expected = [
            f"{key}: {exp[pid].status}" for key, exp in scenario.expect.items() if pid in exp
        ]
        if expected:
            rows.append(
                f"| [{scenario.id}](../../scenarios/{scenario.id}.yaml) | "
                f"{_escape(scenario.title)} | {'; '.join(expected)} |"
            )
    if rows:
        lines += ["| scenario | title | expected |", "|---|---|---|", *rows]
    else:
        lines.append("None yet.")
    lines.append("")
    return "\n".join(lines)


def _step_condition(step: Step) -> str:
    """When a step is shown, in words for rule authors."""
    parts = []
    if step.statuses:
        parts.append("status " + " or ".join(sorted(step.statuses)))
    if step.levels:
        parts.append("law enforcement " + " or ".join(sorted(step.levels)))
    if step.blockers:
        parts.append("blocked by " + ", ".join(f"`{b}`" for b in sorted(step.blockers)))
    for pid, statuses in step.also.items():
        parts.append(f"[{pid}]({pid}.md) {' or '.join(sorted(statuses))}")
    if step.when is not None:
        test = describe_test(step.when) if not step.when.children else step.when.text
        parts.append(f"when {test}")
    return "; ".join(parts) if parts else "whenever the provision applies"


def _step_lines(steps: Iterable[Step], pid: str) -> list[str]:
    """The next steps that concern one provision, with their dates and conditions."""
    mine = [s for s in steps if s.provision == pid]
    lines = ["## Next steps", ""]
    if not mine:
        return lines + ["None.", ""]
    lines += [
        "Shown in a report when the result matches, and only on the dates given "
        "(`rules/us-law/next-steps.yaml`; overlays add, replace or remove steps).",
        "",
    ]
    for step in mine:
        lines.append(
            f"- **{STEP_KIND_LABEL[step.kind]}** ({_period(step.start, step.until)}; "
            f"{_step_condition(step)}): {step.text} — *{step.citation}*"
        )
        lines.append(f"  <!-- id: {step.id} -->")
    lines.append("")
    return lines


def _reading_uses(book: RuleBook) -> dict[str, list[tuple[str, str]]]:
    """Reading id -> (provision, condition id) that name it, in any version of the text."""
    uses: dict[str, list[tuple[str, str]]] = {}

    def note(pid: str, condition: Condition) -> None:
        for node in condition.walk():
            names = reading_ids(node.reading or "") + ([node.question] if node.question else [])
            for name in names:
                if (pid, node.id) not in uses.setdefault(name, []):
                    uses[name].append((pid, node.id))

    for pid, source in book.sources.items():
        note(pid, source.condition)
        for amendment in source.amendments:
            for operation in amendment.operations:
                for condition in operation.conditions:
                    note(pid, condition)
    for change in book.changes:
        for operation in change.operations:
            for condition in operation.conditions:
                note(change.provision, condition)
    return uses


def readings_page(book: RuleBook) -> str:
    """Every reading of the law in plain words, with its citations and tag."""
    uses = _reading_uses(book)
    lines = [
        "# Readings of the law",
        "",
        "[Back to the index](index.md)",
        "",
        "Where the law is unsettled, or where the rules adopt one reading of several, "
        "this page says so in plain words: the question, why it is open, what this tool "
        "does, and the primary sources. Reports link here instead of printing codes. "
        "Tags: [V] verified against primary text, [V2] secondary source only, "
        "[U] unverified (never settled law).",
        "",
    ]
    for rid, reading in book.readings.items():
        lines += _reading_lines(reading, uses.get(rid, []))
    return "\n".join(lines)


def _reading_lines(reading: Reading, uses: list[tuple[str, str]]) -> list[str]:
    tag = reading.verification
    status = f"[{tag}] {TAG_LABEL[tag]}" if tag else "no tag"
    by_provision: dict[str, list[str]] = {}
    for pid, cid in uses:
        by_provision.setdefault(pid, []).append(f"`{cid}`")
    used = (
        "; ".join(f"[{pid}]({pid}.md) ({', '.join(ids)})" for pid, ids in by_provision.items())
        if uses
        else "notes and citations (no condition names it)"
    )
    return [
        f'<a id="{reading_anchor(reading.id)}"></a>',
        "",
        f"## {reading.title}",
        "",
        f"`{reading.id}` · {status} · used by: {used}",
        "",
        reading.explanation,
        "",
        f"**What this tool does.** {reading.adopted}",
        "",
        "**Sources.** " + "; ".join(reading.citations),
        "",
    ]


def index_page(book: RuleBook, scenarios: list[Scenario]) -> str:
    vocabulary = book.vocabulary
    latest = book.at(book.change_dates[-1])
    lines = [
        f"# Rule handbook: {book.title}",
        "",
        "Generated by `eligibility docs` from the rule files in `rules/`; do not edit "
        "by hand (a test fails when it is out of date). A teaching and research aid, "
        "not legal advice. Tags: [V] verified, [V2] secondary source, [U] unverified "
        "(see LEGAL-BRIEF.md).",
        "",
        book.description,
        "",
        "## Provisions",
        "",
    ]
    for pid, source in book.sources.items():
        lines.append(f"- [{source.title}]({pid}.md) — `{pid}`, *{latest.provisions[pid].citation}*")
    if book.readings:
        lines += [
            "",
            f"[Readings of the law]({READINGS_PAGE}): each point where the law is "
            "unsettled, or where the rules adopt one reading, in plain words with its "
            "sources.",
        ]
    lines += [
        "",
        "## When a result depends on law enforcement",
        "",
        "Every result says how far it depends on law enforcement, found by evaluating "
        "the case again with the facts marked ⚑ below (an official's act, or the "
        "person's cooperation) at their favourable and at their unfavourable values "
        "(JSON key `law_enforcement`; `law_enforcement_gated` is true exactly for the "
        "first level):",
        "",
        "- ⚑ **gated** (`gated`): not met, and met if law enforcement acted and the "
        "person cooperated.",
        "- ⚐ **may depend** (`possibly_gated`): not met; with law enforcement acting it "
        "would still depend on other facts, which the report names.",
        "- ✔ ⚑ **met through law enforcement** (`relies_on`): met, and not met without "
        "a law-enforcement act or the person's cooperation.",
        "- **independent** (`independent`): the outcome does not turn on law enforcement.",
        "",
        "The elements law enforcement would have to change are the result's "
        "`law_enforcement_blockers` (docs/results.md gives every key).",
        "",
        "## How provisions and facts depend on each other",
        "",
        "Arrows point from what is needed to what needs it; facts that record an act "
        "of law enforcement or the person's cooperation are marked ⚑.",
        "",
        "```mermaid",
        "flowchart LR",
    ]
    edges: set[tuple[str, str]] = set()
    facts_used: dict[str, set[str]] = {}
    for pid in latest.order:
        for node in latest.provisions[pid].condition.walk():
            if node.kind == "provision":
                edges.add((node.provision or "", pid))
            elif node.kind == "fact":
                facts_used.setdefault(node.fact or "", set()).add(pid)
    for pid, source in book.sources.items():
        lines.append(f'  {pid}["{source.title}"]:::provision')
    for fact in vocabulary.names():
        if fact in facts_used:
            mark = "⚑ " if vocabulary[fact].dependency else ""
            style = "dependency" if vocabulary[fact].dependency else "fact"
            lines.append(f'  {fact}(["{mark}{fact}"]):::{style}')
    for referred, referring in sorted(edges):
        lines.append(f"  {referred} ==> {referring}")
    for fact in vocabulary.names():
        for pid in sorted(facts_used.get(fact, ())):
            lines.append(f"  {fact} --> {pid}")
    lines += [
        "  classDef provision fill:#e8f0fe,stroke:#1a56db",
        "  classDef dependency fill:#fde8f3,stroke:#b3166b",
        "  classDef fact fill:#f4f4f4,stroke:#888",
        "```",
        "",
        "## Amendment timeline",
        "",
        "| effective | instrument | provision | change | tag |",
        "|---|---|---|---|---|",
    ]
    for a in book.timeline():
        lines.append(
            f"| {a.effective.isoformat() if a.effective else ''} | "
            f"{_escape(a.instrument)} | [{a.provision}]({a.provision}.md) | "
            f"{_escape(a.summary)} | {a.verification or ''} |"
        )
    if book.recorded:
        lines += [
            "",
            "### Recorded, with no effect on an encoded element",
            "",
            "| effective | instrument | change | why nothing changes here |",
            "|---|---|---|---|",
        ]
        for item in book.recorded:
            lines.append(
                f"| {item.effective.isoformat()} | {_escape(item.instrument)} | "
                f"{_escape(item.change)} | {_escape(item.reason)} |"
            )
    lines += [
        "",
        "## Training scenarios",
        "",
        f"{len(scenarios)} scenarios in `scenarios/`; `eligibility test scenarios/` "
        f"checks their expectations.",
        "",
    ]
    lines.append("| scenario | title |")
    lines.append("|---|---|")
    for scenario in sorted(scenarios, key=lambda s: s.id):
        lines.append(
            f"| [{scenario.id}](../../scenarios/{scenario.id}.yaml) | {_escape(scenario.title)} |"
        )
    lines.append("")
    return "\n".join(lines)


def handbook(book: RuleBook, scenarios: list[Scenario]) -> dict[str, str]:
    """File name -> Markdown text for the whole handbook."""
    pages = {"index.md": index_page(book, scenarios)}
    for pid in book.sources:
        pages[f"{pid}.md"] = provision_page(book, pid, scenarios)
    if book.readings:
        pages[READINGS_PAGE] = readings_page(book)
    return pages
