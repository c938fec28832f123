"""The two sides of a comparison: a rule set and, optionally, a fixed date each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..law.fields import DATE_PATTERN, parse_date
from ..law.registry import Registry


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a rule set and, optionally, a fixed date."""

    rules: str  # bundled name or path, as loaded by the registry
    as_of: dt.date | None = None  # None: each scenario's as_of, else today

    def label(self) -> str:
        return f"{self.rules}@{self.as_of.isoformat()}" if self.as_of else self.rules


def parse_side(text: str, *, today: dt.date | None = None) -> Side:
    """`NAME`, `NAME@YYYY-MM-DD` or `NAME@today`, also for paths
    (`overlay.yaml@2010-01-01`). After the last `@`, anything that does not start with
    a digit and is not `today` is part of the name (a path may contain `@`)."""
    name, at, date = text.rpartition("@")
    if not at or not name:
        return Side(text)
    if date == "today":
        return Side(name, today or dt.date.today())
    if not date[:1].isdigit():
        return Side(text)
    if not DATE_PATTERN.match(date):
        raise UsageError(
            f"--rules {text}: expected NAME or NAME@YYYY-MM-DD (or "
            f"NAME@today), got {date!r} after the @"
        )
    try:
        return Side(name, parse_date(date))
    except ValueError as exc:
        raise UsageError(f"--rules {text}: {exc}") from None


def resolve_rules(rules: str, registry: Registry | None = None) -> str:
    """A bundled name stays a name; a path becomes absolute (workers may start elsewhere)."""
    if rules in (registry or Registry()).bundled():
        return rules
    path = Path(rules)
    return str(path.resolve()) if path.exists() else rules
