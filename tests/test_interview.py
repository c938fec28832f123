"""The interview: its logic, and whole sessions driven through a real terminal (pty)."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat

import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.analysis.interview import AnswerError, Session, parse_answer, scenario_id_for
from eligibility.law.scenarios import load_scenario

from conftest import ROOT, cli_command, run_cli
from terminal import Terminal

AS_OF = dt.date(2025, 6, 1)

# The answers of a person like the training scenario "refuses-all-contact-2025", by
# fact: an adult trafficked for commercial sex by coercion who has not reported.
ANSWERS = {
    "age_at_victimization": "26",
    "age_now": "28",
    "citizenship": "3",
    "actions": "1,2",
    "commercial_sex_act": "yes",
    "labor_or_services": "no",
    "means": "3",
    "labor_purposes": "none",
    "physically_present": "yes",
    "present_on_account_of_trafficking": "yes",
    "contacted_law_enforcement": "no",
    "complied_with_reasonable_requests": "no",
    "unable_to_cooperate_due_to_trauma": "no",
    "extreme_hardship": "yes",
    "admissible_or_waiver": "yes",
    "committed_trafficking_act": "no",
    "willing_to_assist": "no",
    "le_requested_continued_presence": "no",
    "potential_witness": "no",
    "continued_presence_granted": "no",
    "bona_fide_t_application": "no",
    "hhs_request_before_18": "no",
    "qualifying_crimes": "1",
    "substantial_abuse": "yes",
    "has_information": "yes",
    "helpful_to_law_enforcement": "no",
    "crime_in_us": "yes",
    "u_certification_signed": "no",
    "incapacitated": "no",
    "t_le_declaration_signed": "no",
    "contacted_federal_law_enforcement": "no",
}


@pytest.fixture()
def session(us_law, vocabulary) -> Session:
    return Session(Evaluator(us_law, "python"), vocabulary, AS_OF)


def test_parse_answers(vocabulary) -> None:
    assert parse_answer(vocabulary["commercial_sex_act"], "Yes") is True
    assert parse_answer(vocabulary["commercial_sex_act"], " n ") is False
    assert parse_answer(vocabulary["commercial_sex_act"], "don't know") is None
    assert parse_answer(vocabulary["age_now"], "17") == 17
    assert parse_answer(vocabulary["citizenship"], "3") == "noncitizen"
    assert parse_answer(vocabulary["citizenship"], "noncitizen") == "noncitizen"
    assert parse_answer(vocabulary["means"], "1, 3") == frozenset({"force", "coercion"})
    assert parse_answer(vocabulary["means"], "none") == frozenset()
    for fact, answer in (
        ("commercial_sex_act", "maybe"),
        ("age_now", "121"),
        ("age_now", "-1"),
        ("citizenship", "4"),
        ("citizenship", "1,2"),
        ("means", "9"),
    ):
        with pytest.raises(AnswerError):
            parse_answer(vocabulary[fact], answer)


def test_asks_only_what_matters_most_decisive_first(session) -> None:
    assert session.next_question() == "age_at_victimization"  # all seven wait for it
    session.answer("citizenship", "us_citizen")
    result = session.result()
    waiting = session.waiting_for(result)
    # for a citizen, no immigration question can change anything any more
    assert "extreme_hardship" not in waiting and "u_certification_signed" not in waiting
    assert all(
        pid in ("severe_trafficking", "victim_services")
        for pids in waiting.values()
        for pid in pids
    )


def test_dont_know_and_back(session) -> None:
    session.answer("age_at_victimization", None)
    assert "age_at_victimization" in session.unknown
    assert session.next_question() != "age_at_victimization"  # not asked twice
    session.answer("age_at_victimization", 16)
    assert session.facts["age_at_victimization"] == 16 and not session.unknown
    assert session.back() == "age_at_victimization"
    assert "age_at_victimization" in session.unknown and "age_at_victimization" not in session.facts
    assert session.back() == "age_at_victimization"
    assert not session.unknown and not session.facts
    assert session.back() is None


def test_after_the_status_it_asks_what_settles_the_law_enforcement_gate(session) -> None:
    for fact, value in (
        ("age_at_victimization", 26),
        ("age_now", 28),
        ("citizenship", "noncitizen"),
        ("actions", frozenset({"recruit"})),
        ("commercial_sex_act", True),
        ("means", frozenset({"coercion"})),
        ("contacted_law_enforcement", False),
        ("unable_to_cooperate_due_to_trauma", False),
    ):
        session.answer(fact, value)
    result = session.result()
    assert result.provisions["t_visa"].status == "not_met"
    assert "extreme_hardship" not in session.waiting_for(result)  # cannot change T
    assert "t_visa" in session.gate_questions(result)["extreme_hardship"]
    session.answer("extreme_hardship", True)
    for fact in ("physically_present", "present_on_account_of_trafficking", "admissible_or_waiver"):
        session.answer(fact, True)
    session.answer("committed_trafficking_act", False)
    assert session.result().provisions["t_visa"].law_enforcement_gated is True


def test_later_steps_come_last_and_only_on_request(registry) -> None:
    session = guided(registry)
    for name, value in (
        ("citizenship", "noncitizen"),
        ("age_at_victimization", 30),
        ("age_now", 32),
        ("what_happened", "other_crime"),
    ):
        session.answer(name, value)
    while (name := session.next_question()) is not None:
        assert not session.later_only(name)
        session.answer(name, None)
    assert session.later_steps_waiting() and not session.later_steps
    session.later_steps = True
    later = session.guide.later_stage()
    asked = []
    while (name := session.next_question()) is not None and len(asked) < 30:
        asked.append(name)
        assert session.stage_of(name) == later
        session.answer(name, True if name == "admitted_in_u_status" else None)
    # the trafficking provisions are settled: T status is never asked; U status first
    assert asked[0] == "admitted_in_u_status" and "admitted_in_t_status" not in asked
    assert {"persecutor_bar", "age_at_filing"} <= set(asked), asked
    # within the later steps, a judgement still comes after the person's story
    assert (
        asked.index("age_at_filing")
        < asked.index("absence_excused")
        < asked.index("persecutor_bar")
    )


def test_the_year_it_began_is_asked_in_the_triage_and_decides_nothing(
    registry, us_law, vocabulary
) -> None:
    year = vocabulary["year_victimization_began"]
    assert year.context and year.type == "int"
    session = guided(registry)
    for name in ("citizenship", "age_at_victimization", "age_now", "what_happened", "where"):
        session.answer(name, None)
    assert session.next_question() == "year_victimization_began"
    assert session.stage_of("year_victimization_began") == 0  # the triage
    # a year after the interview's date is refused; a year that fits the ages is not
    assert "after the date" in session.check("year_victimization_began", 2026)
    assert session.check("year_victimization_began", 2023) == ""
    session.answer("year_victimization_began", 2015)
    assert session.next_question() != "year_victimization_began"  # asked once
    session.answer("age_at_victimization", 30)
    session.answer("age_now", 32)
    warning = session.dates_disagree()
    assert "30 when it began and 32 now is 2 years, but 2015 is 10 years" in warning
    session.answer("age_now", 39)  # a birthday not yet reached this year fits
    assert session.dates_disagree() == ""
    # unknown or known, the year never changes a result: every bundled scenario
    evaluator = Evaluator(us_law, "python")
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path, vocabulary)
        as_of = scenario.as_of or AS_OF
        plain = evaluator.evaluate(scenario.evaluated_facts(), as_of)
        for began in (1990, as_of.year):
            dated = evaluator.evaluate(
                {**scenario.evaluated_facts(), "year_victimization_began": began}, as_of
            )
            assert dated.statuses == plain.statuses, path.name


def test_answering_dont_know_to_everything_ends(session) -> None:
    asked = 0
    while (fact := session.next_question()) is not None:
        session.answer(fact, None)
        asked += 1
        assert asked < 60
    result = session.result()
    assert all(p.status == "undetermined" for p in result.provisions.values())
    assert all(p.missing_facts for p in result.provisions.values())


def test_saved_file_round_trips(session, vocabulary, tmp_path) -> None:
    session.answer("age_at_victimization", 16)
    session.answer("means", frozenset({"coercion"}))
    session.answer("citizenship", None)
    path = tmp_path / "case.yaml"
    path.write_text(session.save_text("case"))
    scenario = load_scenario(path, vocabulary)
    assert scenario.facts == {"age_at_victimization": 16, "means": frozenset({"coercion"})}
    assert scenario.asked_unknown == ("citizenship",)
    assert scenario.as_of == AS_OF


def test_without_indicators_the_legal_questions_are_asked(session, vocabulary) -> None:
    # a rules directory without indicators.yaml or interview.yaml: one stage, the
    # vocabulary's questions, the same results as before indicators existed
    asked = []
    while (name := session.next_question()) is not None:
        asked.append(name)
        session.answer(name, parse_answer(vocabulary[name], ANSWERS.get(name, "?")))
        assert len(asked) < 40
    assert "means" in asked and "commercial_sex_act" in asked
    result = session.result()
    assert result.provisions["t_visa"].status == "not_met"
    assert result.provisions["t_visa"].law_enforcement_gated is True
    assert result.provisions["u_visa"].status == "not_met"


def test_scenario_ids_for_saved_files() -> None:
    assert scenario_id_for("cases/Maria Case 2.yaml") == "maria-case-2"
    assert scenario_id_for(None).startswith("interview-")


# ----------------------------------------------------------- through a terminal

STAGES = ["first, the basics", "the person's story", "what the person did"]
STAGES += ["what officials did", "for a lawyer or adjudicator"]


def question_texts(registry, as_of: dt.date) -> dict[str, str]:
    """Each question's words on the date (facts and indicators) -> its name."""
    session = guided(registry, as_of)
    names = [*registry.vocabulary.names(), *registry.indicators.questions]
    return {" ".join(session.text(n, "question").split()): n for n in names}


