"""The population generator: the bundled distribution, determinism, streaming, and
errors in distribution files that name the file, line, key and the nearest valid name."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from eligibility.errors import EligibilityError, InputError, ScenarioError, UsageError
from eligibility.population.distributions import generate, load_distribution
from eligibility.population.generate import scenario_id

from conftest import run_cli


@pytest.fixture(scope="module")
def default():
    return load_distribution("default")


def sample(distribution, count: int = 2000, seed: int = 11) -> list[dict]:
    return [facts for _, facts in distribution.generate(count, seed)]


def test_the_default_distribution_covers_every_fact(default, vocabulary) -> None:
    assert default.name == "default"
    assert sorted(default.fact_names()) == sorted(vocabulary.names())


def test_generated_facts_follow_the_vocabulary(default, vocabulary) -> None:
    for facts in sample(default, 1000):
        for name, value in facts.items():
            fact = vocabulary[name]
            if fact.type == "bool":
                assert isinstance(value, bool)
            elif fact.type == "int":
                assert isinstance(value, int) and fact.min <= value <= fact.max
            elif fact.type == "enum":
                assert value in fact.values
            else:
                assert isinstance(value, frozenset) and value <= set(fact.values)


def test_same_seed_same_scenarios_and_ids(default) -> None:
    first = list(default.generate(300, 5))
    assert first == list(default.generate(300, 5))
    assert first == list(generate(300, 5))  # the module-level helper
    assert [sid for sid, _ in first[:3]] == ["gen-5-0", "gen-5-1", "gen-5-2"]
    assert scenario_id(5, 299) == first[-1][0]
    assert first != list(default.generate(300, 6))


def test_any_slice_can_be_drawn_alone(default) -> None:
    """Workers draw index ranges: a slice equals the same part of the whole, and a
    population is a prefix of a larger one, so results cannot depend on --jobs."""
    whole = list(default.generate(200, 9))
    assert list(default.generate(50, 9, start=120)) == whole[120:170]
    assert whole == list(default.generate(400, 9))[:200]
    assert [default.facts(9, i) for i in reversed(range(200))] == [
        facts for _, facts in reversed(whole)
    ]


def test_generation_is_streamed(default) -> None:
    stream = default.generate(10**12, 1)  # nothing is drawn up front
    assert [sid for sid, _ in itertools.islice(stream, 3)] == ["gen-1-0", "gen-1-1", "gen-1-2"]


def test_correlations_hold(default) -> None:
    population = sample(default, 4000)
    both = [f for f in population if "age_now" in f and "age_at_victimization" in f]
    assert both and all(f["age_now"] >= f["age_at_victimization"] for f in both)
    for f in population:
        if f.get("citizenship") in ("us_citizen", "lawful_permanent_resident"):
            for name in (
                "bona_fide_t_application",
                "le_requested_continued_presence",
                "u_certification_signed",
                "continued_presence_granted",
                "t_le_declaration_signed",
            ):
                assert f.get(name) is not True, (name, f)
        if f.get("age_at_victimization", 0) >= 18:
            assert f.get("hhs_request_before_18") is not True
        if f.get("contacted_federal_law_enforcement") or f.get("u_certification_signed"):
            assert f.get("contacted_law_enforcement") is not False
        if f.get("continued_presence_granted"):
            assert f.get("le_requested_continued_presence") is not False

    def share(rows: list[dict], name: str) -> float:
        known = [f[name] for f in rows if name in f]
        return sum(known) / len(known)

    minors = [f for f in population if f.get("age_at_victimization", 99) < 18]
    adults = [f for f in population if f.get("age_at_victimization", 0) >= 18]
    assert share(minors, "commercial_sex_act") > share(adults, "commercial_sex_act") + 0.2
    contacted = [f for f in population if f.get("contacted_law_enforcement") is True]
    never = [f for f in population if f.get("contacted_law_enforcement") is False]
    assert share(contacted, "willing_to_assist") > share(never, "willing_to_assist") + 0.3
    assert (
        share(contacted, "helpful_to_law_enforcement")
        > share(never, "helpful_to_law_enforcement") + 0.3
    )


def test_unknown_answers_have_the_stated_shares(default) -> None:
    population = sample(default, 4000)
    known_citizenship = sum("citizenship" in f for f in population) / len(population)
    known_hardship = sum("extreme_hardship" in f for f in population) / len(population)
    assert 0.96 < known_citizenship <= 1.0  # unknown: 0.02
    assert 0.6 < known_hardship < 0.7  # unknown: 0.35
    assert any(len(f) < 31 for f in population) and any(len(f) == 31 for f in population)


# ------------------------------------------------------------------ distribution files

HEAD = "distribution: test\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dist.yaml"
    path.write_text(HEAD + textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_small_custom_distribution(tmp_path, vocabulary) -> None:
    path = write(
        tmp_path,
        """\
        unknown: 0
        latent:
          kind: {values: {a: 1, b: 1}}
        facts:
          age_at_victimization:
            ranges: [{from: 15, to: 17, weight: 1}]
          age_now:
            plus: age_at_victimization
            ranges: [{from: 0, to: 200, weight: 1}]   # clipped to the fact's max
          means:
            members: {coercion: 1}
            cases:
              - when: {kind: b, age_at_victimization: {ge: 15, lt: 17}}
                members: {coercion: 0, force: 1}
          citizenship:
            values: {noncitizen: 1}
            cases:
              - when: {means: force}
                unknown: 1
        """,
    )
    dist = load_distribution(path, vocabulary)
    population = [facts for _, facts in dist.generate(300, 2)]
    assert {f["age_at_victimization"] for f in population} == {15, 16, 17}
    assert all(f["age_at_victimization"] <= f["age_now"] <= 120 for f in population)
    forced = [f for f in population if f["means"] == {"force"}]
    assert forced and all("citizenship" not in f for f in forced)
    assert all(f["age_at_victimization"] < 17 for f in forced)
    assert all(f["citizenship"] == "noncitizen" for f in population if "citizenship" in f)


BAD = [
    (
        "facts:\n  age_at_victimisation: {ranges: [{from: 1, to: 2, weight: 1}]}\n",
        "dist.yaml:3: facts.age_at_victimisation: unknown fact (did you mean "
        "age_at_victimization?)",
    ),
    (
        "facts:\n  commercial_sex_act: {probability: 1.5}\n",
        "dist.yaml:3: facts.commercial_sex_act.probability: expected a probability from 0 "
        "to 1, got 1.5",
    ),
    (
        "facts:\n  commercial_sex_act: {probability: yes}\n",
        "facts.commercial_sex_act.probability: expected a number, got 'yes'",
    ),
    (
        "facts:\n  citizenship:\n    values: {noncitizen: 1, us_citzen: 2}\n",
        "dist.yaml:4: facts.citizenship.values.us_citzen: unknown value (did you mean us_citizen?)",
    ),
    (
        "facts:\n  means:\n    members: {coersion: 0.5}\n",
        "facts.means.members.coersion: unknown member (did you mean coercion?)",
    ),
    (
        "facts:\n  commercial_sex_act: {values: {a: 1}}\n",
        "facts.commercial_sex_act.values: unknown key; expected one of: cases, probability, "
        "unknown",
    ),
    (
        "facts:\n  commercial_sex_act: {probabilty: 0.5}\n",
        "facts.commercial_sex_act.probabilty: unknown key (did you mean probability?)",
    ),
    (
        "facts:\n  commercial_sex_act: {unknown: 0.5}\n",
        "facts.commercial_sex_act: missing required key `probability`",
    ),
    (
        "fact:\n  commercial_sex_act: {probability: 0.5}\n",
        "dist.yaml:2: fact: unknown key (did you mean facts?)",
    ),
    (
        "facts:\n  commercial_sex_act:\n    probability: 0.5\n    cases:\n"
        "      - when: {age_now: {lt: 18}}\n        probability: 1\n",
        "dist.yaml:6: facts.commercial_sex_act.cases[0].when.age_now: `age_now` is not a "
        "latent trait or a fact drawn above this one",
    ),
    (
        "facts:\n  age_now: {ranges: [{from: 1, to: 2, weight: 1}]}\n"
        "  commercial_sex_act:\n    probability: 0.5\n    cases:\n"
        "      - when: {age_now: {lt: 18, is: true}}\n        probability: 1\n",
        "cases[0].when.age_now.is: unknown test; an int fact takes: eq, lt, le, gt, ge",
    ),
    (
        "facts:\n  commercial_sex_act:\n    probability: 0.5\n    cases:\n"
        "      - when: {commercial_sex_act: true}\n",
        "`commercial_sex_act` is not a latent trait or a fact drawn above this one",
    ),
    (
        "facts:\n  age_now: {ranges: [{from: 20, to: 10, weight: 1}]}\n",
        "facts.age_now.ranges[0]: `from` (20) is greater than `to` (10)",
    ),
    (
        "facts:\n  age_now: {ranges: [{from: 20, to: 200, weight: 1}]}\n",
        "facts.age_now.ranges[0]: expected a range within 0..120, got 20..200",
    ),
    (
        "facts:\n  age_now: {ranges: [{from: 1, to: 2, wieght: 1}]}\n",
        "facts.age_now.ranges[0].wieght: unknown key (did you mean weight?)",
    ),
    (
        "facts:\n  citizenship: {values: {noncitizen: 0}}\n",
        "dist.yaml:3: facts.citizenship: every weight is 0: give at least one value a "
        "weight above 0",
    ),
    (
        "facts:\n  citizenship: {values: {noncitizen: -1}}\n",
        "facts.citizenship.values.noncitizen: expected a weight of 0 or more, got -1",
    ),
    (
        "facts:\n  citizenship: {values: {noncitizen: 1}}\n"
        "  age_now:\n    plus: citizenship\n    ranges: [{from: 1, to: 2, weight: 1}]\n",
        "facts.age_now.plus: `citizenship` is an enum fact, expected an int fact",
    ),
    (
        "latent:\n  citizenship: {values: {a: 1}}\nfacts:\n  incapacitated: {probability: 0}\n",
        "latent.citizenship: `citizenship` is a fact; a latent trait needs a name of its own",
    ),
    (
        "latent:\n  kind: {values: {a: 1}}\nfacts:\n  incapacitated:\n    probability: 0\n"
        "    cases:\n      - when: {kind: c}\n        probability: 1\n",
        "cases[0].when.kind: unknown value 'c'; expected one of: a",
    ),
    ("facts: []\n", "dist.yaml:2: facts: expected a mapping of fact names to distributions"),
    (
        "unknown: 2\nfacts:\n  incapacitated: {probability: 0}\n",
        "dist.yaml:2: unknown: expected a probability from 0 to 1, got 2",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_distribution_files_are_clear_errors(tmp_path, vocabulary, text, message) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_distribution(path, vocabulary)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_yaml_tricks_in_distribution_files_are_input_errors(tmp_path, vocabulary) -> None:
    path = write(
        tmp_path, "facts:\n  incapacitated: {probability: 0}\n  incapacitated: {probability: 1}\n"
    )
    with pytest.raises(InputError, match="duplicate key"):
        load_distribution(path, vocabulary)


def test_unknown_distribution_name_suggests_the_nearest(vocabulary) -> None:
    with pytest.raises(
        UsageError,
        match=r"unknown distribution 'defualt' \(did you mean "
        r"default\?\)",
    ):
        load_distribution("defualt", vocabulary)


def test_bad_distribution_on_the_command_line_exits_2(tmp_path) -> None:
    path = write(tmp_path, BAD[0][0])
    p = run_cli(
        "compare",
        "--rules",
        "us-law",
        "--rules",
        "us-law",
        "--generate",
        "5",
        "--distribution",
        str(path),
    )
    assert p.returncode == 2
    assert p.stdout == ""
    assert "Traceback" not in p.stderr
    assert p.stderr.startswith(
        f"error: {path}:3: facts.age_at_victimisation: unknown fact "
        f"(did you mean age_at_victimization?)"
    )
    p = run_cli(
        "compare",
        "--rules",
        "us-law",
        "--rules",
        "us-law",
        "--generate",
        "5",
        "--distribution",
        "defualt",
    )
    assert p.returncode == 2 and "did you mean default?" in p.stderr


def test_errors_are_eligibility_errors() -> None:
    assert issubclass(ScenarioError, EligibilityError) and issubclass(ScenarioError, ValueError)
