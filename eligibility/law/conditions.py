"""Condition trees and their three-valued meaning: the reference semantics.

A provision is a tree of conditions. Inner nodes are `all`, `any` and `not`; leaves test
one fact, refer to another provision, stand for an open question of law (always
undetermined), or are constants (a provision not yet enacted is `always: not_met`).

Evaluation is Kleene's strong three-valued logic, defined in law/logic.py: a fact the
scenario does not state is unknown, never false, and a leaf on it is undetermined.

`Plan` flattens the trees of one rule book (at one date) into a list of nodes in
evaluation order: every provision after those it refers to, every node after its
children. The reference evaluator is one pass over that list; the durable-rules engine
compiles the same list, and both return the same per-node statuses, from which
`missing_facts` and explanations are derived by shared code.

Why one module of over 400 lines: the plan's generated functions (the pass, the
law-enforcement worlds, the walk to missing facts) sit beside the step-by-step forms
that define them and that the tests hold them to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

# The statuses are law/logic.py's; modules that take them with Plan import them from
# here too (the engines, the reports), hence the explicit re-exports.
from .logic import MET as MET
from .logic import NOT_MET as NOT_MET
from .logic import (
    STATUS_NAMES,
    UNDETERMINED,
    ConditionKind,
    Step,
    TreeEntry,
    connective_source,
    connective_step,
    describe_comparison,
    fact_source,
    fact_status,
    fact_step,
    open_leaves,
)
from .logic import STATUS_OF as STATUS_OF


@dataclass(frozen=True)
class Condition:
    """One node of a provision's condition tree, as written in a rule file."""

    id: str
    text: str
    kind: ConditionKind
    citation: str = ""
    children: tuple[Condition, ...] = ()
    fact: str | None = None
    op: str | None = None
    value: Any = None  # operand; frozenset for any_of / none_of
    provision: str | None = None  # for kind == "provision"
    question: str | None = None  # for kind == "open_question": e.g. "E-1"
    constant: int | None = None  # for kind == "always"
    verification: str | None = None  # V, V2 or U (LEGAL-BRIEF tags)
    reading: str | None = None  # the brief's ambiguity id this node adopts (E-1..)
    critiques: tuple[str, ...] = ()
    comment: str = ""  # what a reader should know about this element
    short: str = ""  # a plain label of a few words, for one-screen reports
    since: str | None = None  # set on resolution: the amendment that wrote it
    origin: tuple[str, int | None] = ("", None)  # file and line, for messages

    def walk(self) -> Iterable[Condition]:
        """This node and all its descendants, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def with_children(self, children: Iterable[Condition]) -> Condition:
        return replace(self, children=tuple(children))


def describe_test(condition: Condition) -> str:
    """A compact rendering of a leaf test: `age_at_victimization < 18`."""
    if condition.kind == "provision":
        return f"{condition.provision} is met"
    if condition.kind == "open_question":
        return f"open question {condition.question}"
    if condition.kind == "always":
        return f"always {STATUS_NAMES[condition.constant or 0]}"
    if condition.kind != "fact":
        return condition.kind
    return describe_comparison(condition.fact or "", condition.op or "is", condition.value)


@dataclass
class PlanNode:
    """A condition placed in a plan: its index, its children's indexes, its owner."""

    index: int
    condition: Condition
    owner: str  # provision id, or "note:<provision>:<note id>"
    children: tuple[int, ...] = ()
    target: int | None = None  # for provision references: the referred root


