"""The notebook session of docs/researchers.md runs and prints what the page shows.

The page's ```python block is run in one namespace, after the page's commands that
write the table of cases it reads, and what it prints must be the ```text block below
it. After a deliberate change, refresh the page with:
    UPDATE_DOC_EXAMPLES=1 .venv/bin/python -m pytest tests/test_researchers_notebook.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest
from test_doc_examples import examples, run

from conftest import ROOT

PAGE = ROOT / "docs" / "researchers.md"
SESSION = re.compile(r"^```python\n(.*?)^```\n\nIt prints:\n\n```text\n(.*?)^```", re.M | re.S)
WRITES = ("/tmp/labor-70.yaml", "/tmp/eligibility-cases.csv")  # what the session reads


def test_the_notebook_session_runs_as_shown() -> None:
    pytest.importorskip("pandas")
    for command, _ in examples(PAGE):
        if any(f"> {path}" in command or f"--out {path}" in command for path in WRITES):
            assert run(command).returncode == 0, command
    text = PAGE.read_text()
    found = SESSION.search(text)
    assert found, "docs/researchers.md has no ```python block followed by its output"
    code, shown = found.groups()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(PAGE), "exec"), {"__name__": "notebook"})  # noqa: S102
    if os.environ.get("UPDATE_DOC_EXAMPLES") and printed.getvalue() != shown:
        start, end = found.span(2)
        PAGE.write_text(text[:start] + printed.getvalue() + text[end:])
        return
    assert printed.getvalue() == shown
    assert "did you mean noncitizen?" in shown  # the page shows a validation error
