"""The guidance in the bundled rules: plain labels and statements, readings, next steps.

Reports print these texts to trainees, so they must be plain (no fact names, reading
codes or references to internal documents), explained (every reading a rule names is in
rules/readings.yaml) and dated (no next step on a date before the instrument it names).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator

import pytest

from eligibility.errors import RuleError
from eligibility.law import yamlfile
from eligibility.law.conditions import Condition
from eligibility.law.guidance import reading_ids
from eligibility.law.rulebook import Registry, RuleBook, bundled_rules_dir

RULE_SETS = ("us-law", "rights-based-2007", "reforms/example-u-certifier-reform.yaml")
CODE = re.compile(r"\bE-\d+\b")
INTERNAL = ("LEGAL-BRIEF", "DESIGN.md", "grant_available", "services_without_certification")


def book(registry: Registry, name: str) -> RuleBook:
    if name.endswith(".yaml"):
        return registry.load(str(bundled_rules_dir() / name))
    return registry.load(name)


def dates(rule_book: RuleBook) -> list[dt.date]:
    """One date in every period of the text (the day before the first change, then each
    change date)."""
    changes = rule_book.change_dates
    return [changes[0] - dt.timedelta(days=1), *changes]


def all_conditions(rule_book: RuleBook) -> Iterator[tuple[str, Condition]]:
    """Every condition the rule set can show, in any version: base texts, amendments'
    and overlays' new conditions, note and applicability tests."""
    for pid, source in rule_book.sources.items():
        yield from ((pid, c) for c in source.condition.walk())
        for amendment in source.amendments:
            for operation in amendment.operations:
                for condition in operation.conditions:
                    yield from ((pid, c) for c in condition.walk())
    for change in rule_book.changes:
        for operation in change.operations:
            for condition in operation.conditions:
                yield from ((change.provision, c) for c in condition.walk())


