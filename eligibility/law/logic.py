"""The meaning of the rule language, written once: three values, their connectives, the
comparisons of a fact test, how a test reads, and which unknown facts keep a node open.

Rule conditions (law/conditions.py), invariants (analysis/invariants/), what-if searches
(analysis/whatif.py) and reports all call these functions; none restates them.

Kleene's strong three-valued logic: a fact the scenario does not state is unknown, never
false, and a test on it is undetermined. `all` is not met as soon as one part is not met
and met only when every part is; `any` mirrors it; `not` swaps met and not met.

Why one module of over 400 lines: it is the one place where the rule language's meaning
is written; spread over several modules, it would again be restated in some of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..errors import did_you_mean
from .fields import Node, describe

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

# Statuses are small ints on the hot path; their names are the public contract.
NOT_MET, MET, UNDETERMINED = 0, 1, 2
STATUS_NAMES = ("not_met", "met", "undetermined")
STATUS_OF = {name: value for value, name in enumerate(STATUS_NAMES)}
NEGATION = (MET, NOT_MET, UNDETERMINED)  # indexed by NOT_MET, MET, UNDETERMINED

# What a condition node is: three connectives, four kinds of leaf.
ConditionKind = Literal["all", "any", "not", "fact", "provision", "open_question", "always"]
INNER_KINDS: tuple[ConditionKind, ...] = ("all", "any", "not")
LEAF_KINDS: tuple[ConditionKind, ...] = ("fact", "provision", "open_question", "always")

# Fact-test operators by fact type (bool facts take `is`; `fact: x` alone means `is: true`).
OPERATORS = {
    "bool": ("is",),
    "int": ("eq", "lt", "le", "gt", "ge"),
    "enum": ("eq", "any_of", "none_of"),
    "set": ("any_of", "none_of"),
}
ALL_OPERATORS = ("is", "eq", "lt", "le", "gt", "ge", "any_of", "none_of")
SYMBOLS = {
    "is": "is",
    "eq": "==",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "any_of": "includes any of",
    "none_of": "includes none of",
}

Step = Callable[[Mapping[str, Any], list[int]], int]  # facts, statuses so far -> status


# ------------------------------------------------------------------ three values


def all_of(statuses: Iterable[int]) -> int:
    """Kleene conjunction; stops at the first part that is not met."""
    result = MET
    for status in statuses:
        if status == NOT_MET:
            return NOT_MET
        if status == UNDETERMINED:
            result = UNDETERMINED
    return result


def any_of(statuses: Iterable[int]) -> int:
    """Kleene disjunction; stops at the first part that is met."""
    result = NOT_MET
    for status in statuses:
        if status == MET:
            return MET
        if status == UNDETERMINED:
            result = UNDETERMINED
    return result


def negation(status: int) -> int:
    return NEGATION[status]


# -------------------------------------------------------------------- comparisons


def holds(op: str, value: Any, operand: Any) -> bool:
    """Whether a known value passes a test. An enum value is a member or not; a set
    passes `any_of` when it shares a member with the operand."""
    if op in ("is", "eq"):
        return bool(value == operand)
    if op == "lt":
        return bool(value < operand)
    if op == "le":
        return bool(value <= operand)
    if op == "gt":
        return bool(value > operand)
    if op == "ge":
        return bool(value >= operand)
    hit = value in operand if isinstance(value, str) else not operand.isdisjoint(value)
    return hit if op == "any_of" else not hit


def fact_status(op: str, value: Any, operand: Any) -> int:
    """The status of a test: undetermined when the value (or the operand) is unknown."""
    if value is None or operand is None:
        return UNDETERMINED
    return MET if holds(op, value, operand) else NOT_MET


def fact_step(name: str, op: str, operand: Any) -> Step:
    """A fact test as one step facts, statuses -> status, for the reference evaluator.

    The same meaning as `fact_status`, specialised per operator: this runs for every
    leaf of every scenario, so it avoids any indirection beyond one call (and reads the
    statuses from the closure, faster than module globals).
    """
    undetermined, met, not_met = UNDETERMINED, MET, NOT_MET
    if op in ("is", "eq"):

        def equal(facts: Mapping[str, Any], st: list[int]) -> int:
            value = facts.get(name)
            if value is None:
                return undetermined
            return met if value == operand else not_met

        return equal
    if op == "lt":

        def less(facts: Mapping[str, Any], st: list[int]) -> int:
            value = facts.get(name)
            if value is None:
                return undetermined
            return met if value < operand else not_met

        return less
    if op in ("le", "gt", "ge"):
        compare: Callable[[Any], bool] = {
            "le": lambda v: v <= operand,
            "gt": lambda v: v > operand,
            "ge": lambda v: v >= operand,
        }[op]

        def ordered(facts: Mapping[str, Any], st: list[int]) -> int:
            value = facts.get(name)
            if value is None:
                return undetermined
            return met if compare(value) else not_met

        return ordered
    if op in ("any_of", "none_of"):
        hit, miss = (met, not_met) if op == "any_of" else (not_met, met)

        def member(facts: Mapping[str, Any], st: list[int]) -> int:
            value = facts.get(name)
            if value is None:
                return undetermined
            if isinstance(value, str):  # an enum fact: membership
                return hit if value in operand else miss
            return miss if operand.isdisjoint(value) else hit

        return member
    raise ValueError(f"unknown operator {op!r}")  # the loaders reject these first


def connective_step(kind: ConditionKind, children: tuple[int, ...]) -> Step:
    """`all`, `any` or `not` over the statuses of earlier nodes, as one step."""
    if kind == "all":

        def conjunction(facts: Mapping[str, Any], st: list[int]) -> int:
            result = MET
            for i in children:
                s = st[i]
                if s == NOT_MET:
                    return NOT_MET
                if s == UNDETERMINED:
                    result = UNDETERMINED
            return result

        return conjunction
    if kind == "any":

        def disjunction(facts: Mapping[str, Any], st: list[int]) -> int:
            result = NOT_MET
            for i in children:
                s = st[i]
                if s == MET:
                    return MET
                if s == UNDETERMINED:
                    result = UNDETERMINED
            return result

        return disjunction
    if kind == "not":
        only = children[0]
        return lambda facts, st: NEGATION[st[only]]
    raise ValueError(f"{kind!r} is not a connective")


# ------------------------------------------------------- the steps as Python source
#
# The same steps, written as Python expressions so that a whole plan becomes one
# function (law/conditions.py, `Plan.evaluate`): one call per scenario instead of one
# per node. Names are variables of that function, never text from a rule file.


def fact_source(value: str, op: str, operand: str) -> str:
    """`fact_step` as an expression: the status of the test `op` of the fact value held
    in variable `value` (None when unknown) against `operand`: a variable, or the literal
    of a bool or int. A yes/no fact's value is True or False (the vocabulary refuses
    anything else), so against a literal True or False the test is by identity, which
    is cheaper than `==` on bools."""
    if op == "is" and operand in ("True", "False"):
        test = f"{value} is {operand}"
    elif op in ("is", "eq"):
        test = f"{value} == {operand}"
    elif op in ("lt", "le", "gt", "ge"):
        test = f"{value} {SYMBOLS[op]} {operand}"
    elif op in ("any_of", "none_of"):
        hit, miss = (MET, NOT_MET) if op == "any_of" else (NOT_MET, MET)
        # an enum fact (a str): membership; a set fact: a shared member
        return (
            f"{UNDETERMINED} if {value} is None else "
            f"(({hit} if {value} in {operand} else {miss}) if isinstance({value}, str) "
            f"else ({miss} if {operand}.isdisjoint({value}) else {hit}))"
        )
    else:
        raise ValueError(f"unknown operator {op!r}")  # the loaders reject these first
    return f"{UNDETERMINED} if {value} is None else ({MET} if {test} else {NOT_MET})"


def connective_source(kind: ConditionKind, children: Sequence[str]) -> str:
    """`connective_step` as an expression over the variables holding the children's
    statuses, by arithmetic on the three values (NOT_MET 0, MET 1, UNDETERMINED 2), which
    costs a third of a tuple test: the product of an `all` is 0 when a part is not met,
    1 when every part is met, and above 1 otherwise; the bitwise or of an `any` has its
    low bit set when a part is met, and is 0 or 2 otherwise. `_t` is a scratch name."""
    if kind == "not":
        return f"{NEGATION}[{children[0]}]"
    if kind not in ("all", "any"):
        raise ValueError(f"{kind!r} is not a connective")
    if len(children) == 1:
        return children[0]
    if kind == "all":
        return f"({UNDETERMINED} if (_t := {' * '.join(children)}) > {MET} else _t)"
    return f"({MET} if (_t := {' | '.join(children)}) & {MET} else _t)"


assert (NOT_MET, MET, UNDETERMINED) == (0, 1, 2)  # connective_source's arithmetic


# -------------------------------------------------------------------- display text


def show(value: Any) -> str:
    """A fact value as a reader sees it: true/false, [a, b], unknown."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (frozenset, set)):
        return "[" + ", ".join(sorted(value)) + "]"
    return str(value)


