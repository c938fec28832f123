"""The `explain` screen, from the report built by eligibility.analysis.report.

The default screen answers the question in one screenful: the protections and their
results, a short card per protection (its elements as a checklist, the deciding reason,
what is still to find out, the forms to file), where the outcome depends on law
enforcement (each blocking element once, with the one critique that fits it), the
questions to ask next and the open points of law. `--full` adds the element trees with
citations, what would change each outcome, the notes and the readings explained.
"""

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
    LEVEL_MARK,
    STATUS_LABEL,
    STATUS_STYLE,
    STATUS_SYMBOL,
    provision_name,
    status_text,
)

LEVEL_LABEL = {
    "gated": "depends on law enforcement",
    "possibly_gated": "may depend on law enforcement",
    "relies_on": "met through law enforcement",
    "independent": "",
}
TOP_QUESTIONS = 4  # questions worded in full on the default screen; --full has all
MAX_CARD_STEPS = 2  # forms named on a card (the handout and --full list every step)
DEPENDENCY_LABEL = {"law_enforcement_action": "law-enforcement act", "cooperation": "cooperation"}
CONTROLLER_TITLE = {
    "person": "The person's own situation or steps",
    "law_enforcement": "Law enforcement (a request, a signature, a grant)",
    "adjudicator": "A decision by USCIS, HHS or a judge",
    "law": "The law itself (another date, or another rule set)",
}


def _result_text(p: dict[str, Any]) -> Text:
    if not p["applicable"]:
        return Text("– not applicable", style="dim")
    text = Text(
        f"{STATUS_SYMBOL[p['status']]} {STATUS_LABEL[p['status']]}", style=STATUS_STYLE[p["status"]]
    )
    return text


def _level_text(p: dict[str, Any]) -> Text:
    level = p["law_enforcement"]
    if not p["applicable"] or level == "independent":
        return Text("")
    return Text(f"{LEVEL_MARK[level]} {LEVEL_LABEL[level]}", style="bold magenta")


