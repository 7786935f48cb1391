"""Strawberry types and the assembled GraphQL schema."""

from __future__ import annotations

import logging
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.agreement_check import AgreementCheck
from schema.analytics import AnalyticsQuery
from schema.audit import AuditQuery
from schema.audit_trail import AuditTrail
from schema.error_codes import ErrorCodes, is_expected, is_timeout
from schema.investigations import InvestigationQuery
from schema.limits import DEFAULT_LIMITS, Limits, ValidationAfterLimits, limit_extensions
from schema.mutations import Mutation, WorkflowQuery
from schema.query import Query

log = logging.getLogger("gridgraph.errors")


class GridGraphSchema(strawberry.Schema):
    """Logs only unexpected errors (with their traceback); client mistakes are not logged."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_timeout(error.original_error):
                log.warning("query stopped at the transaction timeout in %s", error.path)
            elif not is_expected(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)


# Validation results are cached per parsed document: the apps send the same few documents
# again and again (bench/ measured validation at about a quarter of the CPU). Strawberry's
# ParserCache is left out: with it, syntax errors bypass ErrorCodes and lose their code.
DOCUMENT_CACHE_SIZE = 1024


# The root Query is merged from one root type per area, so areas grow without touching
# each other's modules.
ROOT_TYPES: tuple[type, ...] = (
    Query,
    AnalyticsQuery,
    InvestigationQuery,
    WorkflowQuery,
    AuditQuery,
)


def build_schema(limits: Limits = DEFAULT_LIMITS, production: bool = False) -> strawberry.Schema:
    """The GraphQL schema with its abuse limits; production turns introspection and hints off."""
    return GridGraphSchema(
        query=merge_types("Query", ROOT_TYPES),
        mutation=Mutation,
        config=StrawberryConfig(
            disable_field_suggestions=production,
            batching_config={"max_operations": limits.max_batch_operations},
        ),
        extensions=[
            ErrorCodes,
            *limit_extensions(limits, production=production),
            partial(ValidationAfterLimits, maxsize=DOCUMENT_CACHE_SIZE),
            AgreementCheck,
            AuditTrail,
        ],
    )
