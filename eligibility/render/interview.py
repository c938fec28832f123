"""The interview's screens: the introduction, stage headings, a question (long lists in
columns, the question itself last, next to the prompt, so that it stays on an 80x24
screen), the running status, and the answers to `why`, `back` and `notes`."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from .common import GATED_MARK, STATUS_STYLE, STATUS_SYMBOL, provision_heading, provision_name

INTRODUCTION = (
    "I ask what a screener asks, in that order: the basics, the person's story, what "
    "they did, what officials did; judgements for a lawyer come last. Only questions "
    "that can still change an outcome are asked.\n"
    "Answer yes / no, a number, or several numbers separated by commas.\n"
    "  ?               nobody knows yet (that is fine)\n"
    "  ... note: TEXT  keep a note with the answer (or `note: TEXT` alone)\n"
    "  notes           show the notes so far; rewrite or remove one\n"
    "  back            go back to the previous question\n"
    "  why             what the answer decides; what each answer would change\n"
    "  quit            stop (you can save your answers first)\n"
    "Nothing is sent anywhere; nothing is written unless you choose to save."
)
# a list longer than this is laid out in columns
LONG_LIST = 8


@dataclass
class QuestionView:
    """What the screen shows for one question (worded for the interview's date)."""

    number: int
    stage: str
    kind: str  # bool | int | enum | set
    question: str
    help: str = ""
    why: str = ""
    values: Sequence[str] = ()
    minimum: int | None = None
    maximum: int | None = None
    remaining: int = 0
    judgement: str = ""  # the stage's note: only a lawyer or adjudicator can answer
    suggestions: list[str] = field(default_factory=list)  # "coercion (from ...)"
    note: str = ""  # a note already kept for this question


def introduction(out: Console, rule_set: str, as_of: str) -> None:
    out.print(
        Panel(
            Text(INTRODUCTION),
            title=f"eligibility interview: {rule_set}, law in force on {as_of}",
            title_align="left",
            box=box.ROUNDED,
        )
    )


def stage_heading(out: Console, title: str) -> None:
    out.print(Rule(Text(title, style="bold"), align="left", characters="─"))


def _choices(values: Sequence[str], width: int) -> Any:
    labels = [f"{i:>2}. {label}" for i, label in enumerate(values, start=1)]
    if len(labels) <= LONG_LIST:
        return Group(*(Padding(Text(x, style="cyan"), (0, 0, 0, 2)) for x in labels))
    columns = max(1, min(3, (width - 4) // 26))
    rows = -(-len(labels) // columns)
    grid = Table.grid(padding=(0, 1))
    for _ in range(columns):
        grid.add_column(ratio=1, overflow="fold")
    for r in range(rows):  # numbered down each column, as a reader scans
        grid.add_row(
            *(
                Text(labels[c * rows + r], style="cyan") if c * rows + r < len(labels) else ""
                for c in range(columns)
            )
        )
    return grid


def question(out: Console, view: QuestionView) -> None:
    parts: list[Any] = []
    if view.judgement:
        parts.append(Text(view.judgement, style="bold magenta"))
    if view.help:
        parts.append(Text(view.help, style="dim"))
    if view.why:
        parts.append(Text(f"Why we ask: {view.why}", style="italic"))
    for suggestion in view.suggestions:
        parts.append(Text(f"The answers so far suggest {suggestion}.", style="yellow"))
    if view.note:
        parts.append(Text(f"Your note: {view.note}", style="dim"))
    if view.kind in ("enum", "set"):
        parts.append(_choices(view.values, out.width))
    parts.append(Text(view.question, style="bold"))
    if view.kind == "bool":
        parts.append(Text("yes / no / ?", style="cyan"))
    elif view.kind == "int":
        parts.append(Text(f"a number from {view.minimum} to {view.maximum}, or ?", style="cyan"))
    else:
        hint = "one number" if view.kind == "enum" else "numbers separated by commas, or none"
        parts.append(Text(f"{hint}; ? if nobody knows", style="cyan"))
    out.print(
        Panel(
            Group(*parts),
            title=f"question {view.number} ({view.stage})",
            subtitle=(
                f"{view.remaining} question{'s' if view.remaining != 1 else ''} still open"
                if view.remaining
                else None
            ),
            title_align="left",
            box=box.ROUNDED,
        )
    )


def status_line(out: Console, result: Any, hidden: Collection[str] = ()) -> None:
    """One line of statuses; `hidden`: provisions left out (later steps not reached), so
    that the line fits 80 columns."""
    line = Text("now: ")
    for pid, provision in result.provisions.items():
        if pid in hidden:
            continue
        line.append(f"{provision_heading(pid)} ")
        line.append(STATUS_SYMBOL[provision.status], style=STATUS_STYLE[provision.status])
        if provision.law_enforcement_gated:
            line.append(GATED_MARK, style="magenta")
        line.append("  ")
    out.print(line)


def settled(out: Console, branch: str) -> None:
    out.print(
        Text(
            f"The {branch} protections are settled (not met, even if law enforcement "
            f"acted): no more questions only they need.",
            style="dim",
        )
    )


def went_back(out: Console, question_text: str, previous: str) -> None:
    out.print(Text(f"Back to: {question_text}", style="bold"))
    out.print(Text(f"Your answer was: {previous}. Answer again.", style="dim"))


def why(
    out: Console,
    elements: Sequence[tuple[str, str, str]],
    waiting: Sequence[str],
    effects: Sequence[tuple[str, Mapping[str, str]]],
    reason: str = "",
    current: Mapping[str, str] | None = None,
) -> None:
    """Which element the answer decides, for which provisions, and how each possible
    answer would change them (answers with the same effect are grouped)."""
    if elements:
        out.print(Text("This answer decides:", style="bold"))
        for pid, text, citation in elements:
            line = Text(f"  • {provision_name(pid)}: {text}")
            if citation:
                line.append(f" ({citation})", style="dim")
            out.print(line)
    elif waiting:
        out.print(
            Text(
                "Asked because it decides whether law enforcement is what stands in the "
                "way of: " + ", ".join(provision_name(p) for p in waiting)
            )
        )
    grouped: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for answer, statuses in effects:
        grouped.setdefault(tuple(statuses.items()), []).append(answer)
    unchanged = current is not None and all(dict(o) == dict(current) for o in grouped)
    if grouped and unchanged:
        out.print(
            Text(
                "No answer to this question changes them on its own: it counts together "
                "with the answers still to come."
            )
        )
    elif grouped:
        out.print(Text("Each answer would make:", style="bold"))
        for outcome, answers in grouped.items():
            line = Text(f"  {_answers(answers)} → ")
            for pid, status in outcome:
                line.append(f"{provision_heading(pid)} ")
                line.append(STATUS_SYMBOL[status], style=STATUS_STYLE[status])
                line.append("  ")
            out.print(line)
        out.print(Text("  (? leaves them as they are)", style="dim"))
    if reason:
        out.print(Text(reason, style="italic"))


def _answers(answers: Sequence[str]) -> str:
    if len(answers) <= 3:
        return " / ".join(answers)
    return f"{', '.join(answers[:3])} and {len(answers) - 3} more"


def notes(out: Console, kept: Sequence[tuple[str, str]]) -> None:
    """The notes so far, numbered so that one can be rewritten or removed."""
    if not kept:
        out.print("No notes yet. Type `note: TEXT` to keep one with this question.")
        return
    out.print(Text("Notes:", style="bold"))
    for number, (label, note) in enumerate(kept, start=1):
        out.print(Text(f"{number:>3}. {label}: {note}"))
