"""The durable-rules engine: compile a plan into rulesets, run scenarios through them.

This is the only module that imports durable-rules. It drives the C engine
(`durable_rules_engine`) directly rather than through `durable.lang`/`Host`, whose
timer threads, JSON round trips and module-global rulesets cost far more than the
rules themselves (DESIGN.md, "durable-rules: known pitfalls").

The compile
-----------
A scenario is asserted as one fact, `{"kind": "scenario", <fact>: <value>, ...}`; an
unknown fact is an absent attribute, and a pattern on an absent attribute never matches.
Every condition node gets one rule for "met" and one for "not met". Each rule's pattern
is the node's condition flattened down to fact tests (Kleene logic in negation normal
form: "all met" is the conjunction of the children's "met"; "all not met" the
disjunction of their "not met", and so on), so the engine decides every node directly
from the scenario fact, and a node that fires neither rule is undetermined.

References between provisions are real forward chaining: when the root of a provision
fires, the driver asserts `{"kind": "provision", "p": <id>, "s": "met"|"not_met"}` into
the same session, and the rules of nodes that refer to that provision join on it. The
rules that fired *are* the explanation trace: each names a node and a status.

A second, smaller ruleset holds only the provision roots, for the counterfactual
re-evaluation behind `law_enforcement_gated`.

Pitfalls handled here (each has a test in tests/test_engine.py)
---------------------------------------------------------------
- no `Host`: no timer threads; chaining completes within the driver loop;
- a start fact consumed by a no-op rule, so an action always fires before
  `delete_state` (which segfaults on a session where none did);
- one fixed session id, deleted in `finally`: sessions never pile up;
- catch-all rules that join on a fact that never exists, so every asserted fact is
  "handled" (no MessageNotHandled) without firing an action;
- `$or` fires once per matching branch: conclusions are de-duplicated, and a node
  concluded both met and not met is an engine error;
- sets are sent as strings of one character per member and tested by one
  character-class regex (`$mt`): never `$iany` over an `$or` (durable reads an
  uninitialised node type there and rejects the ruleset at random), no `$iall` (never
  matches an empty list), no word alternations (durable's regex engine gets
  `.*,(a|b),.*` wrong);
- at most 16 patterns per rule, checked by our compiler with a clear message;
- each ruleset is created once per process and cached (rulesets are never freed, and a
  name cannot be registered twice);
- facts are type-checked before they reach the engine (it compares loosely).
"""
from __future__ import annotations

import itertools
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as _dre

from .conditions import MET, NOT_MET, UNDETERMINED, Plan, PlanNode
from .errors import EngineError

SID = "1"
MAX_PATTERNS = 16
_START_JSON = json.dumps({"kind": "start", "sid": SID})
_STATUS_WORD = {MET: "met", NOT_MET: "not_met"}

# A formula over the scenario fact and provision facts, before it becomes a pattern.
Formula = tuple  # ("T",) | ("F",) | ("lit", expr) | ("ref", pid, word) | ("and"|"or", [...])
TRUE: Formula = ("T",)
FALSE: Formula = ("F",)


def _and(parts: list[Formula]) -> Formula:
    flat: list[Formula] = []
    for part in parts:
        if part == FALSE:
            return FALSE
        if part == TRUE:
            continue
        flat.extend(part[1] if part[0] == "and" else [part])
    if not flat:
        return TRUE
    return flat[0] if len(flat) == 1 else ("and", flat)


def _or(parts: list[Formula]) -> Formula:
    flat: list[Formula] = []
    for part in parts:
        if part == TRUE:
            return TRUE
        if part == FALSE:
            continue
        flat.extend(part[1] if part[0] == "or" else [part])
    if not flat:
        return FALSE
    return flat[0] if len(flat) == 1 else ("or", flat)


SET_CODE_CHARACTERS = string.ascii_lowercase + string.ascii_uppercase + string.digits


def set_codes(values: tuple[str, ...]) -> dict[str, str]:
    """One character per value of a set fact, in vocabulary order (at most 62)."""
    if len(values) > len(SET_CODE_CHARACTERS):
        raise EngineError(f"a set fact may have at most {len(SET_CODE_CHARACTERS)} values")
    return dict(zip(values, SET_CODE_CHARACTERS))


_NEGATED = {"lt": "$gte", "le": "$gt", "gt": "$lte", "ge": "$lt"}
_OPERATOR = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


