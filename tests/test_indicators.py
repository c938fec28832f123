"""Indicators (rules/indicators.yaml) and the interview's guide (rules/interview.yaml):
the legal facts concrete answers give, their citations, and dated wording."""

from __future__ import annotations

import datetime as dt

import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.analysis.interview import Session
from eligibility.errors import RuleError
from eligibility.law.indicators import load_indicators
from eligibility.law.registry import Registry

from conftest import ROOT


def derive(registry: Registry, **answers):  # type: ignore[no-untyped-def]
    assert registry.indicators is not None
    return registry.indicators.derive(answers, registry.vocabulary)


def new_session(registry: Registry, date: dt.date = dt.date(2025, 6, 1)) -> Session:
    """An interview under us-law on `date`, with the bundled indicators and guide."""
    return Session(
        Evaluator(registry.load("us-law"), "python"),
        registry.vocabulary,
        date,
        indicators=registry.indicators,
        guide=registry.interview_guide,
    )


def test_passport_and_threats_to_family_give_coercion(registry) -> None:
    found = derive(registry, control_signs=frozenset({"documents_taken", "threats_family"}))
    assert found.facts["means"] == frozenset({"coercion"})
    # both answers are named as its source, the one that gives it first
    assert found.given["means"]["coercion"] == [
        "control_signs.threats_family",
        "control_signs.documents_taken",
    ]
    labels = [registry.indicators.ref_label(r) for r in found.given["means"]["coercion"]]
    assert labels[0].startswith("threats to seriously hurt the family")
    assert labels[1].startswith("passport or ID taken")


def test_a_passport_alone_only_suggests_coercion(registry) -> None:
    # a "scheme" (7102(3)(B)) is a judgement the answer cannot carry
    found = derive(registry, control_signs=frozenset({"documents_taken"}))
    assert "means" not in found.facts
    assert found.suggested["means"] == {"coercion": ["control_signs.documents_taken"]}


@pytest.mark.parametrize(
    ("answers", "fact", "value"),
    [
        ({"control_signs": frozenset({"threats_authorities"})}, "means", frozenset({"coercion"})),
        ({"control_signs": frozenset({"threats_person"})}, "means", frozenset({"coercion"})),
        ({"control_signs": frozenset({"locked_in"})}, "means", frozenset({"coercion"})),
        ({"control_signs": frozenset({"violence"})}, "means", frozenset({"force"})),
        ({"control_signs": frozenset({"lies_about_work"})}, "means", frozenset({"fraud"})),
        (
            {"control_signs": frozenset({"debt_work_off"}), "debt_never_shrinks": True},
            "labor_purposes",
            frozenset({"debt_bondage"}),
        ),
        ({"what_happened": frozenset({"labor"})}, "labor_or_services", True),
        ({"what_happened": frozenset({"other_crime"})}, "labor_or_services", False),
        ({"what_happened": frozenset({"other_crime"})}, "commercial_sex_act", False),
        ({"what_happened": frozenset({"sex"}), "paid_for_sex": True}, "commercial_sex_act", True),
        ({"where": "us_here"}, "crime_in_us", True),
        ({"where": "us_here"}, "physically_present", True),
    ],
)
def test_indicators_give_the_legal_facts_the_rules_test(registry, answers, fact, value) -> None:
    assert derive(registry, **answers).facts[fact] == value


def test_what_stays_a_judgement_is_never_given(registry) -> None:
    # involuntary servitude and peonage need "serious harm" or a compulsion the answers
    # cannot settle: every answer together only suggests them (LEGAL-BRIEF 1.2, 1.7)
    everything = derive(
        registry,
        control_signs=frozenset(registry.indicators["control_signs"].values),
        debt_never_shrinks=True,
        feared_leaving=True,
    )
    purposes = everything.facts["labor_purposes"]
    assert "involuntary_servitude" not in purposes and "peonage" not in purposes
    assert {"involuntary_servitude", "peonage"} <= set(everything.suggested["labor_purposes"])
    # a debt alone is not debt bondage: its value or limits decide
    assert (
        "labor_purposes" not in derive(registry, control_signs=frozenset({"debt_work_off"})).facts
    )


def test_every_rule_cites_the_law_and_every_indicator_is_used(registry) -> None:
    indicators = registry.indicators
    for rule in indicators.rules:
        assert rule.citation.strip() and ("U.S.C." in rule.citation or "CFR" in rule.citation)
        assert rule.because.strip()
        assert rule.verification in ("V", "V2", "U")
        # an unverified point may only suggest (never locked in as settled law)
        assert rule.verification != "U" or rule.effect == "suggests"
    used = {t.question for rule in indicators.rules for t in rule.when}
    assert used == set(indicators.questions)


def test_the_derived_facts_meet_severe_trafficking(registry) -> None:
    session = new_session(registry)
    session.answer("what_happened", frozenset({"labor"}))
    session.answer("control_signs", frozenset({"threats_family", "debt_work_off"}))
    session.answer("debt_never_shrinks", True)
    session.answer("actions", frozenset({"recruit"}))
    assert session.result().provisions["severe_trafficking"].status == "met"
    # a direct answer to the legal question wins over the indicators
    session.answer("means", frozenset())
    assert session.result().provisions["severe_trafficking"].status == "not_met"


def test_an_indicator_rule_without_a_citation_is_refused(registry, tmp_path) -> None:
    text = (ROOT / "rules" / "indicators.yaml").read_text()
    broken = text.replace("    citation: 22 U.S.C. 7102(4)\n", "", 1)
    assert broken != text
    path = tmp_path / "indicators.yaml"
    path.write_text(broken)
    with pytest.raises(RuleError, match="citation"):
        load_indicators(path, registry.vocabulary)


