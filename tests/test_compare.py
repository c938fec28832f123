"""`compare`: transitions, responsible conditions, law-enforcement gating, per-scenario
rows, determinism whatever --jobs, and clean usage errors."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import pty
import stat
import subprocess
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.analysis.evaluate import Evaluator
from eligibility.cli import main
from eligibility.errors import EngineError, UsageError
from eligibility.law.logic import STATUS_NAMES
from eligibility.law.scenarios import Scenario
from eligibility.population.compare import ROW_COLUMNS, Side, compare, parse_side
from eligibility.population.distributions import load_distribution

import strategies
from conftest import DATA, cli_command, examples, run_cli

PROVISIONS = [
    "severe_trafficking",
    "t_visa",
    "u_visa",
    "continued_presence",
    "hhs_certification",
    "minor_eligibility_letter",
    "victim_services",
    "t_adjustment",  # issue 17
    "u_adjustment",
    "t_derivatives",
    "u_derivatives",
]
CONTRACT = DATA / "contract"
TVPRA_2003 = "2004-01-01"  # after the under-15 -> under-18 change of 2003-12-19

# Minors of 12 to 17, trafficked for commercial sex, who never contacted law enforcement:
# under 15 they had the T visa's child exemption in 2002; from 15 to 17 only since 2003.
MINORS = """\
distribution: minors-no-cooperation
unknown: 0
facts:
  citizenship: {values: {noncitizen: 1}}
  age_at_victimization: {ranges: [{from: 12, to: 17, weight: 1}]}
  age_now: {plus: age_at_victimization, ranges: [{from: 0, to: 0, weight: 1}]}
  actions: {members: {recruit: 1, harbor: 0.5}}
  commercial_sex_act: {probability: 1}
  means: {members: {coercion: 0.5}}
  physically_present: {probability: 1}
  present_on_account_of_trafficking: {probability: 1}
  contacted_law_enforcement: {probability: 0}
  contacted_federal_law_enforcement: {probability: 0}
  complied_with_reasonable_requests: {probability: 0}
  unable_to_cooperate_due_to_trauma: {probability: 0}
  extreme_hardship: {probability: 1}
  admissible_or_waiver: {probability: 1}
  committed_trafficking_act: {probability: 0}
