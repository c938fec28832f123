"""The durable-rules engine: compile a plan into a ruleset, run scenarios through it.

This is the only module that imports durable-rules. It drives the C engine
(`durable_rules_engine`) directly rather than through `durable.lang`/`Host`, whose
timer threads, JSON round trips and module-global rulesets cost far more than the
rules themselves (DESIGN.md, "durable-rules: known pitfalls").

The compile
-----------
Every condition node gets one rule for "met" and one for "not met". Each rule's pattern
is the node's condition flattened down to tests on one fact (Kleene logic in negation
normal form: "all met" is the conjunction of the children's "met", "all not met" the
disjunction of their "not met", and so on), so the engine decides every node directly,
and a node that fires neither rule is undetermined. An unknown fact is an absent
attribute, and a test on an absent attribute never matches. The rules that fired *are*
the explanation trace: each names a node and the status it concludes.

Forward chaining between provisions runs in rounds. A node whose condition refers to no
provision (every leaf, most elements) is decided in round 0; a node that refers to
provisions, in the round after the last of them is decided (t_visa's root, which refers
to severe_trafficking, in round 1; hhs_certification's, which refers to
continued_presence, in round 2; ...). Round L asserts one fact of kind `scenario<L>`:
the scenario's facts plus the status of every provision the engine concluded in earlier
rounds (`"P_severe_trafficking": "met"`). The rules of round L match only that kind, so
a reference to another provision is an ordinary test on the fact, and no rule joins two
facts.

The law-enforcement counterfactuals run in the same rounds: each *world* (the scenario
with every law-enforcement fact favourable, and with every one unfavourable) asserts
facts of its own kind (`world1<L>`, `world2<L>`) against rules that decide the provision
roots only, met and not met.

Pitfalls handled here (each has a test in tests/test_engine.py)
---------------------------------------------------------------
- no `Host`: no timer threads; the driver loop completes every action;
- no joins: a rule joining two facts that fires leaves an action frame that durable
  still believes is dispatching, and retracting its facts then runs
  `deleteMessageFromFrame` past its array (uninitialised reads and stray writes,
  seen with valgrind and as corrupted Python objects in workers);
- one session, reused: its facts are retracted after each scenario (creating a session
  clears ~8 KB per beta node); a start fact consumed by a no-op rule, so that an action
  always fires (deleting a session in which none did segfaults);
- catch-all rules, per fact kind, that join on a fact never asserted (so they never
  fire), so that no fact raises MessageNotHandled;
- `$or` fires once per matching branch: `cap` batches those firings, conclusions are
  de-duplicated, and a node concluded both met and not met is an engine error;
- sets travel as strings of one character per member, tested by character-class
  regexes: `$iany` over an `$or` reads an uninitialised node type (rete.c), `$iall`
  never matches an empty list, word alternations are mis-evaluated, `.` makes the regex
  compiler read past a buffer, and overlapping classes exceed 4,096 regex states;
- a pattern may hold at most 15 `$and`/`$or` groups (each takes two of the 32 slots
  of a rule's expression sequence; error 113): a larger condition is refused with a
  message naming it, and the reference evaluator (`--engine python`) has no such limit;
- rules hang under a balanced tree of always-true tests: durable's alpha walk has a
  fixed stack of 64 pending nodes (error 303);
- each ruleset is created once per process and cached (rulesets are never freed, and a
  name cannot be registered twice); facts are type-checked before they reach the
  engine, which compares loosely.
"""

from __future__ import annotations

import itertools
import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as _dre

from ..errors import EngineError
from ..law.conditions import MET, NOT_MET, UNDETERMINED, Plan, PlanNode

SID = "1"
MAX_WORLDS = 2  # counterfactual worlds per evaluation: law enforcement favourable, unfavourable
FAN_OUT = 8
MAX_GROUPS = 15  # `$and`/`$or` per pattern: rete.h MAX_SEQUENCE_EXPRESSIONS (32) / 2 - 1
_START_JSON = json.dumps({"kind": "start", "sid": SID})
_STATUS_WORD = {MET: "met", NOT_MET: "not_met"}
SET_CODE_CHARACTERS = string.ascii_lowercase + string.ascii_uppercase + string.digits


