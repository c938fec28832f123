"""The `explain` screen, from the report built by eligibility.analysis.report.

The default screen answers the question in one screenful: the protections and their
results, a short card per protection (its elements as a checklist, the deciding reason,
what is still to find out, the forms to file), where the outcome depends on law
enforcement (each blocking element once, with the one critique that fits it), the
questions to ask next and the open points of law. `--full` adds the element trees with
citations, what would change each outcome, the notes and the readings explained.

Why one module of over 400 lines: the default screen and `--full` are one layout (the
same widths, marks and order, tested together at 80 columns); the full part comes last.
"""

from __future__ import annotations

import re
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
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
# What the default screen shows at most (--full and the handout show everything): it has
# to fit about 80 lines at 80 columns for a case where little is known yet.
TOP_QUESTIONS = 3  # questions worded in full
MAX_CARD_STEPS = 1  # forms named on a card
MAX_ALTERNATIVES = 1  # alternatives named where law enforcement blocks
MAX_LAWYER_POINTS = 2  # open points of law
# facts named under "Find out" on a card: with eleven provisions and the detail facts of
# issue 17 a card for a case where little is known would otherwise run to five lines
MAX_FIND_OUT = 8
# later steps as the footer names them (both visas' green cards are one step to a reader)
LATER_STEP_NAMES = {
    "t_adjustment": "green card",
    "u_adjustment": "green card",
    "t_derivatives": "family members",
    "u_derivatives": "family members",
}
DEPENDENCY_LABEL = {"law_enforcement_action": "law-enforcement act", "cooperation": "cooperation"}
CONTROLLER_TITLE = {
    "person": "The person's own situation or steps",
    "law_enforcement": "Law enforcement (a request, a signature, a grant)",
    "adjudicator": "A decision by USCIS, HHS or a judge",
    "law": "The law itself (another date, or another rule set)",
}


def _result_text(p: dict[str, Any], *, full: bool = False) -> Text:
    if not p["applicable"]:
        return Text("– not applicable", style="dim")
    if p.get("later_step") and not full:
        return Text("· a later step", style="dim")
    text = Text(
        f"{STATUS_SYMBOL[p['status']]} {STATUS_LABEL[p['status']]}", style=STATUS_STYLE[p["status"]]
    )
    return text


def _level_text(p: dict[str, Any], *, full: bool = False) -> Text:
    level = p["law_enforcement"]
    if not p["applicable"] or level == "independent" or (p.get("later_step") and not full):
        return Text("")
    return Text(f"{LEVEL_MARK[level]} {LEVEL_LABEL[level]}", style="bold magenta")


