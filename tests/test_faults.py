"""Faults: a durable-rules failure is a clear error naming the scenario, and one bad
scenario in a large batch costs that scenario only.

durable-rules reports failures as `durable_rules_engine.error` with a bare numeric code,
or as a non-zero return code. We cannot make the real engine fail on demand, so the
failures are injected: in process by monkeypatching the C module's functions, and in a
child process by a `sitecustomize.py` that wraps them (the CLI tests). Our engine runs
no Python code inside durable-rules (no actions: their exceptions would be stored in
the session and lost), so these calls are the only places a failure can come from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
import subprocess
from pathlib import Path

import durable_rules_engine
import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.commands.common import evaluate_all
from eligibility.errors import EngineError
from eligibility.law.registry import Registry
from eligibility.law.scenarios import Scenario

from conftest import cli_command

DATE = dt.date(2010, 1, 1)
MINOR = {
    "age_at_victimization": 16,
    "age_now": 16,
    "citizenship": "noncitizen",
    "commercial_sex_act": True,
    "means": frozenset({"coercion"}),
    "actions": frozenset({"recruit"}),
}
ADULT = {
    "age_at_victimization": 30,
    "age_now": 31,
    "citizenship": "noncitizen",
    "labor_or_services": True,
    "means": frozenset({"force"}),
    "labor_purposes": frozenset({"involuntary_servitude"}),
}
CITIZEN = {"citizenship": "us_citizen", "age_now": 19}


@pytest.fixture
def evaluators(us_law):
    """A fresh durable evaluator (its own compiled rules) and the reference engine."""
    return Evaluator(us_law, "durable"), Evaluator(us_law, "python")


def _fail_once(monkeypatch, name: str, when, result=None):
    """Replace durable_rules_engine.<name> by a wrapper that fails the first call for
    which `when(*args)` is true, and calls the real function otherwise."""
    real = getattr(durable_rules_engine, name)
    state = {"failed": 0}

    def wrapper(*args):
        if not state["failed"] and when(*args):
            state["failed"] += 1
            if result is not None:
                return result
            raise durable_rules_engine.error("Could not assert facts, error code: 101")
        return real(*args)

    monkeypatch.setattr(durable_rules_engine, name, wrapper)
    return state


def _statuses(evaluator, facts, sid):
    result = evaluator.evaluate(facts, DATE, sid)
    return {pid: p.status for pid, p in result.provisions.items()}


@pytest.mark.parametrize(
    "function", ["assert_facts", "start_action_for_state", "complete_and_start_action"]
)
def test_an_engine_error_mid_run_names_the_scenario_and_the_next_one_evaluates(
    evaluators, monkeypatch, function: str
) -> None:
    durable, python = evaluators
    assert _statuses(durable, MINOR, "first") == _statuses(python, MINOR, "first")
    armed = {"on": False}
    state = _fail_once(monkeypatch, function, lambda *args: armed["on"])
    armed["on"] = True
    with pytest.raises(EngineError) as info:
        durable.evaluate(ADULT, DATE, "second-person")
    assert state["failed"] == 1
    message = str(info.value)
    assert message.startswith("scenario second-person: durable-rules failed: ")
    assert "error code: 101" in message
    # the session was reset: the next scenarios evaluate, and correctly
    for facts, sid in ((CITIZEN, "third"), (MINOR, "fourth"), (ADULT, "fifth")):
        assert _statuses(durable, facts, sid) == _statuses(python, facts, sid)


def test_a_failed_cleanup_deletes_the_session_and_the_next_scenario_evaluates(
    evaluators, monkeypatch
) -> None:
    # Retracting a scenario's facts happens after its result is complete: a failure
    # there costs a new session, not the result.
    durable, python = evaluators
    _statuses(durable, MINOR, "warm-up")
    state = _fail_once(monkeypatch, "retract_facts", lambda *args: True)
    assert _statuses(durable, ADULT, "cleanup-fails") == _statuses(python, ADULT, "x")
    assert state["failed"] == 1
    for facts, sid in ((CITIZEN, "third"), (MINOR, "fourth"), (ADULT, "fifth")):
        assert _statuses(durable, facts, sid) == _statuses(python, facts, sid)


def test_a_refused_assertion_names_the_scenario(evaluators, monkeypatch) -> None:
    durable, python = evaluators
    _statuses(durable, MINOR, "warm-up")
    _fail_once(monkeypatch, "assert_facts", lambda *args: True, result=(209, 0))
    with pytest.raises(
        EngineError,
        match=r"^scenario refused: durable-rules refused the "
        r"scenario facts \(code 209\)$",
    ):
        durable.evaluate(ADULT, DATE, "refused")
    assert _statuses(durable, ADULT, "after") == _statuses(python, ADULT, "after")


def test_a_rejected_ruleset_names_the_scenario(us_law, monkeypatch) -> None:
    """Compiling happens at the first scenario of each epoch: that scenario is named."""
    from eligibility.engine.cache import COMPILED

    COMPILED.clear()  # compiled rulesets are shared by the whole process
    _fail_once(monkeypatch, "create_ruleset", lambda *args: True)
    durable = Evaluator(us_law, "durable")
    with pytest.raises(
        EngineError, match="^scenario compiled-first: durable-rules rejected the compiled rules"
    ):
        durable.evaluate(MINOR, DATE, "compiled-first")
    python = Evaluator(us_law, "python")
    assert _statuses(durable, MINOR, "retry") == _statuses(python, MINOR, "retry")


def test_keep_going_skips_only_the_failing_scenario(evaluators, monkeypatch, capsys) -> None:
    durable, _ = evaluators
    scenarios = [
        Scenario(id=f"s{i}", facts=facts, path=f"batch/s{i}.yaml", as_of=DATE)
        for i, facts in enumerate([MINOR, ADULT, CITIZEN, MINOR])
    ]
    _statuses(durable, MINOR, "warm-up")
    # fail while evaluating the scenario whose facts mention labor (s1)
    labor = durable.engine.sent_as("labor_or_services", True)
    _fail_once(monkeypatch, "assert_facts", lambda handle, text: labor in text)
    results = list(evaluate_all(durable, scenarios, None, keep_going=True))
    assert [r.scenario if r else None for r in results] == ["s0", None, "s2", "s3"]
    err = capsys.readouterr().err
    assert err.startswith("error: batch/s1.yaml: scenario s1: durable-rules failed")
    assert len(err.splitlines()) == 1


# ----------------------------------------------------------- the CLI, in a child

# {age_77}: how the fact age_now = 77 travels to durable-rules (DurableEngine.sent_as)
INJECT = '''
"""Test harness: make durable-rules fail on scenarios whose age_now is 77."""
import durable_rules_engine

_real = durable_rules_engine.assert_facts


def _assert_facts(handle, text):
    if {age_77!r} in text:
        raise durable_rules_engine.error("Could not assert facts, error code: 102")
    return _real(handle, text)


durable_rules_engine.assert_facts = _assert_facts
'''


def _scenario(number: int, age: int) -> str:
    return (
        f"id: s{number:05d}\nas_of: 20{number % 25:02d}-06-01\nfacts:\n"
        f"  age_at_victimization: {age % 40}\n  age_now: {age}\n"
        f"  citizenship: {('noncitizen', 'us_citizen')[number % 2]}\n"
        f"  commercial_sex_act: {('true', 'false')[number % 3 == 0]}\n"
        f"  means: [{('force', 'fraud', 'coercion')[number % 3]}]\n"
        f"  contacted_law_enforcement: {('true', 'false')[number % 5 == 0]}\n"
    )


@pytest.fixture
def faulty_cli(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    age_77 = Evaluator(Registry().load("us-law"), "durable").engine.sent_as("age_now", 77)
    (site / "sitecustomize.py").write_text(INJECT.format(age_77=age_77))
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cli_command(*args),
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


def test_cli_names_the_failing_scenario_and_writes_nothing(tmp_path, faulty_cli) -> None:
    files = []
    for number, age in enumerate((16, 77, 40)):
        path = tmp_path / f"person{number}.yaml"
        path.write_text(_scenario(number, age))
        files.append(str(path))
    p = faulty_cli("evaluate", *files, "--format", "json", "--out", "results.json")
    assert p.returncode == 2
    assert (
        p.stderr == "error: scenario s00001: durable-rules failed: Could not assert "
        "facts, error code: 102\n"
    )
    assert not (tmp_path / "results.json").exists()
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".results")]
    p = faulty_cli("evaluate", *files, "--format", "jsonl", "--keep-going")
    assert p.returncode == 2
    assert [json.loads(line)["scenario"] for line in p.stdout.splitlines()] == [
        "s00000",
        "s00002",
    ]
    assert f"error: {files[1]}: scenario s00001: durable-rules failed" in p.stderr
    assert "1 of 3 scenario files could not be evaluated" in p.stderr


@pytest.mark.parametrize(
    "count, bad, failing",
    [(1_000, 432, 777), pytest.param(10_000, 4_321, 7_777, marks=pytest.mark.slow)],
)
def test_a_batch_with_one_bad_file_and_one_engine_failure(
    tmp_path, faulty_cli, count: int, bad: int, failing: int
) -> None:
    """--keep-going over a large batch (1,000 files; 10,000 in the full suite): the bad
    file and the scenario the engine fails on are reported by name; the others are
    evaluated; exit 2; the output file is complete and private."""
    batch = tmp_path / "batch"
    batch.mkdir()
    name = "s{:05d}".format  # as _scenario names them
    for number in range(count):
        age = 77 if number == failing else 16 + number % 60
        (batch / f"{name(number)}.yaml").write_text(_scenario(number, age))
    (batch / f"{name(bad)}.yaml").write_text(
        f"id: {name(bad)}\nfacts:\n  age_now: 16\n  means: forse\n"
    )
    p = faulty_cli(
        "evaluate",
        *(str(batch), "--keep-going", "--format", "csv", "--out", "results.csv"),
        *("--progress", "none"),  # only the errors on stderr, however slow the machine
    )
    assert p.returncode == 2, p.stderr[-2000:]
    errors = p.stderr.splitlines()
    assert errors == [
        f"error: {batch / (name(bad) + '.yaml')}:4: facts.means: expected a list (a list of any "
        f"of: force, fraud, coercion), got 'forse'",
        f"error: {batch / (name(failing) + '.yaml')}: scenario {name(failing)}: durable-rules "
        f"failed: Could not assert facts, error code: 102",
        f"2 of {count} scenario files could not be evaluated",
    ]
    out = tmp_path / "results.csv"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(out.read_text())))
    scenarios = {row[0] for row in rows[1:]}
    assert len(scenarios) == count - 2 and not {name(bad), name(failing)} & scenarios
    assert len(rows) == 1 + (count - 2) * 11  # eleven provisions


def test_disk_full_while_writing_out_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    """ENOSPC at the end of a write: a clear error, the previous file intact, no
    temporary file left behind."""
    import errno

    from eligibility import output
    from eligibility.errors import UsageError

    target = tmp_path / "results.csv"
    target.write_text("previous results\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    with (
        pytest.raises(
            UsageError,
            match="results.csv: cannot write: No space left on device; nothing was written",
        ),
        output.output_stream(str(target)) as out,
    ):
        out.write("new results\n")
    assert target.read_text() == "previous results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]
