"""`eligibility compare`: which provisions change for whom between two rule sets, and why."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from contextlib import nullcontext

from .. import output
from ..errors import UsageError
from ..law.registry import Registry
from ..population.compare import (
    ROW_FORMATS,
    Comparison,
    Side,
    Weights,
    compare,
    csv_header,
    default_jobs,
    parse_side,
)
from ..population.engines import choose_engine
from .common import (
    EXIT_OK,
    EXIT_USAGE,
    add_cases_arguments,
    add_engine_argument,
    add_progress_argument,
    at_least,
    date_argument,
    progress_mode,
    scenarios_or_cases,
)

HELP = "which provisions change for whom between two rule sets, with counts and examples"

EPILOG = """\
rule sets and dates:
  --rules takes a bundled name (us-law, rights-based-2007) or the path of an overlay
  file or rule set directory, optionally followed by @YYYY-MM-DD or @today to fix that
  side's date:
      --rules us-law@2002-06-01 --rules us-law@today
  A side without its own date uses --as-of-a / --as-of-b, else --as-of, else each
  scenario's as_of, else today (generated scenarios have no as_of).

population:
  SCENARIO files or directories; or --cases FILE, a table of cases (CSV, or Parquet with
  the `research` extra: one row per case, one column per fact, `id`, optional `as_of`),
  with --weight COLUMN to weigh each case (every share then also has its weighted value);
  or --generate N --seed S: N scenarios drawn from a
  distribution file (--distribution, default: the bundled `default`, documented in
  rules/populations/default.yaml). The same N and seed give the same scenarios on any
  machine and with any --jobs; ids are gen-SEED-INDEX. The column-wise engine
  (--engine vector, and --engine auto from 200 cases) draws them column-wise instead
  (stream columns-1: the same distribution, other random draws), with ids
  col-SEED-INDEX; `eligibility explain col-SEED-INDEX` shows one such case in full.

engines:
  --engine auto (the default) uses the column-wise engine (vector) from 200 cases and
  the durable-rules engine below, or when --out asks for per-case rows; the summary
  names the engine used.

output:
  Per provision: the transitions between statuses (met -> not_met, ...) with counts and
  percentages of the population, the conditions responsible (conditions that changed
  status while none of their own sub-conditions did; the most frequent first), the first
  example scenario ids, and for each rule set the share of the population that is
  law-enforcement gated (not met, but met if every law-enforcement action and
  cooperation fact were favourable).
  --out FILE writes one row per scenario and provision (CSV with a header row), or one
  JSON object per scenario (--out-format jsonl, or a .jsonl file name); the file is
  created 0600 and appears complete or not at all.
  --plot FILE.svg|png draws the gains and losses per provision and the law-enforcement
  dependency shares of both rule sets (needs matplotlib: pip install 'eligibility[research]').

examples:
  eligibility compare --rules us-law@2002-06-01 --rules us-law@today --generate 10000 --seed 7
  eligibility compare --rules us-law --rules rights-based-2007 scenarios/ --format json
  eligibility compare --rules us-law --rules my-overlay.yaml --generate 100000 --out rows.csv
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Compare two rule sets (or one rule set on two dates) over "
        "scenario files or a generated population: per provision, who "
        "gains or loses it, the conditions responsible, examples, and "
        "how much depends on law enforcement."
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="scenario files or directories (or use --cases or --generate)",
    )
    add_cases_arguments(parser)
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="report bad scenario files (or rows of --cases), compare the others, and "
        "exit 2 at the end",
    )
    parser.add_argument(
        "--rules",
        action="append",
        metavar="R[@DATE]",
        required=True,
        help="a rule set: bundled name or path, optionally @YYYY-MM-DD or "
        "@today; give it twice, A then B",
    )
    parser.add_argument(
        "--as-of",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="the date of both sides (unless a side has its own)",
    )
    parser.add_argument(
        "--as-of-a", type=date_argument, metavar="YYYY-MM-DD", help="the date of side A"
    )
    parser.add_argument(
        "--as-of-b", type=date_argument, metavar="YYYY-MM-DD", help="the date of side B"
    )
    parser.add_argument(
        "--generate",
        type=at_least(1),
        metavar="N",
        help="compare over N generated scenarios instead of files",
    )
    parser.add_argument(
        "--seed",
        type=at_least(0),
        metavar="S",
        help="seed of the generated population (default: 0)",
    )
    parser.add_argument(
        "--distribution",
        metavar="FILE",
        help="distribution of the generated population: a bundled name "
        "or a path (default: default)",
    )
    add_engine_argument(parser, auto=True)
    parser.add_argument(
        "--jobs",
        type=at_least(1),
        metavar="N",
        default=None,
        help=f"worker processes (default: all cores, here {default_jobs()})",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="the summary on stdout (default: table)",
    )
    parser.add_argument(
        "--out", metavar="FILE", help="also write one row per scenario and provision to FILE"
    )
    parser.add_argument(
        "--out-format",
        choices=ROW_FORMATS,
        help="format of --out (default: jsonl for .jsonl/.json/.ndjson file names, else csv)",
    )
    parser.add_argument(
        "--examples",
        type=at_least(1),
        default=3,
        metavar="K",
        help="example scenario ids kept per transition (default: 3)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw gains, losses and law-enforcement dependency to FILE.svg or FILE.png",
    )
    add_progress_argument(parser)
    parser.add_argument("--no-color", action="store_true", help="plain text tables")


