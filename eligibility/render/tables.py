"""Tables: `evaluate --format table`, `rules`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..analysis.evaluate import Result
from .common import (
    GATED_MARK,
    LATER_STEPS,
    STATUS_SYMBOL,
    console,
    provision_heading,
    status_text,
    wide_enough,
)

# scenario names fold at this width when a terminal is narrow (ids are a few words long)
FOLDED_NAMES = 20


def shown_provisions(results: Sequence[Result]) -> list[str]:
    """The provisions that get a column, in the order of the results."""
    provisions: list[str] = []
    for result in results:
        for pid in result.provisions:
            if pid not in provisions:
                provisions.append(pid)
    # later steps (green card, family members) get a column only when a case reaches
    # them (met, or family members listed): otherwise they only widen the table
    return [
        pid
        for pid in provisions
        if pid not in LATER_STEPS
        or any(
            pid in r.provisions and (r.provisions[pid].status == "met" or r.provisions[pid].members)
            for r in results
        )
    ]


def results_table(
    results: Sequence[Result],
    *,
    title: str | None = None,
    provisions: Sequence[str] | None = None,
    legend: Sequence[str] | None = None,
    names_width: int | None = None,
) -> Table:
    """One row per scenario, one column per provision (`evaluate --format table`):
    `provisions` (default `shown_provisions`), with the legend of the columns in
    `legend` (default: the same provisions; empty: no legend); scenario names folded
    at `names_width` if given."""
    if provisions is None:
        provisions = shown_provisions(results)
    if legend is None:
        legend = provisions
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        header_style="bold",
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
        caption=_legend(legend) if legend else None,
        caption_justify="left",
    )
    longest = max((len(r.scenario or "(unnamed)") for r in results), default=8)
    table.add_column(
        "scenario", overflow="fold", min_width=min(max(longest, 8), 20), max_width=names_width
    )
    table.add_column("as of", no_wrap=True)
    for pid in provisions:
        table.add_column(provision_heading(pid), justify="center", no_wrap=True)
    for result in results:
        cells: list[Any] = [result.scenario or "(unnamed)", result.as_of.isoformat()]
        for pid in provisions:
            p = result.provisions.get(pid)
            cells.append(
                status_text(p.status, short=True, level=p.law_enforcement, applicable=p.applicable)
                if p
                else Text("-")
            )
        table.add_row(*cells)
    return table


def _legend(provisions: Sequence[str]) -> str:
    """The symbols, and the words for the column headings of `provisions`."""
    words = [
        "severe: severe form of trafficking; T, U: visas; CP: Continued Presence; "
        "HHS: certification; child: eligibility letter; services: victim services"
    ]
    if {"t_adjustment", "u_adjustment"} & set(provisions):
        words.append("T-LPR, U-LPR: green card")
    if {"t_derivatives", "u_derivatives"} & set(provisions):
        words.append("T-family, U-family: family members")
    # the law-enforcement marks on a line of their own, so that "✔ ⚑" is never wrapped apart
    return (
        f"{STATUS_SYMBOL['met']} met  {STATUS_SYMBOL['not_met']} not met  "
        f"{STATUS_SYMBOL['undetermined']} undetermined  – not applicable\n"
        f"{GATED_MARK} depends on law enforcement (⚐ may depend; ✔ ⚑ met through it)\n"
        + "; ".join(words)
    )


def print_results_table(
    results: Iterable[Result], *, file: IO[str] | None = None, no_color: bool = False
) -> None:
    """The results table; on a terminal too narrow for every column (the seven
    protections and the four later steps need about 90), two tables: the protections,
    then the later steps, so that no mark of law enforcement is cut off."""
    results = list(results)
    rule_sets = sorted({r.rule_set for r in results})
    title = f"rule set: {', '.join(rule_sets)}"
    out = console(file, no_color=no_color)
    provisions = shown_provisions(results)
    later = [pid for pid in provisions if pid in LATER_STEPS]
    if out.is_terminal and later and _too_wide(out, results, provisions):
        now = [pid for pid in provisions if pid not in LATER_STEPS]
        out.print(results_table(results, title=title, provisions=now, legend=()))
        out.print()
        title = f"{title}: later steps (green card, family members)"
        out.print(results_table(results, title=title, provisions=later, legend=()))
        out.print(Text(_legend(provisions)))  # as wide as the screen, not the table
        return
    table = results_table(results, title=title, provisions=provisions)
    wide_enough(out, table).print(table)


def _too_wide(out: Console, results: Sequence[Result], provisions: Sequence[str]) -> bool:
    """Whether the table of `provisions` is wider than `out` even with its scenario
    names folded (rich would then cut the marks of the status columns)."""
    from rich.measure import Measurement

    table = results_table(results, provisions=provisions, legend=(), names_width=FOLDED_NAMES)
    return Measurement.get(out, out.options.update(width=10_000), table).maximum > out.width


# ------------------------------------------------------------------ rule sets


def print_rule_sets(
    books: Sequence[Any], *, file: IO[str] | None = None, no_color: bool = False
) -> None:
    """`eligibility rules`: the bundled rule sets."""
    table = Table(title="Rule sets", box=box.SIMPLE_HEAD, header_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("changes", justify="right", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=1)
    for book in books:
        kind = f"overlay on {book.extends}" if book.extends else "rule set"
        count = len(book.changes) if book.extends else len(book.timeline())
        table.add_row(book.name, kind, str(count), book.title)
    out = console(file, no_color=no_color)
    out.print(table)
    out.print(
        "Show one with `eligibility rules NAME`; pass a user overlay with "
        "`--rules path/to/overlay.yaml`."
    )


def print_rule_book(book: Any, *, file: IO[str] | None = None, no_color: bool = False) -> None:
    """`eligibility rules NAME`: provisions, amendment timeline, overlay changes."""
    out = console(file, no_color=no_color)
    out.print(Text(f"{book.name}: {book.title}", style="bold"))
    if book.description:
        out.print(book.description)
    provisions = Table(
        title="Provisions", box=box.SIMPLE_HEAD, header_style="bold", title_justify="left"
    )
    provisions.add_column("id", no_wrap=True)
    provisions.add_column("title", overflow="fold")
    provisions.add_column("in force from", no_wrap=True)
    provisions.add_column("enacted by", overflow="fold")
    for source in book.sources.values():
        provisions.add_row(source.id, source.title, source.effective.isoformat(), source.enacted_by)
    out.print(provisions)
    timeline = Table(
        title="Amendment timeline", box=box.SIMPLE_HEAD, header_style="bold", title_justify="left"
    )
    timeline.add_column("effective", no_wrap=True)
    timeline.add_column("instrument", overflow="fold", ratio=2)
    timeline.add_column("provision", overflow="fold")
    timeline.add_column("change", overflow="fold", ratio=4)
    timeline.add_column("tag", no_wrap=True)
    for amendment in book.timeline():
        timeline.add_row(
            amendment.effective.isoformat() if amendment.effective else "",
            amendment.instrument,
            amendment.provision,
            amendment.summary,
            amendment.verification or "",
        )
    out.print(timeline)
    if book.recorded:
        recorded = Table(
            title="Recorded, with no effect on an encoded element",
            box=box.SIMPLE_HEAD,
            header_style="bold",
            title_justify="left",
        )
        recorded.add_column("effective", no_wrap=True)
        recorded.add_column("instrument", overflow="fold", ratio=2)
        recorded.add_column("change", overflow="fold", ratio=3)
        recorded.add_column("why nothing changes here", overflow="fold", ratio=3)
        for item in book.recorded:
            recorded.add_row(item.effective.isoformat(), item.instrument, item.change, item.reason)
        out.print(recorded)
    if book.changes:
        changes = Table(
            title=f"Changes made by {book.name}",
            box=box.SIMPLE_HEAD,
            header_style="bold",
            title_justify="left",
        )
        changes.add_column("id", overflow="fold")
        changes.add_column("provision", overflow="fold")
        changes.add_column("implements", overflow="fold", ratio=2)
        changes.add_column("change", overflow="fold", ratio=4)
        for change in book.changes:
            changes.add_row(change.id, change.provision, change.implements, change.summary)
        out.print(changes)
    out.print(
        "Tags: V verified against primary text, V2 secondary source, U unverified "
        "(see LEGAL-BRIEF.md)."
    )
