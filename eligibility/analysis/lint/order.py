"""Whether a result depends on the order of changes in a file (the `order` check):
amendments of one provision with the same effective date, and the changes of one
overlay file, that touch the same condition."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from ...errors import EligibilityError
from ...law.amendments import apply_amendment
from ...law.conditions import Condition
from ...law.provisions import Amendment
from ...law.rulebook import RuleBook
from .findings import ERROR, Finding

# --------------------------------------------------------------------------- order


def _find(tree: Condition, cid: str) -> Condition | None:
    return next((n for n in tree.walk() if n.id == cid), None)


def _touched(tree: Condition, amendment: Amendment) -> dict[str, set[str]]:
    """Condition id -> what the amendment changes about it: '*' (the whole node),
    'children' (adds to it), or the fields it updates."""
    touched: dict[str, set[str]] = {}

    def mark(cid: str, aspect: str) -> None:
        touched.setdefault(cid, set()).add(aspect)

    for operation in amendment.operations:
        target = operation.target
        if operation.op in ("replace", "remove"):
            subtree = _find(tree, target)
            for node in subtree.walk() if subtree else ():
                mark(node.id, "*")
            mark(target, "*")
        elif operation.op == "add":
            mark(target, "children")
        else:
            for name in operation.fields:
                mark(target, name)
        for condition in operation.conditions:
            for node in condition.walk():
                mark(node.id, "*")
    return touched


def _conflicts(a: dict[str, set[str]], b: dict[str, set[str]]) -> list[str]:
    clashes = []
    for cid in sorted(set(a) & set(b)):
        first, second = a[cid], b[cid]
        if "*" in first or "*" in second or (first & second) - {"children"}:
            clashes.append(cid)
    return clashes


def order_findings(book: RuleBook, examined: Sequence[dt.date]) -> list[Finding]:
    found: dict[tuple[str, str, str], Finding] = {}

    def compare(
        pid: str, group: Sequence[Amendment], tree: Condition, overlay: bool
    ) -> Condition | None:
        touches: list[tuple[Amendment, dict[str, set[str]]]] = []
        for amendment in group:
            touches.append((amendment, _touched(tree, amendment)))
            try:
                tree = apply_amendment(tree, amendment)
            except EligibilityError:
                tree = None  # type: ignore[assignment]  # reported by the load check
                break
        for (a, ta), (b, tb) in itertools.combinations(touches, 2):
            for cid in _conflicts(ta, tb)[:1]:
                key = (a.id, b.id, pid)
                if key in found:
                    continue
                if overlay:
                    message = (
                        f"changes {a.id} and {b.id} of {pid} both change condition "
                        f"{cid}: an overlay's changes apply in file order, so the "
                        f"result depends on that order"
                    )
                else:
                    message = (
                        f"amendments {a.id} and {b.id} of {pid} both change "
                        f"condition {cid} on {a.effective}: amendments with the same "
                        f"effective date apply in file order, so the result "
                        f"depends on that order"
                    )
                found[key] = Finding(
                    "order",
                    "order-dependent",
                    ERROR,
                    message,
                    b.origin[0] or None,
                    b.origin[1],
                    b.id,
                )
        return tree

    for date in examined:
        for pid, source in book.sources.items():
            if date < source.effective:
                continue
            tree: Condition | None = source.condition
            dated = sorted(
                (a for a in source.amendments if a.effective and a.effective <= date),
                key=lambda a: a.effective or dt.date.min,
            )
            for _, same_day in itertools.groupby(dated, key=lambda a: a.effective):
                if tree is None:
                    break
                tree = compare(pid, list(same_day), tree, overlay=False)
            changes = [
                c
                for c in book.changes
                if c.provision == pid and (c.effective is None or c.effective <= date)
            ]
            by_file: dict[str, list[Amendment]] = {}
            for change in changes:
                by_file.setdefault(change.origin[0], []).append(change)
            for group in by_file.values():
                if tree is None:
                    break
                tree = compare(pid, group, tree, overlay=True)
    return list(found.values())
