"""The reference evaluator (`--engine python`): Kleene logic over the plan, in Python.

It defines the semantics: every other engine is tested against it. The plan evaluates
itself (law/conditions.py, with the three-valued operations of law/logic.py); there is
nothing to compile beyond what the plan builds once, and no limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..law.conditions import Plan, World
from .limits import UNLIMITED, Limits


class PythonEngine:
    """The reference evaluator (`--engine python`): Kleene logic over the plan."""

    name = "python"
    limits: Limits = UNLIMITED

    def __init__(
        self,
        fact_types: Mapping[str, str] | None = None,
        fact_values: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        del fact_types, fact_values  # the facts are validated before they get here

    def evaluate(
        self,
        plan: Plan,
        facts: Mapping[str, Any],
        worlds: Sequence[Mapping[str, Any] | None] = (),
    ) -> tuple[list[int], list[list[int] | None]]:
        statuses = plan.evaluate(facts)
        out: list[list[int] | None] = []
        for changes in worlds:
            if changes is None or (
                isinstance(changes, World) and not changes.needed(plan, statuses)
            ):
                out.append(None)  # skipped, or nothing of it is read (a lean World)
            else:
                out.append(plan.evaluate_world(facts, changes, statuses))
        return statuses, out
