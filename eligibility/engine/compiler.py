"""Compile a plan into durable-rules ruleset definitions (pure Python, no engine).

Every condition node gets one rule for "met" and one for "not met" (engine/formulas.py),
except the conclusions that follow from one part of an element: a part met makes its
`any` met, a part not met makes its `all` not met, a `not` has the other status of its
part. Those are drawn by the rules of the parts, in the same firing (`_implied`): the
rule they replace is an `$or` over the parts, which fires once per part that matches.
And an int or enum fact that the plan tests in several ways (ages against 16, 18, 21)
gets one rule per range or value instead, whose firing decides all its tests
(`_value_cases`): a firing costs more than a rule, durable's own time being mostly per
firing (it scans every action for the next one, and copies the fact into a message).
Forward chaining between provisions runs in rounds. A node whose condition refers to no
provision (every leaf, most elements) is decided in round 0; a node that refers to
provisions, in the round after the last of them is decided (t_visa's root, which refers
to severe_trafficking, in round 1; hhs_certification's, which refers to
continued_presence, in round 2; ...). Round L asserts one fact of kind `s<L>`: the
scenario's facts plus the status of every provision the engine concluded in earlier
rounds (`"P_severe_trafficking": 1`, met; 0 is not met). The rules of round L match only
that kind, so a reference to another provision is an ordinary test on the fact, and no
rule joins two facts.

The law-enforcement worlds (the scenario with every dependency fact favourable, and
with every one unfavourable) take one more round, after the others. A world differs from
the scenario only in the dependency facts, and those have one known value in it: a node
that depends on none has its status as stated, which the engine has concluded by then,
and a leaf testing one is a constant. So each world's fact (kind `w1` or `w2`)
carries the statuses of the scenario as stated (`"N12": 1`), and its rules decide
the roots of the provisions that depend on a dependency fact, met and not met, on those
statuses alone (engine/formulas.py, `world_formula`). The driver asserts a world only
when something of it is read (law/conditions.py, `World`).

Each fact is matched against the rules of its own ruleset only: durable finds the next
rule to fire by scanning every rule of a ruleset from the first, at every firing, and
copies the whole fact into each firing's message. So round 0 is split into
`ROUND0_PARTS` rulesets by the facts their rules read (`_split`), each asserted a fact
with only the facts its rules read, and the later rounds and the worlds, whose rules
read conclusions only, share one more ruleset (the last of `definitions`).

The result, `CompiledRules`, is what the session driver (engine/durable.py) hands to
durable-rules and how it reads the firings back. The workarounds applied here (no joins,
catch-all rules, `cap`, the always-true tree, the size check) are explained in
engine/limits.py.

Why one module of over 400 lines: the compile is one pipeline (rules per node, the
conclusions drawn by parts, the cases of a value, the partition by first test, the size
check), whose steps hand each other rule dictionaries of one shape.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import EngineError
from ..law.conditions import Plan, PlanNode
from ..law.logic import MET, NOT_MET
from .formulas import Formula, FormulaBuilder
from .limits import FAN_OUT, MAX_PATTERN_GROUPS

NAME_WIDTH = 7  # rule names are "r" + 6 digits, so a firing's rule is message[2:9]

# A conclusion: (index into the status array of every world, status concluded)
Conclusion = tuple[int, int]
# What a rule's firing concludes, and an estimate of how often it fires (`_likelihood`:
# see the rule order in compile_plan)
Payload = tuple[tuple[Conclusion, ...], float]

# (short: every fact, and every firing's message, carries its kind)
SCENARIO_KIND = "s"  # + the round: the facts of the scenario as stated
# The law-enforcement worlds' fact kinds (favourable, unfavourable), and the slices of
# the status array their statuses live in (the scenario as stated is slice 0).
WORLD_KINDS = ("w1", "w2")
WORLD_SLICES = (1, 2)
# Rulesets round 0 is split into (`_split`): fewer rules scanned per firing and fewer
# attributes per fact and per message, against one more fact asserted per part. With
# us-law: 1.62 M instructions per scenario with 1 part, 1.52 M with 2, 1.55 M with 3
# (the rules of most facts are joined by a few large ones, so parts share facts)
ROUND0_PARTS = 2


@dataclass(frozen=True)
class CompiledRules:
    """A plan compiled for durable-rules, and what the driver needs to run it."""

    # the rulesets, JSON-ready (rule name -> rule): one per part of round 0, then the
    # one of the later rounds and the worlds; rule names are unique across them
    definitions: tuple[dict[str, Any], ...]
    actions: dict[str, tuple[Conclusion, ...]]  # rule name -> what its firing concludes
    node_count: int
    rounds: int  # of the scenario as stated; the worlds take one more
    part_facts: tuple[frozenset[str], ...]  # per part of round 0: the facts its rules read
    nodes_read: tuple[tuple[int, ...], ...]  # per round: earlier conclusions tested
    provisions: tuple[tuple[str, int, int], ...]  # (id, root index, round decided)
    provisions_read: tuple[frozenset[str], ...]  # per round: the statuses its rules test
    world_nodes_read: tuple[tuple[int, ...], ...]  # per world: conclusions tested
    independent_roots: tuple[int, ...]  # provision roots with their status in every world


def compile_plan(
    plan: Plan, fact_types: Mapping[str, str], fact_values: Mapping[str, tuple[str, ...]]
) -> CompiledRules:
    """The ruleset of `plan` (see the module docstring); EngineError for a condition
    beyond durable-rules' limits."""
    builder = FormulaBuilder(plan, fact_types, fact_values)
    count = len(plan.nodes)
    rounds = 1 + max((builder.level(i) for i in range(count)), default=0)
    nodes_read: list[set[int]] = [set() for _ in range(rounds)]
    provisions_read: list[set[str]] = [set() for _ in range(rounds)]
    # per fact kind: (rule, what its firing concludes, the facts it reads)
    by_kind: dict[str, list[_Entry]] = {}

    # The scenario as stated: every node, met and not met, chained in rounds. Leaves
    # with the same test share one rule, which the engine decides once:
    # `citizenship == noncitizen` is an element of five provisions, and `age_now >= 18`
    # is the test `age_now < 18` with met and not met swapped. A reference to another
    # provision has that provision's status: the rules of its root conclude it too.
    groups: dict[Any, list[tuple[int, int]]] = {}
    sources: dict[Any, int] = {}  # group -> the node whose condition its rule tests
    aliases: dict[int, list[int]] = {}  # node -> the references that resolve to it
    merged = _merged_facts(plan, fact_types)
    on_merged: dict[str, list[tuple[int, Any, bool]]] = {}  # fact -> (node, test, flipped)
    for index in range(count):
        source = index
        while (target := plan.nodes[source].target) is not None:
            source = target
        if source != index:
            aliases.setdefault(source, []).append(index)
        key, flipped = _test_key(plan.nodes[source], source)
        fact = plan.nodes[source].condition.fact
        if plan.nodes[source].condition.kind == "fact" and fact in merged:
            on_merged.setdefault(fact, []).append((index, key, flipped))
            continue
        for want in (MET, NOT_MET):
            rule_want = (MET if want == NOT_MET else NOT_MET) if flipped else want
            group = (builder.level(source), key, rule_want)
            groups.setdefault(group, []).append((index, want))
            sources.setdefault(group, source)
    implied = _implied(plan)
    for group, members in groups.items():
        level, _, rule_want = group
        if (sources[group], rule_want) in implied.derived:
            continue  # concluded by the rules of its children (`_implied`)
        first, first_want = members[0]
        formula = builder.chained(first, first_want)
        rule = builder.rule_for(formula, f"{SCENARIO_KIND}{level}")
        if rule is None:
            continue
        members = implied.closure(members, aliases)
        nodes_read[level] |= builder.nodes_tested(formula)
        provisions_read[level] |= {pid for pid, _ in builder.references(formula)}
        by_kind.setdefault(f"{SCENARIO_KIND}{level}", []).append(
            (rule, (tuple(members), _likelihood(formula)), frozenset(builder.facts_read(formula)))
        )

    # A number or a choice tested several ways (ages against 16, 18 and 21; the five
    # relationships of a family member): one rule per range or value, whose firing
    # decides every test of the fact, instead of one firing per test.
    for fact, tested in on_merged.items():
        for formula, holds in _value_cases(builder, fact, [key for _, key, _ in tested]):
            concluded = [
                (index, MET if holds(key) != flipped else NOT_MET) for index, key, flipped in tested
            ]
            rule = builder.rule_for(formula, f"{SCENARIO_KIND}0")
            assert rule is not None  # a range or a value: never FALSE
            by_kind.setdefault(f"{SCENARIO_KIND}0", []).append(
                (
                    rule,
                    (tuple(implied.closure(concluded, aliases)), _likelihood(formula)),
                    frozenset({fact}),
                )
            )

    # The law-enforcement worlds, in one round after the others: only the provision
    # roots that depend on a dependency fact, on the conclusions of the scenario as
    # stated (engine/formulas.py, `world_formula`).
    world_read: list[set[int]] = []
    for favourable, kind, offset in zip((True, False), WORLD_KINDS, WORLD_SLICES, strict=True):
        world_read.append(set())
        same: dict[str, tuple[dict[str, Any], list[Conclusion], float]] = {}
        for root in plan.dependent_roots:
            for want in (MET, NOT_MET):
                formula = builder.world_formula(root, want, favourable=favourable)
                rule = builder.rule_for(formula, kind)
                if rule is None:
                    continue
                world_read[-1] |= builder.nodes_tested(formula)
                # roots whose formula is the same in this world share its rule
                text = json.dumps(rule, sort_keys=True)
                entry = same.setdefault(text, (rule, [], _likelihood(formula)))
                entry[1].append((offset * count + root, want))
        for rule, concluded, likelihood in same.values():
            by_kind.setdefault(kind, []).append((rule, (tuple(concluded), likelihood), frozenset()))

    # Refuse a rule beyond durable's limit by the innermost condition that needs one:
    # in plan order, parts before the elements that contain them.
    every = [entry for rules in by_kind.values() for entry in rules]
    for rule, (conclusions, _), _ in sorted(every, key=lambda entry: entry[1][0][0][0] % count):
        _check_size(rule, plan.nodes[conclusions[0][0] % count])
    # Round 0 in parts by the facts their rules read; the later rounds and the worlds
    # in one ruleset after them (the module docstring)
    parts = [
        {f"{SCENARIO_KIND}0": part}
        for part in _split(by_kind.pop(f"{SCENARIO_KIND}0", []), ROUND0_PARTS)
    ]
    later_kinds = [f"{SCENARIO_KIND}{level}" for level in range(1, rounds)] + list(WORLD_KINDS)
    later = {kind: by_kind.get(kind, []) for kind in later_kinds}
    actions: dict[str, tuple[Conclusion, ...]] = {}
    definitions = tuple(_definition(kinds, actions) for kinds in [*parts, later])
    return CompiledRules(
        definitions=definitions,
        actions=actions,
        node_count=count,
        rounds=rounds,
        part_facts=tuple(
            frozenset().union(*(entry[2] for entry in part[f"{SCENARIO_KIND}0"])) for part in parts
        ),
        nodes_read=tuple(tuple(sorted(nodes)) for nodes in nodes_read),
        provisions_read=tuple(frozenset(pids) for pids in provisions_read),
        provisions=tuple(
            (pid, plan.roots[pid], builder.level(plan.roots[pid])) for pid in plan.provisions
        ),
        world_nodes_read=tuple(tuple(sorted(nodes)) for nodes in world_read),
        independent_roots=tuple(
            plan.roots[pid] for pid in plan.provisions if plan.roots[pid] not in plan.dependent
        ),
    )


