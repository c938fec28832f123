"""Rule sets from YAML: provisions, dated amendments, overlays; the law on a date.

A *rule set* is either a directory (`rules/us-law/`: `ruleset.yaml` plus one file per
provision, each with its base text as enacted and its dated amendments) or an *overlay*
file that `extends:` another rule set and changes conditions by id
(`rules/reforms/rights-based-2007.yaml`, or a user's own file passed as `--rules PATH`).

`RuleBook.at(date)` resolves the text in force on a date: provisions not yet enacted
become `always: not_met`, amendments with an effective date on or before the date apply
in date order, then the overlays' changes apply. Resolutions are cached per *epoch*, the
interval between two dates at which anything changes, so that a batch over many dates
compiles each version of the law once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import RuleError, UsageError, did_you_mean
from . import yamlfile
from .conditions import Condition, Plan, build_plan
from .fields import Node, describe, root
from .guidance import Reading, Step, load_readings, parse_readings, parse_steps, reading_ids
from .logic import ALL_OPERATORS, INNER_KINDS, LEAF_KINDS, NOT_MET, STATUS_OF, FactTestReader
from .vocabulary import Vocabulary, load_vocabulary

VERIFICATION_TAGS = ("V", "V2", "U")
CONDITION_KEYS = (
    ("id", "text", "short", "citation", "verification", "reading", "critiques", "comment")
    + INNER_KINDS
    + LEAF_KINDS
    + ALL_OPERATORS
)
AMENDMENT_OPS = ("replace", "add", "remove", "update")
UPDATABLE = ("text", "short", "citation")  # what an `update` may change in a condition
MAX_OVERLAY_CHAIN = 32  # overlay extends overlay ...: each level is a recursive load


def bundled_rules_dir() -> Path:
    """`rules/` of a source checkout (editable install), else the copy in the wheel."""
    here = Path(__file__).resolve().parent.parent  # the `eligibility` package
    for candidate in (here.parent / "rules", here / "rules"):
        if (candidate / "facts.yaml").is_file():
            return candidate
    raise UsageError(
        f"the bundled rules are missing (looked in {here.parent / 'rules'} "
        f"and {here / 'rules'}); reinstall the package"
    )


# --------------------------------------------------------------------------- model


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
    not_applicable: Note | None = None  # when the provision does not concern the person


@dataclass(frozen=True)
class Provision:
    """A provision as in force on one date."""

    id: str
    title: str
    citation: str
    condition: Condition
    notes: tuple[Note, ...]
    in_force: bool
    not_applicable: Note | None = None


@dataclass(frozen=True)
class ProvisionLayout:
    """Where one provision's pieces sit in a plan, in display order."""

    id: str
    title: str
    citation: str
    root: int  # index of the provision's root condition
    notes: tuple[tuple[str, int | None], ...]  # (text, index of its `when` or None)
    not_applicable: tuple[str, int] | None  # (reason, index of its `when`)


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
            if provision.not_applicable is not None and provision.not_applicable.when:
                trees[applicability_key(pid)] = provision.not_applicable.when
                keys.append(applicability_key(pid))
        return build_plan(trees, keys, self.vocabulary.dependency_facts())

    @cached_property
    def layout(self) -> tuple[ProvisionLayout, ...]:
        """Per provision, in display order, where its root, notes and applicability test
        sit in the plan."""
        plan = self.plan
        out = []
        for pid, p in self.provisions.items():
            na = p.not_applicable
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
                    not_applicable=(na.text, plan.roots[applicability_key(pid)])
                    if na is not None and na.when is not None
                    else None,
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


def note_key(provision: str, note: str) -> str:
    return f"note:{provision}:{note}"


def applicability_key(provision: str) -> str:
    """The plan key of a provision's not-applicable test ('@' is never in a note id)."""
    return f"note:{provision}:@not-applicable"


# --------------------------------------------------------------------- parsing


