"""Hypothesis strategies for scenarios and dates, shared by the property tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from eligibility.law.vocabulary import Vocabulary

# Every date on which the law changes, the day before, and a few ordinary dates.
BOUNDARIES = [
    dt.date(1999, 12, 31),
    dt.date(2000, 10, 27),
    dt.date(2000, 10, 28),
    dt.date(2001, 8, 23),
    dt.date(2002, 3, 3),
    dt.date(2002, 3, 4),
    dt.date(2002, 6, 1),
    dt.date(2003, 3, 1),
    dt.date(2003, 12, 18),
    dt.date(2003, 12, 19),
    dt.date(2006, 1, 5),
    dt.date(2007, 10, 16),
    dt.date(2007, 10, 17),
    dt.date(2008, 12, 22),
    dt.date(2008, 12, 23),
    dt.date(2009, 1, 12),
    dt.date(2013, 3, 6),
    dt.date(2013, 3, 7),
    dt.date(2015, 5, 28),
    dt.date(2015, 5, 29),
    dt.date(2016, 5, 11),
    dt.date(2017, 1, 18),
    dt.date(2019, 1, 9),
    dt.date(2021, 7, 30),
    dt.date(2024, 8, 27),
    dt.date(2024, 8, 28),
    dt.date(2025, 6, 1),
]

dates = st.one_of(
    st.sampled_from(BOUNDARIES),
    st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2030, 12, 31)),
)

# Ages cluster on the legal boundaries (15, 16, 18) so shrinking finds them.
ages = st.one_of(
    st.sampled_from([0, 11, 14, 15, 16, 17, 18, 19, 25, 60, 120]),
    st.integers(min_value=0, max_value=120),
)


def fact_value(vocabulary: Vocabulary, name: str) -> st.SearchStrategy[Any]:
    fact = vocabulary[name]
    if fact.type == "bool":
        return st.booleans()
    if fact.type == "int":
        return (
            ages if name.startswith("age") else st.integers(min_value=fact.min, max_value=fact.max)
        )
    if fact.type == "enum":
        return st.sampled_from(list(fact.values))
    return st.frozensets(st.sampled_from(list(fact.values)), max_size=len(fact.values))


def facts(vocabulary: Vocabulary, *, known: float | None = None) -> st.SearchStrategy[dict]:
    """A random subset of the vocabulary with random values (unknown = left out)."""
    names = vocabulary.names()

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        chosen = draw(st.sets(st.sampled_from(names)))
        return {name: draw(fact_value(vocabulary, name)) for name in names if name in chosen}

    return build()


def complete_facts(vocabulary: Vocabulary) -> st.SearchStrategy[dict]:
    """Every fact known."""
    return st.fixed_dictionaries(
        {name: fact_value(vocabulary, name) for name in vocabulary.names()}
    )


# Condition trees of every kind and operator, over a few facts of each type, for engines
# tested against the reference evaluator beyond what the bundled rules use (`not`,
# none_of, le/gt, enum tests, a law-enforcement fact whose favourable value is false).
TREE_FACTS = (
    "contacted_law_enforcement",
    "willing_to_assist",
    "extreme_hardship",
    "age_now",
    "citizenship",
    "means",
)
TREE_DEPENDENCIES = {"contacted_law_enforcement": True, "willing_to_assist": False}


@st.composite
def condition_trees(draw: st.DrawFn, vocabulary: Vocabulary) -> tuple[dict[str, Any], list[str]]:
    """(provision id -> root Condition, evaluation order): up to three provisions, each
    possibly referring to earlier ones."""
    from eligibility.law.conditions import Condition

    counter = iter(range(10_000))

    def leaf(referable: list[str]) -> Condition:
        cid = f"c{next(counter)}"
        kinds = ["fact"] * 6 + ["open_question", "always"] + (["provision"] if referable else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "open_question":
            return Condition(cid, cid, "open_question", question=draw(st.sampled_from("QR")))
        if kind == "always":
            return Condition(cid, cid, "always", constant=draw(st.sampled_from([0, 1])))
        if kind == "provision":
            return Condition(cid, cid, "provision", provision=draw(st.sampled_from(referable)))
        name = draw(st.sampled_from(TREE_FACTS))
        fact = vocabulary[name]
        if fact.type == "bool":
            op, value = "is", draw(st.booleans())
        elif fact.type == "int":
            op = draw(st.sampled_from(["eq", "lt", "le", "gt", "ge"]))
            value = draw(st.sampled_from([0, 15, 18, 120]))
        else:
            ops = ["eq", "any_of", "none_of"] if fact.type == "enum" else ["any_of", "none_of"]
            op = draw(st.sampled_from(ops))
            members = list(fact.values)
            value = (
                draw(st.sampled_from(members))
                if op == "eq"
                else frozenset(draw(st.lists(st.sampled_from(members), min_size=1)))
            )
        return Condition(cid, cid, "fact", fact=name, op=op, value=value)

    def tree(depth: int, referable: list[str]) -> Condition:
        if depth == 0 or draw(st.integers(0, 3)) == 0:
            return leaf(referable)
        kind = draw(st.sampled_from(["all", "any", "not"]))
        count = 1 if kind == "not" else draw(st.integers(1, 3))
        cid = f"c{next(counter)}"
        children = tuple(tree(depth - 1, referable) for _ in range(count))
        return Condition(cid, cid, kind, children=children)

    trees: dict[str, Any] = {}
    order: list[str] = []
    for index in range(draw(st.integers(1, 3))):
        pid = f"p{index}"
        trees[pid] = tree(4, list(order))
        order.append(pid)
    return trees, order
