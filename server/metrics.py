"""Prometheus metrics (the `prometheus-client` library): what is measured and how it is read.

Every metric is named `gridgraph_...`; docs/operations.md lists them. They are updated by
the request log middleware (server/request_log.py: requests, latency, round trips, Neo4j
time, in-flight), the rate limits (server/graphql_app.py), the audit appender (an observer
of graph/audit_group.py) and, for Neo4j's availability, the app's Neo4jHealth (mirrored
every second in the app's lifespan).

Label values are bounded: the `operation` label is the client's operation name only while
it is a plain GraphQL name without anything shaped like an ID-card or phone number, and
only for the first MAX_OPERATION_LABELS distinct names of a process; every other name is
`other`, a missing one `anonymous`, a batch `batch`, a request refused before its body was
read `none`. `outcome` is `ok` or a stable error code (resolvers/errors.py ErrorCode).

Who may read them (never public in production): GRIDGRAPH_METRICS_PORT serves them on a
port of their own (bound to GRIDGRAPH_METRICS_HOST, 127.0.0.1 by default);
GRIDGRAPH_METRICS_TOKEN serves them at /metrics on the API port to `Authorization: Bearer
<token>`; development mode serves /metrics on the API port without a token.

Several worker processes (`gridgraph serve --workers N`) share one view through
prometheus-client's multiprocess mode: `gridgraph serve` points PROMETHEUS_MULTIPROC_DIR at
a fresh directory before the workers start (prepare_multiprocess), each worker writes its
samples there, and whichever process answers a scrape reads them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import re
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from graph.audit_group import AppendObservation, observe_appends
from graph.personal_data import replace_identifier_shapes

log = logging.getLogger("gridgraph.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_LABELS = 200  # distinct operation names per process; later ones are "other"
OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
NO_OPERATION = "none"  # refused before the body was read
ANONYMOUS_OPERATION = "anonymous"
BATCH_OPERATION = "batch"
OTHER_OPERATION = "other"
AVAILABILITY_INTERVAL_S = 1.0

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
ROUND_TRIP_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 50, 100)

REQUESTS = Counter(
    "gridgraph_requests_total",
    "GraphQL HTTP requests answered, by operation name (bounded) and outcome code.",
    ["operation", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "gridgraph_request_duration_seconds",
    "Time from receiving a GraphQL HTTP request to the end of its answer.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
ROUND_TRIPS = Histogram(
    "gridgraph_request_cypher_round_trips",
    "Cypher round trips to Neo4j per GraphQL HTTP request (the X-Cypher-Round-Trips header).",
    buckets=ROUND_TRIP_BUCKETS,
)
NEO4J_SECONDS = Histogram(
    "gridgraph_request_neo4j_seconds",
    "Time a GraphQL HTTP request spent waiting on Neo4j calls (summed over its calls).",
    buckets=LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge(
    "gridgraph_requests_in_flight",
    "GraphQL HTTP requests being served right now.",
    multiprocess_mode="livesum",
)
RATE_LIMITED = Counter(
    "gridgraph_rate_limited_total",
    "Requests refused by a rate limit (limit: principal or auth_failures).",
    ["limit"],
)
AUDIT_APPENDS = Counter(
    "gridgraph_audit_appends_total",
    "Audit records appended through the group appender (result: committed or failed).",
    ["result"],
)
AUDIT_APPEND_SECONDS = Histogram(
    "gridgraph_audit_append_seconds",
    "Time from queueing an audit record to its commit (or failure): what a request waits.",
    buckets=LATENCY_BUCKETS,
)
NEO4J_UP = Gauge(
    "gridgraph_neo4j_up",
    "1 while Neo4j answers, 0 while it is known to be down (server/neo4j_health.py).",
    multiprocess_mode="livemostrecent",
)

_operation_labels: set[str] = set()
_labels_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """The bounded `operation` label of an operation name (see the module docstring)."""
    if name is None:
        return ANONYMOUS_OPERATION
    if not OPERATION_NAME.fullmatch(name) or replace_identifier_shapes(name, "") != name:
        return OTHER_OPERATION
    with _labels_lock:
        if name in _operation_labels:
            return name
        if len(_operation_labels) >= MAX_OPERATION_LABELS:
            return OTHER_OPERATION
        _operation_labels.add(name)
        return name


def observe_request(
    operation: str, outcome: str, seconds: float, round_trips: int, neo4j_s: float
) -> None:
    """One answered GraphQL HTTP request."""
    REQUESTS.labels(operation=operation, outcome=outcome).inc()
    REQUEST_SECONDS.labels(operation=operation).observe(seconds)
    ROUND_TRIPS.observe(round_trips)
    NEO4J_SECONDS.observe(neo4j_s)


def rate_limited(limit: str) -> None:
    """A request refused by the `principal` or `auth_failures` rate limit."""
    RATE_LIMITED.labels(limit=limit).inc()


def _audit_observed(observation: AppendObservation) -> None:
    result = "committed" if observation.committed else "failed"
    AUDIT_APPENDS.labels(result=result).inc()
    AUDIT_APPEND_SECONDS.observe(observation.seconds)


observe_appends(_audit_observed)


# -- exposition -----------------------------------------------------------------------------


def exposition_registry() -> CollectorRegistry:
    """What a scrape reads: every worker's samples in multiprocess mode, else this process's."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(exposition_registry())


