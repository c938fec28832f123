"""Many scenarios evaluated and formatted, in order, in this process or in workers
(`evaluate --jobs N`).

A chunk of scenarios goes to a worker (population/workers.py runs them, in order,
surviving a crashed engine); the worker evaluates each scenario and formats it at once
(output.py: JSON, JSON lines, CSV rows or Parquet rows), so only text or rows cross
between processes and nothing holds more than a chunk of results.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from .. import output
from ..analysis.evaluate import Evaluator, Result
from ..errors import EligibilityError, printable
from ..law.scenarios import Scenario, load_scenario

DETAILS = ("summary", "full")
CHUNK = 64  # scenarios per chunk: a round trip between processes is worth ~1 ms


@dataclass(frozen=True)
class Config:
    """What a worker needs to evaluate and format (small, picklable)."""

    rules_dir: str
    rules: str
    engine: str
    as_of: dt.date | None
    detail: str  # "summary" or "full"
    format: str  # "json", "jsonl", "csv" or "parquet"
    keep_going: bool = False  # a scenario that fails is reported, not the end of the run
    weighted: bool = False  # cases carry weights (--weight): a `weight` column in CSV/Parquet


# One scenario's outcome: ("ok", formatted) or ("error", message)
Outcome = tuple[str, Any]
# A scenario (or the path of a validated scenario file) and its weight, if any
Item = tuple[Scenario | str | Path, float | None]


def document(result: Result, detail: str) -> dict[str, Any]:
    """The JSON document of a result at `detail`."""
    return result.summary_dict() if detail == "summary" else result.to_dict()


def formatted(result: Result, config: Config) -> Any:
    """One result as its format wants it: JSON text (an element of the `--format
    json` array), a JSON line, CSV text or Parquet rows."""
    if config.format == "json":
        return output.json_element(document(result, config.detail))
    if config.format == "jsonl":
        doc = document(result, config.detail)
        if config.detail == "summary":
            return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
        return json.dumps(doc, ensure_ascii=False) + "\n"
    doc = result.to_dict(explanations=False)
    weight = [result.weight] if config.weighted else []  # last, so other columns keep places
    if config.format == "csv":
        return "".join(
            output.csv_line(row + [repr(w) for w in weight]) for row in output.csv_rows([doc])
        )
    return [row + weight for row in output.tidy_rows([doc])]


class BatchWorker:
    """Evaluates and formats chunks of scenarios in one process."""

    def __init__(self, config: Config) -> None:
        from ..law.registry import Registry

        registry = Registry(Path(config.rules_dir))
        self.config = config
        self.evaluator = Evaluator(registry.load(config.rules), config.engine)

    def run(self, chunk: Sequence[Item]) -> list[Outcome]:
        """Evaluate and format each scenario; a path is a validated scenario file that
        was not kept in memory, read here (in the worker, so reading is parallel too).
        The vector engine evaluates the chunk's scenarios together."""
        out: list[Outcome | None] = [None] * len(chunk)
        loaded: list[tuple[int, Scenario]] = []
        vocabulary = self.evaluator.book.vocabulary
        weights = [weight for _, weight in chunk]
        for number, (item, _) in enumerate(chunk):
            try:
                scenario = item if isinstance(item, Scenario) else load_scenario(item, vocabulary)
            except EligibilityError as exc:
                out[number] = self._failed(item, exc)
                continue
            loaded.append((number, scenario))
        # family members and findings (issue 17) need evaluate_scenario: one at a time
        columns = [(n, s) for n, s in loaded if not s.family_members and not s.findings]
        if self.config.engine == "vector" and columns:
            try:
                results = self.evaluator.evaluate_many(
                    [
                        (s.facts, self.config.as_of or s.as_of or dt.date.today(), s.id)
                        for _, s in columns
                    ]
                )
            except EligibilityError:
                pass  # one at a time below, to name the scenario
            else:
                for (number, _), result in zip(columns, results, strict=True):
                    result.weight = weights[number]
                    out[number] = ("ok", formatted(result, self.config))
                done = {number for number, _ in columns}
                loaded = [(n, s) for n, s in loaded if n not in done]
        for number, scenario in loaded:
            try:
                result = self.evaluator.evaluate_scenario(scenario, self.config.as_of)
            except EligibilityError as exc:
                out[number] = self._failed(scenario, exc)
                continue
            result.weight = weights[number]
            out[number] = ("ok", formatted(result, self.config))
        return [o for o in out if o is not None]

    def _failed(self, item: Scenario | str | Path, exc: EligibilityError) -> Outcome:
        if not self.config.keep_going:
            raise exc
        label = (item.path or item.id) if isinstance(item, Scenario) else str(item)
        return ("error", f"{printable(label)}: {exc}")


def evaluate_many(
    config: Config,
    scenarios: Iterable[Scenario | str | Path],
    *,
    weights: Iterable[float] | None = None,
    jobs: int = 1,
    chunk: int = CHUNK,
) -> Iterator[Outcome]:
    """Every scenario's outcome, in input order; with jobs > 1, in worker processes.
    Scenarios are objects or paths of validated scenario files; `weights`, one per
    scenario, go into each result (`weight`)."""
    from .workers import Runner

    def chunks() -> Iterator[list[Item]]:
        batch: list[Item] = []
        weight_of: Iterator[float | None] = iter(weights) if weights is not None else repeat(None)
        for scenario in scenarios:
            batch.append((scenario, next(weight_of)))
            if len(batch) == chunk:
                yield batch
                batch = []
        if batch:
            yield batch

    with Runner(BatchWorker, config, jobs) as runner:
        for outcomes in runner.run(chunks()):
            yield from outcomes