def describe_comparison(subject: str, op: str, operand: Any) -> str:
    """`age_at_victimization < 18`, `means includes any of [force, fraud]`."""
    return f"{subject} {SYMBOLS[op]} {show(operand)}"


# ------------------------------------------------------------ reading fact tests


class FactTestReader:
    """Reads the fact test of a rule condition or an invariant: `fact: NAME` and one
    operator key whose operand has the fact's type (`fact: x` alone is `is: true` for a
    yes/no fact). `extra` operators (an invariant's `known`) are recognised and named in
    messages; their operands are the caller's to read. `where` prefixes messages
    ("condition t3-minor: ")."""

    def __init__(self, vocabulary: Vocabulary, *, extra: tuple[str, ...] = ()) -> None:
        self.vocabulary = vocabulary
        self.extra = extra

    def fact(self, node: Node, where: str = "") -> str:
        """The fact named by `node`, which must be declared."""
        name = node.value
        if not isinstance(name, str) or name not in self.vocabulary:
            raise node.fail(
                f"{where}unknown fact {describe(name)}{did_you_mean(name, self.vocabulary.names())}"
            )
        return name

    def operator(self, node: Node, name: str, where: str = "") -> str | None:
        """The one operator key of test `node` on fact `name`; None for a yes/no fact
        tested without one (meaning `is: true`)."""
        fact = self.vocabulary[name]
        allowed = OPERATORS[fact.type] + self.extra
        # a key given without a value counts: its operand is then reported as missing
        found = [k for k in ALL_OPERATORS + self.extra if k in node.value]
        if not found:
            if fact.type != "bool":
                raise node.fail(
                    f"{where}a test of {fact.type} fact {name} needs one of: {', '.join(allowed)}"
                )
            return None
        if len(found) > 1:
            raise node.fail(f"{where}give one test, found {', '.join(found)}")
        op = found[0]
        if op not in allowed:
            raise node.fail(
                f"{where}`{op}` does not apply to {fact.type} fact {name}; use one of: "
                f"{', '.join(allowed)}",
                op,
            )
        return op

    def operand(self, node: Node, name: str, op: str) -> Any:
        """The value fact `name` is tested against: a boolean, a whole number, one
        choice, or a non-empty set of choices (for `any_of` and `none_of`)."""
        fact = self.vocabulary[name]
        if fact.type == "bool":
            return node.boolean()
        if fact.type == "int":
            return node.integer()
        if op in ("any_of", "none_of"):
            members = node.elements(what=f"list of {name} values", allow_empty=False)
            return frozenset(m.choice(fact.values, what=f"{name} value") for m in members)
        return node.choice(fact.values, what=f"{name} value")


