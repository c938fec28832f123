"""The `explain` screen: summary, element trees, law-enforcement dependency, result
cards and what would change the outcome, from the report built by eligibility.report."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .common import (
    GATED_MARK,
    STATUS_LABEL,
    STATUS_STYLE,
    STATUS_SYMBOL,
    provision_name,
    status_text,
)

DEPENDENCY_LABEL = {"law_enforcement_action": "law-enforcement act", "cooperation": "cooperation"}
CONTROLLER_TITLE = {
    "person": "The person's own situation or steps",
    "law_enforcement": "Law enforcement (a request, a signature, a grant)",
    "law": "The law itself (another date, or another rule set)",
}


def _node_label(node: dict[str, Any]) -> Text:
    status = node["status"]
    label = Text()
    label.append(f"{STATUS_SYMBOL[status]} ", style=STATUS_STYLE[status])
    label.append(node["text"])
    if "value" in node:
        value = node["value"]
        shown = (
            ", ".join(value)
            if isinstance(value, list)
            else ("yes" if value is True else "no" if value is False else str(value))
        )
        label.append(f"  [{shown or 'none'}]", style="cyan")
    if node.get("dependency"):
        label.append(f"  {GATED_MARK} {DEPENDENCY_LABEL[node['dependency']]}", style="magenta")
    if node.get("since"):
        label.append(f"  since {node['since']}", style="italic blue")
    if node.get("verification") == "U":
        label.append("  [U] unverified", style="bold yellow")
    if node.get("reading"):
        label.append(f"  reading {node['reading']}", style="dim")
    if node.get("citation"):
        label.append(f"  {node['citation']}", style="dim")
    return label


def element_tree(tree: dict[str, Any]) -> Tree:
    """A provision's elements, each with status, text, value, citation and origin."""
    root = Tree(_node_label(tree), guide_style="dim")

    def add(branch: Tree, node: dict[str, Any]) -> None:
        for child in node["children"]:
            add(branch.add(_node_label(child)), child)

    add(root, tree)
    return root


def summary_table(report: dict[str, Any]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, expand=True)
    table.add_column("provision", ratio=2, min_width=14)
    table.add_column("status", no_wrap=True)
    table.add_column("why", ratio=5)
    for pid, p in report["provisions"].items():
        table.add_row(
            provision_name(pid, p["title"]),
            status_text(p["status"], gated=p["law_enforcement_gated"]),
            p["reason"],
        )
    return table


def _dependency_panel(p: dict[str, Any]) -> Panel:
    le = p["law_enforcement"]
    lines: list[Any] = []
    if le["gated"]:
        lines.append(
            Text(
                "Gated: yes. This person's outcome depends on law enforcement: it "
                "would be met if every law-enforcement act happened and the person "
                "cooperated, whatever else is unchanged.",
                style="bold magenta",
            )
        )
    elif p["status"] == "met" and le["elements"]:
        relied = [e for e in le["elements"] if e["status"] == "met"]
        lines.append(
            Text(
                "Met, and it rests on law enforcement: "
                + "; ".join(e["text"] for e in relied)
                + "."
                if relied
                else "Met without relying on any law-enforcement element.",
                style="magenta",
            )
        )
    else:
        lines.append(
            Text(
                "Not gated: law enforcement acting, or the person cooperating, "
                "would not change this outcome by itself.",
                style="magenta",
            )
        )
    shown: set[str] = set()
    facts_shown: set[str] = set()
    for element in le["elements"]:
        fact = element.get("fact") or element["text"]
        if fact in facts_shown:  # the same fact in two branches: once is enough
            continue
        facts_shown.add(fact)
        line = Text()
        line.append(f"{STATUS_SYMBOL[element['status']]} ", style=STATUS_STYLE[element["status"]])
        line.append(element["text"])
        line.append(f"  ({DEPENDENCY_LABEL[element['dependency']]})", style="magenta")
        lines.append(Padding(line, (0, 0, 0, 2)))
        for critique in element["critiques"]:
            if critique["id"] in shown:
                continue
            shown.add(critique["id"])
            lines.append(
                Padding(
                    Text.assemble(
                        (
                            f"Critique: {critique['author']} ({critique['year']}), "
                            f"{critique['recommendation']}. ",
                            "italic",
                        ),
                        (critique["summary"], "dim"),
                    ),
                    (0, 0, 0, 4),
                )
            )
    return Panel(
        Group(*lines),
        title=f"{GATED_MARK} law-enforcement dependency",
        title_align="left",
        border_style="magenta",
        box=box.ROUNDED,
    )


