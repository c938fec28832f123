"""The one exception hierarchy of `eligibility`.

    EligibilityError            anything the user can fix; the CLI prints it and exits 2
     ├── InputError             a file that cannot be read as data (size, syntax, YAML tricks)
     ├── ScenarioError          a scenario file breaks the fact vocabulary or the schema
     ├── RuleError              a rule, overlay, invariant or vocabulary file is malformed
     ├── UsageError             a command-line argument is wrong
     └── EngineError            the rules engine failed on one scenario

Every error carries the file, the line and the key path it is about, and renders as
`path:line: key: message`, the shape compilers use, so editors can jump to it.
`ScenarioError`, `RuleError`, `InputError` and `UsageError` are also `ValueError`s, so a
caller's `except ValueError` keeps working.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def printable(text: str, *, lines: bool = True) -> str:
    """Escape control and invisible format characters (bidi overrides, zero-width
    spaces) so that a hostile file cannot disguise or reorder what is shown. With
    lines=False, line breaks and tabs are escaped too (one-line error messages)."""
    # str.isprintable() is False for every category escaped below (and for spaces other
    # than " "), so a True answer means there is nothing to escape: the common case,
    # without a lookup per character
    if (text.replace("\n", "").replace("\t", "") if lines else text).isprintable():
        return text
    kept = "\n\t" if lines else ""
    return "".join(
        ch
        if ch in kept or (unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
        else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


class EligibilityError(Exception):
    """Base class: an error the user can act on (bad input, bad rules, bad usage)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        key = f"{self.key}: " if self.key else ""
        return printable(f"{where}{key}{self.message}", lines=False)


class InputError(EligibilityError, ValueError):
    """A file is not readable as data: too large, not UTF-8, YAML syntax, aliases, tags."""


class ScenarioError(EligibilityError, ValueError):
    """A scenario file does not follow the scenario schema or the fact vocabulary."""


class RuleError(EligibilityError, ValueError):
    """A rule set, overlay, vocabulary, critique or invariant file is malformed."""


class UsageError(EligibilityError, ValueError):
    """A command-line argument is wrong (unknown rule set, bad date, missing file)."""


class EngineError(EligibilityError, RuntimeError):
    """The rules engine failed while evaluating one scenario."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' for the nearest valid name, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
