"""Checked access to parsed YAML, so every loader reports errors the same way.

A `Node` wraps one value of a `Document` with its key path. Its accessors check type and
shape and raise the loader's error class with the file, line, key path, what was
expected and, for names, the nearest valid one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import EligibilityError, did_you_mean, printable
from .yamlfile import Document, KeyPath, format_path

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def describe(value: Any) -> str:
    """A short, safe rendering of a value for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null (empty)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def article(noun: str) -> str:
    """'a' or 'an' for `noun` ("an overlay file", "a mapping")."""
    return "an" if noun[:1] in "aeiou" else "a"


def parse_date(text: Any) -> dt.date:
    """YYYY-MM-DD -> date; ValueError with a readable message otherwise."""
    if isinstance(text, dt.date):
        return text
    if not isinstance(text, str) or not DATE_PATTERN.match(text):
        raise ValueError(f"expected a date YYYY-MM-DD, got {describe(text)}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a calendar date") from None


class Node:
    """One value inside a parsed document, with its path for error messages."""

    __slots__ = ("doc", "path", "value", "error")

    def __init__(
        self,
        doc: Document,
        value: Any,
        path: KeyPath = (),
        error: type[EligibilityError] = EligibilityError,
    ) -> None:
        self.doc = doc
        self.value = value
        self.path = path
        self.error = error

    # -- errors -----------------------------------------------------------------
    def fail(self, message: str, key: str | int | None = None) -> EligibilityError:
        path = self.path + (key,) if key is not None else self.path
        return self.error(
            message, path=self.doc.path, line=self.doc.line(path), key=format_path(path) or None
        )

    @property
    def key(self) -> str:
        return format_path(self.path)

    # -- shapes -----------------------------------------------------------------
    def mapping(
        self, *, required: Iterable[str] = (), optional: Iterable[str] = (), what: str = "mapping"
    ) -> Node:
        """Check this is a mapping with exactly the allowed keys."""
        if not isinstance(self.value, dict):
            raise self.fail(f"expected {article(what)} {what}, got {describe(self.value)}")
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in self.value:
            if key not in allowed:
                raise self.fail(
                    f"unknown key{did_you_mean(key, allowed)}; expected one of: "
                    f"{', '.join(sorted(allowed))}",
                    key,
                )
        for key in required:
            if key not in self.value:
                raise self.fail(f"missing required key `{key}`")
        return self

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value and self.value[key] is not None

    def child(self, key: str | int) -> Node:
        return Node(self.doc, self.value[key], self.path + (key,), self.error)

    def items(self) -> Iterator[tuple[str, Node]]:
        for key in self.value:
            yield key, self.child(key)

    def entries(self, *, what: str = "mapping") -> list[tuple[str, Node]]:
        """Check this is a mapping (of any keys: `mapping` checks fixed ones) and return
        its (key, node) pairs; the twin of `elements` for lists."""
        if not isinstance(self.value, dict):
            raise self.fail(f"expected {article(what)} {what}, got {describe(self.value)}")
        return list(self.items())

    def elements(self, *, what: str = "list", allow_empty: bool = True) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected {article(what)} {what}, got {describe(self.value)}")
        if not allow_empty and not self.value:
            raise self.fail(f"expected a non-empty {what}")
        return [self.child(i) for i in range(len(self.value))]

    # -- scalars ----------------------------------------------------------------
    def text(self, *, allow_empty: bool = False) -> str:
        """Human-readable text. Control and invisible format characters (ESC, NUL, bidi
        overrides) are escaped visibly here, once, so no text from a file can drive the
        terminal or reorder what a reader sees, in any screen, report or export."""
        if not isinstance(self.value, str) or (not allow_empty and not self.value.strip()):
            raise self.fail(f"expected text, got {describe(self.value)}")
        return printable(self.value)

    def identifier(self) -> str:
        value = self.value
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            raise self.fail(
                f"expected an id of lower-case letters, digits, '-' and '_', got {describe(value)}"
            )
        return value

    def date(self) -> dt.date:
        try:
            return parse_date(self.value)
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {describe(self.value)}")
        return self.value

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected a whole number, got {describe(self.value)}")
        return self.value

    def number(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise self.fail(f"expected a number, got {describe(self.value)}")
        return float(self.value)

    def choice(self, choices: Iterable[str], *, what: str = "value") -> str:
        choices = tuple(choices)
        if not isinstance(self.value, str) or self.value not in choices:
            shown = describe(self.value)
            hint = did_you_mean(self.value, choices) if isinstance(self.value, str) else ""
            listed = ", ".join(choices) if len(choices) <= 12 else ", ".join(choices[:12]) + ", ..."
            raise self.fail(f"unknown {what} {shown}{hint}; expected one of: {listed}")
        return self.value

    def text_list(self) -> list[str]:
        """A list of texts, or one text standing for a list of one."""
        if isinstance(self.value, str):
            return [self.text()]
        return [element.text() for element in self.elements()]


def root(doc: Document, error: type[EligibilityError]) -> Node:
    return Node(doc, doc.data, (), error)
