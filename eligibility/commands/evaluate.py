"""`eligibility evaluate`: machine-readable results for scenario files."""

from __future__ import annotations

import argparse
import json
import sys

from .. import output
from ..analysis.evaluate import Evaluator
from ..law.registry import Registry
from .common import (
    EXIT_OK,
    EXIT_USAGE,
    add_as_of_argument,
    add_cases_arguments,
    add_engine_argument,
    add_rules_argument,
    evaluate_all,
    is_directory,
    scenarios_or_cases,
    with_weights,
)

HELP = "machine-readable results for scenario files"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Evaluate scenario files (or directories of them), or --cases FILE."
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO")
    add_cases_arguments(parser)
    add_rules_argument(parser)
    add_as_of_argument(parser)
    add_engine_argument(parser)
    parser.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    parser.add_argument(
        "--out", metavar="FILE", help="write to FILE (created 0600, atomically) instead of stdout"
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="report bad scenario files (or rows of --cases) and evaluate the others "
        "(exit 2 at the end)",
    )
    parser.add_argument("--no-color", action="store_true", help="plain text tables")


def run(args: argparse.Namespace, registry: Registry) -> int:
    book = registry.load(args.rules)
    evaluator = Evaluator(book, args.engine)
    scenarios, bad, what, weights = scenarios_or_cases(args, registry.vocabulary)
    results = with_weights(evaluate_all(evaluator, scenarios, args.as_of, args.keep_going), weights)
    failed = 0
    with output.output_stream(args.out) as out:
        if args.format == "table":
            from .. import render

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
            single = (
                len(args.scenarios) == 1
                and len(documents) == 1
                and bad == 0
                and not failed
                and not is_directory(args.scenarios[0])
            )
            out.write(output.json_text(documents[0] if single else documents))
        elif args.format == "jsonl":
            for result in results:
                if result is None:
                    failed += 1
                    continue
                out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        else:
            # a weight (--weight) comes last, so the other columns keep their places
            weight = [args.weight] if weights is not None else []
            out.write(output.csv_line([*output.CSV_COLUMNS, *weight]))
            for result in results:
                if result is None:
                    failed += 1
                    continue
                extra = [repr(result.weight)] if weight else []
                for row in output.csv_rows([result.to_dict(explanations=False)]):
                    out.write(output.csv_line(row + extra))
    if bad or failed:
        sys.stderr.write(
            f"{bad + failed} of {len(scenarios) + bad} {what} could not be evaluated\n"
        )
        return EXIT_USAGE
    return EXIT_OK
