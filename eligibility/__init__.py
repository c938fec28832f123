"""eligibility: decision support for U.S. anti-trafficking victim protections.

The public API, for scripts and notebooks::

    from eligibility import load_rule_book, load_scenario, Evaluator
    book = load_rule_book("us-law")
    scenario = load_scenario("scenarios/ana-2002-minor.yaml")
    result = Evaluator(book).evaluate_scenario(scenario)
    result.status("t_visa"), result.to_dict()
"""

from __future__ import annotations

__version__ = "0.1.0"

from .analysis.evaluate import Evaluator, ProvisionResult, Result
from .errors import EligibilityError, EngineError, InputError, RuleError, ScenarioError, UsageError
from .law.logic import MET, NOT_MET, STATUS_NAMES, UNDETERMINED
from .law.rulebook import RuleBook, default_registry, load_rule_book
from .law.scenarios import Scenario


def load_scenario(path: str) -> Scenario:
    """Load and validate a scenario file against the bundled fact vocabulary."""
    from .law.scenarios import load_scenario as _load

    return _load(path, default_registry().vocabulary)


__all__ = [
    "EligibilityError",
    "EngineError",
    "Evaluator",
    "InputError",
    "MET",
    "NOT_MET",
    "ProvisionResult",
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