class _Parser:
    """Parses conditions, amendments and notes of one file against a vocabulary."""

    def __init__(
        self, vocabulary: Vocabulary, critiques: Mapping[str, Any], provision_ids: Iterable[str]
    ) -> None:
        self.vocabulary = vocabulary
        self.tests = FactTestReader(vocabulary)
        self.critiques = critiques
        self.provision_ids = set(provision_ids)

    def condition(
        self, node: Node, *, need_citation: bool = True, defaults: Mapping[str, str] | None = None
    ) -> Condition:
        node.mapping(optional=CONDITION_KEYS, what="condition")
        value = node.value
        defaults = defaults or {}
        for key in ("id", "text"):
            if key not in value and key not in defaults:
                raise node.fail(f"every condition needs `{key}`")
        cid = node.child("id").identifier() if "id" in value else defaults["id"]
        text = node.child("text").text() if "text" in value else defaults["text"]
        origin = (node.doc.path, node.doc.line(node.path))
        kinds = [k for k in INNER_KINDS + LEAF_KINDS if k in value]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise node.fail(
                f"condition {cid}: needs exactly one of all, any, not, fact, "
                f"provision, open_question, always (found {found})"
            )
        kind = kinds[0]
        if need_citation and "citation" not in value:
            raise node.fail(f"condition {cid}: every condition needs a `citation`")
        common: dict[str, Any] = {
            "id": cid,
            "text": text,
            "kind": kind,
            "origin": origin,
            "citation": node.child("citation").text() if "citation" in value else "",
        }
        if "verification" in value:
            common["verification"] = node.child("verification").choice(
                VERIFICATION_TAGS, what="verification tag"
            )
        if "reading" in value:
            common["reading"] = node.child("reading").text()
        if "comment" in value:
            common["comment"] = node.child("comment").text()
        if "short" in value:
            common["short"] = node.child("short").text()
        if "critiques" in value:
            ids = []
            for item in node.child("critiques").elements(what="list of critique ids"):
                ids.append(item.choice(self.critiques, what="critique id"))
            common["critiques"] = tuple(ids)
        operators = [k for k in ALL_OPERATORS if k in value]
        if kind != "fact" and operators:
            raise node.fail(f"condition {cid}: `{operators[0]}` applies only to a fact test")

        if kind in ("all", "any"):
            items = node.child(kind).elements(
                what=f"list of conditions under `{kind}`", allow_empty=False
            )
            children = tuple(self.condition(item, need_citation=need_citation) for item in items)
            return Condition(children=children, **common)
        if kind == "not":
            return Condition(
                children=(self.condition(node.child("not"), need_citation=need_citation),), **common
            )
        if kind == "provision":
            target = node.child("provision").identifier()
            if self.provision_ids and target not in self.provision_ids:
                raise node.child("provision").fail(
                    f"condition {cid}: unknown provision {target}"
                    f"{did_you_mean(target, self.provision_ids)}"
                )
            return Condition(provision=target, **common)
        if kind == "open_question":
            return Condition(question=node.child("open_question").text(), **common)
        if kind == "always":
            status = node.child("always").choice(("met", "not_met"), what="constant")
            return Condition(constant=STATUS_OF[status], **common)
        return self._fact_test(node, cid, common)

    def _fact_test(self, node: Node, cid: str, common: dict[str, Any]) -> Condition:
        where = f"condition {cid}: "
        name = self.tests.fact(node.child("fact"), where)
        op = self.tests.operator(node, name, where)
        if op is None:
            return Condition(fact=name, op="is", value=True, **common)
        operand = self.tests.operand(node.child(op), name, op)
        return Condition(fact=name, op=op, value=operand, **common)

    def amendment(self, node: Node, provision: str | None, *, overlay: bool = False) -> Amendment:
        keys = (
            "id",
            "effective",
            "instrument",
            "citation",
            "summary",
            "verification",
            "implements",
            "provision",
        ) + AMENDMENT_OPS
        required = ("id", "summary") + (
            ("provision", "implements") if overlay else ("effective", "instrument", "citation")
        )
        node.mapping(required=required, optional=keys, what="amendment")
        aid = node.child("id").identifier()
        if overlay:
            provision = node.child("provision").choice(sorted(self.provision_ids), what="provision")
        assert provision is not None
        operations: list[Operation] = []
        for op in AMENDMENT_OPS:
            if not node.has(op):
                continue
            body = node.child(op)
            line = node.doc.line(body.path)
            if op == "remove":
                for item in body.elements(what="list of condition ids", allow_empty=False):
                    operations.append(Operation("remove", item.identifier(), line=line))
                continue
            body.mapping(
                optional=body.value.keys() if isinstance(body.value, dict) else (),
                what=f"mapping of condition ids for `{op}`",
            )
            for target, payload in body.items():
                Node(node.doc, target, body.path, RuleError).identifier()
                if op == "replace":
                    operations.append(
                        Operation("replace", target, (self.condition(payload),), line=line)
                    )
                elif op == "add":
                    items = payload.elements(what="list of conditions to add", allow_empty=False)
                    operations.append(
                        Operation(
                            "add", target, tuple(self.condition(item) for item in items), line=line
                        )
                    )
                else:
                    payload.mapping(optional=UPDATABLE, what="update")
                    changed = {k: payload.child(k).text() for k in UPDATABLE if payload.has(k)}
                    if not changed:
                        raise payload.fail("an update changes `text`, `short` and/or `citation`")
                    operations.append(Operation("update", target, fields=changed, line=line))
        if not operations:
            raise node.fail(
                f"amendment {aid} changes nothing: give one of {', '.join(AMENDMENT_OPS)}"
            )
        return Amendment(
            id=aid,
            provision=provision,
            effective=node.child("effective").date() if node.has("effective") else None,
            instrument=node.child("instrument").text()
            if node.has("instrument")
            else "proposed change",
            citation=node.child("citation").text() if node.has("citation") else "",
            summary=node.child("summary").text(),
            operations=tuple(operations),
            verification=node.child("verification").choice(
                VERIFICATION_TAGS, what="verification tag"
            )
            if node.has("verification")
            else None,
            implements=node.child("implements").text() if node.has("implements") else "",
            origin=(node.doc.path, node.doc.line(node.path)),
        )

    def note(self, node: Node) -> Note:
        node.mapping(
            required=("id", "text"), optional=("citation", "from", "until", "when"), what="note"
        )
        nid = node.child("id").identifier()
        text = node.child("text").text()
        when = None
        if node.has("when"):
            when = self.condition(
                node.child("when"),
                need_citation=False,
                defaults={"id": f"note-{nid}", "text": text},
            )
        start = node.child("from").date() if node.has("from") else None
        until = node.child("until").date() if node.has("until") else None
        if start and until and start >= until:
            raise node.fail("`from` must be before `until`")
        return Note(
            id=nid,
            text=text,
            citation=node.child("citation").text() if node.has("citation") else "",
            start=start,
            until=until,
            when=when,
        )


