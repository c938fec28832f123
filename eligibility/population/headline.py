"""The headline numbers of a comparison: how much of each protection depends on law
enforcement, per provision and rule set.

From the tally of one side (statuses, law-enforcement dependency levels, and how often
the status could be granted on the date), per provision:

    met                          the provision is met
    met_through_law_enforcement  met, and not met without a law-enforcement act or the
                                 person's cooperation (level `relies_on`): part of met
    gated                        not met (not_met or undetermined); met once law
                                 enforcement acted
    possibly_gated               not met (not_met or undetermined); undetermined once law
                                 enforcement acted, with a law-enforcement element in the way
    not_met                      the provision is not met
    undetermined                 unknown facts decide

with bounds on the true share met once every unknown fact is known (met <= share <= met
+ undetermined, Kleene logic being monotone in information), and `grantable`: the share
of scenarios on whose date the status could be granted at all (U shows statutory
eligibility before 2007-10-17, when no one could be granted it).

Generated populations are samples: each share then carries a 95% Wilson score interval
(better than the normal approximation near 0% and 100%, where most of these shares lie).
Scenario files are the population itself: no interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..law.logic import MET, NOT_MET, UNDETERMINED

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal distribution
INTERVAL = "wilson-95"  # named in the JSON, so that readers know what the bounds are

# the shares, in the order of the screen, the JSON and the CSV columns
SHARES = (
    "met",
    "met_through_law_enforcement",
    "gated",
    "possibly_gated",
    "not_met",
    "undetermined",
)


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion, as fractions in [0, 1]."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class SideCounts:
    """What the tally holds about one provision on one side."""

    statuses: Mapping[int, float]  # MET, NOT_MET, UNDETERMINED -> count (or weight)
    levels: Mapping[str, float]  # dependency level -> count
    grantable: float  # scenarios on whose date the status could be granted
    total: float  # every scenario (where the provision is absent, it is in no share)


def _values(counts: SideCounts) -> dict[str, float]:
    return {
        "met": counts.statuses.get(MET, 0),
        "met_through_law_enforcement": counts.levels.get("relies_on", 0),
        "gated": counts.levels.get("gated", 0),
        "possibly_gated": counts.levels.get("possibly_gated", 0),
        "not_met": counts.statuses.get(NOT_MET, 0),
        "undetermined": counts.statuses.get(UNDETERMINED, 0),
    }


def headline(
    counts: SideCounts, *, sample: bool, weighted: SideCounts | None = None
) -> dict[str, Any]:
    """The headline of one provision on one side (the JSON of `compare`); with
    `weighted` (the same counts in weight units), each share also has its
    `weighted_percent` and the bounds their `weighted_low` and `weighted_high`."""
    total = counts.total
    values = _values(counts)
    out: dict[str, Any] = {name: _share(value, total, sample) for name, value in values.items()}
    out["bounds"] = {
        "low": _percent(values["met"], total),
        "high": _percent(values["met"] + values["undetermined"], total),
    }
    # what the date allows, not a property of the sample: no interval
    out["grantable"] = _share(counts.grantable, total, False)
    if weighted is not None:
        units, whole = _values(weighted), weighted.total
        for name, value in units.items():
            out[name]["weighted_percent"] = _percent(value, whole)
        out["bounds"]["weighted_low"] = _percent(units["met"], whole)
        out["bounds"]["weighted_high"] = _percent(units["met"] + units["undetermined"], whole)
        out["grantable"]["weighted_percent"] = _percent(weighted.grantable, whole)
    if sample:
        out["interval"] = INTERVAL
    return out


def _share(value: float, total: float, sample: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"count": value, "percent": _percent(value, total)}
    if sample:
        low, high = wilson(value, total)
        entry["ci95"] = [round(100 * low, 3), round(100 * high, 3)]
    return entry


def _percent(value: float, total: float) -> float:
    return round(100.0 * value / total, 3) if total else 0.0


def csv_header(*, weighted: bool = False) -> list[str]:
    """The headline columns that `compare --format csv` adds to each row, per side (and
    with weights, the weighted shares and bounds after them)."""
    # named side first (`a_gated_percent`): `gated_a_percent` is the older column of
    # law_enforcement_gated, which the headline's `gated` equals
    names: list[str] = []
    for side in ("a", "b"):
        for share in SHARES:
            names.append(f"{side}_{share}_percent")
        names += [
            f"{side}_met_ci95_low",
            f"{side}_met_ci95_high",
            f"{side}_bound_low",
            f"{side}_bound_high",
            f"{side}_grantable_percent",
        ]
    if weighted:
        for side in ("a", "b"):
            names += [f"{side}_{share}_weighted_percent" for share in SHARES]
            names += [f"{side}_bound_weighted_low", f"{side}_bound_weighted_high"]
    return names


def csv_values(entry: Mapping[str, Any], *, weighted: bool = False) -> list[str]:
    """The values of csv_header() for one provision's JSON entry."""
    values: list[str] = []
    for side in ("a", "b"):
        found = entry["headline"][side]
        values += [f"{found[share]['percent']:.3f}" for share in SHARES]
        interval = found["met"].get("ci95")
        values += [f"{interval[0]:.3f}", f"{interval[1]:.3f}"] if interval else ["", ""]
        values += [
            f"{found['bounds']['low']:.3f}",
            f"{found['bounds']['high']:.3f}",
            f"{found['grantable']['percent']:.3f}",
        ]
    if weighted:
        for side in ("a", "b"):
            found = entry["headline"][side]
            values += [f"{found[share]['weighted_percent']:.3f}" for share in SHARES]
            values += [
                f"{found['bounds']['weighted_low']:.3f}",
                f"{found['bounds']['weighted_high']:.3f}",
            ]
    return values