def guided(registry, as_of: dt.date = AS_OF) -> Session:
    return Session(
        Evaluator(registry.load("us-law"), "python"),
        registry.vocabulary,
        as_of,
        indicators=registry.indicators,
        guide=registry.interview_guide,
    )


def answer_until_done(
    terminal: Terminal,
    texts: dict[str, str],
    answers: dict[str, str],
    *,
    back_at: int = 0,
    why: str = "",
    later_steps: str = "n",
) -> tuple[list[tuple[str, str]], int]:
    """Answer each question, recognised by its words, until the interview ends (and
    answer `later_steps` when it offers the later steps). Returns (question name, stage
    title) in the order asked, and the count it printed."""
    asked: list[tuple[str, str]] = []
    while True:
        match = terminal.expect(
            r"question \d+ \(([^)]*)\)[^\n]*\n(.*?)╰|Questions asked: (\d+)"
            r"|Go on to the later steps.*?\[y/N\] "
        )
        if match.group(0).startswith("Go on"):
            terminal.send(later_steps)
            continue
        if match.group(3):
            return asked, int(match.group(3))
        panel = re.sub(r"[│\s]+", " ", match.group(2))
        # the question is printed last, above its hint: the latest one found wins
        found = [(panel.rfind(q) + len(q), n) for q, n in texts.items() if q in panel]
        assert found, f"no question recognised in {panel!r}"
        name = max(found)[1]
        asked.append((name, match.group(1)))
        terminal.expect(r"\n> ")
        if back_at and len(asked) == back_at:
            terminal.send("back")
            back_at = 0
            continue
        if name == why:
            terminal.send("why")
            terminal.expect(r"This answer decides:")
            terminal.expect(r"\n> ")
        terminal.send(answers.get(name, "?"))


