"""The Starlette application: /graphql, /healthz, /readyz and /metrics, with the driver in the
lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.audit_group import drain_audit
from graph.client import GraphClient, open_driver
from resolvers import cpu_pool
from resolvers.agreements import AgreementError, load_agreements, problems_against
from schema import build_schema
from schema.limits import Limits
from server import metrics
from server.auth import Authenticator, TokenKeys
from server.deadline import RequestGuard
from server.graphql_app import GraphQLEndpoint, GridGraphQL, HttpLimits
from server.heap import frozen_start_up
from server.keys import load_personal_data_key
from server.log_format import ensure_logging
from server.neo4j_health import Neo4jHealth
from server.rate_limit import rate_limiter
from server.readiness import UNAVAILABLE, Readiness, check_readiness, migrate_until_done
from server.refusals import RefusalAudit
from server.request_log import RequestLog
from server.response_media import ResponseMedia
from server.round_trips import RoundTripHeader
from server.settings import Settings
from server.web_app import web_routes


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process is up and serving HTTP; says nothing about Neo4j."""
    return JSONResponse({"status": "alive"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when Neo4j answers and migrations are applied, else 503 with the reason."""
    health: Neo4jHealth = request.app.state.neo4j_health
    if not health.available:  # known down (server/neo4j_health.py): no need to ask again
        headers = {"Retry-After": health.retry_after()}
        return JSONResponse(Readiness(False, UNAVAILABLE).as_json(), 503, headers=headers)
    readiness = await check_readiness(request.app.state.graph)
    return JSONResponse(readiness.as_json(), status_code=200 if readiness.ready else 503)


def health_of(health: Neo4jHealth) -> Callable[[], bool]:
    """Whether Neo4j answers, as `health` knows it (for the gridgraph_neo4j_up metric)."""
    return lambda: health.available


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; startup loads the personal-data key and opens the driver (closed at exit)."""
    settings = settings or Settings()
    ensure_logging(settings.log_format, settings.log_level)  # a bare worker process logs too
    refusals = RefusalAudit(settings.refusal_audit_window_s)

    async def probe() -> None:
        await app.state.probe_graph.ping()

    async def recheck() -> None:
        await app.state.graph.ping()

    health = Neo4jHealth(probe, recheck=recheck)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Loaded once per app, before anything else: a missing key fails the start-up.
        app.state.personal_data_key = load_personal_data_key(settings)
        auth = (
            settings.effective_neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
        )
        # No request outlives its deadline: neither may the driver's retries or pool waits.
        deadline = settings.request_deadline_s
        driver = open_driver(
            *auth,
            max_transaction_retry_time=deadline,
            connection_acquisition_timeout=deadline,
            connection_timeout=min(5.0, deadline),
        )
        graph = GraphClient(driver, settings.neo4j_database, settings.query_timeout_s)
        graph.on_unreachable = health.mark_down
        app.state.graph = graph
        # The availability probe has its own connection: a busy pool never delays it.
        probe_driver = open_driver(*auth, max_connection_pool_size=1, connection_timeout=2.0)
        app.state.probe_graph = GraphClient(probe_driver, settings.neo4j_database)
        pool = cpu_pool.configure(
            settings.analysis_workers, settings.analysis_timeout_s, settings.analysis_pool
        )
        warming = asyncio.create_task(asyncio.to_thread(pool.warm), name="gridgraph-cpu-warm")
        migrator = asyncio.create_task(migrate_until_done(graph), name="gridgraph-migrations")
        try:
            async with (
                health.probing(),
                refusals.running(graph),
                metrics.running(health_of(health), settings.metrics_host, settings.metrics_port),
            ):  # refusal counts written at exit
                with frozen_start_up():  # the start-up's objects out of the collector's way
                    yield
        finally:
            await warming
            pool.shutdown()
            await app.state.probe_graph.close()
            migrator.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await migrator
            await drain_audit(graph)  # queued audit records (graph/audit_group.py) go first
            await graph.close()

    limits = Limits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_cost=settings.max_cost,
        max_batch_operations=settings.max_batch_operations,
    )
    schema = build_schema(limits, production=not settings.development)
    agreements = load_agreements(settings.agreements_file)
    problems = problems_against(agreements, schema._schema)
    if problems:
        raise AgreementError(f"{settings.agreements_file}: {'; '.join(problems)}")
    authenticator = Authenticator(settings, TokenKeys.from_settings(settings), agreements)
    graphql = GridGraphQL(
        schema,
        authenticator=authenticator,
        development=settings.development,
        compiled_reads=settings.compiled_reads,
        direct_operations=settings.direct_operations,
    )
    http_limits = HttpLimits(
        rate=rate_limiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        auth_failures=rate_limiter(settings.auth_failure_rate_per_s, settings.auth_failure_burst),
        batching=settings.batching_enabled,
        max_operations=settings.max_batch_operations,
        max_json_depth=settings.max_json_depth,
    )
    token = settings.metrics_token
    metrics_token = token.get_secret_value() if token is not None else None
    routes = [
        Route("/graphql", GraphQLEndpoint(graphql, http_limits)),  # any method: others get a 405
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route(
            "/metrics",
            metrics.MetricsEndpoint(metrics_token, settings.development),
            methods=["GET"],
        ),
        *web_routes(),  # the web app at /app (server/web_app.py)
    ]
    guard = Middleware(
        RequestGuard, health=health, deadline_s=settings.request_deadline_s, refusals=refusals
    )
    # Outermost first: Cypher round trips counted; the request id, log line and metrics; the
    # negotiated response media type of /graphql (server/response_media.py).
    observed = [Middleware(RoundTripHeader), Middleware(RequestLog), Middleware(ResponseMedia)]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[*observed, guard])
    app.state.settings = settings
    app.state.refusals = refusals
    app.state.neo4j_health = health
    return app