"""


def run_json(*args: str) -> dict:
    p = run_cli("compare", *args, "--format", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def transition(doc: dict, pid: str, source: str, target: str) -> dict | None:
    for t in doc["provisions"][pid]["transitions"]:
        if (t["from"], t["to"]) == (source, target):
            return t
    return None


def subtree_ids(book, date: str, root_id: str) -> set[str]:
    plan = book.at(dt.date.fromisoformat(date)).plan
    (root,) = [n for n in plan.nodes if n.condition.id == root_id]
    return {c.id for c in root.condition.walk()}


# ------------------------------------------------------------------ the law's changes


@pytest.mark.parametrize("rules", ["us-law", "rights-based-2007"])
def test_a_rule_set_against_itself_changes_nothing(rules) -> None:
    doc = run_json("--rules", rules, "--rules", rules, "--generate", "400", "--seed", "3")
    # 400 cases: --engine auto (the default) takes the column-wise engine and stream
    assert doc["engine"] == "vector"
    assert doc["population"] == {
        "scenarios": 400,
        "source": "generated",
        "seed": 3,
        "distribution": "default",
        "distribution_file": doc["population"]["distribution_file"],
        "stream": "columns-1",
    }
    assert list(doc["provisions"]) == PROVISIONS
    for entry in doc["provisions"].values():
        assert entry["changed"]["count"] == entry["gained"]["count"] == entry["lost"]["count"] == 0
        assert entry["conditions"] == []
        assert all(not t["changed"] and t["from"] == t["to"] for t in entry["transitions"])
        assert sum(t["count"] for t in entry["transitions"]) == 400
        assert entry["status"]["a"] == entry["status"]["b"]
        assert entry["law_enforcement_gated"]["a"] == entry["law_enforcement_gated"]["b"]
    p = run_cli("compare", "--rules", rules, "--rules", rules, "--generate", "50", "--no-color")
    assert p.returncode == 0 and "No provision changes status for any of the 50" in p.stdout


def test_under_15_becomes_under_18_for_minors_who_did_not_cooperate(tmp_path, us_law) -> None:
    """The issue's example: 2002 against today, over minors who never cooperated."""
    path = tmp_path / "minors.yaml"
    path.write_text(MINORS, encoding="utf-8")
    rows = tmp_path / "rows.csv"
    doc = run_json(
        "--rules",
        "us-law@2002-06-01",
        "--rules",
        "us-law@today",
        "--generate",
        "80",
        "--seed",
        "4",
        "--distribution",
        str(path),
        "--out",
        str(rows),
        "--examples",
        "100",
    )
    gained = transition(doc, "t_visa", "not_met", "met")
    assert gained is not None and gained["count"] > 20
    assert gained["conditions"] == [{"id": "t3-cc-minor", "count": gained["count"]}]
    kept = transition(doc, "t_visa", "met", "met")  # under 15: exempt already in 2002
    assert kept is not None
    assert gained["count"] + kept["count"] == 80
    dist = load_distribution(path)
    for sid in gained["examples"]:
        assert 15 <= dist.facts(4, int(sid.rsplit("-", 1)[1]))["age_at_victimization"] <= 17
    for sid in kept["examples"]:
        assert dist.facts(4, int(sid.rsplit("-", 1)[1]))["age_at_victimization"] < 15
    with rows.open(newline="") as handle:
        t_visa = [r for r in csv.DictReader(handle) if r["provision"] == "t_visa"]
    assert len(t_visa) == 80
    assert {r["conditions"] for r in t_visa if r["changed"] == "true"} == {"t3-cc-minor"}
    # the table says so too
    p = run_cli(
        "compare",
        "--rules",
        "us-law@2002-06-01",
        "--rules",
        "us-law@today",
        "--generate",
        "80",
        "--seed",
        "4",
        "--distribution",
        str(path),
        "--no-color",
    )
    assert "not met → met" in p.stdout and "t3-cc-minor" in p.stdout


def test_in_the_default_population_the_child_exemption_change_is_about_ages_15_to_17(
    tmp_path, us_law
) -> None:
    rows = tmp_path / "rows.csv"
    doc = run_json(
        "--rules",
        "us-law@2002-06-01",
        "--rules",
        f"us-law@{TVPRA_2003}",
        "--generate",
        "3000",
        "--seed",
        "7",
        "--out",
        str(rows),
        "--engine",
        "python",
    )
    gained = transition(doc, "t_visa", "not_met", "met")
    assert gained is not None
    minor_part = subtree_ids(us_law, "2002-06-01", "t3-cc-minor") | subtree_ids(
        us_law, TVPRA_2003, "t3-cc-minor"
    )
    assert any(c["id"] in minor_part for c in gained["conditions"])
    dist = load_distribution("default")
    with rows.open(newline="") as handle:
        through_minor = [
            r
            for r in csv.DictReader(handle)
            if r["provision"] == "t_visa"
            and r["status_a"] == "not_met"
            and r["status_b"] == "met"
            and minor_part & set(r["conditions"].split())
        ]
    assert len(through_minor) >= 3
    for row in through_minor:
        facts = dist.facts(7, int(row["scenario"].rsplit("-", 1)[1]))
        assert 15 <= facts["age_at_victimization"] <= 17


def scenario(sid: str, **facts) -> Scenario:
    return Scenario(
        id=sid, facts={k: frozenset(v) if isinstance(v, list) else v for k, v in facts.items()}
    )