# ------------------------------------------------------- what keeps a node open


class _Condition(Protocol):
    @property
    def kind(self) -> str: ...


class _Node(Protocol):
    """A node of a plan (law/conditions.py, PlanNode), as far as a walk needs it."""

    @property
    def condition(self) -> _Condition: ...
    @property
    def children(self) -> tuple[int, ...]: ...
    @property
    def target(self) -> int | None: ...


class Graph(Protocol):
    """A plan (law/conditions.py, Plan): its nodes, children before parents."""

    @property
    def nodes(self) -> Sequence[_Node]: ...


def leaves_below(
    plan: Graph,
    root: int,
    *,
    through: Sequence[int] | None = None,
    status: int = UNDETERMINED,
    last_first: bool = False,
) -> list[tuple[int, bool]]:
    """The leaves reached from node `root`, following references to the provision
    referred to: through every node, or, given the statuses of the nodes (`through`),
    through the nodes whose status is `status` (root included). Each node once, depth
    first, in the order the conditions are written (or the reverse, with `last_first`).
    With each leaf: whether a `not` stands above it on the way."""
    nodes = plan.nodes
    seen: set[int] = set()
    found: list[tuple[int, bool]] = []
    stack = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        index, negated = pop()
        if index in seen or (through is not None and through[index] != status):
            continue
        seen.add(index)
        node = nodes[index]
        kind = node.condition.kind
        if kind == "provision":
            push((node.target, negated))  # type: ignore[arg-type]
        elif node.children:
            below = negated or kind == "not"
            for child in node.children if last_first else reversed(node.children):
                if through is None or through[child] == status:
                    push((child, below))
        else:
            found.append((index, negated))
    return found


# A node of a tree in written order (`OrderedGraph.tree_order`): its index, the position
# just after its subtree in that order, and for a reference the root referred to.
TreeEntry = tuple[int, int, int | None]


class OrderedGraph(Protocol):
    """A plan (law/conditions.py, Plan) that lists the nodes of each tree in the order
    the conditions are written, parents first."""

    def tree_order(self, root: int) -> Sequence[TreeEntry]: ...


def open_leaves(plan: OrderedGraph, root: int, statuses: list[int]) -> list[int]:
    """The leaves that keep node `root` undetermined: reached through undetermined nodes
    only, since a decided node cannot change when more facts become known (Kleene logic
    is monotone in information). Answering every fact they test decides the root,
    unless one of them is an open question of law.

    Depth first, in the order the conditions are written, references followed: each
    tree is read in that order (`tree_order`, built once per plan), skipping the subtree
    of every decided node, and a provision referred to is entered at most once."""
    found: list[int] = []
    entered = {root}
    stack = [(plan.tree_order(root), 0)]
    while stack:
        entries, i = stack.pop()
        end_of_tree = len(entries)
        while i < end_of_tree:
            index, after, target = entries[i]
            if statuses[index] != UNDETERMINED:
                i = after  # decided: nothing below it keeps it open
                continue
            i += 1
            if target is not None:
                if target not in entered:  # read the tree referred to, then go on here
                    entered.add(target)
                    stack.append((entries, i))
                    entries, i = plan.tree_order(target), 0
                    end_of_tree = len(entries)
            elif after == i:  # nothing below it: a leaf
                found.append(index)
    return found
