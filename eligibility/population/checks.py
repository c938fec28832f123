"""What a distribution file draws against its own constraints and targets: the lint run
by `eligibility generate` (and by tests on the bundled files).

A constraint that the file's own probabilities break costs nothing in correctness (the
broken draws are drawn again: generate.py), but it shows that the file says two things
that disagree, and the redrawing shifts the shares of every fact the constraint reads.
The lint therefore counts, on a sample of first draws, how often each constraint is
broken, and says where to make the file agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..law.vocabulary import Vocabulary
from .calibration import PILOT
from .generate import Distribution

LINT_SEED = 0x6C696E74  # "lint": a fixed sample, so that the lint says the same each time


@dataclass(frozen=True)
class DistributionFinding:
    """One thing the lint found, as `path: key: message`."""

    path: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.message}"


def check_distribution(
    distribution: Distribution, vocabulary: Vocabulary, *, sample: int = PILOT
) -> list[DistributionFinding]:
    """The constraints that the file's own probabilities break, with how often."""
    if not distribution.constraints:
        return []
    from .columns import ColumnGenerator

    broken = ColumnGenerator(distribution, vocabulary).first_draws(LINT_SEED, 0, sample)
    findings = []
    for constraint in distribution.constraints:
        count = broken[constraint.id]
        if count:
            reads = ", ".join(constraint.names)
            why = f" ({constraint.text})" if constraint.text != constraint.id else ""
            findings.append(
                DistributionFinding(
                    distribution.path,
                    f"constraints.{constraint.id}",
                    f"{count / sample:.2%} of the file's draws break it{why}; "
                    f"they are drawn again, which shifts the shares of {reads}: make the "
                    f"cases of these facts agree with it",
                )
            )
    return findings
