"""`compare` column-wise: the summary of population/compare.py from the vector engine.

`compare_columns` takes the same sides and population as `compare()` (a list of
scenarios, or `generate=N` cases of a distribution) and returns the same `Comparison`:
transitions per provision, the first example ids of each, law-enforcement gating, and
the conditions responsible for each change, attributed exactly as
`Comparator._responsible` does (see compare.py's module docstring; `_attribute` below
is the same rule over columns). It adds, per provision and side, how many cases fall in
each law-enforcement dependency level (`law_enforcement` in `to_dict()`).

Generated populations come from stream columns-1 (population/columns.py): the same
distribution semantics as `compare --generate`, other random numbers, ids
`col-<seed>-<index>`. The summary says so (`population.stream`).

Work is split into chunks of cases (CHUNK); a chunk is drawn, evaluated under both
sides (as stated and in the two law-enforcement worlds) and tallied, and tallies merge
in chunk order, so the result is the same whatever `jobs` is. Scenarios with different
dates are grouped by the pair of plans in force, each group evaluated as one batch.

Why one module of over 400 lines: the result, the column-wise attribution and the
workers share the layout of the counts arrays; population/compare.py is its per-case
twin, and both start from population/comparison_setup.py.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.vector import (
    GATED,
    LEVEL_NAMES,
    Batch,
    CompiledPlan,
    Evaluation,
    VectorEngine,
)
from ..law.registry import Registry
from ..law.vocabulary import Facts
from .attribution import MatchedCondition, match_conditions
from .columns import STREAM, ColumnGenerator, column_scenario_id
from .compare import (
    ABSENT,
    WIDTH,
    Comparison,
    Side,
    Tally,
    Weights,
    percent,
    provision_order,
)
from .comparison_setup import prepare
from .generate import load_distribution
from .weights import weighted_percent

CHUNK = 1 << 16  # cases per chunk (four blocks of the columns-1 stream)
LEVELS = len(LEVEL_NAMES)
START_METHOD = "spawn"  # as compare.py: workers start from a clean interpreter


# ------------------------------------------------------------------ the result


@dataclass
class VectorComparison(Comparison):
    """A `Comparison` with the law-enforcement dependency levels of every provision."""

    levels: list[int] = field(default_factory=list)  # (side * P + provision) * 4 + level
    stream: str | None = None  # the generator's stream, for generated populations

    def level_counts(self, side: int, k: int) -> dict[str, int]:
        base = (side * len(self.provisions) + k) * LEVELS
        return {name: self.levels[base + i] for i, name in enumerate(LEVEL_NAMES)}

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        n = self.tally.scenarios
        weighed = self.tally.weights if self.population.weights is not None else None
        for k, pid in enumerate(self.provisions):
            levels = out["provisions"][pid]["law_enforcement"] = {}
            for s, side in enumerate(("a", "b")):
                levels[side] = {
                    name: {"count": count, "percent": percent(count, n)}
                    for name, count in self.level_counts(s, k).items()
                }
                if weighed is not None:
                    for name, units in weighed.level_counts(s, k).items():
                        levels[side][name]["weighted_percent"] = weighted_percent(
                            units, weighed.scenarios
                        )
        if self.stream is not None:
            out["population"]["stream"] = self.stream
        return out


# ------------------------------------------------------------------ attribution


@dataclass
class _Pair:
    """Two compiled plans and, per provision, its roots and matched conditions."""

    a: CompiledPlan
    b: CompiledPlan
    roots: list[tuple[int, int | None, int | None]]
    matched: list[list[MatchedCondition]]
    fallback: list[tuple[str, ...]]  # root ids named when no matched condition flipped
    # per side, per provision: can the status be granted on the date (absent: False)
    grantable: tuple[tuple[bool, ...], tuple[bool, ...]] = ((), ())


def _attribute(
    pair: _Pair,
    k: int,
    ev_a: Evaluation,
    ev_b: Evaluation,
    rows: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per condition id, the changed cases at `rows` whose change it is responsible for
    (Comparator._responsible over columns: the same rule, case by case)."""
    count = len(rows)
    cache: dict[tuple[int, int], np.ndarray] = {}

    def status(side: int, index: int) -> np.ndarray:
        key = (side, index)
        found = cache.get(key)
        if found is None:
            column = (ev_a if side == 0 else ev_b).column(index)
            found = cache[key] = column[rows]
        return found

    entries = pair.matched[k]
    flipped = {m.id: status(0, m.a) != status(1, m.b) for m in entries}
    named: dict[str, np.ndarray] = {}

    def name(cid: str, mask: np.ndarray) -> None:
        found = named.get(cid)
        named[cid] = mask if found is None else found | mask

    for m in entries:
        starts = flipped[m.id]
        for child in m.children:
            starts = starts & ~flipped[child]
        if not starts.any():
            continue
        if m.children and (m.added or m.removed):
            # some children kept, some added or removed: the added and removed children
            # that side with the node's new and old status are named instead
            instead = np.zeros(count, bool)
            for index, cid in m.removed:
                hit = starts & (status(0, index) == status(0, m.a))
                name(cid, hit)
                instead |= hit
            for index, cid in m.added:
                hit = starts & (status(1, index) == status(1, m.b))
                name(cid, hit)
                instead |= hit
            name(m.id, starts & ~instead)
        else:
            name(m.id, starts)
    nothing = np.ones(count, bool)
    for mask in named.values():
        nothing &= ~mask
    if nothing.any():  # no matched condition flipped: both roots are named
        for cid in pair.fallback[k]:
            name(cid, nothing)
    return named


