"""The result of a comparison: its sides, its population and the merged tally, as the
JSON summary (`compare --format json`) and CSV (`--format csv`) that researchers read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..law.logic import MET, NOT_MET, STATUS_NAMES, UNDETERMINED
from . import headline
from .sides import Side
from .tally import CODE_NAMES, WIDTH, Tally
from .weights import Weights, weighted_percent


@dataclass
class Population:
    """Where the scenarios come from, for the report."""

    scenarios: int
    source: str  # "generated", "files" or "cases" (a table, --cases)
    seed: int | None = None
    distribution: str | None = None
    distribution_path: str | None = None
    weights: Weights | None = None
    cases_file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenarios": self.scenarios, "source": self.source}
        if self.source == "generated":
            out.update(
                seed=self.seed,
                distribution=self.distribution,
                distribution_file=self.distribution_path,
            )
        if self.cases_file is not None:
            out["cases_file"] = self.cases_file
        if self.weights is not None:
            # every share then has a `weighted_percent` beside its `percent`
            out["weights"] = {"column": self.weights.column, "total": self.weights.total}
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

    def level_counts(self, side: int, k: int) -> dict[str, int]:
        """Scenarios at each law-enforcement dependency level, provision k, side 0 (A)
        or 1 (B)."""
        return self.tally.level_counts(side, k)

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
        weighed = self.tally.weights
        if self.population.weights is None:
            weighed = None

        def share(value: int, units: int | None = None) -> dict[str, Any]:
            out: dict[str, Any] = {"count": value, "percent": percent(value, n)}
            if weighed is not None:
                out["weighted_percent"] = weighted_percent(units or 0, weighed.scenarios)
            return out

        def units_at(values: str, index: int) -> int | None:
            return getattr(weighed, values)[index] if weighed is not None else None

        def level_units(side: int, k: int, level: str) -> int | None:
            return weighed.level_counts(side, k)[level] if weighed is not None else None

        provisions: dict[str, Any] = {}
        for k, pid in enumerate(self.provisions):
            transitions = []
            status = {
                "a": {name: 0 for name in STATUS_NAMES},
                "b": {name: 0 for name in STATUS_NAMES},
            }
            # the same sums in weight units: status, then changed, gained, lost
            status_units = {side: dict.fromkeys(STATUS_NAMES, 0) for side in "ab"}
            change_units = [0, 0, 0]
            by_condition: dict[str, int] = {}
            changed = gained = lost = 0
            for sa in range(4):
                for sb in range(4):
                    slot = k * WIDTH + sa * 4 + sb
                    value = self.tally.transitions[slot]
                    if not value:
                        continue
                    units = units_at("transitions", slot) or 0
                    if sa < 3:
                        status["a"][STATUS_NAMES[sa]] += value
                        status_units["a"][STATUS_NAMES[sa]] += units
                    if sb < 3:
                        status["b"][STATUS_NAMES[sb]] += value
                        status_units["b"][STATUS_NAMES[sb]] += units
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
                        change_units[0] += units
                        change_units[1] += units if sb == MET else 0
                        change_units[2] += units if sa == MET else 0
                    entry: dict[str, Any] = {
                        "from": CODE_NAMES[sa],
                        "to": CODE_NAMES[sb],
                        "changed": sa != sb,
                        **share(value, units),
                        "examples": list(self.tally.examples[slot]),
                    }
                    if sa != sb:
                        entry["conditions"] = [{"id": cid, "count": c} for cid, c in conditions]
                    transitions.append(entry)
            transitions.sort(key=lambda t: (not t["changed"], -t["count"], t["from"], t["to"]))
            provisions[pid] = {
                "title": self.titles.get(pid, pid),
                "changed": share(changed, change_units[0]),
                "gained": share(gained, change_units[1]),
                "lost": share(lost, change_units[2]),
                "status": {
                    side: {
                        name: share(value, status_units[side][name])
                        for name, value in counts.items()
                    }
                    for side, counts in status.items()
                },
                "law_enforcement_gated": {
                    "a": share(self.tally.gated[k], units_at("gated", k)),
                    "b": share(self.tally.gated[count + k], units_at("gated", count + k)),
                },
                # every dependency level, per side (`law_enforcement_gated` is `gated`)
                "law_enforcement": {
                    side: {
                        level: share(value, level_units(number, k, level))
                        for level, value in self.level_counts(number, k).items()
                    }
                    for number, side in enumerate("ab")
                },
                # how much depends on law enforcement, with bounds and intervals
                # (population/headline.py)
                "headline": {
                    side: headline.headline(
                        headline.SideCounts(
                            {
                                MET: status[side]["met"],
                                NOT_MET: status[side]["not_met"],
                                UNDETERMINED: status[side]["undetermined"],
                            },
                            self.level_counts(number, k),
                            self.tally.grantable[number * count + k],
                            n,
                        ),
                        sample=self.population.source == "generated",
                        weighted=None
                        if weighed is None
                        else headline.SideCounts(
                            {
                                MET: status_units[side]["met"],
                                NOT_MET: status_units[side]["not_met"],
                                UNDETERMINED: status_units[side]["undetermined"],
                            },
                            weighed.level_counts(number, k),
                            weighed.grantable[number * count + k],
                            weighed.scenarios,
                        ),
                    )
                    for number, side in enumerate("ab")
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
        """`compare --format csv`: one row per provision and transition that occurs
        (with weights, their weighted shares in three more columns at the end)."""
        weighted = self.population.weights is not None
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
            # the headline numbers of the provision (population/headline.py)
            *headline.csv_header(weighted=weighted),
        ] + (
            ["weighted_percent", "gated_a_weighted_percent", "gated_b_weighted_percent"]
            if weighted
            else []
        )
        for pid, entry in self.to_dict()["provisions"].items():
            gated = entry["law_enforcement_gated"]
            for t in entry["transitions"]:
                extra = (
                    [
                        f"{t['weighted_percent']:.3f}",
                        f"{gated['a']['weighted_percent']:.3f}",
                        f"{gated['b']['weighted_percent']:.3f}",
                    ]
                    if weighted
                    else []
                )
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
                    *headline.csv_values(entry, weighted=weighted),
                    *extra,
                ]


def percent(value: int, total: int) -> float:
    return round(100.0 * value / total, 3) if total else 0.0
