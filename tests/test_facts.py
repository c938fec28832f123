"""The fact vocabulary, scenario validation and the JSON Schema of scenario files."""

from __future__ import annotations

import json

import jsonschema
import pytest

from eligibility.errors import RuleError, ScenarioError
from eligibility.law.scenario_schema import json_schema
from eligibility.law.scenarios import load_scenario, parse_scenario
from eligibility.law.vocabulary import load_vocabulary
from eligibility.law.yamlfile import parse_text

DESIGN_FACTS = {
    "age_at_victimization": "int",
    "age_now": "int",
    "citizenship": "enum",
    "actions": "set",
    "commercial_sex_act": "bool",
    "labor_or_services": "bool",
    "means": "set",
    "labor_purposes": "set",
    "physically_present": "bool",
    "present_on_account_of_trafficking": "bool",
    "contacted_law_enforcement": "bool",
    "complied_with_reasonable_requests": "bool",
    "unable_to_cooperate_due_to_trauma": "bool",
    "extreme_hardship": "bool",
    "admissible_or_waiver": "bool",
    "committed_trafficking_act": "bool",
    "t_le_declaration_signed": "bool",
    "potential_witness": "bool",
    "le_requested_continued_presence": "bool",
    "willing_to_assist": "bool",
    "bona_fide_t_application": "bool",
    "continued_presence_granted": "bool",
    "hhs_request_before_18": "bool",
    "qualifying_crimes": "set",
    "substantial_abuse": "bool",
    "has_information": "bool",
    "helpful_to_law_enforcement": "bool",
    "crime_in_us": "bool",
    "u_certification_signed": "bool",
    "incapacitated": "bool",
}
LAW_ENFORCEMENT_ACTION = {
    "le_requested_continued_presence",
    "continued_presence_granted",
    "u_certification_signed",
    "t_le_declaration_signed",
    "potential_witness",
}
COOPERATION = {
    "contacted_law_enforcement",
    "complied_with_reasonable_requests",
    "willing_to_assist",
    "helpful_to_law_enforcement",
}


def scenario(text: str, vocabulary):
    return parse_scenario(parse_text(text, "s.yaml"), vocabulary)


def test_every_design_fact_is_declared_with_its_type(vocabulary) -> None:
    for name, kind in DESIGN_FACTS.items():
        assert vocabulary[name].type == kind, name
        assert vocabulary[name].question.strip()


def test_dependency_tags_match_the_design(vocabulary) -> None:
    tagged = {n: vocabulary[n].dependency for n in vocabulary if vocabulary[n].dependency}
    # additions: deferred action or parole for an investigation, an absence excused by an
    # official and the Attorney General's finding that an investigation is complete (issue
    # 17) are acts of law enforcement; contacted_federal_law_enforcement (LEGAL-BRIEF 0.1
    # item 5), the U representative's help and no unreasonable refusal to assist (issue
    # 17) are cooperation
    issue_17_acts = {
        "deferred_action_or_parole_for_investigation",
        "absence_excused",
        "investigation_complete",
        "member_present_danger",
    }
    assert LAW_ENFORCEMENT_ACTION | issue_17_acts == {
        n for n, d in tagged.items() if d == "law_enforcement_action"
    }
    cooperation = {
        "contacted_federal_law_enforcement",
        "representative_helpful",
        "no_unreasonable_refusal",
    }
    assert COOPERATION | cooperation == {n for n, d in tagged.items() if d == "cooperation"}
    assert all(vocabulary[n].favourable is True for n in tagged)


def test_qualifying_crimes_values(vocabulary) -> None:
    values = set(vocabulary["qualifying_crimes"].values)
    assert {
        "trafficking",
        "stalking",
        "fraud_in_foreign_labor_contracting",
        "other",
        "witness_tampering",
        "female_genital_mutilation",
    } <= values
    assert len(values) == 29


