"""`compare`: the summary tables (progress of long runs: render/progress.py)."""

from __future__ import annotations

from typing import IO, Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from .common import (
    GATED_MARK,
    LEVEL_MARK,
    STATUS_LABEL,
    STATUS_STYLE,
    console,
    provision_heading,
    wide_enough,
)

TOP_CONDITIONS = 3
TOP_EXAMPLES = 3


def _status(name: str) -> Text:
    if name == "absent":
        return Text("absent", style="dim")
    return Text(STATUS_LABEL[name], style=STATUS_STYLE[name])


def _transition(source: str, target: str) -> Text:
    text = _status(source)
    if source == target:
        text.append(" (same)")
        return text
    text.append(" → ")
    text.append_text(_status(target))
    return text


def _share(entry: dict[str, Any]) -> str:
    """A share in percent: the weighted one when the population has weights."""
    return f"{entry.get('weighted_percent', entry['percent']):.1f}%"


def _side(doc: dict[str, Any], key: str, today: str) -> str:
    side = doc[key]
    when = side["as_of"] or (
        f"the scenario's as_of, else {today}"
        if doc["population"]["source"] in ("files", "cases")
        else today
    )
    rules = "" if side["rules"] == side["rule_set"] else f" ({side['rules']})"
    return f"{key.upper()} = {side['rule_set']}{rules} on {when}"


def summary_header(doc: dict[str, Any], today: str) -> Text:
    population = doc["population"]
    if population["source"] == "generated":
        where = (
            f"{population['scenarios']:,} generated scenarios (distribution "
            f"{population['distribution']}, seed {population['seed']})"
        )
    elif population["source"] == "cases":
        where = f"{population['scenarios']:,} cases of {population['cases_file']}"
    else:
        where = f"{population['scenarios']:,} scenario files"
    text = Text("Compare ", style="bold")
    text.append(f"{_side(doc, 'a', today)}\n     with {_side(doc, 'b', today)}\n", style="bold")
    if population.get("stream"):
        where += f", stream {population['stream']}"
    text.append(f"over {where}; engine {doc['engine']}")
    if doc.get("engine_choice"):
        text.append(f" ({doc['engine_choice']})")
    weights = population.get("weights")
    if weights:
        text.append(
            f"\nweighted by the column {weights['column']} (total {weights['total']:,.6g}): "
            "every percentage is a share of the total weight; counts are of cases"
        )
    return text


def overview_table(doc: dict[str, Any]) -> Table:
    """One row per provision: who has it under A and B, who gains and loses it, and how
    many depend on law enforcement (gated) under each."""
    table = Table(
        box=box.SIMPLE_HEAD,
        header_style="bold",
        title_justify="left",
        caption=f"met: share of scenarios where the provision is met.  "
        f"gained / lost: now met / no longer met under B.  "
        f"{GATED_MARK} gated: law-enforcement gated, not met but met if every "
        f"law-enforcement action and cooperation fact were favourable.\n"
        f"severe: severe form of trafficking; T, U: visas; CP: Continued "
        f"Presence; HHS: certification; child: eligibility letter; "
        f"services: victim services",
        caption_justify="left",
    )
    table.add_column("provision", no_wrap=True)
    for heading in (
        "met A",
        "met B",
        "gained",
        "lost",
        "changed",
        f"{GATED_MARK} gated A",
        f"{GATED_MARK} gated B",
    ):
        table.add_column(heading, justify="right", no_wrap=True)
    for pid, entry in doc["provisions"].items():
        table.add_row(
            provision_heading(pid),
            _share(entry["status"]["a"]["met"]),
            _share(entry["status"]["b"]["met"]),
            f"{entry['gained']['count']:,}",
            f"{entry['lost']['count']:,}",
            f"{entry['changed']['count']:,}",
            _share(entry["law_enforcement_gated"]["a"]),
            _share(entry["law_enforcement_gated"]["b"]),
        )
    return table


POSSIBLY_MARK = LEVEL_MARK["possibly_gated"]
NOT_GRANTABLE_MARK = "†"


def _headline_met(side: dict[str, Any]) -> str:
    """The met share, marked where no one could be granted the status on some date."""
    mark = NOT_GRANTABLE_MARK if side["grantable"]["percent"] < 100 else ""
    return f"{side['met']['percent']:.1f}{mark}"


def _interval(share: dict[str, Any]) -> str:
    low, high = share["ci95"]
    return f"{low:.1f}–{high:.1f}"