class World(dict[str, Any]):
    """One of the two law-enforcement worlds of a scenario, made by
    `Plan.world_overrides`: the facts it changes (a dict, so that any engine may
    evaluate it as facts changed), and which world it is. In the `favourable` one every
    dependency fact has its favourable value, in the other every one the other value:
    an engine that knows which may take the dependency facts as constants.

    `lean`: only what analysis/dependency.py reads of the world is wanted: in the
    favourable world, the status of each provision root not met as stated (met: gated;
    undetermined: possibly gated); in the unfavourable world, whether each root met as
    stated is not met there (relies on). Given a lean world, an engine may leave every
    other status UNDETERMINED, and give None instead of the world when no root it reads
    depends on a dependency fact (the others have their status as stated in every
    world, which is what None stands for)."""

    __slots__ = ("favourable", "lean")

    def __init__(self, changes: Mapping[str, Any], *, favourable: bool, lean: bool) -> None:
        super().__init__(changes)
        self.favourable = favourable
        self.lean = lean

    def needed(self, plan: Plan, statuses: list[int]) -> bool:
        """Whether anything of this world is wanted, given the statuses as stated: for a
        lean world, whether a root it is read for depends on a dependency fact."""
        if not self.lean:
            return True
        if self.favourable:  # read for the roots not met as stated
            return any(statuses[root] != MET for root in plan.dependent_roots)
        return any(statuses[root] == MET for root in plan.dependent_roots)


# How deep `Plan.missing` writes a tree out as nested tests (Python refuses 100 levels of
# indentation); a deeper tree, which no bundled rule set comes near, is walked instead.
_MISSING_DEPTH = 60
# and how many lines it writes for one root (a provision that refers twice to one that
# refers twice to another... doubles at each step); beyond that, the walk as well
_MISSING_LINES = 5_000


# the law-enforcement worlds a plan remembers, by the values of the dependency facts
_WORLDS_REMEMBERED = 4096

STEPS_BEFORE_COMPILING = 12  # Plan.evaluate's step-by-step passes before it compiles


