"""Findings are not facts (issue 17): a fact found "not established" by a decision-maker
is evaluated as false for that decision, and results say the outcome rests on a finding."""

from __future__ import annotations

import json
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

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DENIED = SCENARIOS / "u-denied-abuse-not-established.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


def scenario_text(extra: str) -> str:
    return (
        "id: x\nas_of: 2025-06-01\nfacts:\n  citizenship: noncitizen\n"
        "  qualifying_crimes: [felonious_assault]\n  has_information: true\n"
        "  helpful_to_law_enforcement: true\n  crime_in_us: true\n"
        "  u_certification_signed: true\n  admissible_or_waiver: true\n" + extra
    )


def parse(text: str, registry: Registry, tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return parse_scenario(yamlfile.load(path), registry.vocabulary)


def test_a_finding_is_not_met_for_that_decision_and_says_so(registry, tmp_path) -> None:
    denied = load_scenario(DENIED, registry.vocabulary)
    assert "substantial_abuse" not in denied.facts
    assert denied.evaluated_facts()["substantial_abuse"] is False
    evaluator = Evaluator(registry.load("us-law"), "python")
    result = evaluator.evaluate_scenario(denied)
    data = result.to_dict()
    assert data["provisions"]["u_visa"]["status"] == "not_met"
    assert data["findings"][0] == {
        "fact": "substantial_abuse",
        "found": "not_established",
        "by": "USCIS",
        "date": "2025-02-10",
        "note": "Denied for lack of medical or counselling records.",
    }
    assert data["provisions"]["u_visa"]["findings"] == ["substantial_abuse"]
    assert any("not established" in n for n in data["provisions"]["u_visa"]["notes"])
    # provisions that do not rest on it carry no finding
    assert "findings" not in data["provisions"]["t_visa"]


def test_a_denied_case_reads_differently_from_one_where_it_did_not_happen(
    registry, tmp_path
) -> None:
    book = registry.load("us-law")
    evaluator = Evaluator(book, "python")
    found = parse(
        scenario_text("findings:\n  substantial_abuse: {found: not_established, by: USCIS}\n"),
        registry,
        tmp_path,
    )
    false = parse(scenario_text("  substantial_abuse: false\n"), registry, tmp_path)
    a, b = evaluator.evaluate_scenario(found), evaluator.evaluate_scenario(false)
    assert a.status("u_visa") == b.status("u_visa") == "not_met"  # the same decision
    words_a = json.dumps(build_report(a, found, book=book, what_if=False))
    words_b = json.dumps(build_report(b, false, book=book, what_if=False))
    assert "found not established by USCIS" in words_a
    assert "found not established" not in words_b
    assert "did not suffer substantial" in words_b and "did not suffer substantial" not in words_a
    assert "findings" not in b.to_dict()


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            "findings:\n  substantial_abuse: {found: not_established, by: USCIS}\n"
            "  age_now: {found: not_established, by: USCIS}\n",
            "yes/no fact",
        ),
        (
            "findings:\n  substantial_abus: {found: not_established, by: USCIS}\n",
            "substantial_abuse",
        ),
        ("findings:\n  substantial_abuse: {found: false, by: USCIS}\n", "not_established"),
        ("findings:\n  substantial_abuse: {found: not_established}\n", "by"),
        ("findings:\n  crime_in_us: {found: not_established, by: USCIS}\n", "both a fact and"),
    ],
)
def test_bad_findings_are_refused_with_file_and_key(extra, message, registry, tmp_path) -> None:
    with pytest.raises(ScenarioError) as err:
        parse(scenario_text(extra), registry, tmp_path)
    assert message in str(err.value) and "s.yaml" in str(err.value)


def test_the_schema_describes_findings(registry) -> None:
    schema = json_schema(registry.vocabulary, registry.load("us-law").sources)
    assert "not established" in schema["properties"]["findings"]["description"]
    document = yamlfile.load(DENIED).data
    jsonschema.validate(document, schema)
    document["findings"]["substantial_abuse"]["found"] = "false"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)
