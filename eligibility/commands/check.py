"""`eligibility check`: lint a rule set and test its invariants with Hypothesis."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..analysis.invariants import (
    DEFAULT_EXAMPLES,
    InvariantChecker,
    InvariantFile,
    exclusions,
    load_invariants,
    private_hypothesis_storage,
)
from ..analysis.lint import CheckSummary, LintReport, finding_from_error, lint, lint_failure
from ..errors import EligibilityError, UsageError
from ..law.registry import Registry
from ..law.rulebook import RuleBook
from ..output import write_private
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    add_engine_argument,
    add_rules_argument,
    at_least,
    date_argument,
)

HELP = "lint a rule set and test its invariants; prints shrunk counterexamples"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Check that a rule set is consistent: lint it (unreachable conditions, unused or "
        "undeclared facts, provisions that can never be met or never be not met at some "
        "date, cycles, missing citations, amendment targets that do not exist, changes "
        "whose result depends on file order), then test every invariant of "
        "rules/invariants.yaml and of the rule set's overlays on generated scenarios. "
        "Each failure is printed with a shrunk counterexample scenario. Exit 1 on any "
        "error or failed invariant."
    )
    add_rules_argument(parser)
    parser.add_argument(
        "--as-of",
        dest="as_of",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="check the law in force on this date only (default: every "
        "date on which it changes, and random dates)",
    )
    add_engine_argument(parser)
    parser.add_argument(
        "--examples",
        type=at_least(0),
        default=DEFAULT_EXAMPLES,
        metavar="N",
        help=f"scenarios Hypothesis generates per invariant, after the "
        f"sweep (default {DEFAULT_EXAMPLES}; 0: the sweep only)",
    )
    parser.add_argument(
        "--invariants",
        metavar="FILE",
        help="invariants file (default: the bundled rules/invariants.yaml; "
        "`none` for only the overlays' own)",
    )
    parser.add_argument(
        "--save",
        metavar="DIR",
        help="also write each counterexample to DIR as a scenario file (created 0600)",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument("--no-color", action="store_true", help="plain text")


def run(args: argparse.Namespace, registry: Registry) -> int:
    with private_hypothesis_storage():
        return _run(args, registry)


def _run(args: argparse.Namespace, registry: Registry) -> int:
    from ..render import check as show
    from ..render.common import console

    started = time.perf_counter()
    out = console(no_color=args.no_color)
    save = Path(args.save) if args.save else None
    if save is not None and not save.is_dir():
        raise UsageError(f"--save {args.save}: no such directory")
    try:
        book = registry.load(args.rules)
    except UsageError:
        raise
    except EligibilityError as exc:  # a rule file that does not load is a lint failure
        report = lint_failure(args.rules, exc)
        show.print_header(out, args.rules, "does not load", [])
        show.print_lint(out, report)
        show.print_summary(
            out,
            failed=0,
            checked=0,
            skipped=0,
            errors=len(report.errors),
            warnings=0,
            strict=args.strict,
            seconds=time.perf_counter() - started,
            ran_invariants=False,
        )
        return EXIT_FAILED

    path = _invariants_path(args.invariants, registry.rules_dir)
    invariants: InvariantFile | None = None
    problem = None
    try:
        invariants = load_invariants(path, book)
    except EligibilityError as exc:
        if args.invariants and exc.path and path and Path(exc.path) == Path(path):
            raise  # the file named by --invariants is bad input (exit 2), not a finding
        problem = finding_from_error(exc, "invariants")
    report = _lint(book, args, invariants)
    if problem is not None:
        report.checks.append(CheckSummary("invariants", "the invariants load", (problem,)))
    show.print_header(out, book.name, book.title, [d.isoformat() for d in report.epochs])
    show.print_lint(out, report)

    outcomes = []
    resolves = not any(f.check == "load" for f in report.errors)
    if invariants is not None and resolves:
        checker = InvariantChecker(
            book,
            invariants.assumptions,
            engine=args.engine,
            as_of=args.as_of,
            examples=args.examples,
            label=args.rules,
            invariants=invariants.invariants,
        )
        show.print_invariants_heading(
            out, path, args.engine, args.examples, args.as_of.isoformat() if args.as_of else None
        )
        width = max((len(i.id) for i in invariants.invariants), default=0)
        for invariant in invariants.invariants:
            outcome = checker.check(invariant)
            outcomes.append(outcome)
            show.print_outcome(out, outcome, width, args.rules)
            if save is not None and outcome.counterexample is not None:
                _save(save, outcome.counterexample.documents)
    failed = sum(o.status == "failed" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    errors, warnings = len(report.errors), len(report.warnings)
    show.print_summary(
        out,
        failed=failed,
        checked=len(outcomes) - skipped,
        skipped=skipped,
        errors=errors,
        warnings=warnings,
        strict=args.strict,
        seconds=time.perf_counter() - started,
        ran_invariants=invariants is not None and resolves,
    )
    if failed or errors or (args.strict and warnings):
        return EXIT_FAILED
    return EXIT_OK


def _invariants_path(argument: str | None, rules_dir: Path) -> str:
    if argument == "none":
        return ""
    if argument:
        if not Path(argument).is_file():
            raise UsageError(f"--invariants {argument}: no such file")
        return argument
    bundled = rules_dir / "invariants.yaml"
    return str(bundled) if bundled.is_file() else ""


def _lint(book: RuleBook, args: argparse.Namespace, invariants: InvariantFile | None) -> LintReport:
    """The lint, told which fact combinations the assumptions rule out."""
    excluded, linked = exclusions(invariants.assumptions if invariants else ())
    return lint(book, as_of=args.as_of, excluded=excluded, linked=linked)


def _save(directory: Path, documents: list[tuple[str, str]]) -> None:
    for _, document in documents:
        first = document.splitlines()[0]
        name = first.partition(":")[2].strip() or "counterexample"
        write_private(str(directory / f"{name}.yaml"), document)
