"""The invariant language (rules/invariants.yaml) and its runner (eligibility/invariants.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eligibility.analysis.invariants import FORMS, Invariant, InvariantChecker, load_invariants
from eligibility.analysis.invariants.forms import Example
from eligibility.errors import RuleError
from eligibility.law import yamlfile
from eligibility.law.logic import MET, NOT_MET, UNDETERMINED
from eligibility.law.registry import Registry, bundled_rules_dir
from eligibility.law.scenarios import parse_scenario

from conftest import DATA

CHECK = DATA / "check"
BROKEN = DATA / "broken-t-visa.yaml"
BUNDLED = bundled_rules_dir() / "invariants.yaml"


@pytest.fixture(scope="module")
def load():
    registry = Registry(bundled_rules_dir())
    return lambda name: registry.load(name if "/" not in name else str(name))


def checker(book, path: Path | str = BUNDLED, examples: int = 0, **options):
    invariants = load_invariants(path, book)
    return InvariantChecker(
        book,
        invariants.assumptions,
        engine="python",
        examples=examples,
        invariants=invariants.invariants,
        **options,
    ), invariants.invariants


def by_id(invariants: list[Invariant], iid: str) -> Invariant:
    return next(i for i in invariants if i.id == iid)


# ------------------------------------------------------------------- the file


def test_bundled_invariants_are_complete_and_readable(us_law) -> None:
    loaded = load_invariants(BUNDLED, us_law)
    ids = [i.id for i in loaded.invariants]
    assert len(ids) == len(set(ids)) >= 10
    assert {i.form for i in loaded.invariants} == set(FORMS)
    for invariant in loaded.invariants:
        assert invariant.text.strip() and (invariant.citation or invariant.why)
        assert invariant.origin[0].endswith("invariants.yaml") and invariant.origin[1]
    # some hold only for some rule sets
    assert by_id(loaded.invariants, "u-visa-requires-certification").rule_sets == ("us-law",)
    assert [a.id for a in loaded.assumptions] == ["age-order"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "invariants.yaml"
    path.write_text(text)
    return path


GOOD = """
  - id: x
    text: something
    why: because
