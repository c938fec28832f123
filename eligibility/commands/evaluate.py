"""`eligibility evaluate`: machine-readable results for scenario files."""

from __future__ import annotations

import argparse
import sys
from typing import IO

from .. import output
from ..analysis.evaluate import Evaluator
from ..errors import UsageError
from ..law.registry import Registry
from ..law.scenarios import Scenario
from .common import (
    EXIT_OK,
    EXIT_USAGE,
    ScenarioFiles,
    add_as_of_argument,
    add_cases_arguments,
    add_engine_argument,
    add_progress_argument,
    add_rules_argument,
    at_least,
    evaluate_all,
    is_directory,
    progress_mode,
    scenario_files,
    scenarios_or_cases,
)

HELP = "machine-readable results for scenario files"

FORMATS = ("table", "json", "jsonl", "csv", "parquet")
EPILOG = """\
output:
  json     one document per scenario (an array when more than one), written as it is
           evaluated; --detail full (the default) as DESIGN.md describes
  jsonl    one document per line; --detail summary (the default) leaves out the
           explanation trees and every text that repeats the rule set (docs/results.md)
  csv      tidy: one row per scenario and provision, every value but the explanation
  parquet  the same rows, typed, to --out FILE (needs pyarrow:
           pip install 'eligibility[research]')
  table    one row per scenario, at the terminal's width, or at the table's own width
           when written to a file or a pipe (ids are never split)
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Evaluate scenario files (or directories of them), or --cases FILE."
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO")
    add_cases_arguments(parser)
    add_rules_argument(parser)
    add_as_of_argument(parser)
    add_engine_argument(parser, auto=True, default="durable")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--detail",
        choices=("summary", "full"),
        help="summary: no explanation trees or repeated texts, about 1 KB a scenario; "
        "full: everything (default: full for json, summary for jsonl)",
    )
    parser.add_argument(
        "--jobs",
        type=at_least(1),
        default=1,
        metavar="N",
        help="worker processes (default: 1); results stay in input order",
    )
    parser.add_argument(
        "--out", metavar="FILE", help="write to FILE (created 0600, atomically) instead of stdout"
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="report bad scenario files (or rows of --cases) and evaluate the others "
        "(exit 2 at the end)",
    )
    add_progress_argument(parser)
    parser.add_argument("--no-color", action="store_true", help="plain text tables")


def run(args: argparse.Namespace, registry: Registry) -> int:
    if args.format == "parquet" and (args.out is None or args.out == "-"):
        raise UsageError("--format parquet writes a binary file: give --out FILE.parquet")
    book = registry.load(args.rules)
    scenarios: ScenarioFiles | list[Scenario]
    weights: list[float] | None = None
    what = "scenario files"
    # the facts the rule set's overlays add (`facts:`) too; a fact none knows is an error
    vocabulary = registry.vocabulary_for(args.rules)
    if args.cases or args.weight or not args.scenarios:
        scenarios, bad, what, weights = scenarios_or_cases(args, vocabulary)
    else:
        scenarios, bad = scenario_files(args.scenarios, vocabulary, keep_going=args.keep_going)
    engine = args.engine
    if engine == "auto":  # columns pay off from VECTOR_FROM cases; a table is for reading
        from ..population.engines import VECTOR_FROM

        many = len(scenarios) >= VECTOR_FROM and args.format != "table"
        engine = "vector" if many else "durable"
    if args.format == "table":
        return _table(args, Evaluator(book, engine), scenarios, bad, what)
    if args.format == "parquet":
        # refused before any work when pyarrow is missing
        output.ParquetRows.check()

    from ..population.batch import Config, evaluate_many
    from ..render.progress import progress

    detail = args.detail or ("full" if args.format == "json" else "summary")
    config = Config(
        str(registry.rules_dir),
        args.rules,
        engine,
        args.as_of,
        detail,
        args.format,
        keep_going=args.keep_going,
        weighted=weights is not None,
    )
    single = (
        args.format == "json"
        and len(args.scenarios) == 1
        and len(scenarios) == 1
        and bad == 0
        and not is_directory(args.scenarios[0])
    )
    failed = 0
    with (
        output.output_stream(args.out) as out,
        progress(len(scenarios), mode=progress_mode(args), doing="evaluating") as advance,
    ):
        writer = _writer(args.format, out, single, args.weight if weights is not None else None)
        items = scenarios.items() if isinstance(scenarios, ScenarioFiles) else scenarios
        for kind, value in evaluate_many(config, items, weights=weights, jobs=args.jobs):
            advance(1)
            if kind == "error":
                failed += 1
                sys.stderr.write(f"error: {value}\n")
            else:
                writer.add(value)
        if single and failed:
            writer = _writer("json", out, False, None)  # as before: an empty array
        writer.close()
    if bad or failed:
        sys.stderr.write(
            f"{bad + failed} of {len(scenarios) + bad} {what} could not be evaluated\n"
        )
        return EXIT_USAGE
    return EXIT_OK


class _Single:
    """`--format json` of one scenario file: the document itself, not an array."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def add(self, element: str) -> None:
        self.out.write(element[2:].replace("\n  ", "\n") + "\n")  # json_element undone

    def close(self) -> None:
        pass


class _Text:
    """JSON lines and CSV: each scenario's text as it comes."""

    def __init__(self, out: IO[str], header: str = "") -> None:
        self.out = out
        out.write(header)

    def add(self, text: str) -> None:
        self.out.write(text)

    def close(self) -> None:
        pass


def _writer(
    fmt: str, out: IO[str], single: bool, weight: str | None
) -> _Single | _Text | output.JsonArray | output.ParquetRows:
    """`weight`: the --weight column, when the cases have weights (a last column
    `weight` in CSV and Parquet; a key `weight` in JSON)."""
    if fmt == "json":
        return _Single(out) if single else output.JsonArray(out)
    if fmt == "jsonl":
        return _Text(out)
    if fmt == "csv":
        weight_column = ["weight"] if weight else []
        return _Text(out, output.csv_line([*output.CSV_COLUMNS, *weight_column]))
    return output.ParquetRows(out, weighted=weight is not None)


def _table(
    args: argparse.Namespace,
    evaluator: Evaluator,
    scenarios: ScenarioFiles | list[Scenario],
    bad: int,
    what: str,
) -> int:
    from .. import render

    results = evaluate_all(evaluator, list(scenarios), args.as_of, args.keep_going)
    kept = [r for r in results if r is not None]
    failed = len(scenarios) - len(kept)
    with output.output_stream(args.out) as out:
        render.print_results_table(kept, file=out, no_color=args.no_color or bool(args.out))
    if bad or failed:
        sys.stderr.write(
            f"{bad + failed} of {len(scenarios) + bad} {what} could not be evaluated\n"
        )
        return EXIT_USAGE
    return EXIT_OK