def status_attribute(provision: str) -> str:
    """The attribute carrying a provision's status in later rounds. Upper case, so it
    can never be a fact name (fact names are lower case)."""
    return f"P_{provision}"


def node_attribute(index: int) -> str:
    """The attribute carrying a node's status in later rounds (upper case, as above)."""
    return f"N{index}"


# A formula over one fact, before it becomes a pattern.
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


def set_codes(values: tuple[str, ...]) -> dict[str, str]:
    """One character per value of a set fact, in vocabulary order (at most 62)."""
    if len(values) > len(SET_CODE_CHARACTERS):
        raise EngineError(f"a set fact may have at most {len(SET_CODE_CHARACTERS)} values")
    return dict(zip(values, SET_CODE_CHARACTERS, strict=False))


_NEGATED = {"lt": "$gte", "le": "$gt", "gt": "$lte", "ge": "$lt"}
_OPERATOR = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


class _Compiler:
    """Turns plan nodes into durable-rules patterns (see the module docstring)."""

    def __init__(
        self, plan: Plan, fact_types: Mapping[str, str], fact_values: Mapping[str, tuple[str, ...]]
    ) -> None:
        self.plan = plan
        self.fact_types = fact_types
        self.set_codes = {
            name: set_codes(values)
            for name, values in fact_values.items()
            if fact_types.get(name) == "set"
        }
        self.memo: dict[tuple[int, int], Formula] = {}
        self._levels: dict[int, int] = {}

    def level(self, index: int) -> int:
        """The round in which node `index` is decided: 0 when its condition refers to no
        provision (all leaves, most elements), else one more than the latest round in
        which a provision it refers to is decided."""
        if index not in self._levels:
            refs = self.references(self.formula(index, MET)) | self.references(
                self.formula(index, NOT_MET)
            )
            self._levels[index] = (
                1 + max(self.level(self.plan.roots[pid]) for pid, _ in refs) if refs else 0
            )
        return self._levels[index]

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
        # by one character-class regex, exact because a set fact's vocabulary is closed:
        # "none of S" is `[not S]*`; "any of S" is `[not S]*[S][all]*`, the first member
        # of S after members outside it. Not `.*[S].*`: compiling `.` makes durable read
        # past a buffer (expandDot); not `[all]*[S][all]*`: overlapping classes exceed
        # its 4,096 regex states; not words (`.*,(a|b),.*`), which its regex engine
        # mis-evaluates (146 of 5,120 cases in an exhaustive check).
        codes = self.set_codes[name]
        chosen = "".join(sorted(codes[m] for m in members))
        others = "".join(sorted(code for m, code in codes.items() if m not in operand))
        if hit:
            every = "".join(sorted(codes.values()))
            prefix = f"[{others}]*" if others else ""
            return ("lit", {"$mt": {name: f"{prefix}[{chosen}][{every}]*"}})
        return ("lit", {"$mt": {name: f"[{others}]*"}} if others else {name: ""})

    def chained(self, index: int, want: int) -> Formula:
        """The formula of a node decided after round 0, on the engine's own earlier
        conclusions: each child decided in an earlier round is a test of its status
        (`"N<index>": "met"`) rather than of the facts below it."""
        level = self.level(index)
        if level == 0:
            return self.formula(index, want)
        node = self.plan.nodes[index]
        kind = node.condition.kind
        if kind == "provision":
            return self.formula(index, want)

        def part(child: int, wanted: int) -> Formula:
            if self.level(child) < level:
                return ("node", child, _STATUS_WORD[wanted])
            return self.chained(child, wanted)

        if kind == "all":
            parts = [part(i, want) for i in node.children]
            return _and(parts) if want == MET else _or(parts)
        if kind == "any":
            parts = [part(i, want) for i in node.children]
            return _or(parts) if want == MET else _and(parts)
        if kind == "not":
            return part(node.children[0], NOT_MET if want == MET else MET)
        return self.formula(index, want)

    @staticmethod
    def nodes_tested(formula: Formula) -> set[int]:
        tag = formula[0]
        if tag == "node":
            return {formula[1]}
        if tag in ("and", "or"):
            return set().union(*(_Compiler.nodes_tested(part) for part in formula[1]))
        return set()

    @staticmethod
    def references(formula: Formula) -> set[tuple[str, str]]:
        """The provision statuses (id, word) a formula tests."""
        tag = formula[0]
        if tag == "ref":
            return {(formula[1], formula[2])}
        if tag in ("and", "or"):
            return set().union(*(_Compiler.references(part) for part in formula[1]))
        return set()

    @staticmethod
    def expression(formula: Formula) -> Any:
        tag = formula[0]
        if tag == "lit":
            return formula[1]
        if tag == "ref":
            return {status_attribute(formula[1]): formula[2]}
        if tag == "node":
            return {node_attribute(formula[1]): formula[2]}
        return {
            "$and" if tag == "and" else "$or": [_Compiler.expression(part) for part in formula[1]]
        }

    def facts_read(self, formula: Formula) -> set[str]:
        tag = formula[0]
        if tag == "lit":
            return set(_attributes(formula[1])) & set(self.fact_types)
        if tag in ("and", "or"):
            return set().union(*(self.facts_read(part) for part in formula[1]))
        return set()

    def rule_for(self, formula: Formula, kind: str) -> dict[str, Any] | None:
        """The rule concluding a formula on facts of `kind`, or None when no scenario
        can satisfy it (an open question, say)."""
        if formula == FALSE:
            return None
        pattern: Any = {"kind": kind}
        if formula != TRUE:
            pattern = {"$and": [pattern, self.expression(formula)]}
        # `cap`: the matches of every `$or` branch arrive in one firing, not one each
        return {"all": [{"m": pattern}], "cap": 1000}


