"""Tables of cases (`--cases FILE`, law/cases.py) and the Python API's input: one
validation, so every kind of bad input gives the same message through both."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import eligibility
from eligibility.errors import InputError, ScenarioError, UsageError
from eligibility.law.case_tables import read_cases
from eligibility.law.cases import cells, header

from conftest import run_main

GOOD = {
    "id": "case-1",
    "as_of": "2002-06-01",
    "citizenship": "noncitizen",
    "age_now": "30",
    "means": "force;fraud",
    "potential_witness": "true",
    "w": "2.5",
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_row_becomes_the_facts_a_scenario_file_would_hold(tmp_path, vocabulary) -> None:
    rows = [
        GOOD,
        {"id": "case-2", "means": "none", "potential_witness": "FALSE", "w": "0"},
        {"id": "case-3", "age_now": "", "citizenship": "", "w": "1e3"},
    ]
    cases = read_cases(write_csv(tmp_path / "c.csv", rows), vocabulary, weight="w")
    assert [c.id for c in cases.cases] == ["case-1", "case-2", "case-3"]
    first, second, third = (c.facts for c in cases.cases)
    assert first == {
        "citizenship": "noncitizen",
        "age_now": 30,
        "means": frozenset({"force", "fraud"}),
        "potential_witness": True,
    }
    assert cases.cases[0].as_of == dt.date(2002, 6, 1) and cases.cases[1].as_of is None
    assert second == {"means": frozenset(), "potential_witness": False}  # none: the empty set
    assert third == {}  # empty cells are unknown, never false
    assert cases.weights == [2.5, 0.0, 1000.0] and cases.weight_column == "w"


def test_a_written_case_reads_back_as_it_was(tmp_path, vocabulary) -> None:
    facts = {
        "age_now": 17,
        "means": frozenset(),
        "actions": frozenset({"recruit", "harbor"}),
        "potential_witness": False,
        "citizenship": "us_citizen",
    }
    path = tmp_path / "c.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(vocabulary))
        writer.writerow(cells("x-1", facts, vocabulary, dt.date(2010, 1, 2)))
    (case,) = read_cases(path, vocabulary).cases
    assert (case.id, case.facts, case.as_of) == ("x-1", facts, dt.date(2010, 1, 2))


# Every kind of bad input: (column, CSV cell, Python value, what the message says after
# "<where>: "). The API and --cases must say the same.
BAD = [
    ("citizenship", "Noncitizen", "Noncitizen", "citizenship: unknown citizenship value "
     "'Noncitizen' (did you mean noncitizen?); expected one of: us_citizen, "
     "lawful_permanent_resident, noncitizen"),
    ("potential_witness", "no", "no", "potential_witness: expected true or false, got 'no'"),
    ("age_now", "17.5", 17.5, "age_now: expected a whole number from 0 to 120, got 17.5"),
    ("age_now", "130", 130, "age_now: expected a whole number from 0 to 120, got 130"),
    ("means", "force;forse", ["force", "forse"], "means[1]: unknown means value 'forse' "
     "(did you mean force?); expected one of: force, fraud, coercion"),
    ("means", "force;force", ["force", "force"], "means[1]: force is listed twice"),
    ("as_of", "2002/06/01", "2002/06/01", "as_of: expected a date YYYY-MM-DD, got '2002/06/01'"),
    ("as_of", "2002-02-30", "2002-02-30", "as_of: 2002-02-30 is not a calendar date"),
    ("id", "Case 1", "Case 1", "id: expected an id of lower-case letters, digits and '-', "
     "got 'Case 1'"),
    ("w", "-1", -1, "w: expected a weight: a number of 0 or more, got -1"),
    ("w", "heavy", "heavy", "w: expected a weight: a number of 0 or more, got 'heavy'"),
]  # fmt: skip


@pytest.mark.parametrize(("column", "cell", "value", "message"), BAD)
def test_bad_input_reads_the_same_through_the_api_and_cases(
    tmp_path, vocabulary, column, cell, value, message
) -> None:
    path = write_csv(tmp_path / "c.csv", [GOOD, {**GOOD, "id": "case-2", column: cell}])
    with pytest.raises(ScenarioError) as from_file:
        read_cases(path, vocabulary, weight="w")
    # CSV values are text: the number -1 and the text "17.5" are shown as numbers there
    tail = message.replace("got 17.5", "got '17.5'").replace("got -1", "got '-1'")
    assert str(from_file.value) == f"{path}:3: {tail}"

    row = {k: v for k, v in GOOD.items()}
    row.update(age_now=30, potential_witness=True, means=["force", "fraud"], w=2.5, id="case-2")
    row[column] = value
    with pytest.raises(ScenarioError) as from_api:
        eligibility.evaluate_frame([row], weight="w", engine="python")
    assert str(from_api.value) == f"row 0: {message}"
    assert isinstance(from_api.value, ValueError)

    result = run_main("evaluate", "--cases", str(path), "--weight", "w", "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"error: {path}:3: {tail}\n"


def test_unknown_columns_and_facts_are_named_with_the_nearest(tmp_path, vocabulary) -> None:
    path = write_csv(tmp_path / "c.csv", [{"id": "a", "potental_witness": "true"}])
    with pytest.raises(ScenarioError, match=r"c\.csv:1: potental_witness: unknown column "
                       r"\(did you mean potential_witness\?\)"):  # fmt: skip
        read_cases(path, vocabulary)
    with pytest.raises(ScenarioError, match=r"^potental_witness: unknown fact \(did you mean "):
        eligibility.evaluate({"potental_witness": True}, engine="python")
    with pytest.raises(ScenarioError, match=r"^potental_witness: unknown column \(did you mean"):
        eligibility.evaluate_frame([{"potental_witness": True}])


def test_the_file_itself_must_be_a_table_of_cases(tmp_path, vocabulary) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text("id,age_now,age_now\na,1,2\n")
    with pytest.raises(ScenarioError, match="twice.csv:1: age_now: this column appears twice"):
        read_cases(twice, vocabulary)
    no_id = write_csv(tmp_path / "no-id.csv", [{"age_now": "3"}])
    with pytest.raises(ScenarioError, match="no `id` column"):
        read_cases(no_id, vocabulary)
    short = tmp_path / "short.csv"
    short.write_text("id,age_now\na,1\nb\n")
    with pytest.raises(ScenarioError, match=r"short.csv:3: expected 2 cells, as in the header"):
        read_cases(short, vocabulary)
    same = tmp_path / "same.csv"
    same.write_text("id,age_now\na,1\na,2\n")
    with pytest.raises(ScenarioError, match=r"same.csv:3: id: a is also the id of .*same.csv:2"):
        read_cases(same, vocabulary)
    with pytest.raises(UsageError, match=r"no column 'wt' to weigh the cases by \(did you mean "
                       r"w\?\)"):  # fmt: skip
        read_cases(write_csv(tmp_path / "w.csv", [{"id": "a", "w": "1"}]), vocabulary, weight="wt")
    with pytest.raises(InputError, match="no such file"):
        read_cases(tmp_path / "absent.csv", vocabulary)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,citizenship\nb,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_cases(latin, vocabulary)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty file"):
        read_cases(empty, vocabulary)


def test_keep_going_reports_bad_rows_and_evaluates_the_rest(tmp_path) -> None:
    rows = [GOOD, {**GOOD, "id": "case-2", "citizenship": "alien"}, {**GOOD, "id": "case-3"}]
    path = write_csv(tmp_path / "c.csv", rows)
    result = run_main(
        "evaluate", "--cases", str(path), "--weight", "w", "--format", "jsonl", "--keep-going"
    )
    assert result.returncode == 2
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["scenario"] for d in documents] == ["case-1", "case-3"]
    assert [d["weight"] for d in documents] == [2.5, 2.5]
    assert f"error: {path}:3: citizenship: unknown citizenship value 'alien'" in result.stderr
    assert "1 of 3 rows of" in result.stderr


def test_cases_and_scenario_files_are_alternatives(tmp_path) -> None:
    path = write_csv(tmp_path / "c.csv", [GOOD])
    both = run_main("evaluate", "scenarios/", "--cases", str(path))
    assert both.returncode == 2 and "not both" in both.stderr
    lone = run_main("evaluate", "scenarios/", "--weight", "w")
    assert lone.returncode == 2 and "--weight names a column of --cases" in lone.stderr
    nothing = run_main("evaluate")
    assert nothing.returncode == 2 and "--cases FILE" in nothing.stderr


def test_parquet_cases_read_as_csv_ones(tmp_path, vocabulary) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": ["a", "b"],
            "age_now": [30, None],
            "potential_witness": [True, None],
            "means": [["force"], []],
            "citizenship": ["noncitizen", "Noncitizen"],
        }
    )
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    with pytest.raises(ScenarioError, match=r"c.parquet: row 2: citizenship: unknown "):
        read_cases(path, vocabulary)
    errors: list[str] = []
    cases = read_cases(path, vocabulary, on_error=lambda exc: errors.append(str(exc)))
    assert [c.facts for c in cases.cases] == [
        {"age_now": 30, "potential_witness": True, "means": frozenset({"force"}),
         "citizenship": "noncitizen"}
    ]  # fmt: skip
    assert len(errors) == 1 and cases.bad == 1


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, vocabulary, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    path = tmp_path / "c.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(UsageError, match=r"needs pyarrow: install the `research` extra"):
        read_cases(path, vocabulary)


def test_numpy_scalars_are_their_python_values(us_law) -> None:
    numpy_facts = {
        "age_now": np.int64(30),
        "potential_witness": np.bool_(True),
        "citizenship": np.str_("noncitizen"),
        "means": np.array(["force"]),
        "age_at_victimization": np.float64(16.0),
    }
    plain_facts = {
        "age_now": 30,
        "potential_witness": True,
        "citizenship": "noncitizen",
        "means": ["force"],
        "age_at_victimization": 16,
    }
    numpy_result = eligibility.evaluate(numpy_facts, rules=us_law, as_of="2020-01-01")
    plain_result = eligibility.evaluate(plain_facts, rules=us_law, as_of=dt.date(2020, 1, 1))
    assert numpy_result.to_dict() == plain_result.to_dict()
    assert json.dumps(numpy_result.to_dict(explanations=False))  # no numpy left inside


@pytest.mark.parametrize(("engine", "jobs"), [("python", "1"), ("vector", "2")])
def test_weights_reach_every_streamed_format(tmp_path, engine, jobs) -> None:
    """The weight of each case is in the summary JSON lines and in a last `weight` column
    of the tidy CSV, in input order, whatever the engine or number of workers."""
    rows = [{**GOOD, "id": f"case-{n}", "w": str(n / 2)} for n in range(5)]
    path = write_csv(tmp_path / "c.csv", rows)
    common = ("evaluate", "--cases", str(path), "--weight", "w", "--engine", engine)
    lines = run_main(*common, "--format", "jsonl", "--jobs", jobs, "--progress", "none")
    assert lines.returncode == 0, lines.stderr
    documents = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [(d["scenario"], d["weight"]) for d in documents] == [
        (f"case-{n}", n / 2) for n in range(5)
    ]
    table = run_main(*common, "--format", "csv", "--jobs", jobs, "--progress", "none")
    assert table.returncode == 0, table.stderr
    read = list(csv.DictReader(table.stdout.splitlines()))
    assert list(read[0])[-1] == "weight"
    assert {(r["scenario"], float(r["weight"])) for r in read} == {
        (f"case-{n}", n / 2) for n in range(5)
    }


def test_weights_reach_parquet(tmp_path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = write_csv(tmp_path / "c.csv", [GOOD, {**GOOD, "id": "case-2", "w": "4"}])
    out = tmp_path / "r.parquet"
    result = run_main(
        "evaluate", "--cases", str(path), "--weight", "w", "--format", "parquet", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out).to_pydict()
    assert table["weight"][0] == 2.5 and set(table["weight"]) == {2.5, 4.0}
    assert len(table["weight"]) == len(table["provision"])
