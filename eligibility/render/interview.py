"""The interview's screens: the introduction, a question, the running status."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from .common import GATED_MARK, STATUS_STYLE, STATUS_SYMBOL, provision_heading

INTRODUCTION = (
    "I will ask only the questions that can still change the outcome, most decisive first.\n"
    "Answer with yes / no, a number, or the numbers of several choices separated by "
    "commas.\n"
    "  ?  or  don't know   when nobody knows yet (that is fine)\n"
    "  back                change the previous answer\n"
    "  why                 which protections the question matters for\n"
    "  quit                stop (you can save your answers first)\n"
    "Nothing is sent anywhere; answers are saved only if you choose to save them."
)


def introduction(out: Console, rule_set: str, as_of: str) -> None:
    out.print(
        Panel(
            Text(INTRODUCTION),
            title=f"eligibility interview: {rule_set}, law in force on {as_of}",
            title_align="left",
            box=box.ROUNDED,
        )
    )


def question(out: Console, fact: Any, number: int, remaining: int) -> None:
    parts: list[Any] = [Text(fact.question, style="bold")]
    if fact.why:
        parts.append(Text(f"Why we ask: {fact.why}", style="italic"))
    if fact.help:
        parts.append(Text(fact.help, style="dim"))
    if fact.type == "bool":
        parts.append(Text("yes / no / ?", style="cyan"))
    elif fact.type == "int":
        parts.append(Text(f"a number from {fact.min} to {fact.max}, or ?", style="cyan"))
    else:
        for i, label in enumerate(fact.values.values(), start=1):
            parts.append(Padding(Text(f"{i:>2}. {label}", style="cyan"), (0, 0, 0, 2)))
        hint = "one number" if fact.type == "enum" else "numbers separated by commas, or none"
        parts.append(Text(f"{hint}; ? if nobody knows", style="cyan"))
    out.print(
        Panel(
            Group(*parts),
            title=f"question {number} ({fact.group})",
            subtitle=f"at most {remaining} more" if remaining else None,
            title_align="left",
            box=box.ROUNDED,
        )
    )


def status_line(out: Console, result: Any) -> None:
    line = Text("now: ")
    for pid, provision in result.provisions.items():
        line.append(f"{provision_heading(pid)} ")
        line.append(STATUS_SYMBOL[provision.status], style=STATUS_STYLE[provision.status])
        if provision.law_enforcement_gated:
            line.append(GATED_MARK, style="magenta")
        line.append("  ")
    out.print(line)
