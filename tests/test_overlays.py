"""Overlays that say what a reform changes (issue 12): new facts, titles, notes and
not-applicable tests in changes, `expands:`, the researcher overlays of rules/reforms/,
and `grantable`."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.errors import RuleError
from eligibility.law.registry import Registry, bundled_rules_dir
from eligibility.population.headline import SHARES

from conftest import ROOT, examples, run_main

D = dt.date
STATE_LOCAL = "state-local-continued-presence"
NO_CERTIFICATION = "u-without-certification"

# a victim of a severe form (labor: fraud, involuntary servitude), an adult noncitizen
ADULT_LABOR = {
    "age_at_victimization": 30,
    "age_now": 31,
    "citizenship": "noncitizen",
    "actions": frozenset({"recruit"}),
    "labor_or_services": True,
    "commercial_sex_act": False,
    "means": frozenset({"fraud"}),
    "labor_purposes": frozenset({"involuntary_servitude"}),
}
# a U petitioner the police will not certify (LEGAL-BRIEF 3.1)
UNCERTIFIED = {
    "age_at_victimization": 30,
    "age_now": 31,
    "citizenship": "noncitizen",
    "qualifying_crimes": frozenset({"domestic_violence"}),
    "substantial_abuse": True,
    "has_information": True,
    "helpful_to_law_enforcement": True,
    "crime_in_us": True,
    "u_certification_signed": False,
    "admissible_or_waiver": True,
}


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), target)
    return target


def overlay(tmp_path: Path, body: str, name: str = "mine") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"rule_set: {name}\nextends: us-law\ntitle: test\n{body}", encoding="utf-8")
    return str(path)


def scenario_file(tmp_path: Path, facts: dict, as_of: str = "2025-06-01") -> str:
    lines = [f"id: case\nas_of: {as_of}\nfacts:"]
    for name, value in facts.items():
        if isinstance(value, frozenset):
            value = sorted(value)
        lines.append(f"  {name}: {json.dumps(value)}")
    path = tmp_path / "case.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------ new facts


def test_an_overlay_fact_is_usable_in_conditions_and_scenarios(registry) -> None:
    book = registry.load(STATE_LOCAL)
    fact = book.vocabulary["state_local_le_requested_continued_presence"]
    assert fact.type == "bool" and fact.dependency == "law_enforcement_action"
    assert "state_local_le_requested_continued_presence" not in registry.vocabulary
    facts = {
        **ADULT_LABOR,
        "le_requested_continued_presence": False,
        "state_local_le_requested_continued_presence": True,
        "potential_witness": False,
    }
    for engine in ("durable", "python", "vector"):
        result = Evaluator(book, engine).evaluate(facts, D(2025, 6, 1))
        cp = result.provisions["continued_presence"]
        assert cp.status == "met", engine
        # met only because police acted: the new fact is a law-enforcement fact
        assert cp.law_enforcement == "relies_on", engine
        assert [e.fact for e in cp.law_enforcement_relied_on] == [
            "state_local_le_requested_continued_presence"
        ]
    # under the law, the same person has no Continued Presence; the overlay's fact means
    # nothing to it
    law = Evaluator(registry.load("us-law"), "python").evaluate(facts, D(2025, 6, 1))
    assert law.provisions["continued_presence"].status == "not_met"


def test_a_scenario_with_an_overlay_fact_is_an_error_under_a_rule_set_that_lacks_it(
    tmp_path,
) -> None:
    path = scenario_file(
        tmp_path, {**ADULT_LABOR, "state_local_le_requested_continued_presence": True}
    )
    under_overlay = run_main("evaluate", path, "--rules", STATE_LOCAL, "--format", "json")
    assert under_overlay.returncode == 0, under_overlay.stderr
    assert json.loads(under_overlay.stdout)["provisions"]["continued_presence"]["status"] in (
        "met",
        "undetermined",
    )
    under_law = run_main("evaluate", path, "--rules", "us-law", "--format", "json")
    assert under_law.returncode == 2
    assert "state_local_le_requested_continued_presence: unknown fact" in under_law.stderr


def test_an_overlay_never_redefines_a_bundled_fact(tmp_path, registry) -> None:
    path = overlay(
        tmp_path,
        "facts:\n  potential_witness:\n    type: bool\n    question: Witness?\n",
    )
    with pytest.raises(RuleError, match="potential_witness is already declared"):
        registry.load(path)


def test_overlay_facts_are_read_by_the_parser_of_facts_yaml(tmp_path, registry) -> None:
    path = overlay(tmp_path, "facts:\n  new_fact:\n    type: boolean\n    question: New?\n")
    with pytest.raises(
        RuleError, match=r"mine\.yaml:6: facts\.new_fact\.type: .*did you mean bool"
    ):
        registry.load(path)


# ------------------------------------------------------------------ titles, notes


def test_changes_set_title_and_change_notes(tmp_path, registry) -> None:
    path = overlay(
        tmp_path,
        "changes:\n"
        "  - id: retitle\n    provision: u_visa\n    implements: test\n    summary: test\n"
        "    title: U visa, reformed\n"
        "    notes:\n      remove: [cap]\n"
        "      add:\n        - {id: reform, text: A reform note., citation: none}\n",
    )
    book = registry.load(path)
    provision = book.at(D(2025, 6, 1)).provisions["u_visa"]
    assert provision.title == "U visa, reformed"
    ids = [n.id for n in provision.notes]
    assert "cap" not in ids and ids[-1] == "reform"


def test_a_note_change_names_a_note_that_does_not_exist(tmp_path, registry) -> None:
    path = overlay(
        tmp_path,
        "changes:\n"
        "  - id: bad\n    provision: u_visa\n    implements: test\n    summary: test\n"
        "    notes:\n      remove: [capp]\n",
    )
    with pytest.raises(RuleError, match=r"u_visa has no note capp \(did you mean cap\?\)"):
        registry.load(path)


def test_a_change_can_drop_the_not_applicable_block(tmp_path, registry) -> None:
    path = overlay(
        tmp_path,
        "changes:\n"
        "  - id: everyone\n    provision: continued_presence\n    implements: test\n"
        "    summary: test\n    not_applicable: []\n",
    )
    citizen = {**ADULT_LABOR, "citizenship": "us_citizen"}
    law = Evaluator(registry.load("us-law"), "python").evaluate(citizen, D(2025, 6, 1))
    mine = Evaluator(registry.load(path), "python").evaluate(citizen, D(2025, 6, 1))
    assert not law.provisions["continued_presence"].applicable
    assert mine.provisions["continued_presence"].applicable


# ------------------------------------------------------------------ explanations


def explain(tmp_path: Path, facts: dict, rules: str) -> str:
    done = run_main(
        "explain", scenario_file(tmp_path, facts), "--rules", rules, "--full", "--no-what-if"
    )
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())  # lines joined: rich wraps at 80 columns


def test_no_certification_reform_never_asks_for_a_supplement_b(tmp_path) -> None:
    law = explain(tmp_path, UNCERTIFIED, "us-law")
    reform = explain(tmp_path, UNCERTIFIED, NO_CERTIFICATION)
    assert "obtain a newly signed I-918 Supplement B" in law
    assert "obtain a newly signed" not in reform
    assert "it is still required" not in reform  # the reading E-18, rewritten
    assert "no certifying official's signature is needed" in reform  # the step
    assert "Under this proposal (not law)" in reform


@pytest.mark.parametrize("rules", ["rights-based-2007", STATE_LOCAL])
def test_reforms_of_continued_presence_never_say_only_federal_officials_apply(
    tmp_path, rules
) -> None:
    facts = {**ADULT_LABOR, "le_requested_continued_presence": False}
    law = explain(tmp_path, facts, "us-law")
    reform = explain(tmp_path, facts, rules)
    assert "Only a federal law-enforcement official can apply" in law
    assert "Only a federal law-enforcement official can apply" not in reform
    assert "Only a federal agent or prosecutor" not in reform  # the law's next step
    assert "state, local or tribal" in reform


# ------------------------------------------------------------------ grantable


@pytest.mark.parametrize(
    ("provision", "before", "from_"),
    [
        ("t_visa", D(2002, 3, 3), D(2002, 3, 4)),
        ("u_visa", D(2007, 10, 16), D(2007, 10, 17)),
        # family members: granted on the principal's petition (67 FR 4784, 72 FR 53014)
        ("t_derivatives", D(2002, 3, 3), D(2002, 3, 4)),
        ("u_derivatives", D(2007, 10, 16), D(2007, 10, 17)),
        # adjustment: the interim rule 73 FR 75540 (8 CFR 245.23, 245.24)
        ("t_adjustment", D(2009, 1, 11), D(2009, 1, 12)),
        ("u_adjustment", D(2009, 1, 11), D(2009, 1, 12)),
    ],
)
def test_grantable_from_the_implementing_rule(us_law, provision, before, from_) -> None:
    evaluator = Evaluator(us_law, "python")
    early = evaluator.evaluate(UNCERTIFIED, before).to_dict()["provisions"][provision]
    later = evaluator.evaluate(UNCERTIFIED, from_).to_dict()["provisions"][provision]
    assert early["grantable"] is False and later["grantable"] is True
    summary = evaluator.evaluate(UNCERTIFIED, before).summary_dict()["provisions"][provision]
    assert summary["grantable"] is False
    before_law = evaluator.evaluate(UNCERTIFIED, D(2000, 1, 1)).provisions[provision]
    assert not before_law.grantable  # not in force: not grantable either


def test_grantable_from_is_a_rule_file_key(rules_copy) -> None:
    path = rules_copy / "us-law" / "t_visa.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("grantable_from: 2002-03-04", "grantable_from: 1999-01-01"))
    with pytest.raises(RuleError, match="grantable_from 1999-01-01 is before"):
        Registry(rules_copy).load("us-law")


def test_a_later_step_follows_a_provision_of_its_rule_set(rules_copy) -> None:
    path = rules_copy / "us-law" / "t_adjustment.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("follows: t_visa", "follows: t_vissa"))
    with pytest.raises(RuleError, match="unknown provision 't_vissa'.*t_visa"):
        Registry(rules_copy).load("us-law")
    path.write_text(text.replace("reached_by: admitted_in_t_status\n", ""))
    with pytest.raises(RuleError, match="give `reached_by`"):
        Registry(rules_copy).load("us-law")


# ------------------------------------------------------------------ expands


def test_every_bundled_reform_that_expands_declares_us_law(registry) -> None:
    for name in ("rights-based-2007", STATE_LOCAL, NO_CERTIFICATION):
        book = registry.load(name)
        assert book.expands is not None and book.expands.name == "us-law", name


def test_check_finds_a_reform_that_takes_protection_away(tmp_path) -> None:
    """The child letter judged only by the age during the trafficking, as
    rights-based-2007 first wrote it: a child of 12 whose age then is unknown loses it."""
    path = overlay(
        tmp_path,
        "expands: us-law\n"
        "changes:\n"
        "  - id: rec10\n    provision: minor_eligibility_letter\n    implements: test\n"
        "    summary: test\n"
        "    replace:\n      ml2-child:\n        id: ml2-child\n"
        "        text: trafficked while under 18\n        short: under 18 when trafficked\n"
        "        citation: test\n        fact: age_at_victimization\n        lt: 18\n",
    )
    done = run_main("check", "--rules", path, "--invariants", "none", "--examples", "100")
    assert done.returncode == 1, done.stdout
    text = " ".join(done.stdout.split())
    assert "expands-us-law" in text
    assert "minor_eligibility_letter is met under us-law but undetermined" in text
    assert "age_now:" in text and "age_at_victimization:" not in text.split("facts:")[-1]


def test_rights_based_2007_keeps_the_child_letter_of_a_child_of_unknown_age_then(
    us_law, rights_based
) -> None:
    child = {
        "age_now": 12,
        "citizenship": "noncitizen",
        "actions": frozenset({"recruit"}),
        "commercial_sex_act": True,
        "means": frozenset({"force"}),
    }
    for book in (us_law, rights_based):
        result = Evaluator(book, "python").evaluate(child, D(2024, 8, 28))
        assert result.provisions["minor_eligibility_letter"].status == "met", book.name


@pytest.mark.slow  # a check sweep per overlay; the mechanism is tested by the next ones
def test_the_expansion_invariant_holds_for_the_researcher_overlays() -> None:
    for name in (STATE_LOCAL, NO_CERTIFICATION):
        done = run_main(
            "check", "--rules", name, "--invariants", "none", "--examples", str(examples(30))
        )
        assert done.returncode == 0, done.stdout
        assert "expands-us-law" in done.stdout


def test_bundled_overlays_cite_proposals_not_law() -> None:
    for name in (STATE_LOCAL, NO_CERTIFICATION):
        text = (ROOT / "rules" / "reforms" / f"{name}.yaml").read_text(encoding="utf-8")
        assert "not law" in text and "proposed" in text


# ------------------------------------------------------------------ comparisons


def headline_of(comparison) -> dict:
    return {pid: e["headline"] for pid, e in comparison.to_dict()["provisions"].items()}


def test_vector_and_reference_compare_agree_on_an_overlay_with_a_fact_of_its_own(
    registry,
) -> None:
    from eligibility.law.scenarios import Scenario
    from eligibility.population.compare import compare
    from eligibility.population.vector_compare import compare_columns

    people = []
    for number in range(64):
        facts = {
            **ADULT_LABOR,
            "le_requested_continued_presence": number % 2 == 0,
            "potential_witness": number % 3 == 0,
        }
        if number % 4 != 3:  # else unknown
            facts["state_local_le_requested_continued_presence"] = number % 4 == 1
        people.append(Scenario(f"p{number}", facts, as_of=D(2025, 6, 1)))
    reference = compare("us-law", STATE_LOCAL, scenarios=people, engine="python")
    vector = compare_columns("us-law", STATE_LOCAL, scenarios=people)
    assert headline_of(vector) == headline_of(reference)
    cp = reference.to_dict()["provisions"]["continued_presence"]
    assert cp["gained"]["count"] > 0 and cp["lost"]["count"] == 0


def test_headline_shares_add_up_and_bound_the_met_share() -> None:
    from eligibility.population.vector_compare import compare_columns

    document = compare_columns(
        "us-law@2002-06-01", "rights-based-2007@2002-06-01", generate=3000, seed=4
    ).to_dict()
    for pid, entry in document["provisions"].items():
        for side in ("a", "b"):
            found = entry["headline"][side]
            count = {name: found[name]["count"] for name in found if name in SHARES}
            assert count["met"] + count["not_met"] + count["undetermined"] == 3000, pid
            assert count["met_through_law_enforcement"] <= count["met"]
            # a level is read off a status that is not met (not_met or undetermined): the
            # green-card steps are often undetermined and possibly gated at once
            assert count["gated"] + count["possibly_gated"] <= (
                count["not_met"] + count["undetermined"]
            ), pid
            assert found["bounds"]["low"] == found["met"]["percent"]
            low, high = found["met"]["ci95"]
            assert low <= found["met"]["percent"] <= high and found["interval"] == "wilson-95"
    # no U could be granted on 2002-06-01, a T could
    assert document["provisions"]["u_visa"]["headline"]["a"]["grantable"]["percent"] == 0
    assert document["provisions"]["t_visa"]["headline"]["a"]["grantable"]["percent"] == 100


def test_wilson_interval() -> None:
    from eligibility.population.headline import wilson

    low, high = wilson(0, 100)
    assert low == pytest.approx(0, abs=1e-12) and high == pytest.approx(0.0370, abs=1e-4)
    low, high = wilson(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)


def test_compare_csv_and_screen_carry_the_headline(tmp_path) -> None:
    done = run_main(
        "compare", "--rules", "us-law", "--rules", NO_CERTIFICATION, "scenarios", "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    header, first = done.stdout.splitlines()[:2]
    columns = header.split(",")
    assert len(set(columns)) == len(columns)
    for name in ("a_met_percent", "b_met_through_law_enforcement_percent", "b_bound_high"):
        assert name in columns
    row = dict(zip(columns, first.split(","), strict=False))
    assert float(row["a_bound_low"]) <= float(row["a_bound_high"])
    assert row["a_gated_percent"] == row["gated_a_percent"]
    screen = run_main("compare", "--rules", "us-law", "--rules", NO_CERTIFICATION, "scenarios")
    assert "How much depends on law enforcement" in screen.stdout


def test_weighted_headline_by_hand() -> None:
    """Weighted shares of met through law enforcement and the weighted upper bound, by
    hand from the per-case results, on both engines."""
    import random

    from eligibility.law.scenarios import Scenario
    from eligibility.population.compare import Weights, compare
    from eligibility.population.distributions import load_distribution
    from eligibility.population.vector_compare import compare_columns

    people = [
        Scenario(id=sid, facts=facts)
        for sid, facts in load_distribution("default").generate(200, 5)
    ]
    rng = random.Random(5)
    weights = Weights("w", tuple(rng.choice([0.5, 1.0, 4.0]) for _ in people))
    today = D(2025, 1, 1)
    evaluator = Evaluator(Registry().load("us-law"), "python")
    relies = bound = 0.0
    for person, weight in zip(people, weights.values, strict=True):
        found = evaluator.evaluate(person.facts, today).provisions["hhs_certification"]
        relies += weight * (found.law_enforcement == "relies_on")
        bound += weight * (found.status in ("met", "undetermined"))
    for run in (compare, compare_columns):
        extra = {"engine": "python"} if run is compare else {}
        document = run(
            "us-law", NO_CERTIFICATION, scenarios=people, weights=weights, today=today, **extra
        ).to_dict()
        side = document["provisions"]["hhs_certification"]["headline"]["a"]
        share = side["met_through_law_enforcement"]["weighted_percent"]
        assert share == pytest.approx(100 * relies / weights.total, abs=1e-3)
        assert side["bounds"]["weighted_high"] == pytest.approx(
            100 * bound / weights.total, abs=1e-3
        )


def test_timeline_of_an_overlay_with_a_fact_of_its_own(tmp_path) -> None:
    facts = {**ADULT_LABOR, "state_local_le_requested_continued_presence": True}
    done = run_main(
        "timeline",
        "--rules",
        "us-law",
        "--rules",
        STATE_LOCAL,
        "--from",
        "2020-01-01",
        "--to",
        "2021-01-01",
        scenario_file(tmp_path, facts),
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split(",") for line in done.stdout.splitlines()]
    header = rows[0]
    met = {
        row[header.index("rule_set")]: row[header.index("met_percent")]
        for row in rows[1:]
        if row[header.index("provision")] == "continued_presence"
    }
    assert float(met[STATE_LOCAL]) == 100 and float(met["us-law"]) == 0


def test_evaluate_frame_says_whether_the_status_could_be_granted() -> None:
    import eligibility

    rows = eligibility.evaluate_frame(
        [{"id": "early", "as_of": "2005-01-01"}, {"id": "late", "as_of": "2010-01-01"}],
        rules="us-law",
        engine="python",
    )
    assert [row["u_visa.grantable"] for row in rows] == [False, True]
    assert [row["t_visa.grantable"] for row in rows] == [True, True]


def test_two_overlays_may_not_give_one_new_fact_two_meanings(tmp_path, registry) -> None:
    first = overlay(tmp_path, "facts:\n  pilot:\n    type: bool\n    question: In the pilot?\n")
    second = overlay(
        tmp_path,
        "facts:\n  pilot:\n    type: int\n    min: 0\n    max: 9\n    question: Which pilot?\n",
        name="other",
    )
    assert registry.vocabulary_for(first, first)["pilot"].type == "bool"
    with pytest.raises(RuleError, match="fact pilot is declared differently"):
        registry.vocabulary_for(first, second)
