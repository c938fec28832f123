"""The column-wise engine (`--engine vector`): the plan evaluated over many cases at once.

Facts are columns (numpy arrays, one entry per case), each type coded so that unknown is
a value of the column, never a separate lookup:

    bool  uint8: 0 false, 1 unknown, 2 true (`x is true` *is* the column, see below)
    int   int64, INT_UNKNOWN (the smallest int64) for unknown
    enum  uint8 (uint16 above 255 values): the value's index in the vocabulary, the
          largest code for unknown
    set   uint64: bit i for the vocabulary's i-th value (at most 62, see vocabulary.py),
          SET_UNKNOWN (bit 63 alone) for unknown

A node's status is a uint8 column of *ordered* codes: 0 not met, 1 undetermined, 2 met.
Kleene's strong three-valued logic (law/conditions.py, the reference semantics) is then
`all` = minimum, `any` = maximum, `not` = 2 - x, and a reference to a provision is the
referred root's column itself. Public statuses (NOT_MET=0, MET=1, UNDETERMINED=2) are
produced only at the edge (`Evaluation.status`, the PUBLIC table). A node whose status
is the same for every case (an open question, a constant, a test of a law-enforcement
fact in a counterfactual world) is a Python int, not a column, and folds away in
`all`/`any`.

The two law-enforcement worlds (every dependency fact at its favourable value, and every
one at the other value) re-evaluate only the nodes that depend on a dependency fact, as
`Plan.evaluate_world` does. From the three evaluations come each provision's dependency
level (the definition is analysis/dependency.py; it is restated column-wise in `levels`,
and tests/test_vector.py holds the two to the same answers) and, per undetermined root,
the unknown facts and open questions that keep it undetermined, as bit masks of one or
more uint64 words (`missing`).

`VectorEngine` implements the per-case engine interface (`evaluate(plan, facts,
worlds)`) as a batch of one row per world, so the differential tests run it like the
other engines; populations use `CompiledPlan` and `Batch` directly.

Why one module of over 400 lines: the codec, the Kleene operations on masks, the
leaves and the compiled plans share one representation of a column of three values;
apart, each would depend on the others' private layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EngineError
from ..law.conditions import MET, NOT_MET, UNDETERMINED, Plan
from ..law.vocabulary import Facts

# ordered status codes: Kleene's `all` is the minimum, `any` the maximum
K_NOT_MET, K_UNDETERMINED, K_MET = 0, 1, 2
PUBLIC = np.array([NOT_MET, UNDETERMINED, MET], dtype=np.uint8)  # ordered -> public
ORDERED = {NOT_MET: K_NOT_MET, MET: K_MET, UNDETERMINED: K_UNDETERMINED}  # public -> ordered

BOOL_FALSE, BOOL_UNKNOWN, BOOL_TRUE = 0, 1, 2
INT_UNKNOWN = int(np.iinfo(np.int64).min)
SET_UNKNOWN = 1 << 63

# The dependency levels of analysis/dependency.py, in its LEVELS order (a test checks).
LEVEL_NAMES = ("gated", "possibly_gated", "relies_on", "independent")
GATED, POSSIBLY_GATED, RELIES_ON, INDEPENDENT = range(4)

# A node's status over a batch: a uint8 column, or one code for every case.
Value = np.ndarray | int


# ------------------------------------------------------------------ facts as columns


class Codec:
    """How the facts of a vocabulary become columns, and back."""

    def __init__(
        self, fact_types: Mapping[str, str], fact_values: Mapping[str, Sequence[str]]
    ) -> None:
        self.types = dict(fact_types)
        self.names = tuple(self.types)
        self.values = {name: tuple(fact_values.get(name, ())) for name in self.names}
        self.index = {name: {v: i for i, v in enumerate(vs)} for name, vs in self.values.items()}
        self.bit = {name: i for i, name in enumerate(self.names)}  # for missing-fact masks
        self.dtypes: dict[str, np.dtype[Any]] = {}
        self.unknown: dict[str, int] = {}
        for name, kind in self.types.items():
            dtype: np.dtype[Any]
            if kind == "bool":
                dtype, unknown = np.dtype(np.uint8), BOOL_UNKNOWN
            elif kind == "int":
                dtype, unknown = np.dtype(np.int64), INT_UNKNOWN
            elif kind == "enum":
                dtype = np.dtype(np.uint8 if len(self.values[name]) < 255 else np.uint16)
                unknown = int(np.iinfo(dtype).max)
            elif kind == "set":
                if len(self.values[name]) > 63:
                    raise EngineError(f"set fact {name}: at most 63 values fit a column")
                dtype, unknown = np.dtype(np.uint64), SET_UNKNOWN
            else:
                raise EngineError(f"fact {name}: unknown type {kind!r}")
            self.dtypes[name], self.unknown[name] = dtype, unknown

    def code(self, name: str, value: Any) -> int:
        """The column code of one value (None: unknown)."""
        if value is None:
            return self.unknown[name]
        kind = self.types[name]
        if kind == "bool":
            return BOOL_TRUE if value else BOOL_FALSE
        if kind == "int":
            return int(value)
        index = self.index[name]
        if kind == "enum":
            return index[value]
        mask = 0
        for member in value:
            mask |= 1 << index[member]
        return mask

    def value(self, name: str, code: int) -> Any:
        """The fact value of one code (None: unknown)."""
        if code == self.unknown[name]:
            return None
        kind = self.types[name]
        if kind == "bool":
            return code == BOOL_TRUE
        if kind == "int":
            return code
        values = self.values[name]
        if kind == "enum":
            return values[code]
        return frozenset(v for i, v in enumerate(values) if code >> i & 1)

    def column(self, name: str, values: list[Any]) -> np.ndarray:
        """The column of one fact's values (None: unknown). One comprehension per type,
        without a call per value: encoding is most of the cost of a batch of dicts."""
        kind, unknown = self.types[name], self.unknown[name]
        codes: list[int]
        if kind == "bool":
            codes = [unknown if v is None else BOOL_TRUE if v else BOOL_FALSE for v in values]
        elif kind == "int":
            codes = [unknown if v is None else v for v in values]
        elif kind == "enum":
            index = self.index[name]
            codes = [unknown if v is None else index[v] for v in values]
        else:
            masks: dict[frozenset[str], int] = {}  # few distinct sets in a population
            code = self.code
            codes = [
                unknown
                if v is None
                else masks[v]
                if v in masks
                else masks.setdefault(v, code(name, v))
                for v in values
            ]
        return np.array(codes, self.dtypes[name])

    def unknown_column(self, name: str, count: int) -> np.ndarray:
        return np.full(count, self.unknown[name], self.dtypes[name])

    def encode(self, rows: Sequence[Mapping[str, Any]]) -> Batch:
        """Fact dicts (unknown facts absent) as a batch of columns."""
        count = len(rows)
        columns = {}
        for name in self.names:
            values = [row.get(name) for row in rows]
            if values.count(None) == count:
                columns[name] = self.unknown_column(name, count)
            else:
                columns[name] = self.column(name, values)
        return Batch(self, count, columns)


@dataclass
class Batch:
    """The facts of `count` cases, one column per fact of the codec's vocabulary."""

    codec: Codec
    count: int
    columns: dict[str, np.ndarray]
    # each case's weight (int64 units, population/weights.py), None when unweighted
    weights: np.ndarray | None = None
    _derived: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)

    def known(self, name: str) -> np.ndarray:
        """Bool column: the fact is known (cached: several leaves test one fact)."""
        key = ("known", name)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = self.columns[name] != self.codec.unknown[name]
        return found

    def unknown(self, name: str) -> np.ndarray:
        key = ("unknown", name)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = ~self.known(name)
        return found

    def facts(self, row: int) -> Facts:
        """The facts of one case, as a scenario holds them."""
        out: Facts = {}
        for name, column in self.columns.items():
            value = self.codec.value(name, int(column[row]))
            if value is not None:
                out[name] = value
        return out

    def take(self, rows: np.ndarray) -> Batch:
        """The cases at `rows` (indexes or a bool mask), as a batch of their own."""
        columns = {name: column[rows] for name, column in self.columns.items()}
        count = len(next(iter(columns.values()))) if columns else 0
        weights = self.weights[rows] if self.weights is not None else None
        return Batch(self.codec, count, columns, weights)


