"""The Python API (`eligibility.load_rules`, `evaluate`, `evaluate_frame`): every engine
gives the same answer to every valid input, in any of the forms a notebook holds it
(numpy scalars, NaN for unknown, lists, tuples or `a;b` text for sets), and no bad input
reaches an engine."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eligibility
from eligibility.errors import ScenarioError, UsageError
from eligibility.law.registry import Registry

import strategies
from conftest import examples

REGISTRY = Registry()
VOCABULARY = REGISTRY.vocabulary
BOOKS = {name: REGISTRY.load(name) for name in ("us-law", "rights-based-2007")}
ENGINES = ("durable", "python", "vector")


@st.composite
def api_form(draw: st.DrawFn, name: str, value: object) -> object:
    """`value` of fact `name` as a notebook might hold it."""
    kind = VOCABULARY[name].type
    if kind == "bool":
        return draw(st.sampled_from([value, np.bool_(value)]))
    if kind == "int":
        return draw(st.sampled_from([value, np.int64(value), np.int32(value), float(value)]))
    if kind == "enum":
        return draw(st.sampled_from([value, np.str_(value)]))
    ordered = [m for m in VOCABULARY[name].values if m in value]
    return draw(
        st.sampled_from(
            [value, ordered, tuple(ordered), np.array(ordered, dtype=object)]
            + ([";".join(ordered)] if ordered else ["none"])
        )
    )


@st.composite
def api_facts(draw: st.DrawFn) -> tuple[dict, dict]:
    """(facts as validated, the same facts in notebook forms, unknowns as None or NaN)."""
    facts = draw(strategies.facts(VOCABULARY))
    forms = {name: draw(api_form(name, value)) for name, value in facts.items()}
    for name in draw(st.sets(st.sampled_from(VOCABULARY.names()), max_size=4)):
        if name not in facts:
            forms[name] = draw(st.sampled_from([None, math.nan]))
    return facts, forms


def comparable(result) -> dict:
    document = result.to_dict()
    document.pop("engine")
    return document


@pytest.mark.parametrize("rule_set", sorted(BOOKS))
@given(pair=api_facts(), date=strategies.dates)
@settings(max_examples=examples(120))
def test_every_engine_gives_the_same_result_for_every_form(rule_set, pair, date) -> None:
    facts, forms = pair
    book = BOOKS[rule_set]
    results = [eligibility.evaluate(forms, rules=book, as_of=date, engine=e) for e in ENGINES]
    assert all(r.facts == facts for r in results)
    first = comparable(results[0])
    assert all(comparable(r) == first for r in results[1:])


@given(
    cases=st.lists(
        st.tuples(api_facts(), st.one_of(st.none(), strategies.dates)), min_size=1, max_size=12
    ),
    rule_set=st.sampled_from(sorted(BOOKS)),
)
@settings(max_examples=examples(60))
def test_frames_give_the_same_rows_on_every_engine(cases, rule_set) -> None:
    rows = [{**forms, "as_of": date.isoformat() if date else None} for (_, forms), date in cases]
    book = BOOKS[rule_set]
    answers = {e: eligibility.evaluate_frame(rows, rules=book, engine=e) for e in ENGINES}
    assert answers["vector"] == answers["python"] == answers["durable"]
    today = dt.date.today().isoformat()
    for ((facts, _), date), row in zip(cases, answers["python"], strict=True):
        one = eligibility.evaluate(facts, rules=book, as_of=date, engine="python")
        assert row["as_of"] == (date.isoformat() if date else today)
        for pid, provision in one.provisions.items():
            assert row[f"{pid}.status"] == provision.status
            assert row[f"{pid}.law_enforcement"] == provision.law_enforcement


BOOL_FACTS = [n for n in VOCABULARY.names() if VOCABULARY[n].type == "bool"]
ENUM_FACTS = [n for n in VOCABULARY.names() if VOCABULARY[n].type == "enum"]


@given(
    name=st.sampled_from(BOOL_FACTS),
    text=st.sampled_from(["no", "yes", "true", "False", "0", "1", ""]) | st.text(max_size=5),
)
@settings(max_examples=examples(100))
def test_text_for_a_bool_never_reaches_an_engine(name, text) -> None:
    with pytest.raises(ScenarioError, match=rf"^{name}: expected true or false, got "):
        eligibility.evaluate({name: text}, rules=BOOKS["us-law"], engine="python")


@given(name=st.sampled_from(ENUM_FACTS), text=st.text(min_size=1, max_size=12))
@settings(max_examples=examples(100))
def test_a_value_outside_an_enum_is_refused_with_the_values(name, text) -> None:
    if text in VOCABULARY[name].values:
        return
    with pytest.raises(ScenarioError) as caught:
        eligibility.evaluate({name: text}, rules=BOOKS["us-law"], engine="python")
    assert str(caught.value).startswith(f"{name}: unknown {name} value ")
    assert "expected one of: " + ", ".join(VOCABULARY[name].values) in str(caught.value)


def test_the_wrong_spelling_of_an_enum_gets_a_suggestion() -> None:
    with pytest.raises(ValueError, match=r"\(did you mean noncitizen\?\)"):
        eligibility.evaluate({"citizenship": "Noncitizen"}, rules=BOOKS["us-law"])


def test_rules_by_name_or_path_and_dates_as_text() -> None:
    overlay = REGISTRY.bundled()["example-u-certifier-reform"]
    book = eligibility.load_rules(overlay)
    assert book.name == "example-u-certifier-reform"
    result = eligibility.evaluate({}, rules=str(overlay), as_of="2010-01-01", engine="python")
    assert result.rule_set == book.name and result.as_of == dt.date(2010, 1, 1)
    with pytest.raises(UsageError, match=r"unknown rule set 'us_law' \(did you mean us-law\?\)"):
        eligibility.load_rules("us_law")
    with pytest.raises(UsageError, match=r"^as_of: expected a date YYYY-MM-DD, got '2010-1-1'"):
        eligibility.evaluate({}, as_of="2010-1-1")
    with pytest.raises(ScenarioError, match="expected a mapping of fact names"):
        eligibility.evaluate(["age_now"])  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match=r"^row 1: expected a mapping"):
        eligibility.evaluate_frame([{}, 3])
    with pytest.raises(UsageError, match=r"unknown engine 'vectr' \(did you mean vector\?\)"):
        eligibility.evaluate_frame([{}], engine="vectr")


def test_a_data_frame_comes_back_with_its_index() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "id": ["a-1", "a-2", "a-3"],
            "age_now": [16, None, 40],
            "citizenship": ["noncitizen", None, "us_citizen"],
            "means": [["coercion"], None, "force;fraud"],
            "potential_witness": [True, None, False],
            "w": [1.0, 2.0, 0.5],
        },
        index=["x", "y", "z"],
    )
    out = eligibility.evaluate_frame(frame, rules=BOOKS["us-law"], as_of="2020-01-01", weight="w")
    assert list(out.index) == ["x", "y", "z"]
    assert list(out.columns[:4]) == ["id", "as_of", "w", "severe_trafficking.status"]
    assert list(out["w"]) == [1.0, 2.0, 0.5] and out.attrs["rule_set"] == "us-law"
    rows = eligibility.evaluate_frame(
        frame.to_dict("records"), rules=BOOKS["us-law"], as_of="2020-01-01", weight="w"
    )
    assert out.reset_index(drop=True).to_dict("records") == rows
    bad = frame.assign(potential_witness=["no", None, False])
    with pytest.raises(ScenarioError, match=r"^row x: potential_witness: expected true or false"):
        eligibility.evaluate_frame(bad, rules=BOOKS["us-law"], weight="w")
    with pytest.raises(
        ScenarioError, match=r"^w: unknown column; .*to weigh the cases by a column, name it"
    ):
        eligibility.evaluate_frame(frame, rules=BOOKS["us-law"])
