"""Rule set against rule set over a population: who gains or loses which protection, why.

Each scenario is evaluated under side A and side B (a rule set and a date each). Per
provision, the pair of statuses is a *transition* (`not_met -> met`, `met -> met`, ...);
the report counts transitions, keeps the first example scenario ids of each, and names
the conditions responsible for each change.

Responsible conditions
----------------------
The two sides may be different laws with different condition trees, so nodes are
matched by condition id within the provision. A condition *flipped* when it exists on
both sides with different statuses. A flipped condition whose matched children did not
flip is where the change starts, and is named as responsible: a changed test, a subtree
replaced whole (its new children have no counterpart), or a reference to a provision
that changed. When some of its children were kept and others added or removed, the
added and removed children that agree with its new and old status are named instead
(the removed `t3-aa-federal`: federal contact no longer required). For us-law in 2002
against 2004, a 16-year-old who never cooperated gains the T visa through
`t3-cc-minor` (its children, under 15 then, under 18 now, have new ids);
`t3-cooperation` and the root `t-visa` flipped too, but only because `t3-cc-minor` did.
When no matched condition flipped (a provision not yet in force on one side), both
roots are named.

Speed and memory
----------------
Only node statuses are computed per scenario (no explanation dicts, no missing facts);
the conditions responsible are computed only when a status changed. The population is
split into chunks; a chunk is a range of generated indices (workers regenerate the
scenarios from the seed) or a list of compact fact dicts, and each chunk returns a
`Tally` of counts plus, when asked, its per-scenario rows already formatted as text.
Chunks are merged in order, so the results are identical whatever `jobs` is, and only
a bounded window of chunks is in flight: memory does not grow with the population.

Worker processes (durable-rules holds the GIL and must not run in threads) each load
and compile the rule books once. They are spawned, not forked (see START_METHOD). A
worker that crashes or hangs costs a restart, never the run: chunks are pure functions
of their input, so the unfinished ones run again with the same results.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import errors
from ..engine import ENGINE_NAMES, create_engine
from ..errors import EligibilityError, EngineError, UsageError, did_you_mean
from ..law.conditions import Plan
from ..law.fields import DATE_PATTERN, parse_date
from ..law.logic import MET, STATUS_NAMES
from ..law.registry import Registry
from ..law.vocabulary import Facts
from .generate import Distribution, load_distribution, scenario_id

ABSENT = 3  # the provision does not exist on that side
CODE_NAMES = STATUS_NAMES + ("absent",)
WIDTH = 16  # codes per provision: status A * 4 + status B
ROW_COLUMNS = (
    "scenario",
    "provision",
    "rule_set_a",
    "as_of_a",
    "status_a",
    "gated_a",
    "rule_set_b",
    "as_of_b",
    "status_b",
    "gated_b",
    "changed",
    "conditions",
)
ROW_FORMATS = ("csv", "jsonl")
MAX_CHUNK = 500
MIN_CHUNK = 50


# ------------------------------------------------------------------ sides


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a rule set and, optionally, a fixed date."""

    rules: str  # bundled name or path, as loaded by the registry
    as_of: dt.date | None = None  # None: each scenario's as_of, else today

    def label(self) -> str:
        return f"{self.rules}@{self.as_of.isoformat()}" if self.as_of else self.rules


def parse_side(text: str, *, today: dt.date | None = None) -> Side:
    """`NAME`, `NAME@YYYY-MM-DD` or `NAME@today`, also for paths
    (`overlay.yaml@2010-01-01`). After the last `@`, anything that does not start with
    a digit and is not `today` is part of the name (a path may contain `@`)."""
    name, at, date = text.rpartition("@")
    if not at or not name:
        return Side(text)
    if date == "today":
        return Side(name, today or dt.date.today())
    if not date[:1].isdigit():
        return Side(text)
    if not DATE_PATTERN.match(date):
        raise UsageError(
            f"--rules {text}: expected NAME or NAME@YYYY-MM-DD (or "
            f"NAME@today), got {date!r} after the @"
        )
    try:
        return Side(name, parse_date(date))
    except ValueError as exc:
        raise UsageError(f"--rules {text}: {exc}") from None