def stage_order(asked: list[tuple[str, str]]) -> list[str]:
    order: list[str] = []
    for _, stage in asked:
        if not order or order[-1] != stage:
            order.append(stage)
    return order


def interview(tmp_path, name: str, answers: dict[str, str], *, extra=()) -> tuple:  # type: ignore[no-untyped-def]
    saved = tmp_path / f"{name}.yaml"
    terminal = Terminal(
        [
            *cli_command(),
            "interview",
            "--as-of",
            "2025-06-01",
            "--engine",
            "python",
            "--no-pager",
            "--save",
            str(saved),
            *extra,
        ],
        columns=100,
        rows=50,
        cwd=str(tmp_path),
    )
    return terminal, saved


def replay(registry, asked: list[tuple[str, str]], answers: dict[str, str], upto: int) -> Session:
    """The same answers, given to a session directly, up to question `upto`."""
    from eligibility.analysis.interview import parse_answer as parse
    from eligibility.analysis.interview import split_note

    session = guided(registry)
    for name, _ in asked[:upto]:
        reply, _note = split_note(answers.get(name, "?"))
        session.answer(name, parse(session.item(name), reply))
    return session


LABOR = {  # passport taken, a debt of $8,000, one police report that went nowhere
    "citizenship": "3",
    "age_at_victimization": "30",
    "age_now": "32",
    "what_happened": "2",
    "where": "1",
    "year_victimization_began": "2023",
    "actions": "1,2",
    "control_signs": "6,8",
    "debt_never_shrinks": "yes note: $8,000 at the start, still $8,000 after a year",
    "means": "3",  # the trainee confirms the coercion the answers suggest
    "present_on_account_of_trafficking": "yes",
    "has_information": "yes",
    "qualifying_crimes": "1,3",
    "contacted_law_enforcement": "yes",
    "complied_with_reasonable_requests": "yes",
    "unable_to_cooperate_due_to_trauma": "no",
    "willing_to_assist": "yes",
    "helpful_to_law_enforcement": "yes",
    "potential_witness": "no",
    "u_certification_signed": "no",
}