class _Compiler:
    """Turns plan nodes into durable-rules patterns (see the module docstring)."""

    def __init__(self, plan: Plan, fact_types: Mapping[str, str],
                 fact_values: Mapping[str, tuple[str, ...]]) -> None:
        self.plan = plan
        self.fact_types = fact_types
        self.set_codes = {name: set_codes(values) for name, values in fact_values.items()
                          if fact_types.get(name) == "set"}
        self.memo: dict[tuple[int, int], Formula] = {}
        self.facts_read: set[str] = set()
        self.joined: set[tuple[str, str, str]] = set()  # (provision kind, id, status)

    def formula(self, index: int, want: int) -> Formula:
        key = (index, want)
        if key not in self.memo:
            self.memo[key] = self._formula(self.plan.nodes[index], want)
        return self.memo[key]

    def _formula(self, node: PlanNode, want: int) -> Formula:
        c = node.condition
        kind = c.kind
        if kind == "all":
            parts = [self.formula(i, want) for i in node.children]
            return _and(parts) if want == MET else _or(parts)
        if kind == "any":
            parts = [self.formula(i, want) for i in node.children]
            return _or(parts) if want == MET else _and(parts)
        if kind == "not":
            return self.formula(node.children[0], NOT_MET if want == MET else MET)
        if kind == "provision":
            return ("ref", c.provision, _STATUS_WORD[want])
        if kind == "open_question":
            return FALSE
        if kind == "always":
            return TRUE if c.constant == want else FALSE
        self.facts_read.add(c.fact or "")
        return self._fact_test(c.fact or "", c.op or "", c.value, want == MET)

    def _fact_test(self, name: str, op: str, operand: Any, positive: bool) -> Formula:
        if op in ("is", "eq"):
            if positive:
                return ("lit", {name: operand})
            if isinstance(operand, bool):
                return ("lit", {name: not operand})
            return ("lit", {"$neq": {name: operand}})
        if op in _OPERATOR:
            return ("lit", {(_OPERATOR if positive else _NEGATED)[op]: {name: operand}})
        members = sorted(operand)
        hit = positive if op == "any_of" else not positive
        if self.fact_types[name] == "enum":  # at most one branch can match
            if hit:
                return _or([("lit", {name: m}) for m in members])
            return _and([("lit", {"$neq": {name: m}}) for m in members])
        # A set travels as a string of one character per member (see set_codes), tested
        # by one character-class regex: "any of S" is `.*[S].*`, "none of S" is
        # `[not S]*`, exact because the vocabulary of a set fact is closed. Not arrays:
        # `$iany`/`$iall` re-parse the array and clear a 510-byte index per item per
        # test, `$iall` never matches an empty list, and `$iany` over an `$or` makes
        # durable read an uninitialised node type (rete.c, createForwardAlpha) so that
        # ruleset creation fails at random. Not word alternations either: durable's
        # regex engine gets `.*,(a|b),.*` wrong (146 of 5,120 cases in an exhaustive
        # check), while character classes are exact (tests/test_engine.py).
        codes = self.set_codes[name]
        chosen = "".join(sorted(codes[m] for m in members))
        if hit:
            return ("lit", {"$mt": {name: f".*[{chosen}].*"}})
        others = "".join(sorted(code for m, code in codes.items() if m not in operand))
        return ("lit", {"$mt": {name: f"[{others}]*"}} if others else {name: ""})

    @staticmethod
    def split(formula: Formula) -> list[tuple[frozenset[tuple[str, str]], Formula]]:
        """Separate provision references from fact tests: a disjunction of
        (set of provision facts to join on, formula over the scenario fact)."""
        tag = formula[0]
        if tag == "T":
            return [(frozenset(), TRUE)]
        if tag == "F":
            return []
        if tag == "lit":
            return [(frozenset(), formula)]
        if tag == "ref":
            return [(frozenset({(formula[1], formula[2])}), TRUE)]
        parts = [_Compiler.split(part) for part in formula[1]]
        if tag == "or":
            merged: dict[frozenset[tuple[str, str]], list[Formula]] = {}
            for part in parts:
                for refs, rest in part:
                    merged.setdefault(refs, []).append(rest)
            return [(refs, _or(rests)) for refs, rests in merged.items()]
        combined: list[tuple[frozenset[tuple[str, str]], Formula]] = [(frozenset(), TRUE)]
        for part in parts:
            combined = [(refs | more, _and([rest, extra]))
                        for refs, rest in combined for more, extra in part]
            combined = [(refs, rest) for refs, rest in combined
                        if rest != FALSE and len({pid for pid, _ in refs}) == len(refs)]
        merged = {}
        for refs, rest in combined:
            merged.setdefault(refs, []).append(rest)
        return [(refs, _or(rests)) for refs, rests in merged.items()]

    @staticmethod
    def expression(formula: Formula) -> Any:
        tag = formula[0]
        if tag == "lit":
            return formula[1]
        return {"$and" if tag == "and" else "$or":
                [_Compiler.expression(part) for part in formula[1]]}

    def rules_for(self, index: int, want: int, scenario_kind: str = "scenario",
                  provision_kind: str = "provision") -> list[dict[str, Any]]:
        rules = []
        for refs, rest in self.split(self.formula(index, want)):
            tests: list[Any] = [{"kind": scenario_kind}]
            if rest != TRUE:
                tests.append(self.expression(rest))
            scenario: Any = tests[0] if len(tests) == 1 else {"$and": tests}
            patterns: list[dict[str, Any]] = [{"m": scenario}]
            for number, (pid, word) in enumerate(sorted(refs)):
                self.joined.add((provision_kind, pid, word))
                patterns.append({f"p{number}": {"$and": [
                    {"kind": provision_kind}, {"p": pid}, {"s": word}]}})
            if len(patterns) > MAX_PATTERNS:
                node = self.plan.nodes[index].condition
                raise EngineError(
                    f"condition {node.id} needs {len(patterns)} joined facts in one "
                    f"durable-rules rule (the engine allows {MAX_PATTERNS}); split it",
                    path=node.origin[0] or None, line=node.origin[1])
            # `cap`: the matches of every `$or` branch arrive in one firing, not one each
            rules.append({"all": patterns, "cap": 1000})
        return rules


