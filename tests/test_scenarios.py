"""The training scenarios: their expectations, and what they cover of the law."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.law.scenarios import load_scenario

from conftest import ROOT, run_cli

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def scenarios(vocabulary):
    return [load_scenario(path, vocabulary) for path in SCENARIOS]


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_every_expectation_holds(engine) -> None:
    p = run_cli("test", "scenarios", "--engine", engine)
    assert p.returncode == 0, p.stdout[-3000:]
    assert re.search(r"^\d+ passed \(\d+ scenarios", p.stdout, re.M)
    assert "failed" not in p.stdout


def test_a_changed_expectation_fails(tmp_path) -> None:
    source = ROOT / "scenarios" / "ana-2002-minor.yaml"
    text = source.read_text()
    assert "    t_visa: met\n  us-law@2003-12-19" not in text
    changed = text.replace(
        "    t_visa: {status: not_met, law_enforcement_gated: true}",
        "    t_visa: {status: met, law_enforcement_gated: true}",
        1,
    )
    assert changed != text
    (tmp_path / "ana.yaml").write_text(changed)
    shutil.copy(ROOT / "scenarios" / "child-farmworker-2010.yaml", tmp_path)
    p = run_cli("test", str(tmp_path))
    assert p.returncode == 1
    assert (
        "FAILED" in p.stdout
        and "ana.yaml::us-law::t_visa - status not_met, expected met" in p.stdout
    )
    assert re.search(r"1 failed, \d+ passed", p.stdout)


def test_there_are_at_least_30_varied_scenarios(scenarios) -> None:
    assert len(scenarios) >= 30
    for scenario in scenarios:
        assert scenario.title and scenario.description, scenario.id
        assert "us-law" in scenario.expect and "rights-based-2007" in scenario.expect, scenario.id
        assert Path(scenario.path).stem == scenario.id
    tags = {tag for s in scenarios for tag in s.tags}
    for needed in (
        "sex trafficking",
        "labor",
        "child",
        "adult",
        "US citizen",
        "noncitizen",
        "no cooperation",
        "trauma",
        "certifier refuses",
        "partially known",
    ):
        assert needed in tags, needed


def test_every_worked_case_of_the_brief_is_covered(scenarios) -> None:
    covered = {int(n) for s in scenarios for n in re.findall(r"case (\d+)", s.source)}
    # Case 18 is about derivative family members, which are not encoded as provisions
    # (rules/us-law/ruleset.yaml, `recorded`).
    assert covered >= set(range(1, 33)) - {18}


def test_every_dated_change_has_a_scenario_whose_outcome_differs(us_law, scenarios) -> None:
    """Each amendment (and each dated note) of us-law changes the result of at least one
    training scenario between the day before it takes effect and the day it does."""
    evaluator = Evaluator(us_law, "python")
    unchanged = []
    for date in us_law.change_dates:
        before = date - dt.timedelta(days=1)

        def outcome(scenario, day):
            document = evaluator.evaluate(scenario.facts, day, scenario.id).to_dict()
            document.pop("as_of")
            return document

        if not any(outcome(s, before) != outcome(s, date) for s in scenarios):
            unchanged.append(date)
    assert not unchanged


def test_every_eligibility_amendment_changes_a_status(us_law, scenarios) -> None:
    """Amendments that add, replace or remove conditions change some scenario's status
    (not only its text) across their effective date."""
    evaluator = Evaluator(us_law, "python")
    for amendment in us_law.timeline():
        if not any(op.op in ("replace", "add", "remove") for op in amendment.operations):
            continue
        date = amendment.effective
        before = date - dt.timedelta(days=1)
        changed = [  # evaluate_scenario: family members and findings count (issue 17)
            s.id
            for s in scenarios
            if evaluator.evaluate_scenario(s, before).status(amendment.provision)
            != evaluator.evaluate_scenario(s, date).status(amendment.provision)
        ]
        assert changed, f"{amendment.id} ({date}) changes no scenario's {amendment.provision}"


@pytest.mark.parametrize(
    "scenario_id, date, provision, gated",
    [
        ("ana-2002-minor", "2002-06-01", "t_visa", True),  # brief case 1
        ("state-prosecution-no-federal", "2025-06-01", "continued_presence", True),  # 13
        ("refuses-all-contact-2025", "2025-06-01", "t_visa", True),  # case 14
        ("dv-police-refuse-i918b", "2015-06-01", "u_visa", True),  # case 9
        ("child-farmworker-2010", "2010-06-01", "minor_eligibility_letter", False),  # 16
    ],
)
def test_the_brief_gating_flags(us_law, vocabulary, scenario_id, date, provision, gated) -> None:
    # LEGAL-BRIEF section 8, "Two checks for rule authors": gating flags
    scenario = load_scenario(ROOT / "scenarios" / f"{scenario_id}.yaml", vocabulary)
    for engine in ("durable", "python"):
        result = Evaluator(us_law, engine).evaluate_scenario(scenario, dt.date.fromisoformat(date))
        assert result.provisions[provision].law_enforcement_gated is gated


def test_notes_say_what_is_not_a_condition(us_law, vocabulary) -> None:
    evaluator = Evaluator(us_law, "python")
    ana = load_scenario(ROOT / "scenarios" / "ana-2002-minor.yaml", vocabulary)
    early = evaluator.evaluate_scenario(ana, dt.date(2001, 6, 1))
    # before the implementing rules (T 2002-03-04, U 2007-10-17): not grantable
    assert any("Not grantable yet" in n for n in early.provisions["t_visa"].notes)
    assert any("Not grantable yet" in n for n in early.provisions["u_visa"].notes)
    # the cap limits grants, so it is noted only once grants exist
    assert not any("5,000" in n for n in early.provisions["t_visa"].notes)
    later = evaluator.evaluate_scenario(ana, dt.date(2002, 6, 1))
    assert any("5,000" in n for n in later.provisions["t_visa"].notes)
    citizen = load_scenario(ROOT / "scenarios" / "us-citizen-girl-ohio.yaml", vocabulary)
    result = evaluator.evaluate_scenario(citizen)
    for pid in (
        "t_visa",
        "u_visa",
        "continued_presence",
        "hhs_certification",
        "minor_eligibility_letter",
    ):
        provision = result.provisions[pid]
        assert provision.status == "not_met" and provision.applicable is False, pid
        assert "citizen" in (provision.not_applicable_reason or ""), pid
        assert provision.law_enforcement == "independent", pid
    assert any(
        n.startswith("Services available without certification")
        for n in result.provisions["victim_services"].notes
    )


def test_open_questions_explain_undetermined_results(us_law, vocabulary) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "ana-2004-turned-18.yaml", vocabulary)
    result = Evaluator(us_law, "durable").evaluate_scenario(scenario)
    t_visa = result.provisions["t_visa"]
    assert t_visa.status == "undetermined" and t_visa.open_questions == ["E-1"]
    tree = result.explanation("t_visa")
    texts = []

    def walk(node):
        texts.append((node["id"], node["status"], node.get("reading")))
        for child in node["children"]:
            walk(child)

    walk(tree)
    assert ("t3-cc-18-age-rule", "undetermined", "E-1") in texts
