"""`evaluate --format table` on a terminal, as a person sees it at 80 columns: eleven
status columns do not fit beside the scenario names, so the later steps (green card,
family members) get a table of their own and no law-enforcement mark is cut off."""

from __future__ import annotations

import sys

from conftest import ROOT, run_cli
from terminal import ANSI, Terminal

# a case that reaches the later steps (a T holder with family members) and one that
# does not: the table shows the later-step columns only when some case reaches them
LATER = "scenarios/t-family-mother-in-danger.yaml"
EARLIER = "scenarios/ana-2002-minor.yaml"


def table_on_terminal(*files: str, columns: int) -> str:
    terminal = Terminal(
        [sys.executable, "-m", "eligibility", "evaluate", *files, "--format", "table"],
        columns=columns,
        rows=50,
        cwd=str(ROOT),
    )
    try:
        assert terminal.wait(60) == 0
    finally:
        terminal.close()
    return ANSI.sub("", terminal.screen).replace("\r", "")


def test_at_80_columns_the_later_steps_get_their_own_table() -> None:
    screen = table_on_terminal(LATER, EARLIER, columns=80)
    lines = screen.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in screen  # nothing cut: every mark, date and heading whole
    first = next(i for i, line in enumerate(lines) if line.strip() == "rule set: us-law")
    second = next(i for i, line in enumerate(lines) if "later steps" in line)
    assert first < second
    assert "T-family" not in "\n".join(lines[first:second]) and "services" in lines[first + 2]
    assert "T-family" in lines[second + 2] and "services" not in lines[second + 2]
    # both tables name both cases, and the flag of the family member's danger finding
    # (a law-enforcement consultation) is shown whole: met through law enforcement
    for part in ("\n".join(lines[first:second]), "\n".join(lines[second:])):
        assert "t-family-mother" in part and "ana-2002-minor" in part  # names may fold
    mother = next(line for line in lines[second:] if "t-family-mother" in line)
    assert "✔ ⚑" in mother
    # the legend, once, after the last table, with the words for the later steps
    words = " ".join(screen.split())
    assert words.count("not applicable") == 1 and "T-family, U-family: family members" in words
    assert "⚑ depends on law enforcement (⚐ may depend; ✔ ⚑ met through it)" in lines


def test_a_wide_terminal_and_a_pipe_keep_one_table() -> None:
    screen = table_on_terminal(LATER, EARLIER, columns=160)
    assert "later steps" not in screen and screen.count("rule set: us-law") == 1
    assert "T-family" in screen and "services" in screen
    piped = run_cli("evaluate", LATER, EARLIER, "--format", "table", "--no-color")
    assert piped.returncode == 0 and "later steps" not in piped.stdout
    assert "T-family" in piped.stdout


def test_without_later_steps_one_table_fits_80_columns() -> None:
    screen = table_on_terminal(EARLIER, columns=80)
    assert "later steps" not in screen and "T-family" not in screen
    assert "…" not in screen and max(len(line) for line in screen.splitlines()) <= 80
    assert "✘ ⚑" in next(line for line in screen.splitlines() if "ana-2002-minor" in line)
