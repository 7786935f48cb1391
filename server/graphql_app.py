"""Strawberry's ASGI GraphQL app, behind authentication, with GridGraph's per-request context."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from neo4j.exceptions import ServiceUnavailable as Neo4jUnavailable
from neo4j.exceptions import SessionExpired
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.schema import BaseSchema

from graph.audit import append_audit_entry
from graph.client import GraphClient
from resolvers.audit import refused_entry
from resolvers.context import RequestContext
from resolvers.errors import ErrorCode
from resolvers.loaders import Loaders
from resolvers.principal import Credential, Principal
from schema.error_codes import UNAVAILABLE_MESSAGE
from server.auth import Authenticator, AuthError
from server.batching import BatchLimitedGraphQL
from server.rate_limit import RateLimiter, retry_after


class GridGraphQL(BatchLimitedGraphQL[RequestContext, None]):
    """GraphQL over HTTP; GraphiQL on GET only in development; batches up to the limit."""

    def __init__(
        self, schema: BaseSchema, *, authenticator: Authenticator, development: bool
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if development else None,
            allow_queries_via_get=development,  # GET is open to CSRF: development only
        )
        self.authenticator = authenticator

    def encode_json(self, data: object) -> str:
        """JSON with Chinese text as UTF-8 rather than \\u escapes."""
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        graph: GraphClient = request.app.state.graph
        principal: Principal = request.state.principal  # set by GraphQLEndpoint
        return RequestContext(
            request=request,
            response=response,
            graph=graph,
            principal=principal,
            loaders=Loaders(graph, scope=principal.scope_codes),
            personal_data_key=request.app.state.personal_data_key,
            agreement=self.authenticator.agreement_of(principal),
        )


def refusal_response(refusal: AuthError) -> JSONResponse:
    """The JSON body of a request refused before GraphQL ran, with its code."""
    headers = {"WWW-Authenticate": "Bearer"} if refusal.status == 401 else refusal.headers
    body = {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code.value}}]}
    return JSONResponse(body, status_code=refusal.status, headers=headers)


def unavailable_response() -> JSONResponse:
    """503 when Neo4j cannot be reached before GraphQL runs (API key lookup, audit)."""
    body = {
        "errors": [
            {
                "message": UNAVAILABLE_MESSAGE,
                "extensions": {"code": ErrorCode.SERVICE_UNAVAILABLE.value},
            }
        ]
    }
    return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})


class GraphQLEndpoint:
    """/graphql: authenticate, rate-limit, then hand the request to Strawberry.

    A request refused here after its principal is known (no purpose, over the rate limit)
    is audited as `refused:<CODE>`; executed operations are audited by schema/audit_trail.py.
    """

    def __init__(self, graphql: GridGraphQL, limiter: RateLimiter | None) -> None:
        self.graphql = graphql
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        graph: GraphClient = request.app.state.graph
        try:
            principal = await self.graphql.authenticator.principal_for(request, graph)
            self._check_rate(principal)
        except AuthError as refusal:
            response = refusal_response(refusal)
            if refusal.principal is not None:
                entry = refused_entry(refusal.principal, datetime.now(UTC), refusal.code.value)
                try:
                    await append_audit_entry(graph, entry)
                except (Neo4jUnavailable, SessionExpired):
                    response = unavailable_response()
            await response(scope, receive, send)
            return
        except (Neo4jUnavailable, SessionExpired):  # an API key could not be looked up
            await unavailable_response()(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.graphql(scope, receive, send)

    def _check_rate(self, principal: Principal) -> None:
        if self.limiter is None or principal.credential is Credential.ANONYMOUS:
            return  # the anonymous developer exists only in development mode
        wait = self.limiter.take(principal.subject, time.monotonic())
        if wait is not None:
            raise AuthError(
                429,
                ErrorCode.RATE_LIMITED,
                f"Too many requests; retry after {retry_after(wait)} s.",
                principal,
                headers={"Retry-After": retry_after(wait)},
            )