def load_critiques(path: Path) -> dict[str, Critique]:
    return parse_critiques(root(yamlfile.load(path), RuleError))


def parse_critiques(top: Node) -> dict[str, Critique]:
    """A mapping of critique id -> critique (critiques.yaml, or an overlay's `critiques`)."""
    critiques: dict[str, Critique] = {}
    for cid, node in top.entries(what="mapping of critique ids to critiques"):
        Node(top.doc, cid, node.path, RuleError).identifier()
        node.mapping(
            required=("source", "author", "title", "year", "recommendation", "summary"),
            optional=("cited_as", "brief"),
            what="critique",
        )
        recommendation = node.child("recommendation")
        critiques[cid] = Critique(
            id=cid,
            source=node.child("source").text(),
            author=node.child("author").text(),
            title=node.child("title").text(),
            year=node.child("year").integer(),
            recommendation=str(recommendation.integer())
            if isinstance(recommendation.value, int)
            else recommendation.text(),
            summary=node.child("summary").text(),
            cited_as=node.child("cited_as").text() if node.has("cited_as") else "",
            brief=node.child("brief").text() if node.has("brief") else "",
        )
    return critiques


def _load_provision(path: Path, parser: _Parser) -> ProvisionSource:
    doc = yamlfile.load(path)
    top = root(doc, RuleError)
    top.mapping(
        required=("provision", "title", "effective", "enacted_by", "condition"),
        optional=("amendments", "notes", "checked_on", "not_applicable"),
        what="provision file",
    )
    pid = top.child("provision").identifier()
    if path.stem != pid:
        raise top.child("provision").fail(
            f"provision {pid} must be in a file named {pid}.yaml (one provision per file)"
        )
    condition = parser.condition(top.child("condition"))
    amendments = (
        tuple(
            parser.amendment(item, pid)
            for item in top.child("amendments").elements(what="list of amendments")
        )
        if top.has("amendments")
        else ()
    )
    notes = (
        tuple(parser.note(item) for item in top.child("notes").elements(what="list of notes"))
        if top.has("notes")
        else ()
    )
    not_applicable = None
    if top.has("not_applicable"):
        na = top.child("not_applicable")
        na.mapping(required=("text", "citation", "when"), what="not-applicable test")
        not_applicable = parser.note(
            Node(na.doc, {"id": "not-applicable", **na.value}, na.path, RuleError)
        )
    return ProvisionSource(
        id=pid,
        title=top.child("title").text(),
        effective=top.child("effective").date(),
        enacted_by=top.child("enacted_by").text(),
        condition=condition,
        amendments=amendments,
        notes=notes,
        checked_on=top.child("checked_on").date() if top.has("checked_on") else None,
        path=str(path),
        not_applicable=not_applicable,
    )