# ------------------------------------------------------------------ Kleene logic


def _all(values: Iterable[Value]) -> Value:
    constant, arrays = K_MET, []
    for value in values:
        if isinstance(value, int):
            constant = min(constant, value)
        else:
            arrays.append(value)
    if constant == K_NOT_MET or not arrays:
        return constant
    out = arrays[0] if len(arrays) == 1 else np.minimum(arrays[0], arrays[1])
    for array in arrays[2:]:
        np.minimum(out, array, out=out)
    return out if constant == K_MET else np.minimum(out, constant)


def _any(values: Iterable[Value]) -> Value:
    constant, arrays = K_NOT_MET, []
    for value in values:
        if isinstance(value, int):
            constant = max(constant, value)
        else:
            arrays.append(value)
    if constant == K_MET or not arrays:
        return constant
    out = arrays[0] if len(arrays) == 1 else np.maximum(arrays[0], arrays[1])
    for array in arrays[2:]:
        np.maximum(out, array, out=out)
    return out if constant == K_NOT_MET else np.maximum(out, constant)


def _not(value: Value) -> Value:
    return K_MET - value


def select(mask: np.ndarray, yes: np.ndarray | int, no: np.ndarray) -> np.ndarray:
    """`np.where(mask, yes, no)` for integer columns, without branches: several times
    faster when the mask is irregular, as in populations."""
    ones = np.negative(mask.astype(no.dtype))  # all bits set where mask holds
    out = no & ~ones
    out |= np.asarray(yes, no.dtype) & ones
    return out