def test_a_labor_case_turns_only_on_judgements_after_15_questions(tmp_path, registry) -> None:
    terminal, saved = interview(tmp_path, "labor", LABOR)
    try:
        terminal.expect("eligibility interview: us-law, law in force on 2025-06-01")
        asked, printed = answer_until_done(terminal, question_texts(registry, AS_OF), LABOR)
        terminal.expect(r"It began in 2023, 2 years before 2025-06-01; the report below")
        terminal.expect(
            r"From the answers: debt bondage: from a debt they were made to work off; debt"
        )
        terminal.expect(r"Write the printable handout")
        terminal.send("")
        terminal.expect(r"Saved to \S*labor\.yaml")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    names = [n for n, _ in asked]
    # 25: the year it began (issue 18: "where and when") is asked in the triage
    assert printed == len(asked) == 25
    assert stage_order(asked) == STAGES
    # the triage, then the story asked through indicators, not legal conclusions
    assert names[:7] == [
        "citizenship",
        "age_at_victimization",
        "age_now",
        "what_happened",
        "where",
        "year_victimization_began",
        "actions",
    ]
    assert names.index("control_signs") < names.index("means")
    assert "labor_purposes" not in names and "labor_or_services" not in names
    assert names.index("contacted_law_enforcement") < names.index("potential_witness")
    # after at most 15 questions the T visa waits only for an adjudicator's judgements
    session = replay(registry, asked, LABOR, 15)
    t_visa = session.result().provisions["t_visa"]
    assert t_visa.status == "undetermined"
    assert {"extreme_hardship", "admissible_or_waiver"} <= set(t_visa.missing_facts)
    assert all(registry.vocabulary[f].controlled_by == "adjudicator" for f in t_visa.missing_facts)
    assert all(stage == STAGES[-1] for _, stage in asked[15:] if _ in t_visa.missing_facts)
    # final statuses, from the saved file
    scenario = load_scenario(saved, registry.vocabulary)
    result = Evaluator(registry.load("us-law"), "python").evaluate_scenario(scenario)
    statuses = {p: r.status for p, r in result.provisions.items()}
    assert statuses == {
        "severe_trafficking": "met",
        "t_visa": "undetermined",
        "u_visa": "not_met",
        "continued_presence": "not_met",
        "hhs_certification": "undetermined",
        "minor_eligibility_letter": "not_met",
        "victim_services": "undetermined",
        # the later steps wait for the status the trainee chose not to ask about
        "t_adjustment": "undetermined",
        "u_adjustment": "undetermined",
        "t_derivatives": "undetermined",
        "u_derivatives": "undetermined",
    }
    assert not {"admitted_in_t_status", "admitted_in_u_status", "age_at_filing"} & set(names)
    # the representative route and the U waiver refine answers this case never gave
    assert not {"incapacitated", "representative_helpful", "u_waiver"} & set(names)
    # the indicators and the legal facts derived from them are both recorded
    assert scenario.indicators["control_signs"] == {"documents_taken", "debt_work_off"}
    assert scenario.derived["labor_purposes"] == {
        "debt_bondage": ["control_signs.debt_work_off", "debt_never_shrinks"]
    }
    assert scenario.notes == {
        "debt_never_shrinks": "$8,000 at the start, still $8,000 after a year"
    }
    assert (
        scenario.interview["rule_set"] == "us-law" and scenario.interview["as_of"] == "2025-06-01"
    )
    assert scenario.interview["saved"][:4] >= "2025"
    p = run_cli("explain", str(saved), "--full", "--no-color", "--no-what-if", "--width", "100")
    assert p.returncode == 0
    assert "$8,000 at the start, still $8,000 after a year" in p.stdout
    assert (
        "debt bondage: from a debt they were made to work off; debt that never shrinks" in p.stdout
    )