def summary_table(report: dict[str, Any]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    table.add_column("Protection", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Law enforcement", no_wrap=True)
    for pid, p in report["provisions"].items():
        table.add_row(provision_name(pid, p["title"]), _result_text(p), _level_text(p))
    return table


def bullets(items: list[Any], *, indent: int = 2, style: str = "", mark: str = "•") -> Padding:
    """A bulleted list whose wrapped lines hang under their text, not the bullet."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(mark, item if isinstance(item, Text) else Text(str(item), style=style))
    return Padding(grid, (0, 0, 0, indent))


def _labelled(label: str, body: Text | str, *, indent: int = 2, style: str = "") -> Padding:
    """`Why: ...` with wrapped lines hanging under the text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    grid.add_row(label, body if isinstance(body, Text) else Text(body, style=style))
    return Padding(grid, (0, 0, 0, indent))


def _checklist(elements: list[dict[str, str]]) -> Text:
    line = Text()
    for number, e in enumerate(elements):
        if number:
            line.append(" · ", style="dim")
        line.append(f"{STATUS_SYMBOL[e['status']]} ", style=STATUS_STYLE[e["status"]])
        line.append(e["short"])
    return line


def _card(pid: str, p: dict[str, Any], asked: set[str]) -> Group:
    heading = Text.assemble(
        (provision_name(pid, p["title"]), "bold"), "  ", _result_text(p), "  ", _level_text(p)
    )
    parts: list[Any] = [Rule(heading, align="left", style="dim")]
    if not p["applicable"]:
        parts.append(_labelled("Why:", p["not_applicable_reason"] or ""))
        return Group(*parts)
    if p["elements"] and p["status"] != "met":
        parts.append(Padding(_checklist(p["elements"]), (0, 0, 0, 2)))
    if p["status"] == "not_met" or (p["status"] == "met" and p["reason"].startswith("met through")):
        parts.append(_labelled("Why:", p["reason"]))
    new = [q for q in p["questions"] if q["fact"] not in asked]
    earlier = len(p["questions"]) - len(new)
    asked.update(q["fact"] for q in p["questions"])
    if new or earlier:
        labels = [
            q["label"] + (" (once law enforcement acts)" if q["behind_blockers"] else "")
            for q in new
        ]
        if earlier:
            labels.append(f"{'and ' if new else ''}{earlier} asked above")
        parts.append(_labelled("Find out:", ", ".join(labels), style="yellow"))
    forms = [s for s in p["next_steps"] if s["kind"] in ("form", "services")]
    for step in forms[:MAX_CARD_STEPS]:
        parts.append(_labelled("Next:", step["text"]))
    return Group(*parts)


def _dependency_section(report: dict[str, Any]) -> list[Any]:
    rows = [
        (pid, p)
        for pid, p in report["provisions"].items()
        if p["applicable"] and p["law_enforcement"] != "independent"
    ]
    if not rows:
        return []
    out: list[Any] = [Text("Where the outcome depends on law enforcement", style="bold magenta")]
    for pid, p in rows:
        dep = p["dependency"]
        level = p["law_enforcement"]
        name = provision_name(pid, p["title"])
        if level == "relies_on":
            head = f"{LEVEL_MARK[level]} {name} is met only because"
            items = [
                Text.assemble(e["needed"], (f" ({e['who']})", "dim")) for e in dep["relied_on"]
            ]
        else:
            head = (
                f"{LEVEL_MARK[level]} {name} would be met if"
                if level == "gated"
                else f"{LEVEL_MARK[level]} {name} is held up by law enforcement until"
            )
            items = [
                Text.assemble(
                    e["needed"],
                    (f"  ({e['who']}{'; not known yet' if e['unknown'] else ''})", "dim"),
                )
                for e in dep["blockers"]
            ]
        line = Text(head + " ", style="magenta")
        for number, item in enumerate(items):
            if number:
                line.append("; ")
            line.append_text(item)
        out.append(line)
        behind = [q["label"] for q in p["questions"] if q["behind_blockers"]]
        if behind:
            out.append(_labelled("Then:", "still to find out: " + ", ".join(behind)))
        for step in p["next_steps"]:
            if step["kind"] == "alternative":
                out.append(_labelled("Instead:", step["text"]))
        critique = dep.get("critique")
        if critique:
            out.append(
                Padding(
                    Text.assemble(
                        (
                            f"Critique ({critique['cited_as']}, "
                            f"{_recommendation(critique['recommendation'])}): ",
                            "italic",
                        ),
                        (critique.get("brief") or _first_sentence(critique["summary"]), "dim"),
                    ),
                    (0, 0, 0, 2),
                )
            )
    return out


def _recommendation(text: str) -> str:
    """'6: amend the T visa' -> 'recommendation 6: amend the T visa'; 'findings' stays."""
    return f"recommendation {text}" if text[:1].isdigit() else text


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _questions_section(report: dict[str, Any], *, full: bool) -> list[Any]:
    questions = sorted(
        report["questions"], key=lambda q: (-len(q["provisions"]), q["behind_blockers"])
    )
    if not questions:
        return []
    shown = questions if full else questions[:TOP_QUESTIONS]
    out: list[Any] = [Text("Questions to ask next", style="bold yellow")]
    items = []
    for q in shown:
        affects = ", ".join(provision_name(pid) for pid in q["provisions"])
        items.append(Text.assemble(q["question"], (f"  ({affects})", "dim")))
        if full and q["help"]:
            items.append(Text(q["help"], style="dim"))
    out.append(bullets(items))
    if len(questions) > len(shown):
        out.append(
            Padding(
                Text(
                    f"and {len(questions) - len(shown)} more: see --full, or "
                    "run `eligibility interview --from` with this file",
                    style="dim",
                ),
                (0, 0, 0, 2),
            )
        )
    return out


def _open_points_section(report: dict[str, Any]) -> list[Any]:
    points: dict[str, dict[str, Any]] = {}
    for pid, p in report["provisions"].items():
        for point in p["open_points"]:
            entry = points.setdefault(point["title"], {**point, "provisions": []})
            entry["provisions"].append(pid)
    lawyer = [
        s for p in report["provisions"].values() for s in p["next_steps"] if s["kind"] == "lawyer"
    ]
    if not points and not lawyer:
        return []
    out: list[Any] = [Text("For a lawyer: open points of law", style="bold")]
    items = []
    for point in points.values():
        text = Text(point["title"])
        if point["matters_if"]:
            text.append(" It matters only if: " + "; ".join(point["matters_if"]) + ".", style="dim")
        items.append(text)
    seen = {point["title"] for point in points.values()}
    items.extend(Text(s["text"]) for s in lawyer if s["text"] not in seen)
    out.append(bullets(items))
    return out


def print_report(report: dict[str, Any], out: Console, *, full: bool = False) -> None:
    header: list[Any] = []
    header.append(Text(report.get("title") or report["scenario"] or "(unnamed case)", style="bold"))
    header.append(
        Text(
            f"{report['rule_set_title']}, as in force on {report['as_of']}. "
            "A teaching aid, not legal advice.",
            style="dim",
        )
    )
    if full and report.get("description"):
        header.append(Text(report["description"]))
    out.print(Panel(Group(*header), box=box.ROUNDED, padding=(0, 1)))
    out.print(summary_table(report))
    asked: set[str] = set()
    for pid, p in report["provisions"].items():
        out.print(_card(pid, p, asked))
        if full:
            _print_detail(out, pid, p)
    for section in (
        _dependency_section(report),
        _questions_section(report, full=full),
        _open_points_section(report),
    ):
        if section:
            out.print()
            out.print(Group(*section))
    if full:
        _print_readings(out, report)
    out.print()
    out.print(
        Text(
            "Full report with every element and citation: --full. Open points of law "
            "are explained in the handbook's readings page (docs/handbook/readings.md)."
            if not full
            else f"Rule set {report['rule_set']}, engine {report['engine']}. "
            "[U] marks points the legal research could not verify.",
            style="dim",
        )
    )


# ------------------------------------------------------------------ --full


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


def _print_detail(out: Console, pid: str, p: dict[str, Any]) -> None:
    out.print(Padding(Text(f"{p['title']}  ({pid}; {p['citation']})", style="dim"), (0, 0, 0, 2)))
    out.print(Padding(element_tree(p["explanation"]), (0, 0, 0, 2)))
    if p["status"] != "met" and p["applicable"]:
        out.print(Padding(Group(*_what_would_change(p)), (0, 0, 0, 2)))
    if p.get("notes"):
        out.print(Padding(Text("Notes:", style="bold"), (0, 0, 0, 2)))
        out.print(bullets(p["notes"], style="dim", indent=4))


def _what_would_change(p: dict[str, Any]) -> list[Any]:
    change = p["what_would_change"]
    out: list[Any] = [Text("What would change this", style="bold")]
    for controller in ("person", "law_enforcement", "adjudicator"):
        routes = change[controller]
        if not routes:
            continue
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
                line.append(f"{c['label']} ")
                line.append(f"{c['from']} → {c['to']}", style="cyan")
            items.append(line)
        out.append(bullets(items, indent=4))
    met = []
    for entry in change["law"]:
        if entry["status"] != "met":
            continue
        if entry["from"] and entry["until"]:
            span = f"from {entry['from']} until {entry['until']}"
        elif entry["from"]:
            span = f"from {entry['from']}"
        else:
            span = f"before {entry['until']}"
        met.append(f"met under {entry['rule_set']} {span}")
    out.append(Padding(Text(f"{CONTROLLER_TITLE['law']}:", style="bold"), (0, 0, 0, 2)))
    out.append(
        bullets(met, indent=4)
        if met
        else Padding(Text("not met under any date or rule set compared", style="dim"), (0, 0, 0, 4))
    )
    return out


def _print_readings(out: Console, report: dict[str, Any]) -> None:
    if not report["readings"]:
        return
    out.print()
    out.print(Text("Readings of the law behind these results", style="bold"))
    for reading in report["readings"]:
        tag = "  [U] unverified" if reading["verification"] == "U" else ""
        out.print(
            bullets(
                [
                    Text.assemble(
                        (reading["title"], "bold"),
                        (tag, "bold yellow"),
                        "\n",
                        reading["explanation"],
                        "\n",
                        ("This tool: ", "italic"),
                        reading["adopted"],
                        "\n",
                        (", ".join(reading["citations"]), "dim"),
                    )
                ]
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
            *(
                status_text(s, level=level)
                for s, level in zip(row["statuses"], row["law_enforcement"], strict=True)
            ),
            "\n".join(changed) or "-",
        )
    out.print(table)
    ages = comparison.get("ages")
    if ages and any(a is not None for a in ages):
        shown = ", ".join(
            f"{a} on {d}" for a, d in zip(ages, comparison["dates"], strict=True) if a is not None
        )
        out.print(
            Text(
                f"Ages move with the date (age now: {shown}); what happened, and the age "
                "when it happened, stay as stated.",
                style="dim",
            )
        )
