"""`compare`: the summary tables (progress of long runs: render/progress.py)."""

from __future__ import annotations

from typing import IO, Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from .common import (
    GATED_MARK,
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
    parts: list[Any] = [summary_header(doc, today), overview_table(doc)]
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