VICTIM = dict(
    citizenship="noncitizen",
    actions=["recruit"],
    commercial_sex_act=True,
    means=["coercion"],
    physically_present=True,
    present_on_account_of_trafficking=True,
    extreme_hardship=True,
    admissible_or_waiver=True,
    committed_trafficking_act=False,
    unable_to_cooperate_due_to_trauma=False,
)


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_responsible_conditions_name_where_the_change_starts(engine) -> None:
    people = [
        # 16, never went to the police: the child exemption rose from 15 to 18
        scenario(
            "minor",
            age_at_victimization=16,
            age_now=16,
            contacted_law_enforcement=False,
            complied_with_reasonable_requests=False,
            **VICTIM,
        ),
        # an adult who reported to the local police only and complied: federal contact
        # is no longer required (a condition removed from a subtree that was kept)
        scenario(
            "local-police",
            age_at_victimization=30,
            age_now=31,
            contacted_law_enforcement=True,
            contacted_federal_law_enforcement=False,
            complied_with_reasonable_requests=True,
            **VICTIM,
        ),
    ]
    result = compare(
        "us-law@2002-06-01",
        f"us-law@{TVPRA_2003}",
        scenarios=people,
        engine=engine,
        rows="jsonl",
        write_rows=(lines := []).append,
    )
    by_id = {row["scenario"]: row for row in map(json.loads, "".join(lines).splitlines())}
    minor = by_id["minor"]["provisions"]["t_visa"]
    local = by_id["local-police"]["provisions"]["t_visa"]
    assert (minor["status_a"], minor["status_b"], minor["conditions"]) == (
        "not_met",
        "met",
        ["t3-cc-minor"],
    )
    assert (local["status_a"], local["status_b"], local["conditions"]) == (
        "not_met",
        "met",
        ["t3-aa-federal"],
    )
    assert minor["gated_a"] is True and minor["gated_b"] is False
    doc = result.to_dict()
    t = transition(doc, "t_visa", "not_met", "met")
    assert t["count"] == 2 and t["examples"] == ["minor", "local-police"]
    assert {c["id"] for c in t["conditions"]} == {"t3-cc-minor", "t3-aa-federal"}


def test_scenario_files_use_their_own_dates(tmp_path) -> None:
    files = [str(CONTRACT / "contract-minor-2002.yaml"), str(CONTRACT / "contract-unknown.yaml")]
    doc = run_json("--rules", "us-law", "--rules", "rights-based-2007", *files)
    assert doc["population"] == {"scenarios": 2, "source": "files"}
    assert doc["a"] == {"rule_set": "us-law", "rules": "us-law", "as_of": None}
    t = transition(doc, "t_visa", "not_met", "met")
    assert t["examples"] == ["contract-minor-2002"] and t["conditions"]
    assert doc["provisions"]["t_visa"]["law_enforcement_gated"] == {
        "a": {"count": 1, "percent": 50.0},
        "b": {"count": 0, "percent": 0.0},
    }
    rows = tmp_path / "rows.jsonl"
    run_json(
        "--rules",
        "us-law",
        "--rules",
        "rights-based-2007",
        *files,
        "--as-of-b",
        "2010-01-01",
        "--out",
        str(rows),
    )
    first = json.loads(rows.read_text().splitlines()[0])
    assert first["a"]["as_of"] == "2002-06-01" and first["b"]["as_of"] == "2010-01-01"


