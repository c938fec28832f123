"""Tables of cases read from files: CSV, or Parquet with pyarrow (`--cases FILE`).

The file's own problems (missing, not UTF-8, not CSV, no header) are raised here with
the path and line; each row is then validated by `cases.CaseReader`, as the Python API's
rows are, so a bad cell reads the same from either source.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from .cases import CaseReader, Cases, OnError, RowReader, collect
from .vocabulary import Vocabulary

PARQUET_SUFFIXES = (".parquet", ".pq")


def read_cases(
    path: str | os.PathLike[str],
    vocabulary: Vocabulary,
    *,
    weight: str | None = None,
    on_error: OnError | None = None,
) -> Cases:
    """The cases of a CSV or Parquet file (by its suffix), validated row by row. With
    `on_error`, refused rows are passed to it and left out; errors of the file itself
    (its header, its encoding) are raised."""
    name = str(path)
    if Path(name).suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(name, vocabulary, weight, on_error)
    return _read_csv(name, vocabulary, weight, on_error)


def _open(name: str) -> Any:
    p = Path(name)
    if p.is_dir():
        raise InputError("is a directory, expected a CSV or Parquet file", path=name)
    try:
        return p.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=name) from None


def _read_csv(
    name: str, vocabulary: Vocabulary, weight: str | None, on_error: OnError | None
) -> Cases:
    with _open(name) as handle:
        reader = csv.reader(handle, strict=True)
        records = _records(reader, name)
        header = next(records, None)
        if header is None:
            raise InputError("empty file, expected a header row of column names", path=name)
        columns = [c.strip() for c in header[1]]
        table = CaseReader(columns, vocabulary, where=name, weight=weight, header_line=header[0])

        def rows() -> Iterator[RowReader]:
            for line, cells in records:
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line
                yield lambda cells=cells, line=line: table.row(  # type: ignore[misc]
                    cells, where=name, line=line, text=True
                )

        return collect(rows(), weight_column=weight, on_error=on_error, path=name)


def _records(reader: Any, name: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; decoding and quoting errors name the line."""
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text (byte {exc.start} of a line near line {reader.line_num + 1})",
                path=name,
            ) from None
        except csv.Error as exc:
            raise InputError(f"not valid CSV: {exc}", path=name, line=reader.line_num) from None
        yield line, cells
        line = reader.line_num + 1


def _read_parquet(
    name: str, vocabulary: Vocabulary, weight: str | None, on_error: OnError | None
) -> Cases:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise UsageError(
            f"{name}: reading Parquet needs pyarrow: install the `research` extra "
            "(pip install 'eligibility[research]'), or save the table as CSV"
        ) from None
    if not Path(name).is_file():
        raise InputError("no such file", path=name)
    try:
        table = parquet.read_table(name)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a bad file
        raise InputError(f"not a readable Parquet file: {exc}", path=name) from None
    columns = list(table.column_names)
    reader = CaseReader(columns, vocabulary, where=name, weight=weight)
    data = [table.column(c).to_pylist() for c in columns]

    def rows() -> Iterator[RowReader]:
        for index in range(table.num_rows):
            yield lambda index=index: reader.row(  # type: ignore[misc]
                [column[index] for column in data],
                where=f"{name}: row {index + 1}",
                line=None,
                text=True,
            )

    return collect(rows(), weight_column=weight, on_error=on_error, path=name)