def reader_texts(rule_book: RuleBook) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a report may print: condition texts, short labels
    and comments, updated wording, notes, not-applicable reasons, next steps."""
    for pid, c in all_conditions(rule_book):
        for key in ("text", "short", "comment"):
            if getattr(c, key):
                yield f"{pid}:{c.id}.{key}", getattr(c, key)
    for pid, source in rule_book.sources.items():
        for amendment in source.amendments:
            for operation in amendment.operations:
                for key in ("text", "short"):
                    if key in operation.fields:
                        yield f"{pid}:{operation.target}.{key}", operation.fields[key]
        for note in source.notes:
            yield f"{pid}: note {note.id}", note.text
        for reason in source.not_applicable:
            yield f"{pid}: not applicable {reason.id}", reason.text
    for step in rule_book.steps:
        yield f"step {step.id}", step.text


# ------------------------------------------------------------------------- facts


def test_every_fact_has_a_plain_label(vocabulary) -> None:
    declared = yamlfile.load(bundled_rules_dir() / "facts.yaml").data
    for fact in vocabulary.facts.values():
        assert "label" in declared[fact.name], f"{fact.name}: no `label` (the default is its name)"
        assert fact.label and len(fact.label) <= 35 and "_" not in fact.label, fact.name


def test_every_yes_no_fact_says_what_each_answer_means(vocabulary) -> None:
    names = [name for name in vocabulary.names() if "_" in name]
    for fact in vocabulary.facts.values():
        if fact.type != "bool":
            assert not fact.statements, fact.name
            continue
        assert set(fact.statements) == {True, False}, fact.name
        yes, no = fact.statements[True], fact.statements[False]
        assert yes and no and yes != no, fact.name
        for text in (yes, no):
            assert not any(name in text for name in names), (fact.name, text)
    assert vocabulary["contacted_law_enforcement"].statement(False) == (
        "has not reported to or spoken with law enforcement"
    )


def test_findings_of_an_adjudicator_are_not_law_enforcement(vocabulary) -> None:
    # USCIS decides these; "what would change this" must not list them under police
    for name in (
        "admissible_or_waiver",
        "extreme_hardship",
        "substantial_abuse",
        "committed_trafficking_act",
        "bona_fide_t_application",
    ):
        assert vocabulary[name].controlled_by == "adjudicator", name
        assert vocabulary[name].dependency is None, name


def test_questions_and_help_cite_only_what_a_trainee_can_look_up(vocabulary) -> None:
    for fact in vocabulary.facts.values():
        for text in (fact.question, fact.help, fact.why):
            assert not CODE.search(text), fact.name
            assert not any(word in text for word in INTERNAL), fact.name


def test_statements_need_quoted_keys(tmp_path) -> None:
    from eligibility.law.vocabulary import load_vocabulary

    path = tmp_path / "facts.yaml"
    path.write_text(
        "reported:\n  type: bool\n  question: Reported?\n"
        "  statements:\n    yes: has reported\n    no: has not reported\n"
    )
    with pytest.raises(Exception, match="keys must be text|true"):
        load_vocabulary(path)
    path.write_text(
        "reported:\n  type: bool\n  question: Reported?\n"
        '  statements:\n    "true": has reported\n    "false": has not reported\n'
    )
    assert load_vocabulary(path)["reported"].statement(False) == "has not reported"


# -------------------------------------------------------------------- rule texts


@pytest.mark.parametrize("name", RULE_SETS)
def test_every_element_under_a_root_has_a_short_label(registry, name) -> None:
    rule_book = book(registry, name)
    for date in dates(rule_book):
        for pid, provision in rule_book.at(date).provisions.items():
            if not provision.in_force:
                continue
            for child in provision.condition.children:
                assert child.short, f"{name} {date} {pid}: {child.id} has no `short`"
                assert len(child.short) <= 45, f"{pid}: {child.id}: {child.short!r}"


@pytest.mark.parametrize("name", RULE_SETS)
def test_reader_texts_carry_no_codes_or_fact_names(registry, vocabulary, name) -> None:
    snake = [n for n in vocabulary.names() if "_" in n]
    for where, text in reader_texts(book(registry, name)):
        assert not CODE.search(text), f"{where}: reading code in {text!r}"
        assert not any(word in text for word in INTERNAL), f"{where}: {text!r}"
        assert "`" not in text, f"{where}: {text!r}"
        found = [n for n in snake if re.search(rf"\b{n}\b", text)]
        assert not found, f"{where}: fact name {found} in {text!r}"


def test_citations_name_primary_sources(us_law) -> None:
    for pid, c in all_conditions(us_law):
        assert "LEGAL-BRIEF" not in c.citation, f"{pid}: {c.id}"
    for source in us_law.sources.values():
        for note in source.notes:
            assert note.citation and "LEGAL-BRIEF" not in note.citation, note.id
    for step in us_law.steps:
        assert step.citation and "LEGAL-BRIEF" not in step.citation, step.id


def test_the_u_cap_and_bona_fide_determination_are_dated(us_law, vocabulary) -> None:
    def notes(date: dt.date) -> str:
        return " ".join(n.text for n in us_law.at(date).provisions["u_visa"].notes)

    assert "10,000" not in notes(dt.date(2002, 6, 1))  # no U could be granted yet
    assert "10,000" in notes(dt.date(2015, 6, 1))
    assert "bona fide determination" not in notes(dt.date(2015, 6, 1))
    assert "bona fide determination" in notes(dt.date(2022, 1, 1))
    assert "[U" in notes(dt.date(2022, 1, 1))  # the 2021 date is unverified


def first_critiques(rule_book: RuleBook, date: dt.date) -> dict[str, str | None]:
    """Per element (provision:id), the first critique it or its nearest ancestor cites:
    the one a report shows."""
    found: dict[str, str | None] = {}

    def walk(pid: str, node: Condition, inherited: str | None) -> None:
        first = node.critiques[0] if node.critiques else inherited
        found[f"{pid}:{node.id}"] = first
        for child in node.children:
            walk(pid, child, first)

    for pid, provision in rule_book.at(date).provisions.items():
        walk(pid, provision.condition, None)
    return found


@pytest.mark.parametrize("date", ["2002-06-01", "2010-06-01", "2025-06-01"])
def test_each_element_leads_with_the_critique_that_fits_it(us_law, date) -> None:
    first = first_critiques(us_law, dt.date.fromisoformat(date))
    assert first["u_visa:u6-certification"] == "wc2007-diagnosis"
    assert first["t_visa:t3-aa-complied"] == "wc2007-rec6"
    assert first["continued_presence:cp1-federal-request"] in ("wc2007-rec4", "ag2009-roles")
    assert first["hhs_certification:hc2-willing"] == "wc2007-rec8"


def test_the_findings_paragraph_leads_for_one_element_only(us_law) -> None:
    for date in dates(us_law):
        leading = [
            (pid, c.id)
            for pid, provision in us_law.at(date).provisions.items()
            for c in provision.condition.walk()
            if c.critiques[:1] == ("wc2007-diagnosis",)
        ]
        assert leading in ([], [("u_visa", "u6-certification")]), (date, leading)


# ---------------------------------------------------------------------- readings


@pytest.mark.parametrize("name", RULE_SETS)
def test_every_reading_a_rule_names_is_explained(registry, name) -> None:
    rule_book = book(registry, name)
    for pid, c in all_conditions(rule_book):
        for rid in reading_ids(c.reading or "") + ([c.question] if c.question else []):
            reading = rule_book.readings.get(rid)
            assert reading is not None, f"{pid}: {c.id} names {rid}"
            assert reading.title.endswith("?"), rid
            assert reading.citations and reading.verification in ("V", "V2", "U"), rid


def test_readings_are_plain_and_cite_primary_sources(us_law) -> None:
    for rid, reading in us_law.readings.items():
        for text in (reading.title, reading.explanation, reading.adopted):
            assert not CODE.search(text) and "LEGAL-BRIEF" not in text, rid
        assert all("LEGAL-BRIEF" not in c for c in reading.citations), rid
        assert any(re.search(r"U\.S\.C\.|CFR|FR \d|Pub\. L\.", c) for c in reading.citations), rid


def test_a_rule_naming_an_unexplained_reading_is_refused(tmp_path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), rules)
    path = rules / "readings.yaml"
    text = path.read_text()
    start = text.index("\nE-13:")
    end = text.index("\nE-14:")
    path.write_text(text[:start] + text[end:])
    with pytest.raises(RuleError, match="E-13"):
        Registry(rules).load("us-law")


# ------------------------------------------------------------------- next steps

# Instruments a step may name, and the date each took effect: a step that names one must
# not be in force before it.
INSTRUMENTS = {
    "Form I-914": dt.date(2002, 3, 4),
    "67 FR 4784": dt.date(2002, 3, 4),
    "USCIS": dt.date(2003, 3, 1),
    "Form I-918": dt.date(2007, 10, 17),
    "8 CFR 214.14": dt.date(2007, 10, 17),
    "8 CFR 212.17": dt.date(2007, 10, 17),
    "Pub. L. 110-457": dt.date(2008, 12, 23),
    "7105(b)(1)(F)": dt.date(2015, 5, 29),
    "PI-16-01": dt.date(2016, 5, 11),
    "81 FR 92266": dt.date(2017, 1, 18),
    "89 FR 34864": dt.date(2024, 8, 28),
    "8 CFR 214.20": dt.date(2024, 8, 28),
    "214.208": dt.date(2024, 8, 28),
}


@pytest.mark.parametrize("name", RULE_SETS)
def test_every_step_is_dated_from_its_instrument(registry, name) -> None:
    for step in book(registry, name).steps:
        assert step.start is not None and step.start >= dt.date(2000, 10, 28), step.id
        words = f"{step.text} {step.citation}"
        for instrument, effective in INSTRUMENTS.items():
            if instrument in words:
                assert step.start >= effective, f"{step.id} names {instrument}"


def steps_on(rule_book: RuleBook, provision: str, date: str) -> list[str]:
    day = dt.date.fromisoformat(date)
    return [s.id for s in rule_book.steps if s.provision == provision and s.in_force(day)]


def test_steps_exist_only_when_their_law_does(us_law) -> None:
    # U: interim relief before the U rule, the petition after it
    assert "u-interim-relief" in steps_on(us_law, "u_visa", "2005-06-01")
    assert "u-form-i918" not in steps_on(us_law, "u_visa", "2005-06-01")
    assert "u-form-i918" in steps_on(us_law, "u_visa", "2010-06-01")
    assert "u-interim-relief" not in steps_on(us_law, "u_visa", "2010-06-01")
    # T: no 2024 step in a 2010 report; the single-contact rule from 2024-08-28
    t2010 = steps_on(us_law, "t_visa", "2010-06-01")
    assert "t-single-contact-2024" not in t2010 and "t-trauma-exemption" in t2010
    assert "t-single-contact-2024" in steps_on(us_law, "t_visa", "2024-08-28")
    assert "t-trauma-exemption" not in steps_on(us_law, "t_visa", "2008-12-22")
    assert "t-federal-contact-2002" in steps_on(us_law, "t_visa", "2003-06-01")
    assert "t-federal-contact-2002" not in steps_on(us_law, "t_visa", "2003-12-19")
    # child letter: interim assistance from 2008-12-23, request before 18 from 2016-05-11
    assert steps_on(us_law, "minor_eligibility_letter", "2005-06-01") == ["ml-letter-2000"]
    assert steps_on(us_law, "minor_eligibility_letter", "2010-06-01") == ["ml-letter-2008"]
    assert steps_on(us_law, "minor_eligibility_letter", "2016-05-11") == ["ml-letter-2016"]


def test_steps_name_no_date_after_their_own_start(us_law) -> None:
    # a report for 2005 must not announce what only later law provides
    iso = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
    for step in us_law.steps:
        for found in iso.findall(step.text):
            assert dt.date.fromisoformat(found) <= step.start, (step.id, found)


def test_law_enforcement_alternatives_target_their_blockers(us_law) -> None:
    steps = {s.id: s for s in us_law.steps}
    assert steps["u-any-certifying-agency"].blockers == {"u_certification_signed"}
    assert steps["u-t-route"].also == {"t_visa": frozenset({"met", "undetermined"})}
    assert steps["cp-federal-agent"].levels == {"gated", "possibly_gated"}
    for sid in ("t-child-exemption-2024", "t-trauma-exemption-2024", "t-single-contact-2024"):
        assert (
            steps[sid].kind == "alternative" and "contacted_law_enforcement" in steps[sid].blockers
        )


def test_overlays_give_their_own_steps(registry) -> None:
    reform = registry.load("rights-based-2007")
    ids = {s.id for s in reform.steps}
    assert "ml-letter-reform" in ids and "ml-letter-2016" not in ids
    certification = next(s for s in reform.steps if s.id == "hhs-certification-letter")
    assert "Under this reform" in certification.text
    example = book(registry, "reforms/example-u-certifier-reform.yaml")
    petition = next(s for s in example.steps if s.id == "u-form-i918")
    assert "advocate" in petition.text
