"""One process-wide, bounded cache of what engines compile from plans.

Compiling a plan for durable-rules takes a fraction of a second and about 6 MB of the
C engine's memory, which it never returns: `delete_ruleset` was measured to free none
of it (60 compiles of us-law grew the process by 6 MB each, deleted or not). So a plan
is compiled once per process, whoever asks for it (every `Evaluator`, the workers of a
comparison, the invariant checker, two rule books loaded from two registries), and
entries are keyed by what the compiled form depends on (`Plan.signature`, the engine
and its fact vocabulary), not by object identity.

The bound protects the Python side (each entry holds a plan and its rules) in a process
that loads rule books without end, a notebook or the test suite: past `CAPACITY`
entries the least recently used is dropped. Every bundled rule set has 17 versions of
the law (16 change dates), so no single command comes near it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
CAPACITY = 128


class CompiledCache:
    """Least-recently-used mapping of compile keys to compiled forms."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.compiles = 0  # how many times `build` ran, for tests and benchmarks

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The entry for `key`, built (and remembered) if absent. An exception from
        `build` propagates and nothing is remembered."""
        entries = self._entries
        found = entries.get(key, _MISSING)
        if found is not _MISSING:
            entries.move_to_end(key)
            return found
        value = build()
        self.compiles += 1
        entries[key] = value
        if len(entries) > self.capacity:
            entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry (their engine memory is not returned: see above)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_MISSING = object()

COMPILED = CompiledCache()