# a rule, what its firing concludes with its estimated chance to fire, the facts it reads
_Entry = tuple[dict[str, Any], Payload, frozenset[str]]


def _definition(
    by_kind: Mapping[str, list[_Entry]], actions: dict[str, tuple[Conclusion, ...]]
) -> dict[str, Any]:
    """One ruleset of the rules of `by_kind` (fact kind -> rules), named on from
    `actions`, which gets what each rule's firing concludes."""
    # Rule order is action order, and durable finds the next action to run by scanning
    # the actions from the first, once per firing (state.c, getNextResultInState: half
    # of the time of a firing with us-law): rules that fire often come first, in the
    # order of their estimated chance to fire; the catch-alls never fire, and go last.
    ordered = [item for rules in by_kind.values() for item in _partitioned([e[:2] for e in rules])]
    ordered.sort(key=lambda item: -item[1][1])  # stable: by kind, then partition
    # every ruleset has its own session, and every session needs its start fact
    definition: dict[str, Any] = {"start0": {"all": [{"m": {"kind": "start"}}]}}
    for rule, (conclusions, _) in ordered:
        name = f"r{len(actions):06d}"
        definition[name] = rule
        actions[name] = conclusions
    for kind in by_kind:
        # Handle every fact without firing (a join with a fact that is never asserted
        # never completes), so that none raises MessageNotHandled.
        definition[f"handled_{kind}"] = {"all": [{"m": {"kind": kind}}, {"n": {"kind": "never"}}]}
    return definition


