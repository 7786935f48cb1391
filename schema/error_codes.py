"""Give every GraphQL error a stable `extensions.code`, and mask the unexpected ones.

Client errors (resolvers/errors.py) pass through. Syntax and validation errors get
Apollo's codes; invalid variables get BAD_USER_INPUT. Anything else (a bug, a database
failure) is logged with its traceback and reaches the client only as "Internal server
error." with INTERNAL_SERVER_ERROR, or SERVICE_UNAVAILABLE when Neo4j cannot be reached.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from neo4j.exceptions import ServiceUnavailable as Neo4jUnavailable
from neo4j.exceptions import SessionExpired
from strawberry.extensions import SchemaExtension

from resolvers.errors import ClientError, ErrorCode

INTERNAL_MESSAGE = "Internal server error."
UNAVAILABLE_MESSAGE = "The graph database is unavailable; try again shortly."


def _with_code(error: GraphQLError, message: str, code: ErrorCode) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code.value},
    )


def is_expected(error: GraphQLError) -> bool:
    """True for errors the client caused or is meant to see (nothing to log)."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError) or isinstance(error, ClientError)


def classify(error: GraphQLError) -> GraphQLError:
    """The error as the client should see it."""
    original = error.original_error
    if isinstance(original, ClientError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=original.extensions,
        )
    if isinstance(error, ClientError) or (error.extensions or {}).get("code"):
        return error
    if original is None or isinstance(original, GraphQLError):  # graphql-core's own checks
        if error.message.startswith("Syntax Error"):
            return _with_code(error, error.message, ErrorCode.GRAPHQL_PARSE_FAILED)
        if error.message.startswith("Variable '$"):
            return _with_code(error, error.message, ErrorCode.BAD_USER_INPUT)
        return _with_code(error, error.message, ErrorCode.GRAPHQL_VALIDATION_FAILED)
    if isinstance(original, Neo4jUnavailable | SessionExpired):
        return _with_code(error, UNAVAILABLE_MESSAGE, ErrorCode.SERVICE_UNAVAILABLE)
    return _with_code(error, INTERNAL_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR)


class ErrorCodes(SchemaExtension):
    """Rewrites the operation's errors with `classify` once it has run."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [classify(error) for error in errors]