def _or_masks(values: Iterable[np.ndarray | bool]) -> np.ndarray | bool:
    out: np.ndarray | bool = False
    for value in values:
        if value is False:
            continue
        out = value if out is False else out | value
    return out


# ------------------------------------------------------------------ leaves


def _status_of(test: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Ordered status from a bool test that is False wherever the fact is unknown."""
    out = test.view(np.uint8) << 1
    out |= unknown.view(np.uint8)
    return out


Leaf = Callable[[np.ndarray, Batch], Value]


def _compile_leaf(codec: Codec, name: str, op: str, operand: Any) -> Leaf:
    """One fact test as a function (column, batch) -> ordered status column."""
    kind = codec.types[name]
    if kind == "bool":
        # codes 0 false, 1 unknown, 2 true are already the statuses of `is: true`
        if op not in ("is", "eq"):
            raise EngineError(f"bool fact {name}: unknown operator {op!r}")
        if operand:
            return lambda column, batch: column
        return lambda column, batch: K_MET - column
    if kind == "int":
        compare = {
            "eq": np.equal,
            "lt": np.less,
            "le": np.less_equal,
            "gt": np.greater,
            "ge": np.greater_equal,
        }[op]
        bound = int(operand)

        def ordered(column: np.ndarray, batch: Batch) -> Value:
            test = compare(column, bound)
            test &= batch.known(name)
            return _status_of(test, batch.unknown(name))

        return ordered
    if kind == "enum":
        values = codec.values[name]
        if op in ("is", "eq"):
            chosen = {operand}
            hit, miss = K_MET, K_NOT_MET
        else:
            chosen = set(operand)
            hit, miss = (K_MET, K_NOT_MET) if op == "any_of" else (K_NOT_MET, K_MET)
        table = np.full(codec.unknown[name] + 1, K_UNDETERMINED, np.uint8)
        for i, value in enumerate(values):
            table[i] = hit if value in chosen else miss
        return lambda column, batch: np.take(table, column)
    # set: `any_of S` holds when the case's set meets S
    mask = np.uint64(codec.code(name, frozenset(operand)))
    if op == "any_of":

        def meets(column: np.ndarray, batch: Batch) -> Value:
            return _status_of((column & mask) != 0, batch.unknown(name))

        return meets

    def misses(column: np.ndarray, batch: Batch) -> Value:
        unknown = batch.unknown(name)
        test = (column & mask) == 0
        test &= batch.known(name)
        return _status_of(test, unknown)

    return misses


# ------------------------------------------------------------------ compiled plans


@dataclass
class Evaluation:
    """Ordered statuses of every node of a plan over a batch: as stated and, when asked,
    in the favourable and unfavourable law-enforcement worlds."""

    plan: CompiledPlan
    batch: Batch
    stated: list[Value]
    favourable: list[Value] | None = None
    unfavourable: list[Value] | None = None
    _reach: list[np.ndarray | bool] | None = field(default=None, repr=False)

    def column(self, index: int, world: list[Value] | None = None) -> np.ndarray:
        """Ordered statuses of node `index` as a column (constants broadcast)."""
        value = (self.stated if world is None else world)[index]
        if isinstance(value, int):
            return np.full(self.batch.count, value, np.uint8)
        return value

    def status(self, index: int, world: list[Value] | None = None) -> np.ndarray:
        """Public statuses (NOT_MET, MET, UNDETERMINED) of node `index`."""
        return np.take(PUBLIC, self.column(index, world))

    def levels(self, root: int) -> np.ndarray:
        """The law-enforcement dependency level of the provision rooted at `root`, per
        case: indexes into LEVEL_NAMES (see analysis/dependency.py).

            gated           s != met and f == met
            possibly_gated  s != met and f undetermined and a blocker exists
            relies_on       s == met and u == not met
            independent     otherwise
        """
        if self.favourable is None or self.unfavourable is None:
            raise EngineError("dependency levels need the two law-enforcement worlds")
        s = self.column(root)
        f = self.column(root, self.favourable)
        u = self.column(root, self.unfavourable)
        unmet = s != K_MET
        gated = unmet & (f == K_MET)
        possibly = unmet & (f == K_UNDETERMINED)
        reach = self.reach()[root]
        possibly = possibly & reach if reach is not False else np.zeros_like(possibly)
        relies = (s == K_MET) & (u == K_NOT_MET)
        # the three are exclusive: independent (3) minus 3, 2 or 1
        level = np.full(self.batch.count, INDEPENDENT, np.uint8)
        level -= gated.view(np.uint8) * np.uint8(3)
        level -= possibly.view(np.uint8) * np.uint8(2)
        level -= relies.view(np.uint8)
        return level

    def reach(self) -> list[np.ndarray | bool]:
        """Per node, whether a law-enforcement blocker is reached from it: walking over
        nodes not met as stated, `all`/`any` to their children, a provision reference to
        the referred root, never below a `not`; a leaf on a dependency fact whose value
        is not the favourable one (unknown included) blocks (analysis/dependency.py)."""
        if self._reach is None:
            self._reach = self.plan.reach(self)
        return self._reach

    def missing(self, root: int) -> tuple[np.ndarray, np.ndarray]:
        """Per case, the unknown facts (bit i: the codec's i-th fact) and open questions
        (bit j: the plan's j-th question, `CompiledPlan.questions`) that keep `root`
        undetermined; zero where it is decided (`Plan.missing`, column-wise). Each is a
        uint64 array of one row per case and one column per 64 bits (bit i is bit i % 64
        of word i // 64; `mask_bits` makes a row one int): the vocabulary has over 64
        facts since issue 17, and a column of Python ints was six times slower."""
        return self.plan.missing(self, root)


class CompiledPlan:
    """A plan compiled for columns: one step per node, in plan order."""

    def __init__(self, plan: Plan, codec: Codec) -> None:
        self.plan = plan
        self.codec = codec
        self.dependency = dict(plan.dependency_facts)
        for name in self.dependency:
            if name not in codec.types:  # an overlay's fact, and an engine built without it
                raise EngineError(f"fact {name} is not in the vocabulary the engine was built with")
            if codec.types[name] != "bool":
                raise EngineError(f"dependency fact {name} must be a bool fact")
        nodes = plan.nodes
        self.kinds = [n.condition.kind for n in nodes]
        self.leaves: dict[int, tuple[str, Leaf]] = {}
        for node in nodes:
            c = node.condition
            if c.kind == "fact":
                name = c.fact or ""
                if name not in codec.types:
                    raise EngineError(f"condition {c.id}: fact {name} is not in the vocabulary")
                self.leaves[node.index] = (name, _compile_leaf(codec, name, c.op or "", c.value))
        # nodes whose status can change with a dependency fact (Plan.__post_init__)
        dependent: list[bool] = []
        for node in nodes:
            kind = node.condition.kind
            if kind == "fact":
                dependent.append(node.condition.fact in self.dependency)
            elif kind == "provision":
                dependent.append(dependent[node.target])  # type: ignore[index]
            else:
                dependent.append(any(dependent[i] for i in node.children))
        self.dependent = [i for i, d in enumerate(dependent) if d]
        # a dependency leaf in a world tests a constant: its status is a constant too
        self.world_leaves: tuple[dict[int, int], dict[int, int]] = ({}, {})
        for index in self.dependent:
            if index in self.leaves:
                name, step = self.leaves[index]
                for world, value in zip(
                    self.world_leaves,
                    (self.dependency[name], not self.dependency[name]),
                    strict=True,
                ):
                    one = np.array([codec.code(name, value)], codec.dtypes[name])
                    single = Batch(codec, 1, {name: one})
                    world[index] = int(np.asarray(step(one, single)).reshape(-1)[0])
        self.favourable_code = {
            name: codec.code(name, value) for name, value in self.dependency.items()
        }
        self._closures: dict[int, list[int]] = {}
        self.questions: tuple[str, ...] = tuple(
            dict.fromkeys(
                n.condition.question or n.condition.id
                for n in nodes
                if n.condition.kind == "open_question"
            )
        )
        # per leaf and open question, its bit of the missing-fact masks (`missing`): the
        # word it lies in, and the mask within that word
        fact_words = _words(len(codec.names))
        channels = fact_words + _words(len(self.questions))
        self._leaf_masks: dict[int, Callable[[Batch], tuple[np.ndarray | int, ...]]] = {
            index: _leaf_mask(name, codec.bit[name], channels)
            for index, (name, _) in self.leaves.items()
        }
        question_bit = {q: i for i, q in enumerate(self.questions)}
        self._question_masks: dict[int, tuple[np.ndarray | int, ...]] = {}
        for node in nodes:
            if node.condition.kind == "open_question":
                bit = question_bit[node.condition.question or node.condition.id]
                words: list[np.ndarray | int] = [0] * channels
                words[fact_words + bit // WORD] = 1 << (bit % WORD)
                self._question_masks[node.index] = tuple(words)

    # -- statuses -----------------------------------------------------------------
    def evaluate(self, batch: Batch, *, worlds: bool = True) -> Evaluation:
        """Every node as stated and, with `worlds`, in the two law-enforcement worlds."""
        stated = self._stated(batch)
        evaluation = Evaluation(self, batch, stated)
        if worlds:
            evaluation.favourable = self._world(stated, 0)
            evaluation.unfavourable = self._world(stated, 1)
        return evaluation

    def _stated(self, batch: Batch) -> list[Value]:
        out: list[Value] = []
        append = out.append
        columns = batch.columns
        for node in self.plan.nodes:
            kind = node.condition.kind
            if kind == "fact":
                name, step = self.leaves[node.index]
                append(step(columns[name], batch))
            elif kind == "all":
                append(_all(out[i] for i in node.children))
            elif kind == "any":
                append(_any(out[i] for i in node.children))
            elif kind == "not":
                append(_not(out[node.children[0]]))
            elif kind == "provision":
                append(out[node.target])  # type: ignore[index]
            elif kind == "open_question":
                append(K_UNDETERMINED)
            elif kind == "always":
                append(ORDERED[node.condition.constant or NOT_MET])
            else:
                raise EngineError(f"unknown condition kind {kind!r}")
        return out

    def _world(self, stated: list[Value], which: int) -> list[Value]:
        """Statuses with every dependency fact at its favourable value (which=0) or at
        the other one (which=1): only nodes that depend on one are evaluated again."""
        out = list(stated)
        leaves = self.world_leaves[which]
        nodes = self.plan.nodes
        for index in self.dependent:
            node = nodes[index]
            kind = node.condition.kind
            if kind == "fact":
                out[index] = leaves[index]
            elif kind == "all":
                out[index] = _all(out[i] for i in node.children)
            elif kind == "any":
                out[index] = _any(out[i] for i in node.children)
            elif kind == "not":
                out[index] = _not(out[node.children[0]])
            elif kind == "provision":
                out[index] = out[node.target]  # type: ignore[index]
        return out

    # -- dependency and missing facts --------------------------------------------------
    def reach(self, evaluation: Evaluation) -> list[np.ndarray | bool]:
        stated, batch = evaluation.stated, evaluation.batch
        out: list[np.ndarray | bool] = [False] * len(stated)
        nodes = self.plan.nodes
        for index in self.dependent:  # only these can reach a dependency leaf
            node = nodes[index]
            kind = node.condition.kind
            if kind == "fact":
                name = self.leaves[index][0]
                found: np.ndarray | bool = batch.columns[name] != self.favourable_code[name]
            elif kind in ("all", "any"):
                found = _or_masks(out[i] for i in node.children)
            elif kind == "provision":
                out[index] = out[node.target]  # type: ignore[index]
                continue
            else:  # `not`: nothing below it is followed
                continue
            if found is False:
                continue
            status = stated[index]
            if isinstance(status, int):
                out[index] = found if status != K_MET else False
            else:
                out[index] = found & (status != K_MET)
        return out

    def missing(self, evaluation: Evaluation, root: int) -> tuple[np.ndarray, np.ndarray]:
        """`Evaluation.missing`: masks of `WORD` bits per word, as many words as the
        codec has facts (and the plan questions) over 64. Each word is its own uint64
        column through the walk, so a vocabulary of any size stays vectorised; a leaf
        sets its bit in its one word and is the constant 0 in the others, which folds
        away in `_where`."""
        stated, batch, count = evaluation.stated, evaluation.batch, evaluation.batch.count
        nodes = self.plan.nodes
        fact_words = _words(len(self.codec.names))
        channels = fact_words + _words(len(self.questions))  # fact words, question words
        zero: tuple[np.ndarray | int, ...] = (0,) * channels
        masks: dict[int, tuple[np.ndarray | int, ...]] = {}
        for index in self._closure(root):
            node = nodes[index]
            kind = node.condition.kind
            if kind == "fact":
                masks[index] = self._leaf_masks[index](batch)
                continue
            if kind == "open_question":
                masks[index] = self._question_masks[index]
                continue
            if kind == "provision":
                masks[index] = masks[node.target]  # type: ignore[index]
                continue
            found = list(zero)
            for i in node.children:
                for k, word in enumerate(masks[i]):
                    if isinstance(word, int) and not word:
                        continue
                    current = found[k]
                    found[k] = word if isinstance(current, int) and not current else current | word
            undetermined = stated[index] == K_UNDETERMINED
            masks[index] = tuple(_where(undetermined, word) for word in found)
        words = [_full(word, count) for word in masks[root]]
        return np.stack(words[:fact_words], axis=1), np.stack(words[fact_words:], axis=1)

    def _closure(self, root: int) -> list[int]:
        """Nodes reachable from `root`, across provision references, in plan order."""
        found = self._closures.get(root)
        if found is None:
            found = self._closures[root] = sorted(self._reachable(root))
        return found

    def _reachable(self, root: int) -> set[int]:
        seen: set[int] = set()
        stack = [root]
        nodes = self.plan.nodes
        while stack:
            index = stack.pop()
            if index in seen:
                continue
            seen.add(index)
            node = nodes[index]
            stack.extend(node.children)
            if node.target is not None:
                stack.append(node.target)
        return seen


WORD = 64  # bits per word of a missing-fact mask (a uint64 column)


def _words(bits: int) -> int:
    """Words of a mask of `bits` bits (at least one, so every mask has a column)."""
    return max(1, -(-bits // WORD))


def mask_bits(words: np.ndarray) -> int:
    """One case's mask (a row of `Evaluation.missing`) as a Python int: bit i of word k
    is bit 64k + i."""
    return sum(int(word) << (WORD * k) for k, word in enumerate(words.tolist()))


def _leaf_mask(
    name: str, bit: int, channels: int
) -> Callable[[Batch], tuple[np.ndarray | int, ...]]:
    """The missing-fact masks of a leaf on fact `name` (the codec's `bit`-th fact): its
    bit where the fact is unknown, in its word; the constant 0 in the other words."""
    word, value = bit // WORD, np.uint64(1 << (bit % WORD))
    key = ("missing", name)

    def masks(batch: Batch) -> tuple[np.ndarray | int, ...]:
        column = batch._derived.get(key)  # several leaves, and provisions, test one fact
        if column is None:
            column = batch._derived[key] = batch.unknown(name).astype(np.uint64) * value
        out: list[np.ndarray | int] = [0] * channels
        out[word] = column
        return tuple(out)

    return masks


def _where(condition: np.ndarray | bool, value: np.ndarray | int) -> np.ndarray | int:
    if isinstance(condition, (bool, np.bool_)):
        return value if condition else 0
    if isinstance(value, int):
        return np.where(condition, np.uint64(value), np.uint64(0)) if value else 0
    return np.where(condition, value, np.uint64(0))


def _full(value: np.ndarray | int, count: int) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value.astype(np.uint64, copy=False)
    return np.full(count, value, np.uint64)


# ------------------------------------------------------------------ the engine interface


class VectorEngine:
    """The column-wise engine behind the per-case interface: one batch per call, with a
    row for the scenario and one for each counterfactual world."""

    name = "vector"

    def __init__(
        self,
        fact_types: Mapping[str, str] | None = None,
        fact_values: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        if fact_types is None:
            from ..law.rulebook import default_registry

            vocabulary = default_registry().vocabulary
            fact_types = {n: vocabulary[n].type for n in vocabulary}
            fact_values = {n: tuple(vocabulary[n].values) for n in vocabulary}
        self.codec = Codec(fact_types, fact_values or {})
        self._compiled: dict[int, tuple[Plan, CompiledPlan]] = {}

    def compile(self, plan: Plan) -> CompiledPlan:
        """The plan compiled for columns (once per plan; the plan is held so that its id
        is never reused by another)."""
        found = self._compiled.get(id(plan))
        if found is None:
            found = self._compiled[id(plan)] = (plan, CompiledPlan(plan, self.codec))
        return found[1]

    def evaluate(
        self,
        plan: Plan,
        facts: Mapping[str, Any],
        worlds: Sequence[Mapping[str, Any] | None] = (),
    ) -> tuple[list[int], list[list[int] | None]]:
        compiled = self.compile(plan)
        rows = [facts] + [{**facts, **changes} for changes in worlds if changes is not None]
        evaluation = compiled.evaluate(self.codec.encode(rows), worlds=False)
        table = np.stack(
            [evaluation.column(i) for i in range(len(plan.nodes))], axis=1
        )  # rows x nodes
        public = np.take(PUBLIC, table).tolist()
        out: list[list[int] | None] = []
        row = 1
        for changes in worlds:
            if changes is None:
                out.append(None)
            else:
                out.append(public[row])
                row += 1
        return public[0], out
