"""One log line per HTTP request, with its request id; the same facts feed the metrics.

Every request gets an id: the client's `X-Request-Id` when it is well-formed (1 to 64
characters of letters, digits and `._:-`), else a fresh one (32 hex digits). The id is
returned in the response's `X-Request-Id` header, stored in the request's audit record,
and attached to every log line written while the request is served.

When the answer is sent, `gridgraph.request` logs one line (INFO; WARNING for 5xx; DEBUG for
a successful /healthz, /readyz or /metrics, which probes call every few seconds) with the
request id, method, path, status, principal subject, operation name, outcome (`ok` or the
first error code), duration, Cypher round trips and the time spent waiting on Neo4j. The
GraphQL endpoint fills in what only it knows (RequestRecord, in the ASGI scope's state).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, Lexer, Source, TokenKind
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.client import current_round_trips
from resolvers.audit import MAX_AUDIT_OPERATION_NAME, clipped
from server import metrics
from server.log_format import current_request_id

log = logging.getLogger("gridgraph.request")

HEADER = "x-request-id"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
OPERATION_KEYWORDS = frozenset({"query", "mutation", "subscription"})
RECORD = "request_record"  # scope["state"] key
GRAPHQL_PATH = "/graphql"  # the requests the request metrics count
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # logged at DEBUG when fine
# The outcome of an answer nobody noted one for, by status (else ok, HTTP_<status> or
# INTERNAL_SERVER_ERROR).
STATUS_OUTCOMES = {
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
    504: "TIMEOUT",
}


def accepted_request_id(given: str | None) -> str:
    """The client's request id when well-formed and bounded, else a new one."""
    if given is not None and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


@dataclass
class RequestRecord:
    """What the request log line says; the GraphQL endpoint fills in its part."""

    request_id: str
    subject: str | None = None
    operation: str | None = None  # the operation name as the client gave it
    operation_label: str = metrics.NO_OPERATION  # bounded, for the metrics
    outcome: str | None = None  # "ok" or an error code; None: judged from the status
    extra: dict[str, Any] = field(default_factory=dict)

    def operation_given(
        self, name: str | None, document: str | None = None, batch: bool = False
    ) -> None:
        """The request's operation (name or batch), once its body was read; without an
        operationName, the name of the document's first operation."""
        if name is None and document is not None and not batch:
            name = first_operation_name(document)
        # Free text the client chose: ID-card and phone shapes replaced, length bounded.
        self.operation = "(batch)" if batch else clipped(name, MAX_AUDIT_OPERATION_NAME)
        self.operation_label = metrics.BATCH_OPERATION if batch else metrics.operation_label(name)


def first_operation_name(document: str) -> str | None:
    """The name of the document's operation when it starts with a named one (read with the
    lexer, a few tokens only: the document is parsed later, by Strawberry)."""
    try:
        lexer = Lexer(Source(document))
        keyword, name = lexer.advance(), lexer.advance()
    except GraphQLError:
        return None
    if keyword.kind is TokenKind.NAME and keyword.value in OPERATION_KEYWORDS:
        return name.value if name.kind is TokenKind.NAME else None
    return None


def request_record(scope: Scope) -> RequestRecord | None:
    """The record of the request of this scope (None outside RequestLog)."""
    state: dict[str, Any] = scope.get("state", {})
    record = state.get(RECORD)
    return record if isinstance(record, RequestRecord) else None


def note_outcome(scope: Scope, outcome: str) -> None:
    """Note the request's outcome (an error code) for the log line; the first noted stays."""
    record = request_record(scope)
    if record is not None and record.outcome in (None, "ok"):
        record.outcome = outcome


def _outcome(record: RequestRecord, status: int) -> str:
    if record.outcome is not None:
        return record.outcome
    if status in STATUS_OUTCOMES:
        return STATUS_OUTCOMES[status]
    if status >= 500:
        return "INTERNAL_SERVER_ERROR"
    return "ok" if status < 400 else f"HTTP_{status}"


class RequestLog:
    """Pure ASGI middleware: the request id, the log line and the request metrics.

    It must sit inside RoundTripHeader (server/round_trips.py), whose counter it reads.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(Headers(scope=scope).get(HEADER))
        record = RequestRecord(request_id)
        scope.setdefault("state", {})[RECORD] = record
        token = current_request_id.set(request_id)
        graphql = scope["path"] == GRAPHQL_PATH
        status = 500  # unless a response starts
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        if graphql:
            metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            if graphql:
                metrics.IN_FLIGHT.dec()
            self._finished(scope, record, status, seconds, graphql)
            current_request_id.reset(token)

    @staticmethod
    def _finished(
        scope: Scope, record: RequestRecord, status: int, seconds: float, graphql: bool
    ) -> None:
        trips = current_round_trips()
        round_trips = trips.count if trips is not None else 0
        neo4j_s = trips.neo4j_s if trips is not None else 0.0
        outcome = _outcome(record, status)
        if graphql:
            metrics.observe_request(record.operation_label, outcome, seconds, round_trips, neo4j_s)
        fields = {
            "request_id": record.request_id,
            "method": scope.get("method"),
            "path": scope["path"],
            "status": status,
            "subject": record.subject,
            "operation": record.operation,
            "outcome": outcome,
            "duration_ms": round(seconds * 1000, 1),
            "round_trips": round_trips,
            "neo4j_ms": round(neo4j_s * 1000, 1),
            **record.extra,
        }
        level = logging.WARNING if status >= 500 else logging.INFO
        if level == logging.INFO and status < 400 and scope["path"] in QUIET_PATHS:
            level = logging.DEBUG  # probes and scrapers call these every few seconds
        log.log(level, "request", extra={"fields": fields})
