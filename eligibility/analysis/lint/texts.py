"""The checks that read the rule texts: citations, facts used and declared, conditions
written but in force at no date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

from ...errors import EligibilityError
from ...law import yamlfile
from ...law.conditions import Condition
from ...law.rulebook import ResolvedBook, RuleBook
from .findings import ERROR, WARNING, Collector, Finding


def in_force(book_at: ResolvedBook) -> Iterator[str]:
    return (pid for pid in book_at.order if book_at.provisions[pid].in_force)


def citation_findings(
    book: RuleBook, resolved: Mapping[dt.date, ResolvedBook], examined: Sequence[dt.date]
) -> list[Finding]:
    found = Collector()
    for date, book_at in resolved.items():
        for pid in in_force(book_at):
            for node in book_at.provisions[pid].condition.walk():
                if not node.citation.strip():
                    found.add(
                        ("citation", pid, node.id),
                        Finding(
                            "citations",
                            "missing-citation",
                            ERROR,
                            f"condition of {pid} has no citation",
                            node.origin[0] or None,
                            node.origin[1],
                            node.id,
                        ),
                        date,
                    )
    return found.findings(book, examined)


def fact_findings(book: RuleBook, resolved: Mapping[dt.date, ResolvedBook]) -> list[Finding]:
    vocabulary = book.vocabulary
    used: dict[str, Condition] = {}
    in_notes: set[str] = set()
    conditions: list[Condition] = []
    for source in book.sources.values():  # every text ever written, in force or not
        conditions.append(source.condition)
        for amendment in source.amendments:
            for operation in amendment.operations:
                conditions.extend(operation.conditions)
    for change in book.changes:
        for operation in change.operations:
            conditions.extend(operation.conditions)
    for book_at in resolved.values():
        for provision in book_at.provisions.values():
            conditions.append(provision.condition)
            for note in provision.notes:
                if note.when is not None:
                    in_notes.update(n.fact for n in note.when.walk() if n.fact)
    for source in book.sources.values():
        for note in source.notes:
            if note.when is not None:
                in_notes.update(n.fact for n in note.when.walk() if n.fact)
    findings: list[Finding] = []
    for condition in conditions:
        for node in condition.walk():
            if node.kind == "fact" and node.fact:
                used.setdefault(node.fact, node)
                if node.fact not in vocabulary:  # the loader rejects this first
                    findings.append(
                        Finding(
                            "facts",
                            "undeclared-fact",
                            ERROR,
                            f"fact {node.fact} is not declared in facts.yaml",
                            node.origin[0] or None,
                            node.origin[1],
                            node.id,
                        )
                    )
    lines: yamlfile.Document | None = None
    try:
        lines = yamlfile.load(vocabulary.path) if vocabulary.path else None
    except EligibilityError:
        lines = None
    for name in vocabulary:
        if name in used or name in in_notes or vocabulary[name].context:
            continue  # a context fact (when it happened) is meant to decide nothing
        findings.append(
            Finding(
                "facts",
                "unused-fact",
                WARNING,
                f"declared but never used by a condition or note of {book.name}: the "
                f"interview never needs to ask it",
                vocabulary.path or None,
                lines.line((name,)) if lines else None,
                name,
            )
        )
    return findings


def never_in_force_findings(
    book: RuleBook, resolved: Mapping[dt.date, ResolvedBook], every_date: bool
) -> list[Finding]:
    """Conditions written in a rule file that are in force at no date at all."""
    if not every_date:
        return []
    seen: set[tuple[str, str]] = set()
    for book_at in resolved.values():
        for pid in in_force(book_at):
            seen.update((pid, n.id) for n in book_at.provisions[pid].condition.walk())
    written: dict[tuple[str, str], Condition] = {}
    if book.extends is None:  # an overlay replaces base text on purpose: only its own
        for pid, source in book.sources.items():
            for node in source.condition.walk():
                written.setdefault((pid, node.id), node)
            for amendment in source.amendments:
                for operation in amendment.operations:
                    for condition in operation.conditions:
                        for node in condition.walk():
                            written.setdefault((pid, node.id), node)
    for change in book.changes:
        if change.origin[0] != book.path:
            continue
        for operation in change.operations:
            for condition in operation.conditions:
                for node in condition.walk():
                    written.setdefault((change.provision, node.id), node)
    return [
        Finding(
            "reachable",
            "never-in-force",
            WARNING,
            f"condition of {pid} is in force at no date: it is replaced or removed "
            f"before (or when) it would take effect",
            node.origin[0] or None,
            node.origin[1],
            node.id,
        )
        for (pid, cid), node in written.items()
        if (pid, cid) not in seen
    ]
