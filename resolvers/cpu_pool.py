"""CPU-bound work of requests (networkx) off the event loop, bounded in workers and in time.

networkx holds the GIL, so a thread would still take the event loop's share of the CPU: the
default pool is of processes. Each worker is a process forked from a forkserver that has
imported the analysis modules once; a job is sent to an idle worker over a pipe, and its
answer is awaited without blocking the loop. At most `workers` jobs run at a time; others
wait for a worker within their own time limit.

A job has at most `time_limit_s` (and never more than what is left of the request's
budget, graph/client.Budget): past it, or when its request is cancelled (deadline, Neo4j
down, client gone), the worker running it is killed and reaped, and the job fails with
TIMEOUT (`WorkTimeout`); the next job starts a fresh worker.

The pool also admits the heavy Neo4j reads that feed such work (`heavy_read`: the bounded
networks of investigations) `workers` at a time, so that a burst of heavy requests queues
here instead of taking every core from Neo4j's and the event loop's cheap work.

`configure` (the app's lifespan) sets the pool up; `shutdown` stops its workers.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator, Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, Literal, TypeVar

from graph.client import current_budget
from resolvers.errors import ClientError, ErrorCode

log = logging.getLogger("gridgraph.cpu")

T = TypeVar("T")
PoolKind = Literal["process", "thread"]
# What the forkserver imports once, so that each worker starts without importing networkx.
PRELOAD = ["resolvers.network_analysis"]
# Workers yield the CPU to the event loop (and to Neo4j): cheap requests stay fast under load.
WORKER_NICENESS = 10
LIMIT_MESSAGE = (
    "The analysis ran past its time limit of {seconds:g} s and was stopped; "
    "ask for a smaller network (fewer hops, a lower maxNodes)."
)


class WorkTimeout(ClientError):
    """CPU work stopped at its time limit (TIMEOUT)."""

    code = ErrorCode.TIMEOUT


def _serve(jobs: Connection) -> None:
    """A worker's loop: run each (function, args) received and send back (ok, value)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    while True:
        try:
            function, args = jobs.recv()
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except Exception as error:  # sent back and raised in the server
            answer = (False, error)
        jobs.send(answer)


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, context: ForkServerContext) -> None:
        ours, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(theirs,), name="gridgraph-cpu", daemon=True
        )
        self.process.start()
        theirs.close()
        self.pipe = ours

    async def run(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()
        fd = self.pipe.fileno()
        self.pipe.send((function, args))

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, ready)
        try:
            await readable
        finally:
            loop.remove_reader(fd)
        ok, value = self.pipe.recv()
        if not ok:
            raise value
        result: T = value
        return result

    def kill(self) -> None:
        """Stop the process at once and reap it."""
        with contextlib.suppress(ProcessLookupError, AttributeError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        self.pipe.close()


class CpuPool:
    """At most `workers` CPU jobs at a time, each within `time_limit_s`."""

    def __init__(self, workers: int, time_limit_s: float, kind: PoolKind = "process") -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.time_limit_s = time_limit_s
        self.kind = kind
        self.stopped = 0  # jobs stopped at their limit (for tests and the fault script)
        self._slots = asyncio.Semaphore(workers)
        self._heavy_reads = asyncio.Semaphore(workers)
        self._idle: list[_Worker] = []
        self._context: ForkServerContext | None = None

    def warm(self) -> None:
        """Start the forkserver and one worker now (blocking: call it off the event loop)."""
        if self.kind == "process" and not self._idle:
            self._idle.append(self._start())

    def _start(self) -> _Worker:
        if self._context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._context = context
        return _Worker(self._context)

    @contextlib.asynccontextmanager
    async def heavy_read(self) -> AsyncIterator[None]:
        """Admit one heavy Neo4j read at a time per worker (waiting counts against the
        request's deadline)."""
        async with self._heavy_reads:
            yield

    def limit_s(self) -> float:
        """This job's limit: the pool's, or less when the request's budget is shorter."""
        budget = current_budget()
        if budget is None:
            return self.time_limit_s
        return max(0.0, min(self.time_limit_s, budget.remaining_s()))

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; WorkTimeout past the limit (the worker is killed)."""
        limit = self.limit_s()
        try:
            async with asyncio.timeout(limit):
                async with self._slots:
                    if self.kind == "thread":
                        return await asyncio.to_thread(function, *args)
                    return await self._in_process(function, args)
        except TimeoutError:
            self.stopped += 1
            log.warning("CPU job %s stopped at its limit of %.1fs", function.__name__, limit)
            raise WorkTimeout(LIMIT_MESSAGE.format(seconds=limit), limitSeconds=limit) from None

    async def _in_process(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        worker = self._idle.pop() if self._idle else self._start()
        try:
            result = await worker.run(function, args)
        except BaseException as error:
            if isinstance(error, Exception) and worker.process.is_alive():
                self._idle.append(worker)  # the job raised: the worker itself is fine
            else:  # cancelled or timed out mid-job, or the worker died: never reuse it
                worker.kill()
            raise
        self._idle.append(worker)
        return result

    def shutdown(self) -> None:
        """Stop every idle worker (running ones are killed by their jobs' cancellation)."""
        workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()


_pool: CpuPool | None = None


def configure(workers: int, time_limit_s: float, kind: PoolKind = "process") -> CpuPool:
    """Set up the process-wide pool (replacing an earlier one)."""
    global _pool
    if _pool is not None:
        _pool.shutdown()
    _pool = CpuPool(workers, time_limit_s, kind)
    return _pool


def pool() -> CpuPool:
    """The process-wide pool (a default one when `configure` was never called)."""
    global _pool
    if _pool is None:
        _pool = CpuPool(min(2, os.cpu_count() or 1), 5.0)
    return _pool


def shutdown() -> None:
    """Stop the process-wide pool's workers."""
    if _pool is not None:
        _pool.shutdown()


atexit.register(shutdown)