# ------------------------------------------------------------------ one process


@dataclass(frozen=True)
class Config:
    """Everything a worker needs (rule books are loaded again in each process)."""

    side_a: Side
    side_b: Side
    distribution: str | None = None
    seed: int = 0
    examples: int = 3
    rules_dir: str | None = None  # the registry's rules directory (None: the bundled one)


@dataclass
class Part:
    """The tally of one chunk and its dependency-level counts."""

    tally: Tally
    levels: list[int]


class VectorComparator:
    """Evaluates chunks of a comparison column-wise in one process."""

    def __init__(self, config: Config) -> None:
        registry = Registry(Path(config.rules_dir) if config.rules_dir else None)
        self.config = config
        self.book_a = registry.load(config.side_a.rules)
        self.book_b = registry.load(config.side_b.rules)
        self.provisions = provision_order(self.book_a, self.book_b)
        # the facts of both sides: an overlay may add some (`facts:`), and the engine's
        # codec must know every fact either plan tests
        vocabulary = self.book_a.vocabulary.union(
            self.book_b.vocabulary, names=(self.book_a.name, self.book_b.name)
        )
        self.engine = VectorEngine(
            {n: vocabulary[n].type for n in vocabulary},
            {n: tuple(vocabulary[n].values) for n in vocabulary},
        )
        self.generator: ColumnGenerator | None = None
        if config.distribution is not None:
            distribution = load_distribution(config.distribution, vocabulary, registry=registry)
            self.generator = ColumnGenerator(distribution, vocabulary)
        self._pairs: dict[tuple[Any, ...], _Pair] = {}

    def pair(self, date_a: dt.date, date_b: dt.date) -> _Pair:
        at_a, at_b = self.book_a.at(date_a), self.book_b.at(date_b)
        plan_a, plan_b = at_a.plan, at_b.plan
        grantable = tuple(
            tuple(p in at.provisions and at.provisions[p].grantable for p in self.provisions)
            for at in (at_a, at_b)
        )
        # dates that share plans may differ in what can be granted (grantable_from)
        key = (id(plan_a), id(plan_b), grantable)
        found = self._pairs.get(key)
        if found is None:
            roots = [
                (k, plan_a.roots.get(pid), plan_b.roots.get(pid))
                for k, pid in enumerate(self.provisions)
            ]
            fallback = []
            for pid in self.provisions:
                ids: list[str] = []
                for plan in (plan_a, plan_b):
                    if pid in plan.roots:
                        cid = plan.nodes[plan.roots[pid]].condition.id
                        if cid not in ids:
                            ids.append(cid)
                fallback.append(tuple(ids))
            found = self._pairs[key] = _Pair(
                self.engine.compile(plan_a),
                self.engine.compile(plan_b),
                roots,
                [match_conditions(plan_a, plan_b, pid) for pid in self.provisions],
                fallback,
                (grantable[0], grantable[1]),
            )
        return found

    # -- chunks ------------------------------------------------------------------------
    def run(self, task: Task) -> Part:
        if task[0] == "generate":
            _, start, count, date_a, date_b = task
            assert self.generator is not None
            seed = self.config.seed
            batch = self.generator.draw(seed, start, count)
            return self._tally(
                batch,
                lambda row: column_scenario_id(seed, start + row),
                [(np.arange(count), self.pair(date_a, date_b))],
            )
        items: list[tuple[str, Facts, dt.date, dt.date, int | None]] = task[1]
        batch = self.engine.codec.encode([item[1] for item in items])
        if items and items[0][4] is not None:
            batch.weights = np.array([item[4] for item in items], np.int64)
        by_pair: dict[int, tuple[_Pair, list[int]]] = {}
        for row, (_, _, date_a, date_b, _) in enumerate(items):
            pair = self.pair(date_a, date_b)
            by_pair.setdefault(id(pair), (pair, []))[1].append(row)
        groups = [(np.array(rows), pair) for pair, rows in by_pair.values()]
        return self._tally(batch, lambda row: items[row][0], groups)

    def _tally(
        self, batch: Batch, scenario: Any, groups: Sequence[tuple[np.ndarray, _Pair]]
    ) -> Part:
        """Tally `batch`, evaluated group by group (rows, plans in force)."""
        count = len(self.provisions)
        tally = Tally(self.provisions, self.config.examples)
        tally.scenarios = batch.count
        weighed = None
        if batch.weights is not None:
            weighed = tally.weights = Tally(self.provisions, 0)
            weighed.scenarios = int(batch.weights.sum())
        levels = [0] * (2 * count * LEVELS)
        codes = np.zeros((count, batch.count), np.uint8)  # status A * 4 + status B
        whole = len(groups) == 1
        for rows, pair in groups:
            part = batch if whole else batch.take(rows)
            ev_a = pair.a.evaluate(part)
            ev_b = ev_a if pair.b is pair.a else pair.b.evaluate(part)
            for k, ra, rb in pair.roots:
                code = np.zeros(part.count, np.uint8)
                for side, (ev, root) in enumerate(((ev_a, ra), (ev_b, rb))):
                    weight = 4 if side == 0 else 1
                    if root is None:
                        code += ABSENT * weight
                        continue
                    code += ev.status(root) * np.uint8(weight)
                    level_column = ev.levels(root)
                    found = np.bincount(level_column, minlength=LEVELS)
                    base = (side * count + k) * LEVELS
                    for level in range(LEVELS):
                        levels[base + level] += int(found[level])
                    tally.gated[side * count + k] += int(found[GATED])
                    if weighed is not None:
                        assert part.weights is not None
                        units = _units(level_column, part.weights, LEVELS)
                        for level in range(LEVELS):
                            weighed.levels[base + level] += units[level]
                        weighed.gated[side * count + k] += units[GATED]
                    if pair.grantable[side][k]:
                        tally.grantable[side * count + k] += part.count
                        if weighed is not None:
                            assert part.weights is not None
                            weighed.grantable[side * count + k] += int(part.weights.sum())
                if whole:
                    codes[k] = code
                else:
                    codes[k, rows] = code
                changed = np.flatnonzero((code >> 2) != (code & 3))
                if len(changed):
                    slots = code[changed]
                    for cid, mask in _attribute(pair, k, ev_a, ev_b, changed).items():
                        found = np.bincount(slots[mask], minlength=WIDTH)
                        for slot in np.flatnonzero(found):
                            key = (k * WIDTH + int(slot), cid)
                            tally.conditions[key] = tally.conditions.get(key, 0) + int(found[slot])
        wanted = tally.examples_wanted
        for k in range(count):
            found = np.bincount(codes[k], minlength=WIDTH)
            if weighed is not None:
                assert batch.weights is not None
                for transition, units_of in enumerate(_units(codes[k], batch.weights, WIDTH)):
                    weighed.transitions[k * WIDTH + transition] += units_of
            for seen in np.flatnonzero(found):
                at = k * WIDTH + int(seen)
                tally.transitions[at] += int(found[seen])
                if wanted:
                    first = np.flatnonzero(codes[k] == seen)[:wanted]
                    tally.examples[at] = [scenario(int(r)) for r in first]
        return Part(tally, levels)


