"""The `expect:` blocks of scenario files, checked against what the rules conclude.

A scenario may state, per rule set (`us-law`, or `us-law@2002-06-01` for another date
than its own), the status it expects of provisions, and optionally whether each is
law-enforcement gated and which facts are missing. `check_expectations` evaluates each
entry once and yields one `ExpectationCheck` per provision (`eligibility test`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import UsageError, did_you_mean
from ..law.fields import parse_date
from ..law.registry import Registry
from ..law.scenarios import Expectation, Scenario
from .evaluate import Evaluator, ProvisionResult


@dataclass(frozen=True)
class ExpectationCheck:
    """One provision's expectation in one scenario, and whether the rules agree."""

    scenario: Scenario
    key: str  # "us-law" or "us-law@2002-06-01"
    provision: str
    passed: bool
    detail: str  # what differs, when not passed


def check_expectations(
    scenarios: Iterable[Scenario], registry: Registry, engine: str
) -> Iterator[ExpectationCheck]:
    """Evaluate every `expect:` entry of every scenario, one check per provision.

    A rule set or provision that does not exist is a UsageError naming the scenario file
    and the key."""
    evaluators: dict[str, Evaluator] = {}
    for scenario in scenarios:
        for key, expected in scenario.expect.items():
            name, _, date_text = key.partition("@")
            if name not in evaluators:
                try:
                    evaluators[name] = Evaluator(registry.load(name), engine)
                except UsageError as exc:
                    raise UsageError(f"{scenario.path}: expect.{key}: {exc}") from None
            as_of = parse_date(date_text) if date_text else scenario.as_of
            result = evaluators[name].evaluate_scenario(scenario, as_of)
            for pid, expectation in expected.items():
                if pid not in result.provisions:
                    raise UsageError(
                        f"{scenario.path}: expect.{key}.{pid}: unknown provision"
                        f"{did_you_mean(pid, result.provisions)}"
                    )
                problems = differences(result.provisions[pid], expectation)
                yield ExpectationCheck(scenario, key, pid, not problems, "; ".join(problems))


def differences(got: ProvisionResult, expectation: Expectation) -> list[str]:
    """What a provision's result has other than expected, in words."""
    problems = []
    if got.status != expectation.status:
        problems.append(f"status {got.status}, expected {expectation.status}")
    if (
        expectation.law_enforcement_gated is not None
        and got.law_enforcement_gated != expectation.law_enforcement_gated
    ):
        problems.append(
            f"law_enforcement_gated {got.law_enforcement_gated}, "
            f"expected {expectation.law_enforcement_gated}"
        )
    if expectation.missing_facts is not None and sorted(got.missing_facts) != sorted(
        expectation.missing_facts
    ):
        problems.append(
            f"missing_facts {got.missing_facts}, expected {list(expectation.missing_facts)}"
        )
    return problems
