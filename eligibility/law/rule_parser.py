"""Reading rule files: conditions, amendments, notes and critiques, checked against the
fact vocabulary and the provision ids; every error names file, line and key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import RuleError, did_you_mean
from . import yamlfile
from .conditions import Condition
from .fields import Node, root
from .logic import ALL_OPERATORS, INNER_KINDS, LEAF_KINDS, STATUS_OF, FactTestReader
from .provisions import Amendment, Critique, Note, NoteChanges, Operation
from .vocabulary import Vocabulary

VERIFICATION_TAGS = ("V", "V2", "U")
CONDITION_KEYS = (
    ("id", "text", "short", "citation", "verification", "reading", "critiques", "comment")
    + INNER_KINDS
    + LEAF_KINDS
    + ALL_OPERATORS
)
AMENDMENT_OPS = ("replace", "add", "remove", "update")
# what a change may say about a provision besides its conditions
PROVISION_CHANGES = ("title", "notes", "not_applicable")
NOTE_OPS = ("remove", "replace", "add")
UPDATABLE = ("text", "short", "citation")  # what an `update` may change in a condition


class RuleParser:
    """Parses the conditions, amendments and notes of rule files against a vocabulary."""

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
            (
                "id",
                "effective",
                "instrument",
                "citation",
                "summary",
                "verification",
                "implements",
                "provision",
            )
            + AMENDMENT_OPS
            + PROVISION_CHANGES
        )
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
        if not operations and not any(node.has(k) for k in PROVISION_CHANGES):
            raise node.fail(
                f"amendment {aid} changes nothing: give one of "
                f"{', '.join(AMENDMENT_OPS + PROVISION_CHANGES)}"
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
            title=node.child("title").text() if node.has("title") else None,
            notes=self.note_changes(node.child("notes")) if node.has("notes") else None,
            not_applicable=self.not_applicable(node.child("not_applicable"))
            if "not_applicable" in node.value
            else None,
        )

    def note_changes(self, node: Node) -> NoteChanges:
        """`notes: {remove: [ids], replace: {id: note}, add: [notes]}` of a change."""
        node.mapping(optional=NOTE_OPS, what="change of notes (remove, replace, add)")
        if not any(node.has(op) for op in NOTE_OPS):
            raise node.fail("a change of notes needs `remove`, `replace` and/or `add`")
        remove = (
            tuple(
                item.identifier()
                for item in node.child("remove").elements(
                    what="list of note ids", allow_empty=False
                )
            )
            if node.has("remove")
            else ()
        )
        replace: list[Note] = []
        if node.has("replace"):
            for target, payload in node.child("replace").entries(
                what="mapping of note ids to new notes"
            ):
                Node(node.doc, target, payload.path, RuleError).identifier()
                if isinstance(payload.value, dict) and "id" not in payload.value:
                    payload = Node(
                        payload.doc, {"id": target, **payload.value}, payload.path, RuleError
                    )
                note = self.note(payload)
                if note.id != target:
                    raise payload.fail(
                        f"a replacement keeps the id of the note it replaces ({target}); "
                        f"to add a note with another id, remove {target} and add it"
                    )
                replace.append(note)
        add = (
            tuple(
                self.note(item)
                for item in node.child("add").elements(what="list of notes", allow_empty=False)
            )
            if node.has("add")
            else ()
        )
        return NoteChanges(remove, tuple(replace), add, node.doc.line(node.path))

    def not_applicable(self, block: Node) -> tuple[Note, ...]:
        """A provision's `not_applicable`: one test or a list of them (the first that
        applies gives the reason). In a change, an empty list removes the block."""
        if block.value is None or block.value == []:
            return ()
        items = (
            block.elements(what="list of not-applicable tests")
            if isinstance(block.value, list)
            else [block]
        )
        found: list[Note] = []
        for number, na in enumerate(items):
            na.mapping(required=("text", "citation", "when"), what="not-applicable test")
            found.append(
                self.note(
                    Node(na.doc, {"id": f"not-applicable-{number}", **na.value}, na.path, RuleError)
                )
            )
        return tuple(found)

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
