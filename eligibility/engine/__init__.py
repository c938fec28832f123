"""Engines evaluate the plan of a resolved rule book for one scenario's facts.

`reference` is the semantics in Python (`--engine python`); `durable` runs the plan
compiled into a durable-rules ruleset (`--engine durable`, the default for cases) and is
the only module that imports durable-rules; `vector` evaluates the plan over columns of
many cases at once (numpy; `--engine vector`, for populations). They implement `Engine`
(engine/protocol.py). Engines are looked up by name, and the durable and vector ones are
imported only when asked for, so that commands that never evaluate (`--version`,
`schema`) load neither the C engine nor numpy. When the C engine cannot be loaded,
asking for it is an EngineError that names the cause and the remedy; `--engine python`
still works.
"""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

from ..errors import EngineError
from .protocol import Engine, EngineFactory

if TYPE_CHECKING:
    from ..law.vocabulary import Vocabulary

ENGINE_NAMES = ("durable", "python", "vector")

__all__ = ["ENGINE_NAMES", "Engine", "EngineFactory", "create_engine", "engine_class"]

DURABLE_MODULE = "durable_rules_engine"  # the C extension of durable-rules
DURABLE_REQUIREMENT = "durable-rules==2.0.28"  # as pinned in pyproject.toml
# durable-rules 2.0.28 calls PyEval_CallObject, which Python 3.13 removed from the C API;
# built with this define it calls PyObject_CallObject, the same function (README, Makefile)
DURABLE_DEFINE = "-DPyEval_CallObject=PyObject_CallObject"


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
        try:
            from .durable import DurableEngine
        except ImportError as error:
            if error.name != DURABLE_MODULE:  # one of our modules is broken: a bug
                raise
            raise EngineError(durable_unavailable(error)) from error
        return DurableEngine
    raise KeyError(name)


def durable_unavailable(error: ImportError) -> str:
    """Why durable-rules cannot be imported, and how to install it so that it can."""
    if isinstance(error, ModuleNotFoundError):
        cause = "durable-rules is not installed"
    elif "PyEval_CallObject" in str(error):
        cause = (
            "durable-rules was built without the define that Python 3.13 needs "
            "(PyEval_CallObject is no longer in its C API)"
        )
    else:
        first_line = str(error).partition("\n")[0]
        cause = f"durable-rules cannot be loaded ({first_line})"
    pip = f"{shlex.quote(sys.executable)} -m pip install --no-cache-dir --force-reinstall"
    if sys.version_info >= (3, 13):
        pip = f'CPPFLAGS="{DURABLE_DEFINE}" {pip}'
    return (
        f"the durable-rules engine is unavailable: {cause}; install it with "
        f"`{pip} {DURABLE_REQUIREMENT}`, or use --engine python"
    )


def create_engine(name: str, vocabulary: Vocabulary) -> Engine:
    """An engine for facts of `vocabulary`. Cheap: what an engine compiles from a plan
    is shared by every engine of the process (engine/cache.py)."""
    return engine_class(name)(
        {n: vocabulary[n].type for n in vocabulary},
        {n: tuple(vocabulary[n].values) for n in vocabulary},
    )
