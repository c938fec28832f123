"""Rule files: parsing, validation messages, amendments by date, overlays."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from eligibility.errors import RuleError, UsageError
from eligibility.law.logic import MET, NOT_MET
from eligibility.law.registry import Registry, bundled_rules_dir

D = dt.date


def condition_ids(book, provision: str, date: dt.date) -> set[str]:
    return {n.id for n in book.at(date).provisions[provision].condition.walk()}


def test_bundled_rule_sets(registry) -> None:
    assert {"us-law", "rights-based-2007"} <= set(registry.bundled())


def test_every_condition_has_id_text_and_citation(us_law) -> None:
    for date in us_law.change_dates:
        for provision in us_law.at(date).provisions.values():
            for node in provision.condition.walk():
                assert node.id and node.text.strip() and node.citation.strip(), node.id


def test_nothing_exists_before_tvpa_2000(us_law) -> None:
    book = us_law.at(D(2000, 10, 27))
    for provision in book.provisions.values():
        assert provision.condition.kind == "always"
        assert provision.condition.constant == NOT_MET
        assert "Not yet law" in provision.condition.text
        assert not provision.notes


def test_amendments_apply_on_their_effective_date(us_law) -> None:
    before, after = D(2003, 12, 18), D(2003, 12, 19)
    assert "t3-cc-15-at-victimization" in condition_ids(us_law, "t_visa", before)
    assert "t3-cc-18-at-victimization" in condition_ids(us_law, "t_visa", after)
    assert "t3-bb-trauma" not in condition_ids(us_law, "t_visa", D(2008, 12, 22))
    assert "t3-bb-trauma" in condition_ids(us_law, "t_visa", D(2008, 12, 23))
    node = next(
        n for n in us_law.at(after).provisions["t_visa"].condition.walk() if n.id == "t3-cc-minor"
    )
    assert node.since and "TVPRA 2003" in node.since


def test_citations_follow_renumbering(us_law) -> None:
    cites = {
        d: us_law.at(d).provisions["severe_trafficking"].citation
        for d in (D(2010, 1, 1), D(2014, 1, 1), D(2020, 1, 1))
    }
    assert "7102(8)" in cites[D(2010, 1, 1)]
    assert "7102(9)" in cites[D(2014, 1, 1)]
    assert "7102(11)" in cites[D(2020, 1, 1)]


def test_resolution_is_cached_per_epoch(us_law) -> None:
    assert us_law.at(D(2010, 1, 1)) is us_law.at(D(2012, 6, 30))
    assert us_law.at(D(2012, 6, 30)) is not us_law.at(D(2013, 3, 7))


def test_overlay_changes_apply_on_top_of_the_law_of_the_date(rights_based) -> None:
    ids = condition_ids(rights_based, "t_visa", D(2002, 6, 1))
    assert "t3-aa-complied" not in ids and "t3-cooperation" in ids
    node = rights_based.at(D(2002, 6, 1)).provisions["t_visa"].condition
    cooperation = next(n for n in node.walk() if n.id == "t3-cooperation")
    assert cooperation.kind == "always" and cooperation.constant == MET
    # before 2000 the overlay changes nothing: nothing existed to reform
    assert rights_based.at(D(1999, 1, 1)).provisions["t_visa"].condition.kind == "always"


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        (
            "t_visa.yaml",
            "fact: extreme_hardship",
            "fact: extreme_hardshp",
            "t_visa.yaml:.*condition t4-hardship: unknown fact 'extreme_hardshp' "
            "\\(did you mean extreme_hardship\\?\\)",
        ),
        (
            "t_visa.yaml",
            "      fact: extreme_hardship\n",
            "      fact: extreme_hardship\n      lt: 3\n",
            "`lt` does not apply to bool fact extreme_hardship",
        ),
        (
            "t_visa.yaml",
            "      citation: 8 U.S.C. 1101(a)(15)(T)(i)(IV)\n",
            "",
            "condition t4-hardship: every condition needs a `citation`",
        ),
        (
            "t_visa.yaml",
            "provision: severe_trafficking",
            "provision: severe_traficking",
            "unknown provision severe_traficking \\(did you mean severe_trafficking\\?\\)",
        ),
        (
            "t_visa.yaml",
            "      t3-cc-minor:\n        id: t3-cc-minor\n        text: Is exempt as a child "
            "(has not attained 18",
            "      t3-cc-minr:\n        id: t3-cc-minor\n        text: Is exempt as a child "
            "(has not attained 18",
            "amendment tvpra-2003-under-18 \\(replace\\): no condition t3-cc-minr in t_visa at "
            "this date \\(did you mean t3-cc-minor\\?\\)",
        ),
        (
            "t_visa.yaml",
            "    - id: t4-hardship",
            "    - idd: t4-hardship",
            "unknown key \\(did you mean id\\?\\)",
        ),
        (
            "u_visa.yaml",
            "      any_of: [rape,",
            "      any_of: [rapee,",
            "unknown qualifying_crimes value 'rapee' \\(did you mean rape\\?\\)",
        ),
        (
            "t_visa.yaml",
            "    effective: 2003-12-19",
            "    effective: 2003-13-19",
            "2003-13-19 is not a calendar date",
        ),
    ],
)
def test_malformed_rules_are_reported_with_file_condition_and_problem(
    rules_copy, file, old, new, message
) -> None:
    edit(rules_copy / "us-law" / file, old, new)
    with pytest.raises(RuleError, match=message):
        book = Registry(rules_copy).load("us-law")
        for date in book.change_dates:  # amendment targets are checked on resolution
            book.at(date)


def test_cycles_between_provisions_are_rejected(rules_copy) -> None:
    edit(
        rules_copy / "us-law" / "severe_trafficking.yaml",
        "    - id: lb\n",
        "    - id: loop\n      text: loop\n      citation: none\n"
        "      provision: victim_services\n    - id: lb\n",
    )
    book = Registry(rules_copy).load("us-law")
    with pytest.raises(
        RuleError, match="cycle: severe_trafficking -> victim_services -> severe_trafficking"
    ):
        book.at(D(2020, 1, 1))


def test_user_overlay_by_path(tmp_path, registry) -> None:
    overlay = tmp_path / "mine.yaml"
    overlay.write_text(
        "rule_set: mine\nextends: us-law\ntitle: No hardship test\nchanges:\n"
        "  - id: drop-hardship\n    provision: t_visa\n    implements: my proposal\n"
        "    summary: Removes the hardship element\n    remove: [t4-hardship]\n"
    )
    book = registry.load(str(overlay))
    assert book.name == "mine" and book.extends == "us-law"
    assert "t4-hardship" not in condition_ids(book, "t_visa", D(2020, 1, 1))


def test_unknown_rule_set_suggests_a_name(registry) -> None:
    with pytest.raises(UsageError, match="did you mean us-law"):
        registry.load("us-lw")


def test_overlay_cycle_is_rejected(tmp_path, registry) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("rule_set: a\nextends: b.yaml\ntitle: a\n")
    b.write_text("rule_set: b\nextends: a.yaml\ntitle: b\n")
    with pytest.raises(RuleError, match="cycle"):
        registry.load(str(a))