def test_counts_and_gating_agree_with_the_reference_evaluator(registry) -> None:
    """Differential: every per-scenario row of compare (durable engine) equals what the
    reference evaluator says for each side, and the tallies add up."""
    lines: list[str] = []
    result = compare(
        "us-law@2002-06-01",
        "rights-based-2007@2020-01-01",
        generate=250,
        seed=12,
        rows="jsonl",
        write_rows=lines.append,
        examples=1000,
    )
    rows = [json.loads(line) for line in "".join(lines).splitlines()]
    assert [r["scenario"] for r in rows] == [f"gen-12-{i}" for i in range(250)]
    dist = load_distribution("default")
    sides = [
        (Evaluator(registry.load("us-law"), "python"), dt.date(2002, 6, 1)),
        (Evaluator(registry.load("rights-based-2007"), "python"), dt.date(2020, 1, 1)),
    ]
    doc = result.to_dict()
    for index, row in enumerate(rows):
        facts = dist.facts(12, index)
        for key, (evaluator, date) in zip("ab", sides, strict=True):
            expected = evaluator.evaluate(facts, date).provisions
            for pid in PROVISIONS:
                got = row["provisions"][pid]
                assert got[f"status_{key}"] == expected[pid].status, (index, pid, key)
                assert got[f"gated_{key}"] == expected[pid].law_enforcement_gated
                assert got[f"law_enforcement_{key}"] == expected[pid].law_enforcement
    for pid in PROVISIONS:
        entry = doc["provisions"][pid]
        for key in "ab":
            gated = sum(r["provisions"][pid][f"gated_{key}"] for r in rows)
            assert entry["law_enforcement_gated"][key]["count"] == gated
            levels = entry["law_enforcement"][key]
            assert levels["gated"]["count"] == gated
            for level in ("gated", "possibly_gated", "relies_on", "independent"):
                assert levels[level]["count"] == sum(
                    r["provisions"][pid][f"law_enforcement_{key}"] == level for r in rows
                )
            for status in STATUS_NAMES:
                assert entry["status"][key][status]["count"] == sum(
                    r["provisions"][pid][f"status_{key}"] == status for r in rows
                )
        for t in entry["transitions"]:
            ids = [
                r["scenario"]
                for r in rows
                if (r["provisions"][pid]["status_a"], r["provisions"][pid]["status_b"])
                == (t["from"], t["to"])
            ]
            assert t["count"] == len(ids) and t["examples"] == ids
        assert entry["changed"]["count"] == sum(r["provisions"][pid]["changed"] for r in rows)


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(data=st.data())
def test_swapping_the_sides_transposes_the_transitions(data, vocabulary) -> None:
    """A against B is B against A read backwards: every transition reversed, with the
    same responsible conditions; and a side against itself changes nothing."""
    people = [
        Scenario(id=f"s{i}", facts=data.draw(strategies.facts(vocabulary)))
        for i in range(data.draw(st.integers(1, 4)))
    ]
    first, second = data.draw(strategies.dates), data.draw(strategies.dates)
    books = data.draw(st.sampled_from([("us-law", "us-law"), ("us-law", "rights-based-2007")]))
    a, b = Side(books[0], first), Side(books[1], second)
    forward = compare(a, b, scenarios=people, engine="python").to_dict()["provisions"]
    backward = compare(b, a, scenarios=people, engine="python").to_dict()["provisions"]
    for pid in PROVISIONS:
        there = {(t["from"], t["to"]): t for t in forward[pid]["transitions"]}
        back = {(t["to"], t["from"]): t for t in backward[pid]["transitions"]}
        assert there.keys() == back.keys()
        for key, t in there.items():
            assert t["count"] == back[key]["count"] and t["examples"] == back[key]["examples"]
            assert sorted(map(str, t.get("conditions", []))) == sorted(
                map(str, back[key].get("conditions", []))
            )
        assert forward[pid]["gained"] == backward[pid]["lost"]
    same = compare(a, a, scenarios=people, engine="python").to_dict()["provisions"]
    assert all(entry["changed"]["count"] == 0 for entry in same.values())


# ------------------------------------------------------------------ rows, jobs, seeds


@pytest.fixture
def forked_workers(monkeypatch):
    """Workers forked from this process run code patched here (they are spawned
    otherwise, see workers.START_METHOD)."""
    import eligibility.population.compare as module
    import eligibility.population.workers as workers

    if "fork" not in workers.multiprocessing.get_all_start_methods():
        pytest.skip("needs fork")
    monkeypatch.setattr(workers, "START_METHOD", "fork")
    monkeypatch.setattr(workers, "STALL_SECONDS", 1.0)
    return module


# Python 3.12+ warns when a process with threads forks. Only these tests fork (to patch
# the workers' code); the command spawns its workers, so no user sees the warning.
FORKS_ON_PURPOSE = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded, use of fork:DeprecationWarning"
)


@pytest.mark.slow
@FORKS_ON_PURPOSE
def test_a_worker_that_dies_or_hangs_once_is_replaced(
    forked_workers, monkeypatch, tmp_path
) -> None:
    module = forked_workers
    expected = compare("us-law", "rights-based-2007", generate=400, seed=1).to_dict()
    real = module.Comparator.run

    def once(what):
        def run(self, task):
            flag = tmp_path / f"{what}-{task.start}"
            if task.start == 200 and not flag.exists():
                flag.touch()
                if what == "die":
                    os._exit(3)  # as if the rules engine crashed
                time.sleep(3600)  # as if it looped forever
            return real(self, task)

        return run

    for what in ("die", "hang"):
        monkeypatch.setattr(module.Comparator, "run", once(what))
        result = compare("us-law", "rights-based-2007", generate=400, seed=1, jobs=2)
        assert result.restarts == 1
        assert result.to_dict() == expected


