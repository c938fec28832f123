"""Shared pieces of terminal rendering: consoles, status symbols, provision names."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from typing import IO

from rich.console import Console
from rich.pager import Pager
from rich.text import Text

STATUS_STYLE = {"met": "bold green", "not_met": "bold red", "undetermined": "bold yellow"}
STATUS_SYMBOL = {"met": "✔", "not_met": "✘", "undetermined": "?"}
STATUS_LABEL = {"met": "met", "not_met": "not met", "undetermined": "undetermined"}
GATED_MARK = "⚑"


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # The reader went away (`| head`): stop quietly. rich's default exits with 1,
        # which our exit codes reserve for "a test or check found a failure".
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(0)


def console(
    file: IO[str] | None = None, *, no_color: bool = False, width: int | None = None
) -> Console:
    """A console that writes plain text when piped or asked (`--no-color`, NO_COLOR)."""
    file = file or sys.stdout
    plain = no_color or bool(os.environ.get("NO_COLOR"))
    # no_color alone keeps bold and dim; plain text means no escape codes at all
    # markup=False: strings (rule texts, titles, notes from files) are shown as written;
    # `[/bold]` in a title must not be read as markup
    return _Console(
        file=file,
        no_color=plain,
        color_system=None if plain else "auto",
        markup=False,
        highlight=False,
        width=width,
        soft_wrap=False,
        emoji=False,
    )


def wide_enough(out: Console, renderable: object) -> Console:
    """`out`, or on a file or a pipe a console as wide as `renderable` wants: a table
    written to a file is read in an editor or by a script, where wrapping at 80 columns
    only splits ids (a terminal keeps its own width)."""
    if out.is_terminal:
        return out
    from rich.measure import Measurement

    needed = Measurement.get(out, out.options.update(width=10_000), renderable).maximum  # type: ignore[arg-type]
    if needed <= out.width:
        return out
    return console(out.file, no_color=out.no_color, width=needed)


LEVEL_MARK = {"gated": "⚑", "possibly_gated": "⚐", "relies_on": "⚑", "independent": ""}


def status_text(
    status: str,
    *,
    gated: bool = False,
    short: bool = False,
    level: str | None = None,
    applicable: bool = True,
) -> Text:
    """A status with its law-enforcement mark: `✘ ⚑` (gated), `? ⚑?` (possibly gated),
    `✔ ⚑` (met through law enforcement); `–` for a provision that does not apply."""
    if not applicable:
        return Text("–" if short else "– not applicable", style="dim")
    label = STATUS_SYMBOL[status] if short else f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}"
    text = Text(label, style=STATUS_STYLE[status])
    mark = LEVEL_MARK.get(level or "", "") or (GATED_MARK if gated else "")
    if mark:
        text.append(f" {mark}", style="bold magenta")
    return text


SHORT_NAMES = {
    "severe_trafficking": "severe",
    "t_visa": "T",
    "u_visa": "U",
    "continued_presence": "CP",
    "hhs_certification": "HHS",
    "minor_eligibility_letter": "child",
    "victim_services": "services",
    "t_adjustment": "T-LPR",
    "u_adjustment": "U-LPR",
    "t_derivatives": "T-family",
    "u_derivatives": "U-family",
}


# provisions that come after a visa (issue 17): tables show them only where reached
LATER_STEPS = frozenset({"t_adjustment", "u_adjustment", "t_derivatives", "u_derivatives"})


DISPLAY_NAMES = {
    "severe_trafficking": "Severe form of trafficking",
    "t_visa": "T visa",
    "u_visa": "U visa",
    "continued_presence": "Continued Presence",
    "hhs_certification": "HHS certification (adult)",
    "minor_eligibility_letter": "Child eligibility letter",
    "victim_services": "Victim services",
    "t_adjustment": "Green card (T holder)",
    "u_adjustment": "Green card (U holder)",
    "t_derivatives": "Family members (T)",
    "u_derivatives": "Family members (U)",
}


def provision_name(pid: str, title: str = "") -> str:
    """A provision's name for a summary row: short enough not to break mid-word."""
    return DISPLAY_NAMES.get(pid, title or pid.replace("_", " "))


def provision_heading(pid: str) -> str:
    """A column heading short enough for seven provisions in 80 columns."""
    return SHORT_NAMES.get(pid, pid.replace("_", " "))


class _CommandPager(Pager):
    """$PAGER, else `less -R` (colours kept), fed through a pipe; if neither runs, the
    text is printed as it is rather than lost."""

    def show(self, content: str) -> None:
        command = os.environ.get("PAGER") or "less -R"
        try:
            subprocess.run(shlex.split(command), input=content, text=True, check=False)
        except (OSError, ValueError):
            sys.stdout.write(content)


def page(out: Console, draw: Callable[[Console], None], *, pager: bool = True) -> None:
    """Draw on `out`; on a terminal, through a pager when it is taller than the screen.
    Piped or redirected output is never paged."""
    if pager and out.is_terminal and not out.record:
        probe = Console(
            file=io.StringIO(),
            width=out.width,
            color_system=None,
            markup=False,
            highlight=False,
            emoji=False,
            soft_wrap=False,
        )
        draw(probe)
        if probe.file.getvalue().count("\n") > out.height:  # type: ignore[attr-defined]
            with out.pager(_CommandPager(), styles=not out.no_color):
                draw(out)
            return
    draw(out)