KIDNAPPING = {  # a U-visa case: no trafficking at all
    "citizenship": "3",
    "age_at_victimization": "24",
    "age_now": "25",
    "what_happened": "3",
    "where": "1",
    "year_victimization_began": "2024",
    "has_information": "yes",
    "qualifying_crimes": "11",
    "helpful_to_law_enforcement": "yes",
    "u_certification_signed": "yes",
}


def test_a_kidnapping_case_is_never_asked_trafficking_questions(tmp_path, registry) -> None:
    terminal, saved = interview(tmp_path, "kidnapping", KIDNAPPING)
    try:
        asked, printed = answer_until_done(
            terminal, question_texts(registry, AS_OF), KIDNAPPING, why="qualifying_crimes"
        )
        terminal.expect(r"Write the printable handout")
        terminal.send("")
        terminal.expect(r"Saved to")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    # the status line leaves out the later steps nobody reached, so it fits 80 columns
    assert "now: severe ✘  T ✘  U ?" in terminal.screen and "T-LPR" not in terminal.screen
    # `why` named the element, and what each answer would make of the U visa
    screen = " ".join(terminal.screen.split())
    assert "U visa: victim of a listed (or similar) crime" in screen
    # a crime not on the list leaves the U visa open since issue 17 (similar activity,
    # a question for a lawyer): only "none of them" rules it out
    assert "none of them → U ✘" in screen
    names = [n for n, _ in asked]
    assert printed == len(asked) == 12
    assert stage_order(asked) == STAGES[:1] + STAGES[1:]
    # the trafficking provisions are settled by the triage: the screen says so, and no
    # question afterwards serves only them
    settled = terminal.screen.index("The trafficking protections are settled")
    screen = terminal.screen
    assert screen.index("question 4 ") < settled < screen.index("question 5 ")
    session = guided(registry)
    result = session.result()
    trafficking_only = {
        n
        for n in [*registry.vocabulary.names(), *registry.indicators.questions]
        if session.branch_only(n, "trafficking", result)
    }
    assert {"actions", "control_signs", "potential_witness", "means"} <= trafficking_only
    assert not set(names[4:]) & trafficking_only
    assert names[4:] == [
        "where",
        "year_victimization_began",
        "has_information",
        "qualifying_crimes",
        "helpful_to_law_enforcement",
        "u_certification_signed",
        "admissible_or_waiver",
        "substantial_abuse",
    ]
    scenario = load_scenario(saved, registry.vocabulary)
    result = Evaluator(registry.load("us-law"), "python").evaluate_scenario(scenario)
    assert result.provisions["u_visa"].status == "undetermined"
    # the U waiver refines admissibility, which nobody knows yet: missing, not asked
    assert set(result.provisions["u_visa"].missing_facts) == {
        "substantial_abuse",
        "admissible_or_waiver",
        "u_admissible_or_waiver",
        "u_waiver",
    }
    later = {"t_adjustment", "u_adjustment", "t_derivatives", "u_derivatives"}
    assert all(
        r.status == "not_met" for p, r in result.provisions.items() if p not in {"u_visa", *later}
    )


