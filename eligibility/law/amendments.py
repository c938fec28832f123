"""Applying an amendment (or an overlay's change) to a condition tree: replace, add to,
remove or update conditions by id, stamping what it wrote with the amendment's label."""

from __future__ import annotations

from dataclasses import replace

from ..errors import RuleError, did_you_mean
from .conditions import Condition
from .provisions import Amendment, Note, Operation


def apply_amendment(tree: Condition, amendment: Amendment) -> Condition:
    """Apply every operation of `amendment` to `tree`; targets must exist."""
    for operation in amendment.operations:
        tree = _apply(tree, operation, amendment)
    return tree


def apply_note_changes(notes: tuple[Note, ...], amendment: Amendment) -> tuple[Note, ...]:
    """A provision's notes after `amendment`: removed, replaced in place, then added.
    A note that is not there on this date is left alone (rule_sets checks, when loading,
    that each target exists at some date)."""
    changes = amendment.notes
    if changes is None:
        return notes
    replaced = {n.id: n for n in changes.replace}
    kept = tuple(replaced.get(n.id, n) for n in notes if n.id not in changes.remove)
    return kept + changes.add


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
                fields = operation.fields
                return replace(
                    node,
                    since=stamp if "text" in fields else node.since,
                    text=fields.get("text", node.text),
                    short=fields.get("short", node.short),
                    citation=fields.get("citation", node.citation),
                )
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
