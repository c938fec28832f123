"""Machine-readable output: JSON, JSON lines and CSV, written atomically.

Results go to standard output, or to a file that appears complete or not at all and is
readable by its owner only (scenario data is confidential).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import UsageError

# failures of the output file itself (disk full, quota, read-only, target replaced by a
# directory), reported as a clear error rather than an internal one
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EISDIR}

CSV_COLUMNS = (
    "scenario",
    "rule_set",
    "as_of",
    "engine",
    "provision",
    "status",
    "law_enforcement_gated",
    "missing_facts",
    "open_questions",
    # added after the first release, at the end so existing column positions hold
    "law_enforcement",
    "applicable",
    # added with the tidy CSV (issue 16): every per-provision value of a result but the
    # explanation and the critiques, one row per case and provision
    "law_enforcement_blockers",
    "law_enforcement_relied_on",
    "missing_facts_behind_blockers",
    "not_applicable_reason",
    "title",
    "citation",
    # added with overlays that say it (issue 12): false where the law exists but no one
    # could be granted the status yet on the date (T before 2002-03-04, U before
    # 2007-10-17)
    "grantable",
)
# columns holding lists (space-separated in CSV, lists of strings in Parquet) and truth
# values (true/false in CSV, booleans in Parquet)
LIST_COLUMNS = frozenset(
    {
        "missing_facts",
        "open_questions",
        "law_enforcement_blockers",
        "law_enforcement_relied_on",
        "missing_facts_behind_blockers",
    }
)
BOOL_COLUMNS = frozenset({"law_enforcement_gated", "applicable", "grantable"})
PARQUET_MISSING = (
    "Parquet output needs pyarrow, which is in the optional `research` extra: "
    "pip install 'eligibility[research]' (or pip install pyarrow)"
)


@contextmanager
def output_stream(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a private (0600) file written atomically.

    On any error the temporary file is removed and the target is left untouched.
    """
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"{path}: the directory {directory} does not exist")
    if target.is_dir():
        raise UsageError(f"{path}: is a directory, expected a file name")
    if target.exists() and not target.is_file():
        # /dev/null, /dev/stdout, a named pipe: write to it; renaming a temporary file
        # over it would replace the device (as root) with a regular file
        try:
            with open(target, "w", encoding="utf-8", newline="") as stream:
                yield stream
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot create a file in {directory}: {exc.strerror or exc}"
        ) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
            raise UsageError(
                f"{path}: cannot write: {exc.strerror or exc}; nothing was written"
            ) from None
        raise


def write_private(path: str, text: str) -> None:
    """Write `text` to `path` atomically, readable by the owner only."""
    with output_stream(path) as handle:
        handle.write(text)


def write_private_bytes(path: str, data: bytes) -> None:
    """Write `data` (a picture, a Parquet file) to `path` atomically, owner only."""
    with output_stream(path) as handle:
        handle.buffer.write(data)  # type: ignore[attr-defined]


def json_text(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def json_element(document: Any) -> str:
    """`document` as an element of a JSON array printed with json_text: the same
    characters as json_text([.., document, ..]) has for it, without its separators."""
    return "  " + json.dumps(document, indent=2, ensure_ascii=False).replace("\n", "\n  ")


class JsonArray:
    """A JSON array written element by element (`evaluate --format json` streams):
    byte for byte what json_text(list) prints, never holding the list."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0

    def add(self, element: str) -> None:
        """`element` from json_element."""
        self.out.write(("[\n" if not self.count else ",\n") + element)
        self.count += 1

    def close(self) -> None:
        self.out.write("\n]\n" if self.count else "[]\n")


def _ids(elements: Iterable[Any]) -> list[str]:
    """Element ids: elements are dicts (full detail) or ids already (summary)."""
    return [e["id"] if isinstance(e, dict) else str(e) for e in elements]


def tidy_rows(results: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """One row per scenario and provision (CSV_COLUMNS), typed: lists of strings in
    LIST_COLUMNS, booleans in BOOL_COLUMNS, strings elsewhere. Results may be full or
    summary documents."""
    for result in results:
        for pid, provision in result["provisions"].items():
            yield [
                result["scenario"],
                result["rule_set"],
                result["as_of"],
                result["engine"],
                pid,
                provision["status"],
                bool(provision.get("law_enforcement_gated")),
                list(provision.get("missing_facts", [])),
                list(provision.get("open_questions", [])),
                provision["law_enforcement"],
                bool(provision.get("applicable", True)),
                _ids(provision.get("law_enforcement_blockers", [])),
                _ids(provision.get("law_enforcement_relied_on", [])),
                list(provision.get("missing_facts_behind_blockers", [])),
                provision.get("not_applicable_reason") or "",
                provision.get("title", ""),
                provision.get("citation", ""),
                bool(provision.get("grantable", True)),
            ]


def csv_rows(results: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
    """One row per scenario and provision, for spreadsheets: lists space-separated,
    truth values `true`/`false`."""
    for row in tidy_rows(results):
        yield [
            " ".join(value)
            if isinstance(value, list)
            else ("true" if value else "false")
            if isinstance(value, bool)
            else value
            for value in row
        ]


class ParquetRows:
    """Tidy rows (CSV_COLUMNS, typed: lists and booleans) written to a Parquet file in
    row groups, so memory stays flat however many cases there are."""

    GROUP = 50_000  # rows per row group

    @staticmethod
    def check() -> None:
        """Refuse, before any work, when pyarrow is not installed."""
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise UsageError(PARQUET_MISSING) from None

    def __init__(self, out: IO[str], *, weighted: bool = False) -> None:
        self.check()
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        fields = []
        for name in CSV_COLUMNS:
            if name in LIST_COLUMNS:
                kind = pa.list_(pa.string())
            elif name in BOOL_COLUMNS:
                kind = pa.bool_()
            else:
                kind = pa.string()
            fields.append(pa.field(name, kind))
        if weighted:  # each case's weight (--weight), last as in CSV
            fields.append(pa.field("weight", pa.float64()))
        self.schema = pa.schema(fields)
        self.writer = pq.ParquetWriter(out.buffer, self.schema)  # type: ignore[attr-defined]
        self.rows: list[list[Any]] = []

    def add(self, rows: Iterable[list[Any]]) -> None:
        """Rows from tidy_rows."""
        self.rows.extend(rows)
        if len(self.rows) >= self.GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        columns = [[row[number] for row in self.rows] for number in range(len(self.schema))]
        self.writer.write_table(self.pa.Table.from_arrays(columns, schema=self.schema))
        self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def csv_line(row: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(list(row))
    return buffer.getvalue()
