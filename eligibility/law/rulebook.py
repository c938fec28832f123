"""Rule sets from YAML: provisions, dated amendments, overlays; the law on a date.

A *rule set* is either a directory (`rules/us-law/`: `ruleset.yaml` plus one file per
provision, each with its base text as enacted and its dated amendments) or an *overlay*
file that `extends:` another rule set and changes conditions by id
(`rules/reforms/rights-based-2007.yaml`, or a user's own file passed as `--rules PATH`).
Loading is law/rule_sets.py's and law/registry.py's job; this module is the loaded
rule set, `RuleBook`, and the law it says is in force on a date, `ResolvedBook`.

`RuleBook.at(date)` resolves the text in force on a date: provisions not yet enacted
become `always: not_met`, amendments with an effective date on or before the date apply
in date order, then the overlays' changes apply. Resolutions are cached per *epoch*, the
interval between two dates at which anything changes, so that a batch over many dates
compiles each version of the law once.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..errors import RuleError
from .amendments import apply_amendment, apply_note_changes
from .conditions import Condition, Plan, build_plan
from .guidance import Reading, Step
from .logic import NOT_MET
from .provisions import Amendment, Critique, Provision, ProvisionSource, RecordedChange
from .vocabulary import Vocabulary


@dataclass(frozen=True)
class ProvisionLayout:
    """Where one provision's pieces sit in a plan, in display order."""

    id: str
    title: str
    citation: str
    root: int  # index of the provision's root condition
    notes: tuple[tuple[str, int | None], ...]  # (text, index of its `when` or None)
    not_applicable: tuple[tuple[str, int], ...]  # (reason, index of its `when`), in order
    grantable: bool = True  # the status can be granted on the date (Provision.grantable)


@dataclass
class ResolvedBook:
    """The law of one rule set on one date (more exactly, in one epoch)."""

    rule_set: str
    epoch: tuple[dt.date | None, dt.date | None]
    provisions: dict[str, Provision]
    order: tuple[str, ...]
    critiques: Mapping[str, Critique]
    vocabulary: Vocabulary

    @cached_property
    def plan(self) -> Plan:
        trees: dict[str, Condition] = {}
        keys: list[str] = []
        for pid in self.order:
            trees[pid] = self.provisions[pid].condition
            keys.append(pid)
        for pid in self.order:
            provision = self.provisions[pid]
            for note in provision.notes:
                if note.when is not None:
                    key = note_key(pid, note.id)
                    trees[key] = note.when
                    keys.append(key)
            for number, na in enumerate(provision.not_applicable):
                if na.when is not None:
                    trees[applicability_key(pid, number)] = na.when
                    keys.append(applicability_key(pid, number))
        return build_plan(trees, keys, self.vocabulary.dependency_facts())

    @cached_property
    def layout(self) -> tuple[ProvisionLayout, ...]:
        """Per provision, in display order, where its root, notes and applicability test
        sit in the plan."""
        plan = self.plan
        out = []
        for pid, p in self.provisions.items():
            out.append(
                ProvisionLayout(
                    id=pid,
                    title=p.title,
                    citation=p.citation,
                    root=plan.roots[pid],
                    notes=tuple(
                        (note.text, plan.roots[note_key(pid, note.id)] if note.when else None)
                        for note in p.notes
                    ),
                    not_applicable=tuple(
                        (na.text, plan.roots[applicability_key(pid, number)])
                        for number, na in enumerate(p.not_applicable)
                        if na.when is not None
                    ),
                    grantable=p.grantable,
                )
            )
        return tuple(out)

    @cached_property
    def _critiques_by_provision(self) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for pid in self.order:
            applies: dict[str, list[str]] = {}
            for node in self.provisions[pid].condition.walk():
                for cid in node.critiques:
                    applies.setdefault(cid, []).append(node.id)
            found[pid] = [
                {**self.critiques[cid].as_dict(), "conditions": ids} for cid, ids in applies.items()
            ]
        return found

    def critiques_for(self, provision: str) -> list[dict[str, Any]]:
        """The critiques cited by the conditions of `provision`, with those conditions."""
        return self._critiques_by_provision[provision]


def _note_dates(change: Amendment) -> list[dt.date]:
    """The dates from and until which the notes a change adds or rewrites are shown."""
    if change.notes is None:
        return []
    notes = (*change.notes.add, *change.notes.replace)
    return [d for n in notes for d in (n.start, n.until) if d]


def note_key(provision: str, note: str) -> str:
    return f"note:{provision}:{note}"


def applicability_key(provision: str, number: int = 0) -> str:
    """The plan key of a provision's not-applicable tests ('@' is never in a note id)."""
    return f"note:{provision}:@not-applicable-{number}"


