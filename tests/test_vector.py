"""The column-wise engine against the reference evaluator, and the column-wise
generator and comparison against generate.py and compare().

Per case and per node: the same statuses, the same statuses in the two law-enforcement
worlds, the same dependency level (analysis/dependency.py) and the same missing facts
and open questions, at every amendment date of us-law, rights-based-2007 and the example
overlay, on generated populations and on Hypothesis-drawn batches. Per comparison: the
same summary as `compare(..., engine="python")` (transitions, examples, gating, the
conditions responsible), plus dependency-level counts that agree with the evaluator.
"""

from __future__ import annotations

import bisect
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from eligibility.analysis import dependency as dependency_module
from eligibility.analysis.dependency import dependency
from eligibility.analysis.evaluate import Evaluator
from eligibility.engine import ENGINE_NAMES, engine_class
from eligibility.engine.reference import PythonEngine
from eligibility.engine.vector import LEVEL_NAMES, Codec, VectorEngine, mask_bits
from eligibility.errors import UsageError
from eligibility.law.conditions import UNDETERMINED, build_plan
from eligibility.law.rulebook import default_registry
from eligibility.law.scenarios import Scenario
from eligibility.population.columns import (
    BLOCK,
    STREAM_KEY,
    ColumnGenerator,
    codec_of,
    column_scenario_id,
    parse_column_id,
)
from eligibility.population.compare import compare
from eligibility.population.generate import _pick, load_distribution
from eligibility.population.vector_compare import compare_columns

import strategies
from conftest import examples, sampled

REGISTRY = default_registry()
VOCABULARY = REGISTRY.vocabulary
REFORM = str(
    Path(__file__).resolve().parent.parent / "rules/reforms/example-u-certifier-reform.yaml"
)
RULE_SETS = ("us-law", "rights-based-2007", REFORM)
BOOKS = {name: REGISTRY.load(name) for name in RULE_SETS}
ENGINE = VectorEngine(
    {n: VOCABULARY[n].type for n in VOCABULARY},
    {n: tuple(VOCABULARY[n].values) for n in VOCABULARY},
)
GENERATOR = ColumnGenerator(load_distribution("default", VOCABULARY), VOCABULARY)
TODAY = dt.date(2025, 6, 1)


def amendment_dates() -> list[tuple[str, dt.date]]:
    """Every amendment date of each rule set, and the day before its first."""
    out = []
    for name, book in BOOKS.items():
        dates = book.change_dates
        out.append((name, dates[0] - dt.timedelta(days=1)))
        out.extend((name, date) for date in dates)
    return out


# ------------------------------------------------------------------ the engine


def check_batch(book, date: dt.date, batch, facts_list: list[dict]) -> None:
    """Every case of `batch` (whose facts are `facts_list`) against the reference."""
    check_plan(book.at(date).plan, batch, facts_list, f"{book.name} at {date}")


def check_plan(plan, batch, facts_list: list[dict], label: str) -> None:
    evaluation = ENGINE.compile(plan).evaluate(batch)
    nodes = range(len(plan.nodes))
    stated = np.stack([evaluation.status(i) for i in nodes])
    favourable = np.stack([evaluation.status(i, evaluation.favourable) for i in nodes])
    unfavourable = np.stack([evaluation.status(i, evaluation.unfavourable) for i in nodes])
    roots = {pid: plan.roots[pid] for pid in plan.provisions}
    levels = {pid: evaluation.levels(root) for pid, root in roots.items()}
    missing = {pid: evaluation.missing(root) for pid, root in roots.items()}
    names = ENGINE.codec.names
    questions = ENGINE.compile(plan).questions
    for row, facts in enumerate(facts_list):
        where = f"{label}, case {row}: {facts}"
        statuses = plan.evaluate(facts)
        assert stated[:, row].tolist() == statuses, where
        fav, unfav = plan.world_overrides(facts)
        worlds = [
            plan.evaluate_world(facts, changes, statuses) if changes is not None else None
            for changes in (fav, unfav)
        ]
        for world, table in zip(worlds, (favourable, unfavourable), strict=True):
            assert table[:, row].tolist() == (world if world is not None else statuses), where
        for pid, root in roots.items():
            expected = dependency(plan, root, statuses, worlds[0], worlds[1], facts).level
            assert LEVEL_NAMES[levels[pid][row]] == expected, (pid, where)
            facts_missing, open_questions = plan.missing(statuses, root)
            fact_mask, question_mask = (mask_bits(m[row]) for m in missing[pid])
            assert {n for i, n in enumerate(names) if fact_mask >> i & 1} == set(facts_missing), (
                pid,
                where,
            )
            assert {q for i, q in enumerate(questions) if question_mask >> i & 1} == set(
                open_questions
            ), (pid, where)
            if statuses[root] != UNDETERMINED:
                assert fact_mask == question_mask == 0