def _units(codes: np.ndarray, weights: np.ndarray, size: int) -> list[int]:
    """Per code 0 .. size-1, the weight units of the cases with it: exact, since a
    chunk's units stay far below 2**53 (population/weights.py)."""
    sums = np.bincount(codes, weights=weights.astype(np.float64), minlength=size)
    return [int(x) for x in sums]


# ------------------------------------------------------------------ tasks and workers

# ("generate", start, count, date A, date B) or ("scenarios", [(id, facts, date A, date B)])
Task = tuple

_WORKER: VectorComparator | None = None


def _start_worker(config: Config) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER = VectorComparator(config)


def _work(task: Task) -> Part:
    assert _WORKER is not None
    return _WORKER.run(task)


def _parts(config: Config, tasks: list[Task], jobs: int) -> Iterator[Part]:
    """Parts in task order. With jobs > 1, jobs - 1 worker processes take tasks ahead
    while this process, which has loaded everything already, works through the rest,
    so no core waits for a worker to start. A worker that dies costs no result: the
    tasks it held are run here."""
    local = VectorComparator(config)
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield local.run(task)
        return
    context = multiprocessing.get_context(START_METHOD)
    pool = ProcessPoolExecutor(
        jobs - 1, mp_context=context, initializer=_start_worker, initargs=(config,)
    )
    done: dict[int, Part] = {}
    ahead: dict[int, Future[Part]] = {}  # tasks given to the workers, not collected yet
    order = iter(range(len(tasks)))
    window = 2 * (jobs - 1)

    broken = False

    def collect(index: int, future: Future[Part]) -> None:
        nonlocal broken
        try:
            done[index] = future.result()
        except BrokenProcessPool:  # run here what the dead worker held
            broken = True
            done[index] = local.run(tasks[index])

    try:
        for wanted in range(len(tasks)):
            while wanted not in done:
                while not broken and len(ahead) < window:
                    index = next(order, None)
                    if index is None:
                        break
                    try:
                        ahead[index] = pool.submit(_work, tasks[index])
                    except BrokenProcessPool:
                        broken = True
                        done[index] = local.run(tasks[index])
                for index in [i for i, f in ahead.items() if f.done()]:
                    collect(index, ahead.pop(index))
                if wanted in done:
                    break
                index = next(order, None)
                if index is not None:  # work here rather than wait
                    done[index] = local.run(tasks[index])
                else:
                    collect(wanted, ahead.pop(wanted))
            yield done.pop(wanted)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)  # idle workers exit at once; their CPU time is then counted


