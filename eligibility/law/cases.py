"""Cases as rows: of a table (CSV or Parquet, read by case_tables.py) or Python
mappings (the API).

One case per row, one column per fact, `id`, an optional `as_of` and, when asked for, a
weight column. Each value is first turned into what a scenario file would hold, then the
vocabulary checks it (`Vocabulary.validate`, the very check of scenario files), so an
error reads the same whatever the source:

    cases.csv:7: citizenship: unknown citizenship value 'Noncitizen' (did you mean
        noncitizen?); expected one of: us_citizen, lawful_permanent_resident, noncitizen
    row 3: potential_witness: expected true or false, got 'no'

Turning a value into a scenario value is the only thing done here, and it never guesses:

- a CSV cell is text: empty is unknown; `true`/`false` (any case) are the two booleans;
  a whole number is an int; a set is its values separated by `;`, and `none` is the
  empty set (an empty cell is unknown, not empty). Anything else is passed on as text,
  for the vocabulary to refuse with the expected values ("no" for a bool, "17.5" for an
  age).
- a Python value (the API, a Parquet cell): None, NaN and pandas' NA are unknown; numpy
  scalars become the Python value they hold; a float that is a whole number is an int
  (pandas keeps an int column with a gap as floats); a list, tuple, set or array is a
  set, and a text for a set fact is read as in CSV. Text is never a bool or a number:
  `potential_witness="no"` is refused, as it is in a scenario file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EligibilityError, ScenarioError, UsageError, did_you_mean
from .fields import describe, parse_date, root
from .scenarios import SCENARIO_ID, Scenario
from .vocabulary import Fact, Facts, Vocabulary
from .yamlfile import Document

ID_COLUMN = "id"
AS_OF_COLUMN = "as_of"
SET_SEPARATOR = ";"
EMPTY_SET = "none"  # the cell of a known, empty set (an empty cell is unknown)
_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]{1,18}\Z")
_TRUE, _FALSE = "true", "false"

OnError = Callable[[EligibilityError], None]


# ------------------------------------------------------------------ one value


def _set_members(fact: Fact, text: str) -> Any:
    """`force;fraud` -> [force, fraud]; `none` -> [] (unless `none` is a value)."""
    if text == EMPTY_SET and EMPTY_SET not in fact.values:
        return []
    return [member.strip() for member in text.split(SET_SEPARATOR)]


def text_value(fact: Fact, text: str) -> Any:
    """The scenario value of one CSV cell (None: unknown)."""
    text = text.strip()
    if not text:
        return None
    if fact.type == "bool":
        lowered = text.lower()
        if lowered in (_TRUE, _FALSE):
            return lowered == _TRUE
        return text
    if fact.type == "int":
        return int(text) if _WHOLE_NUMBER.match(text) else text
    if fact.type == "set":
        return _set_members(fact, text)
    return text


def is_missing(value: Any) -> bool:
    """None, NaN, pandas' NA or NaT: nothing known."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    # pandas' missing markers, recognised without importing pandas
    return type(value).__name__ in ("NAType", "NaTType")


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (np.int64(30) -> 30, np.bool_ ->
    bool, np.str_ -> str); other values as they are."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, str) and type(value) is not str:
        value = str(value)
    return value


def python_value(fact: Fact, value: Any) -> Any:
    """The scenario value of a Python value (None: unknown)."""
    if is_missing(value):
        return None
    value = plain(value)
    if is_missing(value):
        return None
    if fact.type == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if fact.type == "set":
        if isinstance(value, str):
            return _set_members(fact, value.strip()) if value.strip() else None
        if isinstance(value, (frozenset, set)):
            order = list(fact.values)
            return sorted((plain(m) for m in value), key=lambda m: _position(order, m))
        if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
            return [plain(member) for member in value]
    return value


def _position(order: list[str], member: Any) -> tuple[int, str]:
    return (order.index(member), "") if member in order else (len(order), str(member))


# ------------------------------------------------------------------ one row


def check_facts(
    values: Mapping[str, Any],
    vocabulary: Vocabulary,
    *,
    where: str = "",
    line: int | None = None,
    text: bool = False,
) -> Facts:
    """Validate one case's facts (fact name -> value) exactly as the `facts:` of a
    scenario file; `where` and `line` name the case in errors ("cases.csv", 7; or
    "row 3"). Unknown names are refused with the nearest fact; `text`: the values are
    CSV cells (see the module docstring)."""
    converted: dict[str, Any] = {}
    for name, value in values.items():
        fact = vocabulary.facts.get(name) if isinstance(name, str) else None
        if fact is None:
            converted[name] = value  # the vocabulary names it, with a suggestion
        elif text and isinstance(value, str):
            converted[name] = text_value(fact, value)
        else:
            converted[name] = python_value(fact, value)
    doc = Document(where, converted, {(): line} if line is not None else {})
    return vocabulary.validate(root(doc, ScenarioError))


def _fail(message: str, where: str, line: int | None, key: str | None = None) -> ScenarioError:
    return ScenarioError(message, path=where or None, line=line, key=key)


