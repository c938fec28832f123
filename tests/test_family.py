"""Family members (issue 17): a scenario lists them; t_derivatives and u_derivatives are
evaluated once per member with the principal's facts, and combine like `any`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jsonschema
import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.analysis.report import build_report
from eligibility.errors import ScenarioError
from eligibility.law import yamlfile
from eligibility.law.registry import Registry
from eligibility.law.scenario_schema import json_schema
from eligibility.law.scenarios import load_scenario, parse_scenario

from conftest import run_cli

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CASE_18 = SCENARIOS / "t-family-parents-and-brother.yaml"
REGISTRY = Registry()


def members(result, pid: str) -> dict[str, str]:
    return {m["id"]: m["status"] for m in result.to_dict()["provisions"][pid]["members"]}


@pytest.mark.parametrize("engine", ["durable", "python", "vector"])
def test_case_18_per_member_at_two_dates(engine) -> None:
    scenario = load_scenario(CASE_18, REGISTRY.vocabulary)
    evaluator = Evaluator(REGISTRY.load("us-law"), engine)
    now = evaluator.evaluate_scenario(scenario)
    assert members(now, "t_derivatives") == {"mother": "met", "father": "met", "brother": "met"}
    assert now.status("t_derivatives") == "met"
    then = evaluator.evaluate_scenario(scenario, dt.date(2002, 6, 1))
    # siblings came with TVPRA 2003; the parents need the hardship finding of 2000 [U]
    assert members(then, "t_derivatives") == {
        "mother": "undetermined",
        "father": "undetermined",
        "brother": "not_met",
    }
    assert then.status("t_derivatives") == "undetermined"
    assert then.provisions["t_derivatives"].missing_facts == ["member_hardship_finding"]


def test_the_summary_and_the_report_name_each_member() -> None:
    book = REGISTRY.load("us-law")
    scenario = load_scenario(CASE_18, REGISTRY.vocabulary)
    result = Evaluator(book, "python").evaluate_scenario(scenario)
    summary = result.summary_dict()["provisions"]["t_derivatives"]
    assert summary["members"] == [
        {"id": "mother", "status": "met"},
        {"id": "father", "status": "met"},
        {"id": "brother", "status": "met"},
    ]
    report = build_report(result, scenario, book=book, what_if=False)
    assert report["provisions"]["t_derivatives"]["later_step"] is False
    explanation = result.explanation("t_derivatives")
    assert explanation["status"] == "met"  # the deciding member's tree, not the principal's


def test_without_members_the_derivatives_are_a_later_step() -> None:
    book = REGISTRY.load("us-law")
    scenario = load_scenario(SCENARIOS / "ana-2002-minor.yaml", REGISTRY.vocabulary)
    result = Evaluator(book, "python").evaluate_scenario(scenario)
    assert "members" not in result.to_dict()["provisions"]["t_derivatives"]
    report = build_report(result, scenario, book=book, what_if=False)
    assert report["provisions"]["t_derivatives"]["later_step"] is True


def scenario_text(members: str) -> str:
    return "id: x\nfacts: {citizenship: noncitizen}\nfamily_members:\n" + members


@pytest.mark.parametrize(
    "members, message",
    [
        ("  - {id: a, relationship: cousin}\n", "cousin"),
        ("  - {id: a, relationship: spouse, age: 3}\n", "age"),
        ("  - {id: a}\n", "relationship"),
        ("  - {id: a, relationship: spouse}\n  - {id: a, relationship: child}\n", "new id"),
        ("  - {id: a, relationship: child, age_now: 200}\n", "age_now"),
    ],
)
def test_bad_family_members_are_refused(members, message, tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(scenario_text(members))
    with pytest.raises(ScenarioError) as err:
        parse_scenario(yamlfile.load(path), REGISTRY.vocabulary)
    assert message in str(err.value) and "s.yaml" in str(err.value)


def test_the_schema_describes_family_members() -> None:
    schema = json_schema(REGISTRY.vocabulary, REGISTRY.load("us-law").sources)
    document = yamlfile.load(CASE_18).data
    jsonschema.validate(document, schema)
    document["family_members"][0]["relationship"] = "cousin"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_the_summary_keeps_a_later_steps_questions_until_they_matter() -> None:
    """A later step not reached after a status not met says `reached: false` and leaves
    its own questions to --detail full; once the status it follows is met, or the step
    is reached, the summary lists them."""
    evaluator = Evaluator(REGISTRY.load("us-law"), "python")

    def evaluate(name: str):
        return evaluator.evaluate_scenario(load_scenario(SCENARIOS / name, REGISTRY.vocabulary))

    refused = evaluate("dv-police-refuse-i918b.yaml")  # no T, U not met: nothing reached
    summary, full = refused.summary_dict()["provisions"], refused.to_dict()["provisions"]
    assert summary["t_visa"]["status"] == "not_met"
    for pid in ("t_adjustment", "t_derivatives", "u_adjustment", "u_derivatives"):
        assert summary[pid]["reached"] is False and full[pid]["reached"] is False
        assert summary[pid]["status"] == full[pid]["status"] == "undetermined"
        assert "missing_facts" not in summary[pid] and full[pid]["missing_facts"]
        assert summary[pid]["law_enforcement"] == full[pid]["law_enforcement"]
    eligible = evaluate("farmworkers-cooperated.yaml")  # T met, not yet admitted
    summary = eligible.summary_dict()["provisions"]
    assert summary["t_visa"]["status"] == "met" and summary["t_derivatives"]["reached"] is False
    assert "member_relationship" in summary["t_derivatives"]["missing_facts"]
    holder = evaluate("t-adjustment-three-years.yaml")  # admitted in T status: reached
    summary, full = holder.summary_dict()["provisions"], holder.to_dict()["provisions"]
    assert "reached" not in summary["t_derivatives"] and "reached" not in full["t_derivatives"]
    assert summary["t_derivatives"]["missing_facts"] == full["t_derivatives"]["missing_facts"]
    assert summary["u_derivatives"]["reached"] is False  # U undetermined: questions wait
    assert "missing_facts" not in summary["u_derivatives"]


def test_the_footer_names_a_later_step_apart_from_the_one_shown() -> None:
    """A T holder's screen shows the T green card; the U one, not reached, is named in
    the footer as in the table, never as a bare "green card" that reads like the first."""
    holder = run_cli(
        "explain", str(SCENARIOS / "t-adjustment-long-absence.yaml"), "--no-color", "--width", "80"
    )
    assert holder.returncode == 0, holder.stderr
    footer = " ".join(holder.stdout.split()[-30:])
    assert "later steps: green card (U holder), family members (U))" in footer
    nobody = run_cli(
        "explain", str(SCENARIOS / "ana-2002-minor.yaml"), "--no-color", "--width", "80"
    )
    assert "later steps: green card, family members)" in " ".join(nobody.stdout.split())


def test_members_reach_a_family_step_only_under_a_status_not_ruled_out() -> None:
    """A U holder's son is evaluated under both family provisions; under the T one he is
    undetermined only because nothing says the person holds T status, while the T visa
    itself is not met: that step is not reached (footer, no detail in the summary)."""
    book = REGISTRY.load("us-law")
    scenario = load_scenario(SCENARIOS / "u-family-son-aged-out.yaml", REGISTRY.vocabulary)
    result = Evaluator(book, "python").evaluate_scenario(scenario)
    assert result.status("t_visa") == "not_met"
    assert result.status("t_derivatives") == "undetermined"
    assert result.status("u_derivatives") == "met"
    assert not result.reached("t_derivatives") and result.reached("u_derivatives")
    summary = result.summary_dict()["provisions"]
    assert summary["t_derivatives"]["reached"] is False
    assert "law_enforcement_blockers" not in summary["t_derivatives"]
    assert summary["t_derivatives"]["members"] == [{"id": "son", "status": "undetermined"}]
    report = build_report(result, scenario, book=book, what_if=False)
    assert report["provisions"]["t_derivatives"]["later_step"] is True
    assert report["provisions"]["u_derivatives"]["later_step"] is False
