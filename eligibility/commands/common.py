"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from ..analysis.evaluate import Evaluator, Result
from ..engine import ENGINE_NAMES as ENGINES
from ..errors import EligibilityError, UsageError, printable
from ..law.cases import read_cases
from ..law.fields import parse_date
from ..law.scenarios import Scenario, load_scenario, scenario_paths
from ..law.vocabulary import Vocabulary

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MIN_WIDTH = 20  # `--width`: rich renders nothing at all at 0 or below


def date_argument(text: str) -> dt.date:
    """argparse type for YYYY-MM-DD (or `today`)."""
    import argparse

    if text == "today":
        return dt.date.today()
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def at_least(minimum: int) -> Callable[[str], int]:
    """argparse type for a whole number no smaller than `minimum`."""
    import argparse

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {minimum} or more, got {value}")
        return value

    return whole_number


def add_rules_argument(parser, *, many: bool = False) -> None:  # type: ignore[no-untyped-def]
    help_text = (
        "rule set: a bundled name (us-law, rights-based-2007) or the path of an "
        "overlay file or rule set directory"
    )
    if many:
        parser.add_argument(
            "--rules",
            action="append",
            metavar="R",
            required=True,
            help=help_text + " (give it twice)",
        )
    else:
        parser.add_argument(
            "--rules", default="us-law", metavar="R", help=help_text + " (default: us-law)"
        )


def add_as_of_argument(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument(
        "--as-of",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="evaluate the law in force on this date (default: the scenario's as_of, else today)",
    )


def add_engine_argument(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="durable",
        help="durable: the durable-rules engine (default); python: the reference evaluator",
    )


def load_scenarios(
    arguments: list[str], vocabulary: Vocabulary, *, keep_going: bool
) -> tuple[list[Scenario], int]:
    """Every scenario named; with keep_going, bad files are reported and skipped.

    All files are validated before anything is evaluated or written, so a bad file
    never leaves half an output behind.
    """
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
            sys.stderr.write(f"warning: {printable(message)}\n")
        seen[scenario.id] = str(path)
        scenarios.append(scenario)
    return scenarios, bad


def add_cases_arguments(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument(
        "--cases",
        metavar="FILE",
        help="a table of cases instead of scenario files: CSV (or Parquet with the "
        "`research` extra), one row per case, one column per fact (sets as a;b, `none` "
        "for the empty set, an empty cell for unknown), `id` and an optional `as_of`",
    )
    parser.add_argument(
        "--weight",
        metavar="COLUMN",
        help="the column of --cases holding each case's weight (a number of 0 or more)",
    )


def scenarios_or_cases(
    args: argparse.Namespace, vocabulary: Vocabulary
) -> tuple[list[Scenario], int, str, list[float] | None]:
    """The scenarios of SCENARIO arguments or of --cases FILE (with --keep-going, bad
    files or rows are reported on stderr and left out): (scenarios, how many were bad,
    what they are, for messages, the weights of --weight or None)."""
    keep_going = getattr(args, "keep_going", False)
    if args.weight and not args.cases:
        raise UsageError("--weight names a column of --cases FILE: add --cases")
    if args.cases and args.scenarios:
        raise UsageError("give either scenario files or --cases FILE, not both")
    if args.cases:

        def report(exc: EligibilityError) -> None:
            sys.stderr.write(f"error: {exc}\n")

        cases = read_cases(
            args.cases, vocabulary, weight=args.weight, on_error=report if keep_going else None
        )
        return cases.cases, cases.bad, f"rows of {args.cases}", cases.weights
    if not args.scenarios:
        raise UsageError("give scenario files or directories, or --cases FILE")
    scenarios, bad = load_scenarios(args.scenarios, vocabulary, keep_going=keep_going)
    return scenarios, bad, "scenario files", None


def with_weights(
    results: Iterator[Result | None], weights: list[float] | None
) -> Iterator[Result | None]:
    """Results carrying the weight of their case (`weight` in their JSON)."""
    if weights is None:
        yield from results
        return
    for result, weight in zip(results, weights, strict=True):
        if result is not None:
            result.weight = weight
        yield result


def evaluate_all(
    evaluator: Evaluator, scenarios: list[Scenario], as_of: dt.date | None, keep_going: bool
) -> Iterator[Result | None]:
    """Results in order; with keep_going, a scenario the engine fails on gives None."""
    for scenario in scenarios:
        try:
            yield evaluator.evaluate_scenario(scenario, as_of)
        except EligibilityError as exc:
            if not keep_going:
                raise
            sys.stderr.write(f"error: {printable(scenario.path)}: {exc}\n")
            yield None


def is_directory(path: str) -> bool:
    return Path(path).is_dir()
