"""Counts over the scenarios of a comparison, mergeable chunk by chunk.

Per provision, the pair of statuses on sides A and B is a *transition code*: status A
* 4 + status B, where a status is NOT_MET, MET, UNDETERMINED or ABSENT (the provision
does not exist on that side), so WIDTH = 16 codes per provision.

A weighted population (population/weights.py) has a second tally of the same shape,
`weights`, that adds each case's weight units where the first adds 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..analysis.dependency import LEVELS
from ..law.logic import STATUS_NAMES

ABSENT = 3  # the provision does not exist on that side
CODE_NAMES = STATUS_NAMES + ("absent",)
WIDTH = 16  # codes per provision: status A * 4 + status B
LEVEL_INDEX = {level: i for i, level in enumerate(LEVELS)}


@dataclass
class Tally:
    """Counts over some scenarios; tallies of consecutive chunks merge in order."""

    provisions: tuple[str, ...]
    examples_wanted: int = 3
    scenarios: int = 0
    transitions: list[int] = field(default_factory=list)  # provision * WIDTH + code
    gated: list[int] = field(default_factory=list)  # side * P + provision
    # law-enforcement dependency levels: (side * P + provision) * len(LEVELS) + level
    levels: list[int] = field(default_factory=list)
    examples: list[list[str]] = field(default_factory=list)
    # scenarios on whose date the provision's status could be granted: side * P + provision
    grantable: list[int] = field(default_factory=list)
    conditions: dict[tuple[int, str], int] = field(default_factory=dict)  # (slot, id)
    weights: Tally | None = None  # the same counts in weight units, for weighted shares

    def __post_init__(self) -> None:
        count = len(self.provisions)
        if not self.transitions:
            self.transitions = [0] * (count * WIDTH)
        if not self.gated:
            self.gated = [0] * (2 * count)
        if not self.levels:
            self.levels = [0] * (2 * count * len(LEVELS))
        if not self.examples:
            self.examples = [[] for _ in range(count * WIDTH)]
        if not self.grantable:
            self.grantable = [0] * (2 * count)

    def merge(self, other: Tally) -> None:
        """Add the counts of `other`, which covers later scenarios."""
        self.scenarios += other.scenarios
        for i, value in enumerate(other.transitions):
            if value:
                self.transitions[i] += value
        for i, value in enumerate(other.gated):
            self.gated[i] += value
        for i, value in enumerate(other.levels):
            self.levels[i] += value
        for i, value in enumerate(other.grantable):
            self.grantable[i] += value
        wanted = self.examples_wanted
        for mine, theirs in zip(self.examples, other.examples, strict=True):
            if theirs and len(mine) < wanted:
                mine.extend(theirs[: wanted - len(mine)])
        for key, value in other.conditions.items():
            self.conditions[key] = self.conditions.get(key, 0) + value
        if other.weights is not None:
            if self.weights is None:
                self.weights = Tally(self.provisions, 0)
            self.weights.merge(other.weights)

    def weigh(
        self,
        units: int,
        slots: list[int],
        gated: list[int],
        levels: list[int],
        grantable: Sequence[int] = (),
    ) -> None:
        """Add one case of `units` weight units at these indexes of `transitions`,
        `gated`, `levels` and `grantable` (a weighted tally only)."""
        self.scenarios += units
        for i in grantable:
            self.grantable[i] += units
        for i in slots:
            self.transitions[i] += units
        for i in gated:
            self.gated[i] += units
        for i in levels:
            self.levels[i] += units

    def level_counts(self, side: int, k: int) -> dict[str, int]:
        """How many scenarios had each dependency level for provision k on a side
        (0: A, 1: B)."""
        start = (side * len(self.provisions) + k) * len(LEVELS)
        return dict(zip(LEVELS, self.levels[start : start + len(LEVELS)], strict=True))
