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
from schema.argument_memo import remember_conversions
from schema.audit import AuditQuery
from schema.audit_trail import AuditTrail
from schema.deliberation import DeliberationMutation
from schema.direct_answers import use_direct_answers
from schema.direct_operations import HandedOver, use_direct_operations
from schema.eager_resolvers import run_eagerly
from schema.error_codes import ErrorCodes, is_expected, is_timeout, is_unavailable
from schema.evaluations import EvaluationMutation
from schema.fengqiao import FengqiaoMutation
from schema.grid_elements import GridElementMutation
from schema.households import HouseholdMutation
from schema.investigations import InvestigationQuery
from schema.key_persons import KeyPersonMutation, KeyPersonQuery
from schema.limits import DEFAULT_LIMITS, Limits, limit_extensions
from schema.mutations import Mutation, WorkflowQuery
from schema.names import RememberedNames
from schema.party_households import HouseholdContactMutation
from schema.plain_leaves import use_plain_leaves
from schema.prepared_documents import DocumentCache, PreparedDocuments
from schema.query import Query
from schema.residents import ResidentMutation
from schema.visits import VisitMutation
from schema.volunteer_activities import VolunteerActivityMutation

log = logging.getLogger("gridgraph.errors")


class GridGraphSchema(strawberry.Schema):
    """Logs unexpected errors with their traceback; expected conditions (a timeout, Neo4j out
    of reach) in one line; client mistakes not at all."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_timeout(error.original_error):
                log.warning("query stopped at the transaction timeout in %s", error.path)
            elif is_unavailable(error.original_error):
                log.warning("Neo4j unavailable in %s: %s", error.path, error.original_error)
            elif not is_expected(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)


# The root Query is merged from one root type per area, so areas grow without touching
# each other's modules.
ROOT_TYPES: tuple[type, ...] = (
    Query,
    AnalyticsQuery,
    InvestigationQuery,
    WorkflowQuery,
    AuditQuery,
    KeyPersonQuery,
)

# The root Mutation is merged the same way: the case workflow's, then each area's own.
MUTATION_TYPES: tuple[type, ...] = (
    Mutation,
    FengqiaoMutation,
    EvaluationMutation,
    VisitMutation,
    VolunteerActivityMutation,
    HouseholdContactMutation,
    DeliberationMutation,
    ResidentMutation,
    HouseholdMutation,
    KeyPersonMutation,
    GridElementMutation,
)


def build_schema(
    limits: Limits = DEFAULT_LIMITS,
    production: bool = False,
    documents: DocumentCache | None = None,
) -> strawberry.Schema:
    """The GraphQL schema with its abuse limits; production turns introspection and hints off.
    Documents that passed parsing and validation are kept per text in `documents`
    (schema/prepared_documents.py; a new cache unless given), and queries of those are
    answered without the per-request pipeline where it would not act
    (schema/direct_operations.py: `schema.direct_operations`)."""
    documents = documents if documents is not None else DocumentCache()
    schema = GridGraphSchema(
        query=merge_types("Query", ROOT_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        config=StrawberryConfig(
            name_converter=RememberedNames(),
            disable_field_suggestions=production,
            batching_config={"max_operations": limits.max_batch_operations},
        ),
        extensions=[
            ErrorCodes,
            partial(PreparedDocuments, documents),  # before anything that parses or validates
            HandedOver,  # before anything that refuses at execution
            *limit_extensions(limits, production=production),
            AgreementCheck,
            AuditTrail,
        ],
    )
    run_eagerly(schema._schema)  # resolvers that find their answer prefetched answer at once
    use_plain_leaves(schema)  # scalar attributes answered without per-field machinery
    use_direct_answers(schema)  # compiled root fields completed without the per-field walk
    remember_conversions()  # a field's arguments converted once per operation
    use_direct_operations(schema, documents, limits.max_cost)  # cached queries, no pipeline
    return schema
