"""`eligibility explain`: the one-screen report, --full, the handout, --compare-dates."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.analysis.report import build_report, shift_ages
from eligibility.law.rulebook import default_registry
from eligibility.law.scenarios import load_scenario

from conftest import ROOT, run_cli, run_main, sampled
from terminal import Terminal

ANA = str(ROOT / "scenarios" / "ana-2002-minor.yaml")
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REGISTRY = default_registry()
READING_CODE = re.compile(r"\bE-\d+\b|LEGAL-BRIEF|DESIGN\.md")


def explain(*args: str, width: int = 80) -> str:
    """The report as printed to a pipe. In this process (cli.main): the same code path
    without an interpreter's start-up per scenario; the tests below that are about the
    process (the pager, the environment, exports) run the console."""
    p = run_main("explain", *args, "--no-color", "--width", str(width))
    assert p.returncode == 0, p.stderr
    return p.stdout


def words(text: str) -> str:
    return " ".join(text.split())


def internal_names() -> set[str]:
    """Names a trainee cannot look up: fact names and provision ids."""
    names = set(REGISTRY.vocabulary.names())
    for book in (REGISTRY.load("us-law"), REGISTRY.load("rights-based-2007")):
        names |= set(book.sources)
    return names


@pytest.mark.parametrize("path", sampled(SCENARIOS, every=6, ids=lambda p: p.stem))
def test_the_default_report_fits_one_screen_and_speaks_plainly(path: Path) -> None:
    screen = explain(str(path))
    lines = screen.splitlines()
    assert len(lines) <= 80, f"{path.name}: {len(lines)} lines at 80 columns"
    assert max(len(line) for line in lines) <= 80
    assert "…" not in screen  # rich's ellipsis: something was cut
    found = {name for name in internal_names() if re.search(rf"\b{name}\b", screen)}
    assert not found, f"{path.name}: internal names on screen: {sorted(found)}"
    codes = READING_CODE.findall(screen)
    assert not codes, f"{path.name}: codes on screen: {codes}"


def test_full_report_has_every_element_with_its_citation() -> None:
    screen = words(re.sub(r"[│├└─]", " ", explain(ANA, "--full", width=160)))
    book = REGISTRY.load("us-law")
    plan = book.at(load_scenario(ANA, REGISTRY.vocabulary).as_of).plan
    for node in plan.nodes:
        if node.owner.startswith("note:"):
            continue
        assert words(node.condition.text) in screen, node.condition.id
    assert "8 U.S.C. 1101(a)(15)(T)(i)" in screen
    assert "What would change this" in screen


def test_default_report_content_for_a_sixteen_year_old_in_2002() -> None:
    screen = words(explain(ANA))
    assert "Where the outcome depends on law enforcement" in screen
    assert "T visa would be met if" in screen
    # the one critique that fits each blocking element, never repeated
    assert screen.count("Critique (") == len(set(re.findall(r"Critique \(([^)]*)\)", screen)))
    assert "Child eligibility letter ✔ met" in screen


def test_json_report_carries_the_dependency_and_the_plain_reason() -> None:
    p = run_cli("explain", ANA, "--format", "json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    t_visa = report["provisions"]["t_visa"]
    assert t_visa["status"] == "not_met" and t_visa["law_enforcement_gated"] is True
    assert t_visa["law_enforcement"] == "gated"
    assert {b["fact"] for b in t_visa["law_enforcement_blockers"]} >= {
        "contacted_law_enforcement",
        "complied_with_reasonable_requests",
    }
    assert t_visa["dependency"]["critique"]["id"].startswith("wc2007")
    assert t_visa["elements"] and t_visa["reason"]
    routes = t_visa["what_would_change"]
    assert routes["person"] and not routes["law_enforcement"]
    assert {"from": "2003-12-19", "until": None, "rule_set": "us-law", "status": "met"} in routes[
        "law"
    ]
    # in 2002 only federal contact counted; whether there was any is not known yet
    federal = next(b for b in t_visa["dependency"]["blockers"] if b["id"] == "t3-aa-federal")
    assert federal["unknown"] is True


def test_a_refused_certification_reads_as_gated_with_the_signature_as_the_blocker() -> None:
    path = str(ROOT / "scenarios" / "dv-police-refuse-i918b.yaml")
    report = json.loads(run_cli("explain", path, "--format", "json").stdout)
    u = report["provisions"]["u_visa"]
    assert u["law_enforcement"] == "gated"
    assert [b["fact"] for b in u["law_enforcement_blockers"]] == ["u_certification_signed"]
    assert u["what_would_change"]["law_enforcement"][0][0]["fact"] == "u_certification_signed"
    # admissibility is an adjudicator's decision, never a law-enforcement route
    for route in u["what_would_change"]["law_enforcement"]:
        assert all(c["fact"] != "admissible_or_waiver" for c in route)
    screen = words(explain(path))
    assert "U visa would be met if" in screen


def test_citizens_read_as_not_applicable_not_as_refusals() -> None:
    screen = words(explain(str(ROOT / "scenarios" / "us-citizen-girl-ohio.yaml")))
    assert "✘ not met" not in screen
    assert screen.count("– not applicable") >= 5
    assert "Victim services ✔ met" in screen
    report = json.loads(
        run_cli(
            "explain", str(ROOT / "scenarios" / "us-citizen-girl-ohio.yaml"), "--format", "json"
        ).stdout
    )
    t_visa = report["provisions"]["t_visa"]
    assert t_visa["status"] == "not_met" and t_visa["applicable"] is False
    assert t_visa["not_applicable_reason"]


def test_an_open_point_of_law_says_what_settles_it(vocabulary, us_law) -> None:
    # child-farmworker-2010: whether coercion excuses a victim who recruited others is
    # open, but only if there is reason to believe he took part: a fact settles it.
    scenario = load_scenario(ROOT / "scenarios" / "child-farmworker-2010.yaml", vocabulary)
    result = Evaluator(us_law, "python").evaluate_scenario(scenario)
    report = build_report(result, scenario, book=us_law, what_if=False)
    points = report["provisions"]["t_visa"]["open_points"]
    assert points and points[0]["matters_if"]
    assert any("trafficking" in text for text in points[0]["matters_if"])
    settled = Evaluator(us_law, "python").evaluate(
        {**scenario.facts, "committed_trafficking_act": False}, scenario.as_of, scenario.id
    )
    report = build_report(settled, scenario, book=us_law, what_if=False)
    assert not report["provisions"]["t_visa"]["open_points"]


def test_compare_dates_moves_the_age_with_the_date() -> None:
    facts = load_scenario(ANA, REGISTRY.vocabulary).facts
    later = shift_ages(facts, dt.date(2002, 6, 1), dt.date(2004, 6, 1))
    assert later["age_now"] == 18 and later["age_at_victimization"] == 16
    earlier = shift_ages(facts, dt.date(2002, 6, 1), dt.date(1999, 6, 1))
    assert earlier["age_now"] == 16  # never younger than when it happened
    doc = json.loads(
        run_cli(
            "explain", ANA, "--compare-dates", "2002-06-01,2004-06-01", "--format", "json"
        ).stdout
    )
    row = next(r for r in doc["compare_dates"]["provisions"] if r["provision"] == "t_visa")
    # 18 by 2004: under the 2003 rule whether "under 18" is measured then or at the time
    # of the trafficking is open, as for the bundled ana-2004-turned-18
    assert row["statuses"] == ["not_met", "undetermined"]
    assert doc["compare_dates"]["ages"] == [16, 18]
    screen = words(explain(ANA, "--compare-dates", "2002-06-01,2004-06-01", width=140))
    assert "Ages move with the date" in screen
    p = run_cli("explain", ANA, "--compare-dates", "2002-06-01")
    assert p.returncode == 2 and "two or more dates" in p.stderr


def test_the_handout_is_a_printable_document(tmp_path) -> None:
    target = tmp_path / "handout.html"
    p = run_cli("explain", ANA, "--export", str(target))
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    html = target.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<title>" in html and "<pre" not in html
    assert "@media print" in html
    for heading in ("Summary", "Each protection", "Where the outcome depends on law enforcement"):
        assert f"<h2>{heading}</h2>" in html
    assert "✘ not met" in html and "⚑ depends on law enforcement" in html  # words, not colour
    assert not READING_CODE.findall(re.sub(r"<[^>]+>", " ", html))


def test_the_full_handout_states_the_facts_in_words_not_names(tmp_path) -> None:
    target = tmp_path / "handout.html"
    p = run_main("explain", ANA, "--full", "--export", str(target))
    assert p.returncode == 0, p.stderr
    text = re.sub(r"<[^>]+>", "\n", target.read_text())
    facts = text[text.index("Facts as stated") :]
    assert "age now: 16" in facts and "is here because of the trafficking" in facts
    # fact names such as age_now (a name that is also a word, citizenship, is in a label)
    assert not re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", facts)


def test_a_detail_waits_for_the_fact_it_refines(tmp_path) -> None:
    """Admissibility unknown: the U card asks it, not the U waiver's details (they
    refine it, rules/interview.yaml); --full and the JSON have them, marked."""
    text = (ROOT / "scenarios" / "dv-police-refuse-i918b.yaml").read_text()
    text = text.replace("u_certification_signed: false", "u_certification_signed: true")
    text = "\n".join(line for line in text.splitlines() if "admissible_or_waiver" not in line)
    case = tmp_path / "signed.yaml"
    case.write_text(text + "\n")
    screen = words(explain(str(case), width=100))
    card = screen[screen.index("U visa ? undetermined, ") :]
    assert "Find out: admissible, or waiver available" in card
    assert "U waiver" not in card[: card.index("Next:")]
    assert "U waiver of inadmissibility" in words(explain(str(case), "--full", width=100))
    report = json.loads(run_main("explain", str(case), "--format", "json").stdout)
    asked = {q["fact"]: q["refines"] for q in report["provisions"]["u_visa"]["questions"]}
    assert asked["admissible_or_waiver"] == []
    assert asked["u_waiver"] == ["admissible_or_waiver"]


@pytest.mark.parametrize("suffix, marker", [(".svg", "<svg"), (".txt", "T visa")])
def test_screen_exports_are_private(tmp_path, suffix, marker) -> None:
    target = tmp_path / f"report{suffix}"
    p = run_cli("explain", ANA, "--export", str(target))
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert marker in target.read_text()


def test_bad_export_name_is_a_usage_error(tmp_path) -> None:
    p = run_cli("explain", ANA, "--export", str(tmp_path / "report.pdf"))
    assert p.returncode == 2 and "expected a file name ending in" in p.stderr
    assert not (tmp_path / "report.pdf").exists()


def test_plain_text_when_piped_and_no_color() -> None:
    for args in ((), ("--no-color",)):
        p = run_cli("explain", ANA, *args)
        assert "\x1b[" not in p.stdout


@pytest.mark.parametrize("width", [80, 120])
def test_nothing_is_cut_at_common_widths(width) -> None:
    screen = explain(ANA, "--full", width=width)
    assert max(len(line) for line in screen.splitlines()) <= width
    assert "…" not in screen


def test_a_long_report_goes_through_the_pager_on_a_terminal(tmp_path) -> None:
    marker = tmp_path / "paged.txt"
    pager = f"tee {marker}"
    terminal = Terminal(
        [sys.executable, "-m", "eligibility", "explain", ANA, "--full"],
        columns=80,
        rows=24,
        env={"PAGER": pager},
        cwd=str(ROOT),
    )
    try:
        assert terminal.wait(60) == 0
    finally:
        terminal.close()
    assert "Where the outcome depends on law enforcement" in marker.read_text()
    # piped output is never paged
    p = run_cli("explain", ANA, "--full", env={**os.environ, "PAGER": f"tee {tmp_path / 'no'}"})
    assert p.returncode == 0 and not (tmp_path / "no").exists()


@pytest.mark.parametrize("command", ["explain", "interview"])
def test_a_width_too_small_to_render_is_a_usage_error(command) -> None:
    # rich prints nothing at all at width 0 or below: say so instead of exiting 0
    args = [ANA] if command == "explain" else []
    p = run_cli(command, *args, "--width", "0")
    assert p.returncode == 2 and p.stdout == ""
    assert "argument --width: expected 20 or more, got 0" in p.stderr
