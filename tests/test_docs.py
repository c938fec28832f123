"""Generated documentation: the rule handbook stays in step with the rule files."""

from __future__ import annotations

import shutil

from eligibility.analysis.handbook import handbook
from eligibility.law.registry import Registry, bundled_rules_dir
from eligibility.law.scenarios import load_scenario

from conftest import ROOT, run_cli

HANDBOOK = ROOT / "docs" / "handbook"


def test_the_committed_handbook_is_up_to_date() -> None:
    p = run_cli("docs", "--check", "--out", str(HANDBOOK))
    assert p.returncode == 0, p.stdout + "\n(run `eligibility docs` and commit docs/handbook)"


def test_a_changed_rule_file_makes_the_handbook_stale(tmp_path, vocabulary) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), rules)
    path = rules / "us-law" / "t_visa.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "Would suffer extreme hardship involving unusual and severe harm upon removal",
            "Would suffer extreme hardship on removal",
            1,
        )
    )
    scenarios = [load_scenario(p, vocabulary) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    pages = handbook(Registry(rules).load("us-law"), scenarios)
    assert pages["t_visa.md"] != (HANDBOOK / "t_visa.md").read_text()
    assert pages["severe_trafficking.md"] == (HANDBOOK / "severe_trafficking.md").read_text()


def test_docs_check_reports_stale_pages(tmp_path) -> None:
    shutil.copytree(HANDBOOK, tmp_path / "handbook")
    (tmp_path / "handbook" / "u_visa.md").write_text("edited by hand\n")
    p = run_cli("docs", "--check", "--out", str(tmp_path / "handbook"))
    assert p.returncode == 1 and "u_visa.md" in p.stdout


def test_every_provision_has_a_page_with_its_parts() -> None:
    index = (HANDBOOK / "index.md").read_text()
    assert "```mermaid" in index and "severe_trafficking ==> t_visa" in index
    for pid in (
        "severe_trafficking",
        "t_visa",
        "u_visa",
        "continued_presence",
        "hhs_certification",
        "minor_eligibility_letter",
        "victim_services",
    ):
        page = (HANDBOOK / f"{pid}.md").read_text()
        for heading in (
            "## The text in force, period by period",
            "## Amendments",
            "## Where it depends on law enforcement",
            "## Training scenarios that exercise it",
        ):
            assert heading in page, (pid, heading)
    t_visa = (HANDBOOK / "t_visa.md").read_text()
    assert "since TVPRA 2003 (2003-12-19)" in t_visa and "wc2007-rec6" not in t_visa
    assert "Women's Commission for Refugee Women and Children (2007), 6: amend the T visa" in t_visa
