"""`eligibility timeline`: the shares per provision at every amendment date of a period."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from .. import output
from ..errors import UsageError
from ..law.registry import Registry
from .common import EXIT_OK, add_cases_arguments, at_least, date_argument, scenarios_or_cases

HELP = "how each amendment moved eligibility and law-enforcement dependency, as a chart"

EPILOG = """\
For a population (--generate N; SCENARIO files or directories; or --cases FILE, a table
of cases as for evaluate and compare, with --weight COLUMN), the share of cases that
meet each provision, that are law-enforcement gated, and that are met only through law
enforcement, under the law in force on --from and on every date up to --to
on which a provision was enacted or amended (docs/results.md explains the levels).
Between two such dates nothing changes: the chart is a step chart, each amendment date
numbered above it and named in the key below it.

Generated cases are drawn column-wise (stream columns-1, ids col-SEED-INDEX).

output:
  CSV on stdout (or --csv FILE): one row per rule set, date and provision, with the
  percent of cases in each status and each dependency level, and what took effect.
  --plot FILE.svg|png: the chart (needs matplotlib: pip install 'eligibility[research]').

examples:
  eligibility timeline --rules us-law --from 2000-10-28 --to today --generate 100000 \\
      --plot us-law.svg
  eligibility timeline --rules us-law --rules rights-based-2007 --from 2000-10-28 \\
      --to 2025-01-01 scenarios/ --csv shares.csv
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Evaluate a population under the law of every amendment date in a period: "
        "the shares per provision, as CSV and as a step chart."
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--rules",
        action="append",
        metavar="R",
        required=True,
        help="a rule set: bundled name or path (give it twice to draw two)",
    )
    parser.add_argument(
        "--from",
        dest="start",
        type=date_argument,
        required=True,
        metavar="YYYY-MM-DD",
        help="the first date",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=date_argument,
        default=None,
        metavar="YYYY-MM-DD",
        help="the last date, or `today` (default: today)",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="scenario files or directories (or use --cases or --generate)",
    )
    parser.add_argument("--generate", type=at_least(1), metavar="N", help="N generated cases")
    add_cases_arguments(parser)
    parser.add_argument(
        "--seed", type=at_least(0), default=0, metavar="S", help="seed (default: 0)"
    )
    parser.add_argument(
        "--distribution",
        default="default",
        metavar="FILE",
        help="distribution of generated cases: bundled name or path (default: default)",
    )
    parser.add_argument("--plot", metavar="FILE", help="draw the chart to FILE.svg or FILE.png")
    parser.add_argument(
        "--csv",
        metavar="FILE",
        help="write the numbers to FILE (created 0600, atomically) instead of stdout",
    )


def run(args: argparse.Namespace, registry: Registry) -> int:
    end = args.end or dt.date.today()
    if args.plot:
        from ..render.plots import check_plot_target

        check_plot_target(args.plot)
    if args.csv == "-" and args.plot is None:
        args.csv = None
    scenarios = None
    weights = None
    if args.generate is not None:
        if args.scenarios or args.cases:
            raise UsageError("give --generate N, or scenario files, or --cases FILE: one of them")
        if args.weight:
            raise UsageError("--weight names a column of --cases FILE: add --cases")
    else:
        if args.seed or args.distribution != "default":
            raise UsageError("--seed and --distribution apply to --generate N")
        if not args.scenarios and not args.cases:
            raise UsageError("give --generate N, scenario files or directories, or --cases FILE")
        scenarios, _, _, weights = scenarios_or_cases(args, registry.vocabulary_for(*args.rules))

    from ..population.timeline import timeline

    data = timeline(
        args.rules,
        args.start,
        end,
        generate=args.generate,
        seed=args.seed,
        distribution=args.distribution,
        scenarios=scenarios,
        weights=weights,
        weight_column=args.weight,
        registry=registry,
    )
    if args.plot:
        from ..render.plots import plot_timeline

        plot_timeline(data, args.plot)
    with output.output_stream(args.csv) as out:
        for row in data.csv_rows():
            out.write(output.csv_line(row))
    if args.plot:
        sys.stderr.write(f"wrote {args.plot}\n")
    return EXIT_OK
