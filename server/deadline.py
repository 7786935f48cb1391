"""One deadline per /graphql request, and fail-fast while Neo4j is down.

`RequestGuard` (pure ASGI middleware) runs each request in its own task under a `Budget`
(graph/client.py) and answers in its stead when:
- Neo4j is known to be down (server/neo4j_health.py) when the request comes: 503
  SERVICE_UNAVAILABLE with Retry-After, before authentication or anything that would wait
  for the database;
- Neo4j goes down while the request runs, or a query of the request found it unreachable:
  the request is cancelled (its open transaction dies with its connection: nothing of it
  commits) and answered 503 likewise;
- the request is still running at its deadline (GRIDGRAPH_REQUEST_DEADLINE_S): it is
  cancelled and answered 504 TIMEOUT. Every Neo4j transaction of the request was given at
  most the time left as its timeout, so Neo4j stops and rolls back what still ran there;
  CPU work in the analysis pool is stopped too (resolvers/cpu_pool.py).

The request's answer is held until the request ends, so a 503 or 504 never follows a
half-sent answer. Every refusal has the shape of the other coded errors:
`{"errors": [{"message", "extensions": {"code", ...}}]}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.client import Budget, within_budget
from resolvers.errors import ErrorCode
from schema.error_codes import UNAVAILABLE_MESSAGE
from server.neo4j_health import Neo4jHealth
from server.refusals import Refusal, RefusalAudit
from server.request_log import request_record

log = logging.getLogger("gridgraph.deadline")

DEADLINE_MESSAGE = (
    "The request ran past the server's deadline of {seconds:g} s and was stopped; nothing of "
    "it was committed unless the commit itself had begun (send a mutation again with the same "
    "idempotencyKey to learn its outcome); ask for less (fewer fields, smaller pages, fewer hops)."
)
# Longest wait for a cancelled request to unwind before its refusal is sent anyway.
CANCEL_GRACE_S = 2.0


def unavailable(health: Neo4jHealth) -> Refusal:
    """503 SERVICE_UNAVAILABLE with Retry-After: Neo4j is down."""
    headers = {"Retry-After": health.retry_after()}
    return Refusal(503, ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE, headers=headers)


def past_deadline(deadline_s: float) -> Refusal:
    """504 TIMEOUT: the request ran past its deadline."""
    message = DEADLINE_MESSAGE.format(seconds=deadline_s)
    return Refusal(504, ErrorCode.TIMEOUT, message, extensions={"deadlineSeconds": deadline_s})


class RequestGuard:
    """Deadline and Neo4j fail-fast for the requests under `paths` (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        health: Neo4jHealth,
        deadline_s: float,
        refusals: RefusalAudit | None = None,
        paths: frozenset[str] = frozenset({"/graphql"}),
    ) -> None:
        self.app = app
        self.health = health
        self.deadline_s = deadline_s
        self.refusals = refusals
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if not self.health.available:
            await unavailable(self.health).response()(scope, receive, send)
            return
        budget = Budget(deadline=time.monotonic() + self.deadline_s)
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        async def serve() -> None:
            with within_budget(budget):
                await self.app(scope, receive, hold)

        task = asyncio.create_task(serve(), name="gridgraph-request")
        down = asyncio.create_task(self.health.wait_down(), name="gridgraph-request-down")
        try:
            await asyncio.wait({task, down}, timeout=self.deadline_s, return_when="FIRST_COMPLETED")
        except asyncio.CancelledError:  # the server stops or the client went away
            await _cancel(task)
            raise
        finally:
            down.cancel()
        if not task.done():
            await _cancel(task)
            refusal = unavailable(self.health) if not self.health.available else None
            if refusal is None:
                refusal = past_deadline(self.deadline_s)
                log.warning("request stopped at its deadline of %gs", self.deadline_s)
                await self._audit_timeout(scope)
            await refusal.response()(scope, receive, send)
            return
        if budget.neo4j_unreachable or task.cancelled():
            await unavailable(self.health).response()(scope, receive, send)
            return
        task.result()  # an exception of the app propagates as it would have without us
        for message in held:
            await send(message)

    async def _audit_timeout(self, scope: Scope) -> None:
        """Audit the refusal of an authenticated request (aggregated, server/refusals.py)."""
        principal = scope.get("state", {}).get("principal")
        if self.refusals is None or principal is None:
            return
        try:
            async with asyncio.timeout(CANCEL_GRACE_S):
                record = request_record(scope)
                request_id = record.request_id if record is not None else None
                await self.refusals.refused(principal, ErrorCode.TIMEOUT, request_id=request_id)
        except Exception:  # the refusal is answered even when its audit fails
            log.warning("the audit of a request stopped at its deadline failed", exc_info=True)


async def _cancel(task: asyncio.Task[None]) -> None:
    """Cancel the request and wait (a little) until it unwound: its transactions are closed."""
    task.cancel()
    with contextlib.suppress(BaseException):
        await asyncio.wait({task}, timeout=CANCEL_GRACE_S)