def headline_table(doc: dict[str, Any]) -> Table:
    """How much depends on law enforcement: per provision and side, the shares met, met
    only through law enforcement, gated, possibly gated, not met and undetermined, and
    the most that could be met once every unknown fact is known."""
    sample = doc["population"]["source"] == "generated"
    caption = (
        f"Shares in % of scenarios.  {GATED_MARK} via LE: met, but not without a "
        f"law-enforcement act or the person's cooperation.  {GATED_MARK} gated / "
        f"{POSSIBLY_MARK} maybe: not met; "
        f"met (or still open) once law enforcement acted.  at most: met + undetermined, "
        f"the bound once every unknown fact is known.  {NOT_GRANTABLE_MARK} no one could "
        f"be granted it yet on the date (T before 2002-03-04, U before 2007-10-17)."
    )
    if sample:
        caption += "  95% CI: Wilson score interval of the met share."
    table = Table(
        title="How much depends on law enforcement",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        header_style="bold",
        caption=caption,
        caption_justify="left",
    )
    table.add_column("provision", no_wrap=True)
    headings = ["met"]
    if sample:
        headings.append("95% CI")
    headings += [
        f"{GATED_MARK} via\nLE",
        f"{GATED_MARK}\ngated",
        f"{POSSIBLY_MARK}\nmaybe",
        "not\nmet",
        "undet.",
        "at\nmost",
    ]
    for heading in headings:
        table.add_column(heading, justify="right", no_wrap=True)
    for pid, entry in doc["provisions"].items():
        for key in ("a", "b"):
            side = entry["headline"][key]
            cells = [_headline_met(side)]
            if sample:
                cells.append(_interval(side["met"]))
            cells += [
                f"{side[name]['percent']:.1f}"
                for name in (
                    "met_through_law_enforcement",
                    "gated",
                    "possibly_gated",
                    "not_met",
                    "undetermined",
                )
            ]
            cells.append(f"{side['bounds']['high']:.1f}")
            label = f"{provision_heading(pid)} {key.upper()}" if key == "a" else "  B"
            table.add_row(label, *cells, end_section=key == "b")
    return table


def transitions_table(pid: str, entry: dict[str, Any]) -> Table:
    """The transition table of one provision: each change with its count, the conditions
    most often responsible and example scenarios; then the unchanged, dimmed."""
    changed = entry["changed"]
    table = Table(
        title=f"{entry['title']} ({pid}): {changed['count']:,} scenarios change "
        f"({_share(changed)})",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        header_style="bold",
    )
    table.add_column("from → to", no_wrap=True)
    table.add_column("scenarios", justify="right", no_wrap=True)
    table.add_column("responsible conditions", overflow="fold", min_width=18)
    table.add_column("examples", overflow="fold", min_width=10)
    for t in entry["transitions"]:  # the changes first, most frequent first
        conditions = t.get("conditions", [])
        lines = [f"{c['id']} {c['count']:,}" for c in conditions[:TOP_CONDITIONS]]
        if len(conditions) > TOP_CONDITIONS:
            lines.append(f"+{len(conditions) - TOP_CONDITIONS} more")
        examples = t["examples"][:TOP_EXAMPLES] if t["changed"] else []
        table.add_row(
            _transition(t["from"], t["to"]),
            f"{t['count']:,} {_share(t):>5}",
            "\n".join(lines),
            "\n".join(examples),
            style=None if t["changed"] else "dim",
        )
    return table


def print_comparison(
    doc: dict[str, Any], *, today: str, file: IO[str] | None = None, no_color: bool = False
) -> None:
    """`compare --format table`."""
    out = console(file, no_color=no_color)
    parts: list[Any] = [summary_header(doc, today), overview_table(doc), headline_table(doc)]
    changed = [
        (pid, entry) for pid, entry in doc["provisions"].items() if entry["changed"]["count"]
    ]
    if not changed:
        parts.append(
            Text(
                f"No provision changes status for any of the "
                f"{doc['population']['scenarios']:,} scenarios."
            )
        )
    for pid, entry in changed:
        parts.append(transitions_table(pid, entry))
    if changed:
        parts.append(
            Text(
                "Responsible conditions: where each change starts, with the "
                "number of scenarios (eligibility compare --help). All of them: "
                "--format json; every scenario: --out FILE.csv",
                style="dim",
            )
        )
    group = Group(*parts)
    wide_enough(out, group).print(group)
