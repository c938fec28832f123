"""eligibility: decision support for U.S. anti-trafficking victim protections.

The public API, for scripts and notebooks::

    from eligibility import load_rule_book, load_scenario, Evaluator
    book = load_rule_book("us-law")
    scenario = load_scenario("scenarios/ana-2002-minor.yaml")
    result = Evaluator(book).evaluate_scenario(scenario)
    result.status("t_visa"), result.to_dict()

Rules of one's own (a copy of `rules/` with another vocabulary, say) go through a
`Registry`: `load_rule_book("us-law", registry=Registry(Path("my-rules")))`.

The names below are imported when first used, so that `eligibility --version` and
commands that evaluate nothing start without loading the engines.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_HOMES = {
    "EligibilityError": ".errors",
    "EngineError": ".errors",
    "Evaluator": ".analysis.evaluate",
    "InputError": ".errors",
    "MET": ".law.logic",
    "NOT_MET": ".law.logic",
    "ProvisionResult": ".analysis.evaluate",
    "Registry": ".law.registry",
    "Result": ".analysis.evaluate",
    "RuleBook": ".law.rulebook",
    "RuleError": ".errors",
    "STATUS_NAMES": ".law.logic",
    "Scenario": ".law.scenarios",
    "ScenarioError": ".errors",
    "UNDETERMINED": ".law.logic",
    "UsageError": ".errors",
    "load_rule_book": ".law.registry",
    "load_scenario": ".law.registry",
}

__all__ = [
    "EligibilityError",
    "EngineError",
    "Evaluator",
    "InputError",
    "MET",
    "NOT_MET",
    "ProvisionResult",
    "Registry",
    "Result",
    "RuleBook",
    "RuleError",
    "STATUS_NAMES",
    "Scenario",
    "ScenarioError",
    "UNDETERMINED",
    "UsageError",
    "load_rule_book",
    "load_scenario",
]

if TYPE_CHECKING:
    from .analysis.evaluate import Evaluator, ProvisionResult, Result
    from .errors import (
        EligibilityError,
        EngineError,
        InputError,
        RuleError,
        ScenarioError,
        UsageError,
    )
    from .law.logic import MET, NOT_MET, STATUS_NAMES, UNDETERMINED
    from .law.registry import Registry, load_rule_book, load_scenario
    from .law.rulebook import RuleBook
    from .law.scenarios import Scenario


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