@pytest.mark.parametrize(
    "rules_date", sampled(amendment_dates(), every=3, ids=lambda pair: f"{pair[0]}-{pair[1]}")
)
def test_generated_populations_at_every_amendment_date(rules_date) -> None:
    rules, date = rules_date
    seed = date.toordinal()  # another population at every date
    batch = GENERATOR.draw(seed, 0, 250)
    check_batch(BOOKS[rules], date, batch, [batch.facts(row) for row in range(batch.count)])


@pytest.mark.parametrize("rules", RULE_SETS, ids=str)
@given(
    facts_list=st.lists(strategies.facts(VOCABULARY), min_size=1, max_size=12),
    date=strategies.dates,
)
@example(facts_list=[{}], date=dt.date(2025, 6, 1))
@example(facts_list=[{}], date=dt.date(1999, 12, 31))
@settings(max_examples=examples(60))
def test_drawn_batches_equal_the_reference(rules, facts_list, date) -> None:
    check_batch(BOOKS[rules], date, ENGINE.codec.encode(facts_list), facts_list)


def test_a_batch_mixing_generated_cases_and_edge_cases() -> None:
    """Every law-enforcement fact at each value, unknown included, beside generated
    cases: the favourable world changes some rows and not others."""
    dependency_facts = list(VOCABULARY.dependency_facts())
    base = GENERATOR.draw(3, 0, 40)
    facts_list = [base.facts(row) for row in range(base.count)]
    for value in (True, False, None):
        for row in range(5):
            facts = dict(facts_list[row])
            for name in dependency_facts:
                facts.pop(name, None)
                if value is not None:
                    facts[name] = value
            facts_list.append(facts)
    for rules in RULE_SETS:
        for date in (dt.date(2002, 6, 1), TODAY):
            check_batch(BOOKS[rules], date, ENGINE.codec.encode(facts_list), facts_list)


@pytest.mark.slow
@given(
    trees=strategies.condition_trees(VOCABULARY),
    facts_list=st.lists(strategies.facts(VOCABULARY), min_size=1, max_size=8),
)
@settings(max_examples=examples(300))
def test_any_condition_tree_equals_the_reference(trees, facts_list) -> None:
    """Every kind and operator, `not` above law-enforcement facts, favourable false."""
    plan = build_plan(trees[0], trees[1], strategies.TREE_DEPENDENCIES)
    check_plan(plan, ENGINE.codec.encode(facts_list), facts_list, "tree")
    for facts in facts_list:
        worlds = plan.world_overrides(facts)
        expected = PythonEngine().evaluate(plan, facts, worlds)
        assert ENGINE.evaluate(plan, facts, worlds) == expected


@pytest.mark.parametrize("rules", RULE_SETS, ids=str)
@given(facts=strategies.facts(VOCABULARY), date=strategies.dates)
@settings(max_examples=examples(80))
def test_the_per_case_interface_equals_the_reference(rules, facts, date) -> None:
    """`evaluate(plan, facts, worlds)`, a batch of one row per world, and whole results."""
    plan = BOOKS[rules].at(date).plan
    worlds = plan.world_overrides(facts)
    assert ENGINE.evaluate(plan, facts, worlds) == PythonEngine().evaluate(plan, facts, worlds)
    vector = Evaluator(BOOKS[rules], "vector").evaluate(facts, date, "case").to_dict()
    python = Evaluator(BOOKS[rules], "python").evaluate(facts, date, "case").to_dict()
    assert vector.pop("engine") == "vector"
    python.pop("engine")
    assert vector == python


