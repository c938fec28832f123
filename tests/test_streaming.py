"""Output that streams and stays small (issue 16): `evaluate --format json` streams,
`--detail summary|full`, `--jobs N`, the tidy CSV, Parquet, wide tables, progress."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

from eligibility import output
from eligibility.analysis.evaluate import Evaluator
from eligibility.commands import common
from eligibility.law.registry import Registry
from eligibility.law.scenarios import load_scenario, scenario_paths
from eligibility.render.progress import progress

from conftest import ROOT, run_cli

SCENARIOS = str(ROOT / "scenarios")
# the bundled training scenarios and provisions (eleven since issue 17)
BUNDLED = len(scenario_paths([SCENARIOS]))
PROVISIONS = 11
# the later steps and the status each follows (`follows:` in their rule files)
FOLLOWS = {
    "t_adjustment": "t_visa",
    "t_derivatives": "t_visa",
    "u_adjustment": "u_visa",
    "u_derivatives": "u_visa",
}


def full_results(engine: str = "durable") -> list[dict]:
    registry = Registry()
    evaluator = Evaluator(registry.load("us-law"), engine)
    return [
        evaluator.evaluate_scenario(load_scenario(p, registry.vocabulary)).to_dict()
        for p in scenario_paths([SCENARIOS])
    ]


def test_streamed_json_is_the_document_it_was() -> None:
    p = run_cli("evaluate", SCENARIOS, "--format", "json")
    assert p.returncode == 0, p.stderr
    assert p.stdout == output.json_text(full_results())
    one = run_cli("evaluate", str(ROOT / "scenarios" / "ana-2002-minor.yaml"), "--format", "json")
    assert json.loads(one.stdout)["scenario"] == "ana-2002-minor"  # an object, as before


def test_json_array_writes_what_json_text_writes() -> None:
    for documents in ([], [{"a": [1, {"b": "x\ny"}]}], [{"a": 1}, {"b": [], "c": {}}]):
        buffer = io.StringIO()
        array = output.JsonArray(buffer)
        for doc in documents:
            array.add(output.json_element(doc))
        array.close()
        assert buffer.getvalue() == output.json_text(documents)


def test_summary_keeps_every_value_but_explanations_and_repeated_texts() -> None:
    p = run_cli("evaluate", SCENARIOS, "--format", "jsonl")  # summary is the default
    assert p.returncode == 0, p.stderr
    summaries = [json.loads(line) for line in p.stdout.splitlines()]
    full = full_results()
    assert len(summaries) == len(full) == BUNDLED
    skipped = 0
    for small, big in zip(summaries, full, strict=True):
        assert small["detail"] == "summary"
        for key in ("scenario", "rule_set", "as_of", "engine"):
            assert small[key] == big[key]
        assert list(small["provisions"]) == list(big["provisions"])
        for pid, entry in big["provisions"].items():
            lean = small["provisions"][pid]
            assert "explanation" not in lean and "critiques" not in lean and "notes" not in lean
            assert lean["status"] == entry["status"]
            assert lean["law_enforcement"] == entry["law_enforcement"]
            assert lean.get("law_enforcement_gated", False) == entry["law_enforcement_gated"]
            assert lean.get("applicable", True) == entry["applicable"]
            assert lean.get("reached", True) == entry.get("reached", True)
            follows = FOLLOWS.get(pid)
            if lean.get("reached", True) or big["provisions"][follows]["status"] == "met":
                assert lean.get("missing_facts", []) == entry["missing_facts"]
                assert lean.get("open_questions", []) == entry.get("open_questions", [])
                assert lean.get("law_enforcement_blockers", []) == [
                    e["id"] for e in entry["law_enforcement_blockers"]
                ]
                assert lean.get("missing_facts_behind_blockers", []) == entry.get(
                    "missing_facts_behind_blockers", []
                )
            else:  # a later step not reached after a status not met: its questions wait
                skipped += 1
                for key in ("missing_facts", "law_enforcement_blockers", "open_questions"):
                    assert key not in lean
    assert skipped  # the bundled scenarios include later steps not reached
    assert len(p.stdout.encode()) < sum(len(json.dumps(d)) for d in full) / 10
    everything = run_cli("evaluate", SCENARIOS, "--format", "jsonl", "--detail", "full")
    assert [json.loads(line) for line in everything.stdout.splitlines()] == full


@pytest.mark.slow
def test_jobs_keep_the_input_order_and_the_bytes() -> None:
    for fmt in ("jsonl", "csv", "json"):
        one = run_cli("evaluate", SCENARIOS, "--format", fmt, "--jobs", "1")
        two = run_cli("evaluate", SCENARIOS, "--format", fmt, "--jobs", "2")
        assert one.returncode == two.returncode == 0, two.stderr
        assert one.stdout == two.stdout


def test_keep_going_with_jobs_reports_the_bad_file_and_writes_the_others(tmp_path) -> None:
    for path in scenario_paths([SCENARIOS])[:3]:
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "zz-bad.yaml").write_text("id: bad\nfacts: {age_at_victimization: old}\n")
    p = run_cli("evaluate", str(tmp_path), "--format", "jsonl", "--jobs", "2", "--keep-going")
    assert p.returncode == 2
    assert len(p.stdout.splitlines()) == 3 and "zz-bad.yaml" in p.stderr


def test_tidy_csv_has_one_row_per_case_and_provision_and_the_old_columns_first() -> None:
    p = run_cli("evaluate", SCENARIOS, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    header = p.stdout.splitlines()[0].split(",")
    assert header[:11] == [
        "scenario", "rule_set", "as_of", "engine", "provision", "status",
        "law_enforcement_gated", "missing_facts", "open_questions", "law_enforcement",
        "applicable",
    ]  # fmt: skip
    assert header == list(output.CSV_COLUMNS)
    assert len(rows) == BUNDLED * PROVISIONS
    full = {d["scenario"]: d for d in full_results()}
    for row in rows:
        entry = full[row["scenario"]]["provisions"][row["provision"]]
        assert row["status"] == entry["status"]
        assert row["law_enforcement_blockers"].split() == [
            e["id"] for e in entry["law_enforcement_blockers"]
        ]
        assert row["citation"] == entry["citation"]
        assert row["not_applicable_reason"] == (entry.get("not_applicable_reason") or "")


@pytest.mark.slow
def test_parquet_has_the_csv_rows_typed(tmp_path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "results.parquet"
    p = run_cli("evaluate", SCENARIOS, "--format", "parquet", "--out", str(target))
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    table = pq.read_table(target).to_pylist()
    rows = list(
        csv.DictReader(io.StringIO(run_cli("evaluate", SCENARIOS, "--format", "csv").stdout))
    )
    assert len(table) == len(rows) == BUNDLED * PROVISIONS
    for typed, text in zip(table, rows, strict=True):
        assert typed["missing_facts"] == text["missing_facts"].split()
        assert typed["law_enforcement_gated"] == (text["law_enforcement_gated"] == "true")
        assert typed["status"] == text["status"]
    stdout = run_cli("evaluate", SCENARIOS, "--format", "parquet")
    assert stdout.returncode == 2 and "--out" in stdout.stderr


def test_a_table_in_a_file_is_as_wide_as_it_needs_and_never_splits_an_id(tmp_path) -> None:
    long_id = "state-prosecution-no-federal-help-and-a-long-name"
    source = (ROOT / "scenarios" / "ana-2002-minor.yaml").read_text()
    (tmp_path / "a.yaml").write_text(
        "\n".join(
            f"id: {long_id}" if line.startswith("id:") else line for line in source.splitlines()
        )
    )
    target = tmp_path / "table.txt"
    p = run_cli(
        "evaluate", str(tmp_path / "a.yaml"), SCENARIOS, "--format", "table", "--out", str(target)
    )
    assert p.returncode == 0, p.stderr
    text = target.read_text()
    assert long_id in text
    piped = run_cli("evaluate", str(tmp_path / "a.yaml"), "--format", "table")
    assert long_id in piped.stdout  # stdout a pipe: the same


def test_scenario_files_beyond_the_kept_number_are_read_again(monkeypatch) -> None:
    registry = Registry()
    monkeypatch.setattr(common, "KEEP_LOADED", 5)
    files, bad = common.scenario_files([SCENARIOS], registry.vocabulary, keep_going=False)
    assert files.kept is None and len(files) == BUNDLED and bad == 0
    assert [str(p) for p in files.paths()] == [str(p) for p in scenario_paths([SCENARIOS])]
    assert [s.id for s in files] == [s.id for s in files]  # iterable again, same order
    monkeypatch.setattr(common, "KEEP_LOADED", 100)
    kept, _ = common.scenario_files([SCENARIOS], registry.vocabulary, keep_going=False)
    assert kept.kept is not None and [s.id for s in kept] == [s.id for s in files]


def test_plain_progress_is_a_line_now_and_then_and_one_at_the_end() -> None:
    now = [0.0]
    stream = io.StringIO()
    with progress(5000, mode="plain", file=stream, interval=10, clock=lambda: now[0]) as advance:
        for _ in range(50):
            now[0] += 1
            advance(100)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 6  # at 10, 20, 30, 40 and 50 seconds, and the last
    assert lines[0] == "evaluating: 1,000 of 5,000 cases (20%) in 10 s, 100 cases/s"
    assert lines[-1].startswith("evaluating: 5,000 of 5,000 cases (100%)")
    quiet = io.StringIO()
    with progress(5000, mode="plain", file=quiet, clock=lambda: 0.0) as advance:
        advance(5000)  # finished before the first interval: nothing to say
    assert quiet.getvalue() == ""
    with progress(10, mode="plain", file=quiet, interval=0, clock=lambda: 1.0) as advance:
        advance(10)  # below the threshold
    assert quiet.getvalue() == ""


def test_progress_auto_is_plain_on_a_pipe_and_none_means_none() -> None:
    from eligibility.render.progress import resolve_mode

    assert resolve_mode("auto", io.StringIO()) == "plain"
    assert resolve_mode("none", io.StringIO()) == "none"
    p = run_cli(
        "compare", "--rules", "us-law", "--rules", "rights-based-2007", "--generate", "2000",
        "--progress", "none", "--format", "json",
    )  # fmt: skip
    assert p.returncode == 0 and p.stderr == ""


def test_vector_batches_give_the_results_of_the_reference_evaluator() -> None:
    """`Evaluator.evaluate_many` with the vector engine (columns, then each result
    assembled as for one case) against the reference evaluator, case by case: training
    scenarios at their dates and generated cases at every amendment date, both rule
    sets."""
    from eligibility.population.columns import ColumnGenerator
    from eligibility.population.distributions import load_distribution

    registry = Registry()
    vocabulary = registry.vocabulary
    scenarios = [load_scenario(p, vocabulary) for p in scenario_paths([SCENARIOS])]
    generator = ColumnGenerator(load_distribution("default", vocabulary), vocabulary)
    for rules in ("us-law", "rights-based-2007"):
        book = registry.load(rules)
        dates = [book.change_dates[0], *book.change_dates[1:]]
        items = [(s.facts, s.as_of or dates[-1], s.id) for s in scenarios]
        items += [
            (facts, dates[i % len(dates)], sid)
            for i, (sid, facts) in enumerate(generator.generate(300, 5))
        ]
        vector = Evaluator(book, "vector").evaluate_many(items)
        reference = Evaluator(book, "python")
        assert len(vector) == len(items)
        for result, (facts, date, sid) in zip(vector, items, strict=True):
            expected = reference.evaluate(facts, date, sid).to_dict()
            expected["engine"] = "vector"
            assert result.to_dict() == expected, sid


@pytest.mark.slow
def test_evaluate_engine_auto_takes_columns_for_many_files_only() -> None:
    p = run_cli("evaluate", SCENARIOS, "--format", "jsonl", "--engine", "auto")
    assert {json.loads(line)["engine"] for line in p.stdout.splitlines()} == {"durable"}
    vector = run_cli("evaluate", SCENARIOS, "--format", "jsonl", "--engine", "vector")
    durable = run_cli("evaluate", SCENARIOS, "--format", "jsonl")
    assert vector.stdout.replace('"engine":"vector"', '"engine":"durable"') == durable.stdout


def test_the_walk_lists_files_in_the_order_of_scenario_paths(tmp_path) -> None:
    for name in ("b.yaml", "a.json", "a/z.yaml", "a/b/c.yml", "a-b/x.yaml", "ab.yaml", "n.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("id: x\n")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "linked.yaml").symlink_to(tmp_path / "b.yaml")
    for arguments in ([str(tmp_path)], [str(ROOT / "tests" / "data")], [SCENARIOS, str(tmp_path)]):
        walked = list(common.walk_scenario_paths(arguments))
        assert all(isinstance(path, str) for path in walked)  # pathlib would intern them all
        assert [Path(path) for path in walked] == scenario_paths(arguments)


def test_duplicate_ids_are_found_without_holding_the_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(common, "KEEP_LOADED", 2)
    source = (ROOT / "scenarios" / "ana-2002-minor.yaml").read_text()
    for name in ("a.yaml", "b.yaml", "c.yaml", "d.yaml"):
        other = (
            source if name in ("b.yaml", "d.yaml") else source.replace("ana-2002-minor", name[0])
        )
        (tmp_path / name).write_text(other)
    registry = Registry()
    with pytest.raises(
        common.UsageError, match="d.yaml: scenario id ana-2002-minor is also used by .*b.yaml"
    ):
        common.scenario_files([str(tmp_path)], registry.vocabulary, keep_going=False)
    files, bad = common.scenario_files([str(tmp_path)], registry.vocabulary, keep_going=True)
    assert len(files) == 4 and bad == 0