def resolve_rules(rules: str, registry: Registry) -> str:
    """A bundled name stays a name; a path becomes absolute (workers may start elsewhere)."""
    if rules in registry.bundled():
        return rules
    path = Path(rules)
    return str(path.resolve()) if path.exists() else rules


# ------------------------------------------------------------------ tallies


@dataclass
class Tally:
    """Counts over some scenarios; tallies of consecutive chunks merge in order."""

    provisions: tuple[str, ...]
    examples_wanted: int = 3
    scenarios: int = 0
    transitions: list[int] = field(default_factory=list)  # provision * WIDTH + code
    gated: list[int] = field(default_factory=list)  # side * P + provision
    examples: list[list[str]] = field(default_factory=list)
    conditions: dict[tuple[int, str], int] = field(default_factory=dict)  # (slot, id)

    def __post_init__(self) -> None:
        count = len(self.provisions)
        if not self.transitions:
            self.transitions = [0] * (count * WIDTH)
        if not self.gated:
            self.gated = [0] * (2 * count)
        if not self.examples:
            self.examples = [[] for _ in range(count * WIDTH)]

    def merge(self, other: Tally) -> None:
        """Add the counts of `other`, which covers later scenarios."""
        self.scenarios += other.scenarios
        for i, value in enumerate(other.transitions):
            if value:
                self.transitions[i] += value
        for i, value in enumerate(other.gated):
            self.gated[i] += value
        wanted = self.examples_wanted
        for mine, theirs in zip(self.examples, other.examples, strict=True):
            if theirs and len(mine) < wanted:
                mine.extend(theirs[: wanted - len(mine)])
        for key, value in other.conditions.items():
            self.conditions[key] = self.conditions.get(key, 0) + value


# ------------------------------------------------------------------ one process


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


@dataclass(frozen=True)
class _Matched:
    """A condition id found in provision's tree on both sides."""

    id: str
    a: int  # node index in plan A
    b: int  # node index in plan B
    children: tuple[str, ...]  # ids of children matched on both sides
    added: tuple[int, ...]  # children only in B (node indexes in plan B)
    removed: tuple[int, ...]  # children only in A (node indexes in plan A)


@dataclass
class _Pair:
    """Precomputed for one (plan A, plan B): provision roots and matched conditions."""

    plan_a: Plan
    plan_b: Plan
    roots: list[tuple[int, int | None, int | None]]  # (provision, root A, root B)
    matched: dict[int, list[_Matched]] = field(default_factory=dict)

    def conditions(self, k: int, pid: str) -> list[_Matched]:
        """The conditions of provision `pid` present on both sides (cached)."""
        entries = self.matched.get(k)
        if entries is None:
            plan_a, plan_b = self.plan_a, self.plan_b

            def by_id(plan: Plan) -> dict[str, int]:
                return {n.condition.id: n.index for n in plan.nodes if n.owner == pid}

            on_a, on_b = by_id(plan_a), by_id(plan_b)
            entries = []
            for cid, ia in on_a.items():
                ib = on_b.get(cid)
                if ib is None:
                    continue
                kids_a = {plan_a.nodes[i].condition.id: i for i in plan_a.nodes[ia].children}
                kids_b = {plan_b.nodes[i].condition.id: i for i in plan_b.nodes[ib].children}
                both = tuple(c for c in kids_a if c in kids_b)
                entries.append(
                    _Matched(
                        cid,
                        ia,
                        ib,
                        both,
                        added=tuple(i for c, i in kids_b.items() if c not in kids_a),
                        removed=tuple(i for c, i in kids_a.items() if c not in kids_b),
                    )
                )
            self.matched[k] = entries
        return entries


