"""Constraints and calibration targets of distribution files: never drawn, reached, the
same in both streams, and errors that name the file, the key and the nearest name."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from eligibility.errors import ScenarioError
from eligibility.population.checks import check_distribution
from eligibility.population.columns import ColumnGenerator
from eligibility.population.distributions import load_distribution

from conftest import run_main

# two bool facts drawn independently, so that `a implies b` breaks a quarter of draws
BASE = """\
distribution: pair
unknown: 0
latent:
  kind: {values: {sex: 1, labor: 1, other: 2}}
facts:
  citizenship:
    values: {noncitizen: 1, us_citizen: 1}
  potential_witness:
    probability: 0.5
  le_requested_continued_presence:
    probability: 0.5
  age_at_victimization:
    ranges: [{from: 10, to: 40, weight: 1}]
  age_now:
    plus: age_at_victimization
    ranges: [{from: 0, to: 3, weight: 1}]
"""

CONSTRAINTS = """\
constraints:
  - id: request-needs-witness
    text: a request only for a witness
    when: {le_requested_continued_presence: true}
    implies: {potential_witness: true}
  - id: no-requests-for-citizens
    excludes: {citizenship: us_citizen, le_requested_continued_presence: true}
"""


def write(tmp_path: Path, text: str, name: str = "d.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def broken(facts: dict) -> bool:
    requested = facts.get("le_requested_continued_presence")
    return bool(requested) and (
        facts.get("potential_witness") is False or facts.get("citizenship") == "us_citizen"
    )


def test_constraints_are_never_drawn_in_either_stream(tmp_path, vocabulary) -> None:
    distribution = load_distribution(write(tmp_path, BASE + CONSTRAINTS), vocabulary)
    per_case = [facts for _, facts in distribution.generate(3000, 5)]
    columns = [facts for _, facts in ColumnGenerator(distribution, vocabulary).generate(3000, 5)]
    for facts in per_case + columns:
        assert not broken(facts), facts
    # rejection keeps what is allowed: requests still happen, for noncitizen witnesses
    assert sum(f["le_requested_continued_presence"] for f in per_case) > 300
    # attempt 0 is the stream without constraints: unbroken cases are drawn as before
    free = load_distribution(write(tmp_path, BASE, "free.yaml"), vocabulary)
    unchanged = [
        i for i, (_, facts) in enumerate(free.generate(3000, 5)) if not broken(facts)
    ]  # fmt: skip
    assert all(per_case[i] == free.facts(5, i) for i in unchanged)


def test_the_lint_finds_constraints_the_file_breaks(tmp_path, vocabulary) -> None:
    distribution = load_distribution(write(tmp_path, BASE + CONSTRAINTS), vocabulary)
    findings = {f.key: f for f in check_distribution(distribution, vocabulary)}
    assert set(findings) == {
        "constraints.request-needs-witness",
        "constraints.no-requests-for-citizens",
    }
    message = str(findings["constraints.request-needs-witness"])
    assert message.startswith(f"{distribution.path}: constraints.request-needs-witness: 2")
    assert "shifts the shares of le_requested_continued_presence, potential_witness" in message
    made = run_main("generate", "3", "--distribution", distribution.path)
    assert made.returncode == 0
    assert made.stderr.count("warning: ") == 2


def test_the_bundled_distribution_agrees_with_its_constraints(vocabulary) -> None:
    default = load_distribution("default", vocabulary)
    assert {c.id for c in default.constraints} >= {
        "continued-presence-request-needs-a-potential-witness",
        "continued-presence-grant-needs-a-request",
    }
    assert check_distribution(default, vocabulary) == []


def test_a_constraint_no_draw_can_keep_is_an_error(tmp_path, vocabulary) -> None:
    impossible = BASE + "constraints:\n  - id: never\n    excludes: {age_now: {ge: 0}}\n"
    distribution = load_distribution(write(tmp_path, impossible), vocabulary)
    with pytest.raises(ScenarioError, match=r"d.yaml: constraints: scenario 0 of seed 1: none of"):
        distribution.facts(1, 0)
    with pytest.raises(ScenarioError, match=r"none of 200 draws keeps the constraints \(never\)"):
        ColumnGenerator(distribution, vocabulary).draw(1, 0, 10)


TARGETS = """\
targets:
  - of: kind
    shares: {labor: 0.7, sex: 0.3}
  - of: age_at_victimization
    below: 18
    share: 0.4
  - of: potential_witness
    shares: {"true": 0.8}
  - of: citizenship
    shares: {us_citizen: 0.1}