"""


@pytest.mark.parametrize(
    "body, message",
    [
        (
            GOOD + "    if: {provision: t_visa, is: met}\n    then: {fact: extreme_hardshp}\n",
            r"invariants.yaml:7: invariants\[0\].then.fact: unknown fact 'extreme_hardshp' "
            r"\(did you mean extreme_hardship\?\)",
        ),
        (
            GOOD + "    then: {provision: t_visa, is: mett}\n",
            r"invariants\[0\].then.is: unknown status 'mett' \(did you mean met\?\)",
        ),
        (GOOD + "    then: {provision: t_visa}\n", "say what to test of t_visa"),
        (
            GOOD
            + "    then: {provision: t_visa, is: met}\n    unaffected_by: {facts: [age_now]}\n",
            "needs exactly one of then, unaffected_by",
        ),
        (
            "  - id: x\n    text: t\n    then: {provision: t_visa, is: met}\n",
            "invariant x: give a `citation` or a `why`",
        ),
        (
            GOOD + "    if: {provision: t_visa, is: met}\n    unaffected_by: {facts: [age_now]}\n",
            "`if` goes with `then`",
        ),
        (
            GOOD + "    never_worse_when: [{facts: [age_now], from: 3, to: lower}]\n",
            "a change of int facts takes only `to`",
        ),
        (
            GOOD + "    never_worse_when: [{facts: [age_now, means], to: lower}]\n",
            "one change selects facts of one type",
        ),
        (
            GOOD + "    never_worse_when: [{dependency: cooperation, from: true, to: true}]\n",
            "`from` and `to` are the same value",
        ),
        (
            GOOD + "    never_worse_when: [{dependency: coperation, from: false, to: true}]\n",
            r"unknown dependency tag 'coperation' \(did you mean cooperation\?\)",
        ),
        (
            GOOD + "    then: {fact: means, lt: {fact: age_now}}\n",
            "`lt` does not apply to set fact means",
        ),
        (
            GOOD + "    then: {fact: citizenship, eq: {fact: age_now}}\n",
            "only whole-number facts can be compared",
        ),
        (
            GOOD + "    unaffected_by: {facts: [age_now], to: lower}\n",
            "`unaffected_by` selects facts",
        ),
        (
            GOOD + "    explained_by_missing_facts: false\n",
            "write `explained_by_missing_facts: true`",
        ),
        (
            GOOD
            + "    then: {provision: t_visa, is: met}\n"
            + GOOD.replace("x\n", "x\n", 1)
            + "    then: {provision: t_visa, is: met}\n",
            "invariant id x is used twice",
        ),
        (
            GOOD + "    rule_sets: us-law\n    then: {provision: t_visa, is: met}\n",
            "expected a list of rule set names",
        ),
    ],
)
def test_mistakes_are_reported_with_file_line_and_key(tmp_path, us_law, body, message) -> None:
    path = write(tmp_path, "invariants:\n" + body)
    with pytest.raises(RuleError, match=message):
        load_invariants(path, us_law)


def test_an_assumption_may_not_test_provisions(tmp_path, us_law) -> None:
    path = write(
        tmp_path,
        "assumptions:\n  - id: a\n    text: t\n    holds: "
        "{provision: t_visa, is: met}\ninvariants: []\n",
    )
    with pytest.raises(RuleError, match="an assumption tests facts only"):
        load_invariants(path, us_law)


# ------------------------------------------------------------------ tests' logic


def test_fact_tests_are_three_valued(us_law, tmp_path) -> None:
    path = write(
        tmp_path,
        "invariants:\n" + GOOD + "    then:\n      all:\n"
        "        - {fact: u_certification_signed, is: true}\n"
        "        - {fact: age_at_victimization, le: {fact: age_now}}\n"
        "        - {fact: means, any_of: [force]}\n"
        "        - {fact: hhs_request_before_18, known: false}\n",
    )
    test = load_invariants(path, us_law).invariants[0].then
    assert test.evaluate({}, None) == UNDETERMINED
    complete = {
        "u_certification_signed": True,
        "age_at_victimization": 16,
        "age_now": 17,
        "means": frozenset({"force", "fraud"}),
    }
    assert test.evaluate(complete, None) == MET
    assert test.evaluate({**complete, "age_now": 15}, None) == NOT_MET
    assert test.evaluate({**complete, "hhs_request_before_18": False}, None) == NOT_MET
    assert test.describe() == (
        "(u_certification_signed is true and age_at_victimization "
        "<= age_now and means includes any of [force] and "
        "hhs_request_before_18 is unknown)"
    )


def test_provision_tests_read_the_result(us_law) -> None:
    c, invariants = checker(us_law)
    from eligibility.law.scenarios import load_scenario

    facts = load_scenario(DATA / "contract" / "contract-minor-2002.yaml", us_law.vocabulary).facts
    result = c.evaluate(facts, dt.date(2002, 6, 1))  # LEGAL-BRIEF 8, gating: scenario 1
    from eligibility.analysis.invariants import Test

    assert (
        Test("provision", provision="t_visa", statuses=frozenset({"not_met"}), gated=True).evaluate(
            facts, result
        )
        == MET
    )
    assert (
        Test("provision", provision="minor_eligibility_letter", gated=True).evaluate(facts, result)
        == NOT_MET
    )


# ------------------------------------------------------------------- the runner


def test_rule_sets_filter(load) -> None:
    c, invariants = checker(load("rights-based-2007"))
    outcome = c.check(by_id(invariants, "u-visa-requires-certification"))
    assert outcome.status == "skipped" and outcome.reason == "holds only for us-law"


def test_dates_window(tmp_path, us_law) -> None:
    path = write(
        tmp_path,
        "invariants:\n" + GOOD + "    dates: {until: 2000-10-28}\n"
        "    then:\n      all:\n"
        + "".join(f"        - {{provision: {p}, is: not_met}}\n" for p in us_law.sources),
    )
    c, (invariant,) = checker(us_law, path, examples=20)
    assert c.check(invariant).status == "passed"  # nothing exists before TVPA 2000
    late = InvariantChecker(us_law, engine="python", as_of=dt.date(2001, 1, 1))
    assert late.check(invariant).status == "skipped"


def test_the_broken_overlay_fails_with_a_minimal_counterexample(load) -> None:
    book = load(str(BROKEN))
    c, invariants = checker(book)
    invariant = by_id(invariants, "severe-form-required")
    outcome = c.check(invariant)
    assert outcome.status == "failed"
    found = outcome.counterexample
    assert found.date == dt.date(2024, 8, 28)  # the sweep tries today's law first
    result = c.evaluate(found.facts, found.date)
    assert result.status("t_visa") == "met" and result.status("severe_trafficking") != "met"
    # 1-minimal: leaving out any one fact makes the failure go away
    for name in found.facts:
        fewer = {k: v for k, v in found.facts.items() if k != name}
        assert c.forms.check_then(invariant, Example(found.date, fewer)) is None, name
    # the printed document is a valid scenario file with the same facts and date
    ((label, document),) = found.documents
    scenario = parse_scenario(yamlfile.parse_text(document, "c.yaml"), book.vocabulary)
    assert label == "scenario" and scenario.facts == found.facts
    assert scenario.as_of == found.date and scenario.id == "counterexample-severe-form-required"


def test_hypothesis_alone_finds_and_shrinks_it(load, monkeypatch) -> None:
    """Without the sweep, the generated scenarios (steered toward each status of each
    provision) still find the broken T visa, and Hypothesis shrinks the scenario."""
    book = load(str(BROKEN))
    c, invariants = checker(book, CHECK / "t-visa-invariant.yaml", examples=300)
    monkeypatch.setattr(c, "_sweep", lambda invariant: iter(()))
    outcome = c.check(invariants[0])
    assert outcome.status == "failed"
    assert len(outcome.counterexample.facts) <= 8
    again = InvariantChecker(book, engine="python", examples=300)
    monkeypatch.setattr(again, "_sweep", lambda invariant: iter(()))
    assert (
        again.check(invariants[0]).counterexample.documents == outcome.counterexample.documents
    )  # derandomized: the same every time


def test_unaffected_by_finds_a_dependence(tmp_path, load) -> None:
    overlay = tmp_path / "letter-needs-cooperation.yaml"
    overlay.write_text("""rule_set: letter-needs-cooperation
