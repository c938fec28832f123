"""Calibration targets of distribution files: the shares a population should have.

A target names a latent trait or a bool, enum or int fact and the shares of its true
values (`{of: exploitation, shares: {labor: 0.7, sex: 0.3}}`; values not named share
what is left, in their own proportions), or for an int fact the share below a bound
(`{of: age_at_victimization, below: 18, share: 0.25}`). Each target splits the
variable's values into *cells*; calibration multiplies the weight of every value of a
cell, in the variable's base parameters and in each of its cases alike, by one factor
per cell (for a bool, its odds), so the correlations written in the file are kept and
only the marginal shares move.

The factors are found by iterative proportional fitting (raking) on a pilot sample:
PILOT cases of the column-wise stream with a fixed seed, constraints and all, drawn
with the same random numbers each round, so the rounds converge instead of chasing
noise. Each round multiplies every cell's factor by target / share reached, for every
target in turn; the calibrated distribution is the first whose pilot is within
TOLERANCE of every target. The pilot depends only on the file, so calibration is the
same on every machine and in every process, and both streams (generate.py, columns.py)
draw from the calibrated parameters: a sample's shares then differ from the targets
by sampling noise only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..law.vocabulary import Vocabulary
from .generate import Distribution, Params, Target, Variable

PILOT = 1 << 16  # cases of the pilot sample (the sampling error of a share: <= 0.2 %)
PILOT_SEED = 0x63616C69  # "cali": any fixed seed; users' seeds never see the pilot
TOLERANCE = 0.001  # how far a pilot share may stay from its target
MAX_ROUNDS = 60


def calibrate(distribution: Distribution, vocabulary: Vocabulary) -> Distribution:
    """The distribution with its variables' parameters moved to reach its targets."""
    from .columns import ColumnGenerator

    targets = distribution.targets
    variables = {v.name: v for v in distribution.variables}
    for target in targets:
        if target.below is not None:  # cells are whole ranges, split at the bound
            variables[target.variable] = _split(variables[target.variable], target.below)
    wanted = [_wanted(target, variables[target.variable]) for target in targets]
    factors = [np.ones(len(cells.labels), np.float64) for cells in wanted]
    reached: list[np.ndarray] = []
    for _ in range(MAX_ROUNDS):
        candidate = dataclasses.replace(
            distribution,
            variables=tuple(
                _scaled(variables[v.name], targets, factors, wanted) for v in distribution.variables
            ),
        )
        generator = ColumnGenerator(candidate, vocabulary)
        codes = generator.truth(PILOT_SEED, 0, PILOT)
        reached = [
            _shares(generator, codes, t, cells) for t, cells in zip(targets, wanted, strict=True)
        ]
        errors = [np.abs(r - cells.share).max() for r, cells in zip(reached, wanted, strict=True)]
        if max(errors) <= TOLERANCE:
            return candidate
        for k, (share, cells) in enumerate(zip(reached, wanted, strict=True)):
            stuck = (share == 0) & (cells.share > 0)
            if stuck.any():
                raise _failure(distribution, targets[k], cells, share, "is never drawn")
            ratio = np.divide(cells.share, share, out=np.zeros_like(share), where=share > 0)
            factors[k] = factors[k] * ratio
    worst = int(
        np.argmax([np.abs(r - c.share).max() for r, c in zip(reached, wanted, strict=True)])
    )
    raise _failure(distribution, targets[worst], wanted[worst], reached[worst], "is not reached")


@dataclasses.dataclass(frozen=True)
class _Cells:
    """A target's cells: which cell each value (or int range) falls in, and the shares."""

    labels: tuple[str, ...]
    share: np.ndarray  # per cell
    of_value: dict[Any, int]  # enum/latent/bool value, or int range (lo, hi) -> cell


def _wanted(target: Target, variable: Variable) -> _Cells:
    listed = dict(target.shares)
    if target.below is not None:
        share = listed["below"]
        ranges = {r for p in _params(variable) for r in p.choices}
        return _Cells(
            (f"below {target.below}", f"{target.below} or more"),
            np.array([share, 1 - share]),
            {r: 0 if r[1] < target.below else 1 for r in ranges},
        )
    values: Sequence[Any] = (
        (False, True)
        if target.kind == "bool"
        else tuple(dict.fromkeys(v for p in _params(variable) for v in p.choices))
    )
    rest = [v for v in values if v not in listed]
    labels = [str(v).lower() if isinstance(v, bool) else str(v) for v in listed]
    shares = list(listed.values())
    of_value = {v: i for i, v in enumerate(listed)}
    if rest:
        labels.append("the other values")
        shares.append(max(0.0, 1.0 - sum(shares)))
        of_value.update({v: len(labels) - 1 for v in rest})
    return _Cells(tuple(labels), np.array(shares, np.float64), of_value)