@pytest.mark.slow
@FORKS_ON_PURPOSE
def test_a_worker_that_keeps_dying_or_fails_is_a_clean_error(forked_workers, monkeypatch) -> None:
    module = forked_workers
    real = module.Comparator.run

    def dies(self, task):
        if task.start >= 100:
            os._exit(3)
        return real(self, task)

    monkeypatch.setattr(module.Comparator, "run", dies)
    with pytest.raises(EngineError, match="a worker process died 4 times"):
        compare("us-law", "us-law", generate=400, jobs=2)

    def fails(self, task):
        raise EngineError("scenario gen-0-7: durable-rules failed", path="x.yaml", line=3)

    monkeypatch.setattr(module.Comparator, "run", fails)
    with pytest.raises(EngineError) as caught:
        compare("us-law", "us-law", generate=400, jobs=2)
    assert str(caught.value) == "x.yaml:3: scenario gen-0-7: durable-rules failed"


def test_csv_rows_open_in_a_spreadsheet(tmp_path) -> None:
    out = tmp_path / "rows.csv"
    p = run_cli(
        "compare",
        "--rules",
        "us-law",
        "--rules",
        "rights-based-2007",
        "--generate",
        "60",
        "--seed",
        "2",
        "--out",
        str(out),
        "--format",
        "csv",
    )
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == ROW_COLUMNS
    body = table[1:]
    assert len(body) == 60 * len(PROVISIONS)
    assert all(len(row) == len(ROW_COLUMNS) for row in body)
    assert [(r[0], r[1]) for r in body] == [
        (f"gen-2-{i}", pid) for i in range(60) for pid in PROVISIONS
    ]
    assert {r[4] for r in body} <= set(STATUS_NAMES)
    assert {r[10] for r in body} <= {"true", "false"}
    summary = list(csv.reader(p.stdout.splitlines()))
    assert summary[0][:6] == ["provision", "status_a", "status_b", "changed", "count", "percent"]
    per_provision = {}
    for row in summary[1:]:
        per_provision[row[0]] = per_provision.get(row[0], 0) + int(row[4])
    assert per_provision == {pid: 60 for pid in PROVISIONS}


@pytest.mark.slow
def test_results_do_not_depend_on_jobs(tmp_path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"rows-{jobs}.jsonl"
        p = run_cli(
            "compare",
            "--rules",
            "us-law@2002-06-01",
            "--rules",
            "rights-based-2007",
            "--generate",
            "700",
            "--seed",
            "5",
            "--jobs",
            jobs,
            "--format",
            "json",
            "--out",
            str(out),
            "--examples",
            "7",
        )
        assert p.returncode == 0, p.stderr
        outputs.append((p.stdout, out.read_bytes()))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][1].splitlines()) == 700


def test_same_seed_same_result_other_seed_other_population() -> None:
    def run(seed: int) -> dict:
        return compare("us-law", "rights-based-2007", generate=150, seed=seed).to_dict()

    first = run(8)
    assert first == run(8)
    assert run(9)["provisions"] != first["provisions"]


@pytest.mark.slow
def test_progress_bar_only_on_a_terminal_and_not_with_quiet() -> None:
    args = [
        "compare",
        "--rules",
        "us-law",
        "--rules",
        "rights-based-2007",
        "--generate",
        "1500",
        "--engine",
        "python",
        "--jobs",
        "1",
    ]

    def stderr_on_a_terminal(extra: list[str]) -> str:
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            cli_command(*args, *extra),
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        os.close(leader)
        assert process.wait(timeout=120) == 0
        return seen.decode("utf-8", "replace")

    assert "comparing" in stderr_on_a_terminal([])
    assert stderr_on_a_terminal(["--quiet"]) == ""
    piped = run_cli(*args)
    assert piped.returncode == 0 and piped.stderr == ""


