"""Guidance as data: readings of the law, and next steps, from YAML beside the rules.

`rules/readings.yaml` explains, in plain words and with primary citations, each reading
the rules adopt where the law is unsettled and each open question of law (rule files
name them under `reading:` and `open_question:`); reports and the handbook use it so
that no code such as "E-13" reaches a reader unexplained.

`rules/next-steps.yaml` lists what to do next (forms to file, alternatives where law
enforcement blocks, points to raise with a lawyer), each with a citation, the dates it
is good for, and the results it applies to. Overlays add, replace (same id) or remove
steps, so that a reform's report gives the reform's steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import RuleError
from . import yamlfile
from .conditions import STATUS_NAMES, Condition
from .fields import Node, root

VERIFICATION_TAGS = ("V", "V2", "U")
StepKind = Literal["form", "alternative", "lawyer", "services"]
STEP_KINDS: tuple[StepKind, ...] = ("form", "alternative", "lawyer", "services")
LEVEL_NAMES = ("gated", "possibly_gated", "relies_on", "independent")


@dataclass(frozen=True)
class Reading:
    """A point where the law is unsettled, or a reading the rules adopt, explained."""

    id: str
    title: str  # the question, in plain words
    explanation: str  # why it is open, what each side says
    adopted: str  # what this tool does about it
    citations: tuple[str, ...]
    verification: str | None = None


@dataclass(frozen=True)
class Step:
    """Something to do next, shown when a result matches."""

    id: str
    kind: StepKind
    provision: str
    text: str
    citation: str
    start: dt.date | None = None  # good from this date
    until: dt.date | None = None  # good before this date
    statuses: frozenset[str] = frozenset()  # the provision's status; empty: any
    levels: frozenset[str] = frozenset()  # its law-enforcement dependency; empty: any
    blockers: frozenset[str] = frozenset()  # any of these facts blocks it; empty: any
    also: Mapping[str, frozenset[str]] = field(default_factory=dict)  # other provisions
    when: Condition | None = None  # a test on the facts, like a note's: shown when met
    unless: Condition | None = None  # hidden when this test is met (shown if unknown)
    reading: str = ""  # a reading of the law it concerns (rules/readings.yaml)

    def in_force(self, date: dt.date) -> bool:
        return (self.start is None or self.start <= date) and (
            self.until is None or date < self.until
        )


def load_readings(path: str) -> dict[str, Reading]:
    return parse_readings(root(yamlfile.load(path), RuleError))


def parse_readings(top: Node) -> dict[str, Reading]:
    """A mapping of reading id -> reading (readings.yaml, or an overlay's `readings`)."""
    readings: dict[str, Reading] = {}
    for rid, node in top.entries(what="mapping of reading ids to readings"):
        node.mapping(
            required=("title", "explanation", "adopted", "citations"),
            optional=("verification",),
            what="reading",
        )
        readings[rid] = Reading(
            id=rid,
            title=node.child("title").text(),
            explanation=node.child("explanation").text(),
            adopted=node.child("adopted").text(),
            citations=tuple(node.child("citations").text_list()),
            verification=node.child("verification").choice(VERIFICATION_TAGS, what="tag")
            if node.has("verification")
            else None,
        )
    return readings


def reading_ids(text: str) -> list[str]:
    """The ids in a `reading:` field ("E-4, E-5")."""
    return [part.strip() for part in text.split(",") if part.strip()]


STEP_KEYS = (
    "id",
    "kind",
    "provision",
    "text",
    "citation",
    "from",
    "until",
    "status",
    "law_enforcement",
    "blockers",
    "also",
    "when",
    "unless",
    "reading",
)


def parse_steps(
    items: Iterable[Node],
    *,
    provisions: Iterable[str],
    facts: Iterable[str],
    condition: Any,
) -> list[Step]:
    """Steps from a list of nodes. `condition(node, defaults)` parses a `when` test (the
    rule book's condition parser, so steps test facts exactly as rules do)."""
    provision_ids = tuple(provisions)
    fact_names = set(facts)
    steps: list[Step] = []
    seen: set[str] = set()
    for node in items:
        node.mapping(
            required=("id", "kind", "provision", "text", "citation"),
            optional=STEP_KEYS,
            what="next step",
        )
        sid = node.child("id").identifier()
        if sid in seen:
            raise node.child("id").fail(f"step id {sid} is used twice")
        seen.add(sid)
        start = node.child("from").date() if node.has("from") else None
        until = node.child("until").date() if node.has("until") else None
        if start and until and start >= until:
            raise node.fail("`from` must be before `until`")
        also: dict[str, frozenset[str]] = {}
        if node.has("also"):
            for pid, statuses in node.child("also").entries(what="mapping of provisions"):
                Node(node.doc, pid, statuses.path, RuleError).choice(
                    provision_ids, what="provision"
                )
                also[pid] = _choices(statuses, STATUS_NAMES, "status")
        blockers = (
            _choices(node.child("blockers"), tuple(fact_names), "fact")
            if node.has("blockers")
            else frozenset()
        )
        steps.append(
            Step(
                id=sid,
                kind=node.child("kind").choice(STEP_KINDS, what="step kind"),  # type: ignore[arg-type]
                provision=node.child("provision").choice(provision_ids, what="provision"),
                text=node.child("text").text(),
                citation=node.child("citation").text(),
                start=start,
                until=until,
                statuses=_choices(node.child("status"), STATUS_NAMES, "status")
                if node.has("status")
                else frozenset(),
                levels=_choices(node.child("law_enforcement"), LEVEL_NAMES, "level")
                if node.has("law_enforcement")
                else frozenset(),
                blockers=blockers,
                also=also,
                when=condition(node.child("when"), {"id": f"step-{sid}", "text": sid})
                if node.has("when")
                else None,
                unless=condition(node.child("unless"), {"id": f"step-{sid}-unless", "text": sid})
                if node.has("unless")
                else None,
                reading=node.child("reading").text() if node.has("reading") else "",
            )
        )
    return steps


def _choices(node: Node, allowed: Iterable[str], what: str) -> frozenset[str]:
    """One name or a list of names, each one of `allowed`."""
    allowed = tuple(allowed)
    items = (
        [node]
        if isinstance(node.value, str)
        else node.elements(what=f"list of {what}s", allow_empty=False)
    )
    return frozenset(item.choice(allowed, what=what) for item in items)
