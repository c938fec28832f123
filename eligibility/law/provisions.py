"""A rule set's records: provisions as written and as in force, their dated amendments
and notes, the critiques they cite. Plain data: parsed by law/rule_parser.py, resolved
for a date by law/rulebook.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .conditions import Condition

OperationKind = Literal["replace", "add", "remove", "update"]


@dataclass(frozen=True)
class Note:
    """Something the reader must know that is not a condition (caps, grant dates)."""

    id: str
    text: str
    citation: str = ""
    start: dt.date | None = None  # shown from this date
    until: dt.date | None = None  # shown before this date
    when: Condition | None = None  # shown when this condition is met


@dataclass(frozen=True)
class Critique:
    id: str
    source: str
    author: str
    title: str
    year: int
    recommendation: str
    summary: str
    cited_as: str = ""  # a short form for reports: "Women's Commission, 2007"
    brief: str = ""  # the critique in one sentence, for one-screen reports

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "author": self.author,
            "title": self.title,
            "year": self.year,
            "recommendation": self.recommendation,
            "summary": self.summary,
            "cited_as": self.cited_as or f"{self.author}, {self.year}",
            "brief": self.brief,
        }


@dataclass(frozen=True)
class Operation:
    """One change to a condition tree: replace, add (to a parent), remove, update."""

    op: str
    target: str
    conditions: tuple[Condition, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)  # for update: text, citation
    line: int | None = None


@dataclass(frozen=True)
class NoteChanges:
    """What a change does to a provision's notes: remove, replace (by id), then add."""

    remove: tuple[str, ...] = ()
    replace: tuple[Note, ...] = ()  # each replaces the note of the same id
    add: tuple[Note, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Amendment:
    """A dated change of the law (or, in an overlay, a proposed change)."""

    id: str
    provision: str
    effective: dt.date | None
    instrument: str
    citation: str
    summary: str
    operations: tuple[Operation, ...]
    verification: str | None = None
    implements: str = ""  # overlays: the recommendation this change implements
    origin: tuple[str, int | None] = ("", None)
    # what it says about the provision besides its conditions, so that explanations under
    # a reform describe the reform: a new title, notes added, replaced or removed, and
    # the not-applicable tests (None: unchanged; (): the provision concerns everyone)
    title: str | None = None
    notes: NoteChanges | None = None
    not_applicable: tuple[Note, ...] | None = None

    @property
    def label(self) -> str:
        """A short name for "since ...": `TVPRA 2003 (2003-12-19)`."""
        name = self.instrument.split(" (")[0].split(",")[0]
        return f"{name} ({self.effective.isoformat()})" if self.effective else name


@dataclass(frozen=True)
class RecordedChange:
    """A timeline entry that changes no element encoded here, kept so that the timeline
    is complete and says why nothing changes."""

    effective: dt.date
    instrument: str
    change: str
    reason: str
    verification: str | None = None


@dataclass(frozen=True)
class ProvisionSource:
    """A provision as written: base text as enacted, plus its amendment history."""

    id: str
    title: str
    effective: dt.date
    enacted_by: str
    condition: Condition
    amendments: tuple[Amendment, ...]
    notes: tuple[Note, ...]
    checked_on: dt.date | None
    path: str
    # when the provision does not concern the person (the first that applies gives the reason)
    not_applicable: tuple[Note, ...] = ()
    # from when the status it describes can be granted (the implementing rule: T on
    # 2002-03-04, U on 2007-10-17); None: whenever the provision is in force
    grantable_from: dt.date | None = None
    # a later step on the road (adjustment, family members): the fact that says the person
    # has reached it (a yes/no fact when true, another fact when known); until then the
    # default report names it only in its footer
    reached_by: str | None = None
    # for a later step: the provision of the status it follows (t_visa for t_adjustment);
    # while that is not met and the step is not reached, the summary result leaves out
    # the step's missing facts and blockers
    follows: str | None = None


@dataclass(frozen=True)
class Provision:
    """A provision as in force on one date."""

    id: str
    title: str
    citation: str
    condition: Condition
    notes: tuple[Note, ...]
    in_force: bool
    not_applicable: tuple[Note, ...] = ()
    grantable: bool = True  # in force, and grantable on the date (ProvisionSource)
    reached_by: str | None = None  # a later step: ProvisionSource.reached_by
    follows: str | None = None  # a later step: ProvisionSource.follows
