"""Shared fixtures; the Hypothesis profile used by `make test` and CI.

The `ci` profile (the default) is derandomized, so every run tries the same examples
and `make test` is reproducible and bounded in time; set HYPOTHESIS_PROFILE=dev for
randomized exploration with more examples.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
    print_blob=True,
)
settings.register_profile("dev", max_examples=1000, deadline=None)
# the development loop (`make check`): the same tests, a tenth of the examples
settings.register_profile("fast", parent=settings.get_profile("ci"), max_examples=15)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """The examples a property test tries: `count`, or a tenth of it (at least 5) in
    the `fast` profile of the development loop."""
    return max(5, count // 10) if PROFILE == "fast" else count


def sampled(items: list, *, every: int, ids=None) -> list:
    """Parameters for a test run once per item (every bundled scenario, say): all of them
    in `make test` and CI; in the development loop, which skips `slow`, every
    `every`-th item, so the loop stays fast and still sees each kind of case."""
    names = [ids(item) for item in items] if ids else [None] * len(items)
    return [
        pytest.param(item, id=name, marks=() if index % every == 0 else pytest.mark.slow)
        for index, (item, name) in enumerate(zip(items, names, strict=True))
    ]


ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


COLUMNS = 80  # the width rich renders at in every test, whatever the terminal says
# Variables that change what the command prints: never inherited from the developer's
# shell (a narrow terminal once failed test_bundled_rule_sets_pass).
_OUTPUT_VARIABLES = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "ELIGIBILITY_DEBUG")


def cli_env(env: dict[str, str] | None = None, *, columns: int = COLUMNS) -> dict[str, str]:
    """The environment of a command under test: `env` (default: this process's), less
    the variables that change its output, with a fixed width."""
    base = dict(os.environ if env is None else env)
    for name in _OUTPUT_VARIABLES:
        if env is None or name not in env:
            base.pop(name, None)
    base.setdefault("COLUMNS", str(columns))
    return base


def cli_command(*args: str) -> list[str]:
    """The command line of `eligibility ARGS` run by the interpreter under test (not
    whatever `eligibility` script is found first on PATH)."""
    return [sys.executable, "-m", "eligibility", *args]


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`eligibility ARGS` in a child process, as a user runs it."""
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=cli_env(env),
        input=input,
        timeout=timeout,
    )


def run_main(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`eligibility ARGS` in this process (cli.main, with its exit code, stdout and
    stderr): the same code path as the console without an interpreter's start-up, for
    tests that run the command many times. Not for tests about the process itself
    (signals, crashes, the environment)."""
    from eligibility.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    saved = {name: os.environ.pop(name) for name in _OUTPUT_VARIABLES if name in os.environ}
    os.environ["COLUMNS"] = str(COLUMNS)
    try:
        os.chdir(cwd or ROOT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(here)
        os.environ.pop("COLUMNS", None)
        os.environ.update(saved)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def registry():
    from eligibility.law.registry import Registry

    return Registry()


@pytest.fixture(scope="session")
def vocabulary(registry):
    return registry.vocabulary


@pytest.fixture(scope="session")
def us_law(registry):
    return registry.load("us-law")


@pytest.fixture(scope="session")
def rights_based(registry):
    return registry.load("rights-based-2007")