class Comparator:
    """Evaluates chunks of a comparison in one process (compiles each plan once)."""

    def __init__(self, config: Config) -> None:
        registry = Registry(Path(config.rules_dir))
        self.config = config
        self.book_a = registry.load(config.side_a.rules)
        self.book_b = registry.load(config.side_b.rules)
        self.provisions = provision_order(self.book_a, self.book_b)
        self.engine = create_engine(config.engine, self.book_a.vocabulary)
        vocabulary = self.book_a.vocabulary
        self.distribution: Distribution | None = None
        if config.distribution is not None:
            self.distribution = load_distribution(
                config.distribution, vocabulary, registry=registry
            )
        self._pairs: dict[tuple[int, int], _Pair] = {}
        self._by_dates: dict[tuple[dt.date, dt.date], _Pair] = {}

    def pair(self, date_a: dt.date, date_b: dt.date) -> _Pair:
        """The plans in force on these dates (many dates share one version of the law)."""
        found = self._by_dates.get((date_a, date_b))
        if found is not None:
            return found
        plan_a, plan_b = self.book_a.at(date_a).plan, self.book_b.at(date_b).plan
        key = (id(plan_a), id(plan_b))
        found = self._pairs.get(key)
        if found is None:
            roots = [
                (k, plan_a.roots.get(pid), plan_b.roots.get(pid))
                for k, pid in enumerate(self.provisions)
            ]
            found = self._pairs[key] = _Pair(plan_a, plan_b, roots)
        self._by_dates[(date_a, date_b)] = found
        return found

    # -- one chunk -----------------------------------------------------------------
    def run(self, task: Task) -> tuple[Tally, str | None]:
        """Evaluate one chunk: its tally, and its per-scenario rows as text if asked."""
        if task[0] == "generate":
            _, start, count, date_a, date_b = task
            assert self.distribution is not None
            seed = self.config.seed
            facts_of = self.distribution.facts
            items: Iterable[tuple[str, Facts, dt.date, dt.date]] = (
                (scenario_id(seed, i), facts_of(seed, i), date_a, date_b)
                for i in range(start, start + count)
            )
        else:
            items = task[1]
        tally = Tally(self.provisions, self.config.examples)
        rows = (
            _RowWriter(self.config.rows, self.book_a.name, self.book_b.name, self.provisions)
            if self.config.rows
            else None
        )
        for sid, facts, date_a, date_b in items:
            self._one(tally, rows, sid, facts, date_a, date_b)
        return tally, rows.text() if rows else None

    def _one(
        self,
        tally: Tally,
        rows: _RowWriter | None,
        sid: str,
        facts: Facts,
        date_a: dt.date,
        date_b: dt.date,
    ) -> None:
        pair = self.pair(date_a, date_b)
        evaluate = self.engine.evaluate
        plan_a, plan_b = pair.plan_a, pair.plan_b
        st_a, (cf_a,) = evaluate(plan_a, facts, [plan_a.counterfactual_overrides(facts)])
        if plan_b is plan_a:
            st_b, cf_b = st_a, cf_a
        else:
            st_b, (cf_b,) = evaluate(plan_b, facts, [plan_b.counterfactual_overrides(facts)])
        tally.scenarios += 1
        transitions, gated, examples = tally.transitions, tally.gated, tally.examples
        wanted = tally.examples_wanted
        count = len(self.provisions)
        for k, ra, rb in pair.roots:
            if ra is None:
                sa, ga = ABSENT, False
            else:
                sa = st_a[ra]
                ga = sa != MET and cf_a is not None and cf_a[ra] == MET
            if rb is None:
                sb, gb = ABSENT, False
            else:
                sb = st_b[rb]
                gb = sb != MET and cf_b is not None and cf_b[rb] == MET
            slot = k * WIDTH + sa * 4 + sb
            transitions[slot] += 1
            if ga:
                gated[k] += 1
            if gb:
                gated[count + k] += 1
            found = examples[slot]
            if len(found) < wanted:
                found.append(sid)
            responsible: Sequence[str] = ()
            if sa != sb:
                responsible = self._responsible(pair, k, st_a, st_b)
                conditions = tally.conditions
                for cid in responsible:
                    conditions[(slot, cid)] = conditions.get((slot, cid), 0) + 1
            if rows is not None:
                rows.add(sid, k, date_a, sa, ga, date_b, sb, gb, responsible)
        if rows is not None:
            rows.end_scenario()

    def _responsible(self, pair: _Pair, k: int, st_a: list[int], st_b: list[int]) -> list[str]:
        """Where the change of provision k starts (see the module docstring)."""
        pid = self.provisions[k]
        entries = pair.conditions(k, pid)
        flipped = {m.id for m in entries if st_a[m.a] != st_b[m.b]}
        found: list[str] = []
        nodes_a, nodes_b = pair.plan_a.nodes, pair.plan_b.nodes
        for m in entries:
            if m.id not in flipped or not flipped.isdisjoint(m.children):
                continue
            # Some children kept, some added or removed: name the added and removed
            # children that side with the node's new and old status (the removed
            # `t3-aa-federal`, say). A subtree replaced whole is named by its root.
            if m.children and (m.added or m.removed):
                changes = [nodes_a[i].condition.id for i in m.removed if st_a[i] == st_a[m.a]]
                changes += [nodes_b[i].condition.id for i in m.added if st_b[i] == st_b[m.b]]
                if changes:
                    found.extend(c for c in changes if c not in found)
                    continue
            if m.id not in found:
                found.append(m.id)
        if found:
            return found
        for plan in (pair.plan_a, pair.plan_b):
            if pid in plan.roots:
                cid = plan.nodes[plan.roots[pid]].condition.id
                if cid not in found:
                    found.append(cid)
        return found


