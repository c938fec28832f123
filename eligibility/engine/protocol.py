"""The interface every engine implements, so that the layers above never ask which one.

An engine evaluates the plan of a resolved rule book (law/conditions.py, `Plan`) for the
facts of one scenario, and in the same call the scenario's counterfactual *worlds*:

    statuses, worlds = engine.evaluate(plan, facts, [favourable, unfavourable])

- `facts`: fact name -> value, validated by the vocabulary (bool, int, str for enums,
  frozenset for sets); an unknown fact is absent, never None or False.
- `worlds`: for each world, the facts it changes (a mapping), or None to skip it. An
  engine evaluates at most `limits.worlds` worlds (None: any number). The worlds that
  matter are the two law-enforcement worlds of `Plan.world_overrides`, given as `World`s
  (law/conditions.py), which say which world they are: an engine may take their
  dependency facts as constants (the durable engine takes no other world).
- `statuses`: one status (NOT_MET, MET, UNDETERMINED) per plan node, in plan order.
  Each world's list has the same length; only the provision roots (`plan.roots`) are
  guaranteed in it, other nodes may be left UNDETERMINED. A skipped world gives None.
  A *lean* `World` (what `Evaluator` asks for) wants only what analysis/dependency.py
  reads of it, and gives None when that is nothing that differs from the scenario as
  stated (see `World`): the unfavourable world is not evaluated at all when no provision
  that depends on law enforcement is met as stated.
- Failures are `EngineError`s (a condition the engine cannot take names the condition).

The reference evaluator defines the semantics; every other engine is tested against it
(tests/test_differential.py). Engines are built with the vocabulary's fact types and
values, `Engine(fact_types, fact_values)` (see `create_engine`), and compile what they
need from a plan once per process through the shared cache (engine/cache.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .limits import Limits

if TYPE_CHECKING:
    from ..law.conditions import Plan

Statuses = list[int]


class Engine(Protocol):
    """Evaluates plans (see the module docstring)."""

    name: str  # as given to --engine
    limits: Limits  # what it cannot do

    def evaluate(
        self,
        plan: Plan,
        facts: Mapping[str, Any],
        worlds: Sequence[Mapping[str, Any] | None] = (),
    ) -> tuple[Statuses, list[Statuses | None]]: ...


class EngineFactory(Protocol):
    """An engine class: built from the vocabulary's fact types and set/enum values."""

    def __call__(
        self, fact_types: Mapping[str, str], fact_values: Mapping[str, tuple[str, ...]]
    ) -> Engine: ...