# ------------------------------------------------------------------ usage


def test_rule_set_with_a_date() -> None:
    today = dt.date(2030, 1, 2)
    assert parse_side("us-law@2002-06-01") == Side("us-law", dt.date(2002, 6, 1))
    assert parse_side("us-law@today", today=today) == Side("us-law", today)
    assert parse_side("us-law") == Side("us-law")
    assert parse_side("me@home/overlay.yaml") == Side("me@home/overlay.yaml")
    with pytest.raises(UsageError, match="2002-13-01 is not a calendar date"):
        parse_side("us-law@2002-13-01")
    with pytest.raises(UsageError, match="expected NAME or NAME@YYYY-MM-DD"):
        parse_side("us-law@2002")


def test_help_documents_the_date_syntax() -> None:
    p = run_cli("compare", "--help")
    assert p.returncode == 0
    assert "us-law@2002-06-01 --rules us-law@today" in p.stdout
    for flag in (
        "--generate",
        "--seed",
        "--distribution",
        "--jobs",
        "--out",
        "--quiet",
        "--as-of-a",
        "--as-of-b",
        "--format",
    ):
        assert flag in p.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rules", "us-law", "--generate", "5"], "exactly two rule sets"),
        (
            ["--rules", "us-law", "--rules", "us-law", "--rules", "us-law", "--generate", "5"],
            "exactly two rule sets (--rules A --rules B), got 3",
        ),
        (
            ["--rules", "us-law@2002-13-01", "--rules", "us-law", "--generate", "5"],
            "not a calendar date",
        ),
        (
            ["--rules", "us-lwa", "--rules", "us-law", "--generate", "5"],
            "unknown rule set 'us-lwa' (did you mean us-law?)",
        ),
        (
            [
                "--rules",
                "us-law@2002-06-01",
                "--rules",
                "us-law",
                "--as-of-a",
                "2003-01-01",
                "--generate",
                "5",
            ],
            "already gives side A's date",
        ),
        (
            [
                "--rules",
                "us-law",
                "--rules",
                "us-law",
                "--as-of",
                "2003-01-01",
                "--as-of-b",
                "2003-01-01",
                "--generate",
                "5",
            ],
            "either --as-of (both sides) or --as-of-a",
        ),
        (["--rules", "us-law", "--rules", "us-law"], "give scenario files or directories"),
        (
            ["--rules", "us-law", "--rules", "us-law", "--seed", "3", str(CONTRACT)],
            "--seed applies to generated populations",
        ),
        (
            ["--rules", "us-law", "--rules", "us-law", "--generate", "5", str(CONTRACT)],
            "either scenario files or --generate",
        ),
        (["--rules", "us-law", "--rules", "us-law", "--generate", "0"], "expected 1 or more"),
        (
            ["--rules", "us-law", "--rules", "us-law", "--generate", "5", "--seed", "-1"],
            "expected 0 or more",
        ),
        (
            ["--rules", "us-law", "--rules", "us-law", "--generate", "5", "--jobs", "0"],
            "expected 1 or more",
        ),
        (
            ["--rules", "us-law", "--rules", "us-law", "--generate", "5", "--out", "-"],
            "--out needs a file name",
        ),
        (
            [
                "--rules",
                "us-law",
                "--rules",
                "us-law",
                "--generate",
                "5",
                "--out",
                "/nonexistent/rows.csv",
            ],
            "does not exist",
        ),
        (
            ["--rules", "us-law", "--rules", "us-law", str(CONTRACT / "contract-bad-fact.yaml")],
            "unknown fact (did you mean age_at_victimization?)",
        ),
    ],
)
def test_usage_errors_exit_2_with_a_message(args, message, capsys) -> None:
    try:  # in this process: the console script itself is exercised by the tests above
        code = main(["compare", *args])
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2, captured.out
    assert message in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_a_usage_error_through_the_console_script() -> None:
    p = run_cli("compare", "--rules", "us-law", "--generate", "5")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "error: compare needs exactly two rule sets (--rules A --rules B), got 1\n"