CHILD = {  # 15 when she was recruited for commercial sex; 16 now; has not reported
    "citizenship": "3",
    "age_at_victimization": "15",
    "age_now": "16",
    "what_happened": "1",
    "where": "1",
    "year_victimization_began": "2024",
    "actions": "1,2",
    "paid_for_sex": "yes",
    "control_signs": "4",
    "present_on_account_of_trafficking": "yes",
    "has_information": "yes",
    "qualifying_crimes": "1,8",
    "helpful_to_law_enforcement": "no",
}


def test_a_child_case_needs_no_cooperation(tmp_path, registry) -> None:
    terminal, saved = interview(tmp_path, "child", CHILD)
    try:
        asked, printed = answer_until_done(
            terminal, question_texts(registry, AS_OF), CHILD, back_at=8
        )
        terminal.expect(r"Write the printable handout")
        terminal.send(str(tmp_path / "child.html"))
        terminal.expect(r"Handout written to")
        terminal.expect(r"Saved to")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    names = [n for n, _ in asked]
    # `back` at the eighth question showed the seventh answer and asked it again
    assert names[6] == names[8] == "actions" and names[7] == names[9] == "paid_for_sex"
    assert "Your answer was: recruited, harbored (housed or hidden)" in terminal.screen
    # 20: a child under 16 who did not help may still have a parent who does (U-3 and
    # U-4, issue 17), so the representative and the certification are asked
    assert printed == len(asked) - 2 == 21
    assert names.index("helpful_to_law_enforcement") < names.index("representative_helpful")
    assert stage_order(asked) == [STAGES[0], STAGES[1], STAGES[2], STAGES[3], STAGES[4]]
    # a child is exempt from cooperating: nobody asks whether she reported or complied
    assert "contacted_law_enforcement" not in names
    assert "complied_with_reasonable_requests" not in names
    handout = (tmp_path / "child.html").read_text()
    assert "<h2>From the answers</h2>" in handout
    assert "coercion: from threats to have the person deported, arrested or reported" in handout
    assert stat.S_IMODE(os.stat(tmp_path / "child.html").st_mode) == 0o600
    scenario = load_scenario(saved, registry.vocabulary)
    result = Evaluator(registry.load("us-law"), "python").evaluate_scenario(scenario)
    statuses = {p: r.status for p, r in result.provisions.items()}
    assert statuses["minor_eligibility_letter"] == "met"
    assert statuses["victim_services"] == "met"
    assert statuses["severe_trafficking"] == "met"
    assert statuses["t_visa"] == "undetermined"
    assert scenario.derived["means"] == {"coercion": ["control_signs.threats_authorities"]}


@pytest.mark.slow  # every question of the interview in a terminal, one by one
def test_dont_know_to_everything_in_a_terminal(tmp_path, registry) -> None:
    terminal, saved = interview(tmp_path, "unknown", {})
    try:
        asked, _ = answer_until_done(terminal, question_texts(registry, AS_OF), {})
        terminal.expect(r"Write the printable handout")
        terminal.send("")
        terminal.expect(r"Saved to")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    assert "Traceback" not in terminal.screen
    scenario = load_scenario(saved, registry.vocabulary)
    assert scenario.facts == {}
    assert set(scenario.asked_unknown) | set(scenario.indicators_unknown) == {n for n, _ in asked}


@pytest.mark.parametrize("save", [True, False])
def test_quit_offers_to_save(tmp_path, save) -> None:
    target = tmp_path / "partial.yaml"
    terminal = Terminal(
        [*cli_command(), "interview", "--as-of", "2025-06-01", "--save", str(target)],
        columns=100,
    )
    try:
        terminal.expect(r"question 1")
        terminal.expect(r"> ")
        terminal.send("3 note: came on a work visa")
        terminal.expect(r"question 2")
        terminal.expect(r"> ")
        terminal.send("quit")
        terminal.expect(r"Save your answers before quitting\? \[y/N\]")
        terminal.send("y" if save else "n")
        terminal.expect(r"Saved to" if save else r"Nothing was written")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    assert target.exists() is save
    if save:
        text = target.read_text()
        assert "citizenship: noncitizen" in text and "citizenship: came on a work visa" in text


