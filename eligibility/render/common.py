"""Shared pieces of terminal rendering: consoles, status symbols, provision names."""
from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console
from rich.text import Text

STATUS_STYLE = {"met": "bold green", "not_met": "bold red", "undetermined": "bold yellow"}
STATUS_SYMBOL = {"met": "✔", "not_met": "✘", "undetermined": "?"}
STATUS_LABEL = {"met": "met", "not_met": "not met", "undetermined": "undetermined"}
GATED_MARK = "⚑"


def console(file: IO[str] | None = None, *, no_color: bool = False,
            width: int | None = None) -> Console:
    """A console that writes plain text when piped or asked (`--no-color`, NO_COLOR)."""
    file = file or sys.stdout
    plain = no_color or bool(os.environ.get("NO_COLOR"))
    return Console(file=file, no_color=plain, highlight=False, width=width,
                   soft_wrap=False, emoji=False)


def status_text(status: str, *, gated: bool = False, short: bool = False) -> Text:
    label = STATUS_SYMBOL[status] if short else f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}"
    text = Text(label, style=STATUS_STYLE[status])
    if gated:
        text.append(f" {GATED_MARK}", style="bold magenta")
    return text


SHORT_NAMES = {
    "severe_trafficking": "severe", "t_visa": "T", "u_visa": "U",
    "continued_presence": "CP", "hhs_certification": "HHS", "minor_eligibility_letter":
    "child", "victim_services": "services",
}


def provision_heading(pid: str) -> str:
    """A column heading short enough for seven provisions in 80 columns."""
    return SHORT_NAMES.get(pid, pid.replace("_", " "))
