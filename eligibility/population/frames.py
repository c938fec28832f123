"""Many validated cases at once, for the Python API (`eligibility.evaluate_frame`): per
case and provision, its status and its law-enforcement dependency level.

Large inputs go to the column-wise engine (engine/vector.py), small ones to a per-case
engine; every engine gives the same answers (tests/test_api.py holds them to it). Cases
are grouped by the law in force on their date, each group evaluated as one batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..analysis.evaluate import Evaluator
from ..engine import ENGINE_NAMES
from ..errors import UsageError, did_you_mean
from ..law.logic import STATUS_NAMES
from ..law.rulebook import RuleBook
from ..law.scenarios import Scenario

VECTOR_FROM = 200  # cases from which the column-wise engine is the faster one
AUTO = "auto"
STATUS_SUFFIX = ".status"
LEVEL_SUFFIX = ".law_enforcement"
# false where no one could be granted the status yet on the date (`grantable_from`)
GRANTABLE_SUFFIX = ".grantable"


def choose_engine(engine: str | None, count: int) -> str:
    """The engine for `count` cases: the one named, or (None, "auto") the column-wise
    engine for VECTOR_FROM cases or more and durable-rules below."""
    if engine is None or engine == AUTO:
        return "vector" if count >= VECTOR_FROM else "durable"
    if engine not in ENGINE_NAMES:
        choices = (*ENGINE_NAMES, AUTO)
        raise UsageError(
            f"unknown engine {engine!r}{did_you_mean(engine, choices)}; "
            f"expected one of: {', '.join(choices)}"
        )
    return engine


def result_columns(book: RuleBook) -> list[str]:
    """Per provision, in display order: its status, its dependency level and whether it
    could be granted on the date."""
    suffixes = (STATUS_SUFFIX, LEVEL_SUFFIX, GRANTABLE_SUFFIX)
    return [f"{pid}{suffix}" for pid in book.sources for suffix in suffixes]


def evaluate_cases(
    book: RuleBook,
    cases: Sequence[Scenario],
    *,
    as_of: dt.date | None = None,
    engine: str | None = None,
    today: dt.date | None = None,
) -> list[dict[str, str | bool]]:
    """Per case, in order: `as_of` (the date evaluated: `as_of`, else the case's own,
    else today) and, per provision, `<id>.status`, `<id>.law_enforcement` and
    `<id>.grantable`."""
    today = today or dt.date.today()
    dates = [as_of or case.as_of or today for case in cases]
    chosen = choose_engine(engine, len(cases))
    if chosen == "vector":
        outcomes = _columns(book, cases, dates)
    else:
        evaluator = Evaluator(book, chosen)
        outcomes = []
        for case, date in zip(cases, dates, strict=True):
            outcome = evaluator.outcome(case.facts, date, case.id)
            plan = outcome.book.plan
            outcomes.append(
                {
                    pid: (STATUS_NAMES[outcome.statuses[plan.roots[pid]]], outcome.levels[pid])
                    for pid in outcome.levels
                }
            )
    rows = []
    for date, found in zip(dates, outcomes, strict=True):
        row: dict[str, str | bool] = {"as_of": date.isoformat()}
        provisions = book.at(date).provisions
        for pid in book.sources:
            status, level = found[pid]
            row[pid + STATUS_SUFFIX] = status
            row[pid + LEVEL_SUFFIX] = level
            row[pid + GRANTABLE_SUFFIX] = provisions[pid].grantable
        rows.append(row)
    return rows


def _columns(
    book: RuleBook, cases: Sequence[Scenario], dates: Sequence[dt.date]
) -> list[dict[str, tuple[str, str]]]:
    """The column-wise engine, one batch per plan in force."""
    from ..engine.vector import LEVEL_NAMES, VectorEngine

    vocabulary = book.vocabulary
    engine = VectorEngine(
        {n: vocabulary[n].type for n in vocabulary},
        {n: tuple(vocabulary[n].values) for n in vocabulary},
    )
    groups: dict[int, tuple[Any, list[int]]] = {}
    for row, date in enumerate(dates):
        plan = book.at(date).plan
        groups.setdefault(id(plan), (plan, []))[1].append(row)
    out: list[dict[str, tuple[str, str]]] = [{} for _ in cases]
    for plan, rows in groups.values():
        batch = engine.codec.encode([cases[row].facts for row in rows])
        evaluation = engine.compile(plan).evaluate(batch)
        for pid in book.sources:
            root = plan.roots[pid]
            statuses = evaluation.status(root).tolist()
            levels = evaluation.levels(root).tolist()
            for k, row in enumerate(rows):
                out[row][pid] = (STATUS_NAMES[statuses[k]], LEVEL_NAMES[levels[k]])
    return out