"""


def test_targets_are_reached_in_both_streams(tmp_path, vocabulary) -> None:
    distribution = load_distribution(write(tmp_path, BASE + CONSTRAINTS + TARGETS), vocabulary)
    generator = ColumnGenerator(distribution, vocabulary)
    codes = generator.truth(11, 0, 1 << 16)
    kinds = generator.values_of("kind")
    shares = Counter(kinds[c] for c in codes["kind"].tolist())
    assert shares["labor"] / 65536 == pytest.approx(0.7, abs=0.01)
    assert shares["sex"] / 65536 == pytest.approx(0.3, abs=0.01)
    assert "other" not in shares  # not named: what is left of the shares, here nothing
    assert np.mean(codes["age_at_victimization"] < 18) == pytest.approx(0.4, abs=0.01)
    per_case = [facts for _, facts in distribution.generate(6000, 3)]
    assert np.mean([f["age_at_victimization"] < 18 for f in per_case]) == pytest.approx(
        0.4, abs=0.02
    )
    assert np.mean([f["potential_witness"] for f in per_case]) == pytest.approx(0.8, abs=0.02)
    assert np.mean([f["citizenship"] == "us_citizen" for f in per_case]) == pytest.approx(
        0.1, abs=0.02
    )
    assert not any(broken(f) for f in per_case)  # targets and constraints together
    again = load_distribution(distribution.path, vocabulary)
    assert list(again.generate(50, 8)) == list(distribution.generate(50, 8))  # deterministic


def test_a_file_extends_another_with_targets(tmp_path, vocabulary) -> None:
    write(tmp_path, BASE, "base.yaml")
    child = write(
        tmp_path,
        "distribution: child\nextends: base.yaml\n" + CONSTRAINTS + TARGETS,
        "child.yaml",
    )
    distribution = load_distribution(child, vocabulary)
    assert distribution.name == "child" and len(distribution.constraints) == 2
    labor = load_distribution(
        write(
            tmp_path,
            "distribution: labor\nextends: default\ntargets:\n"
            "  - of: exploitation\n    shares: {labor: 0.7, sex: 0.3}\n",
            "labor.yaml",
        ),
        vocabulary,
    )
    codes = ColumnGenerator(labor, vocabulary).truth(2, 0, 1 << 16)
    kinds = ColumnGenerator(labor, vocabulary).values_of("exploitation")
    assert np.mean([kinds[c] == "labor" for c in codes["exploitation"].tolist()]) == (
        pytest.approx(0.7, abs=0.01)
    )
    assert check_distribution(labor, vocabulary) == []  # default's constraints come along


BAD = [
    ("constraints:\n  - id: x\n    implies: {potential_witnes: true}\n",
     r"d.yaml:\d+: constraints\[0\].implies.potential_witnes: `potential_witnes` is not a "
     r"latent trait or a fact in this file \(did you mean potential_witness\?\)$"),
    ("constraints:\n  - id: x\n    implies: {potential_witness: true}\n"
     "    excludes: {potential_witness: false}\n",
     r"constraints\[0\]: a constraint takes `implies` or `excludes` \(one of them\)"),
    ("constraints:\n  - {id: x, excludes: {kind: sex}}\n  - {id: x, excludes: {kind: labor}}\n",
     r"constraints\[1\].id: a second constraint with the id x"),
    ("targets:\n  - of: kinds\n    shares: {sex: 1}\n",
     r"targets\[0\].of: `kinds` is not a latent trait or a fact of this file \(did you mean "
     r"kind\?\)"),
    ("targets:\n  - of: kind\n    shares: {sxe: 0.2}\n",
     r"targets\[0\].shares.sxe: unknown value \(did you mean sex\?\)"),
    ("targets:\n  - of: kind\n    shares: {sex: 0.8, labor: 0.4}\n",
     r"targets\[0\].shares: the shares add up to 1.2, more than 1"),
    ("targets:\n  - of: age_now\n    below: 18\n    share: 0.2\n",
     r"targets\[0\].of: age_now is drawn with `plus`"),
    ("targets:\n  - of: citizenship\n    shares: {lawful_permanent_resident: 0.2}\n",
     r"targets: the target of citizenship: lawful_permanent_resident at 20.0% is never drawn "
     r"\(it reaches 0.0%\)"),
    ("targets:\n  - of: age_at_victimization\n    below: 5\n    share: 0.2\n",
     r"d.yaml: targets: the target of age_at_victimization: below 5 at 20.0% is never drawn"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "message"), BAD)
def test_errors_name_the_key_and_the_nearest_name(tmp_path, vocabulary, extra, message) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_distribution(write(tmp_path, BASE + extra), vocabulary)


def test_extends_errors(tmp_path, vocabulary) -> None:
    with pytest.raises(ScenarioError, match=r"extends: unknown distribution 'defualt' \(did you "):
        load_distribution(write(tmp_path, "distribution: x\nextends: defualt\n"), vocabulary)
    write(tmp_path, "distribution: a\nextends: b.yaml\n", "a.yaml")
    write(tmp_path, "distribution: b\nextends: a.yaml\n", "b.yaml")
    with pytest.raises(ScenarioError, match=r"extends this file again \(a cycle\)"):
        load_distribution(tmp_path / "a.yaml", vocabulary)
    with pytest.raises(ScenarioError, match=r"unknown key"):
        load_distribution(
            write(tmp_path, "distribution: x\nextends: default\nfacts: {}\n", "x.yaml"),
            vocabulary,
        )
