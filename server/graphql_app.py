"""Strawberry's ASGI GraphQL app, behind authentication, with GridGraph's per-request context.

GraphQLEndpoint admits a request in this order, so that every refusal is cheap:
1. a client address with too many failed authentications is refused (429, no Neo4j read);
2. authentication (a failure takes a token of the address's bucket: 401);
3. the principal's rate limit, one token (429);
4. the purpose (400 over-long, 403 missing for partners);
5. the request itself (server/request_body.py: 400/405/415; batches as configured) and, for
   a batch of N operations, N - 1 more tokens (429);
6. a single query of a cached document is answered without Strawberry's pipeline where it
   would not act (schema/direct_operations.py);
7. Strawberry runs the rest, and finishes any direct answer with errors; its own HTTP
   refusals (unknown operationName, a mutation over GET ...) become coded JSON too.
Refusals from step 3 on are audited (aggregated: server/refusals.py). Each step notes what
the request log line and the metrics need (server/request_log.py RequestRecord); results
answer under the negotiated media type's status rules (server/response_media.py).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import HTTPException, StarletteRequestAdapter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from graph.client import GraphClient
from resolvers.context import RequestContext
from resolvers.errors import ErrorCode
from resolvers.loaders import Loaders
from resolvers.principal import Credential, Principal
from schema.direct_operations import DirectOperations, HandOver
from server import metrics, response_media
from server.auth import Authenticator, AuthError
from server.batching import BatchLimitedGraphQL
from server.rate_limit import RateLimiter, retry_after
from server.refusals import NEO4J_DOWN, Refusal, RefusalAudit, unavailable_response
from server.request_body import GraphQLHttpRequest, read_graphql_request
from server.request_log import RequestRecord, note_outcome, request_record
from server.web_app import graphiql_page

PARSED_REQUEST = "graphql_request"  # request.state key: the operations GraphQLEndpoint read
SUB_RESPONSE = "graphql_sub_response"  # request.state key: Strawberry's sub-response
EXECUTED = "graphql_executed"  # request.state key: a result for the pipeline to finish
MAX_REASON_LENGTH = 300


def _state(request: Request | WebSocket) -> dict[str, Any]:
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


class _RequestAdapter(StarletteRequestAdapter):
    """Strawberry's view of a Starlette request, keeping the request at hand."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.starlette_request = request


