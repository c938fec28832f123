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


def test_scenario_ids_for_saved_files() -> None:
    assert scenario_id_for("cases/Maria Case 2.yaml") == "maria-case-2"
    assert scenario_id_for(None).startswith("interview-")


# ----------------------------------------------------------- through a terminal


def answer_until_done(
    terminal: Terminal, vocabulary, answers: dict[str, str], *, back_at: int | None = None
) -> list[str]:
    """Answer each question by recognising its text; optionally type `back` once."""
    by_question = {" ".join(vocabulary[n].question.split()): n for n in vocabulary}
    asked: list[str] = []
    while True:
        match = terminal.expect(
            r"(question \d+ \([^)]*\).*?\n(.*?)╰)|(Every question that "
            r"could still change)"
        )
        if match.group(3):
            return asked
        panel = re.sub(r"[│\s]+", " ", match.group(2))
        fact = next((n for q, n in by_question.items() if panel.strip().startswith(q[:60])), None)
        assert fact is not None, f"no question recognised in {panel!r}"
        asked.append(fact)
        terminal.expect(r"> ")
        if back_at is not None and len(asked) == back_at:
            terminal.send("back")
            back_at = None
            continue
        terminal.send(answers.get(fact, "?"))


def test_a_full_interview_in_a_terminal(tmp_path, vocabulary) -> None:
    saved = tmp_path / "maria.yaml"
    answers = dict(ANSWERS)
    answers["qualifying_crimes"] = "?"  # "don't know" is an answer too
    terminal = Terminal(
        [*cli_command(), "interview", "--as-of", "2025-06-01", "--save", str(saved)],
        columns=100,
        cwd=str(tmp_path),
    )
    try:
        terminal.expect("eligibility interview: us-law, law in force on 2025-06-01")
        asked = answer_until_done(terminal, vocabulary, answers, back_at=3)
        assert asked[0] == "age_at_victimization"
        # `back` at the third question re-asks the second, then the third again
        assert asked[3] == asked[1] and asked[4] == asked[2]
        terminal.expect(r"T visa")
        terminal.expect(r"Where the outcome depends on law enforcement")
        terminal.expect(r"Saved to \S*maria\.yaml")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    scenario = load_scenario(saved, vocabulary)
    assert scenario.id == "maria" and scenario.as_of == AS_OF
    assert scenario.facts["age_at_victimization"] == 26
    assert scenario.facts["means"] == frozenset({"coercion"})
    assert "qualifying_crimes" in scenario.asked_unknown
    assert len(set(asked)) == len(asked) - 2
    p = run_cli("evaluate", str(saved), "--format", "json")
    assert p.returncode == 0
    import json

    provisions = json.loads(p.stdout)["provisions"]
    assert provisions["t_visa"]["status"] == "not_met"
    assert provisions["t_visa"]["law_enforcement_gated"] is True
    assert provisions["u_visa"]["status"] == "not_met"  # helpfulness and signature
    assert run_cli("explain", str(saved), "--no-color").returncode == 0


def test_dont_know_to_everything_in_a_terminal(tmp_path, vocabulary) -> None:
    saved = tmp_path / "unknown.yaml"
    terminal = Terminal(
        [*cli_command(), "interview", "--as-of", "2025-06-01", "--save", str(saved)],
        columns=80,
    )
    try:
        asked = answer_until_done(terminal, vocabulary, {})
        terminal.expect(r"Find out:")
        terminal.expect(r"Saved to")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    assert "Traceback" not in terminal.screen
    scenario = load_scenario(saved, vocabulary)
    assert scenario.facts == {} and set(scenario.asked_unknown) == set(asked)
    p = run_cli("evaluate", str(saved), "--format", "json")
    import json

    assert all(r["status"] == "undetermined" for r in json.loads(p.stdout)["provisions"].values())


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
        terminal.send("17")
        terminal.expect(r"question 2")
        terminal.expect(r"> ")
        terminal.send("quit")
        terminal.expect(r"Save your answers before quitting\? \[y/N\]")
        terminal.send("y" if save else "n")
        terminal.expect(r"Saved to" if save else r"Not saved")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    assert target.exists() is save
    if save:
        assert "age_at_victimization: 17" in target.read_text()


def test_resume_from_a_saved_partial_case(tmp_path, vocabulary) -> None:
    partial = tmp_path / "resume.yaml"
    partial.write_text(
        "id: resume\nas_of: 2025-06-01\nfacts:\n  age_at_victimization: 16\n"
        "  citizenship: noncitizen\n  age_now: null\n"
    )
    terminal = Terminal([*cli_command(), "interview", "--from", str(partial)], columns=100)
    try:
        terminal.expect(r"question 1 \(([^)]*)\)")
        question = terminal.screen[terminal.position : terminal.position + 300]
        assert "How old" not in question and "citizenship" not in question.lower()
        terminal.expect(r"> ")
        terminal.send("quit")
        terminal.expect(r"\[y/N\]")
        terminal.send("y")
        terminal.expect(r"Saved to .*resume.yaml")
        assert terminal.wait() == 0
    finally:
        terminal.close()
    scenario = load_scenario(partial, vocabulary)  # saved over the file it came from
    assert scenario.facts == {"age_at_victimization": 16, "citizenship": "noncitizen"}
    assert scenario.asked_unknown == ("age_now",)
    assert stat.S_IMODE(os.stat(partial).st_mode) == 0o600


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