def test_notes_can_be_rewritten_and_removed(tmp_path, registry) -> None:
    target = tmp_path / "notes.yaml"
    terminal = Terminal(
        [*cli_command(), "interview", "--as-of", "2025-06-01", "--save", str(target)],
        columns=80,
        rows=24,
    )
    try:
        terminal.expect(r"question 1")
        terminal.expect(r"> ")
        terminal.send("3 note: came on a work visa")
        terminal.expect(r"question 2")
        terminal.expect(r"> ")
        terminal.send("30 note: a first guess")
        terminal.expect(r"question 3")
        terminal.expect(r"> ")
        terminal.send("notes")
        terminal.expect(r"1\. citizenship or immigration status: came on a work visa")
        terminal.expect(r"2\. age when trafficked or harmed: a first guess")
        terminal.expect(r"its number \(Enter to go on\): ")
        terminal.send("2")
        terminal.expect(r"Now: a first guess")
        terminal.expect(r"`-` to remove it\): ")
        terminal.send("30, from her passport")
        terminal.expect(r"rewritten")
        # the list again, with the new words: now remove the first note
        terminal.expect(r"2\. age when trafficked or harmed: 30, from her passport")
        terminal.expect(r"its number \(Enter to go on\): ")
        terminal.send("9")
        terminal.expect(r"Please give a number from 1 to 2")
        terminal.expect(r"\): ")
        terminal.send("1")
        terminal.expect(r"`-` to remove it\): ")
        terminal.send("-")
        terminal.expect(r"removed")
        terminal.expect(r"1\. age when trafficked or harmed: 30, from her passport")
        terminal.expect(r"its number \(Enter to go on\): ")
        terminal.send("")
        terminal.expect(r"Back to the question")
        terminal.expect(r"> ")
        terminal.send("quit")
        terminal.expect(r"\[y/N\]")
        terminal.send("y")
        terminal.expect(r"Saved to")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    scenario = load_scenario(target, registry.vocabulary)
    assert scenario.notes == {"age_at_victimization": "30, from her passport"}
    assert scenario.facts["citizenship"] == "noncitizen"
    p = run_cli("explain", str(target), "--full", "--no-color", "--no-what-if", "--width", "100")
    assert p.returncode == 0, p.stderr
    assert "30, from her passport" in p.stdout and "came on a work visa" not in p.stdout


def test_back_keeps_a_note_rewritten_since(session) -> None:
    session.answer("age_now", 30, "a first guess")
    session.set_note("age_now", "30, from her passport")
    session.back()
    assert session.notes == {"age_now": "30, from her passport"}
    session.answer("age_now", 31, "checked")
    session.back()
    assert session.notes == {"age_now": "30, from her passport"}  # as before that answer
    session.set_note("age_now", "")
    assert session.notes == {}


def test_resume_asks_the_dont_knows_again_and_never_overwrites_silently(tmp_path, registry) -> None:
    partial = tmp_path / "resume.yaml"
    original = (
        "id: resume\nas_of: 2025-06-01\nfacts:\n  citizenship: noncitizen\n"
        "  age_at_victimization: 16\n  age_now: null\nindicators:\n  what_happened: null\n"
    )
    partial.write_text(original)
    terminal = Terminal([*cli_command(), "interview", "--from", str(partial)], columns=100)
    try:
        terminal.expect(r'Answered "don\'t know" last time: age now, what happened\.')
        terminal.expect(r"Ask them again where they still matter\? \[Y/n\]")
        terminal.send("")
        terminal.expect(r"question 1 \(first, the basics\)")
        terminal.expect(r"How old is the person now")
        terminal.expect(r"> ")
        terminal.send("17")
        terminal.expect(r"question 2 \(first, the basics\)")
        terminal.expect(r"What happened to the person")
        terminal.expect(r"> ")
        terminal.send("quit")
        terminal.expect(r"\[y/N\]")
        terminal.send("y")
        terminal.expect(r"resume\.yaml already exists\.\s+Write\s+over\s+it\?\s+\[y/N\]")
        terminal.send("n")
        terminal.expect(r"Another\s+file\s+name\?\s+\(Enter\s+for\s+\S*resume-2\.yaml")
        terminal.send("")
        terminal.expect(r"Saved\s+to\s+\S*resume-2\.yaml")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    assert partial.read_text() == original  # untouched
    scenario = load_scenario(tmp_path / "resume-2.yaml", registry.vocabulary)
    assert scenario.facts == {
        "citizenship": "noncitizen",
        "age_at_victimization": 16,
        "age_now": 17,
    }
    assert scenario.asked_unknown == () and scenario.indicators_unknown == ()
    assert stat.S_IMODE(os.stat(tmp_path / "resume-2.yaml").st_mode) == 0o600