@dataclass
class RuleBook:
    """A rule set: its provisions' sources and, for overlays, the changes on top."""

    name: str
    title: str
    description: str
    path: str
    vocabulary: Vocabulary
    critiques: dict[str, Critique]
    sources: dict[str, ProvisionSource]  # provision id -> source, display order
    changes: tuple[Amendment, ...] = ()  # overlay changes, base first
    extends: str | None = None
    overlays: tuple[str, ...] = ()  # overlay files this rule set is made of, base first
    recorded: tuple[RecordedChange, ...] = ()  # timeline rows with no encoded effect
    readings: Mapping[str, Reading] = field(default_factory=dict)  # shared, plus overlays'
    steps: tuple[Step, ...] = ()  # next steps (the rule set's own, changed by overlays)
    # an overlay's `expands:`: the rule set it must never take protection from
    expands: RuleBook | None = field(default=None, repr=False)
    _cache: dict[int, ResolvedBook] = field(default_factory=dict, repr=False)

    # -- dates -------------------------------------------------------------------
    @cached_property
    def change_dates(self) -> list[dt.date]:
        """Every date on which the text of this rule set changes, sorted."""
        dates: set[dt.date] = set()
        for source in self.sources.values():
            dates.add(source.effective)
            if source.grantable_from:
                dates.add(source.grantable_from)
            dates.update(a.effective for a in source.amendments if a.effective)
            for note in source.notes:
                dates.update(d for d in (note.start, note.until) if d)
            for amendment in source.amendments:
                dates.update(_note_dates(amendment))
        for change in self.changes:
            if change.effective:
                dates.add(change.effective)
            dates.update(_note_dates(change))
        return sorted(dates)

    def provision_title(self, provision: str) -> str:
        """A provision's title as this rule set last words it (an overlay's change may
        retitle it), for reports that span dates: a comparison's summary."""
        title = self.sources[provision].title
        for change in self.changes:
            if change.provision == provision and change.title:
                title = change.title
        return title

    def epoch(self, date: dt.date) -> int:
        return bisect.bisect_right(self.change_dates, date)

    def timeline(self) -> list[Amendment]:
        """Every amendment of every provision, by effective date then file order."""
        items = [a for s in self.sources.values() for a in s.amendments]
        return sorted(items, key=lambda a: a.effective or dt.date.min)

    # -- resolution --------------------------------------------------------------
    def at(self, date: dt.date) -> ResolvedBook:
        """The rule set as in force on `date` (cached per epoch)."""
        index = self.epoch(date)
        book = self._cache.get(index)
        if book is None:
            book = self._resolve(date, index)
            self._cache[index] = book
        return book

    def _resolve(self, date: dt.date, index: int) -> ResolvedBook:
        dates = self.change_dates
        epoch = (
            dates[index - 1] if index > 0 else None,
            dates[index] if index < len(dates) else None,
        )
        provisions: dict[str, Provision] = {}
        for pid, source in self.sources.items():
            in_force = date >= source.effective
            title, notes, not_applicable = source.title, source.notes, source.not_applicable
            if not in_force:
                condition = Condition(
                    id=f"{pid}-not-in-force",
                    kind="always",
                    constant=NOT_MET,
                    text=f"Not yet law: {source.title} was created by {source.enacted_by}, "
                    f"in force from {source.effective.isoformat()}",
                    citation=source.condition.citation,
                    origin=source.condition.origin,
                )
            else:
                condition = source.condition
                applied = sorted(
                    (a for a in source.amendments if a.effective and a.effective <= date),
                    key=lambda a: a.effective or dt.date.min,
                )  # stable: file order
                applied += [
                    c
                    for c in self.changes
                    if c.provision == pid and (c.effective is None or c.effective <= date)
                ]
                for amendment in applied:
                    condition = apply_amendment(condition, amendment)
                    title = amendment.title or title
                    notes = apply_note_changes(notes, amendment)
                    if amendment.not_applicable is not None:
                        not_applicable = amendment.not_applicable
            notes = tuple(
                n
                for n in notes
                if in_force
                and (n.start is None or n.start <= date)
                and (n.until is None or date < n.until)
            )
            provisions[pid] = Provision(
                pid,
                title,
                condition.citation,
                condition,
                notes,
                in_force,
                not_applicable if in_force else (),
                grantable=in_force
                and (source.grantable_from is None or source.grantable_from <= date),
                reached_by=source.reached_by,
                follows=source.follows,
            )
        order = topological_order(provisions, self.path)
        return ResolvedBook(self.name, epoch, provisions, order, self.critiques, self.vocabulary)


def topological_order(provisions: Mapping[str, Provision], path: str) -> tuple[str, ...]:
    """Provision ids with every provision after those it refers to; cycles are errors."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(pid: str, trail: list[str]) -> None:
        if state.get(pid) == 2:
            return
        if state.get(pid) == 1:
            cycle = " -> ".join(trail[trail.index(pid) :] + [pid])
            raise RuleError(f"provisions refer to each other in a cycle: {cycle}", path=path)
        state[pid] = 1
        for node in provisions[pid].condition.walk():
            if node.kind == "provision":
                if node.provision not in provisions:
                    raise RuleError(
                        f"condition {node.id} refers to unknown provision {node.provision}",
                        path=node.origin[0] or path,
                        line=node.origin[1],
                    )
                visit(node.provision, trail + [pid])  # type: ignore[arg-type]
        state[pid] = 2
        order.append(pid)

    for pid in provisions:
        visit(pid, [])
    return tuple(order)


# Where these lived before law/registry.py: scripts (bench/bench.py among them) import
# them from here. Resolved on first use, since law/registry.py imports this module.
_MOVED_TO_REGISTRY = ("Registry", "bundled_rules_dir", "default_registry", "load_rule_book")


def __getattr__(name: str) -> Any:
    if name in _MOVED_TO_REGISTRY:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