class GridGraphQL(BatchLimitedGraphQL[RequestContext, None]):
    """GraphQL over HTTP; GraphiQL on GET only in development; batches up to the limit."""

    request_adapter_class = _RequestAdapter

    def __init__(
        self,
        schema: BaseSchema,
        *,
        authenticator: Authenticator,
        development: bool,
        compiled_reads: bool = True,
        direct_operations: bool = True,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if development else None,
            allow_queries_via_get=development,  # GET is open to CSRF: development only
        )
        self.authenticator = authenticator
        self.compiled_reads = compiled_reads  # one Cypher query per root field
        # Cached queries answered without the pipeline (schema/direct_operations.py).
        direct: DirectOperations | None = getattr(schema, "direct_operations", None)
        self.direct = direct if direct_operations else None

    async def render_graphql_ide(self, request: Any) -> Response:
        """GraphiQL bundled from npm (web/, server/web_app.py) instead of Strawberry's CDN page."""
        return graphiql_page()

    def encode_json(self, data: object) -> bytes:
        """Compact JSON as UTF-8 (Chinese text as itself, not \\u escapes), by orjson: a search
        answer of 60 hits took 0.11 ms with `json.dumps`, 0.007 ms with orjson, and the same
        bytes but for small floats (0.00001 for 1e-05). What orjson refuses (an integer
        beyond 64 bits, a key that is not a string) `json` still writes."""
        try:
            return orjson.dumps(data)
        except TypeError:  # orjson.JSONEncodeError
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        graph: GraphClient = request.app.state.graph
        principal: Principal = request.state.principal  # set by GraphQLEndpoint
        _state(request)[SUB_RESPONSE] = response
        record = request_record(request.scope)
        return RequestContext(
            request=request,
            response=response,
            graph=graph,
            principal=principal,
            loaders=Loaders(graph, scope=principal.scope_codes),
            personal_data_key=request.app.state.personal_data_key,
            agreement=self.authenticator.agreement_of(principal),
            compiled_reads=self.compiled_reads,
            request_id=record.request_id if record is not None else None,
            executed=_state(request).pop(EXECUTED, None),
        )

    async def answer_directly(
        self, request: Request, operation: GraphQLRequestData
    ) -> Response | None:
        """One query answered without Strawberry's pipeline (schema/direct_operations.py);
        None when the pipeline runs it, given the result when it was executed with errors."""
        if self.direct is None or request.method != "POST":
            return None
        context = await self.get_context(request, Response())
        outcome = await self.direct.answer(context.for_operation(), operation)
        if isinstance(outcome, HandOver):
            _state(request)[EXECUTED] = outcome.result
            return None
        if outcome is None:
            return None
        note_outcome(request.scope, "ok")
        return Response(
            self.encode_json({"data": outcome.data}), status_code=200, media_type="application/json"
        )

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """One operation, with per-operation state of its own (`RequestContext.for_operation`):
        the operations of a batch run at once and would otherwise share it."""
        return await super().execute_single(
            request,
            request_adapter,
            sub_response,
            context.for_operation(),
            root_value,
            request_data,
        )

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        """The result as sent: its outcome noted for the request log; under
        application/graphql-response+json, a single operation that never reached execution
        answers 400 (or 5xx) without `data` (server/response_media.py)."""
        answer = await super().process_result(request, result)
        codes = response_media.error_codes(answer)
        record = request_record(request.scope)
        if record is not None and record.outcome in (None, "ok"):
            record.outcome = codes[0] if codes else "ok"
        parsed: GraphQLHttpRequest | None = _state(request).get(PARSED_REQUEST)
        batch = parsed is not None and parsed.batch
        if response_media.negotiated(request.scope) != response_media.GRAPHQL_RESPONSE or batch:
            return answer
        if not response_media.started_execution(result.errors, result.data):
            answer.pop("data", None)
            sub_response: Response | None = _state(request).get(SUB_RESPONSE)
            if sub_response is not None:
                sub_response.status_code = response_media.request_error_status(codes)
        return answer

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The operations GraphQLEndpoint already read and checked (Strawberry's otherwise)."""
        parsed: GraphQLHttpRequest | None = None
        if isinstance(request, _RequestAdapter):
            parsed = _state(request.starlette_request).get(PARSED_REQUEST)
        if parsed is not None:
            return parsed.for_strawberry()
        return await super().parse_http_body(request)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Serve one request; Strawberry's plain-text refusals become coded, audited JSON."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as error:
            code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.BAD_REQUEST
            reason = error.reason if len(error.reason) <= MAX_REASON_LENGTH else "Bad request."
            refusal = Refusal(error.status_code, code, reason)
            note_outcome(request.scope, code.value)
            parsed: GraphQLHttpRequest | None = _state(request).get(PARSED_REQUEST)
            single = parsed.operations[0] if parsed is not None and not parsed.batch else None
            refusals: RefusalAudit = request.app.state.refusals
            try:
                record = request_record(request.scope)
                await refusals.refused(
                    request.state.principal,
                    code,
                    single.operation_name if single else None,
                    single.query if single else None,
                    single.variables if single else None,
                    request_id=record.request_id if record is not None else None,
                )
            except NEO4J_DOWN:
                note_outcome(request.scope, ErrorCode.SERVICE_UNAVAILABLE.value)
                return unavailable_response()
            return refusal.response()


@dataclass(frozen=True)
class HttpLimits:
    """What GraphQLEndpoint enforces before GraphQL runs (from Settings)."""

    rate: RateLimiter | None  # per principal, one token per operation
    auth_failures: RateLimiter | None  # failed authentications per client address
    batching: bool
    max_operations: int
    max_json_depth: int


class GraphQLEndpoint:
    """/graphql: refuse cheaply (see the module docstring), then hand over to Strawberry."""

    def __init__(self, graphql: GridGraphQL, limits: HttpLimits) -> None:
        self.graphql = graphql
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        graph: GraphClient = request.app.state.graph
        record = request_record(scope) or RequestRecord("")
        try:
            principal = await self._authenticate(request, graph)
        except Refusal as refusal:  # nobody to audit
            note_outcome(scope, refusal.code.value)
            await refusal.response()(scope, receive, send)
            return
        except NEO4J_DOWN:  # an API key could not be looked up
            note_outcome(scope, ErrorCode.SERVICE_UNAVAILABLE.value)
            await unavailable_response()(scope, receive, send)
            return
        record.subject = principal.subject
        try:
            parsed = await self._admit(request, principal)
        except Refusal as refusal:
            note_outcome(scope, refusal.code.value)
            response = await self._refuse(request, principal, refusal)
            await response(scope, receive, send)
            return
        if parsed is not None:
            first = parsed.operations[0]
            record.operation_given(first.operation_name, first.query, parsed.batch)
        else:  # a GET (development): Strawberry reads the query string
            params = request.query_params
            record.operation_given(params.get("operationName"), params.get("query"))
        state = _state(request)
        state["principal"] = principal
        state[PARSED_REQUEST] = parsed
        if parsed is not None and not parsed.batch:
            direct = await self.graphql.answer_directly(request, parsed.operations[0])
            if direct is not None:
                await direct(scope, receive, send)
                return
        await self.graphql(scope, receive, send)

    async def _authenticate(self, request: Request, graph: GraphClient) -> Principal:
        failures = self.limits.auth_failures
        address = request.client.host if request.client else "unknown"
        now = time.monotonic()
        wait = failures.wait(address, now) if failures is not None else None
        if wait is not None:
            metrics.rate_limited("auth_failures")
            raise AuthError(
                429,
                ErrorCode.RATE_LIMITED,
                "Too many failed authentications from this address; "
                f"retry after {retry_after(wait)} s.",
                headers={"Retry-After": retry_after(wait)},
            )
        try:
            return await self.graphql.authenticator.authenticate(request, graph)
        except AuthError:
            if failures is not None:
                failures.take(address, now)
            raise

    async def _admit(self, request: Request, principal: Principal) -> GraphQLHttpRequest | None:
        self._take(principal, 1)
        self.graphql.authenticator.check_purpose(principal, request)
        parsed = await read_graphql_request(
            request,
            batching=self.limits.batching,
            max_operations=self.limits.max_operations,
            max_depth=self.limits.max_json_depth,
        )
        if parsed is not None and parsed.batch:
            self._take(principal, len(parsed.operations) - 1)
        return parsed

    def _take(self, principal: Principal, tokens: int) -> None:
        limiter = self.limits.rate
        if limiter is None or tokens < 1 or principal.credential is Credential.ANONYMOUS:
            return  # the anonymous developer exists only in development mode
        wait = limiter.take(principal.subject, time.monotonic(), tokens)
        if wait is not None:
            metrics.rate_limited("principal")
            raise AuthError(
                429,
                ErrorCode.RATE_LIMITED,
                f"Too many requests; retry after {retry_after(wait)} s.",
                principal,
                headers={"Retry-After": retry_after(wait)},
            )

    @staticmethod
    async def _refuse(request: Request, principal: Principal, refusal: Refusal) -> Response:
        refusals: RefusalAudit = request.app.state.refusals
        record = request_record(request.scope)
        request_id = record.request_id if record is not None else None
        try:
            await refusals.refused(principal, refusal.code, request_id=request_id)
        except NEO4J_DOWN:
            return unavailable_response()
        return refusal.response()
