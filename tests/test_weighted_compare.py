"""`compare --cases FILE --weight COLUMN` and `eligibility generate`: weighted shares
that do not depend on --jobs or on the comparison path, and generated populations
written out and read back as the same cases."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import pytest

from eligibility.law.scenarios import Scenario
from eligibility.population.compare import Weights, compare
from eligibility.population.distributions import load_distribution
from eligibility.population.vector_compare import compare_columns
from eligibility.population.weights import weight_units

from conftest import run_main

TODAY = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def population() -> list[Scenario]:
    distribution = load_distribution("default")
    return [Scenario(id=sid, facts=facts) for sid, facts in distribution.generate(300, 3)]


def weights_for(cases: list[Scenario], seed: int = 1) -> Weights:
    rng = random.Random(seed)
    return Weights("w", tuple(rng.choice([0.0, 0.5, 1.0, 2.0, 7.25]) for _ in cases))


def test_weighted_shares_are_weighted_sums(population) -> None:
    weights = weights_for(population)
    doc = compare(
        "us-law", "rights-based-2007", scenarios=population, weights=weights,
        engine="python", today=TODAY,
    ).to_dict()  # fmt: skip
    assert doc["population"]["weights"] == {"column": "w", "total": sum(weights.values)}
    unweighted = compare(
        "us-law", "rights-based-2007", scenarios=population, engine="python", today=TODAY
    ).to_dict()
    assert "weights" not in unweighted["population"]
    # the weighted share of met, by hand from the per-case statuses
    from eligibility.api import evaluate_frame

    rows = evaluate_frame(
        [{"id": c.id, **{k: sorted(v) if isinstance(v, frozenset) else v
                         for k, v in c.facts.items()}} for c in population],
        rules="us-law", as_of=TODAY, engine="python",
    )  # fmt: skip
    met = sum(w for w, row in zip(weights.values, rows, strict=True)
              if row["t_visa.status"] == "met")  # fmt: skip
    share = doc["provisions"]["t_visa"]["status"]["a"]["met"]
    assert share["weighted_percent"] == pytest.approx(100 * met / weights.total, abs=1e-3)
    assert share["count"] == unweighted["provisions"]["t_visa"]["status"]["a"]["met"]["count"]
    for entry in doc["provisions"].values():
        statuses = entry["status"]["a"].values()
        assert sum(s["weighted_percent"] for s in statuses) == pytest.approx(100, abs=0.01)
        levels = entry["law_enforcement"]["b"].values()
        assert sum(s["weighted_percent"] for s in levels) == pytest.approx(100, abs=0.01)


@pytest.mark.slow
def test_weighted_summaries_do_not_depend_on_jobs_or_the_engine(population) -> None:
    weights = weights_for(population, 2)
    per_case = [
        compare(
            "us-law@2010-01-01", "rights-based-2007", scenarios=population, weights=weights,
            engine="python", today=TODAY, jobs=jobs,
        ).to_dict()
        for jobs in (1, 3)
    ]  # fmt: skip
    assert per_case[0] == per_case[1]
    columns = compare_columns(
        "us-law@2010-01-01", "rights-based-2007", scenarios=population, weights=weights,
        today=TODAY, chunk=37,
    ).to_dict()  # fmt: skip
    for doc in (per_case[0], columns):
        doc.pop("engine")
    assert columns == per_case[0]


def test_weight_units_are_exact_ratios() -> None:
    assert weight_units([2.0, 1.0, 0.0]) == [1 << 32, 1 << 31, 0]
    assert weight_units([0.0, 0.0]) == [0, 0]
    with pytest.raises(ValueError, match="one per scenario"):
        compare("us-law", "us-law", scenarios=[], weights=Weights("w", (1.0,)))


def write_weighted(source: Path, target: Path, weights: list[str]) -> None:
    rows = list(csv.reader(source.open(newline="")))
    rows[0].append("w")
    for row, weight in zip(rows[1:], weights, strict=True):
        row.append(weight)
    with target.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_generated_cases_round_trip_through_cases(tmp_path) -> None:
    """generate --out FILE.csv, then compare --cases FILE: the same scenarios as
    compare --generate, so the same summary."""
    table = tmp_path / "population.csv"
    made = run_main("generate", "120", "--seed", "4", "--out", str(table))
    assert made.returncode == 0, made.stderr
    rules = ["--rules", "us-law@2012-01-01", "--rules", "rights-based-2007@2012-01-01"]
    common = [*rules, "--engine", "python", "--jobs", "1", "--format", "json"]
    generated = run_main("compare", *common, "--generate", "120", "--seed", "4")
    from_table = run_main("compare", *common, "--cases", str(table))
    assert generated.returncode == from_table.returncode == 0, from_table.stderr
    a, b = json.loads(generated.stdout), json.loads(from_table.stdout)
    for entry in a["provisions"].values():  # a generated sample's intervals: not a table's
        for side in entry["headline"].values():
            assert side.pop("interval") == "wilson-95"
            for share in side.values():
                if isinstance(share, dict):
                    share.pop("ci95", None)
    assert a["provisions"] == b["provisions"]
    assert b["population"] == {"scenarios": 120, "source": "cases", "cases_file": str(table)}

    weighted = tmp_path / "weighted.csv"
    write_weighted(table, weighted, ["1"] * 60 + ["3"] * 60)
    result = run_main("compare", *rules, "--cases", str(weighted), "--weight", "w", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "weighted by the column w (total 240)" in result.stdout
    csv_summary = run_main(
        "compare", *common[:-1], "csv", "--cases", str(weighted), "--weight", "w"
    )
    header = csv_summary.stdout.splitlines()[0].split(",")
    assert header[-3:] == [
        "weighted_percent", "gated_a_weighted_percent", "gated_b_weighted_percent",
    ]  # fmt: skip


def test_compare_keeps_going_past_bad_rows(tmp_path) -> None:
    table = tmp_path / "population.csv"
    assert run_main("generate", "30", "--seed", "2", "--out", str(table)).returncode == 0
    weighted = tmp_path / "weighted.csv"
    write_weighted(table, weighted, ["1"] * 29 + ["-2"])
    args = ["compare", "--rules", "us-law", "--rules", "rights-based-2007", "--jobs", "1",
            "--cases", str(weighted), "--weight", "w", "--format", "json"]  # fmt: skip
    stopped = run_main(*args)
    assert stopped.returncode == 2 and stopped.stdout == ""
    assert f"error: {weighted}:31: w: expected a weight: a number of 0 or more" in stopped.stderr
    going = run_main(*args, "--keep-going")
    assert going.returncode == 2
    assert json.loads(going.stdout)["population"]["scenarios"] == 29
    assert "1 of 30 rows of" in going.stderr


def test_generated_scenario_files_can_be_explained(tmp_path) -> None:
    missing = run_main("explain", "gen-3-17")
    assert missing.returncode == 2
    assert "generate 1 --seed 3 --start 17 --out DIR" in missing.stderr
    columns = run_main("evaluate", "col-3-17.yaml")
    assert "--stream columns" in columns.stderr
    made = run_main("generate", "2", "--seed", "3", "--start", "16", "--out", str(tmp_path))
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen-3-16.yaml", "gen-3-17.yaml"]
    assert (tmp_path / "gen-3-17.yaml").stat().st_mode & 0o777 == 0o600
    distribution = load_distribution("default")
    evaluated = run_main("evaluate", str(tmp_path / "gen-3-17.yaml"), "--format", "json")
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout)["scenario"] == "gen-3-17"
    from eligibility.law.registry import load_scenario

    assert load_scenario(tmp_path / "gen-3-17.yaml").facts == distribution.facts(3, 17)


def test_generate_writes_the_column_stream_too(tmp_path) -> None:
    from eligibility.law.case_tables import read_cases
    from eligibility.law.registry import Registry
    from eligibility.population.columns import ColumnGenerator

    table = tmp_path / "columns.csv"
    made = run_main("generate", "50", "--seed", "9", "--stream", "columns", "--out", str(table))
    assert made.returncode == 0, made.stderr
    vocabulary = Registry().vocabulary
    cases = read_cases(table, vocabulary).cases
    generator = ColumnGenerator(load_distribution("default"), vocabulary)
    assert [(c.id, c.facts) for c in cases] == list(generator.generate(50, 9))