def _split(rules: list[_Entry], parts: int) -> list[list[_Entry]]:
    """The rules of round 0 in at most `parts` non-empty parts of about equal expected
    firings, each reading few facts: a fact read in two parts is asserted to both.
    Greedy: rules reading the most facts first, each to the part where it adds the fewest
    facts not read there yet (then the least loaded), among the parts not yet full."""
    total = sum(payload[1] for _, payload, _ in rules)
    full = total / parts * 1.25  # some slack, so that a fact's rules can stay together
    loads = [0.0] * parts
    read: list[set[str]] = [set() for _ in range(parts)]
    out: list[list[_Entry]] = [[] for _ in range(parts)]
    for position in sorted(range(len(rules)), key=lambda i: -len(rules[i][2])):
        entry = rules[position]
        open_parts = [p for p in range(parts) if loads[p] + entry[1][1] <= full] or range(parts)
        best = min(open_parts, key=lambda p: (len(entry[2] - read[p]), loads[p]))
        out[best].append(entry)
        loads[best] += entry[1][1]
        read[best] |= entry[2]
    # in compile order within a part (the order of `_partitioned` and the stable sort)
    order = {id(entry): i for i, entry in enumerate(rules)}
    return [sorted(part, key=lambda e: order[id(e)]) for part in out if part]


