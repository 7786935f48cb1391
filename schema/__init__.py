"""Strawberry types and the assembled GraphQL schema."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.error_codes import ErrorCodes, is_expected
from schema.query import Query

log = logging.getLogger("gridgraph.errors")


class GridGraphSchema(strawberry.Schema):
    """Logs only unexpected errors (with their traceback); client mistakes are not logged."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if not is_expected(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)


def build_schema() -> strawberry.Schema:
    """The GraphQL schema of the service."""
    return GridGraphSchema(query=Query, extensions=[ErrorCodes])
