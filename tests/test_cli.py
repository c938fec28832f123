"""The command line, run through the installed console script as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest

from conftest import DATA, run_cli

CONTRACT = DATA / "contract"
PROVISIONS = {
    "severe_trafficking",
    "t_visa",
    "u_visa",
    "continued_presence",
    "hhs_certification",
    "minor_eligibility_letter",
    "victim_services",
    "t_adjustment",  # issue 17 (DESIGN.md, second round)
    "u_adjustment",
    "t_derivatives",
    "u_derivatives",
}


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_contract_minor_2002(engine) -> None:
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        "--format",
        "json",
        "--engine",
        engine,
    )
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert {"scenario", "rule_set", "as_of", "engine", "provisions"} <= set(doc)
    assert doc["engine"] == engine and doc["as_of"] == "2002-06-01"
    assert set(doc["provisions"]) == PROVISIONS
    for provision in doc["provisions"].values():
        assert provision["status"] in {"met", "not_met", "undetermined"}
        assert isinstance(provision["missing_facts"], list)
        assert isinstance(provision["law_enforcement_gated"], bool)
        assert provision["citation"]
        assert {"id", "text", "status", "children"} <= set(provision["explanation"])
    t_visa = doc["provisions"]["t_visa"]
    assert t_visa["status"] == "not_met" and t_visa["law_enforcement_gated"] is True
    assert doc["provisions"]["severe_trafficking"]["status"] == "met"
    assert any(c["id"] == "wc2007-rec6" for c in t_visa["critiques"])


def test_rights_based_gives_the_same_minor_a_t_visa() -> None:
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        "--format",
        "json",
        "--rules",
        "rights-based-2007",
    )
    assert json.loads(p.stdout)["provisions"]["t_visa"]["status"] == "met"


def test_nothing_known_means_everything_undetermined_with_missing_facts() -> None:
    p = run_cli("evaluate", str(CONTRACT / "contract-unknown.yaml"), "--format", "json")
    provisions = json.loads(p.stdout)["provisions"]
    assert all(r["status"] == "undetermined" and r["missing_facts"] for r in provisions.values())


def test_bad_fact_name_is_a_clear_error() -> None:
    p = run_cli("evaluate", str(CONTRACT / "contract-bad-fact.yaml"), "--format", "json")
    assert p.returncode == 2
    assert "Traceback" not in p.stderr + p.stdout
    assert p.stdout == ""
    assert (
        "contract-bad-fact.yaml:4: facts.age_at_victimisation: unknown fact (did you "
        "mean age_at_victimization?)" in p.stderr
    )


def test_schema_prints_json() -> None:
    p = run_cli("schema")
    assert p.returncode == 0
    assert json.loads(p.stdout)["properties"]["facts"]["properties"]["age_now"]


def test_as_of_overrides_the_scenario_date() -> None:
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        "--format",
        "json",
        "--as-of",
        "2025-06-01",
    )
    doc = json.loads(p.stdout)
    assert doc["as_of"] == "2025-06-01"
    assert doc["provisions"]["t_visa"]["status"] == "met"  # under 18 since TVPRA 2003


def test_jsonl_and_csv_and_table(tmp_path) -> None:
    files = [str(CONTRACT / "contract-minor-2002.yaml"), str(CONTRACT / "contract-unknown.yaml")]
    p = run_cli("evaluate", *files, "--format", "jsonl")
    lines = p.stdout.splitlines()
    assert [json.loads(line)["scenario"] for line in lines] == [
        "contract-minor-2002",
        "contract-unknown",
    ]
    p = run_cli("evaluate", *files, "--format", "csv")
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0][:6] == ["scenario", "rule_set", "as_of", "engine", "provision", "status"]
    assert len(rows) == 1 + 2 * len(PROVISIONS)
    p = run_cli("evaluate", *files, "--format", "table", "--no-color")
    assert p.returncode == 0 and "contract-minor" in p.stdout and "\x1b[" not in p.stdout
    p = run_cli("evaluate", *files, "--format", "json")
    assert isinstance(json.loads(p.stdout), list)


def test_out_file_is_private_and_never_half_written(tmp_path) -> None:
    target = tmp_path / "results.json"
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        "--format",
        "json",
        "--out",
        str(target),
    )
    assert p.returncode == 0 and p.stdout == ""
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert json.loads(target.read_text())["scenario"] == "contract-minor-2002"
    failed = tmp_path / "failed.json"
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        str(CONTRACT / "contract-bad-fact.yaml"),
        "--format",
        "json",
        "--out",
        str(failed),
    )
    assert p.returncode == 2
    assert not failed.exists()
    assert [f.name for f in tmp_path.iterdir()] == ["results.json"]  # no temp file left


def test_keep_going_reports_the_bad_file_and_evaluates_the_others(tmp_path) -> None:
    p = run_cli(
        "evaluate",
        str(CONTRACT / "contract-minor-2002.yaml"),
        str(CONTRACT / "contract-bad-fact.yaml"),
        str(CONTRACT / "contract-unknown.yaml"),
        "--format",
        "jsonl",
        "--keep-going",
    )
    assert p.returncode == 2
    assert len(p.stdout.splitlines()) == 2
    assert "contract-bad-fact.yaml:4" in p.stderr and "1 of 3" in p.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["evaluate", "x.yaml", "--rules", "us-lw"], "did you mean us-law"),
        (
            ["evaluate", str(CONTRACT / "contract-unknown.yaml"), "--as-of", "2002-02-30"],
            "not a calendar date",
        ),
        (["evaluate", "no/such/file.yaml"], "no such file"),
        (
            ["evaluate", str(CONTRACT / "contract-unknown.yaml"), "--engine", "drools"],
            "invalid choice",
        ),
        (["evalute"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args, message) -> None:
    p = run_cli(*args)
    assert p.returncode == 2
    assert message in p.stderr
    assert "Traceback" not in p.stderr


def test_rules_lists_rule_sets_and_the_timeline() -> None:
    p = run_cli("rules", "--no-color")
    assert "us-law" in p.stdout and "rights-based-2007" in p.stdout
    p = run_cli("rules", "us-law", "--no-color")
    assert p.returncode == 0
    for text in ("2003-12-19", "TVPRA 2003", "2024-08-28", "severe_trafficking"):
        assert text in p.stdout


def test_every_subpackage_is_packaged() -> None:
    # a wheel (non-editable install) carries only the packages pyproject.toml lists
    import tomllib

    from conftest import ROOT

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "eligibility").rglob("__init__.py")
    }
    assert found <= listed, found - listed
