"""Reading invariants files (`rules/invariants.yaml`, an overlay's `invariants:`)
against a vocabulary and provision ids; every error names file, line and key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...errors import RuleError
from ...law import yamlfile
from ...law.fields import Node, root
from ...law.logic import STATUS_NAMES, FactTestReader
from ...law.rulebook import RuleBook
from ...law.vocabulary import DEPENDENCIES, Vocabulary
from .model import (
    FACT_OPS,
    FORMS,
    INVARIANT_KEYS,
    TEST_KINDS,
    WORSE,
    Assumption,
    Invariant,
    InvariantFile,
    MonotoneChange,
    Test,
    expansion_invariant,
)


class InvariantParser:
    """Parses invariants and assumptions against a vocabulary and provision ids."""

    def __init__(self, vocabulary: Vocabulary, provisions: Iterable[str]) -> None:
        self.vocabulary = vocabulary
        self.tests = FactTestReader(vocabulary, extra=("known",))
        self.provisions = tuple(provisions)

    def test(self, node: Node, *, facts_only: bool = False) -> Test:
        node.mapping(optional=TEST_KINDS + FACT_OPS + ("gated",), what="test")
        kinds = [k for k in TEST_KINDS if node.has(k)]
        if len(kinds) != 1:
            raise node.fail(
                f"a test needs exactly one of: {', '.join(TEST_KINDS)} (found "
                f"{', '.join(kinds) or 'none'})"
            )
        kind = kinds[0]
        if kind in ("all", "any"):
            items = node.child(kind).elements(
                what=f"list of tests under `{kind}`", allow_empty=False
            )
            return Test(kind, tuple(self.test(i, facts_only=facts_only) for i in items))
        if kind == "not":
            return Test("not", (self.test(node.child("not"), facts_only=facts_only),))
        if kind == "provision":
            if facts_only:
                raise node.fail("an assumption tests facts only, not provisions")
            return self._provision_test(node)
        return self._fact_test(node)

    def _provision_test(self, node: Node) -> Test:
        extra = [k for k in FACT_OPS if k != "is" and node.has(k)]
        if extra:
            raise node.fail(
                f"`{extra[0]}` applies to fact tests; a provision test takes "
                f"`is` (a status, or a list of statuses) and/or `gated`"
            )
        pid = node.child("provision").choice(self.provisions, what="provision")
        statuses: frozenset[str] = frozenset()
        if node.has("is"):
            value = node.child("is")
            items = value.elements() if isinstance(value.value, list) else [value]
            statuses = frozenset(i.choice(STATUS_NAMES, what="status") for i in items)
        gated = node.child("gated").boolean() if node.has("gated") else None
        if not statuses and gated is None:
            raise node.fail(
                f"say what to test of {pid}: `is: met` (or not_met, "
                f"undetermined) and/or `gated: true|false`"
            )
        return Test("provision", provision=pid, statuses=statuses, gated=gated)

    def _fact_test(self, node: Node) -> Test:
        if node.has("gated"):
            raise node.fail("`gated` applies to provision tests")
        name = self.tests.fact(node.child("fact"))
        op = self.tests.operator(node, name)
        if op is None:
            return Test("fact", fact=name, op="is", value=True)
        operand = node.child(op)
        if op == "known":
            return Test("fact", fact=name, op="known", value=operand.boolean())
        if isinstance(operand.value, dict):
            operand.mapping(required=("fact",), what="comparison with another fact")
            other = self.tests.fact(operand.child("fact"))
            if self.vocabulary[name].type != "int" or self.vocabulary[other].type != "int":
                raise operand.fail("only whole-number facts can be compared with each other")
            return Test("fact", fact=name, op=op, other=other)
        return Test("fact", fact=name, op=op, value=self.tests.operand(operand, name, op))

    def selection(self, node: Node) -> tuple[str, ...]:
        """`facts: [...]` and/or `dependency: [...]` -> fact names, vocabulary order."""
        node.mapping(optional=("facts", "dependency", "from", "to"), what="selection of facts")
        chosen: set[str] = set()
        if node.has("facts"):
            items = node.child("facts")
            for item in (
                items.elements(allow_empty=False) if isinstance(items.value, list) else [items]
            ):
                chosen.add(self.tests.fact(item))
        if node.has("dependency"):
            items = node.child("dependency")
            for item in (
                items.elements(allow_empty=False) if isinstance(items.value, list) else [items]
            ):
                tag = item.choice(DEPENDENCIES, what="dependency tag")
                chosen.update(n for n in self.vocabulary if self.vocabulary[n].dependency == tag)
        if not chosen:
            raise node.fail("select facts with `facts: [...]` and/or `dependency: [...]`")
        return tuple(n for n in self.vocabulary if n in chosen)

    def change(self, node: Node) -> MonotoneChange:
        names = self.selection(node)
        types = {self.vocabulary[n].type for n in names}
        if len(types) > 1:
            raise node.fail(f"one change selects facts of one type; found {', '.join(types)}")
        kind = types.pop()
        if kind in ("bool", "enum"):
            for key in ("from", "to"):
                if not node.has(key):
                    raise node.fail(f"a change of {kind} facts needs `from` and `to`")
            before = self.tests.operand(node.child("from"), names[0], "eq")
            after = self.tests.operand(node.child("to"), names[0], "eq")
            if before == after:
                raise node.fail("`from` and `to` are the same value")
            return MonotoneChange(names, "set", before, after)
        if node.has("from"):
            raise node.fail(f"a change of {kind} facts takes only `to`", "from")
        choices = ("lower", "higher") if kind == "int" else ("more", "fewer")
        if not node.has("to"):
            raise node.fail(f"a change of {kind} facts needs `to: {' | '.join(choices)}`")
        return MonotoneChange(names, node.child("to").choice(choices, what="direction"))

    def provision_list(self, node: Node) -> tuple[str, ...]:
        if node.value == "all":
            return self.provisions
        items = node.elements(what="list of provisions (or `all`)", allow_empty=False)
        return tuple(i.choice(self.provisions, what="provision") for i in items)

    def invariant(self, node: Node) -> Invariant:
        node.mapping(required=("id", "text"), optional=INVARIANT_KEYS, what="invariant")
        iid = node.child("id").identifier()
        forms = [k for k in FORMS if node.has(k)]
        if len(forms) != 1:
            raise node.fail(
                f"invariant {iid}: needs exactly one of {', '.join(FORMS)} "
                f"(found {', '.join(forms) or 'none'})"
            )
        form = forms[0]
        if not (node.has("citation") or node.has("why")):
            raise node.fail(f"invariant {iid}: give a `citation` or a `why`")
        if node.has("if") and form != "then":
            raise node.fail(f"invariant {iid}: `if` goes with `then`", "if")
        if node.has("worse") and form != "never_worse_when":
            raise node.fail(f"invariant {iid}: `worse` goes with `never_worse_when`", "worse")
        if node.has("provisions") and form == "then":
            raise node.fail(
                f"invariant {iid}: an if/then invariant names its provisions in its tests",
                "provisions",
            )
        start = until = None
        if node.has("dates"):
            dates = node.child("dates")
            dates.mapping(optional=("from", "until"), what="dates")
            start = dates.child("from").date() if dates.has("from") else None
            until = dates.child("until").date() if dates.has("until") else None
            if start and until and start >= until:
                raise dates.fail("`from` must be before `until`")
        rule_sets = None
        if node.has("rule_sets"):
            rule_sets = tuple(
                i.identifier()
                for i in node.child("rule_sets").elements(
                    what="list of rule set names", allow_empty=False
                )
            )
        common: dict[str, Any] = dict(
            id=iid,
            text=node.child("text").text(),
            form=form,
            citation=node.child("citation").text() if node.has("citation") else "",
            why=node.child("why").text() if node.has("why") else "",
            rule_sets=rule_sets,
            start=start,
            until=until,
            provisions=self.provision_list(node.child("provisions"))
            if node.has("provisions")
            else self.provisions,
            origin=(node.doc.path, node.doc.line(node.path)),
        )
        if form == "then":
            return Invariant(
                when=self.test(node.child("if")) if node.has("if") else None,
                then=self.test(node.child("then")),
                **common,
            )
        if form == "unaffected_by":
            selection = node.child("unaffected_by")
            for key in ("from", "to"):
                if selection.has(key):
                    raise selection.fail(
                        "`unaffected_by` selects facts; any change of them "
                        "must leave the provisions unchanged",
                        key,
                    )
            return Invariant(facts=self.selection(selection), **common)
        if form == "never_worse_when":
            items = node.child("never_worse_when").elements(
                what="list of changes", allow_empty=False
            )
            worse = (
                node.child("worse").choice(WORSE, what="meaning of worse")
                if node.has("worse")
                else WORSE[0]
            )
            return Invariant(changes=tuple(self.change(i) for i in items), worse=worse, **common)
        if node.child(form).boolean() is not True:
            raise node.child(form).fail(
                "write `explained_by_missing_facts: true` (or leave the invariant out)"
            )
        return Invariant(**common)

    def assumption(self, node: Node) -> Assumption:
        node.mapping(required=("id", "text", "holds"), what="assumption")
        return Assumption(
            node.child("id").identifier(),
            node.child("text").text(),
            self.test(node.child("holds"), facts_only=True),
            (node.doc.path, node.doc.line(node.path)),
        )


def _unique(items: Sequence[Any], what: str) -> None:
    seen: dict[str, Any] = {}
    for item in items:
        if item.id in seen:
            raise RuleError(
                f"{what} id {item.id} is used twice (first at line {seen[item.id].origin[1]})",
                path=item.origin[0],
                line=item.origin[1],
            )
        seen[item.id] = item


def load_invariants(path: str | Path, book: RuleBook) -> InvariantFile:
    """The invariants file (`assumptions`, `invariants`), plus the invariants of `book`'s
    overlays, checked against its vocabulary and provisions."""
    parser = InvariantParser(book.vocabulary, book.sources)
    out = InvariantFile()
    if path:
        top = root(yamlfile.load(path), RuleError)
        top.mapping(required=("invariants",), optional=("assumptions",), what="invariants file")
        out.assumptions = (
            [
                parser.assumption(n)
                for n in top.child("assumptions").elements(what="list of assumptions")
            ]
            if top.has("assumptions")
            else []
        )
        out.invariants = [
            parser.invariant(n) for n in top.child("invariants").elements(what="list of invariants")
        ]
    for overlay in book.overlays:  # an overlay may bring invariants of its own
        top = root(yamlfile.load(overlay), RuleError)
        if top.has("invariants"):
            items = top.child("invariants").elements(what="list of invariants")
            out.invariants += [parser.invariant(n) for n in items]
    if book.expands is not None:  # `expands: BASE`, proved like any invariant
        out.invariants.append(
            expansion_invariant(
                book.name, book.expands.name, list(book.expands.sources), book.overlays[-1]
            )
        )
    _unique(out.assumptions, "assumption")
    _unique(out.invariants, "invariant")
    return out
