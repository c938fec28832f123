"""`eligibility test`: check the `expect:` blocks of scenario files."""

from __future__ import annotations

import argparse
import sys
import time

from ..analysis.expectations import ExpectationCheck, check_expectations
from ..law.registry import Registry
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


def run(args: argparse.Namespace, registry: Registry) -> int:
    started = time.perf_counter()
    scenarios, _ = load_scenarios(args.paths, registry.vocabulary, keep_going=False)
    with_expectations = [s for s in scenarios if s.expect]
    failures: list[ExpectationCheck] = []
    passed = 0
    line = 0
    for check in check_expectations(with_expectations, registry, args.engine):
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