@dataclass(frozen=True)
class _Implied:
    """Conclusions that follow from one other conclusion by the meaning of a
    connective: a part met makes its `any` met, a part not met makes its `all` not met,
    and a `not` has the other status of its part. The rule of such a conclusion (an
    `$or` over the parts, which fires once per part that matches) is not compiled; the
    rules of the parts conclude it as well, in the same firing."""

    derived: frozenset[tuple[int, int]]  # (node, status) concluded by its parts' rules
    by_part: dict[tuple[int, int], tuple[tuple[int, int], ...]]  # part -> parent's

    def closure(
        self, conclusions: list[tuple[int, int]], aliases: Mapping[int, list[int]]
    ) -> list[tuple[int, int]]:
        """`conclusions` and everything they imply, each once: the parents' statuses,
        theirs in turn, and the references to a provision whose root is concluded."""
        out: dict[tuple[int, int], None] = {}
        pending = list(conclusions)
        while pending:
            conclusion = pending.pop(0)
            if conclusion in out:
                continue
            out[conclusion] = None
            if conclusion in self.derived:  # its own rule, which names them, is not compiled
                index, status = conclusion
                pending.extend((alias, status) for alias in aliases.get(index, ()))
            pending.extend(self.by_part.get(conclusion, ()))
        return list(out)


def _implied(plan: Plan) -> _Implied:
    """The conclusions of `_Implied`. Elements with a reference among their parts keep
    their rules: a provision's status reaches the provisions that refer to it by
    chaining, in the round after it is decided."""
    derived: set[tuple[int, int]] = set()
    by_part: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for node in plan.nodes:
        kind = node.condition.kind
        if kind not in ("all", "any", "not") or any(
            plan.nodes[part].target is not None for part in node.children
        ):
            continue
        pairs: tuple[tuple[int, int], ...]
        if kind == "any":
            pairs = ((MET, MET),)  # (the part's status, the element's)
        elif kind == "all":
            pairs = ((NOT_MET, NOT_MET),)
        else:
            pairs = ((MET, NOT_MET), (NOT_MET, MET))
        for part_status, status in pairs:
            derived.add((node.index, status))
            for part in node.children:
                by_part.setdefault((part, part_status), []).append((node.index, status))
    return _Implied(frozenset(derived), {k: tuple(v) for k, v in by_part.items()})