class _RowWriter:
    """Per-scenario rows of one chunk, formatted in the worker (CSV or JSON lines)."""

    def __init__(self, kind: str, name_a: str, name_b: str, provisions: tuple[str, ...]) -> None:
        self.kind = kind
        self.names = (name_a, name_b)
        self.provisions = provisions
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.current: dict[str, Any] | None = None

    def add(
        self,
        sid: str,
        k: int,
        date_a: dt.date,
        sa: int,
        ga: bool,
        date_b: dt.date,
        sb: int,
        gb: bool,
        responsible: Sequence[str],
    ) -> None:
        pid = self.provisions[k]
        if self.kind == "csv":
            self.writer.writerow(
                (
                    sid,
                    pid,
                    self.names[0],
                    date_a.isoformat(),
                    CODE_NAMES[sa],
                    "true" if ga else "false",
                    self.names[1],
                    date_b.isoformat(),
                    CODE_NAMES[sb],
                    "true" if gb else "false",
                    "true" if sa != sb else "false",
                    " ".join(responsible),
                )
            )
            return
        if self.current is None:
            self.current = {
                "scenario": sid,
                "a": {"rule_set": self.names[0], "as_of": date_a.isoformat()},
                "b": {"rule_set": self.names[1], "as_of": date_b.isoformat()},
                "provisions": {},
            }
        entry: dict[str, Any] = {
            "status_a": CODE_NAMES[sa],
            "gated_a": ga,
            "status_b": CODE_NAMES[sb],
            "gated_b": gb,
            "changed": sa != sb,
        }
        if sa != sb:
            entry["conditions"] = list(responsible)
        self.current["provisions"][pid] = entry

    def end_scenario(self) -> None:
        if self.current is not None:
            self.buffer.write(json.dumps(self.current, ensure_ascii=False) + "\n")
            self.current = None

    def text(self) -> str:
        return self.buffer.getvalue()