def _attributes(expression: Any) -> list[str]:
    """Attribute names tested by a pattern expression."""
    found: list[str] = []
    for key, value in expression.items():
        if key in ("$and", "$or"):
            for part in value:
                found.extend(_attributes(part))
        elif key.startswith("$"):
            found.extend(value.keys())
        else:
            found.append(key)
    return found


def _groups(expression: Any) -> int:
    """How many `$and`/`$or` groups a pattern expression holds."""
    if not isinstance(expression, dict):
        return 0
    return sum(
        (key in ("$and", "$or")) + sum(_groups(part) for part in value)
        for key, value in expression.items()
        if isinstance(value, list)
    ) + sum(_groups(value) for value in expression.values() if isinstance(value, dict))


def _check_size(rule: dict[str, Any], node: PlanNode) -> None:
    groups = _groups(rule["all"][0]["m"])
    if groups > MAX_GROUPS:
        raise EngineError(
            f"condition {node.condition.id} (in {node.owner}) is too large for the "
            f"durable-rules engine: its test needs {groups} and/or groups, and durable-rules "
            f"accepts at most {MAX_GROUPS} in one rule; split it into smaller provisions "
            f"or evaluate with --engine python"
        )


def _partitioned(rules: list[tuple[dict[str, Any], Any]]) -> list[tuple[dict[str, Any], Any]]:
    """Hang the rules of one fact kind under a balanced tree of always-true tests.

    durable-rules walks its alpha network with a fixed stack of 64 pending nodes and
    fails with error 303 when more than 64 children of one node match a fact. Every
    rule starts with its `kind` test, so that node would have one child per distinct
    first test (72 for us-law in 2003). Tests `kind != "p<level>_<n>"` (true for every
    fact) give each node at most FAN_OUT children; rules are sorted by their first test
    first, so rules that share it stay together and share its node.
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
        path = [
            {"$neq": {"kind": f"p{level}_{position // FAN_OUT ** (level + 1)}"}}
            for level in reversed(range(levels))
        ]
        pattern = rule["all"][0]["m"]
        tests = pattern.get("$and", [pattern])
        partitioned = (
            {"$and": [tests[0], *path, *tests[1:]]} if path or len(tests) > 1 else tests[0]
        )
        out.append(({**rule, "all": [{"m": partitioned}]}, payload))
    return out


_names = itertools.count()


@dataclass(frozen=True)
class _World:
    """One of the evaluations that share a session: the scenario as stated, and its
    counterfactual worlds. Their facts have different kinds, and their node statuses
    live in different slices of one status array."""

    kind: str
    offset: int  # which slice of the status array: 0 for the scenario as stated

    def kind_of(self, level: int) -> str:
        return f"{self.kind}{level}"


ACTUAL = _World("scenario", 0)
WORLDS = tuple(_World(f"world{n}", n) for n in range(1, MAX_WORLDS + 1))
NAME_WIDTH = 7  # rule names are "r" + 6 digits, so a message's rule is message[2:9]


@dataclass
class _Ruleset:
    handle: int
    actions: dict[str, tuple[tuple[int, int], ...]]  # rule -> ((status index, status), ...)
    node_count: int
    rounds: int
    facts_read: tuple[tuple[frozenset[str], ...], ...]  # per world, per round
    nodes_read: tuple[tuple[int, ...], ...]  # per round (actual world)
    provisions: tuple[tuple[str, int, int], ...]  # (id, root index, round)


class DurableEngine:
    """Evaluates plans with durable-rules; compiles each plan once per process."""

    name = "durable"

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
        self._compiled: dict[int, tuple[Plan, _Ruleset]] = {}
        self._fragments: dict[tuple[str, Any], str] = {}

    # -- compile -------------------------------------------------------------------
    def _ruleset(self, plan: Plan) -> _Ruleset:
        entry = self._compiled.get(id(plan))
        if entry is None:
            entry = (plan, self._compile(plan))  # holding `plan` keeps its id unique
            self._compiled[id(plan)] = entry
        return entry[1]

    def _definition_for_tests(self, plan: Plan) -> dict[str, Any]:
        """The ruleset definition (JSON-ready) that `_compile` hands to durable-rules."""
        return self._build(plan)[0]

    def _compile(self, plan: Plan) -> _Ruleset:
        definition, actions, count, rounds, read, nodes_read, provisions = self._build(plan)
        try:
            handle = _dre.create_ruleset(f"eligibility-{next(_names)}", json.dumps(definition))
        except _dre.error as exc:  # bare numeric codes: say what we were doing
            raise EngineError(
                f"durable-rules rejected the compiled rules ({exc}); this is "
                f"a bug in the compiler, please report it"
            ) from None
        return _Ruleset(handle, actions, count, rounds, read, nodes_read, provisions)

    def _build(self, plan: Plan) -> tuple[Any, ...]:
        compiler = _Compiler(plan, self.fact_types, self.fact_values)
        count = len(plan.nodes)
        rounds = 1 + max((compiler.level(i) for i in range(count)), default=0)
        definition: dict[str, Any] = {"start0": {"all": [{"m": {"kind": "start"}}]}}
        for world in (ACTUAL, *WORLDS):
            for level in range(rounds):
                # Handle every fact without firing (a join with a fact that is never
                # asserted never completes), so that none raises MessageNotHandled.
                kind = world.kind_of(level)
                definition[f"handled_{kind}"] = {
                    "all": [{"m": {"kind": kind}}, {"n": {"kind": "never"}}]
                }
        every_node = [(i, s) for i in range(count) for s in (MET, NOT_MET)]
        read: list[list[set[str]]] = [[set() for _ in range(rounds)] for _ in range(1 + MAX_WORLDS)]
        nodes_read: list[set[int]] = [set() for _ in range(rounds)]
        actions: dict[str, tuple[tuple[int, int], ...]] = {}
        roots = self._roots_needed(plan, compiler)
        for world, wanted in ((ACTUAL, every_node), *((w, roots) for w in WORLDS)):
            # Leaves with the same test share one rule, which the engine decides once:
            # `citizenship == noncitizen` is an element of five provisions, and
            # `age_now >= 18` is the test `age_now < 18` with met and not met swapped.
            groups: dict[Any, list[tuple[int, int]]] = {}
            for index, want in wanted:
                key, flipped = self._test_key(plan.nodes[index], index)
                rule_want = (MET if want == NOT_MET else NOT_MET) if flipped else want
                groups.setdefault((compiler.level(index), key, rule_want), []).append((index, want))
            by_kind: dict[str, list[tuple[dict[str, Any], Any]]] = {}
            for (level, _, _), members in groups.items():
                first, first_want = members[0]
                # A counterfactual world decides roots only, so its rules cannot chain
                # on other nodes' conclusions: they test the facts.
                formula = (
                    compiler.chained(first, first_want)
                    if world is ACTUAL
                    else compiler.formula(first, first_want)
                )
                rule = compiler.rule_for(formula, world.kind_of(level))
                if rule is None:
                    continue
                read[world.offset][level] |= compiler.facts_read(formula)
                if world is ACTUAL:
                    nodes_read[level] |= compiler.nodes_tested(formula)
                conclusions = tuple((world.offset * count + i, w) for i, w in members)
                by_kind.setdefault(world.kind_of(level), []).append((rule, conclusions))
            for rules in by_kind.values():
                for rule, conclusions in _partitioned(rules):
                    _check_size(rule, plan.nodes[conclusions[0][0] % count])
                    name = f"r{len(actions):06d}"
                    definition[name] = rule
                    actions[name] = conclusions
        provisions = tuple(
            (pid, plan.roots[pid], compiler.level(plan.roots[pid])) for pid in plan.provisions
        )
        return (
            definition,
            actions,
            count,
            rounds,
            tuple(tuple(frozenset(names) for names in world) for world in read),
            tuple(tuple(sorted(nodes)) for nodes in nodes_read),
            provisions,
        )

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
        if op in ("lt", "ge"):  # x >= b is not (x < b)
            return ("lt", c.fact, value), op == "ge"
        if op in ("le", "gt"):  # on whole numbers, x <= b is x < b + 1
            return ("lt", c.fact, value + 1), op == "gt"
        if op == "eq" and not isinstance(value, str):
            return ("eq", c.fact, value), False
        members = frozenset([value]) if op == "eq" else value
        return ("any_of", c.fact, tuple(sorted(members))), op == "none_of"

    @staticmethod
    def _roots_needed(plan: Plan, compiler: _Compiler) -> list[tuple[int, int]]:
        """For a counterfactual world, only each provision's status is needed: the root
        rules, plus every provision status those rules test."""
        wanted = [(plan.roots[pid], want) for pid in plan.provisions for want in (MET, NOT_MET)]
        todo = list(wanted)
        seen = set(wanted)
        while todo:
            index, want = todo.pop()
            for pid, word in compiler.references(compiler.formula(index, want)):
                item = (plan.roots[pid], MET if word == "met" else NOT_MET)
                if item not in seen:
                    seen.add(item)
                    wanted.append(item)
                    todo.append(item)
        return wanted

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
        for pid, root, provision_level in ruleset.provisions:
            if provision_level < level:
                status = statuses[offset + root]
                if status != UNDETERMINED:
                    parts.append(f'"{status_attribute(pid)}":"{_STATUS_WORD[status]}"')
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
        count = ruleset.node_count
        statuses = [UNDETERMINED] * ((1 + MAX_WORLDS) * count)
        handle = ruleset.handle
        actions = ruleset.actions
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
            for level in range(ruleset.rounds):
                read = ruleset.facts_read[0][level]
                batch = [_START_JSON] if level == 0 else []
                known = self._statuses_of(ruleset, statuses, 0, level)
                known += [
                    f'"{node_attribute(i)}":"{_STATUS_WORD[statuses[i]]}"'
                    for i in ruleset.nodes_read[level]
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
                    world_read = ruleset.facts_read[world.offset][level]
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
