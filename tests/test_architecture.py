"""The layers, enforced: data flows one way, and each outside library has one home.

    law/ -> engine/ -> analysis/ -> population/ -> render/ -> commands/ -> cli.py

A module imports only from its own layer and the layers before it (errors.py and
output.py serve every layer). The one exception is the law's reading of the engines'
limits (engine/limits.py, which imports nothing), so that a fact the engine cannot carry
is refused where it is declared. Only engine/durable.py imports durable-rules; only
render/ imports rich. Every import counts, at the top of a module or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "eligibility"
LAYERS = ("law", "engine", "analysis", "population", "render", "commands", "cli")
ANYWHERE = {"eligibility", "eligibility.errors", "eligibility.output"}
LIMITS = "eligibility.engine.limits"


def read_by_the_law(module: str) -> bool:
    return module == LIMITS or module.startswith(LIMITS + ".")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, absolute (`from .x import y` inside eligibility.law
    is eligibility.law.x, and eligibility.law.x.y when y is a module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def layer(module: str) -> int | None:
    """The layer of an eligibility module, or None for the ones every layer may use."""
    parts = module.split(".")
    if module in ANYWHERE or len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


MODULES = {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def importers_of(prefix: str) -> set[str]:
    return {
        module
        for module, imported in MODULES.items()
        if any(i == prefix or i.startswith(prefix + ".") for i in imported)
    }


def test_the_modules_were_found() -> None:
    assert {"eligibility.law.logic", "eligibility.engine.durable", "eligibility.cli"} <= set(
        MODULES
    )


def test_only_the_durable_engine_imports_durable_rules() -> None:
    assert importers_of("durable_rules_engine") | importers_of("durable") == {
        "eligibility.engine.durable"
    }


def test_only_render_imports_rich() -> None:
    assert {m for m in importers_of("rich") if not m.startswith("eligibility.render")} == set()
    assert importers_of("rich")  # the rule is about something


def test_the_law_imports_nothing_above_it_but_the_engines_limits() -> None:
    for module, imported in MODULES.items():
        if not module.startswith("eligibility.law"):
            continue
        above = {
            i
            for i in imported
            if i.startswith("eligibility.") and (layer(i) or 0) > 0 and not read_by_the_law(i)
        }
        assert not above, f"{module} imports {sorted(above)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_one_way(module: str) -> None:
    own = layer(module)
    if own is None:
        return
    upward = {
        i
        for i in MODULES[module]
        if i.startswith("eligibility.")
        and (layer(i) or 0) > own
        and not (own == 0 and read_by_the_law(i))
    }
    assert not upward, f"{module} (layer {LAYERS[own]}) imports {sorted(upward)}"


def test_the_public_names_resolve() -> None:
    import eligibility

    for name in eligibility.__all__:
        assert getattr(eligibility, name) is not None, name
    assert callable(eligibility.load_rule_book) and callable(eligibility.load_scenario)


LONG_MODULE = 400  # lines (issue 13: "no module over about 400 lines without a reason")
REASON = "Why one module of over 400 lines:"


def test_a_long_module_says_why_at_its_top() -> None:
    long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if text.count("\n") > LONG_MODULE:
            long[module_name(path)] = REASON in (ast.get_docstring(ast.parse(text)) or "")
    assert long  # the rule is about something
    assert [module for module, says_why in long.items() if not says_why] == []


# what counts as checking something: an assert, pytest.raises/warns, or a call to a
# helper named for it (assert_*, check_*, expect*, and the same with a leading _)
CHECKING_HELPERS = ("assert", "check", "expect")


def _checks(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if name in ("raises", "warns") or name.lstrip("_").startswith(CHECKING_HELPERS):
                return True
    return False


def test_every_test_checks_something() -> None:
    """Issue 13: no test without an assertion (a test that cannot fail proves nothing)."""
    tests = ROOT / "tests"
    silent = []
    for path in sorted(tests.glob("test_*.py")):
        functions = [
            node
            for node in ast.walk(ast.parse(path.read_text(), str(path)))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        ]
        silent += [f"{path.name}:{f.lineno} {f.name}" for f in functions if not _checks(f)]
    assert silent == []
