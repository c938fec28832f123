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