# ------------------------------------------------------------------ the whole run


def compare_columns(
    side_a: Side | str,
    side_b: Side | str,
    *,
    scenarios: Sequence[Any] | None = None,
    generate: int | None = None,
    seed: int = 0,
    distribution: str | Path = "default",
    jobs: int = 1,
    examples: int = 3,
    today: dt.date | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    registry: Registry | None = None,
    weights: Weights | None = None,
    cases_file: str | None = None,
) -> VectorComparison:
    """`compare()` column-wise: scenarios (objects with `id`, `facts`, `as_of`) or a
    generated population (`generate=N`, `seed`, `distribution`; stream columns-1).
    `progress(n)` is called as chunks finish; rule sets come from `registry` (by
    default the bundled rules); `weights` and `cases_file` as in `compare()`."""
    registry = registry or Registry()
    today = today or dt.date.today()
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
    total, population = setup.total, setup.population
    tasks: list[Task] = []
    stream = None
    if setup.items is None:
        assert a.as_of is not None and b.as_of is not None
        for start in range(0, total, chunk):
            tasks.append(("generate", start, min(chunk, total - start), a.as_of, b.as_of))
        config = Config(a, b, setup.distribution_path, seed, examples, str(registry.rules_dir))
        stream = STREAM
    else:
        items = setup.items
        for start in range(0, total, chunk):
            tasks.append(("scenarios", items[start : start + chunk]))
        config = Config(a, b, None, seed, examples, str(registry.rules_dir))
    provisions = provision_order(book_a, book_b)
    tally = Tally(provisions, examples)
    levels = [0] * (2 * len(provisions) * LEVELS)
    for part in _parts(config, tasks, min(jobs, len(tasks))):
        tally.merge(part.tally)
        levels = [x + y for x, y in zip(levels, part.levels, strict=True)]
        if progress is not None:
            progress(part.tally.scenarios)
    titles = {pid: book.provision_title(pid) for book in (book_b, book_a) for pid in book.sources}
    return VectorComparison(
        a,
        b,
        book_a.name,
        book_b.name,
        "vector",
        population,
        tally,
        titles,
        today,
        levels=levels,
        stream=stream,
    )