def case_id(value: Any, where: str, line: int | None) -> str:
    """An `id` cell: as in a scenario file (a whole number, as a table or a DataFrame
    may hold it, stands for its digits)."""
    value = plain(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
    if not isinstance(value, str) or not SCENARIO_ID.match(value):
        raise _fail(
            f"expected an id of lower-case letters, digits and '-', got {describe(value)}",
            where,
            line,
            ID_COLUMN,
        )
    return value


def case_date(value: Any, where: str, line: int | None) -> dt.date | None:
    """An `as_of` cell: empty is none; a date, a datetime (pandas' Timestamp) or text
    YYYY-MM-DD."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    if type(value).__name__ == "datetime64":  # numpy's, before .item() makes it an int
        value = str(value)[:10]
    value = plain(value)
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return parse_date(value.strip() if isinstance(value, str) else value)
    except ValueError as exc:
        raise _fail(str(exc), where, line, AS_OF_COLUMN) from None


def case_weight(value: Any, column: str, where: str, line: int | None) -> float:
    """A weight: a finite number of 0 or more (text from CSV is read as a number)."""
    value = plain(value)
    number: float | None = None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    if number is None or not math.isfinite(number) or number < 0:
        shown = "an empty cell" if isinstance(value, str) and not value.strip() else describe(value)
        raise _fail(f"expected a weight: a number of 0 or more, got {shown}", where, line, column)
    return number


@dataclass
class Cases:
    """The valid cases of a table, in order, with their weights when a column was named."""

    cases: list[Scenario]
    weights: list[float] | None = None
    weight_column: str | None = None
    bad: int = 0  # rows refused (with on_error)
    path: str = ""


class CaseReader:
    """Validates rows of one table: its columns once, then row after row."""

    def __init__(
        self,
        columns: Sequence[Any],
        vocabulary: Vocabulary,
        *,
        where: str,
        weight: str | None = None,
        require_id: bool = True,
        header_line: int | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.where = where
        self.weight = weight
        self.columns = [plain(c) for c in columns]
        if weight and weight not in self.columns:
            raise UsageError(
                f"no column {weight!r} to weigh the cases by"
                f"{did_you_mean(weight, [str(c) for c in self.columns])}",
                path=where or None,
            )
        extra = [ID_COLUMN, AS_OF_COLUMN] + ([weight] if weight else [])
        allowed = [*extra, *vocabulary.names()]
        seen: set[Any] = set()
        for column in self.columns:
            if column in seen:
                raise _fail("this column appears twice", where, header_line, str(column))
            seen.add(column)
            if column not in allowed:
                raise _fail(
                    f"unknown column{did_you_mean(str(column), allowed)}; expected "
                    f"{', '.join(extra)} or a fact of the vocabulary "
                    f"({Path(vocabulary.path).name or 'facts.yaml'})"
                    + (
                        ""
                        if weight
                        else "; to weigh the cases by a column, name it (--weight, weight=)"
                    ),
                    where,
                    header_line,
                    str(column),
                )
        if require_id and ID_COLUMN not in seen:
            raise _fail(
                f"no `{ID_COLUMN}` column: every case needs an id (lower-case letters, "
                "digits and '-')",
                where,
                header_line,
            )
        self.ids: dict[str, str] = {}

    def row(
        self,
        values: Sequence[Any],
        *,
        where: str,
        line: int | None,
        text: bool,
        default_id: str = "",
    ) -> tuple[Scenario, float]:
        """One row as a scenario and its weight (1 without a weight column)."""
        if len(values) != len(self.columns):
            raise _fail(
                f"expected {len(self.columns)} cells, as in the header, got {len(values)}",
                where,
                line,
            )
        cells = dict(zip(self.columns, values, strict=True))
        sid = case_id(cells.pop(ID_COLUMN), where, line) if ID_COLUMN in cells else default_id
        as_of = case_date(cells.pop(AS_OF_COLUMN, None), where, line)
        weight = 1.0
        if self.weight:
            weight = case_weight(cells.pop(self.weight), self.weight, where, line)
        facts = check_facts(cells, self.vocabulary, where=where, line=line, text=text)
        place = f"{where}:{line}" if line is not None else where
        if sid in self.ids:
            raise _fail(f"{sid} is also the id of {self.ids[sid]}", where, line, ID_COLUMN)
        self.ids[sid] = place
        return Scenario(id=sid, facts=facts, as_of=as_of, path=place), weight


RowReader = Callable[[], tuple[Scenario, float]]


def collect(
    rows: Iterable[RowReader],
    *,
    weight_column: str | None,
    on_error: OnError | None,
    path: str = "",
) -> Cases:
    """Read the rows in order; with on_error, a refused row is reported and left out,
    otherwise its error is raised."""
    cases: list[Scenario] = []
    weights: list[float] = []
    bad = 0
    for read in rows:
        try:
            case, weight = read()
        except ScenarioError as exc:
            if on_error is None:
                raise
            on_error(exc)
            bad += 1
            continue
        cases.append(case)
        weights.append(weight)
    return Cases(cases, weights if weight_column else None, weight_column, bad, path)


# ------------------------------------------------------------------ writing


def header(vocabulary: Vocabulary, *, as_of: bool = True) -> list[str]:
    """The columns of a cases table: id, as_of, then every fact in vocabulary order."""
    return [ID_COLUMN] + ([AS_OF_COLUMN] if as_of else []) + vocabulary.names()


def cells(
    sid: str, facts: Facts, vocabulary: Vocabulary, as_of: dt.date | None = None
) -> list[str]:
    """A case as CSV cells in `header` order, read back by `read_cases` as it was."""
    out = [sid, as_of.isoformat() if as_of else ""]
    for name in vocabulary.names():
        if name not in facts:
            out.append("")
            continue
        fact, value = vocabulary[name], facts[name]
        if fact.type == "bool":
            out.append(_TRUE if value else _FALSE)
        elif fact.type == "set":
            members = fact.to_yaml_value(value)
            out.append(SET_SEPARATOR.join(members) if members else EMPTY_SET)
        else:
            out.append(str(value))
    return out