def test_a_resumed_case_saved_over_its_file_after_asking(tmp_path, registry) -> None:
    partial = tmp_path / "case.yaml"
    partial.write_text("id: case\nas_of: 2025-06-01\nfacts:\n  citizenship: us_citizen\n")
    p = run_cli("interview", "--from", str(partial), "--engine", "python", input="?\nquit\ny\ny\n")
    assert p.returncode == 0, p.stderr
    # a long temporary path may be folded anywhere at 80 columns: compare without spaces
    assert "case.yamlalreadyexists.Writeoverit?[y/N]" in "".join(p.stdout.split())
    text = partial.read_text()
    assert "interview:" in text and "rule_set: us-law" in text


def test_a_resumed_case_keeps_what_the_interview_does_not_ask(tmp_path, registry) -> None:
    # a T holder's case with family members, a finding, a note, a "don't know" and the
    # record of the session that saved it: saved again, nothing of it is lost
    case = tmp_path / "family.yaml"
    case.write_text(
        "id: family\n"
        "title: T holder with family abroad\n"
        "description: Filed at 20; parents abroad.\n"
        "source: training\n"
        "tags: [family]\n"
        "as_of: 2025-06-01\n"
        "facts:\n"
        "  citizenship: noncitizen\n"
        "  age_at_victimization: 19\n"
        "  age_now: null\n"
        "  admitted_in_t_status: true\n"
        "family_members:\n"
        "  - {id: mother, relationship: parent, age_now: 50}\n"
        "findings:\n"
        "  substantial_abuse: {found: not_established, by: USCIS, date: 2025-02-10}\n"
        "expect:\n"
        "  us-law: {t_derivatives: undetermined}\n"
        "notes:\n"
        "  citizenship: came on a work visa\n"
        "interview:\n"
        "  saved: '2025-05-01T10:00:00+00:00'\n"
        "  rule_set: us-law\n"
        "  as_of: '2025-05-01'\n"
    )
    before = load_scenario(case, registry.vocabulary)
    # ask the "don't know" again (Enter), answer it, quit, save over the file
    p = run_cli("interview", "--from", str(case), "--engine", "python", input="\n23\nquit\ny\ny\n")
    assert p.returncode == 0, p.stderr
    after = load_scenario(case, registry.vocabulary)
    assert after.facts == {**before.facts, "age_now": 23}
    assert after.family_members == before.family_members
    assert after.findings == before.findings
    assert after.notes == {"citizenship": "came on a work visa"}
    assert (after.title, after.description, after.source, after.tags) == (
        before.title,
        before.description,
        before.source,
        before.tags,
    )
    assert after.expect == before.expect
    # the earlier session's record is kept; the new one says when it was saved again
    assert after.earlier_interviews == (
        {"saved": "2025-05-01T10:00:00+00:00", "rule_set": "us-law", "as_of": "2025-05-01"},
    )
    assert after.interview["rule_set"] == "us-law"
    assert after.interview["saved"] != "2025-05-01T10:00:00+00:00"
    # and the results do not change for what was kept
    evaluator = Evaluator(registry.load("us-law"), "python")
    assert evaluator.evaluate_scenario(after).provisions["u_visa"].status == "not_met"


def test_training_scenarios_round_trip_through_the_save_format(us_law, vocabulary) -> None:
    # every bundled scenario, saved as the interview saves, gives the same results
    from eligibility.law.scenarios import dump_yaml, parse_scenario, scenario_document
    from eligibility.law.yamlfile import parse_text

    evaluator = Evaluator(us_law, "python")
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        original = load_scenario(path, vocabulary)
        text = dump_yaml(scenario_document(original, vocabulary))
        copy = parse_scenario(parse_text(text, "saved.yaml"), vocabulary)
        assert copy.facts == original.facts and copy.as_of == original.as_of
        assert (
            evaluator.evaluate_scenario(copy).statuses
            == evaluator.evaluate_scenario(original).statuses
        )
