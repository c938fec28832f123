"""The result of a comparison: its sides, its population and the merged tally, as the
JSON summary (`compare --format json`) and CSV (`--format csv`) that researchers read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..law.logic import MET, STATUS_NAMES
from .sides import Side
from .tally import CODE_NAMES, WIDTH, Tally


@dataclass
class Population:
    """Where the scenarios come from, for the report."""

    scenarios: int
    source: str  # "generated" or "files"
    seed: int | None = None
    distribution: str | None = None
    distribution_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenarios": self.scenarios, "source": self.source}
        if self.source == "generated":
            out.update(
                seed=self.seed,
                distribution=self.distribution,
                distribution_file=self.distribution_path,
            )
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

        def share(value: int) -> dict[str, Any]:
            return {"count": value, "percent": percent(value, n)}

        provisions: dict[str, Any] = {}
        for k, pid in enumerate(self.provisions):
            transitions = []
            status = {
                "a": {name: 0 for name in STATUS_NAMES},
                "b": {name: 0 for name in STATUS_NAMES},
            }
            by_condition: dict[str, int] = {}
            changed = gained = lost = 0
            for sa in range(4):
                for sb in range(4):
                    slot = k * WIDTH + sa * 4 + sb
                    value = self.tally.transitions[slot]
                    if not value:
                        continue
                    if sa < 3:
                        status["a"][STATUS_NAMES[sa]] += value
                    if sb < 3:
                        status["b"][STATUS_NAMES[sb]] += value
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
                    entry: dict[str, Any] = {
                        "from": CODE_NAMES[sa],
                        "to": CODE_NAMES[sb],
                        "changed": sa != sb,
                        "count": value,
                        "percent": percent(value, n),
                        "examples": list(self.tally.examples[slot]),
                    }
                    if sa != sb:
                        entry["conditions"] = [{"id": cid, "count": c} for cid, c in conditions]
                    transitions.append(entry)
            transitions.sort(key=lambda t: (not t["changed"], -t["count"], t["from"], t["to"]))
            provisions[pid] = {
                "title": self.titles.get(pid, pid),
                "changed": share(changed),
                "gained": share(gained),
                "lost": share(lost),
                "status": {
                    side: {name: share(value) for name, value in counts.items()}
                    for side, counts in status.items()
                },
                "law_enforcement_gated": {
                    "a": share(self.tally.gated[k]),
                    "b": share(self.tally.gated[count + k]),
                },
                # every dependency level, per side (`law_enforcement_gated` is `gated`)
                "law_enforcement": {
                    side: {
                        level: share(value)
                        for level, value in self.tally.level_counts(number, k).items()
                    }
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
        """`compare --format csv`: one row per provision and transition that occurs."""
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
        ]
        for pid, entry in self.to_dict()["provisions"].items():
            for t in entry["transitions"]:
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
                ]


def percent(value: int, total: int) -> float:
    return round(100.0 * value / total, 3) if total else 0.0
