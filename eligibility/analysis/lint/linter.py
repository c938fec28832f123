"""The lint as a whole: every check on a loaded rule set, in the order they are
reported (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

from ...errors import EligibilityError
from ...law.rulebook import ResolvedBook, RuleBook
from ...law.vocabulary import Facts
from ..search import DEFAULT_SEARCH_LIMIT, ValueClasses
from .findings import CheckSummary, Collector, LintReport, epoch_starts, finding_from_error
from .order import order_findings
from .satisfiable import satisfiability_findings
from .texts import citation_findings, fact_findings, never_in_force_findings

_DID_YOU_MEAN = re.compile(r" \(did you mean [^)]*\)")


# ---------------------------------------------------------------------------- lint


def lint(
    book: RuleBook,
    *,
    as_of: dt.date | None = None,
    excluded: Callable[[Facts], bool] | None = None,
    linked: Iterable[tuple[str, str]] = (),
    search_limit: int = DEFAULT_SEARCH_LIMIT,
) -> LintReport:
    """Every lint check on a loaded rule set (see the module docstring).

    `excluded` tells which fact combinations are impossible (the assumptions of the
    invariants file), `linked` which int facts such assumptions compare.
    """
    examined = epoch_starts(book, as_of)
    resolved: dict[dt.date, ResolvedBook] = {}
    load = Collector()
    for date in examined:
        try:
            resolved[date] = book.at(date)
        except EligibilityError as exc:
            # the nearest valid name may differ from one date to the next
            same = (exc.path, exc.line, _DID_YOU_MEAN.sub("", exc.message))
            load.add(("load", same), finding_from_error(exc, "load"), date)
    checks = [
        CheckSummary(
            "load",
            "loads, and resolves at every date on which the law changes",
            tuple(load.findings(book, examined, "when resolving the law ")),
        )
    ]
    checks.append(
        CheckSummary(
            "citations",
            "every condition in force has a citation",
            tuple(citation_findings(book, resolved, examined)),
        )
    )
    checks.append(
        CheckSummary(
            "facts",
            "every fact used is declared, and every declared fact is used",
            tuple(fact_findings(book, resolved)),
        )
    )
    classes = ValueClasses.for_book(book, resolved.values(), linked=linked)
    satisfiable, reachable = satisfiability_findings(
        book, resolved, examined, classes, excluded, search_limit
    )
    checks.append(
        CheckSummary(
            "satisfiable",
            "every provision and condition in force can be met and can be not met",
            tuple(satisfiable),
        )
    )
    complete = as_of is None and len(resolved) == len(examined)
    checks.append(
        CheckSummary(
            "reachable",
            "no condition is never in force or shadowed by a constant",
            tuple(reachable + never_in_force_findings(book, resolved, complete)),
        )
    )
    checks.append(
        CheckSummary(
            "order",
            "no result depends on the order of changes in a file",
            tuple(order_findings(book, examined)),
        )
    )
    return LintReport(book.name, checks, examined, book)


def lint_failure(rule_set: str, exc: EligibilityError) -> LintReport:
    """The report for a rule set that does not even load."""
    return LintReport(
        rule_set, [CheckSummary("load", "loads", (finding_from_error(exc),))], [], None
    )
