"""The strict YAML reader: only safe, plain data, with line numbers."""

from __future__ import annotations

import time

import pytest

from eligibility.errors import InputError
from eligibility.law.yamlfile import format_path, load, parse_text


def test_plain_values_and_lines() -> None:
    doc = parse_text("id: x\nfacts:\n  age: 16\n  means: [force, 'fraud']\n  d: 2002-06-01\n")
    assert doc.data == {
        "id": "x",
        "facts": {"age": 16, "means": ["force", "fraud"], "d": "2002-06-01"},
    }
    assert doc.line(("facts", "means", 1)) == 4
    assert doc.line(("facts", "nope")) == 2  # nearest ancestor with a line


@pytest.mark.parametrize(
    "text, value",
    [
        ("v: no", "no"),
        ("v: off", "off"),
        ("v: NO", "NO"),
        ("v: yes", "yes"),
        ("v: 010", "010"),
        ("v: 0x10", "0x10"),
        ("v: 1:20", "1:20"),
        ("v: .inf", ".inf"),
        ("v: true", True),
        ("v: False", False),
        ("v: ~", None),
        ("v: 12", 12),
        ("v: -3", -3),
        ("v: 1.5", 1.5),
        ("v: '17'", "17"),
    ],
)
def test_yaml_11_surprises_are_text(text: str, value: object) -> None:
    # YAML 1.1 would read `no` as false and `010` as 8
    assert parse_text(text).data == {"v": value}


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("a: 1\na: 2\n", "duplicate key (first given on line 1)"),
        ("a: !!python/object:os.system x\n", "tags"),
        ("a: !custom x\n", "tags"),
        ("[" * 100 + "]" * 100, "nested more than"),
        ("a: [\n", "not valid YAML"),
        ("--- 1\n--- 2\n", "one YAML document"),
        ("1: x\n", "keys must be text"),
        ("? [a]\n: x\n", "keys must be text"),
        ("a: 12345678901234567890123\n", "too large"),
    ],
)
def test_hostile_yaml_is_rejected(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_text(text, "bad.yaml")


def test_billion_laughs_is_rejected_quickly() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    started = time.perf_counter()
    with pytest.raises(InputError, match="aliases"):
        parse_text("\n".join(lines))
    assert time.perf_counter() - started < 1.0


def test_error_names_file_and_line() -> None:
    with pytest.raises(InputError) as info:
        parse_text("a: 1\nb:\n  c: 1\n  c: 2\n", "scen.yaml")
    assert str(info.value) == "scen.yaml:4: b.c: duplicate key (first given on line 3)"


def test_file_limits(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 100)
    with pytest.raises(InputError, match="larger than"):
        load(big, max_bytes=50)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"a: \x00\x01")
    with pytest.raises(InputError, match="binary"):
        load(binary)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: caf\xe9".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        load(latin)
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="directory"):
        load(tmp_path)


def test_invisible_characters_are_escaped_in_messages() -> None:
    error = InputError("unknown fact", path="s.yaml", key="age\u202enow")
    assert "\u202e" not in str(error) and "\\u202e" in str(error)


def test_format_path() -> None:
    assert format_path(("facts", "means", 1)) == "facts.means[1]"
    assert format_path(()) == ""
