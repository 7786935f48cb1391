"""Give every GraphQL error a stable `extensions.code`, and mask the unexpected ones.

Client errors (resolvers/errors.py) and the abuse limits' refusals (schema/limits.py) pass
through. Syntax and validation errors get Apollo's codes; a document over the token limit
gets TOO_MANY_TOKENS; invalid variables get BAD_USER_INPUT; a query Neo4j stopped at the
transaction timeout gets TIMEOUT. Anything else (a bug, a database failure) is logged with
its traceback and reaches the client only as "Internal server error." with
INTERNAL_SERVER_ERROR, or SERVICE_UNAVAILABLE when Neo4j cannot be reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, Node
from neo4j.exceptions import Neo4jError, SessionExpired
from neo4j.exceptions import ServiceUnavailable as Neo4jUnavailable
from strawberry.extensions import SchemaExtension

from resolvers.errors import ClientError, ErrorCode

INTERNAL_MESSAGE = "Internal server error."
UNAVAILABLE_MESSAGE = "The graph database is unavailable; try again shortly."
TIMEOUT_MESSAGE = (
    "The query ran past the server's time limit and was stopped; "
    "ask for less (smaller pages, fewer hops, a narrower place or period)."
)
# graphql-core's parser message when the token limit (MaxTokensLimiter) stops it.
PARSER_LIMIT_MESSAGE = "Syntax Error: Document contains more than "
# Neo4j's status codes of a transaction stopped at its timeout (TransactionTimedOut and
# TransactionTimedOutClientConfiguration, the latter when the driver set the timeout).
TIMED_OUT_CODE = "Neo.ClientError.Transaction.TransactionTimedOut"


def is_timeout(error: BaseException | None) -> bool:
    """True for Neo4j's error of a transaction stopped at its timeout."""
    return isinstance(error, Neo4jError) and (error.code or "").startswith(TIMED_OUT_CODE)


def is_unavailable(error: BaseException | None) -> bool:
    """True for the driver's errors of a Neo4j out of reach (an expected condition)."""
    return isinstance(error, Neo4jUnavailable | SessionExpired)


def limit_error(message: str, code: ErrorCode, node: Node | None, **details: Any) -> GraphQLError:
    """A refusal before execution (schema/limits.py) with its stable code and the numbers
    behind it."""
    return GraphQLError(
        message, nodes=[node] if node else None, extensions={"code": code.value, **details}
    )


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
        if isinstance(error, GraphQLSyntaxError) and error.message.startswith(PARSER_LIMIT_MESSAGE):
            return _with_code(error, error.message, ErrorCode.TOO_MANY_TOKENS)
        if error.message.startswith("Syntax Error"):
            return _with_code(error, error.message, ErrorCode.GRAPHQL_PARSE_FAILED)
        if error.message.startswith("Variable '$"):
            return _with_code(error, error.message, ErrorCode.BAD_USER_INPUT)
        return _with_code(error, error.message, ErrorCode.GRAPHQL_VALIDATION_FAILED)
    if is_timeout(original):
        return _with_code(error, TIMEOUT_MESSAGE, ErrorCode.TIMEOUT)
    if is_unavailable(original):
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
