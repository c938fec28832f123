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


def csv_rows(results: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
    """One row per scenario and provision, for spreadsheets."""
    for result in results:
        for pid, provision in result["provisions"].items():
            yield [
                result["scenario"],
                result["rule_set"],
                result["as_of"],
                result["engine"],
                pid,
                provision["status"],
                "true" if provision["law_enforcement_gated"] else "false",
                " ".join(provision["missing_facts"]),
                " ".join(provision.get("open_questions", [])),
                provision["law_enforcement"],
                "true" if provision["applicable"] else "false",
            ]


def csv_line(row: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(list(row))
    return buffer.getvalue()
