"""Group commit of audit records: concurrent requests' records share one write transaction.

Appending one record per request in its own transaction costs a round trip and a commit
each, all queued on the one (:AuditHead) lock. The appender queues the records of
concurrent requests instead and writes them together, in arrival order, with ONE statement
(graph.audit.APPEND_BATCH) in ONE transaction: the chain is exactly what one-by-one appends
would have written, so `gridgraph audit verify` checks it unchanged.

Leader and followers, on the event loop: the first append that finds no flush running
starts one (a task: a request cancelled mid-write cannot abandon the others); the flush
takes whatever is queued when it starts, at most `max_batch` records, writes them, and
loops while records arrived meanwhile; those later arrivals form the next batch. There is no
timer and no waiting for a batch to fill: alone, a record is written at once.

Each caller still returns only after its own record is committed, with its own seq and
hash. When a batch's transaction fails, nothing of it is written and every caller in it
gets the error (the same exception object, so callers that look at its type still can).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.audit import Appended, AuditEntry, append_record_params, record_params
from graph.client import GraphClient, current_round_trips

MAX_BATCH = 256  # records per transaction; more waiting form the next batch


@dataclass(frozen=True)
class AppendObservation:
    """One record's append as its caller saw it: committed or not, and how long it waited."""

    committed: bool
    seconds: float


_observers: list[Callable[[AppendObservation], None]] = []


def observe_appends(observer: Callable[[AppendObservation], None]) -> None:
    """Call `observer` after every grouped append (the server's metrics use it)."""
    _observers.append(observer)


def _observed(committed: bool, started: float) -> None:
    observation = AppendObservation(committed, time.perf_counter() - started)
    for observer in _observers:
        observer(observation)


@dataclass
class _Waiting:
    params: dict[str, Any]
    future: asyncio.Future[Appended]


class AuditAppender:
    """Appends audit entries of one GraphClient, concurrent ones in one transaction."""

    def __init__(self, graph: GraphClient, max_batch: int = MAX_BATCH) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.graph = graph
        self.max_batch = max_batch
        self.loop: asyncio.AbstractEventLoop | None = None  # bound at the first append
        self.batches = 0  # committed transactions (for tests and the measurement)
        self.records = 0  # records they committed
        self._queue: deque[_Waiting] = deque()
        self._flush: asyncio.Task[None] | None = None

    async def append(self, entry: AuditEntry) -> Appended:
        """Append one entry; returns once it is committed, with its seq and hash.

        Raises what the batch's transaction raised when it failed (nothing of it written).
        """
        params = record_params(entry)  # a bad entry fails its own caller, never a batch
        loop = asyncio.get_running_loop()
        self.loop = self.loop or loop
        waiting = _Waiting(params, loop.create_future())
        self._queue.append(waiting)
        if self._flush is None:
            # A fresh context: the flush's round trips are nobody's; each caller counts its own.
            self._flush = loop.create_task(
                self._flush_all(), name="gridgraph-audit-flush", context=contextvars.Context()
            )
        trips = current_round_trips()
        if trips is not None:
            trips.count += 1  # the caller waits for one round trip, however many share it
        started = time.perf_counter()
        try:
            appended = await waiting.future
        except BaseException:
            _observed(False, started)
            raise
        finally:
            if trips is not None:
                trips.neo4j_s += time.perf_counter() - started
        _observed(True, started)
        return appended

    async def drain(self) -> None:
        """Wait until every queued record is written (or failed): at shutdown."""
        while self._flush is not None:
            await asyncio.shield(self._flush)

    async def _flush_all(self) -> None:
        try:
            while self._queue:
                size = min(len(self._queue), self.max_batch)
                await self._commit([self._queue.popleft() for _ in range(size)])
        finally:
            self._flush = None
            while self._queue:  # only when the flush itself was cancelled
                self._queue.popleft().future.cancel()

    async def _commit(self, batch: list[_Waiting]) -> None:
        try:
            appended = await append_record_params(self.graph, [w.params for w in batch])
        except asyncio.CancelledError:
            for waiting in batch:
                waiting.future.cancel()
            raise
        except Exception as error:
            for waiting in batch:
                if not waiting.future.done():  # a caller cancelled meanwhile has gone
                    waiting.future.set_exception(error)
            return
        self.batches += 1
        self.records += len(batch)
        for waiting, landed in zip(batch, appended, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(landed)


_appenders: weakref.WeakKeyDictionary[GraphClient, AuditAppender] = weakref.WeakKeyDictionary()


def appender_for(graph: GraphClient) -> AuditAppender:
    """The appender of `graph` (one per client, so one per app), made at first use.

    An appender serves one event loop; a client used from another loop (tests) gets a new one.
    """
    appender = _appenders.get(graph)
    if appender is None or appender.loop not in (None, asyncio.get_running_loop()):
        appender = _appenders[graph] = AuditAppender(graph)
    return appender


async def append_grouped(graph: GraphClient, entry: AuditEntry) -> Appended:
    """Append one entry through `graph`'s group appender (what requests and refusals use)."""
    return await appender_for(graph).append(entry)


async def drain_audit(graph: GraphClient) -> None:
    """Wait for `graph`'s queued audit records to be written (before closing the driver)."""
    appender = _appenders.get(graph)
    if appender is not None and appender.loop in (None, asyncio.get_running_loop()):
        await appender.drain()
