"""Generated populations drawn column-wise: stream `columns-1`, ids `col-<seed>-<index>`.

Same distribution files and the same semantics as generate.py (every latent trait and
fact gets a true value in file order, the first case whose `when` holds on the true
values drawn above chooses the parameters, then each fact is hidden with its `unknown`
probability), drawn for many cases at once with numpy instead of one case at a time.
The random numbers are a different stream, so the cases differ from `Distribution.facts`
for the same seed; their ids say so (`col-7-12`, not `gen-7-12`), and `facts(seed,
index)` regenerates any one of them later.

The stream
----------
Each variable draws from fixed *slots*, whatever its parameters in a case (so that a
case that changes a probability does not shift the draws of later variables):

    latent trait  value
    bool fact     value, unknown
    int fact      range, value, unknown
    enum fact     value, unknown
    set fact      one slot per value of the vocabulary, in its order, then unknown

Slots are numbered in file order (S in all). Cases are drawn in blocks of BLOCK: block
b of seed s is SFC64 seeded with `SeedSequence([STREAM_KEY, s, b])`, whose
`random_raw(ceil(S / 2) * BLOCK)` 64-bit outputs, read as little-endian 32-bit words,
fill a matrix of BLOCK columns row by row; word x in row j, column i, is slot j of case
b * BLOCK + i, and gives the uniform u = x / 2**32 in [0, 1). Then, as in generate.py:

    bool, set member   true when u < p
    unknown            hidden when u < P(unknown)
    enum, latent       the value whose cumulative weight interval holds u * total
    int                a range as above, then from + floor(u' * (to - from + 1)) with the
                       value slot's u'; `plus` adds the true value of the other fact,
                       and the result is kept within the fact's min..max

Constraints (generate.py) are tested on the true values, with the same functions: the
cases of a piece that break one are drawn again from attempt 1's random numbers (block b
of seed s from `SeedSequence([STREAM_KEY, s, b, 1])`, the same slots and columns), those
that still break one from attempt 2's, and so on; attempt 0 is the stream above.

So case i is a pure function of (distribution file, seed, i): any slice can be drawn
alone, a population of N is a prefix of one of 2N, and results do not depend on batch
sizes or processes. (NumPy guarantees that bit generators and SeedSequence keep their
streams across versions; only `random_raw` is used, never a distribution method.)

Why one module of over 400 lines: the stream is a specification (slots, blocks, redraws
of constraints) that every function here implements a part of; apart, a change to one
part could silently change the cases of a seed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.vector import Batch, Codec, select
from ..errors import ScenarioError
from ..law.vocabulary import Facts, Vocabulary
from .generate import MAX_ATTEMPTS, Distribution, Params, Variable, unmet

STREAM = "columns-1"
STREAM_KEY = 0x656C69672D636F6C  # "elig-col"
BLOCK = 16384
PIECE = 4 * BLOCK  # cases drawn together: long enough columns that numpy's overhead fades
ID_PREFIX = "col"
LOOKUP_LIMIT = 1 << 16  # `when` tests over at most this many value combinations: a table
TO_UNIT = 2.0**-32


def column_scenario_id(seed: int, index: int) -> str:
    """The id of case `index` (from 0) of `seed` in stream columns-1."""
    return f"{ID_PREFIX}-{seed}-{index}"


def parse_column_id(text: str) -> tuple[int, int] | None:
    """(seed, index) of a columns-1 id, or None for any other id."""
    prefix, _, rest = text.partition("-")
    seed, _, index = rest.partition("-")
    if prefix != ID_PREFIX or not seed.isdigit() or not index.isdigit():
        return None
    return int(seed), int(index)


def codec_of(vocabulary: Vocabulary) -> Codec:
    return Codec(
        {n: vocabulary[n].type for n in vocabulary},
        {n: tuple(vocabulary[n].values) for n in vocabulary},
    )


# ------------------------------------------------------------------ `when` over columns


@dataclass
class _When:
    """A case's `when` over columns of true values: the generate.py test itself, called
    once per combination of the values it reads (a lookup table), or once per distinct
    combination present when there are too many combinations to list."""

    test: Callable[[Mapping[str, Any]], bool]
    names: tuple[str, ...]
    sizes: tuple[int, ...]
    decoders: tuple[Callable[[int], Any], ...]
    table: np.ndarray | None = None

    def __post_init__(self) -> None:
        total = 1
        for size in self.sizes:
            total *= size
        if total <= LOOKUP_LIMIT:
            table = np.zeros(total, bool)
            for key, combination in enumerate(itertools.product(*map(range, self.sizes))):
                table[key] = self._call(combination)
            self.table = table

    def _call(self, codes: tuple[int, ...]) -> bool:
        truth = {
            n: decode(c) for n, decode, c in zip(self.names, self.decoders, codes, strict=True)
        }
        try:
            return bool(self.test(truth))
        except KeyError as exc:  # the file changed between the two readings
            raise ScenarioError(
                f"distribution file: a `when` reads {exc.args[0]}, which it did not name"
            ) from None

    def mask(self, codes: list[np.ndarray]) -> np.ndarray:
        """Per case, whether the test holds; `codes` are the tested variables' columns
        of codes (see `_codes`)."""
        if self.table is not None:
            key = np.zeros(len(codes[0]), np.int64)
            for size, column in zip(self.sizes, codes, strict=True):
                key *= size
                key += column.astype(np.int64, copy=False)
            return np.take(self.table, key)
        stacked = np.stack([c.astype(np.uint64) for c in codes], axis=1)
        combinations, inverse = np.unique(stacked, axis=0, return_inverse=True)
        found = np.array([self._call(tuple(int(c) for c in row)) for row in combinations])
        return found[inverse.reshape(-1)]


# ------------------------------------------------------------------ one variable


@dataclass
class _Drawn:
    """How one variable is drawn: its slots and per-case parameters as arrays."""

    variable: Variable
    slots: dict[str, int]
    params: tuple[Params, ...]  # base, then each case's
    whens: tuple[_When, ...]
    values: tuple[Any, ...]  # enum and latent: the values that codes index
    chances: dict[str, list[float]] = field(default_factory=dict)  # slot -> p per params

    @property
    def unknown(self) -> list[float]:
        return [p.unknown for p in self.params]

    def __post_init__(self) -> None:
        if self.variable.kind == "bool":
            self.chances["value"] = [p.probability for p in self.params]
        for slot in self.slots:
            if slot.startswith("member:"):
                member = slot.removeprefix("member:")
                self.chances[slot] = [dict(p.members).get(member, 0.0) for p in self.params]

    def choose(self, codes: Mapping[str, np.ndarray], count: int) -> np.ndarray | None:
        """Per case, which parameters apply (0: base, k: case k); None when only the
        base exists. The first case that holds wins, as in generate.py."""
        if not self.whens:
            return None
        which = np.zeros(count, np.uint8)
        for k in range(len(self.whens), 0, -1):  # later cases first: earlier ones overwrite
            when = self.whens[k - 1]
            which = select(when.mask([codes[n] for n in when.names]), k, which)
        return which

    def below(self, u: np.ndarray, chances: list[float], which: np.ndarray | None) -> np.ndarray:
        """Per case, u < p for the p of its parameters (u = word / 2**32): exactly
        word < ceil(p * 2**32), an integer comparison."""
        limits = [math.ceil(p * 2.0**32) for p in chances]
        if which is None or len(set(limits)) == 1:
            limit = limits[0]
            if limit >= 1 << 32:
                return np.ones(len(u), bool)
            return u < np.uint32(limit)
        return u < np.take(np.array(limits, np.uint64), which)

    def used(self, which: np.ndarray | None) -> list[int]:
        """The parameter sets that some case uses (every case: drawn whole, then chosen)."""
        if which is None:
            return [0]
        counts = np.bincount(which, minlength=len(self.params))
        return [k for k in range(len(self.params)) if counts[k]]


def _pick(params: Params, u: np.ndarray) -> np.ndarray:
    """Indexes into params.choices: generate.py's `_pick`, column-wise."""
    cumulative = np.array(params.cumulative, np.float64)
    return np.searchsorted(cumulative, (u * TO_UNIT) * cumulative[-1], side="right")