_names = itertools.count()


FAN_OUT = 8


def _partitioned(rules: list[tuple[dict[str, Any], Any]], kind: str
                 ) -> list[tuple[dict[str, Any], Any]]:
    """Hang the rules of one fact kind under a balanced tree of always-true tests.

    durable-rules walks its alpha network with a fixed stack of 64 pending nodes and
    fails with error 303 when more than 64 children of one node match a fact. Every
    scenario rule starts with `kind == scenario`, so that node would have one child per
    distinct first test (72 for us-law in 2003). Tests `kind != "p<level>_<n>"` (true
    for every scenario fact) give each node at most FAN_OUT children; rules are sorted
    by their first test first, so rules that share it stay together and share its node.
    """
    def first_test(rule: dict[str, Any]) -> str:
        pattern = rule["all"][0]["m"]
        tests = pattern.get("$and", [pattern])
        return json.dumps(tests[1:2], sort_keys=True)

    ordered = sorted(rules, key=lambda item: first_test(item[0]))
    levels = 0
    while FAN_OUT ** (levels + 1) < len(ordered):
        levels += 1
    out = []
    for position, (rule, payload) in enumerate(ordered):
        path = [{"$neq": {"kind": f"p{level}_{position // FAN_OUT ** (level + 1)}"}}
                for level in reversed(range(levels))]
        pattern = rule["all"][0]["m"]
        tests = pattern.get("$and", [pattern])
        partitioned = {"$and": [tests[0], *path, *tests[1:]]} if path or len(tests) > 1 \
            else tests[0]
        out.append(({**rule, "all": [{"m": partitioned}, *rule["all"][1:]]}, payload))
    return out


@dataclass(frozen=True)
class _World:
    """One of the two evaluations that share a session: the scenario as stated, and its
    law-enforcement counterfactual. Their facts have different kinds, and their node
    statuses live in different halves of one status array."""

    scenario: str
    provision: str
    offset: int  # 0 or 1: which half of the status array


ACTUAL = _World("scenario", "provision", 0)
COUNTERFACTUAL = _World("counterfactual", "cf_provision", 1)
NAME_WIDTH = 7  # rule names are "r" + 6 digits, so a message's rule is message[2:9]

# A conclusion: (index into the status array, status, JSON of the provision fact to
# assert if this node is a provision's root, else None)
_Conclusion = tuple[int, int, "str | None"]


@dataclass
class _Ruleset:
    handle: int
    actions: dict[str, tuple[_Conclusion, ...]]   # rule name -> what its firing concludes
    facts_read: frozenset[str]
    node_count: int


