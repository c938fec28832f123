"""Case weights in a comparison, counted exactly.

A weighted share is the sum of the weights of the cases in it over the sum of all
weights. Summed as floats, it would depend on the order of addition, that is on how the
cases were split into chunks (`--jobs`) and on the engine. Shares depend only on the
ratios of the weights, so each weight is divided by the largest and counted in *units*
of 2**-32 of it: whole numbers, whose sums are exact in any order (Python ints; int64
in the column-wise engine, where a chunk's sum stays far below 2**53). A weight below
2**-33 of the largest counts as 0; the total reported is the sum of the weights as given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

UNIT_BITS = 32


@dataclass(frozen=True)
class Weights:
    """The weights of a population's cases, in order, and the column they came from."""

    column: str
    values: tuple[float, ...]

    @property
    def total(self) -> float:
        return math.fsum(self.values)

    def units(self) -> list[int]:
        """Each weight in units of 2**-UNIT_BITS of the largest (all 0 if all are 0)."""
        return weight_units(self.values)


def weight_units(weights: Sequence[float]) -> list[int]:
    largest = max(weights, default=0.0)
    if largest <= 0:
        return [0] * len(weights)
    scale = float(1 << UNIT_BITS) / largest
    return [round(w * scale) for w in weights]


def weighted_percent(units: int, total: int) -> float:
    """A share of the weight, in percent with three decimals (as `percent`)."""
    return round(100.0 * units / total, 3) if total else 0.0
