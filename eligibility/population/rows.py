"""Per-scenario rows of a comparison (`compare --out`), formatted in the worker that
evaluated them: CSV (one row per scenario and provision) or JSON lines (one object per
scenario)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..analysis.dependency import Level
from .tally import CODE_NAMES

ROW_COLUMNS = (
    "scenario",
    "provision",
    "rule_set_a",
    "as_of_a",
    "status_a",
    "gated_a",
    "rule_set_b",
    "as_of_b",
    "status_b",
    "gated_b",
    "changed",
    "conditions",
)
ROW_FORMATS = ("csv", "jsonl")


class SideResult(NamedTuple):
    """One provision of one scenario on one side of the comparison."""

    date: dt.date
    status: int  # NOT_MET, MET, UNDETERMINED or ABSENT
    gated: bool
    level: Level | None  # None when the provision is absent on that side


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(ROW_COLUMNS)
    return buffer.getvalue()


class RowWriter:
    """Per-scenario rows of one chunk, as text (CSV or JSON lines)."""

    def __init__(self, kind: str, name_a: str, name_b: str, provisions: tuple[str, ...]) -> None:
        self.kind = kind
        self.names = (name_a, name_b)
        self.provisions = provisions
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.current: dict[str, Any] | None = None

    def add(
        self, sid: str, k: int, a: SideResult, b: SideResult, responsible: Sequence[str]
    ) -> None:
        """Provision number k of scenario `sid`, on both sides."""
        pid = self.provisions[k]
        changed = a.status != b.status
        if self.kind == "csv":
            self.writer.writerow(
                (
                    sid,
                    pid,
                    self.names[0],
                    a.date.isoformat(),
                    CODE_NAMES[a.status],
                    "true" if a.gated else "false",
                    self.names[1],
                    b.date.isoformat(),
                    CODE_NAMES[b.status],
                    "true" if b.gated else "false",
                    "true" if changed else "false",
                    " ".join(responsible),
                )
            )
            return
        if self.current is None:
            self.current = {
                "scenario": sid,
                "a": {"rule_set": self.names[0], "as_of": a.date.isoformat()},
                "b": {"rule_set": self.names[1], "as_of": b.date.isoformat()},
                "provisions": {},
            }
        entry: dict[str, Any] = {
            "status_a": CODE_NAMES[a.status],
            "gated_a": a.gated,
            "status_b": CODE_NAMES[b.status],
            "gated_b": b.gated,
            "changed": changed,
        }
        if changed:
            entry["conditions"] = list(responsible)
        if a.level is not None:
            entry["law_enforcement_a"] = a.level
        if b.level is not None:
            entry["law_enforcement_b"] = b.level
        self.current["provisions"][pid] = entry

    def end_scenario(self) -> None:
        if self.current is not None:
            self.buffer.write(json.dumps(self.current, ensure_ascii=False) + "\n")
            self.current = None

    def text(self) -> str:
        return self.buffer.getvalue()