class MetricsEndpoint:
    """/metrics on the API port: open in development, else only with the metrics token."""

    def __init__(self, token: str | None, development: bool) -> None:
        self.token = token
        self.development = development

    def allowed(self, request: Request) -> bool:
        """True when this request may read the metrics."""
        if self.token is None:
            return self.development
        given = request.headers.get("authorization", "")
        scheme, _, credentials = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode(), self.token.encode()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allowed(Request(scope, receive)):
            response = Response(exposition(), media_type=CONTENT_TYPE_LATEST)
        else:  # not found rather than unauthorized: its existence is nobody's business
            response = Response("Not Found", status_code=404, media_type="text/plain")
        await response(scope, receive, send)


def serve_metrics_port(host: str, port: int) -> Callable[[], None] | None:
    """Serve the metrics on host:port in a thread; returns the function that stops it.

    With several workers only the first to bind the port serves it (each reads every
    worker's samples); the others get None.
    """
    try:
        server, thread = start_http_server(port, addr=host, registry=exposition_registry())
    except OSError as error:
        if os.environ.get(MULTIPROC_ENV):
            log.info("metrics port %s:%d served by another worker (%s)", host, port, error)
            return None
        raise
    log.info("metrics on http://%s:%d/metrics", host, port)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop


async def mirror_availability(
    available: Callable[[], bool], interval_s: float = AVAILABILITY_INTERVAL_S
) -> None:
    """Keep gridgraph_neo4j_up equal to the app's view of Neo4j (server/neo4j_health.py, kept
    by its probe and by every query), read every `interval_s` (until cancelled)."""
    while True:
        NEO4J_UP.set(1 if available() else 0)
        await asyncio.sleep(interval_s)


@contextlib.asynccontextmanager
async def running(
    available: Callable[[], bool], host: str, port: int | None
) -> AsyncIterator[None]:
    """For the app's lifetime: Neo4j's availability mirrored, the metrics port when set."""
    stop = serve_metrics_port(host, port) if port is not None else None
    probe = asyncio.create_task(mirror_availability(available), name="gridgraph-neo4j-up")
    try:
        yield
    finally:
        probe.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await probe
        if stop is not None:
            stop()
        process_exiting()


def prepare_multiprocess(workers: int, data_dir: Path) -> None:
    """Before starting `workers` > 1 processes: a fresh PROMETHEUS_MULTIPROC_DIR for them.

    Kept when already set (the operator's choice); else <data_dir>/prometheus, emptied. Must
    run before the workers import prometheus_client.
    """
    if workers <= 1 or os.environ.get(MULTIPROC_ENV):
        return
    directory = data_dir / "prometheus"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)


def process_exiting() -> None:
    """At a worker's exit: its live gauges (in-flight, Neo4j up) stop counting."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
