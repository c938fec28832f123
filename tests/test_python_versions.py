"""Python 3.11 to 3.13: what is declared, how make picks an interpreter, and what the
user sees when durable-rules cannot be imported (not installed, or built for 3.13
without the define that its last release needs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

import pytest

from eligibility.engine import DURABLE_DEFINE, DURABLE_REQUIREMENT

from conftest import ROOT, run_cli

SUPPORTED = ["3.11", "3.12", "3.13"]
SCENARIO = "scenarios/ana-2002-minor.yaml"
# what Python 3.13 raises for durable-rules 2.0.28 built without the define (measured)
UNDEFINED_SYMBOL = "undefined symbol: PyEval_CallObject"


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def makefile_list(name: str) -> list[str]:
    found = re.search(rf"^{name}\s*:=(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, name
    return found.group(1).split()


# --- what is declared --------------------------------------------------------------------


def test_requires_python_classifiers_and_makefile_name_the_same_versions() -> None:
    declared = project()
    assert declared["requires-python"] == ">=3.11,<3.14"
    classified = [
        c.rsplit(" :: ", 1)[1]
        for c in declared["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert classified == SUPPORTED
    assert makefile_list("SUPPORTED") == SUPPORTED
    assert makefile_list("FALLBACKS") == [f"python{v}" for v in reversed(SUPPORTED)]


def test_the_suite_runs_on_a_supported_python() -> None:
    assert f"{sys.version_info[0]}.{sys.version_info[1]}" in SUPPORTED


def test_the_remedy_installs_the_pinned_durable_rules_with_the_documented_define() -> None:
    assert DURABLE_REQUIREMENT in project()["dependencies"]
    readme = (ROOT / "README.md").read_text()
    assert f'CPPFLAGS="{DURABLE_DEFINE}" pip install --no-cache-dir .' in readme
    assert f"DURABLE_DEFINE := {DURABLE_DEFINE}\n" in (ROOT / "Makefile").read_text()


# --- the tool's error when durable-rules cannot be imported --------------------------------


def run_without_durable(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child in which importing durable-rules fails as when it is not
    installed (None in sys.modules makes `import` raise ModuleNotFoundError)."""
    code = textwrap.dedent("""
        import sys
        sys.modules["durable_rules_engine"] = None
        from eligibility.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def run_with_shadow(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, with tmp_path ahead of site-packages."""
    return run_cli(*args, env=os.environ | {"PYTHONPATH": str(tmp_path)})


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    message = lines[0]
    assert "the durable-rules engine is unavailable" in message
    assert f"-m pip install --no-cache-dir --force-reinstall {DURABLE_REQUIREMENT}`" in message
    assert message.endswith("or use --engine python")
    # the define is part of the remedy exactly where it is needed
    assert (f'CPPFLAGS="{DURABLE_DEFINE}"' in message) == (sys.version_info >= (3, 13))
    return message


@pytest.mark.parametrize("command", ["evaluate", "explain", "test"])
def test_durable_rules_not_installed_is_a_usage_error_naming_the_remedy(command: str) -> None:
    message = assert_one_line_error(run_without_durable(command, SCENARIO))
    assert "durable-rules is not installed" in message


def test_compare_workers_report_the_same_error() -> None:
    result = run_without_durable(
        "compare", "--rules", "us-law", "--rules", "rights-based-2007", "--generate", "50"
    )
    assert "durable-rules is not installed" in assert_one_line_error(result)


def test_the_reference_engine_works_without_durable_rules() -> None:
    result = run_without_durable("evaluate", SCENARIO, "--engine", "python", "--format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"engine": "python"' in result.stdout and '"scenario": "ana-2002-minor"' in result.stdout


def test_a_build_for_313_without_the_define_is_named(tmp_path: Path) -> None:
    # What Python 3.13 raises on importing durable-rules 2.0.28 built without the define;
    # a module of that name ahead of site-packages raises the same ImportError.
    so = f"durable_rules_engine{sysconfig.get_config_var('EXT_SUFFIX')}"
    (tmp_path / "durable_rules_engine.py").write_text(
        f"raise ImportError({f'{tmp_path}/{so}: {UNDEFINED_SYMBOL}'!r}, "
        f"name='durable_rules_engine', path={str(tmp_path / so)!r})\n"
    )
    message = assert_one_line_error(run_with_shadow(tmp_path, "evaluate", SCENARIO))
    assert "built without the define that Python 3.13 needs" in message


def test_an_extension_that_does_not_load_is_named_with_the_loader_message(tmp_path: Path) -> None:
    # a real loader failure: an extension module file that is not a shared object
    so = tmp_path / f"durable_rules_engine{sysconfig.get_config_var('EXT_SUFFIX')}"
    so.write_bytes(b"not an ELF file\n" * 8)
    message = assert_one_line_error(run_with_shadow(tmp_path, "evaluate", SCENARIO))
    assert f"durable-rules cannot be loaded ({so}" in message


def test_an_import_error_of_our_own_is_not_blamed_on_durable_rules() -> None:
    # only the durable-rules import is translated: a broken module of ours stays a bug
    code = textwrap.dedent("""
        import sys
        sys.modules["eligibility.engine.durable"] = None
        from eligibility.engine import engine_class
        try:
            engine_class("durable")
        except ImportError as error:
            print(type(error).__name__, error.name)
    """)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.stdout.split() == ["ModuleNotFoundError", "eligibility.engine.durable"]


# --- how make picks the interpreter that creates the venv ----------------------------------


def make_venv_dry_run(tmp_path: Path, path: list[Path], *args: str) -> subprocess.CompletedProcess:
    """`make -n` of the venv's creation, with only `path` on PATH: prints what make
    chose (and the commands) without creating anything."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "PYTHON", "VENV")
    }
    env["PATH"] = os.pathsep.join(str(p) for p in path)
    venv = tmp_path / "venv"
    return subprocess.run(
        [make, "-n", "--no-print-directory", "-C", str(ROOT), f"VENV={venv}", *args,
         f"{venv}/bin/python"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )  # fmt: skip


def interpreter_dir(tmp_path: Path, name: str) -> Path:
    """A directory holding the running (real, supported) interpreter as `name`."""
    directory = tmp_path / "bin"
    directory.mkdir(exist_ok=True)
    (directory / name).symlink_to(os.path.realpath(sys.executable))
    return directory


def test_make_uses_the_newest_supported_python_when_python3_does_not_run(tmp_path) -> None:
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    found = interpreter_dir(tmp_path, f"python{version}")
    result = make_venv_dry_run(tmp_path, [found])
    assert result.returncode == 0, result.stderr
    first, venv_command = result.stdout.splitlines()[:2]
    assert first == (
        f"using python{version} (Python {version}): python3 is not found or does not run, "
        "and eligibility needs Python 3.11, 3.12 or 3.13"
    )
    assert venv_command == f"python{version} -m venv {tmp_path}/venv"


def test_make_uses_python3_when_it_is_supported(tmp_path) -> None:
    result = make_venv_dry_run(tmp_path, [interpreter_dir(tmp_path, "python3")])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"python3 -m venv {tmp_path}/venv"


def test_make_stops_with_one_line_when_no_supported_python_runs(tmp_path) -> None:
    result = make_venv_dry_run(tmp_path, [tmp_path])
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert re.sub(r"^Makefile:\d+: ", "", line) == (
        "*** python3 is not found or does not run, and none of python3.13, python3.12, "
        "python3.11 runs: eligibility needs Python 3.11, 3.12 or 3.13.  Stop."
    )


def test_make_refuses_a_python_the_user_named_instead_of_replacing_it(tmp_path) -> None:
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    found = interpreter_dir(tmp_path, f"python{version}")
    result = make_venv_dry_run(tmp_path, [found], "PYTHON=python3.10")
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert re.sub(r"^Makefile:\d+: ", "", line) == (
        "*** python3.10 is not found or does not run: "
        "eligibility needs Python 3.11, 3.12 or 3.13.  Stop."
    )
