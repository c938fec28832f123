"""The reference evaluator (`--engine python`): Kleene logic over the plan, in Python.

It defines the semantics: every other engine is tested against it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..law.conditions import Plan


class PythonEngine:
    """The reference evaluator (`--engine python`): Kleene logic over the plan."""

    name = "python"

    def __init__(
        self,
        fact_types: Mapping[str, str] | None = None,
        fact_values: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        del fact_types, fact_values  # same constructor shape as DurableEngine

    def evaluate(
        self, plan: Plan, facts: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
    ) -> tuple[list[int], list[int] | None]:
        return plan.evaluate(facts), plan.evaluate(
            {**facts, **overrides}
        ) if overrides is not None else None
