"""The assembler (analysis/assemble.py): the generated function that makes a scenario's
provision results gives what the loop over the layout gives, field by field, on every
bundled rule set at dates across its history, as stated and with both law-enforcement
worlds."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.analysis.evaluate import Evaluator
from eligibility.law.rulebook import default_registry

import strategies
from conftest import examples

REGISTRY = default_registry()
DATES = [dt.date(2001, 1, 1), dt.date(2009, 6, 1), dt.date(2025, 6, 1)]


@pytest.mark.parametrize("rule_set", sorted(REGISTRY.bundled()))
@given(facts=strategies.facts(REGISTRY.vocabulary), date=st.sampled_from(DATES))
@settings(max_examples=examples(60), deadline=None)
def test_the_generated_assembler_gives_what_the_loop_gives(rule_set, facts, date) -> None:
    evaluator = Evaluator(REGISTRY.load(rule_set), "python")
    facts = evaluator._known(facts)
    resolved, worlds, statuses, (favourable, unfavourable) = evaluator._run(facts, date, "s")
    assembler = evaluator._assembler(resolved)
    compiled = assembler.compiled()(statuses, favourable, unfavourable, facts, worlds[0])
    walked = assembler.assemble_by_walk(statuses, favourable, unfavourable, facts, worlds[0])
    assert list(compiled) == list(walked) == [layout.id for layout in resolved.layout]
    for pid, result in compiled.items():
        assert dataclasses.asdict(result) == dataclasses.asdict(walked[pid]), pid


def test_an_evaluator_writes_the_function_once_used_enough() -> None:
    """The first uses walk (a report asks about each version of the law a few times);
    then the function is written, and the results stay the same."""
    evaluator = Evaluator(REGISTRY.load("us-law"), "python")
    facts = {"citizenship": "noncitizen", "age_at_victimization": 15, "age_now": 19}
    date = dt.date(2025, 6, 1)
    first = evaluator.evaluate(facts, date).to_dict()
    assembler = evaluator._assembler(REGISTRY.load("us-law").at(date))
    assert assembler._compiled is None
    for _ in range(20):
        assert evaluator.evaluate(facts, date).to_dict() == first
    assert evaluator._assembler(evaluator.book.at(date))._compiled is not None
