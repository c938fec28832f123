"""The durable-rules engine against the reference evaluator, on generated scenarios.

Same statuses for every node (the explanation), same missing facts, same
law-enforcement counterfactual, same notes: for both bundled rule sets at any date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from eligibility.analysis.evaluate import Evaluator
from eligibility.engine.durable import DurableEngine
from eligibility.engine.reference import PythonEngine
from eligibility.errors import EngineError
from eligibility.law.conditions import build_plan
from eligibility.law.registry import Registry

import strategies
from conftest import examples

REGISTRY = Registry()
# an overlay with a fact of its own (`facts:`): the engines take their fact types from the
# rule book's vocabulary, base plus overlay facts
OVERLAY_WITH_A_FACT = "state-local-continued-presence"
EVALUATORS = {
    (name, engine): Evaluator(REGISTRY.load(name), engine)
    for name in ("us-law", "rights-based-2007", OVERLAY_WITH_A_FACT)
    for engine in ("durable", "python", "vector")
}


def comparable(result) -> dict:
    document = result.to_dict()
    document.pop("engine")
    return document


@pytest.mark.parametrize("rule_set", ["us-law", "rights-based-2007"])
@given(facts=strategies.facts(REGISTRY.vocabulary), date=strategies.dates)
@example(facts={}, date=dt.date(2025, 6, 1))
@example(
    facts={
        "age_at_victimization": 16,
        "age_now": 16,
        "citizenship": "noncitizen",
        "actions": frozenset({"recruit"}),
        "commercial_sex_act": True,
        "means": frozenset({"coercion"}),
    },
    date=dt.date(2002, 6, 1),
)
@settings(max_examples=examples(300))
def test_durable_engine_equals_reference(rule_set, facts, date) -> None:
    durable = EVALUATORS[rule_set, "durable"].evaluate(facts, date, "generated")
    python = EVALUATORS[rule_set, "python"].evaluate(facts, date, "generated")
    assert durable.statuses == python.statuses
    assert comparable(durable) == comparable(python)


@given(facts=strategies.facts(REGISTRY.load(OVERLAY_WITH_A_FACT).vocabulary), date=strategies.dates)
@example(
    facts={
        "citizenship": "noncitizen",
        "le_requested_continued_presence": False,
        "state_local_le_requested_continued_presence": True,
        "potential_witness": False,
    },
    date=dt.date(2025, 6, 1),
)
@settings(max_examples=examples(200))
def test_every_engine_equals_the_reference_on_an_overlay_with_a_fact_of_its_own(
    facts, date
) -> None:
    python = EVALUATORS[OVERLAY_WITH_A_FACT, "python"].evaluate(facts, date, "generated")
    for engine in ("durable", "vector"):
        other = EVALUATORS[OVERLAY_WITH_A_FACT, engine].evaluate(facts, date, "generated")
        assert other.statuses == python.statuses, engine
        assert comparable(other) == comparable(python), engine


@given(facts=strategies.complete_facts(REGISTRY.vocabulary), date=strategies.dates)
def test_complete_scenarios_decide_everything_but_open_questions(facts, date) -> None:
    result = EVALUATORS["us-law", "durable"].evaluate(facts, date)
    for provision in result.provisions.values():
        assert not provision.missing_facts
        if provision.status == "undetermined":
            assert provision.open_questions, provision.id


@given(
    facts=strategies.facts(REGISTRY.vocabulary),
    date=strategies.dates,
    order=st.randoms(use_true_random=False),
)
def test_results_do_not_depend_on_fact_order(facts, date, order) -> None:
    items = list(facts.items())
    order.shuffle(items)
    evaluator = EVALUATORS["us-law", "durable"]
    assert (
        evaluator.evaluate(dict(items), date).statuses == evaluator.evaluate(facts, date).statuses
    )


@given(
    trees=strategies.condition_trees(REGISTRY.vocabulary),
    facts_list=st.lists(strategies.facts(REGISTRY.vocabulary), min_size=1, max_size=6),
)
@settings(max_examples=examples(150))
def test_any_condition_tree_equals_the_reference(trees, facts_list) -> None:
    """Every kind of node and operator, nested connectives (whose conclusions the rules
    of their parts also draw), `always` and open questions among the parts, references,
    `not` above law-enforcement facts: per node, and per world."""
    plan = build_plan(trees[0], trees[1], strategies.TREE_DEPENDENCIES)
    vocabulary = REGISTRY.vocabulary
    durable = DurableEngine(
        {n: vocabulary[n].type for n in vocabulary},
        {n: tuple(vocabulary[n].values) for n in vocabulary},
    )
    for facts in facts_list:
        worlds = plan.world_overrides(facts, lean=True)
        try:
            got = durable.evaluate(plan, facts, worlds)
        except EngineError as exc:  # a drawn tree beyond durable's pattern limit
            assert "too large for the durable-rules engine" in exc.message
            return
        stated, in_worlds = PythonEngine().evaluate(plan, facts, worlds)
        assert got[0] == stated
        for world, mine, reference in zip(worlds, got[1], in_worlds, strict=True):
            assert (mine is None) == (reference is None)
            if world is not None and mine is not None and reference is not None:
                for root in plan.roots.values():
                    assert mine[root] == reference[root], (world.favourable, root)


# ------------------------------------------------------- family members (issue 17)

VECTOR = {
    name: Evaluator(REGISTRY.load(name), "vector") for name in ("us-law", "rights-based-2007")
}


def _members(draw_facts: list[dict]) -> tuple:
    from eligibility.law.scenarios import MEMBER_PREFIX, FamilyMember

    return tuple(
        FamilyMember(
            id=f"m{number}",
            facts={k: v for k, v in facts.items() if k.startswith(MEMBER_PREFIX)},
        )
        for number, facts in enumerate(draw_facts)
    )


@pytest.mark.parametrize("rule_set", ["us-law", "rights-based-2007"])
@given(
    facts=strategies.facts(REGISTRY.vocabulary),
    members=st.lists(strategies.facts(REGISTRY.vocabulary), min_size=1, max_size=3),
    date=strategies.dates,
)
@settings(max_examples=examples(100))
def test_family_members_are_evaluated_alike_by_every_engine(rule_set, facts, members, date) -> None:
    """Each listed member is one more evaluation by the same engine, so the per-member
    provisions and their members agree across engines as every other node does."""
    from eligibility.law.scenarios import MEMBER_PREFIX, Scenario

    principal = {k: v for k, v in facts.items() if not k.startswith(MEMBER_PREFIX)}
    scenario = Scenario(id="generated", facts=principal, family_members=_members(members))
    durable = EVALUATORS[rule_set, "durable"].evaluate_scenario(scenario, date)
    python = EVALUATORS[rule_set, "python"].evaluate_scenario(scenario, date)
    vector = VECTOR[rule_set].evaluate_scenario(scenario, date)
    assert comparable(durable) == comparable(python) == comparable(vector)
    for pid in ("t_derivatives", "u_derivatives"):
        p = python.provisions[pid]
        statuses = [m["status"] for m in p.members]
        assert len(statuses) == len(members)
        # the provision is the Kleene `any` of its members
        expected = (
            "met"
            if "met" in statuses
            else "undetermined"
            if "undetermined" in statuses
            else "not_met"
        )
        assert p.status == expected
        # and each member's status is what one evaluation with its facts gives
        for m, member in zip(p.members, scenario.family_members, strict=True):
            alone = EVALUATORS[rule_set, "python"].evaluate(
                {**principal, **member.facts}, date, "generated"
            )
            assert m["status"] == alone.provisions[pid].status
