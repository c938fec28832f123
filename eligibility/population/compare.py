"""Rule set against rule set over a population: who gains or loses which protection, why.

Each scenario is evaluated under side A and side B (a rule set and a date each) through
the evaluation layer's lean path (`Evaluator.outcome`: node statuses and each
provision's law-enforcement dependency level, no explanations, no missing facts). Per
provision, the pair of statuses is a *transition* (`not_met -> met`, `met -> met`, ...);
the report counts transitions and dependency levels, keeps the first example scenario
ids of each transition, and names the conditions responsible for each change
(population/attribution.py), computed only when a status changed.

The population is split into chunks: a range of generated indices (workers regenerate
the scenarios from the seed) or a list of compact fact dicts. Each chunk returns a
`Tally` of counts plus, when asked, its per-scenario rows already formatted as text
(population/rows.py). Chunks run in worker processes (population/workers.py) and are
merged in order, so the results are identical whatever `jobs` is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.evaluate import Evaluator, Outcome
from ..engine import ENGINE_NAMES
from ..errors import UsageError, did_you_mean
from ..law.logic import MET
from ..law.registry import Registry
from ..law.rulebook import RuleBook
from ..law.vocabulary import Facts
from .attribution import PlanPair
from .comparison import Comparison, Population, percent
from .comparison_setup import Item, check_weights, listed_population, prepare
from .distributions import load_distribution
from .generate import Distribution, scenario_id
from .rows import ROW_COLUMNS, ROW_FORMATS, RowWriter, SideResult, csv_header
from .sides import Side, parse_side, resolve_rules
from .tally import ABSENT, LEVEL_INDEX, WIDTH, Tally
from .weights import Weights
from .workers import Runner, default_jobs

# the command line, scripts and the column-wise comparison (vector_compare.py) import
# these from here
__all__ = [
    "ABSENT",
    "ROW_COLUMNS",
    "ROW_FORMATS",
    "WIDTH",
    "Comparison",
    "Population",
    "Side",
    "Tally",
    "Weights",
    "check_weights",
    "listed_population",
    "compare",
    "csv_header",
    "default_jobs",
    "parse_side",
    "percent",
    "provision_order",
    "resolve_rules",
]

MAX_CHUNK = 500
MIN_CHUNK = 50


@dataclass(frozen=True)
class Config:
    """Everything a worker needs; small and picklable (rule books are loaded again)."""

    side_a: Side
    side_b: Side
    rules_dir: str  # the registry's rules directory (workers make their own registry)
    engine: str = "durable"
    distribution: str | None = None  # path of the distribution file, for generated chunks
    seed: int = 0
    examples: int = 3
    rows: str | None = None  # None, "csv" or "jsonl"
    weighted: bool = False  # listed scenarios carry weight units (population/weights.py)


@dataclass(frozen=True)
class GeneratedChunk:
    """Scenarios `start` .. `start + count - 1` of the generated population."""

    start: int
    count: int
    date_a: dt.date
    date_b: dt.date


@dataclass(frozen=True)
class ListedChunk:
    """Scenarios given as facts (from files)."""

    items: tuple[Item, ...]


Chunk = GeneratedChunk | ListedChunk


class Comparator:
    """Evaluates chunks of a comparison in one process (each plan compiles once)."""

    def __init__(self, config: Config) -> None:
        registry = Registry(Path(config.rules_dir))
        self.config = config
        self.book_a = registry.load(config.side_a.rules)
        self.book_b = registry.load(config.side_b.rules)
        self.provisions = provision_order(self.book_a, self.book_b)
        self.evaluator_a = Evaluator(self.book_a, config.engine)
        self.evaluator_b = Evaluator(self.book_b, config.engine)
        self.distribution: Distribution | None = None
        if config.distribution is not None:
            self.distribution = load_distribution(
                config.distribution,
                self.book_a.vocabulary.union(
                    self.book_b.vocabulary, names=(self.book_a.name, self.book_b.name)
                ),
                registry=registry,
            )
        self._pairs: dict[tuple[int, int], PlanPair] = {}

    def pair(self, a: Outcome, b: Outcome) -> PlanPair:
        """The two plans evaluated, with their roots (many dates share one version)."""
        plan_a, plan_b = a.book.plan, b.book.plan
        key = (id(plan_a), id(plan_b))  # rule books keep their plans: ids stay unique
        found = self._pairs.get(key)
        if found is None:
            roots = [
                (k, plan_a.roots.get(pid), plan_b.roots.get(pid))
                for k, pid in enumerate(self.provisions)
            ]
            found = self._pairs[key] = PlanPair(plan_a, plan_b, roots)
        return found

    def run(self, chunk: Chunk) -> tuple[Tally, str | None]:
        """Evaluate one chunk: its tally, and its per-scenario rows as text if asked."""
        if isinstance(chunk, GeneratedChunk):
            assert self.distribution is not None
            seed, facts_of = self.config.seed, self.distribution.facts
            items: Iterable[Item] = (
                (scenario_id(seed, i), facts_of(seed, i), chunk.date_a, chunk.date_b, None)
                for i in range(chunk.start, chunk.start + chunk.count)
            )
        else:
            items = chunk.items
        tally = Tally(self.provisions, self.config.examples)
        if self.config.weighted:
            tally.weights = Tally(self.provisions, 0)
        rows = (
            RowWriter(self.config.rows, self.book_a.name, self.book_b.name, self.provisions)
            if self.config.rows
            else None
        )
        for sid, facts, date_a, date_b, units in items:
            self._one(tally, rows, sid, facts, date_a, date_b, units)
        return tally, rows.text() if rows else None

    def _one(
        self,
        tally: Tally,
        rows: RowWriter | None,
        sid: str,
        facts: Facts,
        date_a: dt.date,
        date_b: dt.date,
        units: int | None = None,
    ) -> None:
        a = self.evaluator_a.outcome(facts, date_a, sid)
        same = self.book_b is self.book_a and self.book_a.epoch(date_a) == self.book_b.epoch(date_b)
        b = a if same else self.evaluator_b.outcome(facts, date_b, sid)
        pair = self.pair(a, b)
        tally.scenarios += 1
        transitions, gated, examples = tally.transitions, tally.gated, tally.examples
        levels, width, grantable = tally.levels, len(LEVEL_INDEX), tally.grantable
        count = len(self.provisions)
        weighed = tally.weights is not None and units is not None
        # slots, gated, levels, grantable
        at: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
        for k, ra, rb in pair.roots:
            pid = self.provisions[k]
            side_a = _side(a, pid, ra, date_a)
            side_b = _side(b, pid, rb, date_b)
            slot = k * WIDTH + side_a.status * 4 + side_b.status
            transitions[slot] += 1
            if side_a.level is not None:
                levels[k * width + LEVEL_INDEX[side_a.level]] += 1
                gated[k] += side_a.gated
                grantable[k] += a.book.provisions[pid].grantable
            if side_b.level is not None:
                levels[(count + k) * width + LEVEL_INDEX[side_b.level]] += 1
                gated[count + k] += side_b.gated
                grantable[count + k] += b.book.provisions[pid].grantable
            if weighed:
                at[0].append(slot)
                for number, (side, outcome) in enumerate(((side_a, a), (side_b, b))):
                    if side.level is not None:
                        at[2].append((number * count + k) * width + LEVEL_INDEX[side.level])
                        if side.gated:
                            at[1].append(number * count + k)
                        if outcome.book.provisions[pid].grantable:
                            at[3].append(number * count + k)
            found = examples[slot]
            if len(found) < tally.examples_wanted:
                found.append(sid)
            responsible: Sequence[str] = ()
            if side_a.status != side_b.status:
                responsible = pair.responsible(k, pid, a.statuses, b.statuses)
                conditions = tally.conditions
                for cid in responsible:
                    conditions[(slot, cid)] = conditions.get((slot, cid), 0) + 1
            if rows is not None:
                rows.add(sid, k, side_a, side_b, responsible)
        if rows is not None:
            rows.end_scenario()
        if weighed:
            assert tally.weights is not None and units is not None
            tally.weights.weigh(units, *at)


def _side(outcome: Outcome, pid: str, root: int | None, date: dt.date) -> SideResult:
    if root is None:
        return SideResult(date, ABSENT, False, None)
    level = outcome.levels[pid]
    status = outcome.statuses[root]
    return SideResult(date, status, level == "gated" and status != MET, level)


def provision_order(book_a: RuleBook, book_b: RuleBook) -> tuple[str, ...]:
    """Provisions of A in display order, then any that only B has."""
    order = list(book_a.sources)
    order.extend(pid for pid in book_b.sources if pid not in order)
    return tuple(order)


def generated_chunks(
    count: int, size: int, date_a: dt.date, date_b: dt.date
) -> Iterator[GeneratedChunk]:
    for start in range(0, count, size):
        yield GeneratedChunk(start, min(size, count - start), date_a, date_b)


def listed_chunks(items: Sequence[Item], size: int) -> Iterator[ListedChunk]:
    for start in range(0, len(items), size):
        yield ListedChunk(tuple(items[start : start + size]))


def chunk_size(count: int, jobs: int) -> int:
    """Chunks small enough to keep every worker busy and the progress bar moving, large
    enough that a chunk's overhead (one round trip between processes) is negligible."""
    return max(MIN_CHUNK, min(MAX_CHUNK, -(-count // (jobs * 8))))


def compare(
    side_a: Side | str,
    side_b: Side | str,
    *,
    scenarios: Sequence[Any] | None = None,
    generate: int | None = None,
    seed: int = 0,
    distribution: str | Path = "default",
    engine: str = "durable",
    jobs: int = 1,
    examples: int = 3,
    rows: str | None = None,
    write_rows: Callable[[str], object] | None = None,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
    registry: Registry | None = None,
    weights: Weights | None = None,
    cases_file: str | None = None,
) -> Comparison:
    """Compare two rule sets over scenarios (objects with `id`, `facts`, `as_of`) or a
    generated population (`generate=N`, `seed`, `distribution`). With `weights` (one
    per scenario), every share of the summary also has its weighted value;
    `cases_file` names the table the scenarios came from (--cases), for the report.

    Sides are `Side`s or strings (`"us-law@2002-06-01"`), loaded from `registry` (by
    default the bundled rules). With `rows` ("csv" or "jsonl"), per-scenario rows are
    passed to `write_rows` in scenario order (CSV without the header; see
    `csv_header()`). `progress(n)` is called as chunks finish.
    """
    registry = registry or Registry()
    today = today or dt.date.today()
    if engine not in ENGINE_NAMES:
        raise UsageError(
            f"unknown engine {engine!r}{did_you_mean(engine, ENGINE_NAMES)}; "
            f"expected one of: {', '.join(ENGINE_NAMES)}"
        )
    if rows is not None and rows not in ROW_FORMATS:
        raise UsageError(f"unknown row format {rows!r}; expected one of: {', '.join(ROW_FORMATS)}")
    setup = prepare(
        side_a,
        side_b,
        scenarios=scenarios,
        generate=generate,
        seed=seed,
        distribution=distribution,
        jobs=jobs,
        today=today,
        registry=registry,
        weights=weights,
        cases_file=cases_file,
    )
    a, b, book_a, book_b = setup.a, setup.b, setup.book_a, setup.book_b
    units, total, population = setup.units, setup.total, setup.population
    size = chunk_size(total, jobs)
    chunks: Iterator[Chunk]
    if setup.items is None:
        assert a.as_of is not None and b.as_of is not None
        chunks = generated_chunks(total, size, a.as_of, b.as_of)
    else:
        chunks = listed_chunks(setup.items, size)
    jobs = max(1, min(jobs, -(-total // size)))
    config = Config(
        a,
        b,
        str(registry.rules_dir),
        engine,
        setup.distribution_path,
        seed,
        examples,
        rows,
        weighted=units is not None,
    )
    provisions = provision_order(book_a, book_b)
    tally = Tally(provisions, examples)
    with Runner(Comparator, config, jobs) as runner:
        for part, text in runner.run(chunks):
            tally.merge(part)
            if text and write_rows is not None:
                write_rows(text)
            if progress is not None:
                progress(part.scenarios)
    titles = {pid: book.provision_title(pid) for book in (book_b, book_a) for pid in book.sources}
    return Comparison(
        a, b, book_a.name, book_b.name, engine, population, tally, titles, today, runner.restarts
    )
