"""Progress of long runs, wherever they run: a bar on a terminal, rich's live display in
a Jupyter notebook, and a short line on stderr now and then when stderr is a pipe, a log
file or a CI job (`--progress bar|plain|none`; `auto` picks by where stderr goes)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .common import console

PROGRESS_MODES = ("auto", "bar", "plain", "none")
PROGRESS_THRESHOLD = 1000  # cases: shorter runs finish before progress would help
PLAIN_INTERVAL = 10.0  # seconds between two plain lines: a log stays readable

Advance = Callable[[int], None]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (rich's own test: a ZMQ interactive shell)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        name = shell.get_ipython().__class__.__name__
    except Exception:  # an IPython too old or too new to ask: no notebook display
        return False
    return name == "ZMQInteractiveShell"


def resolve_mode(mode: str, stream: IO[str]) -> str:
    """`auto` made concrete: a bar on a terminal or in a notebook, else plain lines."""
    if mode != "auto":
        return mode
    return "bar" if stream.isatty() or in_notebook() else "plain"


@contextmanager
def progress(
    total: int,
    *,
    mode: str = "auto",
    doing: str = "evaluating",
    unit: str = "cases",
    file: IO[str] | None = None,
    threshold: int = PROGRESS_THRESHOLD,
    interval: float = PLAIN_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Advance]:
    """Yields `advance(n)`, to be called as cases finish. Runs of fewer than
    `threshold` cases show nothing; `total` 0 means unknown (plain lines then give no
    percentage)."""
    stream = file or sys.stderr
    chosen = resolve_mode(mode, stream)
    if chosen == "none" or (total and total < threshold):
        yield lambda n: None
    elif chosen == "bar":
        with _bar(total, doing, unit, stream) as advance:
            yield advance
    else:
        with _plain(total, doing, unit, stream, interval, clock) as advance:
            yield advance


@contextmanager
def _bar(total: int, doing: str, unit: str, stream: IO[str]) -> Iterator[Advance]:
    """rich's bar; it disappears when done, leaving the terminal as it was.

    The bar (and its refresh thread) starts at the first `advance`, so that worker
    processes are forked before any thread runs in this process."""
    bar = Progress(
        TextColumn(doing),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console(stream),
        transient=True,
    )
    task = bar.add_task(doing, total=total or None)
    started = False

    def advance(n: int) -> None:
        nonlocal started
        if not started:
            bar.start()
            started = True
        bar.advance(task, n)

    try:
        yield advance
    finally:
        if started:
            bar.stop()


@contextmanager
def _plain(
    total: int,
    doing: str,
    unit: str,
    stream: IO[str],
    interval: float,
    clock: Callable[[], float],
) -> Iterator[Advance]:
    """One line every `interval` seconds, and a last one if any was written: a log
    shows the run moving without a line per case."""
    started = clock()
    last = started
    done = 0
    wrote = False

    def line() -> str:
        elapsed = clock() - started
        share = f" ({100.0 * done / total:.0f}%)" if total else ""
        of = f" of {total:,}" if total else ""
        rate = f", {done / elapsed:,.0f} {unit}/s" if elapsed > 0 else ""
        return f"{doing}: {done:,}{of} {unit}{share} in {elapsed:.0f} s{rate}\n"

    def advance(n: int) -> None:
        nonlocal done, last, wrote
        done += n
        now = clock()
        if now - last >= interval:
            last = now
            wrote = True
            stream.write(line())
            stream.flush()

    yield advance
    if wrote:
        stream.write(line())
        stream.flush()
