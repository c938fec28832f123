"""The law-enforcement dependency of each provision: gated, possibly gated, relies on,
independent (eligibility.analysis.dependency), on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings

from eligibility.analysis.evaluate import Evaluator
from eligibility.law.registry import Registry

import strategies
from conftest import examples

REGISTRY = Registry()
NOW = dt.date(2025, 6, 1)
ENGINES = ("durable", "python")

# A kidnapping victim who reported and helped the prosecutor; the prosecutor refuses to
# sign Form I-918 Supplement B (issue 15).
KIDNAPPING = {
    "age_at_victimization": 30,
    "age_now": 31,
    "citizenship": "noncitizen",
    "qualifying_crimes": frozenset({"kidnapping"}),
    "substantial_abuse": True,
    "has_information": True,
    "helpful_to_law_enforcement": True,
    "crime_in_us": True,
    "u_certification_signed": False,
}


def evaluate(facts, *, engine: str, rules: str = "us-law", date: dt.date = NOW):
    return Evaluator(REGISTRY.load(rules), engine).evaluate(facts, date, "case")


@pytest.mark.parametrize("engine", ENGINES)
def test_refused_certification_with_admissibility_unknown_is_possibly_gated(engine) -> None:
    u = evaluate(KIDNAPPING, engine=engine).provisions["u_visa"]
    assert u.status == "not_met"
    assert u.law_enforcement == "possibly_gated"
    assert u.law_enforcement_gated is False
    assert [b.fact for b in u.law_enforcement_blockers] == ["u_certification_signed"]
    assert u.law_enforcement_blockers[0].controlled_by == "law_enforcement"
    assert u.missing_facts == []  # not met whatever admissibility turns out to be
    # the shared admissibility answer, then the U waiver's own (issue 17)
    assert u.missing_facts_behind_blockers == [
        "admissible_or_waiver",
        "u_admissible_or_waiver",
        "u_waiver",
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_case_with_admissibility_known_is_gated(engine) -> None:
    u = evaluate({**KIDNAPPING, "admissible_or_waiver": True}, engine=engine).provisions["u_visa"]
    assert (u.status, u.law_enforcement, u.law_enforcement_gated) == ("not_met", "gated", True)
    assert [b.fact for b in u.law_enforcement_blockers] == ["u_certification_signed"]
    assert u.missing_facts_behind_blockers == []


@pytest.mark.parametrize("engine", ENGINES)
def test_a_signed_certification_makes_the_u_visa_rely_on_law_enforcement(engine) -> None:
    facts = {**KIDNAPPING, "u_certification_signed": True, "admissible_or_waiver": True}
    u = evaluate(facts, engine=engine).provisions["u_visa"]
    assert (u.status, u.law_enforcement) == ("met", "relies_on")
    assert {e.fact for e in u.law_enforcement_relied_on} == {
        "helpful_to_law_enforcement",
        "u_certification_signed",
    }
    assert u.law_enforcement_blockers == []


@pytest.mark.parametrize("engine", ENGINES)
def test_the_trauma_exemption_does_not_rest_on_law_enforcement(engine) -> None:
    # debt-bondage-ptsd: T is met through the trauma exemption, so it stays met with no
    # report at all: independent, not "rests on law enforcement" (issue 15).
    facts = {
        "age_at_victimization": 34,
        "age_now": 35,
        "citizenship": "noncitizen",
        "actions": frozenset({"recruit", "harbor"}),
        "labor_or_services": True,
        "means": frozenset({"coercion"}),
        "labor_purposes": frozenset({"debt_bondage"}),
        "physically_present": True,
        "present_on_account_of_trafficking": True,
        "unable_to_cooperate_due_to_trauma": True,
        "extreme_hardship": True,
        "committed_trafficking_act": False,
        "admissible_or_waiver": True,
    }
    for contacted in (True, False):
        t = evaluate({**facts, "contacted_law_enforcement": contacted}, engine=engine)
        assert t.provisions["t_visa"].status == "met"
        assert t.provisions["t_visa"].law_enforcement == "independent"


@pytest.mark.parametrize("engine", ENGINES)
def test_refused_contact_with_trauma_unknown_is_gated(engine) -> None:
    # The flag must not vanish because another fact is unknown: she never contacted law
    # enforcement; whether trauma exempts her is not known yet. Undetermined now, met if
    # she had reported and complied: gated.
    facts = {
        "age_at_victimization": 30,
        "age_now": 31,
        "citizenship": "noncitizen",
        "actions": frozenset({"recruit"}),
        "commercial_sex_act": True,
        "means": frozenset({"force"}),
        "physically_present": True,
        "present_on_account_of_trafficking": True,
        "contacted_law_enforcement": False,
        "extreme_hardship": True,
        "committed_trafficking_act": False,
        "admissible_or_waiver": True,
    }
    t = evaluate(facts, engine=engine).provisions["t_visa"]
    assert t.status == "undetermined"
    assert t.law_enforcement == "gated" and t.law_enforcement_gated
    assert "contacted_law_enforcement" in [b.fact for b in t.law_enforcement_blockers]
    assert "unable_to_cooperate_due_to_trauma" in t.missing_facts
    exempt = evaluate({**facts, "unable_to_cooperate_due_to_trauma": True}, engine=engine)
    assert exempt.provisions["t_visa"].law_enforcement == "independent"
    # ... and with hardship unknown too, law enforcement still stands in the way
    open_case = {k: v for k, v in facts.items() if k != "extreme_hardship"}
    t = evaluate(open_case, engine=engine).provisions["t_visa"]
    assert (t.status, t.law_enforcement) == ("undetermined", "possibly_gated")
    assert "extreme_hardship" in t.missing_facts


@pytest.mark.parametrize("engine", ENGINES)
def test_citizens_are_not_applicable_and_independent(engine) -> None:
    facts = {"citizenship": "us_citizen", "age_at_victimization": 15, "age_now": 15}
    result = evaluate(facts, engine=engine)
    for pid in ("t_visa", "u_visa", "continued_presence", "hhs_certification"):
        p = result.provisions[pid]
        assert p.applicable is False and p.not_applicable_reason, pid
        assert p.law_enforcement == "independent", pid
    assert result.provisions["victim_services"].applicable is True


@settings(max_examples=examples(200))
@given(facts=strategies.facts(REGISTRY.vocabulary), date=strategies.dates)
def test_levels_follow_from_the_counterfactual_worlds(facts, date) -> None:
    """Each level is what its definition says, checked against full re-evaluations."""
    book = REGISTRY.load("us-law")
    result = Evaluator(book, "python").evaluate(facts, date, "generated")
    plan = book.at(date).plan
    favourable, unfavourable = plan.world_overrides(facts)
    f_statuses = plan.evaluate({**facts, **(favourable or {})})
    u_statuses = plan.evaluate({**facts, **(unfavourable or {})})
    for pid, p in result.provisions.items():
        root = plan.roots[pid]
        f, u = f_statuses[root], u_statuses[root]
        if p.law_enforcement == "gated":
            assert p.status != "met" and f == 1 and p.law_enforcement_gated
        elif p.law_enforcement == "possibly_gated":
            assert p.status != "met" and f == 2 and p.law_enforcement_blockers
        elif p.law_enforcement == "relies_on":
            assert p.status == "met" and u == 0 and p.law_enforcement_relied_on
        else:
            assert not p.law_enforcement_gated
            assert not (p.status != "met" and f == 1)
            assert not (p.status == "met" and u == 0)
        for blocker in p.law_enforcement_blockers:
            assert facts.get(blocker.fact) != plan.dependency_facts[blocker.fact]