def summary_table(report: dict[str, Any], *, full: bool = False) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    table.add_column("Protection", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Law enforcement", no_wrap=True)
    for pid, p in report["provisions"].items():
        if p.get("later_step") and not full:  # named once below the table instead
            continue
        table.add_row(
            provision_name(pid, p["title"]),
            _result_text(p, full=full),
            _level_text(p, full=full),
        )
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
    """`Why: ...`, wrapped at the indent (not hanging: a long text keeps the width)."""
    text = Text(label + " ", style="bold")
    text.append_text(body if isinstance(body, Text) else Text(body, style=style))
    return Padding(text, (0, 0, 0, indent))


def _checklist(elements: list[dict[str, str]]) -> Text:
    line = Text()
    for number, e in enumerate(elements):
        if number:
            line.append(" · ", style="dim")
        line.append(f"{STATUS_SYMBOL[e['status']]} ", style=STATUS_STYLE[e["status"]])
        line.append(e["short"])
    return line


def _card(pid: str, p: dict[str, Any], asked: set[str], *, full: bool = False) -> Group:
    """A protection in a few lines: the elements not met (each with what decides it),
    those still open, how many are met; what to find out; the forms to file."""
    elements = p["elements"]
    routes = p["explanation"].get("combine") == "any"  # alternatives, not elements
    heading = Text.assemble((provision_name(pid, p["title"]), "bold"), "  ", _result_text(p))
    if p["status"] != "met" and elements and not routes and p["applicable"]:
        met = sum(e["status"] == "met" for e in elements)
        heading.append(f", {met} of {len(elements)} elements met", style="dim")
    level = p["law_enforcement"]
    if p["applicable"] and level != "independent":
        heading.append(f"  {LEVEL_MARK[level]}", style="bold magenta")
    if not p["applicable"]:  # one line: a heading that wraps, never cut
        heading.append(f": {p['not_applicable_reason']}", style="dim")
        return Group(heading)
    parts: list[Any] = [Rule(heading, align="left", style="dim")]
    if p.get("members"):  # evaluated per family member: one line names each
        line = Text()
        for number, m in enumerate(p["members"]):
            if number:
                line.append(" · ", style="dim")
            line.append(f"{STATUS_SYMBOL[m['status']]} ", style=STATUS_STYLE[m["status"]])
            line.append(m["id"])
        parts.append(_labelled("Family:", line))
    if p["status"] == "met":
        if routes:
            parts.append(_labelled("Why:", p["reason"]))
    elif not elements:
        parts.append(_labelled("Why:", p["reason"]))
    elif routes:
        open_ = [e for e in elements if e["status"] != "not_met"]
        closed = len(elements) - len(open_)
        line = _checklist(open_ if p["status"] == "undetermined" else elements)
        if p["status"] == "undetermined" and closed:
            line.append(f" · {closed} other route{'s' * (closed > 1)} ruled out", style="dim")
        parts.append(Padding(line, (0, 0, 0, 2)))
    else:
        failing = [e for e in elements if e["status"] == "not_met"]
        # elements that law enforcement alone blocks share one line (the section on law
        # enforcement says what would have to change); the others say what decides them
        blocked = [e for e in failing if e["law_enforcement"] and not e["other_details"]]
        for e in failing:
            if e in blocked:
                continue
            details = e["other_details"] if e["law_enforcement"] else e["details"]
            line = Text.assemble(
                (f"{STATUS_SYMBOL['not_met']} ", STATUS_STYLE["not_met"]), e["short"]
            )
            if details:
                line.append(": " + "; ".join(details))
            if e["law_enforcement"]:
                line.append(f" (and {LEVEL_MARK['gated']} below)", style="dim")
            parts.append(Padding(line, (0, 0, 0, 2)))
        if blocked:
            line = _checklist(blocked)
            line.append(f" ({LEVEL_MARK['gated']} below)", style="dim")
            parts.append(Padding(line, (0, 0, 0, 2)))

    # a detail of another fact still to find out (a U waiver, while admissibility is
    # not known) waits for that fact on the default screen
    shown = [q for q in p["questions"] if full or not q.get("refines")]
    new = [q for q in shown if q["fact"] not in asked]
    earlier = len(shown) - len(new)
    asked.update(q["fact"] for q in shown)
    if new:
        labels = [
            q["label"] + (" (once law enforcement acts)" if q["behind_blockers"] else "")
            for q in new
        ]
        hidden = 0 if full else max(0, len(labels) - MAX_FIND_OUT)
        if hidden:
            labels = labels[:MAX_FIND_OUT] + [f"{hidden} more (--full)"]
        if earlier:
            labels.append(f"{'and ' if new else ''}{earlier} asked above")
        parts.append(_labelled("Find out:", ", ".join(labels), style="yellow"))
    forms = [s for s in p["next_steps"] if s["kind"] in ("form", "services")]
    for step in forms if full else forms[:MAX_CARD_STEPS]:
        parts.append(_labelled("Next:", step["text"] if full else _first_sentence(step["text"])))
    return Group(*parts)


def dependency_entries(report: dict[str, Any], *, full: bool = True) -> list[dict[str, Any]]:
    """Where the outcome depends on law enforcement, as plain text for any medium (the
    screen and the handout): per provision, a heading, a sentence saying what would have
    to change (known blockers as statements, unknown ones by their label, who controls
    them said once per run), what is still to find out then, the alternatives and the
    one critique that fits. A provision blocked by the same elements as one listed above
    refers to it instead of repeating them. Later steps the person has not reached
    (adjustment before T or U status) are left out unless `full`."""
    entries: list[dict[str, Any]] = []
    listed: dict[frozenset[str], str] = {}
    for pid, p in report["provisions"].items():
        level = p["law_enforcement"]
        if not p["applicable"] or level == "independent":
            continue
        if p.get("later_step") and not full:  # not reached yet: --full tells it
            continue
        dep = p["dependency"]
        elements = dep["relied_on"] if level == "relies_on" else dep["blockers"]
        ids = frozenset(e["id"] for e in elements)
        earlier = next((other for seen, other in listed.items() if ids and ids <= seen), None)
        entry: dict[str, Any] = {
            "provision": pid,
            "name": provision_name(pid, p["title"]),
            "mark": LEVEL_MARK[level],
            "level": level,
        }
        if earlier is not None:
            entry["sentence"] = f"{LEVEL_LABEL[level]}, through {provision_name(earlier)} (above)."
            entries.append(entry)
            continue
        listed[ids] = pid
        known = [e for e in elements if not e["unknown"]]
        unknown = [e for e in elements if e["unknown"]]
        if level == "relies_on":
            sentence = "is met only because: " + _element_words(elements, known=True)
        else:
            sentence = (
                "would be met if: "
                if level == "gated"
                else "is held up until: "
                if known
                else "may turn on law enforcement; not known yet: "
            )
            sentence += _element_words(known, known=True)
            if unknown:
                sentence += ("; not known yet: " if known else "") + _element_words(
                    unknown, known=False
                )
        entry["sentence"] = sentence + "."
        entry["then"] = [
            q["label"] for q in p["questions"] if q["behind_blockers"] and not q.get("refines")
        ]
        entry["alternatives"] = [s for s in p["next_steps"] if s["kind"] == "alternative"]
        # a critique where law enforcement does block (or carries) the outcome; not where
        # it only might, every blocking fact being unknown yet
        critique = dep.get("critique")
        entry["critique"] = critique if critique and known else None
        entry["speculative_critique"] = critique if critique and not known else None
        entries.append(entry)
    return entries


def _element_words(elements: list[dict[str, Any]], *, known: bool) -> str:
    """Blocking or relied-on elements, what is needed (known) or their label (unknown),
    with who controls them said once per run of elements with the same controller."""
    parts = []
    for number, e in enumerate(elements):
        text = e["needed"] if known else e["label"]
        following = elements[number + 1] if number + 1 < len(elements) else None
        if following is None or following["who"] != e["who"]:
            text += f" ({e['who']})"
        parts.append(text)
    return "; ".join(parts)


def critique_words(critique: dict[str, Any], *, full: bool) -> tuple[str, str]:
    """('Critique (Women's Commission, 2007, rec. 6): ', its brief or summary)."""
    recommendation = _recommendation(critique["recommendation"], full=full)
    head = f"Critique ({critique['cited_as']}, {recommendation}): "
    body = (
        critique["summary"]
        if full
        else critique.get("brief") or _first_sentence(critique["summary"])
    )
    return head, body


def _dependency_section(report: dict[str, Any], *, full: bool = False) -> list[Any]:
    entries = dependency_entries(report, full=full)
    if not entries:
        return []
    out: list[Any] = [Text("Where the outcome depends on law enforcement", style="bold magenta")]
    for entry in entries:
        line = Text(f"{entry['mark']} {entry['name']} ", style="bold magenta")
        line.append(entry["sentence"], style="")
        out.append(line)
        if "then" not in entry:
            continue
        if entry["then"]:
            out.append(_labelled("Then:", "still to find out: " + ", ".join(entry["then"])))
        alternatives = entry["alternatives"] if full else entry["alternatives"][:MAX_ALTERNATIVES]
        for step in alternatives:
            out.append(
                _labelled("Instead:", step["text"] if full else _first_sentence(step["text"]))
            )
        critique = entry["critique"] or (entry["speculative_critique"] if full else None)
        if critique:
            head, body = critique_words(critique, full=full)
            out.append(Padding(Text.assemble((head, "italic"), (body, "dim")), (0, 0, 0, 2)))
    return out


def _recommendation(text: str, *, full: bool) -> str:
    """'6: amend the T visa' -> 'recommendation 6' ('recommendation 6: amend the T visa'
    in full); 'findings' stays."""
    if not text[:1].isdigit():
        return text
    return f"recommendation {text}" if full else f"rec. {text.split(':')[0]}"


def _first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence (the one in 'U.S.' does not)."""
    match = re.search(r"(?<![ .][A-Z])\.\s+(?=[A-Z])", text)
    return text if match is None else text[: match.start() + 1]


def _questions_section(report: dict[str, Any], *, full: bool) -> list[Any]:
    # a detail (refines) goes after the questions whose answer it adds to
    questions = sorted(
        report["questions"],
        key=lambda q: (bool(q.get("refines")), -len(q["provisions"]), q["behind_blockers"]),
    )
    if not questions:
        return []
    shown = questions if full else questions[:TOP_QUESTIONS]
    out: list[Any] = [Text("Questions to ask next", style="bold yellow")]
    items = []
    for q in shown:
        count = len(q["provisions"])
        affects = (
            provision_name(q["provisions"][0]) if count == 1 else f"matters for {count} protections"
        )
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


def _lowered(name: str) -> str:
    """'Green card (U holder)' -> 'green card (U holder)', in the middle of a sentence."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def _later_steps(report: dict[str, Any]) -> str:
    """'; later steps: Green card (T holder), ...': the protections the person has not
    reached yet, which the default screen leaves out of the table (a clause of the
    footer, so that they cost no line of their own)."""
    provisions = report["provisions"]
    # a shared name ("green card") only while no step of that name is shown above: a T
    # holder's screen shows the T green card, so the U one is named as in the table
    shown = {LATER_STEP_NAMES.get(pid) for pid, p in provisions.items() if not p.get("later_step")}
    later = [
        LATER_STEP_NAMES[pid]
        if pid in LATER_STEP_NAMES and LATER_STEP_NAMES[pid] not in shown
        else _lowered(provision_name(pid, p["title"]))
        for pid, p in provisions.items()
        if p.get("later_step")
    ]
    return f"; later steps: {', '.join(dict.fromkeys(later))}" if later else ""


def _open_points_section(report: dict[str, Any], *, full: bool = False) -> list[Any]:
    points: dict[str, dict[str, Any]] = {}
    for pid, p in report["provisions"].items():
        if p.get("later_step") and not full:
            continue
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
    shown = items if full else items[:MAX_LAWYER_POINTS]
    out.append(bullets(shown))
    if len(items) > len(shown):
        out.append(
            Padding(
                Text(f"and {len(items) - len(shown)} more: see --full", style="dim"), (0, 0, 0, 2)
            )
        )
    return out


def _mentions_unverified(report: dict[str, Any]) -> bool:
    """Whether the default screen shows a [U] tag (in a reason, a step or a point of law)."""
    texts: list[str] = []
    for p in report["provisions"].values():
        texts.append(p["reason"])
        texts.extend(_first_sentence(s["text"]) for s in p["next_steps"])
        texts.extend(point["title"] for point in p["open_points"])
    return any("[U]" in text for text in texts)


def _derived_section(derived: list[dict[str, Any]], *, full: bool) -> Padding:
    """Where legal facts came from: "coercion: from threats to hurt the family; ..."
    (one line on the short screen, each fact on its own line in full)."""
    shown = derived if full else [d for d in derived if not d.get("triage")]
    lines = [f"{d['text']}: from {'; '.join(d['from'])}" for d in shown]
    if full:
        return Padding(
            Group(Text("From the indicator answers:", style="bold"), bullets(lines)), (0, 0, 0, 0)
        )
    text = Text("From the answers: ", style="bold")
    text.append(" · ".join(lines))
    return Padding(text, (0, 0, 0, 0))


def print_report(report: dict[str, Any], out: Console, *, full: bool = False) -> None:
    out.print(Text(report.get("title") or report["scenario"] or "(unnamed case)", style="bold"))
    out.print(
        Text(
            f"{report['rule_set_title']}, as in force on {report['as_of']}. "
            "A teaching aid, not legal advice.",
            style="dim",
        )
    )
    if full and report.get("description"):
        out.print(Padding(Text(report["description"]), (0, 0, 0, 2)))
    out.print(summary_table(report, full=full))
    if any(full or not d.get("triage") for d in report.get("derived", [])):
        out.print(_derived_section(report["derived"], full=full))
    asked: set[str] = set()
    for pid, p in report["provisions"].items():
        quiet = (
            p["status"] == "met" and p["law_enforcement"] == "independent" and not p["next_steps"]
        ) or bool(p.get("later_step"))  # a later step not reached: the table says it
        if full or not quiet:  # a met protection with nothing to do: the table says it
            out.print(_card(pid, p, asked, full=full))
        if full:
            _print_detail(out, pid, p)
    for section in (
        _dependency_section(report, full=full),
        _questions_section(report, full=full) if full else [],
        _open_points_section(report, full=full),
    ):
        if section:
            out.print()
            out.print(Group(*section))
    if full and report.get("notes"):
        out.print()
        out.print(Text("Notes from the interview", style="bold"))
        out.print(bullets([f"{n['label']}: {n['note']}" for n in report["notes"]]))
    if full:
        _print_readings(out, report)
    out.print()
    if not full and _mentions_unverified(report):
        out.print(
            Text("[U]: a point the legal research behind this tool could not verify.", style="dim")
        )
    out.print(
        Text(
            f"More: --full (every element, citation and route{_later_steps(report)}). "
            "Points of law: docs/handbook/readings.md."
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