def _params(variable: Variable) -> list[Params]:
    return [variable.base, *(p for _, p in variable.cases)]


def _split(variable: Variable, bound: int) -> Variable:
    """The variable with every int range that holds values on both sides of `bound`
    split there, each part weighed by its length (the same distribution)."""

    def split(params: Params) -> Params:
        choices: list[tuple[int, int]] = []
        weights: list[float] = []
        for (low, high), weight in zip(params.choices, _weights(params), strict=True):
            if low < bound <= high:
                length = high - low + 1
                choices += [(low, bound - 1), (bound, high)]
                weights += [weight * (bound - low) / length, weight * (high - bound + 1) / length]
            else:
                choices.append((low, high))
                weights.append(weight)
        return _with_weights(params, tuple(choices), weights)

    return dataclasses.replace(
        variable,
        base=split(variable.base),
        cases=tuple((test, split(p)) for test, p in variable.cases),
    )


def _weights(params: Params) -> list[float]:
    cumulative = params.cumulative
    return [c - (cumulative[i - 1] if i else 0.0) for i, c in enumerate(cumulative)]


def _with_weights(params: Params, choices: tuple[Any, ...], weights: Sequence[float]) -> Params:
    kept = [(c, w) for c, w in zip(choices, weights, strict=True) if w > 0]
    if not kept:  # every value of this case was given a share of 0: keep it as written
        return params
    cumulative = np.cumsum([w for _, w in kept]).tolist()
    return dataclasses.replace(
        params, choices=tuple(c for c, _ in kept), cumulative=tuple(cumulative)
    )


def _scaled(
    variable: Variable,
    targets: Sequence[Target],
    factors: Sequence[np.ndarray],
    wanted: Sequence[_Cells],
) -> Variable:
    """The variable with the factors of its target (if any) applied to every params."""
    for target, factor, cells in zip(targets, factors, wanted, strict=True):
        if target.variable == variable.name:
            return dataclasses.replace(
                variable,
                base=_scale(variable.base, variable.kind, factor, cells),
                cases=tuple(
                    (test, _scale(p, variable.kind, factor, cells)) for test, p in variable.cases
                ),
            )
    return variable


def _scale(params: Params, kind: str, factor: np.ndarray, cells: _Cells) -> Params:
    """One params with each value's weight times its cell's factor (a bool: its odds)."""
    if kind == "bool":
        p = params.probability
        yes = p * factor[cells.of_value[True]]
        no = (1 - p) * factor[cells.of_value[False]]
        return dataclasses.replace(params, probability=float(yes / (yes + no)) if yes + no else p)
    weights = [
        w * factor[cells.of_value[c]] for c, w in zip(params.choices, _weights(params), strict=True)
    ]
    return _with_weights(params, params.choices, weights)


def _shares(
    generator: Any, codes: dict[str, np.ndarray], target: Target, cells: _Cells
) -> np.ndarray:
    """The pilot's share of each cell of a target."""
    column = codes[target.variable]
    if target.kind == "bool":
        cell = np.where(column.astype(bool), cells.of_value[True], cells.of_value[False])
    elif target.below is not None:
        variable = next(v for v in generator.distribution.variables if v.name == target.variable)
        cell = np.where(column + variable.low < target.below, 0, 1)
    else:
        values = generator.values_of(target.variable)
        lookup = np.array([cells.of_value.get(v, len(cells.labels)) for v in values])
        cell = np.take(lookup, column.astype(np.int64))
    counts = np.bincount(cell, minlength=len(cells.labels) + 1)[: len(cells.labels)]
    return counts / len(column)


def _failure(
    distribution: Distribution, target: Target, cells: _Cells, reached: np.ndarray, why: str
) -> ScenarioError:
    worst = int(np.argmax(np.abs(reached - cells.share)))
    return ScenarioError(
        f"the target of {target.variable}: {cells.labels[worst]} at "
        f"{cells.share[worst]:.1%} {why} (it reaches {reached[worst]:.1%}); the file's "
        f"cases or constraints leave too little room for it",
        path=distribution.path,
        key="targets",
    )
