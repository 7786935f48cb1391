"""Strawberry types and the assembled GraphQL schema."""

from __future__ import annotations

import logging
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.analytics import AnalyticsQuery
from schema.error_codes import ErrorCodes, is_expected
from schema.investigations import InvestigationQuery
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


# Validation results are cached per parsed document: the apps send the same few documents
# again and again (bench/ measured validation at about a quarter of the CPU). Strawberry's
# ParserCache is left out: with it, syntax errors bypass ErrorCodes and lose their code.
DOCUMENT_CACHE_SIZE = 1024


# The root Query is merged from one root type per area, so areas grow without touching
# each other's modules.
ROOT_TYPES: tuple[type, ...] = (Query, AnalyticsQuery, InvestigationQuery)


def build_schema() -> strawberry.Schema:
    """The GraphQL schema of the service."""
    return GridGraphSchema(
        query=merge_types("Query", ROOT_TYPES),
        extensions=[
            ErrorCodes,
            partial(ValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
        ],
    )
