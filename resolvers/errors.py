"""Errors a client may see, each with a stable `extensions.code`.

Resolvers raise these; anything else that escapes a resolver is logged and masked as
INTERNAL_SERVER_ERROR by server/error_codes.py, so no stack trace reaches a client.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLError


class ErrorCode(StrEnum):
    """The codes clients can branch on (Apollo's names where one exists)."""

    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_TRANSITION = "INVALID_TRANSITION"  # the case workflow does not allow this action
    CONFLICT = "CONFLICT"  # the case changed since the version the caller expected
    PURPOSE_REQUIRED = "PURPOSE_REQUIRED"  # a partner's request without X-Purpose
    TIMEOUT = "TIMEOUT"  # Neo4j stopped the query at the server-side query timeout
    # Abuse limits (schema/limits.py, server/batching.py, server/rate_limit.py).
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
    TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
    COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"
    TOO_MANY_OPERATIONS = "TOO_MANY_OPERATIONS"
    TOO_MANY_LOOKUPS = "TOO_MANY_LOOKUPS"  # over 3 lookups by ID-card number in one operation
    RATE_LIMITED = "RATE_LIMITED"
    # HTTP-level refusals (server/request_body.py): a request that is not a GraphQL request.
    BAD_REQUEST = "BAD_REQUEST"  # not JSON / UTF-8, wrong shape, too deep, wrong content type
    BATCHING_DISABLED = "BATCHING_DISABLED"  # a JSON list of operations while batching is off
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # a body over GRIDGRAPH_MAX_BODY_BYTES (HTTP 413)
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


# How much of a value a client sent an error message may quote (never the whole value).
PREVIEW_LENGTH = 20


def preview(value: str) -> str:
    """A short, quoted prefix of a client's value, safe to put in an error message."""
    if len(value) <= PREVIEW_LENGTH:
        return repr(value)
    return f"{value[:PREVIEW_LENGTH]!r}... ({len(value)} characters)"


class ClientError(GraphQLError):
    """An error meant for the client: its message is shown as is, with its code."""

    code: ErrorCode = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, extensions={**details, "code": self.code.value})


class BadUserInput(ClientError):
    """The request's arguments are wrong (format, range, unknown enum, page size ...)."""

    code = ErrorCode.BAD_USER_INPUT


class NotFound(ClientError):
    """The code or id names nothing (that the principal may see)."""

    code = ErrorCode.NOT_FOUND


class Forbidden(ClientError):
    """The principal may not read or do this."""

    code = ErrorCode.FORBIDDEN


class InvalidTransition(ClientError):
    """The case's workflow does not allow this action now (extensions: status, allowed)."""

    code = ErrorCode.INVALID_TRANSITION


class Conflict(ClientError):
    """The case changed since the version the caller expected; read it again and retry."""

    code = ErrorCode.CONFLICT


class ServiceUnavailable(ClientError):
    """Neo4j cannot be reached right now; retrying later may work."""

    code = ErrorCode.SERVICE_UNAVAILABLE
