"""Strawberry's ASGI GraphQL app with GridGraph's per-request context."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph.client import GraphClient
from resolvers.context import RequestContext
from resolvers.loaders import Loaders
from resolvers.principal import ANONYMOUS_DEVELOPER


class GridGraphQL(GraphQL[RequestContext, None]):
    """GraphQL over HTTP; GraphiQL on GET only in development."""

    def encode_json(self, data: object) -> str:
        """JSON with Chinese text as UTF-8 rather than \\u escapes."""
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        graph: GraphClient = request.app.state.graph
        return RequestContext(
            request=request,
            response=response,
            graph=graph,
            principal=ANONYMOUS_DEVELOPER,
            loaders=Loaders(graph),
            personal_data_key=request.app.state.personal_data_key,
        )
