"""Whether every provision and condition in force can be met and can be not met, and
which conditions a constant sibling shadows (the `satisfiable` and `reachable` checks),
decided by exhaustive search (analysis/search.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ...law.conditions import Plan
from ...law.logic import MET, NOT_MET, STATUS_NAMES
from ...law.rulebook import ResolvedBook, RuleBook
from ...law.vocabulary import Facts
from ..search import Search, SearchLimit, ValueClasses
from .findings import ERROR, WARNING, Collector, Finding
from .texts import in_force

# ------------------------------------------------------------------ satisfiability


def _structure(plan: Plan) -> list[Any]:
    """A key per node that is equal for equal subtrees in equal contexts (the same
    conditions, referring to provisions with the same conditions), to reuse search
    results across epochs."""
    keys: list[Any] = [None] * len(plan.nodes)
    for node in plan.nodes:  # children and referred provisions come first
        condition = node.condition
        if condition.kind == "provision":
            assert node.target is not None
            keys[node.index] = ("provision", condition.provision, keys[node.target])
        elif node.children:
            keys[node.index] = (
                condition.kind,
                condition.id,
                condition.op,
                tuple(keys[i] for i in node.children),
            )
        else:
            keys[node.index] = (
                condition.kind,
                condition.id,
                condition.fact,
                condition.op,
                condition.value,
                condition.constant,
                condition.question,
            )
    return keys


def satisfiability_findings(
    book: RuleBook,
    resolved: Mapping[dt.date, ResolvedBook],
    examined: Sequence[dt.date],
    classes: ValueClasses,
    excluded: Callable[[Facts], bool] | None,
    limit: int,
) -> tuple[list[Finding], list[Finding]]:
    never = Collector()
    shadowed = Collector()
    cache: dict[tuple[Any, int], bool | None] = {}
    for date, book_at in resolved.items():
        plan = book_at.plan
        keys = _structure(plan)
        search = Search(plan, classes, excluded=excluded, limit=limit)
        empty = plan.evaluate({})

        def can(
            index: int, status: int, keys: list[Any] = keys, search: Search = search
        ) -> bool | None:
            key = (keys[index], status)
            if key not in cache:
                try:
                    cache[key] = search.can(index, status)
                except SearchLimit:
                    cache[key] = None  # unknown: reported once, below
            return cache[key]

        for pid in in_force(book_at):
            root = plan.roots[pid]
            indexes = [n.index for n in plan.nodes if n.owner == pid]
            for index in indexes:
                for status in (MET, NOT_MET):
                    if can(index, status) is None:
                        node = plan.nodes[index].condition
                        never.add(
                            ("limit", pid, node.id, status),
                            Finding(
                                "satisfiable",
                                "search-limit",
                                WARNING,
                                f"could not decide within {limit} evaluations whether this "
                                f"condition of {pid} can be {STATUS_NAMES[status]}",
                                node.origin[0] or None,
                                node.origin[1],
                                node.id,
                            ),
                            date,
                        )
            for status in (MET, NOT_MET):
                _report_never(plan, pid, root, status, can, never, date)
            for index in indexes:
                _report_shadowed(plan, pid, index, empty, shadowed, date)
    return never.findings(book, examined), shadowed.findings(book, examined)


def _causes(
    plan: Plan, index: int, status: int, can: Callable[[int, int], bool | None]
) -> list[tuple[str, int]]:
    """Why node `index` can never have `status`: the deepest nodes that explain it.

    ("node", i): node i can never have the status (or its opposite, under a `not`) by
    itself; ("constant", i): a deliberate `always:`; ("question", i): an open question
    of law; ("provision", i): a referenced provision (reported where it is written).
    """
    node = plan.nodes[index]
    kind = node.condition.kind
    if kind == "always":
        return [("constant", index)]
    if kind == "open_question":
        return [("question", index)]
    if kind == "provision":
        return [("provision", index)]
    if kind == "not":
        child = node.children[0]
        return _causes(plan, child, MET if status == NOT_MET else NOT_MET, can)
    if kind in ("all", "any"):
        # `all` is never met if one child is never met, never not met only if no child
        # ever is; `any` mirrors it.
        one_suffices = (kind == "all") == (status == MET)
        blocked = [i for i in node.children if can(i, status) is False]
        if one_suffices and blocked:
            return [cause for i in blocked for cause in _causes(plan, i, status, can)]
        if not one_suffices:  # every child is blocked
            return [cause for i in node.children for cause in _causes(plan, i, status, can)]
    return [("node", index)]


def _report_never(
    plan: Plan,
    pid: str,
    root: int,
    status: int,
    can: Callable[[int, int], bool | None],
    found: Collector,
    date: dt.date,
) -> None:
    word = "met" if status == MET else "not met"
    # every node of the provision that can never have the status by itself
    for node in plan.nodes:
        if node.owner != pid or can(node.index, status) is not False:
            continue
        causes = _causes(plan, node.index, status, can)
        if ("node", node.index) not in causes:
            continue
        condition = node.condition
        whole = can(root, status) is False
        consequence = f", so {pid} can never be {word}" if whole and node.index != root else ""
        subject = (
            f"{pid} can never be {word}"
            if node.index == root
            else f"condition of {pid} can never be {word}{consequence}"
        )
        code = ("provision-never-" if whole else "condition-never-") + (
            "met" if status == MET else "not-met"
        )
        if condition.kind == "fact":
            reason = f"no value of {condition.fact} passes this test"
        elif condition.kind in ("all", "any"):
            each = "met" if (condition.kind == "all") == (status == MET) else "not met"
            reason = (
                f"its conditions can each be {each}, but never all together (they "
                f"contradict each other)"
                if each == word
                else "no combination of facts gives it"
            )
        else:
            reason = "no combination of facts gives it"
        found.add(
            (code, pid, condition.id, status),
            Finding(
                "satisfiable",
                code,
                ERROR,
                f"{subject}: {reason}",
                condition.origin[0] or None,
                condition.origin[1],
                condition.id,
            ),
            date,
        )
    if can(root, status) is False:
        causes = _causes(plan, root, status, can)
        kinds = {kind for kind, _ in causes}
        if kinds <= {"question", "constant"} and "question" in kinds:
            questions = sorted(
                {plan.nodes[i].condition.question or "" for kind, i in causes if kind == "question"}
            )
            condition = plan.nodes[root].condition
            found.add(
                ("question-only", pid, status),
                Finding(
                    "satisfiable",
                    f"provision-never-{'met' if status == MET else 'not-met'}",
                    WARNING,
                    f"{pid} can never be {word}: every way rests on an open question "
                    f"of law ({', '.join(questions)})",
                    condition.origin[0] or None,
                    condition.origin[1],
                    pid,
                ),
                date,
            )


def _report_shadowed(
    plan: Plan, pid: str, index: int, empty: list[int], found: Collector, date: dt.date
) -> None:
    """Children of `index` whose outcome can never matter because a sibling is constant
    (reported at the constant, which is usually what to change)."""
    node = plan.nodes[index]
    kind = node.condition.kind
    if kind not in ("all", "any"):
        return
    dominant = MET if kind == "any" else NOT_MET
    constants = [i for i in node.children if empty[i] == dominant]
    if not constants:
        return
    shadowed = [plan.nodes[i].condition.id for i in node.children if i not in constants]
    if not shadowed:
        return
    constant = plan.nodes[constants[0]].condition
    word = STATUS_NAMES[dominant].replace("_", " ")
    # A deliberate constant (`always:`) makes this dead text, kept perhaps for the
    # explanation: a warning. A condition that is constant without saying so is
    # reported as an error by the satisfiability check already.
    severity = WARNING if constant.kind == "always" else ERROR
    found.add(
        ("shadowed", pid, constant.id, tuple(shadowed)),
        Finding(
            "reachable",
            "unreachable-condition",
            severity,
            f"condition of {pid} is always {word}, so {node.condition.id} "
            f"({'any' if kind == 'any' else 'all'}) is {word} whatever its other conditions "
            f"say: {', '.join(shadowed)} can never change the result",
            constant.origin[0] or None,
            constant.origin[1],
            constant.id,
        ),
        date,
    )
