"""Run chunks of work in order, in this process or in worker processes that survive
the rules engine's crashes.

A *worker* is any object built from a small picklable config (`make(config)`, in each
worker process: it loads and compiles what it needs once) whose `run(chunk)` is a pure
function of the chunk. Results come back in chunk order, whatever the number of
processes, and only a bounded window of chunks is in flight, so memory does not grow
with the work.

Worker processes (durable-rules holds the GIL and must not run in threads) are
spawned, not forked (see START_METHOD). A worker that crashes or hangs costs a restart,
never the run: its chunks run again in a fresh pool, with the same results.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from .. import errors
from ..errors import EligibilityError, EngineError

Chunk = TypeVar("Chunk")
Out = TypeVar("Out")
ChunkIn = TypeVar("ChunkIn", contravariant=True)
OutBack = TypeVar("OutBack", covariant=True)

# How workers start. Not "fork": a forked worker inherits the parent's heap layout, and
# under it a durable-rules memory bug (retracting a fact from a frame that is still
# dispatching: `deleteMessageFromFrame` runs past its array and zeroes whatever lies
# beyond) was seen to corrupt a Python dict and hang the worker in most runs.
# Spawned workers start from a clean interpreter, like the in-process run.
START_METHOD = "spawn"
MAX_RESTARTS = 3  # fresh pools after a worker died or stopped responding
STALL_SECONDS = 30.0  # plus 20x the slowest chunk so far: then a worker is stuck


class Worker(Protocol[ChunkIn, OutBack]):
    def run(self, chunk: ChunkIn) -> OutBack: ...


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass
class _ThisProcess:
    """What a worker process holds: its worker, or why it could not be made."""

    worker: Any = None
    error: tuple[str, str] = ("EngineError", "worker not ready")


_THIS_PROCESS = _ThisProcess()  # one per worker process, set by its initializer


def _start_worker(make: Callable[[Any], Any], config: Any) -> None:
    # Ctrl-C is the parent's to handle: it stops the pool, and workers that got the
    # signal too would each print a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _THIS_PROCESS.worker = make(config)
    except EligibilityError as exc:  # reported by the first chunk
        _THIS_PROCESS.worker = None
        _THIS_PROCESS.error = (type(exc).__name__, str(exc))


def _work(chunk: Any) -> tuple[str, Any]:
    """Run one chunk in a worker; errors come back as (class name, message), because
    our exceptions' file and line do not survive pickling."""
    if _THIS_PROCESS.worker is None:
        return ("error", _THIS_PROCESS.error)
    try:
        return ("ok", _THIS_PROCESS.worker.run(chunk))
    except EligibilityError as exc:
        return ("error", (type(exc).__name__, str(exc)))


def _ready() -> tuple[str, Any]:
    return ("ok", None) if _THIS_PROCESS.worker is not None else ("error", _THIS_PROCESS.error)


def _unwrap(outcome: tuple[str, Any]) -> Any:
    kind, value = outcome
    if kind == "ok":
        return value
    name, message = value
    error_class = getattr(errors, name, EngineError)
    if not (isinstance(error_class, type) and issubclass(error_class, EligibilityError)):
        error_class = EngineError
    raise error_class(message)


@dataclass
class _Submission:
    """A chunk in order, and its future in the current pool (None: not submitted yet)."""

    chunk: Any
    future: Future[tuple[str, Any]] | None = None


class Runner(Generic[Chunk, Out]):
    """Runs chunks in order: in this process (jobs == 1) or in worker processes.

    Use as a context manager; the workers are started (and have built their worker)
    when `__enter__` returns, before any thread such as a progress bar starts.

    A worker that dies or stops responding (the rules engine is C code with known
    memory bugs) loses nothing: its chunks are pure functions of their input, so the
    pool is replaced and the unfinished chunks run again, giving the same results.
    `restarts` counts how often that happened.
    """

    def __init__(self, make: Callable[[Any], Worker[Chunk, Out]], config: Any, jobs: int) -> None:
        self.make = make  # a class or function importable by name (workers are spawned)
        self.config = config
        self.jobs = jobs
        self.executor: ProcessPoolExecutor | None = None
        self.local: Worker[Chunk, Out] | None = None
        self.restarts = 0

    def __enter__(self) -> Runner[Chunk, Out]:
        if self.jobs <= 1:
            self.local = self.make(self.config)
            return self
        self._start()
        return self

    def _start(self) -> None:
        methods = multiprocessing.get_all_start_methods()
        method = START_METHOD if START_METHOD in methods else methods[0]
        self.executor = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(self.make, self.config),
        )
        try:
            _unwrap(self.executor.submit(_ready).result())
        except BrokenProcessPool:
            self._stop()
            raise EngineError(
                "a worker process could not start; run again with --jobs 1 to see why"
            ) from None
        except BaseException:
            self._stop()
            raise

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        self._stop(wait=kind is None)

    def _stop(self, wait: bool = False) -> None:
        """Shut the pool down; unless waiting (a normal end), stop the workers now
        rather than let them finish chunks whose results nobody will read."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=wait, cancel_futures=True)
        if not wait:
            for process in processes:
                if process.is_alive():
                    process.terminate()

    def run(self, chunks: Iterable[Chunk]) -> Iterator[Out]:
        """The result of each chunk, in chunk order."""
        if self.local is not None:
            for chunk in chunks:
                yield self.local.run(chunk)
            return
        pending: deque[_Submission] = deque()
        remaining = iter(chunks)
        limit = self.jobs * 3
        slowest = 0.0
        while True:
            for chunk in itertools.islice(remaining, limit - len(pending)):
                pending.append(_Submission(chunk))
            if not pending:
                return
            waited = time.monotonic()
            try:
                # `submit` itself raises BrokenProcessPool once a worker has died, so it
                # is inside the `try`, with the wait
                for submission in pending:
                    if submission.future is None:
                        assert self.executor is not None
                        submission.future = self.executor.submit(_work, submission.chunk)
                first = pending[0].future
                assert first is not None
                outcome = first.result(timeout=STALL_SECONDS + 20 * slowest)
            except (BrokenProcessPool, TimeoutError) as exc:
                self._restart(
                    "died" if isinstance(exc, BrokenProcessPool) else "stopped responding"
                )
                for submission in pending:
                    submission.future = None  # submitted again to the new pool
                continue
            slowest = max(slowest, time.monotonic() - waited)
            pending.popleft()
            yield _unwrap(outcome)

    def _restart(self, what: str) -> None:
        self.restarts += 1
        self._stop()
        if self.restarts > MAX_RESTARTS:
            raise EngineError(
                f"a worker process {what} {self.restarts} times (the rules "
                f"engine may have crashed); run again with --jobs 1 to find "
                f"the scenario"
            )
        self._start()