class DurableEngine:
    """Evaluates plans with durable-rules; compiles each plan once per process."""

    name = "durable"

    def __init__(self, fact_types: Mapping[str, str],
                 fact_values: Mapping[str, tuple[str, ...]]) -> None:
        self.fact_types = dict(fact_types)
        self.fact_values = dict(fact_values)
        self._set_codes = {name: set_codes(values) for name, values in fact_values.items()
                           if fact_types.get(name) == "set"}
        self._compiled: dict[int, tuple[Plan, _Ruleset]] = {}
        self._fragments: dict[tuple[str, Any], str] = {}

    # -- compile -------------------------------------------------------------------
    def _ruleset(self, plan: Plan) -> _Ruleset:
        entry = self._compiled.get(id(plan))
        if entry is None:
            entry = (plan, self._compile(plan))  # holding `plan` keeps its id unique
            self._compiled[id(plan)] = entry
        return entry[1]

    def _compile(self, plan: Plan) -> _Ruleset:
        compiler = _Compiler(plan, self.fact_types, self.fact_values)
        count = len(plan.nodes)
        definition: dict[str, Any] = {"start0": {"all": [{"m": {"kind": "start"}}]}}
        for world in (ACTUAL, COUNTERFACTUAL):
            # Handle every fact without firing (a join with a fact that is never
            # asserted), so that none raises MessageNotHandled.
            for kind in (world.scenario, world.provision):
                definition[f"handled_{kind}"] = {"all": [{"m": {"kind": kind}},
                                                         {"n": {"kind": "never"}}]}
        provision_of = {index: key for key, index in plan.roots.items()
                        if not key.startswith("note:")}
        actions: dict[str, tuple[_Conclusion, ...]] = {}
        pending: list[tuple[str, _World, list[tuple[int, int]]]] = []
        every_node = [(i, s) for i in range(count) for s in (MET, NOT_MET)]
        for world, wanted in ((ACTUAL, every_node),
                              (COUNTERFACTUAL, self._roots_needed(plan, compiler))):
            # Leaves with the same test share one rule, which the engine decides once:
            # `citizenship == noncitizen` is an element of five provisions, and
            # `age_now >= 18` is the test `age_now < 18` with met and not met swapped.
            groups: dict[Any, list[tuple[int, int]]] = {}
            for index, want in wanted:
                key, flipped = self._test_key(plan.nodes[index], index)
                rule_want = (MET if want == NOT_MET else NOT_MET) if flipped else want
                groups.setdefault((key, rule_want), []).append((index, want))
            world_rules: list[tuple[dict[str, Any], list[tuple[int, int]]]] = []
            for members in groups.values():
                first, first_want = members[0]
                for rule in compiler.rules_for(first, first_want, world.scenario,
                                               world.provision):
                    world_rules.append((rule, members))
            for rule, members in _partitioned(world_rules, world.scenario):
                name = f"r{len(pending):06d}"
                definition[name] = rule
                pending.append((name, world, members))
        # A provision's conclusion is asserted as a fact only if some rule joins on it
        # (nothing refers to t_visa, say): each assertion costs a trip through the engine.
        for name, world, members in pending:
            actions[name] = tuple(
                (world.offset * count + index, want,
                 self._provision_json(world, provision_of[index], want)
                 if (world.provision, provision_of.get(index), _STATUS_WORD[want])
                 in compiler.joined else None)
                for index, want in members)
        try:
            handle = _dre.create_ruleset(f"eligibility-{next(_names)}", json.dumps(definition))
        except _dre.error as exc:  # bare numeric codes: say what we were doing
            raise EngineError(f"durable-rules rejected the compiled rules ({exc}); this is "
                              f"a bug in the compiler, please report it") from None
        return _Ruleset(handle, actions, frozenset(compiler.facts_read), count)

    @staticmethod
    def _provision_json(world: _World, provision: str, status: int) -> str:
        return json.dumps({"kind": world.provision, "p": provision,
                           "s": _STATUS_WORD[status], "sid": SID})

    @staticmethod
    def _test_key(node: PlanNode, index: int) -> tuple[Any, bool]:
        """A canonical form of a leaf's test, and whether the leaf is its negation."""
        c = node.condition
        if c.kind == "provision":
            return ("provision", c.provision), False
        if c.kind != "fact":
            return ("node", index), False
        op, value = c.op, c.value
        if op == "is":
            return ("is", c.fact), not value
        if op in ("lt", "ge"):    # x >= b is not (x < b)
            return ("lt", c.fact, value), op == "ge"
        if op in ("le", "gt"):    # on whole numbers, x <= b is x < b + 1
            return ("lt", c.fact, value + 1), op == "gt"
        if op == "eq" and not isinstance(value, str):
            return ("eq", c.fact, value), False
        members = frozenset([value]) if op == "eq" else value
        return ("any_of", c.fact, tuple(sorted(members))), op == "none_of"

    @staticmethod
    def _roots_needed(plan: Plan, compiler: _Compiler) -> list[tuple[int, int]]:
        """For the counterfactual, only whether each provision would be met is needed:
        the root "met" rules, plus every provision status those rules join on."""
        wanted = [(plan.roots[pid], MET) for pid in plan.provisions]
        todo = list(wanted)
        seen = set(wanted)
        while todo:
            index, want = todo.pop()
            for refs, _ in compiler.split(compiler.formula(index, want)):
                for pid, word in refs:
                    item = (plan.roots[pid], MET if word == "met" else NOT_MET)
                    if item not in seen:
                        seen.add(item)
                        wanted.append(item)
                        todo.append(item)
        return wanted

    # -- run -----------------------------------------------------------------------
    def _fragments_of(self, ruleset: _Ruleset, facts: Mapping[str, Any],
                      skip: Mapping[str, Any] = {}) -> list[str]:  # noqa: B006 - read only
        """`"name":value` JSON for each fact some rule reads (the engine scans every
        attribute of a fact at each alpha node it visits, so unread ones cost time).

        Scalar fragments are cached (a bounded set: booleans, ages, enumerations); sets,
        whose combinations are unbounded, are encoded each time.
        """
        parts = []
        read = ruleset.facts_read
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

    def evaluate(self, plan: Plan, facts: Mapping[str, Any],
                 overrides: Mapping[str, Any] | None = None
                 ) -> tuple[list[int], list[int] | None]:
        """Status of every node of `plan`; and, when `overrides` are given, the statuses
        of the provision roots with those facts changed (the counterfactual), computed
        in the same session."""
        ruleset = self._ruleset(plan)
        count = ruleset.node_count
        statuses = [UNDETERMINED] * (2 * count)
        header = f'"sid":"{SID}","kind":'
        if overrides is None:
            scenario = ",".join([header + f'"{ACTUAL.scenario}"',
                                 *self._fragments_of(ruleset, facts)])
            asserted = [_START_JSON, "{" + scenario + "}"]
        else:
            shared = self._fragments_of(ruleset, facts, overrides)
            actual = self._fragments_of(ruleset, {k: facts[k] for k in overrides if k in facts})
            changed = self._fragments_of(ruleset, overrides)
            asserted = [_START_JSON,
                        "{" + ",".join([header + f'"{ACTUAL.scenario}"', *shared, *actual]) + "}",
                        "{" + ",".join([header + f'"{COUNTERFACTUAL.scenario}"', *shared,
                                        *changed]) + "}"]
        handle = ruleset.handle
        actions = ruleset.actions
        complete = _dre.complete_and_start_action
        state = None
        message = None
        try:
            code, state = _dre.assert_facts(handle, "[" + ",".join(asserted) + "]")
            if code != 0:
                raise EngineError(f"durable-rules refused the scenario facts (code {code})")
            result = _dre.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                conclusions = actions.get(message[2:2 + NAME_WIDTH])  # '{"r000123":...'
                if conclusions is not None:
                    for index, status, provision_fact in conclusions:
                        previous = statuses[index]
                        if previous == status:
                            continue  # `$or` fires once per matching branch
                        if previous != UNDETERMINED:
                            raise EngineError(f"node {index % count} was concluded both met "
                                              f"and not met; this is a bug in the compiler")
                        statuses[index] = status
                        if provision_fact is not None:  # forward chaining
                            _dre.assert_fact(handle, provision_fact)
                            asserted.append(provision_fact)
                message = complete(handle, state)
        except _dre.error as exc:
            raise EngineError(f"durable-rules failed: {exc}") from None
        finally:
            self._reset(ruleset, state, message, asserted)
        return statuses[:count], statuses[count:] if overrides is not None else None

    @staticmethod
    def _reset(ruleset: _Ruleset, state: int | None, message: str | None,
               asserted: list[str]) -> None:
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
            _dre.retract_facts(handle, "[" + ",".join(reversed(asserted)) + "]")
        except _dre.error:
            _dre.delete_state(handle, SID)


class PythonEngine:
    """The reference evaluator (`--engine python`): Kleene logic over the plan."""

    name = "python"

    def __init__(self, fact_types: Mapping[str, str] | None = None,
                 fact_values: Mapping[str, tuple[str, ...]] | None = None) -> None:
        del fact_types, fact_values  # same constructor shape as DurableEngine

    def evaluate(self, plan: Plan, facts: Mapping[str, Any],
                 overrides: Mapping[str, Any] | None = None
                 ) -> tuple[list[int], list[int] | None]:
        return plan.evaluate(facts), \
            plan.evaluate({**facts, **overrides}) if overrides is not None else None


ENGINES = {"durable": DurableEngine, "python": PythonEngine}
