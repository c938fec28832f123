"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..analysis.evaluate import Evaluator, Result
from ..engine import ENGINE_NAMES as ENGINES
from ..errors import EligibilityError, UsageError, printable
from ..law.case_tables import read_cases
from ..law.fields import parse_date
from ..law.scenarios import Scenario, load_scenario, scenario_paths
from ..law.vocabulary import Vocabulary

PROGRESS_MODES = ("auto", "bar", "plain", "none")  # as render/progress.py

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


def add_engine_argument(  # type: ignore[no-untyped-def]
    parser, *, auto: bool = False, default: str | None = None
) -> None:
    """--engine; with `auto` (many cases), `auto` is a choice (and the default unless
    `default` says otherwise)."""
    default = default or ("auto" if auto else "durable")
    help_text = (
        "durable: the durable-rules engine; python: the reference evaluator; "
        "vector: the column-wise engine for many cases"
    )
    if auto:
        help_text += "; auto: vector from 200 cases, else durable"
    help_text += f" (default: {default})"
    parser.add_argument(
        "--engine",
        choices=(*ENGINES, "auto") if auto else ENGINES,
        default=default,
        help=help_text,
    )


def add_progress_argument(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="bar: a progress bar (a live display in Jupyter); plain: a line on stderr "
        "every few seconds (logs, CI); none; auto (default): bar on a terminal or in a "
        "notebook, else plain. Runs of fewer than 1,000 cases show none",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress (--progress none)")


def progress_mode(args) -> str:  # type: ignore[no-untyped-def]
    return "none" if args.quiet else str(args.progress)


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


KEEP_LOADED = 1000  # scenario files kept in memory after validation; more are read again
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


def walk_scenario_paths(arguments: list[str]) -> Iterator[str]:
    """The paths of scenario_paths(arguments), in the same order, without listing a
    whole tree at once: each directory's names are sorted and walked depth first (the
    order of sorted Paths, which compare part by part).

    Paths are strings, not Path objects: pathlib interns every part of every Path it
    makes, so a walk over 100,000 files would keep a table of 100,000 names for the
    rest of the run."""
    for argument in arguments:
        if os.path.isdir(argument):
            found = False
            for item in _walk(argument):
                found = True
                yield item
            if not found:
                raise UsageError(f"{argument}: no scenario files (*.yaml) in this directory")
        else:
            yield from (str(path) for path in scenario_paths([argument]))


def _walk(directory: str) -> Iterator[str]:
    names = os.listdir(directory)
    names.sort()  # in place: a directory of 100,000 files is one list of names, not two
    for name in names:
        path = os.path.join(directory, name)
        if os.path.isdir(path):
            if not os.path.islink(path):  # as rglob: a linked directory is not entered
                yield from _walk(path)
        elif os.path.splitext(name)[1] in SCENARIO_SUFFIXES and os.path.isfile(path):
            yield path


class ScenarioFiles:
    """Validated scenario files, in order, to iterate over (more than once).

    Every file is read and validated first, so a bad file is reported before anything
    is written. Up to KEEP_LOADED scenarios are kept from that pass; beyond that nothing
    per file is held but an 8-byte hash of its id (for the duplicate check): the files
    are listed again, directory by directory, and read again when their turn comes."""

    def __init__(
        self,
        arguments: list[str],
        count: int,
        kept: list[Scenario] | None,
        skip: set[str],
        vocabulary: Vocabulary,
    ) -> None:
        self.arguments = arguments
        self.count = count
        self.kept = kept
        self.skip = skip  # bad files (--keep-going): reported once, in the first pass
        self.vocabulary = vocabulary

    def __len__(self) -> int:
        return self.count

    def paths(self) -> Iterator[str]:
        for path in walk_scenario_paths(self.arguments):
            if path not in self.skip:
                yield path

    def __iter__(self) -> Iterator[Scenario]:
        if self.kept is not None:
            yield from self.kept
            return
        for path in self.paths():
            yield load_scenario(path, self.vocabulary)

    def items(self) -> Iterator[Scenario | str]:
        """The scenarios, or the paths of the files to read again (population/batch.py
        reads them in its workers)."""
        if self.kept is not None:
            yield from self.kept
        else:
            yield from self.paths()


def scenario_files(
    arguments: list[str], vocabulary: Vocabulary, *, keep_going: bool
) -> tuple[ScenarioFiles, int]:
    """Like load_scenarios, but holding at most KEEP_LOADED scenarios."""
    from array import array

    kept: list[Scenario] | None = []
    skip: set[str] = set()
    hashes = array("q")
    count = 0
    for path in walk_scenario_paths(arguments):
        try:
            scenario = load_scenario(path, vocabulary)
        except EligibilityError as exc:
            if not keep_going:
                raise
            sys.stderr.write(f"error: {exc}\n")
            skip.add(str(path))
            continue
        count += 1
        hashes.append(hash(scenario.id))
        if kept is not None:
            kept.append(scenario)
            if len(kept) > KEEP_LOADED:
                kept = None
    if len(set(hashes)) != len(hashes):
        _report_duplicates(arguments, hashes, skip, vocabulary, keep_going)
    return ScenarioFiles(arguments, count, kept, skip, vocabulary), len(skip)


def _report_duplicates(
    arguments: list[str],
    hashes: Sequence[int],
    skip: set[str],
    vocabulary: Vocabulary,
    keep_going: bool,
) -> None:
    """Files that share a scenario id (found by hash; the files are read again only
    when two hashes match): an error, or with keep_going a warning for each."""
    seen: set[int] = set()
    twice: set[int] = set()
    for value in hashes:
        (twice if value in seen else seen).add(value)
    first: dict[str, str] = {}
    for path in walk_scenario_paths(arguments):
        if str(path) in skip:
            continue
        scenario = load_scenario(path, vocabulary)
        if hash(scenario.id) not in twice:
            continue
        other = first.setdefault(scenario.id, str(path))
        if other != str(path):
            message = f"{path}: scenario id {scenario.id} is also used by {other}"
            if not keep_going:
                raise UsageError(message)
            sys.stderr.write(f"warning: {printable(message)}\n")


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
