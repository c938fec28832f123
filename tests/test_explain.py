"""`eligibility explain`: the report's content, its formats and exports."""

from __future__ import annotations

import json
import os
import stat

import pytest

from eligibility.analysis.evaluate import Evaluator
from eligibility.analysis.report import build_report
from eligibility.law.scenarios import load_scenario

from conftest import ROOT, run_cli

ANA = str(ROOT / "scenarios" / "ana-2002-minor.yaml")


def test_json_report_has_the_same_content_as_the_screen() -> None:
    p = run_cli("explain", ANA, "--format", "json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    t_visa = report["provisions"]["t_visa"]
    assert t_visa["status"] == "not_met" and t_visa["law_enforcement_gated"]
    assert t_visa["reason"].startswith("not met: Has complied")
    assert t_visa["law_enforcement"]["gated"] is True
    assert {e["dependency"] for e in t_visa["law_enforcement"]["elements"]} == {"cooperation"}
    assert any(
        c["id"] == "wc2007-rec6"
        for e in t_visa["law_enforcement"]["elements"]
        for c in e["critiques"]
    )
    assert t_visa["card"]["reasons"] and t_visa["card"]["complications"]
    routes = t_visa["what_would_change"]
    assert routes["person"] and not routes["law_enforcement"]
    assert {"from": "2003-12-19", "until": None, "rule_set": "us-law", "status": "met"} in routes[
        "law"
    ]
    assert any(r["rule_set"] == "rights-based-2007" and r["status"] == "met" for r in routes["law"])
    screen = run_cli("explain", ANA, "--no-color", "--width", "100").stdout
    assert t_visa["reason"][:40] in " ".join(screen.split())
    assert "law-enforcement dependency" in screen and "result card" in screen


def test_the_u_signature_is_the_only_thing_missing(vocabulary, us_law) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "dv-police-refuse-i918b.yaml", vocabulary)
    result = Evaluator(us_law, "python").evaluate_scenario(scenario)
    report = build_report(result, scenario, vocabulary=vocabulary, book=us_law)
    routes = report["provisions"]["u_visa"]["what_would_change"]
    assert routes["law_enforcement"][0] == [
        {
            "fact": "u_certification_signed",
            "question": vocabulary["u_certification_signed"].question,
            "from": "no",
            "to": "yes",
            "controlled_by": "law_enforcement",
        }
    ]
    screen = run_cli(
        "explain",
        str(ROOT / "scenarios" / "dv-police-refuse-i918b.yaml"),
        "--no-color",
        "--width",
        "120",
    ).stdout
    assert "the only thing missing: u_certification_signed no → yes" in screen


def test_amendments_are_named_on_the_elements_they_introduced() -> None:
    screen = run_cli("explain", ANA, "--as-of", "2010-06-01", "--no-color", "--width", "200").stdout
    assert "Is exempt as a child (has not attained 18 years of age)" in screen
    assert "since TVPRA 2003 (2003-12-19)" in " ".join(screen.split())


def test_questions_to_ask_next_for_unknown_facts() -> None:
    p = run_cli(
        "explain",
        str(ROOT / "scenarios" / "intake-first-call.yaml"),
        "--no-color",
        "--width",
        "120",
    )
    assert p.returncode == 0
    assert "Questions to ask next:" in p.stdout
    assert "What did the trafficker or buyer do to the person?" in p.stdout


def test_plain_text_when_piped_and_no_color() -> None:
    for args in ((), ("--no-color",)):
        p = run_cli("explain", ANA, *args)
        assert "\x1b[" not in p.stdout


@pytest.mark.parametrize(
    "suffix, marker", [(".html", "<html"), (".svg", "<svg"), (".txt", "law-enforcement dependency")]
)
def test_export_is_private(tmp_path, suffix, marker) -> None:
    target = tmp_path / f"report{suffix}"
    p = run_cli("explain", ANA, "--export", str(target))
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert marker in target.read_text()


def test_bad_export_name_is_a_usage_error(tmp_path) -> None:
    p = run_cli("explain", ANA, "--export", str(tmp_path / "report.pdf"))
    assert p.returncode == 2 and "expected a file name ending in" in p.stderr
    assert not (tmp_path / "report.pdf").exists()


def test_compare_dates_side_by_side() -> None:
    p = run_cli(
        "explain", ANA, "--compare-dates", "2002-06-01,2004-06-01", "--no-color", "--width", "140"
    )
    assert p.returncode == 0, p.stderr
    assert "2002-06-01" in p.stdout and "2004-06-01" in p.stdout
    assert "since TVPRA 2003 (2003-12-19)" in " ".join(p.stdout.split())
    doc = json.loads(
        run_cli(
            "explain", ANA, "--compare-dates", "2002-06-01,2004-06-01", "--format", "json"
        ).stdout
    )
    row = next(r for r in doc["compare_dates"]["provisions"] if r["provision"] == "t_visa")
    assert row["statuses"] == ["not_met", "met"]
    p = run_cli("explain", ANA, "--compare-dates", "2002-06-01")
    assert p.returncode == 2 and "two or more dates" in p.stderr


@pytest.mark.parametrize("width", [80, 120])
def test_nothing_is_cut_at_common_widths(width) -> None:
    p = run_cli("explain", ANA, "--no-color", "--width", str(width))
    assert p.returncode == 0
    assert max(len(line) for line in p.stdout.splitlines()) <= width
    assert "…" not in p.stdout  # rich's ellipsis: something was cut


@pytest.mark.parametrize("command", ["explain", "interview"])
def test_a_width_too_small_to_render_is_a_usage_error(command) -> None:
    # rich prints nothing at all at width 0 or below: say so instead of exiting 0
    args = [ANA] if command == "explain" else []
    p = run_cli(command, *args, "--width", "0")
    assert p.returncode == 2 and p.stdout == ""
    assert "argument --width: expected 20 or more, got 0" in p.stderr
