"""Requests refused before GraphQL ran: their coded JSON answer, and their aggregated audit.

Every refusal answers `{"errors": [{"message", "extensions": {"code", ...}}]}` with a 4xx
status (or 503 when Neo4j is down). Refusals of an authenticated principal are audited as
`refused:<CODE>`, but cheaply (docs/audit.md): the first refusal of a (subject, code) pair
is appended at once and opens a window of `window_s` seconds; further refusals of the pair
in that window are only counted, and one record with their `count` is appended when the
window ends (the next window then keeps counting) or when the app stops. A flood of refused
requests thus writes one audit record per subject, code and window, not one per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j.exceptions import ServiceUnavailable as Neo4jUnavailable
from neo4j.exceptions import SessionExpired
from starlette.responses import JSONResponse

from graph.audit_group import append_grouped
from graph.client import GraphClient
from resolvers.audit import refused_entry
from resolvers.errors import ErrorCode
from resolvers.principal import Credential, Principal
from schema.error_codes import UNAVAILABLE_MESSAGE

log = logging.getLogger("gridgraph.audit")

NEO4J_DOWN = (Neo4jUnavailable, SessionExpired)


class Refusal(Exception):
    """A request refused before any GraphQL ran: HTTP status, stable code and message."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        principal: Principal | None = None,
        headers: dict[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.principal = principal  # set when the caller was authenticated (to audit it)
        self.headers = headers
        self.extensions = dict(extensions or {})

    def response(self) -> JSONResponse:
        """The JSON body of the refusal, with its code."""
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else self.headers
        extensions = {**self.extensions, "code": self.code.value}
        body = {"errors": [{"message": self.message, "extensions": extensions}]}
        return JSONResponse(body, status_code=self.status, headers=headers)


def unavailable_response() -> JSONResponse:
    """503 when Neo4j cannot be reached before GraphQL runs (API key lookup, audit)."""
    code = ErrorCode.SERVICE_UNAVAILABLE.value
    body = {"errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})


def _log_failure(error: Exception, message: str, *args: object) -> None:
    """Neo4j out of reach in one line (an expected condition); anything else with its traceback."""
    if isinstance(error, NEO4J_DOWN):
        log.warning(message + ": Neo4j unavailable", *args)
    else:
        log.error(message, *args, exc_info=error)


@dataclass
class _Window:
    """Refusals of one (subject, code) counted since the last record."""

    ends: float  # monotonic clock
    pending: int = 0
    first_at: datetime | None = None  # when the first counted refusal came
    principal: Principal | None = None  # who it was (purpose and all)


class RefusalAudit:
    """Appends refusal records, aggregating repeats per (subject, code) and window."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.clock = clock
        self.graph: GraphClient | None = None  # set by the app's lifespan
        self._windows: dict[tuple[str, str], _Window] = {}

    async def refused(
        self,
        principal: Principal,
        code: ErrorCode,
        operation_name: str | None = None,
        query: str | None = None,
        variables: Mapping[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        """Audit one refusal; raises Neo4j's errors when an immediate append fails.

        An aggregated record (a count) stands for many requests and carries no request id.
        """
        if principal.credential is Credential.ANONYMOUS or self.graph is None:
            return  # the anonymous developer is never audited
        key = (principal.subject, code.value)
        now, at = self.clock(), datetime.now(UTC)
        window = self._windows.get(key)
        if window is not None and now >= window.ends:
            await self._close(key, window, now)
            window = self._windows.get(key)
        if window is not None:
            window.pending += 1
            if window.first_at is None:
                window.first_at, window.principal = at, principal
            return
        self._windows[key] = _Window(ends=now + self.window_s)
        entry = refused_entry(
            principal, at, code.value, operation_name, query, variables, request_id=request_id
        )
        try:
            await append_grouped(self.graph, entry)
        except BaseException:
            self._windows.pop(key, None)  # not recorded: the next refusal is appended at once
            raise

    async def _close(self, key: tuple[str, str], window: _Window, now: float) -> None:
        """End a window: append its count (if any) and keep counting in a new window."""
        if self._windows.get(key) is window:
            del self._windows[key]
        if not window.pending or window.principal is None or window.first_at is None:
            return
        self._windows[key] = _Window(ends=now + self.window_s)
        try:
            await self._append_count(key, window)
        except Exception as error:
            _log_failure(error, "refusal audit deferred: %s %s x%d", *key, window.pending)
            retry = self._windows.setdefault(key, _Window(ends=now + self.window_s))
            retry.pending += window.pending
            retry.first_at, retry.principal = window.first_at, window.principal

    async def _append_count(self, key: tuple[str, str], window: _Window) -> None:
        assert self.graph is not None and window.principal is not None
        assert window.first_at is not None
        entry = refused_entry(window.principal, window.first_at, key[1], count=window.pending)
        await append_grouped(self.graph, entry)

    async def flush_due(self) -> None:
        """Close every window that has ended."""
        now = self.clock()
        for key, window in list(self._windows.items()):
            if now >= window.ends:
                await self._close(key, window, now)

    async def flush_all(self) -> None:
        """Append every pending count now (at shutdown); failures are logged, not retried."""
        windows, self._windows = self._windows, {}
        for key, window in windows.items():
            if not window.pending:
                continue
            try:
                await self._append_count(key, window)
            except Exception as error:
                message = "refusal audit lost at shutdown: %s %s x%d"
                _log_failure(error, message, *key, window.pending)

    def pending(self) -> int:
        """Refusals counted but not yet written (for tests and metrics)."""
        return sum(window.pending for window in self._windows.values())

    @contextlib.asynccontextmanager
    async def running(self, graph: GraphClient) -> AsyncIterator[None]:
        """Audit into `graph`, closing ended windows every second; flush all at exit."""
        self.graph = graph
        tick = min(1.0, self.window_s / 2)

        async def flusher() -> None:
            while True:
                await asyncio.sleep(tick)
                await self.flush_due()

        task = asyncio.create_task(flusher(), name="gridgraph-refusal-audit")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.flush_all()
            self.graph = None
