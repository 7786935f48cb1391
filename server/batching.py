"""Batched GraphQL requests: a batch over the limit is refused with TOO_MANY_OPERATIONS.

Strawberry accepts a JSON list of operations when the schema's config enables batching
(`batching_config={"max_operations": N}`, set by schema.build_schema from Limits). Over N
it answers a plain-text 400; this view answers 400 with a GraphQL error body instead, so
clients get the same `extensions.code` shape as for every other refusal.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.responses import JSONResponse
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData, GraphQLRequestProtocol
from strawberry.http.typevars import Context, RootValue
from strawberry.types.unset import UNSET

from resolvers.errors import ErrorCode
from server.request_log import note_outcome


class TooManyOperations(HTTPException):
    """A batch with more operations than the schema's batching limit."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(400, f"The batch holds {count} operations; at most {limit} are allowed.")
        self.count = count
        self.limit = limit

    def response(self) -> JSONResponse:
        """400 with the refusal as a GraphQL error and its code."""
        extensions = {
            "code": ErrorCode.TOO_MANY_OPERATIONS.value,
            "operations": self.count,
            "maxOperations": self.limit,
        }
        body = {"errors": [{"message": self.reason, "extensions": extensions}]}
        return JSONResponse(body, status_code=self.status_code)


class BatchLimitedGraphQL(GraphQL[Context, RootValue]):
    """Strawberry's ASGI view, refusing an oversized batch with a coded JSON error."""

    def _validate_batch_request(
        self, request_data: list[GraphQLRequestData], protocol: GraphQLRequestProtocol
    ) -> None:
        config = self.schema.config.batching_config
        if config is not None and len(request_data) > config["max_operations"]:
            raise TooManyOperations(len(request_data), config["max_operations"])
        super()._validate_batch_request(request_data, protocol)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Serve one request; an oversized batch becomes a 400 JSON error."""
        try:
            return await super().run(request, context, root_value)
        except TooManyOperations as refused:
            note_outcome(request.scope, ErrorCode.TOO_MANY_OPERATIONS.value)
            return refused.response()
