"""`eligibility explain`: the trainee's report on one scenario."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from ..analysis.evaluate import Evaluator
from ..analysis.report import build_report, compare_dates, shift_ages
from ..errors import UsageError
from ..law.registry import Registry
from ..law.scenarios import Scenario, load_scenario
from ..output import json_text, write_private
from .common import (
    EXIT_OK,
    MIN_WIDTH,
    add_as_of_argument,
    add_engine_argument,
    add_rules_argument,
    at_least,
    date_argument,
)

HELP = "explain one scenario: statuses, elements, law-enforcement dependency, what would change"
EXPORTS = (".html", ".svg", ".txt")
COMPARED_RULE_SET = "rights-based-2007"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Explain which protections apply to the person in SCENARIO and why: a summary, "
        "each provision's elements with citations, the questions still to ask, every "
        "place where the outcome turns on law enforcement (with the critique that "
        "applies), and what would change the outcome."
    )
    parser.add_argument("scenario", metavar="SCENARIO")
    add_rules_argument(parser)
    add_as_of_argument(parser)
    add_engine_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--no-color", action="store_true", help="plain text, no colours")
    parser.add_argument(
        "--width",
        type=at_least(MIN_WIDTH),
        metavar="COLUMNS",
        help="render for this many columns (default: the terminal's)",
    )
    parser.add_argument(
        "--export",
        metavar="FILE",
        help="also write the report to FILE (.html, .svg or .txt), mode 0600",
    )
    parser.add_argument(
        "--compare-dates",
        metavar="D1,D2",
        help="show the same person under the law of these dates side by side",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="add every element with its citation, what would change each outcome, the "
        "notes and the readings of the law",
    )
    parser.add_argument(
        "--no-pager",
        action="store_true",
        help="never page a long report (on a terminal it goes through $PAGER or less)",
    )
    parser.add_argument(
        "--no-what-if",
        action="store_true",
        help="skip the search for what would change each outcome",
    )


def _compare_dates(text: str) -> list[dt.date]:
    dates = []
    for part in text.split(","):
        try:
            dates.append(date_argument(part.strip()))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"--compare-dates: {exc}") from None
    if len(dates) < 2:
        raise UsageError("--compare-dates needs two or more dates, e.g. 2002-06-01,2025-06-01")
    return dates


def build(
    scenario: Scenario,
    *,
    registry: Registry,
    rules: str,
    as_of: dt.date | None,
    engine: str,
    what_if: bool = True,
) -> dict[str, Any]:
    """The report for `scenario` (used by `explain` and at the end of `interview`)."""
    book = registry.load(rules)
    result = Evaluator(book, engine).evaluate_scenario(scenario, as_of)
    compared = (
        [registry.load(COMPARED_RULE_SET)]
        if book.name != COMPARED_RULE_SET
        else [registry.load("us-law")]
    )
    guide = registry.interview_guide
    return build_report(
        result,
        scenario,
        book=book,
        compare_books=compared,
        what_if=what_if,
        refines=guide.refines if guide else None,
    )


def run(args: argparse.Namespace, registry: Registry) -> int:
    from .. import render
    from ..render.handout import handout_html
    from ..render.report import print_date_comparison, print_report

    if args.export and Path(args.export).suffix.lower() not in EXPORTS:
        raise UsageError(
            f"--export {args.export}: expected a file name ending in {', '.join(EXPORTS)}"
        )
    dates = _compare_dates(args.compare_dates) if args.compare_dates else []
    # the facts of the rule set's overlays too (`facts:`); a fact none knows is an error
    scenario = load_scenario(args.scenario, registry.vocabulary_for(args.rules))
    report = build(
        scenario,
        registry=registry,
        rules=args.rules,
        as_of=args.as_of,
        engine=args.engine,
        what_if=not args.no_what_if,
    )
    comparison = None
    if dates:
        evaluator = Evaluator(registry.load(args.rules), args.engine)
        stated = args.as_of or scenario.as_of
        results, ages = [], []
        for date in dates:
            given = scenario.evaluated_facts()  # findings count as not met, as above
            facts = shift_ages(given, stated, date) if stated else given
            results.append(evaluator.evaluate(facts, date, scenario.id))
            ages.append(facts.get("age_now"))
        comparison = compare_dates(results, ages=ages if stated else None)
    if args.format == "json":
        document: dict[str, Any] = dict(report)
        if comparison:
            document["compare_dates"] = comparison
        text = json_text(document)
        sys.stdout.write(text)
        if args.export:
            write_private(args.export, text)
        return EXIT_OK
    out = render.console(no_color=args.no_color, width=args.width)
    suffix = Path(args.export).suffix.lower() if args.export else ""
    out.record = suffix in (".svg", ".txt")

    def draw(console: Any) -> None:
        if comparison:
            print_date_comparison(comparison, console)
        print_report(report, console, full=args.full)

    render.page(out, draw, pager=not args.no_pager)
    if args.export:
        if suffix == ".html":
            exported = handout_html(report, full=args.full)
        elif suffix == ".txt":
            exported = out.export_text()
        else:
            exported = out.export_svg(title=f"eligibility: {scenario.id}")
        write_private(args.export, exported)
        sys.stderr.write(f"report written to {args.export} (readable by you only)\n")
    return EXIT_OK
