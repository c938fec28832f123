"""Pictures and the timeline: `compare --plot`, `eligibility timeline` (issue 16)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys

import pytest

from eligibility.law.registry import Registry
from eligibility.population.timeline import changes_between, timeline
from eligibility.render.plots import _label_rows

from conftest import ROOT, cli_env, run_cli

pytest.importorskip("matplotlib")


def test_compare_plot_writes_a_private_svg_naming_both_rule_sets(tmp_path) -> None:
    target = tmp_path / "compare.svg"
    p = run_cli(
        "compare",
        "--rules",
        "us-law",
        "--rules",
        "rights-based-2007",
        "--generate",
        "500",
        "--plot",
        str(target),
        "--format",
        "json",
    )
    assert p.returncode == 0, p.stderr
    svg = target.read_text()
    assert svg.startswith("<?xml") and "</svg>" in svg
    for text in ("us-law", "rights-based-2007", "Continued Presence", "met through law"):
        assert text in svg
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


@pytest.mark.slow
def test_compare_plot_png_and_bad_suffix(tmp_path) -> None:
    target = tmp_path / "compare.png"
    args = ["compare", "--rules", "us-law", "--rules", "rights-based-2007", "--generate", "300"]
    p = run_cli(*args, "--plot", str(target), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert target.read_bytes().startswith(b"\x89PNG")
    bad = run_cli(*args, "--plot", str(tmp_path / "compare.pdf"))
    assert bad.returncode == 2
    assert ".svg or .png" in bad.stderr and "Traceback" not in bad.stderr


def test_without_matplotlib_the_error_names_the_research_extra(tmp_path) -> None:
    # a finder that refuses matplotlib, as on a machine without the extra
    code = (
        "import sys, importlib.abc\n"
        "class No(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'matplotlib': raise ImportError(name)\n"
        "sys.meta_path.insert(0, No())\n"
        "from eligibility.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, "timeline", "--rules", "us-law", "--from", "2000-10-28",
         "--to", "2010-01-01", "--generate", "10", "--plot", str(tmp_path / "t.svg")],
        capture_output=True, text=True, cwd=ROOT, env=cli_env(), timeout=120,
    )  # fmt: skip
    assert p.returncode == 2, p.stderr
    assert "research" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "t.svg").exists()


def test_timeline_has_a_point_at_the_start_and_at_every_change() -> None:
    book = Registry().load("us-law")
    start, end = dt.date(2000, 10, 28), dt.date(2010, 1, 1)
    data = timeline(["us-law"], start, end, generate=2000, seed=4)
    expected = {start} | {
        a.effective for a in book.timeline() if a.effective and a.effective <= end
    }
    assert set(data.dates) == expected
    assert dt.date(2008, 12, 23) in data.dates and dt.date(2013, 3, 7) not in data.dates
    for date in data.dates:
        for pid in book.sources:
            counts = data.counts["us-law"][date][pid]
            assert counts["met"] + counts["not_met"] + counts["undetermined"] == 2000
            levels = ("gated", "possibly_gated", "relies_on", "independent")
            assert sum(counts[level] for level in levels) == 2000


def test_timeline_matches_the_column_wise_comparison_on_each_date() -> None:
    """The shares at a date are those of `compare_columns` of the law of that date."""
    from eligibility.population.vector_compare import compare_columns

    data = timeline(["us-law"], dt.date(2000, 10, 28), dt.date(2009, 6, 1), generate=3000, seed=2)
    for date in (dt.date(2000, 10, 28), dt.date(2008, 12, 23)):
        side = f"us-law@{date.isoformat()}"
        doc = compare_columns(side, side, generate=3000, seed=2).to_dict()
        for pid, entry in doc["provisions"].items():
            counts = data.counts["us-law"][date][pid]
            assert counts["met"] == entry["status"]["a"]["met"]["count"]
            assert counts["gated"] == entry["law_enforcement_gated"]["a"]["count"]


def test_an_amendment_that_tightens_a_provision_shows_as_a_step() -> None:
    """TVPRA 2008 ended the need for cooperation for HHS certification of trauma
    victims: fewer adults meet certification only through law enforcement afterwards."""
    data = timeline(["us-law"], dt.date(2008, 1, 1), dt.date(2009, 6, 1), generate=20000, seed=1)
    before = data.share("us-law", dt.date(2008, 1, 1), "victim_services", "relies_on")
    after = data.share("us-law", dt.date(2008, 12, 23), "victim_services", "relies_on")
    assert after < before


def test_timeline_cli_csv_and_plot(tmp_path) -> None:
    picture = tmp_path / "timeline.svg"
    p = run_cli(
        "timeline", "--rules", "us-law", "--rules", "rights-based-2007",
        "--from", "2000-10-28", "--to", "2016-01-01", "--generate", "1000",
        "--plot", str(picture),
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert {r["rule_set"] for r in rows} == {"us-law", "rights-based-2007"}
    tvpra = [r for r in rows if r["date"] == "2008-12-23" and r["rule_set"] == "us-law"]
    # one row per provision (eleven since issue 17)
    assert len(tvpra) == 11 and "TVPRA 2008 (t_visa)" in tvpra[0]["amendments"]
    for r in rows:
        total = sum(float(r[f"{s}_percent"]) for s in ("met", "not_met", "undetermined"))
        assert abs(total - 100) < 0.01
    svg = picture.read_text()
    for change in changes_between(Registry().load("us-law"), dt.date(2000, 10, 28),
                                  dt.date(2016, 1, 1)):  # fmt: skip
        assert change.date.isoformat() in svg  # every amendment is named in the key


def test_timeline_usage_errors() -> None:
    base = ["timeline", "--rules", "us-law", "--generate", "10"]
    p = run_cli(*base, "--from", "2010-01-01", "--to", "2000-01-01")
    assert p.returncode == 2 and "before" in p.stderr
    p = run_cli(*base, "--from", "2000-01-01", "--plot", "chart.gif")
    assert p.returncode == 2 and ".svg or .png" in p.stderr


def test_labels_close_together_go_on_separate_rows() -> None:
    start, end = dt.date(2000, 1, 1), dt.date(2026, 1, 1)
    dates = [dt.date(2008, 12, 23), dt.date(2009, 1, 12), dt.date(2013, 3, 7)]
    rows = _label_rows(dates, start, end, gap=0.028)
    assert rows[0] != rows[1]  # twenty days apart on a 26-year axis
    assert rows[2] == 0  # far enough from both


@pytest.mark.slow
def test_engine_auto_names_its_choice_and_keeps_per_case_rows_per_case(tmp_path) -> None:
    base = ["compare", "--rules", "us-law", "--rules", "rights-based-2007", "--format", "json"]
    small = json.loads(run_cli(*base, "--generate", "50").stdout)
    large = json.loads(run_cli(*base, "--generate", "500").stdout)
    assert small["engine"] == "durable" and "fewer than 200" in small["engine_choice"]
    assert large["engine"] == "vector" and large["population"]["stream"] == "columns-1"
    rows = tmp_path / "rows.csv"
    with_rows = run_cli(*base, "--generate", "500", "--out", str(rows))
    assert json.loads(with_rows.stdout)["engine"] == "durable"
    assert rows.read_text().splitlines()[1].startswith("gen-0-0,")
    refused = run_cli(*base, "--generate", "500", "--engine", "vector", "--out", str(rows))
    assert refused.returncode == 2 and "--engine durable" in refused.stderr
    table = run_cli(*base[:-2], "--generate", "500", "--no-color")
    assert "engine vector (chosen by --engine auto: 200 cases or more)" in table.stdout


def test_vector_and_per_case_engines_agree_on_the_same_files() -> None:
    base = ["compare", "--rules", "us-law", "--rules", "rights-based-2007", "--format", "json"]
    docs = [
        json.loads(run_cli(*base, str(ROOT / "scenarios"), "--engine", engine).stdout)
        for engine in ("vector", "python")
    ]
    for doc in docs:
        doc.pop("engine")
        for entry in doc["provisions"].values():
            entry.pop("law_enforcement", None)  # tallied by both, compared in test_vector
    assert docs[0] == docs[1]


def test_timeline_reads_scenario_files_and_weighted_tables_of_cases(tmp_path) -> None:
    """SCENARIO files, or --cases FILE (a table, as for evaluate and compare) with
    --weight: a case of weight 3 counts three times, and the shares are of the weight."""
    from conftest import run_main

    window = ("timeline", "--rules", "us-law", "--from", "2020-01-01", "--to", "2021-01-01")
    files = run_main(*window, "scenarios/debt-bondage-ptsd.yaml", "scenarios/h2b-wage-theft.yaml")
    assert files.returncode == 0, files.stderr
    severe = [r for r in csv.DictReader(io.StringIO(files.stdout))
              if r["provision"] == "severe_trafficking"]  # fmt: skip
    assert severe[0]["cases"] == "2" and float(severe[0]["met_percent"]) == 50.0

    table = tmp_path / "cases.csv"
    table.write_text(
        "id,citizenship,age_now,w\n"
        "a,us_citizen,30,3\n"  # a citizen: the T visa does not concern her (not met)
        "b,noncitizen,30,1\n",
        encoding="utf-8",
    )
    weighted = run_main(*window, "--cases", str(table), "--weight", "w")
    assert weighted.returncode == 0, weighted.stderr
    rows = [r for r in csv.DictReader(io.StringIO(weighted.stdout)) if r["provision"] == "t_visa"]
    assert rows[0]["cases"] == "2"
    assert float(rows[0]["not_met_percent"]) == 75.0  # 3 of a total weight of 4

    both = run_main(*window, "--generate", "10", "--cases", str(table))
    assert both.returncode == 2 and "one of them" in both.stderr
    lone = run_main(*window, "--generate", "10", "--weight", "w")
    assert lone.returncode == 2 and "--weight names a column of --cases" in lone.stderr
    nothing = run_main(*window)
    assert nothing.returncode == 2 and "give --generate N" in nothing.stderr
