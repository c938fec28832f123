"""How a population fares under the law of each date on which the law changed.

`timeline()` evaluates one population (generated column-wise, or given as scenarios)
under one or two rule sets at the start of a period and at every date within it on
which a provision was enacted or amended, with the column-wise engine: per rule set,
date and provision, how many cases meet it, do not, or stay undetermined, and how many
fall in each law-enforcement dependency level (gated, possibly gated, met through law
enforcement, independent; docs/results.md). Between two such dates the law, and so
every share, is constant: the numbers are a step function of the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.vector import LEVEL_NAMES, Batch, VectorEngine
from ..errors import UsageError
from ..law.logic import STATUS_NAMES
from ..law.registry import Registry
from ..law.rulebook import RuleBook
from .columns import STREAM, ColumnGenerator
from .distributions import load_distribution
from .sides import resolve_rules

CHUNK = 1 << 16  # cases evaluated together (memory stays flat with the population)
CSV_COLUMNS = (
    "date",
    "rule_set",
    "provision",
    "cases",
    *(f"{name}_percent" for name in STATUS_NAMES),
    *(f"{name}_percent" for name in LEVEL_NAMES),
    "amendments",
)


@dataclass(frozen=True)
class Change:
    """Something that took effect on a date of the timeline."""

    date: dt.date
    rule_set: str
    provision: str
    instrument: str  # the act, rule or policy (enactments: the enacting act)
    id: str  # the amendment's id, or `enacted` for a provision's enactment

    @property
    def short(self) -> str:
        """The instrument without its citation: `TVPRA 2008`, `T final rule`."""
        return self.instrument.split(" (")[0].split(",")[0].strip()


@dataclass
class Timeline:
    """Counts per rule set, date and provision (`counts[rule_set][date][provision]`:
    status name or dependency level -> cases)."""

    rule_sets: list[str]
    start: dt.date
    end: dt.date
    dates: list[dt.date]
    changes: list[Change]
    provisions: list[str]
    titles: dict[str, str]
    cases: int
    population: dict[str, Any]
    # status name or dependency level -> cases, or their total weight when weighted
    counts: dict[str, dict[dt.date, dict[str, dict[str, float]]]] = field(default_factory=dict)
    total: float = 0.0  # what the shares divide by: the cases, or their total weight

    def __post_init__(self) -> None:
        self.total = self.total or float(self.cases)

    def share(self, rule_set: str, date: dt.date, provision: str, key: str) -> float:
        """Percent of the cases with `key` (a status name or a dependency level)."""
        found = self.counts[rule_set][date].get(provision)
        if not found or not self.cases:
            return 0.0
        return 100.0 * found.get(key, 0) / self.total if self.total else 0.0

    def changes_on(self, date: dt.date) -> list[Change]:
        return [c for c in self.changes if c.date == date]

    def csv_rows(self) -> Iterator[list[str]]:
        """The numbers of the chart: one row per rule set, date and provision."""
        yield list(CSV_COLUMNS)
        for rule_set in self.rule_sets:
            for date in self.dates:
                names = "; ".join(
                    f"{c.short} ({c.provision})"
                    for c in self.changes_on(date)
                    if c.rule_set == rule_set
                )
                for pid in self.provisions:
                    if pid not in self.counts[rule_set][date]:
                        continue  # not part of this rule set
                    keys = (*STATUS_NAMES, *LEVEL_NAMES)
                    yield [
                        date.isoformat(),
                        rule_set,
                        pid,
                        str(self.cases),
                        *(f"{self.share(rule_set, date, pid, k):.3f}" for k in keys),
                        names,
                    ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_sets": self.rule_sets,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "population": self.population,
            "dates": [d.isoformat() for d in self.dates],
            "changes": [
                {
                    "date": c.date.isoformat(),
                    "rule_set": c.rule_set,
                    "provision": c.provision,
                    "instrument": c.instrument,
                    "id": c.id,
                }
                for c in self.changes
            ],
        }


def changes_between(book: RuleBook, start: dt.date, end: dt.date) -> list[Change]:
    """Enactments and amendments of `book` that take effect after `start`, up to `end`."""
    out = [
        Change(s.effective, book.name, s.id, s.enacted_by, "enacted")
        for s in book.sources.values()
        if start < s.effective <= end
    ]
    out.extend(
        Change(a.effective, book.name, a.provision, a.instrument, a.id)
        for a in book.timeline()
        if a.effective and start < a.effective <= end
    )
    return sorted(out, key=lambda c: c.date)


def timeline(
    rules: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    generate: int | None = None,
    seed: int = 0,
    distribution: str | Path = "default",
    scenarios: Sequence[Any] | None = None,
    weights: Sequence[float] | None = None,
    weight_column: str | None = None,
    registry: Registry | None = None,
) -> Timeline:
    """Evaluate a population under each rule set at `start` and at every date in
    (start, end] on which one of them changes. Give `generate` (cases of stream
    columns-1, ids col-SEED-INDEX) or `scenarios` (objects with `facts`), the latter
    with `weights` (one per scenario, from `weight_column`): shares are then shares of
    the total weight."""
    registry = registry or Registry()
    if not 1 <= len(rules) <= 2:
        raise UsageError(f"give one or two rule sets (--rules), got {len(rules)}")
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}")
    if (scenarios is None) == (generate is None):
        raise UsageError("give either cases or a number of cases to generate")
    books = [registry.load(resolve_rules(r, registry)) for r in rules]
    vocabulary = books[0].vocabulary  # with the facts either overlay adds (`facts:`)
    for book in books[1:]:
        vocabulary = vocabulary.union(book.vocabulary, names=(books[0].name, book.name))
    changes = sorted(
        (c for book in books for c in changes_between(book, start, end)), key=lambda c: c.date
    )
    dates = sorted({start, *(c.date for c in changes)})
    provisions = list(dict.fromkeys(pid for book in books for pid in book.sources))
    titles = {pid: book.provision_title(pid) for book in reversed(books) for pid in book.sources}
    engine = VectorEngine(
        {n: vocabulary[n].type for n in vocabulary},
        {n: tuple(vocabulary[n].values) for n in vocabulary},
    )
    names = [book.name for book in books]
    if len(set(names)) != len(names):
        raise UsageError(f"the two rule sets are the same ({names[0]}): give two different ones")
    counts: dict[str, dict[dt.date, dict[str, dict[str, float]]]] = {
        name: {date: {} for date in dates} for name in names
    }
    population: dict[str, Any]
    if generate is not None:
        if generate < 1:
            raise UsageError(f"the number of cases to generate must be 1 or more, got {generate}")
        dist = load_distribution(distribution, vocabulary, registry=registry)
        generator = ColumnGenerator(dist, vocabulary)
        batches: Iterator[tuple[Batch, np.ndarray | None]] = (
            (generator.draw(seed, first, min(CHUNK, generate - first)), None)
            for first in range(0, generate, CHUNK)
        )
        cases = generate
        population = {
            "source": "generated",
            "cases": cases,
            "seed": seed,
            "distribution": dist.name,
            "stream": STREAM,
        }
    else:
        assert scenarios is not None
        items = list(scenarios)
        weighed = None if weights is None else np.asarray(weights, dtype=np.float64)
        if weighed is not None and len(weighed) != len(items):
            raise UsageError(f"{len(weighed)} weights for {len(items)} cases")
        batches = (
            (
                engine.codec.encode([s.facts for s in items[first : first + CHUNK]]),
                None if weighed is None else weighed[first : first + CHUNK],
            )
            for first in range(0, len(items), CHUNK)
        )
        cases = len(items)
        population = {"source": "files", "cases": cases}
        if weighed is not None:
            total = float(weighed.sum())
            if total <= 0:
                raise UsageError("the weights add up to 0: no share can be computed")
            population["weights"] = {"column": weight_column, "total": total}
        if not cases:
            raise UsageError("no cases to evaluate")
    for batch, batch_weights in batches:
        for book in books:
            for date in dates:
                _tally(engine, book, date, batch, batch_weights, counts[book.name][date])
    total = population["weights"]["total"] if "weights" in population else float(cases)
    return Timeline(
        names, start, end, dates, changes, provisions, titles, cases, population, counts, total
    )


def _tally(
    engine: VectorEngine,
    book: RuleBook,
    date: dt.date,
    batch: Batch,
    weights: np.ndarray | None,
    into: dict[str, dict[str, float]],
) -> None:
    """Add the statuses and dependency levels of `batch` under `book` on `date`: counts
    of cases, or sums of their `weights`."""
    resolved = book.at(date)
    plan = resolved.plan
    evaluation = engine.compile(plan).evaluate(batch)
    for pid in resolved.order:
        root = plan.roots[pid]
        found = into.setdefault(pid, {})
        statuses = np.bincount(
            evaluation.status(root), weights=weights, minlength=len(STATUS_NAMES)
        )
        for code, name in enumerate(STATUS_NAMES):
            found[name] = found.get(name, 0) + statuses[code].item()
        levels = np.bincount(evaluation.levels(root), weights=weights, minlength=len(LEVEL_NAMES))
        for code, name in enumerate(LEVEL_NAMES):
            found[name] = found.get(name, 0) + levels[code].item()
