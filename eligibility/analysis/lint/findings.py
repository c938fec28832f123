"""What the lint reports: findings located like error messages, grouped by check, and
the dates (epochs) at which each holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import EligibilityError, InputError, printable
from ...law.rulebook import RuleBook

ERROR, WARNING = "error", "warning"


# ------------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Finding:
    """One problem found in a rule set, located like an error message."""

    check: str  # which check found it (see the module docstring)
    code: str  # what kind of problem: never-met, unused-fact, ...
    severity: str  # error | warning
    message: str
    path: str | None = None
    line: int | None = None
    key: str | None = None  # the condition id, fact or provision concerned

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        key = f"{self.key}: " if self.key else ""
        return printable(f"{where}{key}{self.message}")


@dataclass(frozen=True)
class CheckSummary:
    """What one lint check looked at, for the report (also when it found nothing)."""

    name: str
    description: str
    findings: tuple[Finding, ...]


@dataclass
class LintReport:
    rule_set: str
    checks: list[CheckSummary]
    epochs: list[dt.date]  # the first day of every epoch examined
    book: RuleBook | None  # None when the rule set does not load

    @property
    def findings(self) -> list[Finding]:
        return [f for check in self.checks for f in check.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]


def finding_from_error(exc: EligibilityError, check: str = "load", when: str = "") -> Finding:
    """A loader or resolution error as a lint finding (same location, same message)."""
    message = exc.message
    lowered = message.lower()
    if "unknown fact" in lowered:
        code = "undeclared-fact"
    elif "cycle" in lowered:
        code = "provision-cycle"
    elif "no condition" in lowered and "at this date" in lowered:
        code = "missing-amendment-target"
    elif "citation" in lowered and "needs" in lowered:
        code = "missing-citation"
    elif isinstance(exc, InputError):
        code = "unreadable-file"
    else:
        code = "load-error"
    return Finding(check, code, ERROR, message + when, exc.path, exc.line, exc.key)


# -------------------------------------------------------------------------- epochs


def epoch_starts(book: RuleBook, as_of: dt.date | None = None) -> list[dt.date]:
    """The first day of every epoch in which some provision is in force (or the one
    date asked for)."""
    if as_of is not None:
        return [as_of]
    return list(book.change_dates)


def _epoch_end(book: RuleBook, start: dt.date) -> dt.date | None:
    later = [d for d in book.change_dates if d > start]
    return later[0] if later else None


def describe_dates(book: RuleBook, starts: Iterable[dt.date], examined: Sequence[dt.date]) -> str:
    """'at every date examined', 'from A until B', 'from A on', joined by commas."""
    chosen = sorted(set(starts))
    if len(examined) > 1 and chosen == sorted(examined):
        return f"at every date from {chosen[0].isoformat()}"
    if len(examined) == 1:
        return f"on {chosen[0].isoformat()}"
    runs: list[list[dt.date]] = []
    order = sorted(examined)
    for date in chosen:
        if runs and order.index(date) == order.index(runs[-1][-1]) + 1:
            runs[-1].append(date)
        else:
            runs.append([date])
    parts = []
    for run in runs:
        end = _epoch_end(book, run[-1])
        parts.append(
            f"from {run[0].isoformat()} until {end.isoformat()}"
            if end
            else f"from {run[0].isoformat()} on"
        )
    return ", ".join(parts)


class Collector:
    """Findings keyed by what they are about, with the epochs where each holds."""

    def __init__(self) -> None:
        self.items: dict[tuple[Any, ...], tuple[Finding, list[dt.date]]] = {}

    def add(self, key: tuple[Any, ...], finding: Finding, date: dt.date) -> None:
        if key in self.items:
            self.items[key][1].append(date)
        else:
            self.items[key] = (finding, [date])

    def findings(
        self, book: RuleBook, examined: Sequence[dt.date], lead: str = ""
    ) -> list[Finding]:
        out = []
        for finding, dates in self.items.values():
            when = describe_dates(book, dates, examined)
            out.append(
                Finding(
                    finding.check,
                    finding.code,
                    finding.severity,
                    f"{finding.message} ({lead}{when})",
                    finding.path,
                    finding.line,
                    finding.key,
                )
            )
        return out