def sides(args: argparse.Namespace, today: dt.date) -> tuple[Side, Side]:
    """The two sides from --rules (NAME@DATE) and the --as-of flags."""
    if len(args.rules) != 2:
        raise UsageError(
            f"compare needs exactly two rule sets (--rules A --rules B), got {len(args.rules)}"
        )
    if args.as_of and (args.as_of_a or args.as_of_b):
        raise UsageError("give either --as-of (both sides) or --as-of-a / --as-of-b")
    out = []
    for label, text, own_date in zip("ab", args.rules, (args.as_of_a, args.as_of_b), strict=False):
        side = parse_side(text, today=today)
        if side.as_of and own_date:
            raise UsageError(
                f"--rules {text} already gives side {label.upper()}'s date; "
                f"drop --as-of-{label} or the @date"
            )
        out.append(Side(side.rules, side.as_of or own_date or args.as_of))
    return out[0], out[1]


def run(args: argparse.Namespace, registry: Registry) -> int:
    today = dt.date.today()
    side_a, side_b = sides(args, today)
    if args.generate is None:
        if not args.scenarios and not args.cases:
            raise UsageError("give scenario files or directories, or --cases FILE, or --generate N")
        for flag, value in (("--seed", args.seed), ("--distribution", args.distribution)):
            if value is not None:
                raise UsageError(f"{flag} applies to generated populations: add --generate N")
    elif args.scenarios:
        raise UsageError("give either scenario files or --generate N, not both")
    elif args.cases:
        raise UsageError("give either --cases FILE or --generate N, not both")
    if args.out == "-":
        raise UsageError("--out needs a file name: the summary is written to stdout")
    row_format = args.out_format
    if args.out and row_format is None:
        row_format = "jsonl" if args.out.lower().endswith((".jsonl", ".json", ".ndjson")) else "csv"
    scenarios = None
    weights: Weights | None = None
    bad = 0
    if args.generate is None:
        scenarios, bad, what, weighed = scenarios_or_cases(
            args, registry.vocabulary_for(side_a.rules, side_b.rules)
        )
        if weighed is not None:
            weights = Weights(args.weight, tuple(weighed))
    jobs = args.jobs or default_jobs()
    total = args.generate if args.generate is not None else len(scenarios or ())
    choice = choose_engine(args.engine, total, rows=bool(args.out))
    if choice.name == "vector" and args.out:
        raise UsageError(
            "--out writes per-case rows, which the column-wise engine does not produce; "
            "use --engine durable or --engine python with --out"
        )
    if args.plot:
        from ..render.plots import check_plot_target

        check_plot_target(args.plot)

    from ..render.compare import print_comparison
    from ..render.progress import progress

    with output.output_stream(args.out) if args.out else nullcontext() as rows_out:
        if rows_out is not None and row_format == "csv":
            rows_out.write(csv_header())
        mode = progress_mode(args)
        with progress(total, mode=mode, doing="comparing", unit="cases") as advance:
            comparison: Comparison
            if choice.name == "vector":
                from ..population.vector_compare import compare_columns

                comparison = compare_columns(
                    side_a,
                    side_b,
                    scenarios=scenarios,
                    generate=args.generate,
                    seed=args.seed or 0,
                    distribution=args.distribution or "default",
                    jobs=jobs,
                    examples=args.examples,
                    today=today,
                    progress=advance,
                    registry=registry,
                    weights=weights,
                    cases_file=args.cases,
                )
            else:
                comparison = compare(
                    side_a,
                    side_b,
                    scenarios=scenarios,
                    generate=args.generate,
                    seed=args.seed or 0,
                    distribution=args.distribution or "default",
                    engine=choice.name,
                    jobs=jobs,
                    examples=args.examples,
                    rows=row_format if rows_out is not None else None,
                    write_rows=rows_out.write if rows_out is not None else None,
                    progress=advance,
                    today=today,
                    registry=registry,
                    weights=weights,
                    cases_file=args.cases,
                )
    if comparison.restarts:
        sys.stderr.write(
            f"warning: a worker process crashed or stopped responding "
            f"{comparison.restarts} time(s) (the rules engine); its scenarios "
            f"were evaluated again, so the results are complete\n"
        )
    doc = comparison.to_dict()
    if choice.reason:
        doc["engine_choice"] = choice.reason
    if args.plot:
        from ..render.plots import plot_comparison

        plot_comparison(doc, args.plot)
    if args.format == "json":
        sys.stdout.write(output.json_text(doc))
    elif args.format == "csv":
        for row in comparison.csv_rows():
            sys.stdout.write(output.csv_line(row))
    else:
        print_comparison(doc, today=today.isoformat(), file=sys.stdout, no_color=args.no_color)
    if bad:
        sys.stderr.write(f"{bad} of {len(scenarios or ()) + bad} {what} were left out\n")
        return EXIT_USAGE
    return EXIT_OK
