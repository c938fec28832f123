"""Shared fixtures; the Hypothesis profile used by `make test` and CI.

The `ci` profile (the default) is derandomized, so every run tries the same examples
and `make test` is reproducible and bounded in time; set HYPOTHESIS_PROFILE=dev for
randomized exploration with more examples.
"""

from __future__ import annotations

import os
import shutil
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
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def eligibility_executable() -> str:
    """The console script installed beside the running interpreter."""
    candidate = Path(sys.executable).parent / "eligibility"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("eligibility")
    if not found:
        raise RuntimeError("the `eligibility` console script is not installed")
    return found


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [eligibility_executable(), *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        input=input,
        timeout=timeout,
    )


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