def test_the_engine_is_registered() -> None:
    assert "vector" in ENGINE_NAMES
    assert engine_class("vector") is VectorEngine


def test_level_names_are_those_of_the_dependency_module() -> None:
    assert LEVEL_NAMES == dependency_module.LEVELS


@given(facts=strategies.facts(VOCABULARY))
def test_facts_survive_the_columns(facts) -> None:
    codec = Codec(
        {n: VOCABULARY[n].type for n in VOCABULARY},
        {n: tuple(VOCABULARY[n].values) for n in VOCABULARY},
    )
    batch = codec.encode([facts, {}, facts])
    assert batch.facts(0) == facts == batch.facts(2)
    assert batch.facts(1) == {}


# ------------------------------------------------------------------ the generator


class ReferenceDraw:
    """Stream columns-1 drawn one case at a time with generate.py's own pieces (its
    parsed `when` tests, parameters and `_pick`): the oracle for the columns."""

    def __init__(self, generator: ColumnGenerator) -> None:
        self.generator = generator
        self.blocks: dict[tuple[int, int], np.ndarray] = {}

    def block(self, seed: int, block: int) -> np.ndarray:
        """The words of a block, as columns.py's docstring defines them."""
        slots = self.generator.slot_count
        raw = np.random.SFC64(np.random.SeedSequence([STREAM_KEY, seed, block])).random_raw(
            -(-slots // 2) * BLOCK
        )
        return raw.astype("<u8").view("<u4").reshape(-1, BLOCK)[:slots]

    def facts(self, seed: int, index: int) -> dict:
        key = (seed, index // BLOCK)
        if key not in self.blocks:
            self.blocks[key] = self.block(*key)
        words = self.blocks[key][:, index % BLOCK]
        truth: dict = {}
        known: dict = {}
        for drawn in self.generator.drawn:
            var = drawn.variable
            params = var.base
            for test, case in var.cases:
                if test(truth):
                    params = case
                    break

            def u(slot: str, drawn=drawn) -> float:
                return int(words[drawn.slots[slot]]) / 2**32

            if var.kind == "bool":
                value = u("value") < params.probability
            elif var.kind == "set":
                value = frozenset(m for m, p in params.members if u(f"member:{m}") < p)
            elif var.kind == "int":
                low, high = _pick(params, lambda: u("range"))
                value = low + int(u("value") * (high - low + 1))
                if params.plus is not None:
                    value += truth[params.plus]
                value = min(max(value, var.low), var.high)
            else:
                cumulative = params.cumulative
                value = params.choices[bisect.bisect_right(cumulative, u("value") * cumulative[-1])]
            truth[var.name] = value
            if var.kind != "latent" and not u("unknown") < params.unknown:
                known[var.name] = value
        return known


REFERENCE = ReferenceDraw(GENERATOR)


@given(
    seed=st.integers(min_value=0, max_value=2**40),
    start=st.integers(min_value=0, max_value=3 * BLOCK),
    count=st.integers(min_value=1, max_value=200),
)
@example(seed=0, start=BLOCK - 3, count=6)  # across a block boundary
@settings(max_examples=examples(25))
def test_columns_are_the_documented_stream(seed, start, count) -> None:
    batch = GENERATOR.draw(seed, start, count)
    for row in range(count):
        assert batch.facts(row) == REFERENCE.facts(seed, start + row), start + row


def test_any_slice_is_the_same_cases_and_one_case_regenerates() -> None:
    whole = GENERATOR.draw(11, 0, 5 * BLOCK + 7)  # more than one piece of four blocks
    part = GENERATOR.draw(11, 4 * BLOCK - 5, BLOCK + 9)
    for row in range(part.count):
        assert part.facts(row) == whole.facts(4 * BLOCK - 5 + row)
    sid = column_scenario_id(11, 5 * BLOCK + 2)
    assert sid == f"col-11-{5 * BLOCK + 2}"
    seed, index = parse_column_id(sid)
    assert GENERATOR.facts(seed, index) == whole.facts(5 * BLOCK + 2)
    assert parse_column_id("gen-11-3") is None
    assert GENERATOR.draw(12, 0, 50).facts(0) != whole.facts(0) or (
        GENERATOR.draw(12, 0, 50).facts(1) != whole.facts(1)
    )


def test_generated_facts_follow_the_vocabulary() -> None:
    batch = GENERATOR.draw(5, 0, 2000)
    for row in range(batch.count):
        facts = batch.facts(row)
        for name, value in facts.items():
            fact = VOCABULARY[name]
            if fact.type == "int":
                assert fact.min <= value <= fact.max
            elif fact.type == "enum":
                assert value in fact.values
            elif fact.type == "set":
                assert value <= set(fact.values)
            else:
                assert isinstance(value, bool)
        if "age_now" in facts and "age_at_victimization" in facts:
            assert facts["age_now"] >= facts["age_at_victimization"]


SET_WHEN = """\
distribution: set-when
unknown: 0.2
latent:
  kind: {values: {a: 1, b: 3}}
facts:
  qualifying_crimes:
    members: {rape: 0.3, kidnapping: 0.2, other: 0.5}
  age_at_victimization:
    ranges: [{from: 10, to: 20, weight: 1}, {from: 30, to: 40, weight: 1}]
    cases:
      - when: {kind: a}
        ranges: [{from: 12, to: 14, weight: 1}]
  age_now:
    plus: age_at_victimization
    ranges: [{from: 0, to: 200, weight: 1}]
  citizenship:
    values: {noncitizen: 1, us_citizen: 1}
    cases:
      - when: {age_at_victimization: {lt: 13}, kind: [a]}
        values: {us_citizen: 1}
  crime_in_us:
    probability: 0.1
    cases:
      - when: {qualifying_crimes: [rape, kidnapping]}
        probability: 0.9
        unknown: 0
  incapacitated:
    probability: 0.5
    cases:
      - when: {crime_in_us: true}
        probability: 0.0
"""


def test_a_custom_distribution_with_tests_on_sets_ints_and_traits(tmp_path) -> None:
    """`when` on a set of 29 values (too many combinations for a table), on an int and
    a trait together, `plus` beyond the fact's maximum: still the documented stream."""
    path = tmp_path / "set-when.yaml"
    path.write_text(SET_WHEN, encoding="utf-8")
    generator = ColumnGenerator(load_distribution(path, VOCABULARY), VOCABULARY)
    reference = ReferenceDraw(generator)
    batch = generator.draw(2, BLOCK - 300, 600)
    seen_crime = set()
    for row in range(batch.count):
        facts = batch.facts(row)
        assert facts == reference.facts(2, BLOCK - 300 + row)
        if "crime_in_us" in facts and facts.get("qualifying_crimes", frozenset()) & {
            "rape",
            "kidnapping",
        }:
            seen_crime.add(facts["crime_in_us"])
    assert seen_crime == {True, False}  # both branches of the set test were drawn


# ------------------------------------------------------------------ the comparison


def people(count: int, seed: int, *, dated: bool = False) -> list[Scenario]:
    dates = sorted({d for book in BOOKS.values() for d in book.change_dates})
    out = []
    for index, (sid, facts) in enumerate(GENERATOR.generate(count, seed)):
        as_of = dates[index % len(dates)] if dated else None
        out.append(Scenario(sid, facts, as_of=as_of))
    return out


def summary(comparison) -> dict:
    document = comparison.to_dict()
    document.pop("engine")
    document.pop("population")
    for side in ("a", "b"):
        document[side].pop("as_of")  # a generated run names the date it used
    for entry in document["provisions"].values():
        entry.pop("law_enforcement", None)
        for side in entry["headline"].values():  # only a generated sample has intervals
            side.pop("interval", None)
            for share in side.values():
                if isinstance(share, dict):
                    share.pop("ci95", None)
    return document


PAIRS = [
    ("us-law", "rights-based-2007"),
    ("us-law@2002-06-01", "us-law@2004-01-01"),
    ("us-law@2000-01-01", "us-law@2025-06-01"),  # provisions not yet in force on side A
    ("us-law", REFORM),
]


@pytest.mark.slow
@pytest.mark.parametrize(("a", "b"), PAIRS, ids=str)
def test_the_summary_equals_the_reference_compare(a, b) -> None:
    population = people(3000, 21)
    reference = compare(a, b, scenarios=population, engine="python", today=TODAY)
    listed = compare_columns(a, b, scenarios=population, today=TODAY, chunk=700)
    generated = compare_columns(a, b, generate=3000, seed=21, today=TODAY)
    assert summary(listed) == summary(reference)
    assert summary(generated) == summary(reference)
    assert reference.changed() > 0 or a == b
    assert generated.to_dict()["population"] == {
        "scenarios": 3000,
        "source": "generated",
        "seed": 21,
        "distribution": "default",
        "distribution_file": str(Path(GENERATOR.distribution.path).resolve()),
        "stream": "columns-1",
    }


@pytest.mark.slow
def test_scenarios_with_their_own_dates_are_grouped_by_the_law_in_force() -> None:
    population = people(1500, 4, dated=True)
    for a, b in (("us-law", "rights-based-2007"), ("us-law", "us-law@2010-01-01")):
        reference = compare(a, b, scenarios=population, engine="python", today=TODAY)
        vector = compare_columns(a, b, scenarios=population, today=TODAY, chunk=400)
        assert summary(vector) == summary(reference)


def test_dependency_levels_agree_with_the_evaluator() -> None:
    population = people(800, 8, dated=True)
    comparison = compare_columns("us-law", "rights-based-2007", scenarios=population)
    document = comparison.to_dict()["provisions"]
    for s, rules in enumerate(("us-law", "rights-based-2007")):
        evaluator = Evaluator(REGISTRY.load(rules), "python")
        counts: dict[str, dict[str, int]] = {}
        for person in population:
            result = evaluator.evaluate(person.facts, person.as_of or TODAY)
            for pid, provision in result.provisions.items():
                level = counts.setdefault(pid, dict.fromkeys(LEVEL_NAMES, 0))
                level[provision.law_enforcement] += 1
        side = "ab"[s]
        for pid, expected in counts.items():
            found = {k: v["count"] for k, v in document[pid]["law_enforcement"][side].items()}
            assert found == expected, (rules, pid)
            assert found["gated"] == document[pid]["law_enforcement_gated"][side]["count"]
    assert any(
        entry["law_enforcement"]["a"]["possibly_gated"]["count"] for entry in document.values()
    )
    assert any(entry["law_enforcement"]["a"]["relies_on"]["count"] for entry in document.values())


def test_results_do_not_depend_on_jobs_or_chunks() -> None:
    one = compare_columns("us-law", "rights-based-2007", generate=5000, seed=3, today=TODAY)
    two = compare_columns(
        "us-law", "rights-based-2007", generate=5000, seed=3, today=TODAY, jobs=2, chunk=600
    )
    assert one.to_dict() == two.to_dict()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"generate": 0}, "1 or more"),
        ({"generate": 5, "seed": -1}, "seed"),
        ({}, "either scenarios or"),
        ({"generate": 5, "jobs": 0}, "jobs"),
    ],
)
def test_usage_errors(kwargs, message) -> None:
    with pytest.raises(UsageError, match=message):
        compare_columns("us-law", "rights-based-2007", **kwargs)


def test_codec_of_the_vocabulary_is_the_engines() -> None:
    assert codec_of(VOCABULARY).names == ENGINE.codec.names == tuple(VOCABULARY.names())
