"""Conditions as formulas over one fact, and formulas as durable-rules patterns.

A node's condition, flattened down to tests on the facts of one scenario, is a formula:
`("lit", expression)` for a test durable-rules evaluates, `("ref", provision, word)` for
the status of a provision concluded in an earlier round, `("node", index, word)` for the
status of an earlier node, and `("and"|"or", parts)`, with TRUE and FALSE. Kleene logic
in negation normal form: "all met" is the conjunction of the children's "met", "all not
met" the disjunction of their "not met", and so on, so the engine decides every node
directly and a node that fires neither of its rules is undetermined (an unknown fact is
an absent attribute, which no test matches).

Pure Python: nothing here imports durable-rules, so the compile is tested without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import EngineError
from ..law.conditions import Plan, PlanNode
from ..law.logic import MET, NOT_MET, fact_status
from .limits import MAX_SET_VALUES, SET_CODE_CHARACTERS

# How a concluded status travels in later rounds' facts (`"N12":1`): a number, shorter
# than a word in every fact and every firing's message that carries it
STATUS_WORD = {MET: 1, NOT_MET: 0}


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
    if len(values) > MAX_SET_VALUES:
        raise EngineError(f"a set fact may have at most {MAX_SET_VALUES} values")
    return dict(zip(values, SET_CODE_CHARACTERS, strict=False))


def fact_attributes(fact_types: Mapping[str, str]) -> dict[str, str]:
    """The attribute that carries each fact in the facts asserted to durable-rules: `f`
    and a number, in the order of the sorted fact names. Short names, because the engine
    parses every attribute of a fact, hashes its name, and copies the whole fact into the
    message of each rule that fires (about 80 per scenario): with the names of issue 17's
    vocabulary the round-0 fact was 1.6 KB. Lower case, so never a status attribute."""
    return {name: f"f{i}" for i, name in enumerate(sorted(fact_types))}


def enum_codes(values: tuple[str, ...]) -> dict[str, int]:
    """An enum fact's values as the numbers it is sent as (their vocabulary order): a
    number is shorter than the value's name, and an enum is only tested for equality."""
    return {value: i for i, value in enumerate(values)}


# an enum value outside the vocabulary: a test for it never matches a known value
NO_CODE = -1

_NEGATED = {"lt": "$gte", "le": "$gt", "gt": "$lte", "ge": "$lt"}
_OPERATOR = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


