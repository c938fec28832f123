"""Engines evaluate the plan of a resolved rule book for one scenario's facts.

`reference` is the semantics in Python (`--engine python`); `durable` compiles the plan
into durable-rules rulesets (`--engine durable`, the default for cases) and is the only
module that imports durable-rules; `vector` evaluates the plan over columns of many
cases at once (numpy; `--engine vector`, for populations). Engines are looked up by
name, and the durable and vector ones are imported only when asked for, so that commands
that never evaluate (`--version`, `schema`) load neither the C engine nor numpy.
"""

from __future__ import annotations

from typing import Any

ENGINE_NAMES = ("durable", "python", "vector")


def engine_class(name: str) -> Any:
    """The engine class called `name` (one of ENGINE_NAMES)."""
    if name == "python":
        from .reference import PythonEngine

        return PythonEngine
    if name == "vector":
        from .vector import VectorEngine

        return VectorEngine
    if name == "durable":
        from .durable import DurableEngine

        return DurableEngine
    raise KeyError(name)
