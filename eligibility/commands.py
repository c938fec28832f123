"""The body of each command: glue between parsed arguments and the library."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from . import output
from .errors import EligibilityError, UsageError, did_you_mean
from .evaluate import Evaluator, Result
from .fields import parse_date
from .rulebook import RuleBook, default_registry
from .scenarios import Scenario, json_schema, load_scenario, scenario_paths

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _load_scenarios(arguments: list[str], *, keep_going: bool) -> tuple[list[Scenario], int]:
    """Every scenario named; with keep_going, bad files are reported and skipped.

    All files are validated before anything is evaluated or written, so a bad file
    never leaves half an output behind.
    """
    vocabulary = default_registry().vocabulary
    scenarios: list[Scenario] = []
    bad = 0
    seen: dict[str, str] = {}
    for path in scenario_paths(arguments):
        try:
            scenario = load_scenario(path, vocabulary)
        except EligibilityError as exc:
            if not keep_going:
                raise
            sys.stderr.write(f"error: {exc}\n")
            bad += 1
            continue
        if scenario.id in seen and seen[scenario.id] != str(path):
            message = f"{path}: scenario id {scenario.id} is also used by {seen[scenario.id]}"
            if not keep_going:
                raise UsageError(message)
            sys.stderr.write(f"warning: {message}\n")
        seen[scenario.id] = str(path)
        scenarios.append(scenario)
    return scenarios, bad


def _evaluate_all(evaluator: Evaluator, scenarios: list[Scenario],
                  as_of: dt.date | None, keep_going: bool) -> Iterator[Result | None]:
    for scenario in scenarios:
        try:
            yield evaluator.evaluate_scenario(scenario, as_of)
        except EligibilityError as exc:
            if not keep_going:
                raise
            sys.stderr.write(f"error: {scenario.path}: {exc}\n")
            yield None


def run_evaluate(args: argparse.Namespace) -> int:
    book = default_registry().load(args.rules)
    evaluator = Evaluator(book, args.engine)
    scenarios, bad = _load_scenarios(args.scenarios, keep_going=args.keep_going)
    results = _evaluate_all(evaluator, scenarios, args.as_of, args.keep_going)
    failed = 0
    with output.output_stream(args.out) as out:
        if args.format == "table":
            from . import render
            kept = [r for r in results if r is not None]
            failed = len(scenarios) - len(kept)
            render.print_results_table(kept, file=out, no_color=args.no_color or bool(args.out))
        elif args.format == "json":
            documents = []
            for result in results:
                if result is None:
                    failed += 1
                else:
                    documents.append(result.to_dict())
            single = len(args.scenarios) == 1 and len(documents) == 1 and bad == 0 \
                and not failed and not _is_directory(args.scenarios[0])
            out.write(output.json_text(documents[0] if single else documents))
        elif args.format == "jsonl":
            for result in results:
                if result is None:
                    failed += 1
                    continue
                out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        else:
            out.write(output.csv_line(output.CSV_COLUMNS))
            for result in results:
                if result is None:
                    failed += 1
                    continue
                for row in output.csv_rows([result.to_dict(explanations=False)]):
                    out.write(output.csv_line(row))
    if bad or failed:
        sys.stderr.write(f"{bad + failed} of {len(scenarios) + bad} scenario files could not "
                         f"be evaluated\n")
        return EXIT_USAGE
    return EXIT_OK


def _is_directory(path: str) -> bool:
    from pathlib import Path
    return Path(path).is_dir()


def run_schema(args: argparse.Namespace) -> int:
    registry = default_registry()
    provisions = list(registry.load("us-law").sources)
    sys.stdout.write(json.dumps(json_schema(registry.vocabulary, provisions), indent=2) + "\n")
    return EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    from . import render
    registry = default_registry()
    if args.rule_set is None:
        books = [registry.load(name) for name in registry.bundled()]
        render.print_rule_sets(books, no_color=args.no_color)
        return EXIT_OK
    render.print_rule_book(registry.load(args.rule_set), no_color=args.no_color)
    return EXIT_OK


# ------------------------------------------------------------------------ test


@dataclass
class Check:
    scenario: Scenario
    key: str          # "us-law" or "us-law@2002-06-01"
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
                    raise UsageError(f"{scenario.path}: expect.{key}.{pid}: unknown provision"
                                     f"{did_you_mean(pid, result.provisions)}")
                got = result.provisions[pid]
                problems = []
                if got.status != expectation.status:
                    problems.append(f"status {got.status}, expected {expectation.status}")
                if expectation.law_enforcement_gated is not None and \
                        got.law_enforcement_gated != expectation.law_enforcement_gated:
                    problems.append(f"law_enforcement_gated {got.law_enforcement_gated}, "
                                    f"expected {expectation.law_enforcement_gated}")
                if expectation.missing_facts is not None and \
                        sorted(got.missing_facts) != sorted(expectation.missing_facts):
                    problems.append(f"missing_facts {got.missing_facts}, expected "
                                    f"{list(expectation.missing_facts)}")
                yield Check(scenario, key, pid, not problems, "; ".join(problems))


def run_test(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    scenarios, _ = _load_scenarios(args.paths, keep_going=False)
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
        sys.stdout.write(f"FAILED {check.scenario.path}::{check.key}::{check.provision} - "
                         f"{check.detail}\n")
    elapsed = time.perf_counter() - started
    summary = f"{passed} passed"
    if failures:
        summary = f"{len(failures)} failed, " + summary
    sys.stdout.write(f"{summary} ({len(with_expectations)} scenarios, engine "
                     f"{args.engine}) in {elapsed:.2f}s\n")
    return EXIT_FAILED if failures else EXIT_OK