def provision_order(book_a: Any, book_b: Any) -> tuple[str, ...]:
    """Provisions of A in display order, then any that only B has."""
    order = list(book_a.sources)
    order.extend(pid for pid in book_b.sources if pid not in order)
    return tuple(order)


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(ROW_COLUMNS)
    return buffer.getvalue()


# ------------------------------------------------------------------ tasks and workers

# ("generate", start, count, date A, date B) or ("scenarios", [(id, facts, date A, date B)])
Task = tuple


def generated_tasks(count: int, chunk: int, date_a: dt.date, date_b: dt.date) -> Iterator[Task]:
    for start in range(0, count, chunk):
        yield ("generate", start, min(chunk, count - start), date_a, date_b)


def listed_tasks(
    items: Sequence[tuple[str, Facts, dt.date, dt.date]], chunk: int
) -> Iterator[Task]:
    for start in range(0, len(items), chunk):
        yield ("scenarios", list(items[start : start + chunk]))


def chunk_size(count: int, jobs: int) -> int:
    """Chunks small enough to keep every worker busy and the progress bar moving, large
    enough that a chunk's overhead (one round trip between processes) is negligible."""
    return max(MIN_CHUNK, min(MAX_CHUNK, -(-count // (jobs * 8))))


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_WORKER: Comparator | None = None


def _start_worker(config: Config) -> None:
    global _WORKER
    # Ctrl-C is the parent's to handle: it stops the pool, and workers that got the
    # signal too would each print a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _WORKER = Comparator(config)
    except EligibilityError as exc:  # reported by the first task
        _WORKER = None
        globals()["_WORKER_ERROR"] = (type(exc).__name__, str(exc))


def _work(task: Task) -> tuple[str, Any]:
    """Run one chunk in a worker; errors come back as (class name, message), because
    our exceptions' file and line do not survive pickling."""
    if _WORKER is None:
        return ("error", globals().get("_WORKER_ERROR", ("EngineError", "worker not ready")))
    try:
        return ("ok", _WORKER.run(task))
    except EligibilityError as exc:
        return ("error", (type(exc).__name__, str(exc)))


def _ready() -> tuple[str, Any]:
    return (
        ("ok", None)
        if _WORKER is not None
        else ("error", globals().get("_WORKER_ERROR", ("EngineError", "worker not ready")))
    )


def _unwrap(outcome: tuple[str, Any]) -> Any:
    kind, value = outcome
    if kind == "ok":
        return value
    name, message = value
    error_class = getattr(errors, name, EngineError)
    if not (isinstance(error_class, type) and issubclass(error_class, EligibilityError)):
        error_class = EngineError
    raise error_class(message)


# How workers start. Not "fork": a forked worker inherits the parent's heap layout, and
# under it a durable-rules memory bug (retracting a fact from a frame that is still
# dispatching: `deleteMessageFromFrame` runs past its array and zeroes whatever lies
# beyond) was seen to corrupt a Python dict and hang the worker in most runs.
# Spawned workers start from a clean interpreter, like the in-process run.
START_METHOD = "spawn"


@dataclass
class _Submission:
    """A task in order, and its future in the current pool (None: not submitted yet)."""

    task: Task
    future: Future[tuple[str, Any]] | None = None


MAX_RESTARTS = 3  # fresh pools after a worker died or stopped responding
STALL_SECONDS = 30.0  # plus 20x the slowest chunk so far: then a worker is stuck


class Runner:
    """Runs chunks in order: in this process (jobs == 1) or in worker processes.

    Use as a context manager; the workers are started (and have loaded the rule books)
    when `__enter__` returns, before any thread such as a progress bar starts.

    A worker that dies or stops responding (the rules engine is C code with known
    memory bugs) loses nothing: its chunks are pure functions of their input, so the
    pool is replaced and the unfinished chunks run again, giving the same results.
    `restarts` counts how often that happened.
    """

    def __init__(self, config: Config, jobs: int) -> None:
        self.config = config
        self.jobs = jobs
        self.executor: ProcessPoolExecutor | None = None
        self.local: Comparator | None = None
        self.restarts = 0

    def __enter__(self) -> Runner:
        if self.jobs <= 1:
            self.local = Comparator(self.config)
            return self
        self._start()
        return self

    def _start(self) -> None:
        methods = multiprocessing.get_all_start_methods()
        method = START_METHOD if START_METHOD in methods else methods[0]
        self.executor = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(self.config,),
        )
        try:
            _unwrap(self.executor.submit(_ready).result())
        except BrokenProcessPool:
            self._stop()
            raise EngineError(
                "a worker process could not start; run again with --jobs 1 to see why"
            ) from None
        except BaseException:
            self._stop()
            raise

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        self._stop(wait=kind is None)

    def _stop(self, wait: bool = False) -> None:
        """Shut the pool down; unless waiting (a normal end), stop the workers now
        rather than let them finish chunks whose results nobody will read."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=wait, cancel_futures=True)
        if not wait:
            for process in processes:
                if process.is_alive():
                    process.terminate()

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Tally, str | None]]:
        """(tally, rows text) per task, in task order."""
        if self.local is not None:
            for task in tasks:
                yield self.local.run(task)
            return
        pending: deque[_Submission] = deque()
        remaining = iter(tasks)
        limit = self.jobs * 3
        slowest = 0.0
        while True:
            while len(pending) < limit:
                task = next(remaining, None)
                if task is None:
                    break
                pending.append(_Submission(task))
            if not pending:
                return
            waited = time.monotonic()
            try:
                # `submit` itself raises BrokenProcessPool once a worker has died, so it
                # is inside the `try`, with the wait
                for submission in pending:
                    if submission.future is None:
                        assert self.executor is not None
                        submission.future = self.executor.submit(_work, submission.task)
                first = pending[0].future
                assert first is not None
                outcome = first.result(timeout=STALL_SECONDS + 20 * slowest)
            except (BrokenProcessPool, TimeoutError) as exc:
                self._restart(
                    "died" if isinstance(exc, BrokenProcessPool) else "stopped responding"
                )
                for submission in pending:
                    submission.future = None  # submitted again to the new pool
                continue
            slowest = max(slowest, time.monotonic() - waited)
            pending.popleft()
            yield _unwrap(outcome)

    def _restart(self, what: str) -> None:
        self.restarts += 1
        self._stop()
        if self.restarts > MAX_RESTARTS:
            raise EngineError(
                f"a worker process {what} {self.restarts} times (the rules "
                f"engine may have crashed); run again with --jobs 1 to find "
                f"the scenario"
            )
        self._start()


# ------------------------------------------------------------------ the whole run


@dataclass
class Population:
    """Where the scenarios come from, for the report."""

    scenarios: int
    source: str  # "generated" or "files"
    seed: int | None = None
    distribution: str | None = None
    distribution_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenarios": self.scenarios, "source": self.source}
        if self.source == "generated":
            out.update(
                seed=self.seed,
                distribution=self.distribution,
                distribution_file=self.distribution_path,
            )
        return out


@dataclass
class Comparison:
    """The result of a comparison: sides, population and the merged tally."""

    side_a: Side
    side_b: Side
    rule_set_a: str
    rule_set_b: str
    engine: str
    population: Population
    tally: Tally
    titles: dict[str, str] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    restarts: int = 0  # worker pools replaced after a crash or a stall

    @property
    def provisions(self) -> tuple[str, ...]:
        return self.tally.provisions

    def count(self, k: int, sa: int, sb: int) -> int:
        return self.tally.transitions[k * WIDTH + sa * 4 + sb]

    def changed(self) -> int:
        """Scenario-provision pairs whose status differs."""
        return sum(
            self.count(k, sa, sb)
            for k in range(len(self.provisions))
            for sa in range(4)
            for sb in range(4)
            if sa != sb
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary (`compare --format json`)."""
        n = self.tally.scenarios
        count = len(self.provisions)

        def share(value: int) -> dict[str, Any]:
            return {"count": value, "percent": percent(value, n)}

        provisions: dict[str, Any] = {}
        for k, pid in enumerate(self.provisions):
            transitions = []
            status = {
                "a": {name: 0 for name in STATUS_NAMES},
                "b": {name: 0 for name in STATUS_NAMES},
            }
            by_condition: dict[str, int] = {}
            changed = gained = lost = 0
            for sa in range(4):
                for sb in range(4):
                    slot = k * WIDTH + sa * 4 + sb
                    value = self.tally.transitions[slot]
                    if not value:
                        continue
                    if sa < 3:
                        status["a"][STATUS_NAMES[sa]] += value
                    if sb < 3:
                        status["b"][STATUS_NAMES[sb]] += value
                    conditions = sorted(
                        ((cid, c) for (s, cid), c in self.tally.conditions.items() if s == slot),
                        key=lambda item: (-item[1], item[0]),
                    )
                    for cid, c in conditions:
                        by_condition[cid] = by_condition.get(cid, 0) + c
                    if sa != sb:
                        changed += value
                        gained += value if sb == MET else 0
                        lost += value if sa == MET else 0
                    entry: dict[str, Any] = {
                        "from": CODE_NAMES[sa],
                        "to": CODE_NAMES[sb],
                        "changed": sa != sb,
                        "count": value,
                        "percent": percent(value, n),
                        "examples": list(self.tally.examples[slot]),
                    }
                    if sa != sb:
                        entry["conditions"] = [{"id": cid, "count": c} for cid, c in conditions]
                    transitions.append(entry)
            transitions.sort(key=lambda t: (not t["changed"], -t["count"], t["from"], t["to"]))
            provisions[pid] = {
                "title": self.titles.get(pid, pid),
                "changed": share(changed),
                "gained": share(gained),
                "lost": share(lost),
                "status": {
                    side: {name: share(value) for name, value in counts.items()}
                    for side, counts in status.items()
                },
                "law_enforcement_gated": {
                    "a": share(self.tally.gated[k]),
                    "b": share(self.tally.gated[count + k]),
                },
                "transitions": transitions,
                "conditions": [
                    {"id": cid, "count": c}
                    for cid, c in sorted(by_condition.items(), key=lambda i: (-i[1], i[0]))
                ],
            }
        return {
            "a": self._side_dict(self.side_a, self.rule_set_a),
            "b": self._side_dict(self.side_b, self.rule_set_b),
            "engine": self.engine,
            "today": self.today.isoformat(),
            "population": self.population.to_dict(),
            "provisions": provisions,
        }

    def _side_dict(self, side: Side, name: str) -> dict[str, Any]:
        return {
            "rule_set": name,
            "rules": side.rules,
            "as_of": side.as_of.isoformat() if side.as_of else None,
        }

    def csv_rows(self) -> Iterator[list[str]]:
        """`compare --format csv`: one row per provision and transition that occurs."""
        yield [
            "provision",
            "status_a",
            "status_b",
            "changed",
            "count",
            "percent",
            "conditions",
            "examples",
            "gated_a_percent",
            "gated_b_percent",
        ]
        for pid, entry in self.to_dict()["provisions"].items():
            for t in entry["transitions"]:
                yield [
                    pid,
                    t["from"],
                    t["to"],
                    "true" if t["changed"] else "false",
                    str(t["count"]),
                    f"{t['percent']:.3f}",
                    " ".join(f"{c['id']}:{c['count']}" for c in t.get("conditions", [])),
                    " ".join(t["examples"]),
                    f"{entry['law_enforcement_gated']['a']['percent']:.3f}",
                    f"{entry['law_enforcement_gated']['b']['percent']:.3f}",
                ]


def percent(value: int, total: int) -> float:
    return round(100.0 * value / total, 3) if total else 0.0


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
    write_rows: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
    registry: Registry | None = None,
) -> Comparison:
    """Compare two rule sets over scenarios (objects with `id`, `facts`, `as_of`) or a
    generated population (`generate=N`, `seed`, `distribution`).

    Sides are `Side`s or strings (`"us-law@2002-06-01"`). With `rows` ("csv" or
    "jsonl"), per-scenario rows are passed to `write_rows` in scenario order (CSV
    without the header; see `csv_header()`). `progress(n)` is called as chunks finish.
    """
    registry = registry or Registry()
    today = today or dt.date.today()
    a = side_a if isinstance(side_a, Side) else parse_side(side_a, today=today)
    b = side_b if isinstance(side_b, Side) else parse_side(side_b, today=today)
    a = Side(resolve_rules(a.rules, registry), a.as_of)
    b = Side(resolve_rules(b.rules, registry), b.as_of)
    if engine not in ENGINE_NAMES:
        raise UsageError(
            f"unknown engine {engine!r}{did_you_mean(engine, ENGINE_NAMES)}; "
            f"expected one of: {', '.join(ENGINE_NAMES)}"
        )
    if rows is not None and rows not in ROW_FORMATS:
        raise UsageError(f"unknown row format {rows!r}; expected one of: {', '.join(ROW_FORMATS)}")
    if jobs < 1:
        raise UsageError(f"jobs must be 1 or more, got {jobs}")
    if (scenarios is None) == (generate is None):
        raise UsageError("give either scenarios or a number of scenarios to generate")
    book_a, book_b = registry.load(a.rules), registry.load(b.rules)
    vocabulary = book_a.vocabulary
    dist: Distribution | None = None
    if generate is not None:
        if generate < 1:
            raise UsageError(
                f"the number of scenarios to generate must be 1 or more, got {generate}"
            )
        if seed < 0:
            raise UsageError(f"the seed must be 0 or more, got {seed}")
        dist = load_distribution(distribution, vocabulary, registry=registry)
        date_a, date_b = a.as_of or today, b.as_of or today
        a, b = Side(a.rules, date_a), Side(b.rules, date_b)  # the report names the dates
        book_a.at(date_a), book_b.at(date_b)  # rule errors surface here, not in a worker
        total = generate
        chunk = chunk_size(total, jobs)
        tasks: Iterator[Task] = generated_tasks(total, chunk, date_a, date_b)
        population = Population(total, "generated", seed, dist.name, str(Path(dist.path).resolve()))
    else:
        assert scenarios is not None
        items = []
        for s in scenarios:
            date_a, date_b = a.as_of or s.as_of or today, b.as_of or s.as_of or today
            book_a.at(date_a), book_b.at(date_b)
            items.append((s.id, s.facts, date_a, date_b))
        total = len(items)
        chunk = chunk_size(total, jobs)
        tasks = listed_tasks(items, chunk)
        population = Population(total, "files")
    jobs = max(1, min(jobs, -(-total // chunk)))
    config = Config(
        a,
        b,
        str(registry.rules_dir),
        engine,
        str(Path(dist.path).resolve()) if dist else None,
        seed,
        examples,
        rows,
    )
    provisions = provision_order(book_a, book_b)
    tally = Tally(provisions, examples)
    with Runner(config, jobs) as runner:
        for part, text in runner.run(tasks):
            tally.merge(part)
            if text and write_rows is not None:
                write_rows(text)
            if progress is not None:
                progress(part.scenarios)
    titles = {pid: book.sources[pid].title for book in (book_b, book_a) for pid in book.sources}
    return Comparison(
        a, b, book_a.name, book_b.name, engine, population, tally, titles, today, runner.restarts
    )
