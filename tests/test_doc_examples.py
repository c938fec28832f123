"""Every command shown in the documentation runs, and prints what the page says.

In README.md and docs/*.md, a ```console block holds commands (lines starting with
`$ `), each followed by the output it prints. This test runs each command from the top
of the checkout, with the installed `eligibility` first on PATH and an 80-column plain
terminal, and compares the output line by line (trailing spaces ignored). A command
with no output lines below it must only succeed.

After a deliberate change, refresh the pages with:
    UPDATE_DOC_EXAMPLES=1 .venv/bin/python -m pytest tests/test_doc_examples.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```console\n(.*?)^```", re.M | re.S)


def examples(page: Path) -> list[tuple[str, list[str]]]:
    found = []
    for block in BLOCK.finditer(page.read_text()):
        command = None
        output: list[str] = []
        for line in block.group(1).splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, output))
                command, output = line[2:], []
            elif command is not None:
                output.append(line)
        if command is not None:
            found.append((command, output))
    return found


def run(command: str) -> subprocess.CompletedProcess[str]:
    # Not a sub-make of `make test`: a sub-make prints "Entering directory" lines.
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")
    }
    env |= {
        "COLUMNS": "80",
        "LINES": "50",
        "NO_COLOR": "1",
        "TERM": "dumb",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    # no pipefail: `| head` legitimately stops a command early
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


# what make prints when it (re)installs before a command: whether it does depends on the
# state of the venv, not on the command, so neither the pages nor the runs keep it
INSTALLING = re.compile(
    r"^(PYTHONWARNINGS=|CPPFLAGS=|touch \S*\.installed|\S*python\S* -(m venv|m pip|c 'import "
    r"durable_rules_engine')|WARNING: Location |using python)"
)


def normalise(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines if not INSTALLING.match(line)]
    while lines and not lines[-1]:
        lines.pop()
    return lines


CASES = [(page, command, output) for page in PAGES for command, output in examples(page)]


def test_the_demo_of_the_makefile_runs() -> None:
    """`make demo` (in README.md) installs, then runs these commands; run them here with
    the installed package, without letting make reinstall under the running tests."""
    recipe = re.search(r"^demo:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe
    commands = [line.strip().replace("$(BIN)/", "") for line in recipe.group(1).splitlines()]
    assert commands and all(c.startswith("eligibility ") for c in commands)
    for command in commands:
        result = run(command)
        assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
        assert "ana-2002-minor" in result.stdout


def test_the_pages_have_examples() -> None:
    assert {page.name for page, _, _ in CASES} >= {"README.md", "tutorial.md", "researchers.md"}


def _case(page: Path, command: str, expected: list[str]):  # type: ignore[no-untyped-def]
    # documented `check`s, comparisons and `make` runs take seconds each: the full suite
    # runs them
    slow = command.startswith(("eligibility check", "eligibility compare", "make "))
    marks = [pytest.mark.slow] if slow else []
    return pytest.param(page, command, expected, id=f"{page.name}:{command[:60]}", marks=marks)


@pytest.mark.parametrize("page, command, expected", [_case(*case) for case in CASES])
def test_documented_command(page: Path, command: str, expected: list[str]) -> None:
    result = run(command)
    assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
    if not expected and not os.environ.get("UPDATE_DOC_EXAMPLES"):
        return
    actual = normalise(result.stdout.splitlines())
    venv = os.environ.get("VENV")
    if venv and command.startswith("make "):
        # CI's second Python (`make test PYTHON=python3.13 VENV=.venv-3.13`) reaches this
        # `make demo` through the environment; the pages show the default venv
        actual = [
            ".venv/bin/" + line.removeprefix(f"{venv}/bin/")
            if line.startswith(f"{venv}/bin/")
            else line
            for line in actual
        ]
    if os.environ.get("UPDATE_DOC_EXAMPLES") and normalise(expected) != actual:
        text = page.read_text()
        old = "$ " + command + "\n" + "".join(f"{line}\n" for line in expected)
        new = "$ " + command + "\n" + "".join(f"{line}\n" for line in actual)
        assert old in text, f"cannot find the example of {command!r} in {page}"
        page.write_text(text.replace(old, new, 1))
        return
    assert normalise(expected) == actual, f"{page.name}: {command}"
