"""eligibility: decision support for U.S. anti-trafficking victim protections.

The public API, for scripts and notebooks (docs/researchers.md)::

    import eligibility
    book = eligibility.load_rules("us-law")
    result = eligibility.evaluate({"age_now": 30, "citizenship": "noncitizen"}, rules=book)
    result.status("t_visa"), result.to_dict()
    frame = eligibility.evaluate_frame(cases, rules=book)   # a DataFrame or list of dicts

Every input is validated as scenario files are: a misspelled fact or value raises a
`ScenarioError` (a `ValueError`) with the nearest valid name. Scenario files go through
`load_scenario` and `Evaluator(book).evaluate_scenario(scenario)`.

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
    "evaluate": ".api",
    "evaluate_frame": ".api",
    "load_rule_book": ".law.registry",
    "load_rules": ".api",
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
    "evaluate",
    "evaluate_frame",
    "load_rule_book",
    "load_rules",
    "load_scenario",
]

if TYPE_CHECKING:
    from .analysis.evaluate import Evaluator, ProvisionResult, Result
    from .api import evaluate, evaluate_frame, load_rules
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
