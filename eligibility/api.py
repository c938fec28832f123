"""The Python API for scripts and notebooks (docs/researchers.md): rule sets by name or
path, one case as a mapping of facts, many cases as a pandas DataFrame or a list of
mappings. Every input is validated as scenario files are (law/cases.py): a misspelled
fact, a wrong spelling of a value or text where a bool belongs raises a `ScenarioError`
(also a `ValueError`) naming the row, the column, what was expected and the nearest
valid name; nothing bad reaches an engine.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .analysis.evaluate import Evaluator, Result
from .errors import ScenarioError, UsageError
from .law.cases import AS_OF_COLUMN, ID_COLUMN, CaseReader, case_date, check_facts
from .law.registry import Registry
from .law.rulebook import RuleBook
from .law.scenarios import Scenario
from .population.frames import evaluate_cases, result_columns

Rules = str | os.PathLike[str] | RuleBook


def load_rules(
    name_or_path: str | os.PathLike[str] = "us-law", *, registry: Registry | None = None
) -> RuleBook:
    """A rule set: a bundled name (`us-law`, `rights-based-2007`) or the path of an
    overlay file or rule set directory. Load it once and pass it as `rules=` to evaluate
    many times without reading the files again."""
    return (registry or Registry()).load(str(name_or_path))


def _book(rules: Rules, registry: Registry | None) -> RuleBook:
    return rules if isinstance(rules, RuleBook) else load_rules(rules, registry=registry)


def _date(as_of: Any) -> dt.date | None:
    try:
        return case_date(as_of, "", None)
    except ScenarioError as exc:
        raise UsageError(f"as_of: {exc.message}") from None


def evaluate(
    facts: Mapping[str, Any],
    rules: Rules = "us-law",
    as_of: dt.date | str | None = None,
    *,
    engine: str = "durable",
    id: str = "",  # noqa: A002 - the name of the scenario key
    registry: Registry | None = None,
) -> Result:
    """Evaluate one case: `facts` maps fact names to values (unknown facts left out or
    None). Returns a `Result`: `result.status("t_visa")`, `result.provisions[...]` and
    `result.to_dict()`, the JSON of docs/results.md. `as_of` defaults to today."""
    book = _book(rules, registry)
    items = facts.items() if hasattr(facts, "items") else None
    if items is None:
        raise ScenarioError(
            f"facts: expected a mapping of fact names to values, got {type(facts).__name__}"
        )
    checked = check_facts(dict(items), book.vocabulary)
    date = _date(as_of) or dt.date.today()
    return Evaluator(book, engine).evaluate(checked, date, id)


def evaluate_frame(
    cases: Any,
    rules: Rules = "us-law",
    as_of: dt.date | str | None = None,
    *,
    weight: str | None = None,
    engine: str | None = None,
    registry: Registry | None = None,
) -> Any:
    """Evaluate many cases: a pandas DataFrame (one row per case, one column per fact,
    optional `id` and `as_of` columns, and the `weight` column if named) or a list of
    mappings. Returns the same kind: a DataFrame with the input's index, or a list of
    dicts, one per case, with `id` (when given), `as_of`, the weight, and per provision
    `<id>.status` and `<id>.law_enforcement`. `as_of`, when given, is the date of every
    case; otherwise each row's `as_of`, else today. `engine`: None picks the column-wise
    engine for large inputs; "durable", "python" or "vector" forces one."""
    book = _book(rules, registry)
    columns, rows, labels, frame = _table(cases)
    reader = CaseReader(columns, book.vocabulary, where="", weight=weight, require_id=False)
    scenarios: list[Scenario] = []
    weights: list[float] = []
    for position, (label, values) in enumerate(zip(labels, rows, strict=True)):
        scenario, case_weight = reader.row(
            values, where=f"row {label}", line=None, text=False, default_id=f"row-{position}"
        )
        scenarios.append(scenario)
        weights.append(case_weight)
    results = evaluate_cases(book, scenarios, as_of=_date(as_of), engine=engine)
    has_id = ID_COLUMN in columns
    out = []
    for scenario, case_weight, result in zip(scenarios, weights, results, strict=True):
        row: dict[str, Any] = {ID_COLUMN: scenario.id} if has_id else {}
        row[AS_OF_COLUMN] = result.pop(AS_OF_COLUMN)
        if weight:
            row[weight] = case_weight
        row.update(result)
        out.append(row)
    if not frame:
        return out
    import pandas

    names = ([ID_COLUMN] if has_id else []) + [AS_OF_COLUMN] + ([weight] if weight else [])
    result_frame = pandas.DataFrame(out, index=cases.index, columns=names + result_columns(book))
    result_frame.attrs["rule_set"] = book.name
    return result_frame


def _table(cases: Any) -> tuple[list[Any], list[Sequence[Any]], list[Any], bool]:
    """(columns, rows of values, row labels, is a DataFrame) of the API's input."""
    if type(cases).__name__ == "DataFrame" and hasattr(cases, "itertuples"):
        columns = list(cases.columns)
        rows = list(cases.itertuples(index=False, name=None))
        return columns, rows, list(cases.index), True
    if isinstance(cases, Mapping) or not isinstance(cases, Iterable):
        raise ScenarioError(
            f"expected a pandas DataFrame or a list of mappings (one per case), "
            f"got {type(cases).__name__}"
        )
    records = list(cases)
    seen: dict[Any, None] = {}  # every column, in the order of first appearance
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise ScenarioError(
                f"expected a mapping of column names to values, got {type(record).__name__}",
                path=f"row {index}",
            )
        seen.update(dict.fromkeys(record))
    names = list(seen)
    rows = [[record.get(name) for name in names] for record in records]
    return names, rows, list(range(len(records))), False
