"""Engines evaluate the plan of a resolved rule book for one scenario's facts.

`reference` is the semantics in Python (`--engine python`); `durable` runs the plan
compiled into a durable-rules ruleset (`--engine durable`, the default for cases) and is
the only module that imports durable-rules; `vector` evaluates the plan over columns of
many cases at once (numpy; `--engine vector`, for populations). They implement `Engine`
(engine/protocol.py). Engines are looked up by name, and the durable and vector ones are
imported only when asked for, so that commands that never evaluate (`--version`,
`schema`) load neither the C engine nor numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .protocol import Engine, EngineFactory

if TYPE_CHECKING:
    from ..law.vocabulary import Vocabulary

ENGINE_NAMES = ("durable", "python", "vector")

__all__ = ["ENGINE_NAMES", "Engine", "EngineFactory", "create_engine", "engine_class"]


def engine_class(name: str) -> EngineFactory:
    """The engine class called `name` (one of ENGINE_NAMES); KeyError otherwise."""
    if name == "python":
        from .reference import PythonEngine

        return PythonEngine
    if name == "vector":
        from .vector import VectorEngine

        # until engine/vector.py declares its `limits` (engine/protocol.py); mypy then
        # reports this comment as unused
        return VectorEngine  # type: ignore[return-value]
    if name == "durable":
        from .durable import DurableEngine

        return DurableEngine
    raise KeyError(name)


def create_engine(name: str, vocabulary: Vocabulary) -> Engine:
    """An engine for facts of `vocabulary`. Cheap: what an engine compiles from a plan
    is shared by every engine of the process (engine/cache.py)."""
    return engine_class(name)(
        {n: vocabulary[n].type for n in vocabulary},
        {n: tuple(vocabulary[n].values) for n in vocabulary},
    )
