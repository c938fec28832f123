"""Fuzzing: random and mutated YAML/JSON documents against every loader and the CLI.

Scenario files describe victims of crimes and rule files may come from anyone, so every
loader must turn any input into either a value or an `EligibilityError` that names the
file, within a few seconds: never another exception, never a hang (DESIGN.md, "YAML is
input from strangers").

The documents start from the real files (the contract scenarios, the training scenarios,
`rules/facts.yaml`, `rules/critiques.yaml`, every file of `rules/us-law/`, the
rights-based overlay) and are mutated the way files go wrong, by hand or on purpose:
keys deleted or renamed (typos, case, zero-width and bidi characters, look-alike
letters), values of the wrong type, huge numbers, deep nesting, lists where mappings
belong; then serialised as YAML or JSON and damaged as bytes (truncation, random bytes,
BOMs, CRLF, tabs, NUL, aliases and `!!python` tags spliced in). Purely random documents
and random bytes are tried as well.

Every loader is covered: scenario files, the fact vocabulary, critiques, rule set
directories (each provision file), overlays, population distributions (issue 6) and
invariants files (issue 7). Whatever loads is then used: scenarios are evaluated with
both engines, rule sets are resolved at their dates and evaluated, distributions draw
scenarios. In process, hostile rule sets run on the reference engine only (a
durable-rules crash would take pytest down with it); a child process runs mildly
mutated rule sets (about a third still load) on durable-rules; and the CLI tests run the
default durable engine on a small sample, in child processes.

Derandomized (the `ci` profile of conftest.py): every run tries the same examples.
HYPOTHESIS_PROFILE=dev explores with new ones; FUZZ_SCALE=20 tries twenty times as many.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from eligibility.analysis.evaluate import Evaluator
from eligibility.analysis.invariants import load_invariants
from eligibility.errors import EligibilityError, EngineError, UsageError
from eligibility.law.registry import Registry
from eligibility.law.rule_parser import load_critiques
from eligibility.law.scenarios import load_scenario
from eligibility.law.vocabulary import load_vocabulary
from eligibility.law.yamlfile import parse_text
from eligibility.population.distributions import load_distribution

from conftest import DATA, ROOT, run_cli
from conftest import examples as scaled

# hostile documents are large: Hypothesis warns about the size of their repr
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

RULES = ROOT / "rules"
CONTRACT = DATA / "contract"
SECONDS = 5.0  # per document, in process; generous for a loaded CI machine
DATES = [dt.date(1999, 1, 1), dt.date(2002, 6, 1), dt.date(2010, 1, 1), dt.date(2025, 6, 1)]
_counter = itertools.count()


def examples(count: int) -> int:
    return scaled(count) * int(os.environ.get("FUZZ_SCALE", "1"))


# --------------------------------------------------------------------------- seeds


def _seed(path: Path) -> Any:
    """The plain data of a real file, read by our own reader (dates stay text)."""
    return parse_text(path.read_text(encoding="utf-8"), str(path)).data


def _scenario_seeds() -> list[Any]:
    training = sorted((ROOT / "scenarios").glob("*.yaml"))[:20]
    paths = sorted(CONTRACT.glob("*.yaml")) + training
    seeds = []
    for path in paths:
        try:
            seeds.append(_seed(path))
        except EligibilityError:  # a training scenario being edited right now
            continue
    return seeds


SCENARIO_SEEDS = _scenario_seeds()
RULE_FILES = sorted(p.name for p in (RULES / "us-law").glob("*.yaml"))


# ---------------------------------------------------------------------- mutations

HOSTILE_SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    17,
    121,
    10**17,
    -(10**17),
    2**63,
    1.5,
    -0.0,
    1e300,
    "",
    " ",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "~",
    "0x10",
    "010",
    "1e3",
    "NaN",
    ".inf",
    "2002-02-30",
    "0000-01-01",
    "9999-12-31",
    "2002-06-01",
    "met",
    "not_met",
    "undetermined",
    "us-law",
    "force",
    "noncitizen",
    "t_visa",
    "!!python/object:os.system",
    "*alias",
    "&anchor",
    "[/bold]",
    "\u202eevil",
    "a\u200bb",
    "\x00",
    "\x1b[31m",
    "\r",
    "line\nbreak",
    "x" * 3000,
]
HOSTILE_CONTAINERS: list[Any] = [
    [],
    {},
    [None],
    [[]],
    {"": None},
    [1, "a", True],
    {"id": 1},
    {"all": []},
    {"fact": "age_now", "lt": 18},
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

# copies: a mutation must never change the shared examples (or the next draw differs)
# plausible values: right type, maybe wrong place; they get past the first checks
PLAUSIBLE: list[Any] = [
    True,
    False,
    0,
    14,
    15,
    17,
    18,
    120,
    "met",
    "not_met",
    "noncitizen",
    "us_citizen",
    "force",
    ["force"],
    ["coercion", "fraud"],
    [],
    "2002-06-01",
    "2024-08-28",
    "t_visa",
    "severe_trafficking",
]

# copies: a mutation must never change the shared examples (or the next draw differs)
hostile_values = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(HOSTILE_SCALARS),
    st.sampled_from(HOSTILE_CONTAINERS),
    json_values,
).map(copy.deepcopy)

LOOK_ALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456", "c": "\u0441"}


@st.composite
def renamed(draw: st.DrawFn, key: str) -> str:
    """A key as people (and attackers) get it wrong."""
    how = draw(
        st.sampled_from(
            [
                "drop",
                "double",
                "swap",
                "case",
                "zero-width",
                "bidi",
                "look-alike",
                "space",
                "nfd",
                "random",
                "empty",
            ]
        )
    )
    n = len(key)
    at = draw(st.integers(0, max(n - 1, 0)))
    if how == "drop" and n:
        return key[:at] + key[at + 1 :]
    if how == "double" and n:
        return key[:at] + key[at] + key[at:]
    if how == "swap" and n > 1:
        at = min(at, n - 2)
        return key[:at] + key[at + 1] + key[at] + key[at + 2 :]
    if how == "case":
        return key.upper() if draw(st.booleans()) else key.title()
    if how == "zero-width":
        return key[:at] + "\u200b" + key[at:]
    if how == "bidi":
        return "\u202e" + key
    if how == "look-alike":
        return "".join(LOOK_ALIKES.get(c, c) if draw(st.booleans()) else c for c in key)
    if how == "space":
        return key + " "
    if how == "nfd":
        return unicodedata.normalize("NFD", key + "\u00e9")
    if how == "empty":
        return ""
    return draw(st.text(max_size=10))


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    stack = [(data, prefix)]
    while stack:
        value, path = stack.pop()
        children = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else ()
        )
        for key, child in children:
            found.append(path + (key,))
            stack.append((child, path + (key,)))
    return found


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    _get(data, path[:-1])[path[-1]] = value
    return data


TREE_OPS = (
    "delete",
    "rename",
    "swap",
    "swap",
    "wrap",
    "unwrap",
    "duplicate",
    "deepen",
    "add",
    "copy",
)


@st.composite
def mutated_data(draw: st.DrawFn, seeds: list[Any]) -> Any:
    """A real document with one to three structural mutations."""
    data = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        paths = _paths(data)
        # the whole document only now and then: most damage is local
        path = draw(
            st.sampled_from(paths[1:] if len(paths) > 1 and draw(st.integers(0, 9)) else paths)
        )
        op = draw(st.sampled_from(TREE_OPS))
        value = _get(data, path)
        parent = _get(data, path[:-1]) if path else None
        if op == "delete" and path:
            del parent[path[-1]]
        elif op == "rename" and isinstance(parent, dict):
            new = draw(renamed(path[-1]))
            items = [(new if k == path[-1] else k, v) for k, v in parent.items()]
            parent.clear()
            parent.update(items)
        elif op == "wrap":
            data = _set(data, path, [value] if draw(st.booleans()) else {"x": value})
        elif op == "unwrap" and isinstance(value, (list, dict)) and value:
            inner = value[0] if isinstance(value, list) else next(iter(value.values()))
            data = _set(data, path, inner)
        elif op == "duplicate" and isinstance(value, list) and value:
            value.append(copy.deepcopy(draw(st.sampled_from(value))))
        elif op == "deepen":
            for _ in range(draw(st.integers(5, 60))):
                value = [value]
            data = _set(data, path, value)
        elif op == "add" and isinstance(value, dict):
            value[draw(st.text(max_size=12))] = draw(hostile_values)
        elif op == "copy":
            data = _set(data, path, copy.deepcopy(_get(data, draw(st.sampled_from(paths)))))
        else:  # swap, or an operation that does not fit this spot
            data = _set(data, path, draw(hostile_values))
    return data


SNIPPETS = [
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xae",
    b"\xe2\x80\x8b",
    b"\xed\xa0\x80",
    b"\t",
    b"\r",
    b"\r\n",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!python/object/apply:os.system ['true'] ",
    b"!!binary ",
    b"!custom ",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"%TAG ! tag:yaml.org,2002:\n",
    b"? ",
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b'"',
    b"'",
    b"|",
    b">",
    b"#",
    b"\\",
    b"\n  ",
    b"\n- - - - -",
    b"99999999999999999999999",
    b"1.0e999",
    b"\x1b[2J",
]


@st.composite
def damaged(draw: st.DrawFn, raw: bytes) -> bytes:
    """Mostly none; else one or two byte-level mutations."""
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 1, 2]))):
        n = len(raw)
        at = draw(st.integers(0, n))
        how = draw(
            st.sampled_from(
                ["truncate", "insert", "insert", "delete", "line", "byte", "bom", "crlf", "tabs"]
            )
        )
        if how == "truncate":
            raw = raw[:at]
        elif how == "insert":
            piece = draw(st.sampled_from(SNIPPETS) | st.binary(min_size=1, max_size=8))
            raw = raw[:at] + piece + raw[at:]
        elif how == "delete":
            raw = raw[:at] + raw[at + draw(st.integers(1, 40)) :]
        elif how == "line":  # a repeated line: duplicate keys, usually
            lines = raw.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            raw = b"\n".join(lines)
        elif how == "byte" and n:
            at = min(at, n - 1)
            raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
        elif how == "bom":
            raw = b"\xef\xbb\xbf" + raw
        elif how == "crlf":
            raw = raw.replace(b"\n", b"\r\n")
        elif how == "tabs":
            raw = raw.replace(b"\n  ", b"\n\t")
    return raw


@st.composite
def serialised(draw: st.DrawFn, data: Any) -> bytes:
    """YAML (block or flow) or JSON text of `data`."""
    if draw(st.booleans()):
        text = yaml.safe_dump(
            data,
            sort_keys=False,
            allow_unicode=draw(st.booleans()),
            default_flow_style=draw(st.sampled_from([False, None, True])),
            width=draw(st.sampled_from([80, 4096])),
        )
    else:
        text = json.dumps(
            data, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
        )
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mild_document(draw: st.DrawFn, seeds: list[Any]) -> bytes:
    """One small, plausible change to a real document (a value moved, copied, dropped
    or replaced by a value of the right kind): most still load, so what comes after
    loading (compiling, running) is exercised too."""
    data = copy.deepcopy(draw(st.sampled_from(seeds)))
    paths = _paths(data)[1:]
    path = draw(st.sampled_from(paths))
    op = draw(st.sampled_from(["delete", "duplicate", "copy", "plausible"]))
    parent = _get(data, path[:-1])
    if op == "delete":
        del parent[path[-1]]
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[path[-1]]))
    elif op == "copy":
        source = draw(st.sampled_from(paths))
        data = _set(data, path, copy.deepcopy(_get(data, source)))
    else:
        data = _set(data, path, copy.deepcopy(draw(st.sampled_from(PLAUSIBLE))))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


@st.composite
def hostile_document(draw: st.DrawFn, seeds: list[Any]) -> bytes:
    """A mutated real document, serialised and maybe damaged; or random data/bytes."""
    kind = draw(st.sampled_from(["mutated"] * 8 + ["random-data", "random-bytes"]))
    if kind == "random-bytes":
        return draw(st.binary(max_size=200))
    data = draw(json_values) if kind == "random-data" else draw(mutated_data(seeds))
    return draw(damaged(draw(serialised(data))))


# ------------------------------------------------------------------------ checks


def _kind_of(message: str) -> str:
    """A coarse class of an error message, for `--hypothesis-show-statistics`."""
    message = re.sub(r"^condition [^:]*: ", "", message)
    message = re.sub(r"'[^']*'|`[^`]*`|\([^)]*\)|[0-9][0-9,.]*", "_", message)
    return " ".join(message.split()[:4])


def _hung(signum, frame):
    raise TimeoutError(f"no answer after {3 * SECONDS:.0f}s: a hang")


def assert_clean(action, *files: Path) -> Any:
    """Run `action`; only an EligibilityError may escape, it must name the file (for a
    file problem) in one printable line, and it must all take less than SECONDS."""
    started = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.setitimer(signal.ITIMER_REAL, 3 * SECONDS)  # a hang fails, not blocks, the run
    try:
        result = action()
        event("accepted")
        return result
    except EligibilityError as exc:
        event(f"{type(exc).__name__}: {_kind_of(exc.message)}")
        message = str(exc)
        assert message, "an empty error message"
        assert "\n" not in message, f"a multi-line message: {message!r}"
        assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") for c in message), (
            f"an unescaped control or bidi character in {message!r}"
        )
        if files and not isinstance(exc, (UsageError, EngineError)):
            assert exc.path, f"the message names no file: {message}"
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        elapsed = time.perf_counter() - started
        assert elapsed < SECONDS, f"took {elapsed:.1f}s"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def evaluators(registry):
    """Both engines on the bundled us-law (valid scenarios must evaluate)."""
    book = registry.load("us-law")
    return [Evaluator(book, "python"), Evaluator(book, "durable")]


def _write(directory: Path, name: str, raw: bytes) -> Path:
    path = directory / name
    path.write_bytes(raw)
    return path


def _copy_rules(workdir: Path) -> Path:
    target = workdir / f"rules-{next(_counter)}"
    shutil.copytree(RULES, target, ignore=shutil.ignore_patterns("populations"))
    return target


def _exercise(book) -> None:
    """Resolve a loaded rule book at every date it changes and evaluate two scenarios
    with the reference engine."""
    engine = Evaluator(book, "python")
    for date in sorted(set(book.change_dates[:12]) | set(DATES)):
        engine.evaluate({}, date, "empty")
        engine.evaluate(
            {
                "age_at_victimization": 16,
                "age_now": 17,
                "citizenship": "noncitizen",
                "commercial_sex_act": True,
                "means": frozenset({"coercion"}),
            },
            date,
            "minor",
        )


# ------------------------------------------------------------- loaders in process


@settings(max_examples=examples(250))
@given(raw=hostile_document(SCENARIO_SEEDS), suffix=st.sampled_from([".yaml", ".json"]))
def test_scenario_loader(workdir, vocabulary, evaluators, raw: bytes, suffix: str) -> None:
    path = _write(workdir, f"scenario-{next(_counter)}{suffix}", raw)
    scenario = assert_clean(lambda: load_scenario(path, vocabulary), path)
    if scenario is not None:  # whatever loads must evaluate, with both engines
        for evaluator in evaluators:
            assert_clean(lambda e=evaluator: e.evaluate_scenario(scenario, DATES[2]))


@settings(max_examples=examples(60))
@given(raw=hostile_document([_seed(RULES / "facts.yaml")]))
def test_vocabulary_loader(workdir, raw: bytes) -> None:
    rules = _copy_rules(workdir)
    _write(rules, "facts.yaml", raw)
    vocabulary = assert_clean(lambda: load_vocabulary(rules / "facts.yaml"), rules / "facts.yaml")
    if vocabulary is not None:  # the rules must still load against it, or say why
        book = assert_clean(lambda: Registry(rules).load("us-law"), rules)
        if book is not None:
            assert_clean(lambda: _exercise(book))


@settings(max_examples=examples(40))
@given(raw=hostile_document([_seed(RULES / "critiques.yaml")]))
def test_critiques_loader(workdir, raw: bytes) -> None:
    rules = _copy_rules(workdir)
    _write(rules, "critiques.yaml", raw)
    assert_clean(lambda: load_critiques(rules / "critiques.yaml"), rules)
    registry = Registry(rules)
    for name in ("us-law", "rights-based-2007"):
        book = assert_clean(lambda n=name: registry.load(n), rules)
        if book is not None:
            assert_clean(lambda b=book: _exercise(b))


@pytest.mark.slow
@settings(max_examples=examples(120))
@given(data=st.data(), name=st.sampled_from(RULE_FILES))
def test_rule_set_directory_loader(workdir, data, name: str) -> None:
    raw = data.draw(hostile_document([_seed(RULES / "us-law" / name)]))
    rules = _copy_rules(workdir)
    _write(rules / "us-law", name, raw)
    book = assert_clean(lambda: Registry(rules).load("us-law"), rules)
    if book is not None:
        assert_clean(lambda: _exercise(book))


@pytest.fixture(scope="module")
def overlay_registry() -> Registry:
    """One registry for every overlay example: us-law is loaded once, and each overlay
    gets a file name of its own (the registry caches books by path)."""
    return Registry(RULES)


@settings(max_examples=examples(120))
@given(raw=hostile_document([_seed(RULES / "reforms" / "rights-based-2007.yaml")]))
def test_overlay_loader(workdir, overlay_registry, raw: bytes) -> None:
    path = _write(workdir, f"overlay-{next(_counter)}.yaml", raw)
    book = assert_clean(lambda: overlay_registry.load(str(path)), path)
    if book is not None:
        assert_clean(lambda: _exercise(book))


DISTRIBUTION = RULES / "populations" / "default.yaml"
INVARIANTS = RULES / "invariants.yaml"
_DISTRIBUTION_SEEDS = [_seed(DISTRIBUTION)] if DISTRIBUTION.is_file() else [{}]
_INVARIANT_SEEDS = [_seed(INVARIANTS)] if INVARIANTS.is_file() else [{}]


@settings(max_examples=examples(100))
@given(raw=hostile_document(_DISTRIBUTION_SEEDS))
def test_distribution_loader(workdir, vocabulary, evaluators, raw: bytes) -> None:
    path = _write(workdir, f"population-{next(_counter)}.yaml", raw)
    distribution = assert_clean(lambda: load_distribution(path, vocabulary), path)
    if distribution is not None:  # it must draw valid scenarios, which must evaluate

        def draw() -> None:
            for index in range(20):
                facts = distribution.facts(1, index)
                evaluators[0].evaluate(facts, DATES[2], f"generated-{index}")

        assert_clean(draw)


@settings(max_examples=examples(100))
@given(raw=hostile_document(_INVARIANT_SEEDS))
def test_invariants_loader(workdir, us_law, raw: bytes) -> None:
    path = _write(workdir, f"invariants-{next(_counter)}.yaml", raw)
    assert_clean(lambda: load_invariants(path, us_law), path)


@settings(max_examples=examples(100))
@given(
    text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("utf-8", "replace"))
)
def test_reader_on_random_text(text: str) -> None:
    assert_clean(lambda: parse_text(text, "random.yaml"), Path("random.yaml"))


# ---------------------------------------------------------------- the CLI, sampled


def _assert_clean_exit(p, allowed=(0, 2)) -> None:
    output = p.stdout + p.stderr
    assert p.returncode in allowed, f"exit {p.returncode}: {p.stderr[-2000:]}"
    assert "Traceback" not in output and "internal error" not in output, p.stderr[-2000:]


@pytest.mark.slow
@settings(max_examples=examples(3))
@given(files=st.lists(hostile_document(SCENARIO_SEEDS), min_size=40, max_size=40))
def test_cli_on_a_batch_of_hostile_scenarios(workdir, files: list[bytes]) -> None:
    """40 hostile files in one `evaluate --keep-going` run (durable engine): each is
    either evaluated or reported, the run ends with 0 or 2, and never takes long."""
    batch = workdir / f"batch-{next(_counter)}"
    batch.mkdir()
    for number, raw in enumerate(files):
        _write(batch, f"s{number:02d}.yaml", raw)
    started = time.perf_counter()
    p = run_cli("evaluate", str(batch), "--keep-going", "--format", "jsonl", timeout=60)
    assert time.perf_counter() - started < 30
    _assert_clean_exit(p)
    evaluated = len(p.stdout.splitlines())
    reported = sum(1 for line in p.stderr.splitlines() if line.startswith("error: "))
    assert evaluated + reported == len(files), p.stderr


@settings(max_examples=examples(4))
@given(raw=hostile_document([_seed(RULES / "reforms" / "rights-based-2007.yaml")]))
def test_cli_on_hostile_overlays(workdir, raw: bytes) -> None:
    path = _write(workdir, f"cli-overlay-{next(_counter)}.yaml", raw)
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        "--rules",
        str(path),
        "--format",
        "json",
        timeout=60,
    )
    _assert_clean_exit(p)


@settings(max_examples=examples(3))
@given(data=st.data(), name=st.sampled_from(RULE_FILES))
def test_cli_on_hostile_rule_set_directories(workdir, data, name: str) -> None:
    raw = data.draw(hostile_document([_seed(RULES / "us-law" / name)]))
    rules = _copy_rules(workdir)
    _write(rules / "us-law", name, raw)
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        "--rules",
        str(rules / "us-law"),
        "--format",
        "csv",
        timeout=60,
    )
    _assert_clean_exit(p)


@pytest.mark.slow
@settings(max_examples=examples(3))
@given(raw=hostile_document([_seed(RULES / "facts.yaml")]))
def test_cli_on_hostile_vocabularies(workdir, raw: bytes) -> None:
    rules = _copy_rules(workdir)
    _write(rules, "facts.yaml", raw)
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        "--format",
        "json",
        "--rules-dir",
        str(rules),
        timeout=60,
    )
    _assert_clean_exit(p)


@pytest.mark.slow
@settings(max_examples=examples(3))
@given(raw=hostile_document(_DISTRIBUTION_SEEDS))
def test_cli_on_hostile_distributions(workdir, raw: bytes) -> None:
    path = _write(workdir, f"cli-population-{next(_counter)}.yaml", raw)
    p = run_cli(
        "compare",
        "--rules",
        "us-law",
        "--rules",
        "rights-based-2007",
        "--generate",
        "30",
        "--distribution",
        str(path),
        "--jobs",
        "1",
        "--format",
        "json",
        timeout=60,
    )
    _assert_clean_exit(p)


@pytest.mark.slow
@settings(max_examples=examples(2))
@given(raw=hostile_document(_INVARIANT_SEEDS))
def test_cli_on_hostile_invariants(workdir, raw: bytes) -> None:
    path = _write(workdir, f"cli-invariants-{next(_counter)}.yaml", raw)
    p = run_cli(
        "check",
        "--invariants",
        str(path),
        "--examples",
        "0",
        "--engine",
        "python",
        "--no-color",
        cwd=workdir,
        timeout=120,
    )
    _assert_clean_exit(p, allowed=(0, 1, 2))


DURABLE_CHILD = '''
"""Load each rule set named on the command line and evaluate a few scenarios with the
durable engine; print one line per rule set. A crash of the C engine kills only this
child process (and the test sees which rule set it was on)."""
import datetime as dt
import sys

from eligibility.errors import EligibilityError
from eligibility.analysis.evaluate import Evaluator
from eligibility.law.registry import Registry

registry = Registry()
people = [{}, {"age_at_victimization": 16, "age_now": 17, "citizenship": "noncitizen",
               "commercial_sex_act": True, "means": frozenset({"coercion"}),
               "actions": frozenset({"recruit"})},
          {"citizenship": "us_citizen", "labor_or_services": True, "age_now": 40}]
for ref in sys.argv[1:]:
    print("rule set", ref, flush=True)
    try:
        evaluator = Evaluator(registry.load(ref), "durable")
        for date in (dt.date(2002, 6, 1), dt.date(2010, 1, 1), dt.date(2025, 6, 1)):
            for facts in people:
                evaluator.evaluate(facts, date, "person")
        print("accepted", flush=True)
    except EligibilityError as exc:
        print("refused:", exc, flush=True)
'''


@pytest.mark.slow
@settings(max_examples=examples(3))
@given(
    overlays=st.lists(
        mild_document([_seed(RULES / "reforms" / "rights-based-2007.yaml")]),
        min_size=24,
        max_size=24,
    ),
    provisions=st.lists(st.tuples(st.sampled_from(RULE_FILES), st.data()), min_size=6, max_size=6),
)
def test_durable_engine_on_hostile_rule_sets_in_a_child(workdir, overlays, provisions) -> None:
    """Hostile rule sets that load must also compile and run on durable-rules: in a
    child process, since a crash there would otherwise take pytest down."""
    refs = [str(_write(workdir, f"durable-overlay-{next(_counter)}.yaml", raw)) for raw in overlays]
    for name, data in provisions:
        rules = _copy_rules(workdir)
        _write(rules / "us-law", name, data.draw(mild_document([_seed(RULES / "us-law" / name)])))
        refs.append(str(rules / "us-law"))
    script = workdir / "durable_child.py"
    script.write_text(DURABLE_CHILD)
    p = subprocess.run(
        [sys.executable, str(script), *refs],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=workdir,
    )
    last = p.stdout.strip().splitlines()[-2:]
    assert p.returncode == 0 and "Traceback" not in p.stderr, (p.returncode, last, p.stderr)
    lines = p.stdout.splitlines()
    assert sum(line.startswith("rule set ") for line in lines) == len(refs)
    event(f"durable ran {lines.count('accepted')} of {len(refs)} rule sets")