def test_wording_names_only_the_law_in_force(registry) -> None:
    names = [*registry.vocabulary.names(), *registry.indicators.questions]

    def texts(date: dt.date) -> str:
        session = new_session(registry, date)
        return " ".join(
            session.text(name, key) for name in names for key in ("question", "help", "why")
        )

    today = texts(dt.date(2025, 6, 1))
    assert "federal agencies only" not in today and "federal one" not in today
    assert "2003" not in today and "2002" not in today
    assert "added on March 7, 2013" not in today  # history is not today's law
    in_2002 = texts(dt.date(2002, 6, 1))
    assert "only a federal agency" in in_2002
    assert "Stalking and fraud in foreign labor contracting are not listed" in in_2002


def test_the_guide_orders_stages_like_a_screener(registry) -> None:
    guide = registry.interview_guide
    stages = [s.id for s in guide.stages]
    assert stages == ["triage", "story", "did", "officials", "judgements", "later"]
    # the later steps (green card, family members) come after everything else
    assert guide.later_stage() == stages.index("later")
    vocabulary = registry.vocabulary
    for name in vocabulary.names():
        stage = guide.stages[guide.stage_of(name, vocabulary[name].controlled_by)]
        if vocabulary[name].controlled_by == "adjudicator":
            assert stage.id == "judgements" and stage.note
        if vocabulary[name].controlled_by == "law_enforcement":
            assert stage.id == "officials"
    assert guide.cost("u_certification_signed", "law_enforcement") > guide.cost(
        "actions", "history"
    )


def test_a_saved_interview_follows_the_schema_and_loads_back(registry, tmp_path) -> None:
    import jsonschema

    from eligibility.law.scenario_schema import json_schema
    from eligibility.law.scenarios import load_scenario
    from eligibility.law.yamlfile import parse_text

    book = registry.load("us-law")
    session = new_session(registry)
    session.answer("what_happened", frozenset({"labor"}))
    session.answer("where", None)
    session.answer("control_signs", frozenset({"threats_family", "documents_taken"}), "twice")
    session.answer("age_now", None)
    text = session.save_text("saved", rule_set="us-law")
    schema = json_schema(registry.vocabulary, list(book.sources))
    validator = jsonschema.Draft202012Validator(schema)
    raw = parse_text(text, "saved.yaml").data
    assert not list(validator.iter_errors(raw))
    assert set(schema["properties"]) >= {"indicators", "derived", "notes", "interview"}
    path = tmp_path / "saved.yaml"
    path.write_text(text)
    scenario = load_scenario(path, registry.vocabulary)
    assert scenario.facts["means"] == frozenset({"coercion"})  # derived, and recorded
    assert scenario.derived["means"]["coercion"][0] == "control_signs.threats_family"
    assert scenario.indicators_unknown == ("where",) and scenario.asked_unknown == ("age_now",)
    assert scenario.notes == {"control_signs": "twice"}
    # a resumed session recomputes derived facts rather than taking them as answers
    again = new_session(registry)
    again.load(scenario)
    assert "means" not in again.facts and again.effective_facts()["means"] == {"coercion"}
    assert again.unknown == {"where", "age_now"}
    # a derived fact edited by hand since is kept as the trainee's own answer
    edited = load_scenario(path, registry.vocabulary)
    edited.facts["means"] = frozenset({"force"})
    again.load(edited)
    assert again.facts["means"] == {"force"} and again.effective_facts()["means"] == {"force"}
    # a bad indicator answer is refused with its name
    path.write_text(text.replace("control_signs: [threats_family", "control_signs: [threats_fam"))
    with pytest.raises(Exception, match="threats_fam"):
        load_scenario(path, registry.vocabulary)


def test_a_settled_u_visa_stops_the_u_only_questions(registry) -> None:
    session = new_session(registry)
    session.answer("citizenship", "noncitizen")
    session.answer("age_at_victimization", 30)
    result = session.result()
    assert "qualifying_crimes" in session.candidates(result)
    assert session.branch_only("qualifying_crimes", "crime", result)
    # nobody has information about the crime, and the person (30) is not incapacitated,
    # so no representative may hold it (U-3, issue 17): no U visa, whatever law
    # enforcement does
    session.answer("has_information", False)
    session.answer("incapacitated", False)
    result = session.result()
    assert session.settled_branches(result) == ["crime"]
    found = session.candidates(result)
    assert "qualifying_crimes" not in found and "u_certification_signed" not in found
    assert "what_happened" in found  # the trafficking questions go on


def test_why_for_an_age_gives_the_ranges_the_rules_test(registry) -> None:
    session = new_session(registry)
    session.answer("citizenship", "noncitizen")
    session.answer("age_at_victimization", 15)
    result = session.result()
    waiting = session.candidates(result)["age_now"]
    effects = {e.answer: e.statuses for e in session.effects("age_now", result, waiting)}
    assert list(effects)[0] == "under 18" and list(effects)[-1].endswith("or over")
    assert effects["under 18"]["minor_eligibility_letter"] != "not_met"
    assert effects[list(effects)[-1]]["minor_eligibility_letter"] == "undetermined"


def test_an_overlay_with_its_own_facts_keeps_the_indicators(registry, tmp_path) -> None:
    from eligibility.law.scenarios import load_scenario

    vocabulary = registry.vocabulary_for("state-local-continued-presence")
    assert "state_local_le_requested_continued_presence" in vocabulary
    assert vocabulary.indicators is registry.indicators
    path = tmp_path / "case.yaml"
    path.write_text(
        "id: case\nfacts:\n  state_local_le_requested_continued_presence: true\n"
        "indicators:\n  where: us_here\n"
    )
    assert load_scenario(path, vocabulary).indicators == {"where": "us_here"}
