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
from eligibility.law.registry import Registry

import strategies
from conftest import examples

REGISTRY = Registry()
EVALUATORS = {
    (name, engine): Evaluator(REGISTRY.load(name), engine)
    for name in ("us-law", "rights-based-2007")
    for engine in ("durable", "python")
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
