"""Three-valued (Kleene) semantics of condition trees, and missing facts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.law.conditions import Condition, build_plan, describe_test
from eligibility.law.logic import MET, NOT_MET, UNDETERMINED
from eligibility.law.rulebook import default_registry

import strategies
from conftest import examples

M, N, U = MET, NOT_MET, UNDETERMINED


def leaf(name: str, op: str = "is", value: object = True) -> Condition:
    return Condition(id=f"{name}-{op}", text=name, kind="fact", fact=name, op=op, value=value)


def node(kind: str, *children: Condition, cid: str = "n") -> Condition:
    return Condition(id=cid, text=kind, kind=kind, children=children)


def evaluate(tree: Condition, facts: dict) -> int:
    plan = build_plan({"p": tree}, ["p"], {})
    return plan.evaluate(facts)[plan.roots["p"]]


def truth(value: int) -> dict:
    return {} if value == U else {"x": value == M}


@pytest.mark.parametrize("a, b", list(itertools.product([M, N, U], repeat=2)))
def test_kleene_tables(a: int, b: int) -> None:
    facts = {**({} if a == U else {"a": a == M}), **({} if b == U else {"b": b == M})}
    both = node("all", leaf("a"), leaf("b"))
    either = node("any", leaf("a"), leaf("b"))
    expected_all = N if N in (a, b) else U if U in (a, b) else M
    expected_any = M if M in (a, b) else U if U in (a, b) else N
    assert evaluate(both, facts) == expected_all
    assert evaluate(either, facts) == expected_any
    negated = node("not", leaf("a"))
    assert evaluate(negated, facts) == {M: N, N: M, U: U}[a]


@pytest.mark.parametrize(
    "op, operand, value, expected",
    [
        ("lt", 18, 17, M),
        ("lt", 18, 18, N),
        ("le", 18, 18, M),
        ("gt", 15, 15, N),
        ("ge", 15, 15, M),
        ("eq", 3, 3, M),
        ("eq", 3, 4, N),
        ("any_of", frozenset({"force", "fraud"}), frozenset({"fraud"}), M),
        ("any_of", frozenset({"force", "fraud"}), frozenset(), N),
        ("none_of", frozenset({"force"}), frozenset(), M),
        ("none_of", frozenset({"force"}), frozenset({"force", "coercion"}), N),
        ("any_of", frozenset({"noncitizen"}), "noncitizen", M),
        ("none_of", frozenset({"noncitizen"}), "us_citizen", M),
    ],
)
def test_leaf_operators(op, operand, value, expected) -> None:
    assert evaluate(leaf("x", op, operand), {"x": value}) == expected
    assert evaluate(leaf("x", op, operand), {}) == U  # unknown is never false


def test_unknown_is_not_false() -> None:
    tree = leaf("x", "is", False)
    assert evaluate(tree, {}) == U
    assert evaluate(tree, {"x": False}) == M


def test_missing_facts_follow_only_undetermined_branches() -> None:
    tree = node(
        "all", leaf("a"), node("any", leaf("b"), leaf("c"), cid="bc"), leaf("d"), cid="root"
    )
    plan = build_plan({"p": tree}, ["p"], {})
    root = plan.roots["p"]
    st = plan.evaluate({"a": True})
    assert st[root] == U
    assert plan.missing(st, root) == (["b", "c", "d"], [])
    st = plan.evaluate({"a": True, "b": True})  # `any` decided: c no longer matters
    assert plan.missing(st, root) == (["d"], [])
    st = plan.evaluate({"a": False})  # decided: nothing is missing
    assert st[root] == N and plan.missing(st, root) == ([], [])


def test_open_questions_are_reported() -> None:
    question = Condition(id="q", text="unsettled", kind="open_question", question="E-1")
    tree = node("all", leaf("a"), question, cid="root")
    plan = build_plan({"p": tree}, ["p"], {})
    st = plan.evaluate({"a": True})
    assert st[plan.roots["p"]] == U
    assert plan.missing(st, plan.roots["p"]) == ([], ["E-1"])


def test_references_chain_and_missing_facts_cross_provisions() -> None:
    base = node("all", leaf("a"), leaf("b"), cid="base")
    ref = Condition(id="r", text="base met", kind="provision", provision="base")
    top = node("all", ref, leaf("c"), cid="top")
    plan = build_plan({"base": base, "top": top}, ["base", "top"], {})
    st = plan.evaluate({"a": True, "c": True})
    assert plan.missing(st, plan.roots["top"]) == (["b"], [])
    st = plan.evaluate({"a": True, "b": True, "c": True})
    assert st[plan.roots["top"]] == M


def test_counterfactual_facts() -> None:
    plan = build_plan({"p": leaf("a")}, ["p"], {"coop": True, "sign": True})
    assert plan.counterfactual_overrides({"coop": True, "sign": True}) is None
    assert plan.counterfactual_overrides({"coop": False, "sign": True}) == {"coop": True}
    assert plan.counterfactual_overrides({}) == {"coop": True, "sign": True}


def test_describe_test() -> None:
    assert describe_test(leaf("age", "lt", 18)) == "age < 18"
    assert (
        describe_test(leaf("means", "any_of", frozenset({"fraud", "force"})))
        == "means includes any of [force, fraud]"
    )


VOCABULARY = default_registry().vocabulary


@given(
    trees=strategies.condition_trees(VOCABULARY),
    facts_list=st.lists(strategies.facts(VOCABULARY), min_size=1, max_size=8),
)
@settings(max_examples=examples(300))
def test_the_compiled_plan_takes_the_steps_of_logic(trees, facts_list) -> None:
    """`Plan.compiled` (one generated function, which `Plan.evaluate` uses once a plan
    is used often), `Plan.evaluate` and `evaluate_world` on a `World` (the dependency
    leaves as constants) give what the steps of law/logic.py give, node by node: every
    kind and operator, unknown facts, `not` above law-enforcement facts.
    `Plan.missing` (one generated function per root) gives what the walk gives, and
    `Plan.evaluate_root` what the whole plan gives for that root."""
    plan = build_plan(trees[0], trees[1], strategies.TREE_DEPENDENCIES)
    for facts in facts_list:
        stated = plan.evaluate_steps(facts)
        assert plan.compiled()(facts) == stated
        assert plan.evaluate(facts) == stated
        for root in plan.roots.values():  # one provision alone, as what-if asks
            assert plan.evaluate_root(facts, root) == stated[root]
        for root in plan.roots.values():
            assert plan.missing(stated, root) == plan.missing_by_walk(stated, root)
        for world in plan.world_overrides(facts):
            if world is not None:
                expected = plan.evaluate_steps({**facts, **world})
                assert plan.evaluate_world(facts, world, stated) == expected
                assert plan.evaluate_world(facts, dict(world), stated) == expected


def test_missing_facts_below_python_s_nesting_limit_are_walked() -> None:
    """A tree deeper than a generated function may nest: the walk, same answer."""
    tree = leaf("a")
    for depth in range(120):
        tree = node("all", tree, leaf(f"b{depth}"), cid=f"n{depth}")
    plan = build_plan({"p": tree}, ["p"], {})
    st = plan.evaluate({"b0": True})
    missing, questions = plan.missing(st, plan.roots["p"])
    assert missing == ["a"] + [f"b{depth}" for depth in range(1, 120)]
    assert (missing, questions) == plan.missing_by_walk(st, plan.roots["p"])


def test_missing_facts_through_references_that_double_are_walked() -> None:
    """Each provision refers twice to the one before: written out, the last would take
    2**16 tests; the walk enters each provision once, and gives the same answer."""
    trees = {"p0": node("all", leaf("a"), leaf("b"), cid="p0")}
    for k in range(1, 17):
        ref = Condition(id=f"r{k}", text="", kind="provision", provision=f"p{k - 1}")
        trees[f"p{k}"] = node("any", ref, node("not", ref, cid=f"x{k}"), cid=f"p{k}")
    plan = build_plan(trees, list(trees), {})
    st = plan.evaluate({"b": True})
    root = plan.roots["p16"]
    assert st[root] == U
    assert plan.missing(st, root) == (["a"], []) == plan.missing_by_walk(st, root)