class ColumnGenerator:
    """Draws cases of a distribution as a batch of columns (stream columns-1)."""

    stream = STREAM

    def __init__(self, distribution: Distribution, vocabulary: Vocabulary) -> None:
        self.distribution = distribution
        self.vocabulary = vocabulary
        self.codec = codec_of(vocabulary)
        self.drawn: list[_Drawn] = []
        slot = 0
        decoders: dict[str, tuple[int, Callable[[int], Any]]] = {}
        for var in distribution.variables:
            names: list[str]
            if var.kind == "latent":
                names = ["value"]
            elif var.kind == "int":
                names = ["range", "value", "unknown"]
            elif var.kind == "set":
                names = [f"member:{m}" for m in vocabulary[var.name].values] + ["unknown"]
            else:
                names = ["value", "unknown"]
            slots = {name: slot + i for i, name in enumerate(names)}
            slot += len(names)
            params = (var.base,) + tuple(p for _, p in var.cases)
            values: tuple[Any, ...] = ()
            if var.kind == "latent":
                values = tuple(dict.fromkeys(v for p in params for v in p.choices))
            elif var.kind == "enum":
                values = tuple(vocabulary[var.name].values)
            case_whens = []
            for (test, _), tested in zip(var.cases, var.when_names, strict=True):
                case_whens.append(
                    _When(
                        test,
                        tested,
                        tuple(decoders[n][0] for n in tested),
                        tuple(decoders[n][1] for n in tested),
                    )
                )
            drawn = _Drawn(var, slots, params, tuple(case_whens), values)
            self.drawn.append(drawn)
            decoders[var.name] = _decoder(drawn, vocabulary)
        self.slot_count = slot
        self._words = -(-slot // 2) * 2  # whole 64-bit outputs per case
        self._buffer: np.ndarray | None = None
        # each constraint as a `when` over the true values it reads: True where broken
        self.constraints = [
            _When(
                c.violated,
                c.names,
                tuple(decoders[n][0] for n in c.names),
                tuple(decoders[n][1] for n in c.names),
            )
            for c in distribution.constraints
        ]

    # -- the stream -------------------------------------------------------------------
    def block(self, seed: int, block: int, attempt: int = 0) -> np.ndarray:
        """The uniforms of one block: slots x BLOCK 32-bit words."""
        key = [STREAM_KEY, seed, block] + ([attempt] if attempt else [])
        generator = np.random.SFC64(np.random.SeedSequence(key))
        raw = generator.random_raw(self._words // 2 * BLOCK)
        words = raw.astype("<u8", copy=False).view("<u4")
        return words.reshape(self._words, BLOCK)[: self.slot_count]

    # -- drawing ----------------------------------------------------------------------
    def draw(self, seed: int, start: int, count: int) -> Batch:
        """Cases start .. start+count-1 of `seed`, as columns in the engine's codes."""
        pieces = []
        for first in range(start, start + count, PIECE):
            size = min(PIECE, start + count - first)
            pieces.append(self._piece(seed, first, size)[0])
        if len(pieces) == 1:
            return pieces[0]
        columns = {
            name: np.concatenate([piece.columns[name] for piece in pieces])
            for name in self.codec.names
        }
        return Batch(self.codec, count, columns)

    def truth(self, seed: int, start: int, count: int) -> dict[str, np.ndarray]:
        """The true values of cases start .. start+count-1 (count <= PIECE), as codes
        from 0 (an int fact: its value minus its minimum; enum and latent: the index of
        the value in `values_of`), for calibration."""
        return self._piece(seed, start, count)[1]

    def values_of(self, name: str) -> tuple[Any, ...]:
        """The values that the codes of an enum fact or latent trait index."""
        return next(d.values for d in self.drawn if d.variable.name == name)

    def first_draws(self, seed: int, start: int, count: int) -> dict[str, int]:
        """Per constraint, how many of the first attempts of cases start ..
        start+count-1 (count <= PIECE) break it: what the file itself draws."""
        _, codes = self._draw(self.uniforms(seed, start, count), count)
        broken = {}
        for constraint, when in zip(self.distribution.constraints, self.constraints, strict=True):
            broken[constraint.id] = int(when.mask([codes[n] for n in when.names]).sum())
        return broken

    def _piece(self, seed: int, start: int, count: int) -> tuple[Batch, dict[str, np.ndarray]]:
        """Cases start .. start+count-1 (count <= PIECE), each from its first attempt
        that breaks no constraint: the batch and the true values' codes."""
        batch, codes = self._draw(self.uniforms(seed, start, count), count)
        broken = self._broken(codes, count)
        attempt = 0
        while broken is not None and broken.any():
            attempt += 1
            rows = np.flatnonzero(broken)
            if attempt >= MAX_ATTEMPTS:
                raise unmet(self.distribution, seed, start + int(rows[0]))
            u = self.uniforms(seed, start, count, attempt)[:, rows]
            again, again_codes = self._draw(u, len(rows))
            for name, column in again.columns.items():
                batch.columns[name][rows] = column
            for name, column in again_codes.items():
                codes[name][rows] = column
            still = self._broken(again_codes, len(rows))
            broken = np.zeros(count, bool)
            if still is not None:
                broken[rows] = still
        return batch, codes

    def _broken(self, codes: Mapping[str, np.ndarray], count: int) -> np.ndarray | None:
        """Per case, whether its true values break a constraint (None: no constraints)."""
        if not self.constraints:
            return None
        broken = np.zeros(count, bool)
        for when in self.constraints:
            broken |= when.mask([codes[n] for n in when.names])
        return broken

    def uniforms(self, seed: int, start: int, count: int, attempt: int = 0) -> np.ndarray:
        """Slots x count words for cases start .. start+count-1 (count <= PIECE), in a
        buffer reused from call to call (fresh memory would cost more than drawing)."""
        first, last = start // BLOCK, (start + count - 1) // BLOCK
        if first == last:
            offset = start - first * BLOCK
            return self.block(seed, first, attempt)[:, offset : offset + count]
        if self._buffer is None:
            self._buffer = np.empty((self.slot_count, PIECE), np.uint32)
        out = self._buffer[:, :count]
        for b in range(first, last + 1):
            low = max(start, b * BLOCK)
            high = min(start + count, (b + 1) * BLOCK)
            out[:, low - start : high - start] = self.block(seed, b, attempt)[
                :, low - b * BLOCK : high - b * BLOCK
            ]
        return out

    def _draw(self, u: np.ndarray, count: int) -> tuple[Batch, dict[str, np.ndarray]]:
        """The cases whose uniforms are the columns of `u` (slots x count), and the codes
        of their true values (see `truth`)."""
        truth: dict[str, np.ndarray] = {}
        codes: dict[str, np.ndarray] = {}  # true values as codes from 0, for `when`
        columns: dict[str, np.ndarray] = {}
        codec = self.codec
        for drawn in self.drawn:
            var = drawn.variable
            which = drawn.choose(codes, count)
            value = self._true_value(drawn, which, u, truth, count)
            truth[var.name] = value
            codes[var.name] = value - var.low if var.kind == "int" else value
            if var.kind == "latent":
                continue
            hidden = drawn.below(u[drawn.slots["unknown"]], drawn.unknown, which)
            columns[var.name] = self._code(var, value, hidden)
        for name in codec.names:
            if name not in columns:  # not in the distribution: never known
                columns[name] = codec.unknown_column(name, count)
        return Batch(codec, count, columns), codes

    def _true_value(
        self,
        drawn: _Drawn,
        which: np.ndarray | None,
        u: np.ndarray,
        truth: Mapping[str, np.ndarray],
        count: int,
    ) -> np.ndarray:
        var = drawn.variable
        if var.kind == "bool":
            return drawn.below(u[drawn.slots["value"]], drawn.chances["value"], which)
        if var.kind == "set":
            mask = np.zeros(count, np.uint64)
            for bit, member in enumerate(self.vocabulary[var.name].values):
                slot = f"member:{member}"
                chances = drawn.chances[slot]
                if any(chances):
                    hit = drawn.below(u[drawn.slots[slot]], chances, which)
                    mask |= hit.astype(np.uint64) << np.uint64(bit)
            return mask
        if var.kind == "int":
            ranges, values = u[drawn.slots["range"]], u[drawn.slots["value"]] * TO_UNIT
            number = np.zeros(count, np.int64)
            for k in drawn.used(which):
                params = drawn.params[k]
                chosen = _pick(params, ranges)
                low = np.take(np.array([r[0] for r in params.choices], np.int64), chosen)
                high = np.take(np.array([r[1] for r in params.choices], np.int64), chosen)
                drawn_k = low + (values * (high - low + 1)).astype(np.int64)
                if params.plus is not None:
                    drawn_k += truth[params.plus]
                number = drawn_k if which is None else select(which == k, drawn_k, number)
            return np.clip(number, var.low, var.high)
        # enum, latent: a code into drawn.values
        code = np.zeros(count, np.uint8 if len(drawn.values) < 256 else np.uint16)
        index = {v: i for i, v in enumerate(drawn.values)}
        for k in drawn.used(which):
            params = drawn.params[k]
            codes = np.array([index[c] for c in params.choices], code.dtype)
            drawn_k = np.take(codes, _pick(params, u[drawn.slots["value"]]))
            code = drawn_k if which is None else select(which == k, drawn_k, code)
        return code

    def _code(self, var: Variable, value: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        """A true-value column as the engine's fact column, hidden cases unknown."""
        codec = self.codec
        unknown = codec.unknown[var.name]
        if var.kind == "bool":  # BOOL_TRUE where true, BOOL_UNKNOWN where hidden
            coded = (value & ~hidden).view(np.uint8) << 1
            coded |= hidden.view(np.uint8)
            return coded
        return select(hidden, unknown, value.astype(codec.dtypes[var.name], copy=False))

    # -- one case at a time -----------------------------------------------------------
    def facts(self, seed: int, index: int) -> Facts:
        """The known facts of case `index` of `seed` (a batch of one)."""
        return self.draw(seed, index, 1).facts(0)

    def generate(self, count: int, seed: int, *, start: int = 0) -> Iterator[tuple[str, Facts]]:
        """(id, facts) of cases start .. start+count-1, drawn a block at a time."""
        for first in range(start, start + count, BLOCK):
            size = min(BLOCK, start + count - first)
            batch = self.draw(seed, first, size)
            for row in range(size):
                yield column_scenario_id(seed, first + row), batch.facts(row)


def _decoder(drawn: _Drawn, vocabulary: Vocabulary) -> tuple[int, Callable[[int], Any]]:
    """(number of codes, code -> true value) of a variable's true-value column, for the
    `when` tests of later variables."""
    var = drawn.variable
    if var.kind == "bool":
        return 2, bool
    if var.kind == "int":
        low = var.low
        return var.high - low + 1, lambda code: low + code
    if var.kind == "set":
        members = tuple(vocabulary[var.name].values)
        return 1 << len(members), lambda code: frozenset(
            m for i, m in enumerate(members) if code >> i & 1
        )
    values = drawn.values
    return len(values), values.__getitem__
