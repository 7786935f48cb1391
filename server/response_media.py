"""GraphQL over HTTP's two response media types, and the status codes of the newer one.

`application/json` is the legacy type: every GraphQL result is 200, as it always was here.
`application/graphql-response+json` (the GraphQL-over-HTTP specification) is answered when
the client's Accept header prefers it (a higher or equal quality than application/json;
`*/*` or no Accept header keep application/json). Under it the status follows the spec's
watershed: a request that never reached execution (a document that does not parse or
validate, variables that do not coerce, a limit refusing it before it ran) answers 400
without a `data` entry; once execution started, 200 with `data` (null or not). Neo4j out
of reach before any data answers 503, an internal error 500. Refusals before GraphQL ran
(401, 403, 413, 429, ...) keep their status and are sent under the negotiated type too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHQL_RESPONSE_CONTENT_TYPE = f"{GRAPHQL_RESPONSE}; charset=utf-8"
GRAPHQL_PATH = "/graphql"
MEDIA_KEY = "response_media"  # scope["state"] key: the negotiated type

# Error codes that are not the client's request at fault, with their status (else 400).
SERVER_SIDE_STATUS = {
    "SERVICE_UNAVAILABLE": 503,
    "INTERNAL_SERVER_ERROR": 500,
    "TIMEOUT": 504,
}


def _quality(parameters: Sequence[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept: str | None) -> str:
    """The response media type for this Accept header (application/json unless the client
    prefers application/graphql-response+json)."""
    if not accept:
        return JSON
    json_q = graphql_q = 0.0
    for item in accept.split(","):
        media, *parameters = item.split(";")
        media = media.strip().lower()
        quality = _quality(parameters)
        if media == GRAPHQL_RESPONSE:
            graphql_q = max(graphql_q, quality)
        elif media in (JSON, "application/*", "*/*"):
            json_q = max(json_q, quality)
    return GRAPHQL_RESPONSE if graphql_q > 0 and graphql_q >= json_q else JSON


def started_execution(errors: Sequence[Any] | None, data: Any) -> bool:
    """True when the result comes from execution (the watershed): it has data, or its errors
    arose in fields (they have a path). Parse, validation, variable coercion and the limits'
    refusals come without data and without paths."""
    if data is not None:
        return True
    return any(getattr(error, "path", None) for error in errors or ())


def request_error_status(codes: Sequence[str]) -> int:
    """The status of a result that never reached execution: 400 unless the server failed."""
    for code in codes:
        if code in SERVER_SIDE_STATUS:
            return SERVER_SIDE_STATUS[code]
    return 400


def error_codes(formatted: Mapping[str, Any]) -> list[str]:
    """The `extensions.code` of each formatted error of a response."""
    codes = []
    for error in formatted.get("errors") or ():
        extensions = error.get("extensions") if isinstance(error, Mapping) else None
        code = extensions.get("code") if isinstance(extensions, Mapping) else None
        if isinstance(code, str):
            codes.append(code)
    return codes


def negotiated(scope: Scope) -> str:
    """The media type negotiated for this request (set by ResponseMedia)."""
    state: dict[str, Any] = scope.get("state", {})
    media = state.get(MEDIA_KEY)
    return media if isinstance(media, str) else JSON


class ResponseMedia:
    """Pure ASGI middleware for /graphql: negotiates the media type from Accept, and sends a
    JSON answer under application/graphql-response+json when that is what was negotiated."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRAPHQL_PATH:
            await self.app(scope, receive, send)
            return
        media = negotiate(Headers(scope=scope).get("accept"))
        scope.setdefault("state", {})[MEDIA_KEY] = media
        if media == JSON:
            await self.app(scope, receive, send)
            return

        async def send_as_graphql_response(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                content_type = headers.get("content-type", "")
                if content_type.split(";")[0].strip().lower() == JSON:
                    headers["content-type"] = GRAPHQL_RESPONSE_CONTENT_TYPE
            await send(message)

        await self.app(scope, receive, send_as_graphql_response)
