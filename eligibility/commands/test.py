"""`eligibility test`: check the `expect:` blocks of scenario files."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from ..analysis.evaluate import Evaluator
from ..errors import UsageError, did_you_mean
from ..law.fields import parse_date
from ..law.rulebook import RuleBook, default_registry
from ..law.scenarios import Scenario
from .common import ENGINES, EXIT_FAILED, EXIT_OK, load_scenarios

HELP = "check the expect: blocks of scenario files"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Evaluate every scenario that has an `expect:` block and compare "
        "each expected status; prints a pytest-like summary, exit 1 on a "
        "failure."
    )
    parser.add_argument("paths", nargs="*", default=["scenarios"], metavar="PATH")
    parser.add_argument("--engine", choices=ENGINES, default="durable")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every check")


@dataclass
class Check:
    scenario: Scenario
    key: str  # "us-law" or "us-law@2002-06-01"
    provision: str
    passed: bool
    detail: str


def expectation_checks(scenarios: list[Scenario], engine: str) -> Iterator[Check]:
    """Evaluate every `expect:` entry of every scenario, one check per provision."""
    registry = default_registry()
    evaluators: dict[str, Evaluator] = {}
    for scenario in scenarios:
        for key, expected in scenario.expect.items():
            name, _, date_text = key.partition("@")
            if name not in evaluators:
                try:
                    book: RuleBook = registry.load(name)
                except UsageError as exc:
                    raise UsageError(f"{scenario.path}: expect.{key}: {exc}") from None
                evaluators[name] = Evaluator(book, engine)
            as_of = parse_date(date_text) if date_text else scenario.as_of
            result = evaluators[name].evaluate_scenario(scenario, as_of)
            for pid, expectation in expected.items():
                if pid not in result.provisions:
                    raise UsageError(
                        f"{scenario.path}: expect.{key}.{pid}: unknown provision"
                        f"{did_you_mean(pid, result.provisions)}"
                    )
                got = result.provisions[pid]
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
                        f"missing_facts {got.missing_facts}, expected "
                        f"{list(expectation.missing_facts)}"
                    )
                yield Check(scenario, key, pid, not problems, "; ".join(problems))


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    scenarios, _ = load_scenarios(args.paths, keep_going=False)
    with_expectations = [s for s in scenarios if s.expect]
    failures: list[Check] = []
    passed = 0
    line = 0
    for check in expectation_checks(with_expectations, args.engine):
        if check.passed:
            passed += 1
        else:
            failures.append(check)
        if args.verbose:
            mark = "PASSED" if check.passed else "FAILED"
            sys.stdout.write(f"{check.scenario.path}::{check.key}::{check.provision} {mark}\n")
        else:
            sys.stdout.write("." if check.passed else "F")
            line += 1
            if line % 80 == 0:
                sys.stdout.write("\n")
    if not args.verbose and line % 80:
        sys.stdout.write("\n")
    for check in failures:
        sys.stdout.write(
            f"FAILED {check.scenario.path}::{check.key}::{check.provision} - {check.detail}\n"
        )
    elapsed = time.perf_counter() - started
    summary = f"{passed} passed"
    if failures:
        summary = f"{len(failures)} failed, " + summary
    sys.stdout.write(
        f"{summary} ({len(with_expectations)} scenarios, engine {args.engine}) in {elapsed:.2f}s\n"
    )
    return EXIT_FAILED if failures else EXIT_OK