def bullets(items: list[Any], *, indent: int = 2, style: str = "") -> Padding:
    """A bulleted list whose wrapped lines hang under their text, not the bullet."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row("•", item if isinstance(item, Text) else Text(str(item), style=style))
    return Padding(grid, (0, 0, 0, indent))


def _card(p: dict[str, Any]) -> Panel:
    """The result card, as legal screeners present one."""
    card = p["card"]
    sections: list[Any] = []
    for heading, items, empty in (
        ("Reasons this may apply", card["reasons"], "none yet"),
        ("Complications", card["complications"], "none"),
        ("Information still missing", card["missing"], "nothing: every fact that matters is known"),
    ):
        sections.append(Text(heading, style="bold"))
        if items:
            sections.append(bullets(items))
        else:
            sections.append(Padding(Text(empty, style="dim"), (0, 0, 0, 2)))
    return Panel(
        Group(*sections),
        title="result card",
        title_align="left",
        box=box.ROUNDED,
        border_style=STATUS_STYLE[p["status"]].replace("bold ", ""),
    )


def _what_would_change(p: dict[str, Any]) -> list[Any]:
    change = p["what_would_change"]
    out: list[Any] = [Text("What would change this", style="bold")]
    for controller in ("person", "law_enforcement"):
        routes = change[controller]
        out.append(Padding(Text(f"{CONTROLLER_TITLE[controller]}:", style="bold"), (0, 0, 0, 2)))
        items: list[Any] = []
        for route in routes[:4]:
            line = Text(
                "the only thing missing: " if len(route) == 1 else "together: ",
                style="bold" if len(route) == 1 else "",
            )
            for number, c in enumerate(route):
                if number:
                    line.append("; ")
                verb = "establish " if c["controlled_by"] == "history" else ""
                line.append(f"{verb}{c['fact']} ")
                line.append(f"{c['from']} → {c['to']}", style="cyan")
            items.append(line)
        out.append(
            bullets(items, indent=4)
            if items
            else Padding(Text("nothing within three changes", style="dim"), (0, 0, 0, 4))
        )
    out.append(Padding(Text(f"{CONTROLLER_TITLE['law']}:", style="bold"), (0, 0, 0, 2)))
    law = change["law"]
    met = []
    for entry in law:
        if entry["status"] != "met":
            continue
        if entry["from"] and entry["until"]:
            span = f"from {entry['from']} until {entry['until']}"
        elif entry["from"]:
            span = f"from {entry['from']}"
        else:
            span = f"before {entry['until']}"
        met.append(f"met under {entry['rule_set']} {span}")
    if met:
        out.append(bullets(met, indent=4))
    else:
        out.append(
            Padding(
                Text(
                    "not met under any date or rule set compared" if law else "(not compared)",
                    style="dim",
                ),
                (0, 0, 0, 4),
            )
        )
    return out


def provision_section(pid: str, p: dict[str, Any]) -> Group:
    parts: list[Any] = [
        Rule(style="dim"),
        Text.assemble((p["title"], "bold"), (f"  {pid}", "dim")),
        Text.assemble(
            status_text(p["status"], gated=p["law_enforcement_gated"]),
            "  ",
            (p["reason"], "bold"),
            "  ",
            (p["citation"], "dim"),
        ),
        element_tree(p["explanation"]),
    ]
    if p["questions"]:
        parts.append(Text("Questions to ask next:", style="bold yellow"))
        parts.append(
            bullets(
                [Text.assemble(q["question"], (f"  ({q['fact']})", "dim")) for q in p["questions"]]
            )
        )
    for question in p.get("open_questions", []):
        parts.append(
            Text(
                f"Open question of law {question}: no fact can settle it; see the "
                f"element marked [U] above.",
                style="yellow",
            )
        )
    if p["law_enforcement"]["elements"] or p["law_enforcement"]["gated"]:
        parts.append(_dependency_panel(p))
    parts.append(_card(p))
    if p["status"] != "met":
        parts.extend(_what_would_change(p))
    if p.get("notes"):
        parts.append(Text("Notes:", style="bold"))
        parts.append(bullets(p["notes"], style="dim"))
    return Group(*parts)


def print_report(report: dict[str, Any], out: Console) -> None:
    body: list[Any] = []
    if report.get("title"):  # in the body, where it can wrap (a panel title is cut)
        body.append(Text(report["title"], style="bold"))
    body.append(
        Text(
            f"rule set {report['rule_set']}, law in force on {report['as_of']}, "
            f"engine {report['engine']}",
            style="dim",
        )
    )
    if report.get("description"):
        body.append(Text(report["description"]))
    out.print(
        Panel(
            Group(*body),
            title=report["scenario"] or "(unnamed scenario)",
            title_align="left",
            box=box.ROUNDED,
        )
    )
    out.print(summary_table(report))
    out.print(
        Text(
            f"{GATED_MARK} = law-enforcement gated: not met now, but would be if "
            "law enforcement acted and the person cooperated.",
            style="magenta",
        )
    )
    for pid, p in report["provisions"].items():
        out.print()
        out.print(provision_section(pid, p))
    out.print()
    out.print(
        Text(
            "A teaching and research aid, not legal advice. [U] marks points the "
            "legal brief could not verify.",
            style="dim",
        )
    )


def print_date_comparison(comparison: dict[str, Any], out: Console) -> None:
    """The same person under the law of several dates, side by side."""
    table = Table(
        title=f"{comparison['scenario']} under {comparison['rule_set']} on "
        f"{' and '.join(comparison['dates'])}",
        box=box.SIMPLE_HEAD,
        header_style="bold",
        expand=True,
    )
    table.add_column("provision", ratio=2, min_width=16)
    for date in comparison["dates"]:
        table.add_column(date, no_wrap=True)
    table.add_column("elements that differ", overflow="fold", ratio=5)
    for row in comparison["provisions"]:
        changed = []
        for element in row["changed_elements"][:4]:
            statuses = " → ".join(
                STATUS_LABEL.get(s, "not in the law then") for s in element["statuses"]
            )
            since = f" (since {element['since']})" if element["since"] else ""
            changed.append(f"{element['text']}{since}: {statuses}")
        table.add_row(
            provision_name(row["provision"]),
            *(status_text(s, gated=g) for s, g in zip(row["statuses"], row["gated"], strict=True)),
            "\n".join(changed) or "-",
        )
    out.print(table)