extends: us-law
title: A child letter that requires willingness to assist
changes:
  - id: cooperate
    provision: minor_eligibility_letter
    implements: test
    summary: Adds willingness to assist.
    add:
      minor-eligibility-letter:
        - {id: ml-willing, text: willing, citation: none, fact: willing_to_assist}
""")
    c, invariants = checker(load(str(overlay)))
    outcome = c.check(by_id(invariants, "child-letter-without-law-enforcement"))
    assert outcome.status == "failed"
    found = outcome.counterexample
    assert [label for label, _ in found.documents] == ["before", "after"]
    changed = {
        k for k in set(found.facts) | set(found.other) if found.facts.get(k) != found.other.get(k)
    }
    assert changed == {"willing_to_assist"}
    assert "changes minor_eligibility_letter" in found.explanation[0]


def test_never_worse_when_finds_a_non_monotone_rule(tmp_path, load) -> None:
    overlay = tmp_path / "contact-hurts.yaml"
    overlay.write_text("""rule_set: contact-hurts
extends: us-law
title: Reporting costs the T visa
changes:
  - id: punish
    provision: t_visa
    implements: test
    summary: Only people who never contacted law enforcement.
    add:
      t-visa:
        - id: t-no-contact
          text: never contacted law enforcement
          citation: none
          fact: contacted_law_enforcement
          is: false
""")
    c, invariants = checker(load(str(overlay)))
    outcome = c.check(by_id(invariants, "cooperation-never-hurts"))
    assert outcome.status == "failed"
    assert outcome.counterexample.explanation[0].startswith(
        "changing contacted_law_enforcement from false to true changes t_visa from"
    )


def test_explained_by_missing_facts_catches_a_wrong_missing_list(us_law, monkeypatch) -> None:
    c, invariants = checker(us_law)
    invariant = by_id(invariants, "undetermined-means-missing-facts")
    plan_type = type(us_law.at(dt.date(2020, 1, 1)).plan)
    original = plan_type.missing

    def forgetful(self, statuses, root):  # drops the last missing fact
        facts, questions = original(self, statuses, root)
        return facts[:-1], questions

    monkeypatch.setattr(plan_type, "missing", forgetful)
    outcome = c.check(invariant)
    assert outcome.status == "failed"
    assert "undetermined" in outcome.counterexample.explanation[0]


@pytest.mark.slow
def test_overlay_invariants_are_checked(load) -> None:
    c, invariants = checker(load(str(CHECK / "overlay-invariants.yaml")))
    outcomes = {i.id: c.check(i) for i in invariants}
    assert outcomes["hardship-irrelevant"].status == "passed"
    assert outcomes["every-victim-gets-t"].status == "failed"
    found = outcomes["every-victim-gets-t"].counterexample
    assert "then t_visa is met: no" in found.explanation