def _merged_facts(plan: Plan, fact_types: Mapping[str, str]) -> set[str]:
    """Int and enum facts that the plan tests in more than one way, each test a
    comparison with a number (int) or membership of a set of values (enum): they get one
    rule per range or value (`_value_cases`) instead of rules per test."""
    tests: dict[str, set[Any]] = {}
    for node in plan.nodes:
        if node.condition.kind == "fact":
            key, _ = _test_key(node, node.index)
            tests.setdefault(node.condition.fact or "", set()).add(key)
    merged = set()
    for fact, keys in tests.items():
        kind = fact_types.get(fact)
        ops = {key[0] for key in keys}
        if len(keys) > 1 and (
            (kind == "int" and ops <= {"lt", "eq"}) or (kind == "enum" and ops == {"any_of"})
        ):
            merged.add(fact)
    return merged


def _value_cases(
    builder: FormulaBuilder, fact: str, keys: list[Any]
) -> list[tuple[Formula, Callable[[Any], bool]]]:
    """The ranges (int) or values (enum) of a merged fact, as (formula of the case,
    whether a test (`_test_key`) holds in it): the cases cover every known value once,
    and each test holds in all of a case or in none of it."""
    attribute = builder.attribute[fact]
    if fact in builder.enum_codes:

        def chosen(value: str) -> Callable[[Any], bool]:
            return lambda key: value in key[2]  # `any_of` a set of values

        return [
            (("lit", {attribute: code}), chosen(value))
            for value, code in builder.enum_codes[fact].items()
        ]
    bounds = sorted(
        {key[2] for key in keys if key[0] == "lt"}
        | {b for key in keys if key[0] == "eq" for b in (key[2], key[2] + 1)}
    )
    out: list[tuple[Formula, Callable[[Any], bool]]] = []
    for low, high in zip([None, *bounds], [*bounds, None], strict=True):
        parts: list[Formula] = []
        if low is not None:
            parts.append(("lit", {"$gte": {attribute: low}}))
        if high is not None:
            parts.append(("lit", {"$lt": {attribute: high}}))
        formula = parts[0] if len(parts) == 1 else ("and", parts)

        def holds(key: Any, low: int | None = low, high: int | None = high) -> bool:
            if key[0] == "lt":  # x < b: the whole range lies below b
                return high is not None and high <= key[2]
            return low == key[2] and high == key[2] + 1  # x == v: the range is {v}

        out.append((formula, holds))
    return out


# The chance that a test of one fact holds, for `_likelihood`: a fact is known more often
# than not, and a test then holds about half the time; a provision's or a node's status
# is decided, one way or the other, about as often
_TEST_HOLDS = 0.375


def _likelihood(formula: Formula) -> float:
    """A rough chance that a rule's formula holds for a scenario, its tests taken as
    independent: used only to order the rules (compile_plan), never for a result."""
    tag = formula[0]
    if tag == "T":
        return 1.0
    if tag in ("lit", "ref", "node"):
        return _TEST_HOLDS
    chances = [_likelihood(part) for part in formula[1]]
    if tag == "and":
        return math.prod(chances)
    return 1.0 - math.prod(1.0 - chance for chance in chances)  # or


def _test_key(node: PlanNode, index: int) -> tuple[Any, bool]:
    """A canonical form of a leaf's test, and whether the leaf is its negation."""
    c = node.condition
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


def _partitioned(
    rules: list[tuple[dict[str, Any], Payload]],
) -> list[tuple[dict[str, Any], Payload]]:
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


def pattern_groups(expression: Any) -> int:
    """How many `$and`/`$or` groups a pattern expression holds."""
    if not isinstance(expression, dict):
        return 0
    return sum(
        (key in ("$and", "$or")) + sum(pattern_groups(part) for part in value)
        for key, value in expression.items()
        if isinstance(value, list)
    ) + sum(pattern_groups(value) for value in expression.values() if isinstance(value, dict))


def _check_size(rule: dict[str, Any], node: PlanNode) -> None:
    groups = pattern_groups(rule["all"][0]["m"])
    if groups > MAX_PATTERN_GROUPS:
        raise EngineError(
            f"condition {node.condition.id} (in {node.owner}) is too large for the "
            f"durable-rules engine: its test needs {groups} and/or groups, and durable-rules "
            f"accepts at most {MAX_PATTERN_GROUPS} in one rule; split it into smaller "
            f"provisions or evaluate with --engine python"
        )
