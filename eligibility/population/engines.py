"""Which engine evaluates a population: `--engine auto` made concrete.

The column-wise engine (engine/vector.py) pays a fixed cost per run (numpy, compiling
each plan for columns) and then evaluates tens of thousands of cases in the time the
per-case engines take for a few hundred. Measured on 2 cores, `compare` of us-law
against rights-based-2007 from the command line, whole process (seconds):

    cases     10    50    200   1,000   3,000
    vector    0.9   0.7   0.8   1.1     1.2
    durable   0.7   0.6   1.7   5.9     7.6
    python    0.6   0.5   1.7   1.8     2.5

The per-case engines win below about 100 cases (no numpy to load, no column plans to
build); VECTOR_FROM leaves them the populations where the two are close.
"""

from __future__ import annotations

from dataclasses import dataclass

VECTOR_FROM = 200  # cases; see the module docstring
PER_CASE = "durable"  # the engine auto picks for small populations


@dataclass(frozen=True)
class EngineChoice:
    """The engine a run uses, and why (shown in the summary)."""

    name: str
    requested: str
    rows: bool = False  # per-case rows were asked for (`compare --out`)

    @property
    def reason(self) -> str:
        if self.requested != "auto":
            return ""
        if self.name == "vector":
            return f"chosen by --engine auto: {VECTOR_FROM:,} cases or more"
        if self.rows:
            return "chosen by --engine auto: per-case rows (--out) need a per-case engine"
        return f"chosen by --engine auto: fewer than {VECTOR_FROM:,} cases"


def choose_engine(requested: str, cases: int, *, rows: bool = False) -> EngineChoice:
    """`requested` as given to --engine; `auto` becomes vector from VECTOR_FROM cases,
    unless per-case rows are wanted (the column-wise comparison tallies, it writes no
    rows)."""
    if requested != "auto":
        return EngineChoice(requested, requested, rows)
    vector = cases >= VECTOR_FROM and not rows
    return EngineChoice("vector" if vector else PER_CASE, requested, rows)
