"""Generated scenario populations: a documented distribution file, drawn from by seed.

A distribution file (`rules/populations/*.yaml`; the file `default.yaml` documents the
format in its comments) describes a caseload: for each fact, how often it is known and
how its value is distributed, with `cases` that change the distribution depending on
hidden traits (`latent`) and on facts drawn before it. Correlations come from those
cases: the age of the person and the kind of exploitation, citizenship and every
immigration fact, a child's age and an HHS request before 18, one law-enforcement
engagement behind all the cooperation facts.

How one scenario is drawn: every latent trait and every fact gets a *true* value, in
file order, so that `when` tests always see a value (an age is never "unknown" to the
world, only to the intake worker); then each fact is hidden (left out: unknown) with its
`unknown` probability. Hiding never changes the true values that later facts test.

Constraints (`implies:`, `excludes:`) hold on the true values of every scenario: a draw
that breaks one is thrown away and the scenario drawn again from the next attempt's
random numbers, up to MAX_ATTEMPTS times (rejection: the population is the file's
distribution conditioned on its constraints). `Constraint.violated` is the one
definition; the column-wise stream (columns.py) calls the same function. Calibration
targets (population/calibration.py) change the parameters of the variables they name,
before anything is drawn, so both streams draw from the same calibrated distribution.

Determinism: scenario `index` of seed `seed` is drawn by its own random generator,
seeded with a hash of (seed, index) (and the attempt, from the second one on). The
population of N scenarios is therefore the
same whatever the batch sizes or number of worker processes, a population of N is a
prefix of the population of 2N, and any slice can be drawn without the rest
(`generate(..., start=)`): workers receive index ranges, never scenarios. Only
`random.random()` is used, whose stream Python keeps stable across versions.
Scenario ids are `gen-<seed>-<index>` (index from 0).
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ScenarioError
from ..law.vocabulary import Facts

SEED_PREFIX = "eligibility-generate"
MAX_ATTEMPTS = 200  # draws of one scenario before its constraints are declared unmet


def scenario_id(seed: int, index: int) -> str:
    """The id of generated scenario `index` (from 0) of `seed`."""
    return f"gen-{seed}-{index}"


# ------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Params:
    """How to draw one variable in one case."""

    unknown: float = 0.0
    probability: float = 0.0  # bool: P(true)
    choices: tuple[Any, ...] = ()  # enum/latent values, or int ranges (lo, hi)
    cumulative: tuple[float, ...] = ()  # cumulative weights of `choices`
    members: tuple[tuple[str, float], ...] = ()  # set: (member, P(member))
    plus: str | None = None  # int: add the true value of this fact


@dataclass(frozen=True)
class Variable:
    """A latent trait or a fact, with its base parameters and its cases."""

    name: str
    kind: str  # bool | int | enum | set | latent
    base: Params
    cases: tuple[tuple[Callable[[Mapping[str, Any]], bool], Params], ...] = ()
    low: int = 0
    high: int = 0
    when_names: tuple[tuple[str, ...], ...] = ()  # per case, the names its `when` reads

    @property
    def output(self) -> bool:
        return self.kind != "latent"


def _pick(params: Params, r: Callable[[], float]) -> Any:
    cumulative = params.cumulative
    return params.choices[bisect.bisect_right(cumulative, r() * cumulative[-1])]


def _draw(var: Variable, params: Params, r: Callable[[], float], truth: Mapping[str, Any]) -> Any:
    kind = var.kind
    if kind == "bool":
        return r() < params.probability
    if kind == "set":
        return frozenset([m for m, p in params.members if r() < p])
    if kind == "int":
        low, high = _pick(params, r)
        value = low + int(r() * (high - low + 1))
        if params.plus is not None:
            value += truth[params.plus]
        return min(max(value, var.low), var.high)
    return _pick(params, r)  # enum, latent


@dataclass(frozen=True)
class Constraint:
    """A combination of true values that no scenario may have."""

    id: str
    text: str
    names: tuple[str, ...]  # the traits and facts it reads, drawn before it is tested
    violated: Callable[[Mapping[str, Any]], bool]  # on the true values of one scenario


@dataclass(frozen=True)
class Target:
    """A calibration target: the shares of a variable's values (or of an int fact's
    values below a bound) in the population, reached by population/calibration.py."""

    variable: str
    kind: str  # the variable's kind: latent, bool, enum or int
    shares: tuple[tuple[Any, float], ...]  # value (or "below") -> share; the rest: others
    below: int | None = None  # int facts: the share of values below this bound


@dataclass
class Distribution:
    """A validated distribution file; draw scenarios with `facts(seed, index)`."""

    name: str
    title: str
    path: str
    variables: tuple[Variable, ...]
    description: str = ""
    constraints: tuple[Constraint, ...] = ()
    targets: tuple[Target, ...] = ()
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def facts(self, seed: int, index: int) -> Facts:
        """The known facts of generated scenario `index` of `seed`: the first attempt
        whose true values break no constraint."""
        for attempt in range(MAX_ATTEMPTS):
            truth, known = self._attempt(seed, index, attempt)
            if not any(c.violated(truth) for c in self.constraints):
                return known
        raise unmet(self, seed, index)

    def _attempt(self, seed: int, index: int, attempt: int) -> tuple[dict[str, Any], Facts]:
        rng = self._rng
        suffix = f":{attempt}" if attempt else ""  # attempt 0: the stream without constraints
        rng.seed(f"{SEED_PREFIX}:{seed}:{index}{suffix}")
        r = rng.random
        truth: dict[str, Any] = {}
        known: Facts = {}
        for var in self.variables:
            params = var.base
            for test, case in var.cases:
                if test(truth):
                    params = case
                    break
            value = _draw(var, params, r, truth)
            truth[var.name] = value
            if var.kind != "latent" and not (params.unknown and r() < params.unknown):
                known[var.name] = value
        return truth, known

    def generate(self, count: int, seed: int, *, start: int = 0) -> Iterator[tuple[str, Facts]]:
        """(id, facts) of scenarios start .. start+count-1, one at a time."""
        for index in range(start, start + count):
            yield scenario_id(seed, index), self.facts(seed, index)

    def fact_names(self) -> list[str]:
        return [v.name for v in self.variables if v.output]


def unmet(distribution: Distribution, seed: int, index: int) -> ScenarioError:
    """The error of a scenario that no attempt could draw within the constraints."""
    names = ", ".join(c.id for c in distribution.constraints)
    return ScenarioError(
        f"scenario {index} of seed {seed}: none of {MAX_ATTEMPTS} draws keeps the "
        f"constraints ({names}); the distribution almost never satisfies them: make its "
        f"facts agree with them",
        path=distribution.path,
        key="constraints",
    )


def __getattr__(name: str) -> Any:
    # load_distribution lived here before population/distributions.py, which imports
    # this module: scripts and the column-wise comparison still import it from here
    if name == "load_distribution":
        from .distributions import load_distribution

        return load_distribution
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
