"""What both comparisons (compare.py per case, vector_compare.py column-wise) check and
load before any work: the two sides and their rule books, the population (generated or
listed, with its weights), and for listed scenarios each one's dates on both sides.
Errors in the rules or the arguments surface here, before a worker starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..law.registry import Registry
from ..law.rulebook import RuleBook
from ..law.vocabulary import Facts
from .comparison import Population
from .distributions import load_distribution
from .generate import Distribution
from .sides import Side, parse_side, resolve_rules
from .weights import Weights

# a listed scenario: id, facts, its date on side A and on side B, its weight units
Item = tuple[str, Facts, dt.date, dt.date, int | None]


@dataclass(frozen=True)
class Setup:
    a: Side  # a generated population's sides carry their dates (the report names them)
    b: Side
    book_a: RuleBook
    book_b: RuleBook
    population: Population
    total: int
    distribution: Distribution | None = None  # a generated population's
    items: list[Item] | None = None  # listed scenarios
    units: list[int] | None = None  # their weight units, when weighted

    @property
    def distribution_path(self) -> str | None:
        return str(Path(self.distribution.path).resolve()) if self.distribution else None


def prepare(
    side_a: Side | str,
    side_b: Side | str,
    *,
    scenarios: Sequence[Any] | None,
    generate: int | None,
    seed: int,
    distribution: str | Path,
    jobs: int,
    today: dt.date,
    registry: Registry,
    weights: Weights | None,
    cases_file: str | None,
) -> Setup:
    a = side_a if isinstance(side_a, Side) else parse_side(side_a, today=today)
    b = side_b if isinstance(side_b, Side) else parse_side(side_b, today=today)
    a = Side(resolve_rules(a.rules, registry), a.as_of)
    b = Side(resolve_rules(b.rules, registry), b.as_of)
    if jobs < 1:
        raise UsageError(f"jobs must be 1 or more, got {jobs}")
    if (scenarios is None) == (generate is None):
        raise UsageError("give either scenarios or a number of scenarios to generate")
    units = check_weights(weights, scenarios)
    book_a, book_b = registry.load(a.rules), registry.load(b.rules)
    if generate is not None:
        if generate < 1:
            raise UsageError(
                f"the number of scenarios to generate must be 1 or more, got {generate}"
            )
        if seed < 0:
            raise UsageError(f"the seed must be 0 or more, got {seed}")
        # an overlay may add facts: the population is drawn over the facts of both
        dist = load_distribution(
            distribution,
            book_a.vocabulary.union(book_b.vocabulary, names=(book_a.name, book_b.name)),
            registry=registry,
        )
        date_a, date_b = a.as_of or today, b.as_of or today
        book_a.at(date_a), book_b.at(date_b)  # rule errors surface here, not in a worker
        path = str(Path(dist.path).resolve())
        population = Population(generate, "generated", seed, dist.name, path)
        return Setup(
            Side(a.rules, date_a), Side(b.rules, date_b), book_a, book_b, population,
            generate, distribution=dist,
        )  # fmt: skip
    assert scenarios is not None
    items: list[Item] = []
    for i, s in enumerate(scenarios):
        date_a, date_b = a.as_of or s.as_of or today, b.as_of or s.as_of or today
        book_a.at(date_a), book_b.at(date_b)
        items.append((s.id, s.evaluated_facts(), date_a, date_b, units[i] if units else None))
    population = listed_population(len(items), weights, cases_file)
    return Setup(a, b, book_a, book_b, population, len(items), items=items, units=units)


def check_weights(weights: Weights | None, scenarios: Sequence[Any] | None) -> list[int] | None:
    """The weight units of listed scenarios (population/weights.py), or None."""
    if weights is None:
        return None
    if scenarios is None:
        raise UsageError("weights apply to listed scenarios, not to a generated population")
    if len(weights.values) != len(scenarios):
        raise UsageError(
            f"{len(weights.values)} weights for {len(scenarios)} scenarios: give one per scenario"
        )
    return weights.units()


def listed_population(total: int, weights: Weights | None, cases_file: str | None) -> Population:
    """The report's description of listed scenarios: files, or the rows of a table."""
    source = "files" if cases_file is None else "cases"
    return Population(total, source, weights=weights, cases_file=cases_file)
