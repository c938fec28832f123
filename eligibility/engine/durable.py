"""The durable-rules engine (`--engine durable`): run scenarios through compiled plans.

This is the only module that imports durable-rules. It drives the C engine
(`durable_rules_engine`) directly rather than through `durable.lang`/`Host`, whose
timer threads, JSON round trips and module-global rulesets cost far more than the
rules themselves. The compile is pure Python (engine/compiler.py, engine/formulas.py);
this module creates each compiled plan's ruleset once per process (engine/cache.py),
asserts a scenario's facts round by round, reads the conclusions back from the rules
that fired, and leaves the session empty for the next scenario. The pitfalls it works
around are listed in engine/limits.py; each has a test in tests/test_engine.py.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import durable_rules_engine as _dre

from ..errors import EngineError
from ..law.conditions import Plan
from ..law.logic import UNDETERMINED
from .cache import COMPILED
from .compiler import ACTUAL, NAME_WIDTH, WORLDS, CompiledRules, compile_plan
from .formulas import STATUS_WORD, node_attribute, set_codes, status_attribute
from .limits import DURABLE, MAX_WORLDS, SESSION_ID, Limits

SID = SESSION_ID
_START_JSON = json.dumps({"kind": "start", "sid": SID})
_names = itertools.count()


@dataclass(frozen=True)
class _Ruleset:
    """A compiled plan registered with durable-rules."""

    handle: int
    rules: CompiledRules  # without its definition, which durable-rules has copied


def _register(rules: CompiledRules) -> _Ruleset:
    try:
        handle = _dre.create_ruleset(f"eligibility-{next(_names)}", json.dumps(rules.definition))
    except _dre.error as exc:  # bare numeric codes: say what we were doing
        raise EngineError(
            f"durable-rules rejected the compiled rules ({exc}); this is "
            f"a bug in the compiler, please report it"
        ) from None
    return _Ruleset(handle, replace(rules, definition={}))


class DurableEngine:
    """Evaluates plans with durable-rules (see the module docstring)."""

    name = "durable"
    limits: Limits = DURABLE

    def __init__(
        self, fact_types: Mapping[str, str], fact_values: Mapping[str, tuple[str, ...]]
    ) -> None:
        self.fact_types = dict(fact_types)
        self.fact_values = dict(fact_values)
        self._set_codes = {
            name: set_codes(values)
            for name, values in fact_values.items()
            if fact_types.get(name) == "set"
        }
        # what a compiled plan depends on besides the plan: fact types and set codes
        self._variant = repr((sorted(self.fact_types.items()), sorted(self._set_codes.items())))
        self._fragments: dict[tuple[str, Any], str] = {}

    # -- compile -------------------------------------------------------------------
    def _ruleset(self, plan: Plan) -> _Ruleset:
        """The ruleset of `plan`, compiled and registered once per process."""
        return COMPILED.get(
            (self.name, self._variant, plan.signature),
            lambda: _register(compile_plan(plan, self.fact_types, self.fact_values)),
        )

    # -- run -----------------------------------------------------------------------
    def _fragments_of(
        self, facts: Mapping[str, Any], read: frozenset[str], skip: Mapping[str, Any] = {}
    ) -> list[str]:  # noqa: B006 - read only
        """`"name":value` JSON for each fact a rule of the round reads (the engine scans
        every attribute of a fact at each alpha node it visits, so unread ones cost
        time). Scalar fragments are cached (a bounded set: booleans, ages, choices)."""
        parts = []
        cache = self._fragments
        for name, value in facts.items():
            if name not in read or name in skip:
                continue
            if isinstance(value, frozenset):
                codes = self._set_codes[name]
                parts.append(f'"{name}":"{"".join(sorted(codes[m] for m in value))}"')
                continue
            fragment = cache.get((name, value))
            if fragment is None:
                fragment = cache[(name, value)] = f'"{name}":{json.dumps(value)}'
            parts.append(fragment)
        return parts

    @staticmethod
    def _statuses_of(ruleset: _Ruleset, statuses: list[int], offset: int, level: int) -> list[str]:
        """`"P_<id>":"met"` for each provision concluded in a round before `level`."""
        parts = []
        for pid, root, provision_level in ruleset.rules.provisions:
            if provision_level < level:
                status = statuses[offset + root]
                if status != UNDETERMINED:
                    parts.append(f'"{status_attribute(pid)}":"{STATUS_WORD[status]}"')
        return parts

    def evaluate(
        self,
        plan: Plan,
        facts: Mapping[str, Any],
        worlds: Sequence[Mapping[str, Any] | None] = (),
    ) -> tuple[list[int], list[list[int] | None]]:
        """Status of every node of `plan`; and, for each world (a mapping of facts
        changed, or None to skip it), the statuses of the provision roots in that world
        (other nodes stay undetermined), computed in the same session."""
        if len(worlds) > MAX_WORLDS:
            raise EngineError(f"at most {MAX_WORLDS} counterfactual worlds per evaluation")
        ruleset = self._ruleset(plan)
        count = ruleset.rules.node_count
        statuses = [UNDETERMINED] * ((1 + MAX_WORLDS) * count)
        handle = ruleset.handle
        actions = ruleset.rules.actions
        complete = _dre.complete_and_start_action
        asserted: list[str] = []
        state = None
        message = None
        header = f'{{"sid":"{SID}","kind":'
        active = [
            (world, changes)
            for world, changes in zip(WORLDS, worlds, strict=False)
            if changes is not None
        ]
        try:
            for level in range(ruleset.rules.rounds):
                read = ruleset.rules.facts_read[0][level]
                batch = [_START_JSON] if level == 0 else []
                known = self._statuses_of(ruleset, statuses, 0, level)
                known += [
                    f'"{node_attribute(i)}":"{STATUS_WORD[statuses[i]]}"'
                    for i in ruleset.rules.nodes_read[level]
                    if statuses[i] != UNDETERMINED
                ]
                batch.append(
                    ",".join(
                        [
                            header + f'"{ACTUAL.kind_of(level)}"',
                            *self._fragments_of(facts, read),
                            *known,
                        ]
                    )
                    + "}"
                )
                for world, changes in active:
                    world_read = ruleset.rules.facts_read[world.offset][level]
                    if world_read or level:
                        batch.append(
                            ",".join(
                                [
                                    header + f'"{world.kind_of(level)}"',
                                    *self._fragments_of(facts, world_read, changes),
                                    *self._fragments_of(changes, world_read),
                                    *self._statuses_of(
                                        ruleset, statuses, world.offset * count, level
                                    ),
                                ]
                            )
                            + "}"
                        )
                code, state = _dre.assert_facts(handle, "[" + ",".join(batch) + "]")
                asserted.extend(batch)
                if code != 0:
                    raise EngineError(f"durable-rules refused the scenario facts (code {code})")
                result = _dre.start_action_for_state(handle, state)
                message = result[1] if result else None
                while message:
                    conclusions = actions.get(message[2 : 2 + NAME_WIDTH])  # '{"r000123":..'
                    if conclusions is not None:
                        for index, status in conclusions:
                            previous = statuses[index]
                            if previous == status:
                                continue  # `$or` fires once per matching branch
                            if previous != UNDETERMINED:
                                raise EngineError(
                                    f"node {index % count} was concluded both "
                                    f"met and not met; this is a bug in the "
                                    f"compiler"
                                )
                            statuses[index] = status
                    message = complete(handle, state)
        except _dre.error as exc:
            raise EngineError(f"durable-rules failed: {exc}") from None
        finally:
            self._reset(ruleset, state, message, asserted)
        return statuses[:count], [
            statuses[world.offset * count : (world.offset + 1) * count]
            if changes is not None
            else None
            for world, changes in zip(WORLDS, worlds, strict=False)
        ]

    @staticmethod
    def _reset(
        ruleset: _Ruleset, state: int | None, message: str | None, asserted: list[str]
    ) -> None:
        """Leave the session empty for the next scenario.

        Creating a session costs ~8 KB of memset per beta node (1.7 M instructions per
        scenario with our rule books), so one session is kept and the scenario's facts
        are retracted instead (a fact's id is a hash of its JSON text, so the same text
        retracts it). Pending actions are completed first: deleting or retracting under
        a pending action can crash the engine. If anything fails, the session is deleted
        and the next scenario creates a new one.
        """
        handle = ruleset.handle
        try:
            while message and state is not None:
                message = _dre.complete_and_start_action(handle, state)
            if asserted:
                _dre.retract_facts(handle, "[" + ",".join(reversed(asserted)) + "]")
        except _dre.error:
            _dre.delete_state(handle, SID)
