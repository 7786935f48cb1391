"""One async Neo4j driver per app, and the small client every query goes through."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, LiteralString, Protocol, TypeVar

from neo4j import (
    READ_ACCESS,
    WRITE_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    Query,
    Record,
    RoutingControl,
    unit_of_work,
)
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from neo4j.graph import Node, Path, Relationship
from neo4j.time import Date, DateTime, Time

from graph import temporal_hydration

# Neo4j cannot be reached (down, restarting, the connection broke): the errors that make
# the service answer SERVICE_UNAVAILABLE and mark the database as down (server/neo4j_health.py).
NEO4J_UNREACHABLE = (ServiceUnavailable, SessionExpired)
READ_RETRIES = 2  # more runs of a read after a transient error (GraphClient.read)
WRITE_RETRIES = 2  # more runs of one statement Neo4j refused as transient (write_statement)
# The shortest transaction timeout sent to Neo4j (0 would mean "no timeout").
MIN_TRANSACTION_TIMEOUT_S = 0.05


@dataclass
class RoundTrips:
    """How many Cypher queries were sent to Neo4j while it was active, and records read."""

    count: int = 0
    records: int = 0  # rows returned by reads (the audit log's "records returned")
    # Seconds spent waiting on Neo4j calls, summed (concurrent calls overlap: may exceed
    # the request's wall time).
    neo4j_s: float = 0.0


@dataclass
class Budget:
    """One HTTP request's time budget (server/deadline.py) and what happened to Neo4j in it.

    Every transaction started inside `within_budget` gets at most the time left as its
    Neo4j timeout, so Neo4j itself stops and rolls back work running past the deadline.
    """

    deadline: float  # time.monotonic() value
    neo4j_unreachable: bool = False  # a query of the request found Neo4j unreachable

    def remaining_s(self) -> float:
        """Seconds left before the deadline (negative once past it)."""
        return self.deadline - time.monotonic()


NEO4J_TEMPORAL = (Date, DateTime, Time)

_budget: ContextVar[Budget | None] = ContextVar("gridgraph_budget", default=None)
_round_trips: ContextVar[RoundTrips | None] = ContextVar("gridgraph_round_trips", default=None)


@contextmanager
def count_round_trips() -> Iterator[RoundTrips]:
    """Count the Cypher round trips made inside the block (per request, per test)."""
    counter = RoundTrips()
    token = _round_trips.set(counter)
    try:
        yield counter
    finally:
        _round_trips.reset(token)


@contextmanager
def within_budget(budget: Budget) -> Iterator[Budget]:
    """Bound the transactions started inside the block by `budget`'s deadline."""
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def current_budget() -> Budget | None:
    """The budget of the enclosing `within_budget` block (None outside one)."""
    return _budget.get()


def current_round_trips() -> RoundTrips | None:
    """The counter of the enclosing `count_round_trips` block (None outside one)."""
    return _round_trips.get()


def _note_round_trip() -> None:
    counter = _round_trips.get()
    if counter is not None:
        counter.count += 1


@asynccontextmanager
async def _timed() -> AsyncIterator[None]:
    """Add the block's duration to the current counter's Neo4j time."""
    started = time.perf_counter()
    try:
        yield
    finally:
        counter = _round_trips.get()
        if counter is not None:
            counter.neo4j_s += time.perf_counter() - started


def _note_records(count: int) -> None:
    counter = _round_trips.get()
    if counter is not None:
        counter.records += count


