"""`eligibility generate`: write a generated population, so that any of its scenarios can
be read, explained or evaluated later."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from .. import output
from ..errors import UsageError
from ..law.cases import cells, header
from ..law.registry import Registry
from ..law.scenarios import Scenario, dump_yaml, scenario_document
from ..law.vocabulary import Facts
from ..population.checks import check_distribution
from ..population.distributions import load_distribution
from .common import EXIT_OK, at_least

HELP = "write N generated scenarios: a CSV table of cases, or one scenario file each"
STREAMS = ("cases", "columns")

EPILOG = """\
The population is the one `compare --generate N --seed S` draws (stream `cases`, ids
gen-SEED-INDEX) or the column-wise engine draws (`--stream columns`, ids
col-SEED-INDEX). The same distribution, seed and index give the same scenario on any
machine, so an id seen in a comparison can be written again and explained:

  eligibility generate 1 --seed 7 --start 138 --out cases/
  eligibility explain cases/gen-7-138.yaml

  eligibility generate 10000 --seed 7 --out population.csv
  eligibility compare --rules us-law --rules rights-based-2007 --cases population.csv
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Draw N scenarios from a distribution file and write them: a CSV table of cases "
        "(read back by --cases), or one scenario file per case in a directory."
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("count", type=at_least(1), metavar="N", help="how many scenarios")
    parser.add_argument(
        "--seed", type=at_least(0), default=0, metavar="S", help="seed (default: 0)"
    )
    parser.add_argument(
        "--start",
        type=at_least(0),
        default=0,
        metavar="I",
        help="index of the first scenario (default: 0): `--start 138` writes gen-S-138 on",
    )
    parser.add_argument(
        "--distribution",
        default="default",
        metavar="FILE",
        help="a bundled distribution name or the path of a distribution file (default: default)",
    )
    parser.add_argument(
        "--stream",
        choices=STREAMS,
        default="cases",
        help="cases: the scenarios of `compare --generate` (ids gen-S-I, the default); "
        "columns: those of the column-wise engine (ids col-S-I)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE.csv|DIR",
        help="a .csv file (one row per scenario), or a directory that gets one scenario "
        "file per scenario (ID.yaml); default: CSV on standard output",
    )


def run(args: argparse.Namespace, registry: Registry) -> int:
    distribution = load_distribution(args.distribution, registry.vocabulary, registry=registry)
    for finding in check_distribution(distribution, registry.vocabulary):
        sys.stderr.write(f"warning: {finding}\n")
    drawn: Iterator[tuple[str, Facts]]
    if args.stream == "columns":
        from ..population.columns import ColumnGenerator

        generator = ColumnGenerator(distribution, registry.vocabulary)
        drawn = generator.generate(args.count, args.seed, start=args.start)
    else:
        drawn = distribution.generate(args.count, args.seed, start=args.start)
    vocabulary = registry.vocabulary
    target = args.out
    if target is None or target == "-" or target.lower().endswith(".csv"):
        with output.output_stream(target) as out:
            out.write(output.csv_line(header(vocabulary)))
            for sid, facts in drawn:
                out.write(output.csv_line(cells(sid, facts, vocabulary)))
        return EXIT_OK
    directory = Path(target)
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--out {target}: not a directory; give a directory or a .csv file")
    directory.mkdir(parents=True, exist_ok=True)
    source = f"eligibility generate --distribution {args.distribution} --seed {args.seed}" + (
        " --stream columns" if args.stream == "columns" else ""
    )
    written = 0
    for sid, facts in drawn:
        scenario = Scenario(
            id=sid,
            facts=facts,
            title=f"Generated scenario {sid} (distribution {distribution.name})",
            source=source,
        )
        document = scenario_document(scenario, vocabulary)
        document["source"] = source
        output.write_private(str(directory / f"{sid}.yaml"), dump_yaml(document))
        written += 1
    files = "file" if written == 1 else "files"
    sys.stderr.write(f"wrote {written:,} scenario {files} to {directory}\n")
    return EXIT_OK