def test_valid_scenario(vocabulary) -> None:
    s = scenario(
        "id: a-1\nas_of: 2002-06-01\nfacts:\n  age_now: 16\n  means: [force]\n"
        "  citizenship: noncitizen\n  crime_in_us: ~\n"
        "expect:\n  us-law: {t_visa: met}\n  us-law@2025-06-01:\n"
        "    t_visa: {status: not_met, law_enforcement_gated: true}\n",
        vocabulary,
    )
    assert s.facts == {
        "age_now": 16,
        "means": frozenset({"force"}),
        "citizenship": "noncitizen",
    }  # null means unknown
    assert s.expect["us-law"]["t_visa"].status == "met"
    assert s.expect["us-law@2025-06-01"]["t_visa"].law_enforcement_gated is True


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "id: a\nfacts:\n  age_at_victimisation: 16\n",
            "s.yaml:3: facts.age_at_victimisation: unknown fact "
            "(did you mean age_at_victimization?)",
        ),
        (
            "id: a\nfacts:\n  commercial_sex_act: maybe\n",
            "s.yaml:3: facts.commercial_sex_act: expected true or false, got 'maybe'",
        ),
        (
            "id: a\nfacts:\n  commercial_sex_act: no\n",
            "facts.commercial_sex_act: expected true or false, got 'no'",
        ),
        (
            "id: a\nfacts:\n  age_now: '17'\n",
            "facts.age_now: expected a whole number from 0 to 120, got '17'",
        ),
        ("id: a\nfacts:\n  age_now: 121\n", "expected a whole number from 0 to 120, got 121"),
        ("id: a\nfacts:\n  age_now: true\n", "expected a whole number"),
        (
            "id: a\nfacts:\n  means: [force, frod]\n",
            "facts.means[1]: unknown means value 'frod' (did you mean fraud?)",
        ),
        ("id: a\nfacts:\n  means: [force, force]\n", "facts.means[1]: force is listed twice"),
        ("id: a\nfacts:\n  means: force\n", "facts.means: expected a list"),
        ("id: a\nfacts:\n  citizenship: citizen\n", "unknown citizenship value 'citizen'"),
        ("id: A B\nfacts: {}\n", "id: expected an id"),
        ("facts: {}\n", "missing required key `id`"),
        ("id: a\nfact: {}\n", "unknown key (did you mean facts?)"),
        ("id: a\nfacts: {}\nas_of: 2002-02-30\n", "as_of: 2002-02-30 is not a calendar date"),
        ("id: a\nfacts: {}\nexpect: {us-law: {t_visa: yes}}\n", "unknown status 'yes'"),
        ("- a\n- b\n", "expected a scenario (a mapping), got a list"),
    ],
)
def test_invalid_scenarios_name_file_key_and_expectation(text, message, vocabulary) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario(text, vocabulary)
    assert message in str(info.value)


def test_vocabulary_rejects_reserved_and_malformed_facts(tmp_path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text("id:\n  type: bool\n  question: q\n")
    with pytest.raises(RuleError, match="reserved by the engine"):
        load_vocabulary(path)
    path.write_text("x:\n  type: boolean\n  question: q\n")
    with pytest.raises(RuleError, match="unknown fact type 'boolean' .did you mean bool"):
        load_vocabulary(path)
    path.write_text("x:\n  type: set\n  question: q\n")
    with pytest.raises(RuleError, match="needs `values`"):
        load_vocabulary(path)
    path.write_text(
        "x:\n  type: int\n  question: q\n  dependency: cooperation\n  min: 0\n  max: 1\n"
    )
    with pytest.raises(RuleError, match="dependency facts must be bool"):
        load_vocabulary(path)


def test_schema_accepts_every_bundled_scenario_and_rejects_bad_ones(vocabulary, us_law) -> None:
    from conftest import DATA, ROOT

    schema = json_schema(vocabulary, list(us_law.sources))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((ROOT / "scenarios").glob("*.yaml")) + [
        DATA / "contract" / "contract-minor-2002.yaml"
    ]
    for path in files:
        raw = parse_text(path.read_text(), str(path)).data
        assert not list(validator.iter_errors(raw)), path
        load_scenario(path, vocabulary)  # and our own validation agrees
    bad = parse_text((DATA / "contract" / "contract-bad-fact.yaml").read_text()).data
    assert list(validator.iter_errors(bad))


def test_schema_is_json(vocabulary, us_law) -> None:
    schema = json_schema(vocabulary, list(us_law.sources))
    assert json.loads(json.dumps(schema)) == schema  # plain JSON types, nothing lost