_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_native(value: Any) -> Any:
    """A value as plain Python: Neo4j temporal values as date/datetime/time, nodes and
    relationships as `Record.data()` gives them, inside lists and maps too (one pass)."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        return {key: to_native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_native(item) for item in value]
    if isinstance(value, NEO4J_TEMPORAL):
        return value.to_native()
    if isinstance(value, Node | Relationship | Path):  # as Record.data() exports them
        return to_native(Record([("value", value)]).data()["value"])  # type: ignore[no-untyped-call]
    return value


def _data(record: Record) -> dict[str, Any]:
    return record.data()


def native_row(record: Record) -> dict[str, Any]:
    """One record as a plain dict (what `to_native(record.data())` gave, in one pass)."""
    return {key: to_native(value) for key, value in zip(record.keys(), record, strict=True)}


def open_driver(uri: str, user: str, password: str, **config: Any) -> AsyncDriver:
    """Create the app's single async driver (bolt:// for one server, neo4j:// for routing).

    `config` goes to the driver as is (e.g. max_transaction_retry_time,
    connection_acquisition_timeout, connection_timeout: see server/app.py). The server sends
    no notifications unless `notifications_min_severity` asks for them: a read naming a
    property no node has yet (`r.until` before any grid worker was replaced) drew a warning
    on every request, which the driver logged at length (measured: a log record per request).
    """
    config.setdefault("notifications_min_severity", "OFF")
    temporal_hydration.install()  # dates and datetimes built in C (graph/temporal_hydration.py)
    return AsyncGraphDatabase.driver(uri, auth=(user, password), **config)


T = TypeVar("T")


class CypherWriter(Protocol):
    """Anything that runs a write query: the client itself, or one open transaction."""

    async def write(
        self, query: LiteralString, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


class TransactionWriter:
    """Writes into one open managed transaction (see GraphClient.in_one_transaction)."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self._tx = tx

    async def write(
        self, query: LiteralString, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run one statement of the transaction and return its rows."""
        _note_round_trip()
        async with _timed():
            result = await self._tx.run(query, params)
            return [record.data() async for record in result]


class GraphClient:
    """Runs Cypher on one database: reads routed to readers, writes in one transaction each.

    With `query_timeout_s`, Neo4j stops any transaction of this client running longer (its
    error, Neo.ClientError.Transaction.TransactionTimedOut*, becomes TIMEOUT for GraphQL
    clients); None leaves the server's own `db.transaction.timeout`.
    """

    def __init__(
        self, driver: AsyncDriver, database: str, query_timeout_s: float | None = None
    ) -> None:
        self.driver = driver
        self.database = database
        self.query_timeout_s = query_timeout_s
        # Told of every NEO4J_UNREACHABLE error a query raises (server/neo4j_health.py).
        self.on_unreachable: Callable[[BaseException], None] | None = None

    def transaction_timeout_s(self) -> float | None:
        """The query timeout, shortened to what is left of the request's budget."""
        budget = _budget.get()
        if budget is None:
            return self.query_timeout_s
        left = max(budget.remaining_s(), MIN_TRANSACTION_TIMEOUT_S)
        return left if self.query_timeout_s is None else min(left, self.query_timeout_s)

    def _query(self, text: LiteralString) -> Query:
        return Query(text, timeout=self.transaction_timeout_s())

    @asynccontextmanager
    async def _watched(self) -> AsyncIterator[None]:
        """Report Neo4j being unreachable to the request's budget and to `on_unreachable`."""
        try:
            yield
        except NEO4J_UNREACHABLE as error:
            budget = _budget.get()
            if budget is not None:
                budget.neo4j_unreachable = True
            if self.on_unreachable is not None:
                self.on_unreachable(error)
            raise

    async def _auto_commit(
        self,
        query: LiteralString,
        params: dict[str, Any] | None,
        access_mode: str,
        retries: int,
        row: Callable[[Record], dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Run `query` as ONE auto-commit transaction (RUN and PULL, no BEGIN ... COMMIT) and
        return its rows. Run again, at most `retries` times, only when Neo4j reports a
        retryable failure (a deadlock, a leader switch), after which nothing of it was
        written; not after a timeout, and never after a lost connection (no Neo4jError:
        server/neo4j_health.py answers 503 at once while Neo4j is out of reach)."""
        for attempt in range(retries + 1):
            try:
                async with (
                    self._watched(),
                    _timed(),
                    self.driver.session(
                        database=self.database, default_access_mode=access_mode
                    ) as session,
                ):
                    result = await session.run(self._query(query), params)
                    return [row(record) async for record in result]
            except Neo4jError as error:
                timed_out = "TransactionTimedOut" in (error.code or "")
                if timed_out or not error.is_retryable() or attempt == retries:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def read(
        self, query: LiteralString, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a read query on a reader and return its rows.

        An auto-commit transaction: one message exchange instead of a managed transaction's
        BEGIN ... COMMIT, half the driver's CPU per query (measured 0.65 against 1.2 ms); a
        transient failure is run again, at most READ_RETRIES times (`_auto_commit`).
        """
        _note_round_trip()
        rows = await self._auto_commit(query, params, READ_ACCESS, READ_RETRIES, native_row)
        _note_records(len(rows))
        return rows

    async def write(
        self, query: LiteralString, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a write query in one retried transaction and return its rows."""
        _note_round_trip()
        async with self._watched(), _timed():
            records, _, _ = await self.driver.execute_query(
                self._query(query), params, database_=self.database, routing_=RoutingControl.WRITE
            )
        return [record.data() for record in records]

    async def write_statement(
        self, query: LiteralString, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run ONE write statement as an auto-commit transaction and return its rows.

        One statement commits whole or not at all, so it needs no BEGIN ... COMMIT around it:
        about half the driver's CPU of `write`, as for `read`. Run again only when Neo4j
        reports a retryable failure, at most WRITE_RETRIES times (`_auto_commit`); never
        after the connection was lost, when a commit in flight may or may not have landed.
        """
        _note_round_trip()
        return await self._auto_commit(query, params, WRITE_ACCESS, WRITE_RETRIES, _data)

    async def in_one_transaction(self, work: Callable[[TransactionWriter], Awaitable[T]]) -> T:
        """Run `work` in ONE retried write transaction: all its writes happen or none do.

        The driver may run `work` again after a transient failure, so it must be idempotent
        (the batched MERGE writes of graph/ are).
        """

        @unit_of_work(timeout=self.transaction_timeout_s())
        async def transaction(tx: AsyncManagedTransaction) -> T:
            return await work(TransactionWriter(tx))

        async with self._watched(), self.driver.session(database=self.database) as session:
            return await session.execute_write(transaction)

    async def run_auto_commit(
        self, query: LiteralString, params: dict[str, Any] | None = None
    ) -> None:
        """Run a query in an auto-commit transaction (for `CALL {...} IN TRANSACTIONS`)."""
        _note_round_trip()
        async with self._watched(), self.driver.session(database=self.database) as session:
            result = await session.run(self._query(query), params)
            await result.consume()

    async def ping(self) -> None:
        """Raise unless Neo4j answers a trivial query (one try, no retries)."""
        _note_round_trip()
        async with (
            self._watched(),
            self.driver.session(database=self.database, default_access_mode=READ_ACCESS) as session,
        ):
            result = await session.run("RETURN 1")
            await result.consume()

    async def close(self) -> None:
        """Close the driver and its connection pool."""
        await self.driver.close()
