"""Reading a GraphQL request off HTTP: malformed input is a coded 4xx, never a 500.

POST bodies must be `application/json` (UTF-8); GET carries `query`, `variables`,
`operationName` and `extensions` as query parameters. The JSON (body or `variables`) is
checked before it is parsed: valid UTF-8, nested at most `max_depth` levels, no NaN or
Infinity, no lone surrogates (`"\\ud800"`: not text). It must be one operation (an object)
or, when batching is on, a non-empty list of them; `query` is a non-empty string,
`variables` and `extensions` objects, `operationName` a GraphQL name. Every refusal is a
Refusal with code BAD_REQUEST (HTTP 400, 405 for another method, 415 for another content
type), BAD_USER_INPUT (lone surrogates), BATCHING_DISABLED or PAYLOAD_TOO_LARGE (HTTP 413: a
body over `max_body_bytes`, GRIDGRAPH_MAX_BODY_BYTES, judged by its Content-Length before
anything is read, then counted while it streams in, so an over-long body is never held
whole).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type

from resolvers.errors import ErrorCode
from server.refusals import Refusal

JSON_MEDIA_TYPE = "application/json"
# A JSON string (escapes included) and the brackets outside strings.
JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
JSON_BRACKET = re.compile(r"[\[\]{}]")
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,127}")
ALLOWED_METHODS = "GET, POST"
DEFAULT_MAX_BODY_BYTES = 262_144  # server/settings.py max_body_bytes


def too_large(max_body_bytes: int) -> Refusal:
    """PAYLOAD_TOO_LARGE (HTTP 413) for a body over the limit."""
    return Refusal(
        413,
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"The request body is over {max_body_bytes} bytes.",
        extensions={"maxBytes": max_body_bytes},
    )


async def read_body(request: Request, max_body_bytes: int) -> bytes:
    """The request's body, or PAYLOAD_TOO_LARGE as soon as it is known to be over the
    limit: from its Content-Length, else while counting the chunks as they come."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise bad_request("The Content-Length header is not a number.")
        if int(declared) > max_body_bytes:
            raise too_large(max_body_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body_bytes:
            raise too_large(max_body_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _max_body_bytes(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None)
    limit = getattr(settings, "max_body_bytes", None)
    return limit if isinstance(limit, int) else DEFAULT_MAX_BODY_BYTES


def bad_request(message: str, status: int = 400, **extensions: Any) -> Refusal:
    """A BAD_REQUEST refusal (the principal is added by the caller, to audit it)."""
    headers = {"Allow": ALLOWED_METHODS} if status == 405 else None
    return Refusal(status, ErrorCode.BAD_REQUEST, message, headers=headers, extensions=extensions)


def nesting_depth(text: str) -> int:
    """How deeply the JSON text nests arrays and objects (brackets inside strings ignored)."""
    depth = deepest = 0
    for bracket in JSON_BRACKET.finditer(JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str | bytes, what: str, max_depth: int) -> Any:
    """Decode and parse JSON text, or BAD_REQUEST / BAD_USER_INPUT."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_request(f"The {what} is not valid UTF-8.") from None
    depth = nesting_depth(text)
    if depth > max_depth:
        raise bad_request(
            f"The {what} nests {depth} levels deep; at most {max_depth} are allowed.",
            maxDepth=max_depth,
        )
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise bad_request(f"The {what} is not valid JSON.") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Refusal(
            400,
            ErrorCode.BAD_USER_INPUT,
            f"The {what} holds a lone surrogate (\\ud800-\\udfff): not Unicode text.",
        ) from None
    return value


@dataclass(frozen=True)
class GraphQLHttpRequest:
    """The operations of one HTTP request, checked; `batch` when they came as a list."""

    operations: list[GraphQLRequestData]
    batch: bool

    def for_strawberry(self) -> GraphQLRequestData | list[GraphQLRequestData]:
        """What Strawberry's parse_http_body returns for this request."""
        return self.operations if self.batch else self.operations[0]


def _object_or_none(item: Mapping[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = item.get(key)
    if value is not None and not isinstance(value, dict):
        raise bad_request(f"{where}`{key}` must be a JSON object.")
    return value


def operation_of(item: object, where: str = "") -> GraphQLRequestData:
    """One operation from its JSON object, or BAD_REQUEST."""
    if not isinstance(item, dict):
        raise bad_request(f"{where or 'The request'} must be a JSON object with a `query`.")
    query = item.get("query")
    if not isinstance(query, str) or not query.strip():
        raise bad_request(f"{where}`query` must be a non-empty string (a GraphQL document).")
    name = item.get("operationName")
    if name is not None and (not isinstance(name, str) or not OPERATION_NAME.fullmatch(name)):
        raise bad_request(f"{where}`operationName` must be a GraphQL name.")
    return GraphQLRequestData(
        query=query,
        variables=_object_or_none(item, "variables", where),
        operation_name=name,
        extensions=_object_or_none(item, "extensions", where),
    )


def checked_request(data: object, batching: bool, max_operations: int) -> GraphQLHttpRequest:
    """The operations of a parsed body (an object, or a list when batching), or a Refusal."""
    if not isinstance(data, list):
        return GraphQLHttpRequest([operation_of(data)], batch=False)
    if not batching:
        raise Refusal(
            400,
            ErrorCode.BATCHING_DISABLED,
            "Batched requests (a JSON list of operations) are not served here; "
            "send one operation per request.",
        )
    if not data:
        raise bad_request("The batch holds no operations.")
    if len(data) > max_operations:
        raise Refusal(
            400,
            ErrorCode.TOO_MANY_OPERATIONS,
            f"The batch holds {len(data)} operations; at most {max_operations} are allowed.",
            extensions={"operations": len(data), "maxOperations": max_operations},
        )
    operations = [operation_of(item, f"Operation {i}: ") for i, item in enumerate(data)]
    return GraphQLHttpRequest(operations, batch=True)


def _from_query_params(request: Request, max_depth: int) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    for key in ("variables", "extensions"):
        if params.get(key):
            params[key] = parse_json(params[key], f"`{key}` parameter", max_depth)
        else:
            params.pop(key, None)
    return params


async def read_graphql_request(
    request: Request,
    *,
    batching: bool,
    max_operations: int,
    max_depth: int,
    max_body_bytes: int | None = None,
) -> GraphQLHttpRequest | None:
    """The request's operations, checked; None for a GET without `query` (GraphiQL's page).

    `max_body_bytes` defaults to the app's setting (GRIDGRAPH_MAX_BODY_BYTES)."""
    if request.method == "GET":
        if "query" not in request.query_params:
            return None
        return checked_request(_from_query_params(request, max_depth), False, max_operations)
    if request.method != "POST":
        raise bad_request("GraphQL is served over POST (and GET in development).", 405)
    media_type, parameters = parse_content_type(request.headers.get("content-type", ""))
    charset = parameters.get("charset", "utf-8").lower()
    if media_type.lower() != JSON_MEDIA_TYPE or charset not in ("utf-8", "utf8"):
        raise bad_request("Send the request as application/json in UTF-8.", 415)
    body = await read_body(request, max_body_bytes or _max_body_bytes(request))
    if not body.strip():
        raise bad_request("The request body is empty.")
    data = parse_json(body, "request body", max_depth)
    return checked_request(data, batching, max_operations)