@dataclass
class Plan:
    """The condition trees of one resolved rule book, flattened in evaluation order."""

    nodes: list[PlanNode]
    roots: dict[str, int]  # provision id (or note key) -> root index
    provisions: tuple[str, ...]  # provision ids in evaluation order
    dependency_facts: dict[str, Any] = field(default_factory=dict)
    # Nodes whose status can change when a dependency fact changes (a leaf testing one,
    # or a node above such a leaf, across provision references): the only ones a
    # law-enforcement world has to evaluate again; the others have their status as
    # stated in both worlds.
    dependent: frozenset[int] = field(init=False, repr=False)
    dependent_roots: tuple[int, ...] = field(init=False, repr=False)  # provision roots
    _steps: list[Step] = field(default_factory=list, repr=False)
    _compiled: Callable[[Mapping[str, Any]], list[int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _uses: int = field(default=0, init=False, repr=False, compare=False)
    _compiled_roots: dict[int, Callable[[Mapping[str, Any]], int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _compiled_worlds: list[Callable[[list[int]], list[int]] | None] = field(
        default_factory=lambda: [None, None], init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._steps = [self._step(node) for node in self.nodes]
        flags: list[bool] = []
        for node in self.nodes:
            c = node.condition
            if c.kind == "fact":
                flags.append(c.fact in self.dependency_facts)
            elif c.kind == "provision":
                flags.append(flags[node.target])  # type: ignore[index]
            else:
                flags.append(any(flags[i] for i in node.children))
        self.dependent = frozenset(i for i, d in enumerate(flags) if d)
        self.dependent_roots = tuple(
            self.roots[pid] for pid in self.provisions if flags[self.roots[pid]]
        )
        self._dependent = [(i, self._steps[i]) for i, d in enumerate(flags) if d]
        # In a law-enforcement world every dependency fact has a known value, so its
        # leaves are constants (in the favourable world, then in the other); only the
        # nodes above them are evaluated per scenario.
        leaves: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        for index, _ in self._dependent:
            c = self.nodes[index].condition
            if c.kind == "fact":
                favourable = self.dependency_facts[c.fact or ""]
                for world, value in zip(leaves, (favourable, not favourable), strict=True):
                    world.append((index, fact_status(c.op or "is", value, c.value)))
        self._world_leaves = leaves
        self._world_inner = [
            (i, step) for i, step in self._dependent if self.nodes[i].condition.kind != "fact"
        ]
        self._parents: dict[int, int] = {c: n.index for n in self.nodes for c in n.children}
        self._paths: dict[int, tuple[tuple[int, str, tuple[int, ...]], ...]] = {}
        self._orders: dict[int, tuple[TreeEntry, ...]] = {}
        self._missing: dict[int, Callable[[list[int]], tuple[list[str], list[str]]]] = {}
        # each dependency fact with its favourable value and the other one
        self._dependency_values = tuple(
            (name, value, not value) for name, value in self.dependency_facts.items()
        )
        self._dependency_names = tuple(self.dependency_facts)
        self._worlds: dict[tuple[Any, ...], tuple[World | None, World | None]] = {}
        # per node, what `missing` reports of it as an open leaf: (fact, open question)
        self._leaf_names: list[tuple[str | None, str | None]] = [
            (
                (n.condition.fact or "") if n.condition.kind == "fact" else None,
                (n.condition.question or n.condition.id)
                if n.condition.kind == "open_question"
                else None,
            )
            for n in self.nodes
        ]

    def parent(self, index: int) -> int | None:
        """The node whose child `index` is, within its provision's tree (None for a
        root)."""
        return self._parents.get(index)

    def tree_order(self, root: int) -> tuple[TreeEntry, ...]:
        """The nodes of the tree at `root` in the order the conditions are written,
        parents first, each with the position just after its subtree and, for a
        reference, the root referred to (law/logic.py, `open_leaves`). Built once per
        root."""
        found = self._orders.get(root)
        if found is None:
            entries: list[list[Any]] = []

            def place(index: int) -> None:
                node = self.nodes[index]
                entry = [index, 0, node.target]
                entries.append(entry)
                for child in node.children:
                    place(child)
                entry[1] = len(entries)

            place(root)
            found = self._orders[root] = tuple((i, after, t) for i, after, t in entries)
        return found

    def dependency_paths(self, root: int) -> tuple[tuple[int, str, tuple[int, ...]], ...]:
        """The leaves below `root` that test a dependency fact (across references to
        other provisions, never below a `not`), in tree order, each as (leaf, fact, the
        nodes above it from `root` down). Computed once per root."""
        found = self._paths.get(root)
        if found is None:
            out: list[tuple[int, str, tuple[int, ...]]] = []

            def walk(index: int, chain: tuple[int, ...]) -> None:
                node = self.nodes[index]
                kind = node.condition.kind
                if kind == "fact":
                    if node.condition.fact in self.dependency_facts:
                        out.append((index, node.condition.fact or "", chain))
                elif kind == "provision":
                    walk(node.target, chain + (index,))  # type: ignore[arg-type]
                elif kind in ("all", "any"):
                    for child in node.children:
                        walk(child, chain + (index,))

            walk(root, ())
            found = self._paths[root] = tuple(out)
        return found

    @cached_property
    def signature(self) -> str:
        """A digest of everything an engine's evaluation depends on: equal for two plans
        that every engine evaluates alike (ids, texts and citations aside), so that a plan
        loaded twice is compiled once (engine/cache.py)."""
        parts: list[Any] = [sorted(self.roots.items()), self.provisions]
        parts.append(sorted(self.dependency_facts.items()))
        for node in self.nodes:
            c = node.condition
            value = tuple(sorted(c.value)) if isinstance(c.value, frozenset) else c.value
            parts.append((c.kind, c.fact, c.op, value, c.provision, c.constant))
            parts.append((node.children, node.target))
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    def critique_for(self, index: int) -> str | None:
        """The critique that fits a node: the first one it cites or, failing that, the
        first one cited by its nearest ancestor in the same provision."""
        current: int | None = index
        while current is not None:
            critiques = self.nodes[current].condition.critiques
            if critiques:
                return critiques[0]
            current = self._parents.get(current)
        return None

    # -- the reference evaluator -----------------------------------------------
    @staticmethod
    def _step(node: PlanNode) -> Step:
        c = node.condition
        if c.kind == "fact":
            return fact_step(c.fact or "", c.op or "is", c.value)
        if c.kind == "provision":
            target = node.target
            assert target is not None
            return lambda facts, st: st[target]
        if c.kind == "open_question":
            return lambda facts, st: UNDETERMINED
        if c.kind == "always":
            constant = c.constant
            return lambda facts, st: constant  # type: ignore[return-value]
        return connective_step(c.kind, node.children)

    def evaluate(self, facts: Mapping[str, Any]) -> list[int]:
        """Status of every node, by Kleene's three-valued logic: the steps of
        `evaluate_steps`, compiled into one function once the plan has been used a few
        times. Compiling costs as much as some twenty step-by-step passes, and a report
        asks about the law at every amendment date (a plan per date) only a few times."""
        compiled = self._compiled
        if compiled is None:
            self._uses += 1
            if self._uses <= STEPS_BEFORE_COMPILING:
                return self.evaluate_steps(facts)
            compiled = self.compiled()
        return compiled(facts)

    def compiled(self) -> Callable[[Mapping[str, Any]], list[int]]:
        """`evaluate_steps` as one generated function (`_compile`), made once."""
        if self._compiled is None:
            self._compiled = self._compile()
        return self._compiled

    def evaluate_root(self, facts: Mapping[str, Any], root: int) -> int:
        """The status of one node (a provision's root), computing only the nodes below
        it and the provisions it refers to: what-if searches try thousands of changed
        facts against one provision, and with eleven provisions most nodes are not its."""
        compiled = self._compiled_roots.get(root)
        if compiled is None:
            compiled = self._compiled_roots[root] = self._compile(self._below(root), root)
        return compiled(facts)

    def _below(self, root: int) -> list[int]:
        """`root` and every node it reaches (children, referred provisions), in plan
        order, which evaluates a node after everything it reads."""
        seen = {root}
        stack = [root]
        while stack:
            node = self.nodes[stack.pop()]
            reached = [*node.children, *([node.target] if node.target is not None else [])]
            for index in reached:
                if index not in seen:
                    seen.add(index)
                    stack.append(index)
        return sorted(seen)

    def evaluate_steps(self, facts: Mapping[str, Any]) -> list[int]:
        """Status of every node, one step of law/logic.py per node (what `evaluate`
        compiles; tests check that both agree)."""
        st: list[int] = []
        append = st.append
        for step in self._steps:  # children and referred provisions come first
            append(step(facts, st))
        return st

    def _compile(self, subset: list[int] | None = None, result: int | None = None) -> Any:
        """`evaluate_steps` as one Python function: one statement per node, in plan
        order, from the expressions of law/logic.py (`fact_source`, `connective_source`).
        A call per node is most of the time of a step-by-step pass; this makes the
        reference evaluator about twice as fast. Each fact is read once, and a test
        written again (`citizenship` in five provisions) takes the status of its first
        occurrence. Fact names and operands are passed in as values (`f<k>`, `c<i>`), so
        no text of a rule file becomes source code; a bool or int operand is written as
        its literal, which Python compares faster than a global. With `subset` (nodes closed under
        what they read, in plan order) only those nodes, returning the status of
        `result`."""
        values: dict[str, Any] = {}
        lines = ["def evaluate(facts):", "    get = facts.get"]
        read: dict[str, str] = {}  # fact -> the variable holding its value
        tests: dict[tuple[str, str, Any], int] = {}  # a test -> its first leaf
        nodes = self.nodes if subset is None else [self.nodes[i] for i in subset]
        for node in nodes:
            c, i = node.condition, node.index
            if c.kind == "fact":
                fact, op = c.fact or "", c.op or "is"
                variable = read.get(fact)
                if variable is None:
                    variable = read[fact] = f"v{len(read)}"
                    values[f"f{len(read) - 1}"] = fact
                    lines.append(f"    {variable} = get(f{len(read) - 1})")
                first = tests.setdefault((fact, op, _hashable(c.value)), i)
                if first != i:
                    expression = f"s{first}"
                elif type(c.value) in (bool, int):  # exactly: a literal, never rule text
                    expression = fact_source(variable, op, repr(c.value))
                else:
                    values[f"c{i}"] = c.value
                    expression = fact_source(variable, op, f"c{i}")
            elif c.kind == "provision":
                expression = f"s{node.target}"
            elif c.kind == "open_question":
                expression = str(UNDETERMINED)
            elif c.kind == "always":
                expression = str(int(c.constant or 0))
            else:
                expression = connective_source(c.kind, [f"s{k}" for k in node.children])
            lines.append(f"    s{i} = {expression}")
        if result is None:
            lines.append(f"    return [{', '.join(f's{i}' for i in range(len(self.nodes)))}]")
        else:
            lines.append(f"    return s{result}")
        namespace: dict[str, Any] = dict(values)
        exec(compile("\n".join(lines), "<plan>", "exec"), namespace)  # noqa: S102
        return namespace["evaluate"]

    # -- what is still missing --------------------------------------------------
    def missing(self, statuses: list[int], root: int) -> tuple[list[str], list[str]]:
        """Unknown facts, and open questions of law, that keep `root` undetermined
        (law/logic.py, `open_leaves`): answering every fact returned decides the root,
        unless an open question of law is also returned. Each in the order the walk
        meets it first. Runs `_compile_missing`'s function for `root`, built on first
        use (`missing_by_walk` where that cannot be built)."""
        compiled = self._missing.get(root)
        if compiled is None:
            compiled = self._missing[root] = self._compile_missing(root)
        return compiled(statuses)

    def missing_by_walk(self, statuses: list[int], root: int) -> tuple[list[str], list[str]]:
        """`missing`, from the walk of law/logic.py (`open_leaves`)."""
        facts: dict[str, None] = {}
        questions: dict[str, None] = {}
        names = self._leaf_names
        for index in open_leaves(self, root, statuses):
            fact, question = names[index]
            if fact is not None:
                facts[fact] = None
            elif question is not None:
                questions[question] = None
        return list(facts), list(questions)

    def _compile_missing(self, root: int) -> Callable[[list[int]], tuple[list[str], list[str]]]:
        """`missing_by_walk` for one root as a Python function: the tree written out as
        nested tests `if st[i] == UNDETERMINED:`, a reference as the tree it refers to,
        each leaf reached adding its fact or open question. A provision referred to twice
        is written out twice where the walk enters it once: its second visit can only
        meet facts already found, so the result is the same. Beyond `_MISSING_DEPTH`
        nested tests (Python's own limit is 100), or `_MISSING_LINES` lines (references
        written out again and again), the walk."""
        values: dict[str, Any] = {}
        lines = ["def missing(st):", "    facts = {}", "    questions = {}"]
        too_deep = False

        def write(index: int, depth: int) -> None:
            nonlocal too_deep
            if depth > _MISSING_DEPTH or len(lines) > _MISSING_LINES:
                too_deep = True
                return
            pad = "    " * depth
            lines.append(f"{pad}if st[{index}] == {UNDETERMINED}:")
            node = self.nodes[index]
            fact, question = self._leaf_names[index]
            if node.target is not None:
                write(node.target, depth + 1)
            elif node.children:
                for child in node.children:
                    write(child, depth + 1)
            elif fact is not None:
                values[f"n{index}"] = fact
                lines.append(f"{pad}    facts[n{index}] = None")
            elif question is not None:
                values[f"n{index}"] = question
                lines.append(f"{pad}    questions[n{index}] = None")
            else:
                lines.append(f"{pad}    pass")

        write(root, 1)
        if too_deep:
            return lambda statuses: self.missing_by_walk(statuses, root)
        lines.append("    return list(facts), list(questions)")
        namespace: dict[str, Any] = dict(values)
        exec(compile("\n".join(lines), "<plan missing>", "exec"), namespace)  # noqa: S102
        function: Callable[[list[int]], tuple[list[str], list[str]]] = namespace["missing"]
        return function

    def counterfactual_overrides(self, facts: Mapping[str, Any]) -> dict[str, Any] | None:
        """The law-enforcement dependency facts whose value differs from the favourable
        one, set to it; None when the counterfactual changes nothing."""
        changed = {
            name: value for name, value in self.dependency_facts.items() if facts.get(name) != value
        }
        return changed or None

    def world_overrides(
        self, facts: Mapping[str, Any], *, lean: bool = False
    ) -> tuple[World | None, World | None]:
        """The two law-enforcement worlds of a scenario, as the facts they change: every
        dependency fact at its favourable value (law enforcement acted, the person
        cooperated), and every one at the other value (neither happened). None for a
        world identical to the scenario as stated. `lean`: see `World`. The pair depends
        on the dependency facts' values alone, so it is made once per combination of
        them (engines only read a world)."""
        try:
            key = (lean, *map(facts.get, self._dependency_names))
            found = self._worlds.get(key)
        except TypeError:  # an unhashable value, which validation refuses: no memo
            return self._make_worlds(facts, lean)
        if found is None:
            if len(self._worlds) >= _WORLDS_REMEMBERED:
                self._worlds.clear()
            found = self._worlds[key] = self._make_worlds(facts, lean)
        return found

    def _make_worlds(
        self, facts: Mapping[str, Any], lean: bool
    ) -> tuple[World | None, World | None]:
        favourable: dict[str, Any] = {}
        unfavourable: dict[str, Any] = {}
        for name, value, other in self._dependency_values:
            stated = facts.get(name)
            if stated != value:
                favourable[name] = value
            if stated != other:
                unfavourable[name] = other
        return (
            World(favourable, favourable=True, lean=lean) if favourable else None,
            World(unfavourable, favourable=False, lean=lean) if unfavourable else None,
        )

    def evaluate_world(
        self, facts: Mapping[str, Any], changes: Mapping[str, Any], statuses: list[int]
    ) -> list[int]:
        """Statuses with `changes` (dependency facts only) applied to `facts`, given the
        `statuses` of `facts` as stated: only nodes that depend on a dependency fact are
        evaluated again, in plan order."""
        if isinstance(changes, World):  # its dependency leaves are constants
            which = 0 if changes.favourable else 1
            compiled = self._compiled_worlds[which]
            if compiled is None:
                compiled = self._compiled_worlds[which] = self._compile_world(which)
            return compiled(statuses)
        st = list(statuses)
        world = {**facts, **changes}
        if not changes.keys() <= self.dependency_facts.keys():
            return self.evaluate(world)
        for index, step in self._dependent:
            st[index] = step(world, st)
        return st

    def _compile_world(self, which: int) -> Callable[[list[int]], list[int]]:
        """The evaluation of a law-enforcement world (0: favourable, 1: the other) as one
        function of the statuses as stated, like `_compile`: its dependency leaves set to
        their constants, then the nodes above them again, in plan order."""
        lines = ["def world(st):", "    out = st[:]"]
        for index, status in self._world_leaves[which]:
            lines.append(f"    out[{index}] = {status}")
        for index, _ in self._world_inner:
            node = self.nodes[index]
            kind = node.condition.kind
            if kind == "provision":
                expression = f"out[{node.target}]"
            else:
                expression = connective_source(kind, [f"out[{k}]" for k in node.children])
            lines.append(f"    out[{index}] = {expression}")
        lines.append("    return out")
        namespace: dict[str, Any] = {}
        exec(compile("\n".join(lines), "<plan world>", "exec"), namespace)  # noqa: S102
        function: Callable[[list[int]], list[int]] = namespace["world"]
        return function

    def explanation(
        self, statuses: list[int], index: int, describe: Callable[[PlanNode, int], dict[str, Any]]
    ) -> dict[str, Any]:
        """A nested explanation dict for the subtree at `index` (built on demand)."""
        node = self.nodes[index]
        out = describe(node, statuses[index])
        out["children"] = [self.explanation(statuses, i, describe) for i in node.children]
        return out


def _hashable(value: Any) -> Any:
    """An operand as a dictionary key, telling apart values that compare equal across
    types (`True == 1`); an unhashable one is keyed by identity (never shared)."""
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return (type(value).__name__, value)


def build_plan(
    trees: Mapping[str, Condition], order: Iterable[str], dependency_facts: Mapping[str, Any]
) -> Plan:
    """Flatten condition trees (provision id or note key -> root) in `order`.

    `order` must list every provision after the provisions it refers to.
    """
    nodes: list[PlanNode] = []
    roots: dict[str, int] = {}

    def place(condition: Condition, owner: str) -> int:
        children = tuple(place(child, owner) for child in condition.children)
        target = roots[condition.provision or ""] if condition.kind == "provision" else None
        nodes.append(PlanNode(len(nodes), condition, owner, children, target))
        return len(nodes) - 1

    ordered = list(order)
    for key in ordered:
        roots[key] = place(trees[key], key)
    provisions = tuple(key for key in ordered if not key.startswith("note:"))
    return Plan(nodes, roots, provisions, dict(dependency_facts))
