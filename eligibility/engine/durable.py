"""The durable-rules engine (`--engine durable`): run scenarios through compiled plans.

This is the only module that imports durable-rules. It drives the C engine
(`durable_rules_engine`) directly rather than through `durable.lang`/`Host`, whose
timer threads, JSON round trips and module-global rulesets cost far more than the
rules themselves. The compile is pure Python (engine/compiler.py, engine/formulas.py);
this module creates each compiled plan's rulesets once per process (engine/cache.py),
asserts a scenario's facts round by round, reads the conclusions back from the rules
that fired, and leaves the session empty for the next scenario. The pitfalls it works
around are listed in engine/limits.py; each has a test in tests/test_engine.py.

Why one module of over 400 lines: it is the only module that touches durable-rules, so
every call into the C engine and every workaround around one (sessions, the start fact,
retraction, recovery after a failure) stays in one place.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import durable_rules_engine as _dre

from ..errors import EngineError
from ..law.conditions import Plan, World
from ..law.logic import MET, NOT_MET, UNDETERMINED
from .cache import COMPILED
from .compiler import (
    NAME_WIDTH,
    SCENARIO_KIND,
    WORLD_KINDS,
    WORLD_SLICES,
    CompiledRules,
    compile_plan,
)
from .formulas import (
    STATUS_WORD,
    enum_codes,
    fact_attributes,
    node_attribute,
    set_codes,
    status_attribute,
)
from .limits import DURABLE, MAX_WORLDS, SESSION_ID, Limits

SID = SESSION_ID
_START_JSON = json.dumps({"kind": "start", "sid": SID})


def _header(kind: str) -> str:
    """The start of a fact of `kind`, which is also its id: durable-rules otherwise
    hashes every attribute of a fact into its id, at assert and at retract, and a kind
    is asserted at most once per ruleset and scenario, so it names its fact."""
    return f'{{"sid":"{SID}","id":"{kind}","kind":"{kind}"'


def _retraction(kind: str) -> str:
    """What retracts the fact of `kind`: its id, which durable-rules looks up."""
    return f'{{"sid":"{SID}","id":"{kind}"}}'


_HEADERS = {kind: _header(kind) for kind in WORLD_KINDS}
_names = itertools.count()
# at most this many cached fragments per fact: ages and choices are few, and a set fact
# of n values has 2**n (a bound for a vocabulary with a large set fact)
_FRAGMENTS_PER_FACT = 4096


@dataclass(frozen=True)
class _Ruleset:
    """A compiled plan registered with durable-rules, and the JSON it is sent."""

    # one per definition of the compile: the parts of round 0, then the later rounds'
    handles: tuple[int, ...]
    # per handle: whether its session holds the start fact (asserted once per session)
    started: list[bool]
    rules: CompiledRules  # without its definitions, which durable-rules has copied
    parts_of: dict[str, tuple[int, ...]]  # fact -> the parts of round 0 whose fact has it
    # `"N12":1` (met), by node and status (NOT_MET, MET; None for UNDETERMINED, not sent)
    node_fragments: tuple[tuple[str | None, ...], ...]
    # per round, the provisions concluded in earlier rounds that its rules test: (root,
    # fragments by status); the engine reads every attribute of a fact, tested or not
    provision_fragments: tuple[tuple[tuple[int, tuple[str | None, ...]], ...], ...]


def _register(rules: CompiledRules) -> _Ruleset:
    try:
        handles = tuple(
            _dre.create_ruleset(f"eligibility-{next(_names)}", json.dumps(definition))
            for definition in rules.definitions
        )
    except _dre.error as exc:  # bare numeric codes: say what we were doing
        raise EngineError(
            f"durable-rules rejected the compiled rules ({exc}); this is "
            f"a bug in the compiler, please report it"
        ) from None

    def fragments(attribute: str) -> tuple[str | None, ...]:
        return (*(f'"{attribute}":{STATUS_WORD[s]}' for s in (NOT_MET, MET)), None)

    parts_of: dict[str, tuple[int, ...]] = {}
    for part, read in enumerate(rules.part_facts):
        for name in read:
            parts_of[name] = (*parts_of.get(name, ()), part)
    return _Ruleset(
        handles,
        [False] * len(handles),
        replace(rules, definitions=()),
        parts_of,
        tuple(fragments(node_attribute(i)) for i in range(rules.node_count)),
        tuple(
            tuple(
                (root, fragments(status_attribute(pid)))
                for pid, root, decided in rules.provisions
                if decided < level and pid in rules.provisions_read[level]
            )
            for level in range(rules.rounds)
        ),
    )


def _law_worlds(worlds: Sequence[Mapping[str, Any] | None]) -> list[World | None]:
    """The worlds asked for, which must be law-enforcement worlds: the compiled rules
    take their dependency facts as constants (engine/formulas.py, `world_formula`)."""
    if len(worlds) > MAX_WORLDS:
        raise EngineError(f"at most {MAX_WORLDS} counterfactual worlds per evaluation")
    out: list[World | None] = []
    for changes in worlds:
        if changes is not None and not isinstance(changes, World):
            raise EngineError(
                "the durable engine evaluates the law-enforcement worlds of "
                "Plan.world_overrides only"
            )
        out.append(changes)
    return out


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
        self._enum_codes = {
            name: enum_codes(values)
            for name, values in fact_values.items()
            if fact_types.get(name) == "enum"
        }
        self._attribute = fact_attributes(self.fact_types)
        # what a compiled plan depends on besides the plan: fact types, set and enum codes
        self._variant = repr(
            (
                sorted(self.fact_types.items()),
                sorted(self._set_codes.items()),
                sorted(self._enum_codes.items()),
            )
        )
        self._fragments: dict[str, dict[Any, str]] = {}  # fact -> value -> JSON

    # -- compile -------------------------------------------------------------------
    def _ruleset(self, plan: Plan) -> _Ruleset:
        """The ruleset of `plan`, compiled and registered once per process."""
        return COMPILED.get(
            (self.name, self._variant, plan.signature),
            lambda: _register(compile_plan(plan, self.fact_types, self.fact_values)),
        )

    # -- run -----------------------------------------------------------------------
    def _fragments_of(
        self, facts: Mapping[str, Any], parts_of: Mapping[str, tuple[int, ...]], parts: int
    ) -> list[list[str]]:
        """Per part of round 0, `"attribute":value` JSON for each fact its rules read
        (`parts_of`: fact -> its parts; the engine scans every attribute of a fact at
        each alpha node it visits, so unread ones cost time), with the fact's short
        attribute (`fact_attributes`), an enum as its code, a set as its characters.
        Fragments are cached per fact and value: booleans, ages, choices, and sets of a
        vocabulary's values (a set is hashable, and a fact has few values)."""
        out: list[list[str]] = [[] for _ in range(parts)]
        cache = self._fragments
        for name, value in facts.items():
            where = parts_of.get(name)
            if where is None:
                continue
            known = cache.get(name)
            if known is None:
                known = cache[name] = {}
            fragment = known.get(value)
            if fragment is None:
                attribute = self._attribute[name]
                if isinstance(value, frozenset):
                    codes = self._set_codes[name]
                    text = "".join(sorted(codes[m] for m in value))
                    fragment = f'"{attribute}":"{text}"'
                elif name in self._enum_codes:
                    fragment = f'"{attribute}":{self._enum_codes[name][value]}'
                elif isinstance(value, bool):  # as the rules test it (formulas.py)
                    fragment = f'"{attribute}":{int(value)}'
                else:
                    fragment = f'"{attribute}":{json.dumps(value)}'
                if len(known) < _FRAGMENTS_PER_FACT:
                    known[value] = fragment
            for part in where:
                out[part].append(fragment)
        return out

    def sent_as(self, name: str, value: Any) -> str:
        """The JSON text (`"f12":1`) that carries a fact with this value to durable-rules
        (for tests and diagnostics that look at what the engine receives)."""
        return self._fragments_of({name: value}, {name: (0,)}, 1)[0][0]

    def evaluate(
        self,
        plan: Plan,
        facts: Mapping[str, Any],
        worlds: Sequence[Mapping[str, Any] | None] = (),
    ) -> tuple[list[int], list[list[int] | None]]:
        """Status of every node of `plan`; and, for each law-enforcement world (a
        `World` of `Plan.world_overrides`, or None to skip it), the statuses of the
        provision roots in that world (other nodes stay undetermined; a lean world gives
        only what is read of it), computed in the same sessions."""
        law_worlds = _law_worlds(worlds)
        ruleset = self._ruleset(plan)
        rules = ruleset.rules
        count = rules.node_count
        undetermined = UNDETERMINED
        statuses = [undetermined] * ((1 + MAX_WORLDS) * count)
        actions = rules.actions
        complete = _dre.complete_and_start_action
        # per ruleset, the kinds of the facts asserted to it
        asserted: list[list[str]] = [[] for _ in ruleset.handles]
        state = None
        message = None
        handle = ruleset.handles[-1]
        started = ruleset.started
        fresh: list[int] = []  # the rulesets whose sessions this scenario starts
        node_fragments = ruleset.node_fragments

        def fire(which: int, batch: list[str], kinds: list[str]) -> None:
            """Assert facts (of `kinds`) to ruleset `which` and record what the rules
            that fire conclude."""
            nonlocal state, message, handle
            handle = ruleset.handles[which]
            asserted[which].extend(kinds)
            if not started[which]:  # a new session: its start fact first (_reset)
                batch = [_START_JSON, *batch]
                started[which] = True
                fresh.append(which)
            code, state = _dre.assert_facts(handle, "[" + ",".join(batch) + "]")
            if code != 0:
                raise EngineError(f"durable-rules refused the scenario facts (code {code})")
            result = _dre.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                conclusions = actions.get(message[2 : 2 + NAME_WIDTH])  # '{"r000123":..'
                if conclusions is not None:
                    for index, status in conclusions:
                        if statuses[index] == undetermined:  # (a local: some 200 a scenario)
                            statuses[index] = status
                        elif statuses[index] != status:  # (`$or` fires once per branch)
                            raise EngineError(
                                f"node {index % count} was concluded both met and not "
                                f"met; this is a bug in the compiler"
                            )
                message = complete(handle, state)

        needed = [False] * len(law_worlds)
        later = len(ruleset.handles) - 1
        failed = True
        try:
            # round 0, part by part: each part's fact carries only the facts it reads
            kind = f"{SCENARIO_KIND}0"
            header = _header(kind)
            per_part = self._fragments_of(facts, ruleset.parts_of, len(rules.part_facts))
            for part, texts in enumerate(per_part):
                fire(part, [",".join([header, *texts]) + "}"], [kind])
            for level in range(1, rules.rounds):  # these read conclusions only
                kind = f"{SCENARIO_KIND}{level}"
                parts = [_header(kind)]
                for root, fragments in ruleset.provision_fragments[level]:
                    fragment = fragments[statuses[root]]
                    if fragment is not None:
                        parts.append(fragment)
                for i in rules.nodes_read[level]:
                    fragment = node_fragments[i][statuses[i]]
                    if fragment is not None:
                        parts.append(fragment)
                fact = ",".join(parts) + "}"
                fire(later, [fact], [kind])
            # the worlds, on the conclusions of the scenario as stated
            batch = []
            kinds = []
            for position, world in enumerate(law_worlds):
                if world is None or not world.needed(plan, statuses):
                    continue
                needed[position] = True
                which = 0 if world.favourable else 1
                kind = WORLD_KINDS[which]
                if kind in kinds:  # the same world twice: one fact
                    continue
                parts = [_HEADERS[kind]]
                for i in rules.world_nodes_read[which]:
                    fragment = node_fragments[i][statuses[i]]
                    if fragment is not None:
                        parts.append(fragment)
                batch.append(",".join(parts) + "}")
                kinds.append(kind)
            if batch:
                fire(later, batch, kinds)
            failed = False
        except _dre.error as exc:
            raise EngineError(f"durable-rules failed: {exc}") from None
        finally:
            self._reset(ruleset, handle, state, message, asserted, fresh if failed else [])
        out: list[list[int] | None] = []
        for world, wanted in zip(law_worlds, needed, strict=True):
            if world is None or not wanted:
                out.append(None)
                continue
            offset = WORLD_SLICES[0 if world.favourable else 1]
            found = statuses[offset * count : (offset + 1) * count]
            for root in rules.independent_roots:
                found[root] = statuses[root]
            out.append(found)
        return statuses[:count], out

    def new_sessions(self, plan: Plan) -> None:
        """Delete the sessions of `plan`'s rulesets, so that the next scenario starts new
        ones, as after a failure (for tests of session reuse)."""
        ruleset = self._ruleset(plan)
        for position, handle in enumerate(ruleset.handles):
            ruleset.started[position] = False
            # error 309: no session yet (nothing was asserted to that ruleset)
            with contextlib.suppress(_dre.error):
                _dre.delete_state(handle, SID)

    @staticmethod
    def _reset(
        ruleset: _Ruleset,
        handle: int,
        state: int | None,
        message: str | None,
        asserted: list[list[str]],
        unstarted: list[int],
    ) -> None:
        """Leave the sessions empty for the next scenario.

        Creating a session costs ~8 KB of memset per beta node (1.7 M instructions per
        scenario with our rule books), so one session per ruleset is kept and the
        scenario's facts are retracted instead, by their ids (`_header`). The start fact
        stays: it is asserted once per session, with the session's first facts, and its
        no-op rule fires then, so that every session has run an action before it may be
        deleted (limits.py). Pending actions (of `handle`, the ruleset fired last) are
        completed first: deleting or retracting under a pending action can crash the
        engine. If anything fails, the sessions are deleted and the next scenario
        creates new ones, with start facts. A session that a failed scenario started
        (`unstarted`) loses its start fact as well, whether or not it got it, and the
        next scenario asserts it again: durable refuses a start fact it holds (code 2),
        and one never asserted would leave a session that may not be deleted.
        """
        try:
            while message and state is not None:
                message = _dre.complete_and_start_action(handle, state)
            for position, (target, kinds) in enumerate(zip(ruleset.handles, asserted, strict=True)):
                texts = [_retraction(kind) for kind in reversed(kinds)]
                if position in unstarted:
                    texts.append(_START_JSON)
                    ruleset.started[position] = False
                if texts:
                    _dre.retract_facts(target, "[" + ",".join(texts) + "]")
        except _dre.error:
            for position, (target, facts) in enumerate(zip(ruleset.handles, asserted, strict=True)):
                if facts:
                    _dre.delete_state(target, SID)
                    ruleset.started[position] = False


def durable_floor(cycles: int = 20_000) -> float:
    """Seconds of CPU time durable-rules itself takes per message, whatever the rules:
    one fact asserted to a ruleset of one rule, its action run, the fact retracted, as
    the driver does per round (bench/bench.py reports it beside the engine's rate)."""
    handle = _dre.create_ruleset(
        f"eligibility-floor-{next(_names)}",
        json.dumps({"r0": {"all": [{"m": {"$and": [{"kind": "x"}, {"a": 1}]}}]}}),
    )
    batch = f'[{{"sid":"{SID}","kind":"x","a":1}}]'
    started = time.process_time()
    for _ in range(cycles):
        _, state = _dre.assert_facts(handle, batch)
        result = _dre.start_action_for_state(handle, state)
        message = result[1] if result else None
        while message:
            message = _dre.complete_and_start_action(handle, state)
        _dre.retract_facts(handle, batch)
    return (time.process_time() - started) / cycles