class FormulaBuilder:
    """The formulas of a plan's nodes, memoised, and their durable-rules rules."""

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
        self.enum_codes = {
            name: enum_codes(values)
            for name, values in fact_values.items()
            if fact_types.get(name) == "enum"
        }
        self.attribute = fact_attributes(fact_types)
        self._fact_of = {attribute: name for name, attribute in self.attribute.items()}
        self.memo: dict[tuple[int, int], Formula] = {}
        self._levels: dict[int, int] = {}
        self._world_memo: dict[tuple[int, int, bool], Formula] = {}

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
            return ("ref", c.provision, STATUS_WORD[want])
        if kind == "open_question":
            return FALSE
        if kind == "always":
            return TRUE if c.constant == want else FALSE
        return self._fact_test(c.fact or "", c.op or "", c.value, want == MET)

    def _fact_test(self, fact: str, op: str, operand: Any, positive: bool) -> Formula:
        name = self.attribute[fact]  # the fact's attribute (fact_attributes)
        codes = self.enum_codes.get(fact)
        if codes is not None:  # an enum travels as its value's number (enum_codes)
            if op in ("is", "eq"):
                operand = codes.get(operand, NO_CODE)
            else:
                operand = [codes.get(m, NO_CODE) for m in operand]
        if op in ("is", "eq"):
            if isinstance(operand, bool):  # sent as 1 or 0, shorter than true and false
                return ("lit", {name: int(operand == positive)})
            if positive:
                return ("lit", {name: operand})
            return ("lit", {"$neq": {name: operand}})
        if op in _OPERATOR:
            return ("lit", {(_OPERATOR if positive else _NEGATED)[op]: {name: operand}})
        members = sorted(operand)
        hit = positive if op == "any_of" else not positive
        if codes is not None:  # at most one branch can match
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
        characters = self.set_codes[fact]
        chosen = "".join(sorted(characters[m] for m in members))
        others = "".join(sorted(c for m, c in characters.items() if m not in operand))
        if hit:
            every = "".join(sorted(characters.values()))
            prefix = f"[{others}]*" if others else ""
            return ("lit", {"$mt": {name: f"{prefix}[{chosen}][{every}]*"}})
        return ("lit", {"$mt": {name: f"[{others}]*"}} if others else {name: ""})

    def chained(self, index: int, want: int) -> Formula:
        """The formula of a node decided after round 0, on the engine's own earlier
        conclusions: each child decided in an earlier round is a test of its status
        (`"N<index>": 1`, met) rather than of the facts below it."""
        level = self.level(index)
        if level == 0:
            return self.formula(index, want)
        node = self.plan.nodes[index]
        kind = node.condition.kind
        if kind == "provision":
            return self.formula(index, want)

        def part(child: int, wanted: int) -> Formula:
            if self.level(child) < level:
                return ("node", child, STATUS_WORD[wanted])
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

    def world_formula(self, index: int, want: int, *, favourable: bool) -> Formula:
        """The formula of node `index` in a law-enforcement world: every dependency fact
        at its favourable value (`favourable`) or at the other one.

        Only the dependency facts differ from the scenario as stated, and their values
        are known: a test of one is TRUE or FALSE here, at compile time. A node that
        depends on none (`Plan.dependent`) has its status as stated, a test of the
        engine's own conclusion (`"N<index>": 1`, met); a reference to a provision that
        depends on one is that provision's formula in the world, so a world needs one
        round whatever its references."""
        key = (index, want, favourable)
        found = self._world_memo.get(key)
        if found is None:
            found = self._world_memo[key] = self._world_formula(index, want, favourable)
        return found

    def _world_formula(self, index: int, want: int, favourable: bool) -> Formula:
        plan = self.plan
        node = plan.nodes[index]
        if index not in plan.dependent:
            stated = self.formula(index, want)
            # an open question, or a constant: no conclusion to test
            return stated if stated in (TRUE, FALSE) else ("node", index, STATUS_WORD[want])
        c = node.condition
        kind = c.kind
        if kind == "fact":
            value = plan.dependency_facts[c.fact or ""]
            status = fact_status(c.op or "is", value if favourable else not value, c.value)
            return TRUE if status == want else FALSE
        if kind == "provision":
            return self.world_formula(node.target, want, favourable=favourable)  # type: ignore[arg-type]
        if kind == "not":
            flipped = NOT_MET if want == MET else MET
            return self.world_formula(node.children[0], flipped, favourable=favourable)
        parts = [self.world_formula(i, want, favourable=favourable) for i in node.children]
        if kind == "all":
            return _and(parts) if want == MET else _or(parts)
        return _or(parts) if want == MET else _and(parts)  # any

    @staticmethod
    def nodes_tested(formula: Formula) -> set[int]:
        tag = formula[0]
        if tag == "node":
            return {formula[1]}
        if tag in ("and", "or"):
            return set().union(*(FormulaBuilder.nodes_tested(part) for part in formula[1]))
        return set()

    @staticmethod
    def references(formula: Formula) -> set[tuple[str, str]]:
        """The provision statuses (id, word) a formula tests."""
        tag = formula[0]
        if tag == "ref":
            return {(formula[1], formula[2])}
        if tag in ("and", "or"):
            return set().union(*(FormulaBuilder.references(part) for part in formula[1]))
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
            "$and" if tag == "and" else "$or": [
                FormulaBuilder.expression(part) for part in formula[1]
            ]
        }

    def facts_read(self, formula: Formula) -> set[str]:
        tag = formula[0]
        if tag == "lit":
            return {self._fact_of[a] for a in _attributes(formula[1]) if a in self._fact_of}
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