# ------------------------------------------------------------------ rule books


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
    invariants: tuple[Any, ...] = ()  # raw invariant nodes, parsed by check
    recorded: tuple[RecordedChange, ...] = ()  # timeline rows with no encoded effect
    readings: Mapping[str, Reading] = field(default_factory=dict)  # shared, plus overlays'
    steps: tuple[Step, ...] = ()  # next steps (the rule set's own, changed by overlays)
    _cache: dict[int, ResolvedBook] = field(default_factory=dict, repr=False)

    # -- dates -------------------------------------------------------------------
    @cached_property
    def change_dates(self) -> list[dt.date]:
        """Every date on which the text of this rule set changes, sorted."""
        dates: set[dt.date] = set()
        for source in self.sources.values():
            dates.add(source.effective)
            dates.update(a.effective for a in source.amendments if a.effective)
            for note in source.notes:
                dates.update(d for d in (note.start, note.until) if d)
        dates.update(c.effective for c in self.changes if c.effective)
        return sorted(dates)

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
                for amendment in sorted(
                    (a for a in source.amendments if a.effective and a.effective <= date),
                    key=lambda a: a.effective,
                ):  # stable: file order
                    condition = apply_amendment(condition, amendment)
                for change in self.changes:
                    if change.provision == pid and (
                        change.effective is None or change.effective <= date
                    ):
                        condition = apply_amendment(condition, change)
            notes = tuple(
                n
                for n in source.notes
                if in_force
                and (n.start is None or n.start <= date)
                and (n.until is None or date < n.until)
            )
            provisions[pid] = Provision(
                pid,
                source.title,
                condition.citation,
                condition,
                notes,
                in_force,
                source.not_applicable if in_force else None,
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


def apply_amendment(tree: Condition, amendment: Amendment) -> Condition:
    """Apply every operation of `amendment` to `tree`; targets must exist."""
    for operation in amendment.operations:
        tree = _apply(tree, operation, amendment)
    return tree


def _apply(tree: Condition, operation: Operation, amendment: Amendment) -> Condition:
    found = False
    stamp = amendment.label

    def stamped(condition: Condition) -> Condition:
        return replace(
            condition, since=stamp, children=tuple(stamped(c) for c in condition.children)
        )

    def rewrite(node: Condition) -> Condition | None:
        nonlocal found
        if node.id == operation.target:
            found = True
            if operation.op == "replace":
                return stamped(operation.conditions[0])
            if operation.op == "remove":
                return None
            if operation.op == "update":  # a new citation alone is not a new rule
                since = stamp if "text" in operation.fields else node.since
                return replace(node, since=since, **dict(operation.fields))
            if node.kind not in ("all", "any"):
                raise RuleError(
                    f"amendment {amendment.id}: cannot add to {node.id}, which "
                    f"is not an `all` or `any` condition",
                    path=amendment.origin[0],
                    line=operation.line,
                )
            return node.with_children(
                node.children + tuple(stamped(c) for c in operation.conditions)
            )
        if not node.children:
            return node
        children = [rewrite(child) for child in node.children]
        kept = [c for c in children if c is not None]
        if not kept:
            raise RuleError(
                f"amendment {amendment.id}: removing {operation.target} would "
                f"leave {node.id} without conditions",
                path=amendment.origin[0],
                line=operation.line,
            )
        if all(a is b for a, b in zip(children, node.children, strict=True)):
            return node
        return node.with_children(kept)

    result = rewrite(tree)
    if not found:
        ids = [n.id for n in tree.walk()]
        raise RuleError(
            f"amendment {amendment.id} ({operation.op}): no condition "
            f"{operation.target} in {amendment.provision} at this date"
            f"{did_you_mean(operation.target, ids)}",
            path=amendment.origin[0],
            line=operation.line,
        )
    if result is None:
        raise RuleError(
            f"amendment {amendment.id}: cannot remove the root condition {operation.target}",
            path=amendment.origin[0],
            line=operation.line,
        )
    _check_unique_ids(result, amendment)
    return result


def _check_unique_ids(tree: Condition, amendment: Amendment) -> None:
    seen: set[str] = set()
    for node in tree.walk():
        if node.id in seen:
            raise RuleError(
                f"amendment {amendment.id}: condition id {node.id} appears "
                f"twice in {amendment.provision} after the change",
                path=amendment.origin[0],
                line=amendment.origin[1],
            )
        seen.add(node.id)


# --------------------------------------------------------------------- loading


STEPS_FILE = "next-steps.yaml"  # in a rule set directory, beside ruleset.yaml


def _load_directory(
    path: Path,
    vocabulary: Vocabulary,
    critiques: dict[str, Critique],
    readings: Mapping[str, Reading],
) -> RuleBook:
    meta_path = path / "ruleset.yaml"
    doc = yamlfile.load(meta_path)
    top = root(doc, RuleError)
    top.mapping(
        required=("rule_set", "title", "provisions"),
        optional=("description", "checked_on", "recorded"),
        what="rule set description",
    )
    name = top.child("rule_set").identifier()
    order_nodes = top.child("provisions").elements(what="list of provision ids", allow_empty=False)
    order = [n.identifier() for n in order_nodes]
    for number, n in enumerate(order_nodes):
        if n.value in order[:number]:
            raise n.fail(f"provision {n.value} is listed twice")
    files = {
        p.stem: p for p in sorted(path.glob("*.yaml")) if p.name not in ("ruleset.yaml", STEPS_FILE)
    }
    for n in order_nodes:
        if n.value not in files:
            raise n.fail(f"no file {n.value}.yaml in {path}{did_you_mean(n.value, files)}")
    for stem, file in files.items():
        if stem not in order:
            raise RuleError(
                f"{file.name} is not listed under `provisions` in ruleset.yaml", path=str(meta_path)
            )
    parser = _Parser(vocabulary, critiques, order)
    sources = {pid: _load_provision(files[pid], parser) for pid in order}
    for source in sources.values():
        _check_source_ids(source)
    recorded = []
    if top.has("recorded"):
        for item in top.child("recorded").elements(what="list of recorded changes"):
            item.mapping(
                required=("effective", "instrument", "change", "reason"),
                optional=("verification",),
                what="recorded change",
            )
            recorded.append(
                RecordedChange(
                    effective=item.child("effective").date(),
                    instrument=item.child("instrument").text(),
                    change=item.child("change").text(),
                    reason=item.child("reason").text(),
                    verification=item.child("verification").choice(
                        VERIFICATION_TAGS, what="verification tag"
                    )
                    if item.has("verification")
                    else None,
                )
            )
    _check_readings(sources.values(), (), readings)
    steps: tuple[Step, ...] = ()
    if (path / STEPS_FILE).is_file():
        steps_top = root(yamlfile.load(path / STEPS_FILE), RuleError)
        steps_top.mapping(required=("steps",), what="next-steps file")
        steps = tuple(_steps(parser, steps_top.child("steps").elements(what="list of steps")))
    return RuleBook(
        name=name,
        title=top.child("title").text(),
        description=top.child("description").text() if top.has("description") else "",
        path=str(path),
        vocabulary=vocabulary,
        critiques=critiques,
        sources=sources,
        recorded=tuple(recorded),
        readings=readings,
        steps=steps,
    )


def _steps(parser: _Parser, items: list[Node]) -> list[Step]:
    return parse_steps(
        items,
        provisions=sorted(parser.provision_ids),
        facts=parser.vocabulary.names(),
        condition=lambda node, defaults: parser.condition(
            node, need_citation=False, defaults=defaults
        ),
    )


def _check_readings(
    sources: Iterable[ProvisionSource],
    changes: Iterable[Amendment],
    readings: Mapping[str, Reading],
) -> None:
    """Every reading and open question a condition names is explained in readings.yaml
    (when the rule set has readings at all), so that reports can explain it."""
    if not readings:
        return
    conditions = [c for s in sources for c in s.condition.walk()]
    for source in sources:
        for amendment in source.amendments:
            for operation in amendment.operations:
                for condition in operation.conditions:
                    conditions.extend(condition.walk())
    for change in changes:
        for operation in change.operations:
            for condition in operation.conditions:
                conditions.extend(condition.walk())
    for c in conditions:
        names = reading_ids(c.reading or "") + ([c.question] if c.question else [])
        for name in names:
            if name not in readings:
                raise RuleError(
                    f"condition {c.id}: no reading {name} in readings.yaml; explain it there "
                    f"(reports show its plain-words explanation, never the bare id)",
                    path=c.origin[0],
                    line=c.origin[1],
                )


def _check_source_ids(source: ProvisionSource) -> None:
    seen: dict[str, Condition] = {}
    for node in source.condition.walk():
        if node.id in seen:
            raise RuleError(
                f"condition id {node.id} is used twice in {source.id}",
                path=node.origin[0],
                line=node.origin[1],
            )
        seen[node.id] = node


def _load_overlay(path: Path, registry: Registry, chain: tuple[str, ...]) -> RuleBook:
    doc = yamlfile.load(path)
    top = root(doc, RuleError)
    top.mapping(
        required=("rule_set", "extends", "title"),
        optional=(
            "description",
            "citation",
            "source",
            "checked_on",
            "changes",
            "critiques",
            "invariants",
            "readings",
            "next_steps",
            "remove_next_steps",
        ),
        what="overlay file",
    )
    name = top.child("rule_set").identifier()
    base_ref = top.child("extends").text()
    if base_ref in chain or str(path) in chain:
        raise top.child("extends").fail(
            f"overlays extend each other in a cycle: {' -> '.join(chain + (base_ref,))}"
        )
    if len(chain) >= MAX_OVERLAY_CHAIN:
        raise top.child("extends").fail(
            f"overlays extend each other more than {MAX_OVERLAY_CHAIN} deep"
        )
    try:
        base = registry.load(base_ref, relative_to=path.parent, chain=chain + (str(path),))
    except UsageError as exc:  # name the overlay that asked for it
        raise top.child("extends").fail(exc.message) from None
    critiques = dict(base.critiques)
    if top.has("critiques"):
        critiques.update(parse_critiques(top.child("critiques")))
    parser = _Parser(base.vocabulary, critiques, base.sources)
    changes = (
        tuple(
            parser.amendment(item, None, overlay=True)
            for item in top.child("changes").elements(what="list of changes")
        )
        if top.has("changes")
        else ()
    )
    seen: set[str] = set()
    for change in base.changes + changes:
        if change.id in seen:
            raise RuleError(f"change id {change.id} is used twice", path=str(path))
        seen.add(change.id)
    readings = dict(base.readings)
    if top.has("readings"):
        readings.update(parse_readings(top.child("readings")))
    _check_readings((), changes, readings)
    steps = {step.id: step for step in base.steps}
    if top.has("remove_next_steps"):
        for item in top.child("remove_next_steps").elements(what="list of step ids"):
            if item.value not in steps:
                raise item.fail(
                    f"no next step {describe(item.value)} to remove"
                    f"{did_you_mean(str(item.value), steps)}"
                )
            del steps[item.value]
    if top.has("next_steps"):
        for step in _steps(parser, top.child("next_steps").elements(what="list of steps")):
            steps[step.id] = step  # same id: the overlay's step replaces the base's
    invariants = (
        tuple(top.child("invariants").elements(what="list of invariants"))
        if top.has("invariants")
        else ()
    )
    return RuleBook(
        name=name,
        title=top.child("title").text(),
        description=top.child("description").text() if top.has("description") else "",
        path=str(path),
        vocabulary=base.vocabulary,
        critiques=critiques,
        sources=base.sources,
        changes=base.changes + changes,
        extends=base.name,
        invariants=base.invariants + invariants,
        recorded=base.recorded,
        readings=readings,
        steps=tuple(steps.values()),
    )


class Registry:
    """Finds rule sets by name (bundled) or by path (a user's overlay or directory)."""

    def __init__(self, rules_dir: Path | None = None) -> None:
        self.rules_dir = rules_dir or bundled_rules_dir()
        self._vocabulary: Vocabulary | None = None
        self._critiques: dict[str, Critique] | None = None
        self._readings: dict[str, Reading] | None = None
        self._books: dict[str, RuleBook] = {}

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = load_vocabulary(self.rules_dir / "facts.yaml")
        return self._vocabulary

    @property
    def critiques(self) -> dict[str, Critique]:
        if self._critiques is None:
            path = self.rules_dir / "critiques.yaml"
            self._critiques = load_critiques(path) if path.is_file() else {}
        return self._critiques

    @property
    def readings(self) -> dict[str, Reading]:
        if self._readings is None:
            path = self.rules_dir / "readings.yaml"
            self._readings = load_readings(str(path)) if path.is_file() else {}
        return self._readings

    def bundled(self) -> dict[str, Path]:
        """Bundled rule set name -> directory or overlay file."""
        found: dict[str, Path] = {}
        for meta in sorted(self.rules_dir.glob("*/ruleset.yaml")):
            found[meta.parent.name] = meta.parent
        for overlay in sorted((self.rules_dir / "reforms").glob("*.yaml")):
            found[overlay.stem] = overlay
        return found

    def load(
        self, ref: str, *, relative_to: Path | None = None, chain: tuple[str, ...] = ()
    ) -> RuleBook:
        """A rule set by bundled name, or by path to a directory or overlay file."""
        key = ref if ref in self.bundled() else None
        path: Path | None = None
        if key is not None:
            path = self.bundled()[ref]
        else:
            candidate = (
                Path(ref) if relative_to is None or Path(ref).is_absolute() else relative_to / ref
            )
            if candidate.exists():
                path = candidate.resolve()
                key = str(path)
        if path is None or key is None:
            raise UsageError(
                f"unknown rule set {ref!r}{did_you_mean(ref, self.bundled())}; "
                f"give a bundled name ({', '.join(self.bundled())}) or the "
                f"path of a rule set directory or overlay file"
            )
        if key in self._books:
            return self._books[key]
        if path.is_dir():
            if not (path / "ruleset.yaml").is_file():
                raise UsageError(f"{path} is not a rule set directory (no ruleset.yaml)")
            book = _load_directory(path, self.vocabulary, self.critiques, self.readings)
        else:
            book = _load_overlay(path, self, chain)
        self._books[key] = book
        return book


_DEFAULT_REGISTRY: Registry | None = None


def default_registry() -> Registry:
    global _DEFAULT_REGISTRY
    if _DEFAULT_REGISTRY is None:
        override = os.environ.get("ELIGIBILITY_RULES_DIR")
        _DEFAULT_REGISTRY = Registry(Path(override) if override else None)
    return _DEFAULT_REGISTRY


def load_rule_book(ref: str = "us-law") -> RuleBook:
    """Load a bundled rule set by name, or a rule set directory or overlay by path."""
    return default_registry().load(ref)
