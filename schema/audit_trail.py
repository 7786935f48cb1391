"""Record every authenticated GraphQL operation in the audit log, after it ran (fail closed).

The record counts the objects the response returned (`records`: every non-null object in
`data` but the root and connection plumbing, so a page of 100 persons counts 100, not the
one Cypher row that carried them) and keeps the variables and document hash with personal
data redacted by what each argument means in the schema (resolvers/redaction.py).

The development-mode anonymous developer is not audited: only authenticated requests are.
When the audit record cannot be written, the client gets no data: the operation fails with
SERVICE_UNAVAILABLE (an answer nobody can account for is worse than no answer). A mutation
has committed by then; its client sees the failure and the write has no audit record, which
the server log reports with the subject and operation.

Records of concurrent requests are committed together (graph/audit_group.py); each request
still answers only after its own record is committed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)
from strawberry.extensions import SchemaExtension

from graph.audit_group import append_grouped
from resolvers.audit import audit_entry
from resolvers.context import RequestContext
from resolvers.errors import ServiceUnavailable
from resolvers.principal import Credential
from resolvers.redaction import redact_operation
from schema.error_codes import classify, is_unavailable

log = logging.getLogger("gridgraph.audit")

AUDIT_FAILED_MESSAGE = "The audit log cannot be written, so the request was not served."


def _error_codes(errors: list[GraphQLError] | None) -> list[str]:
    """The `extensions.code` of each error as the client sees it (classified like ErrorCodes)."""
    codes = []
    for error in errors or []:
        code = (classify(error).extensions or {}).get("code")
        codes.append(str(code) if code else "INTERNAL_SERVER_ERROR")
    return codes


# -- objects returned -----------------------------------------------------------------------

_Fields = dict[str, list[tuple[GraphQLNamedType, FieldNode]]]  # response key: where, which


def _collect(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    scope: GraphQLNamedType,
    selections: SelectionSetNode,
    into: _Fields,
    seen: frozenset[str] = frozenset(),
) -> None:
    """The fields of a selection set by response key, fragments followed, with their type."""
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            key = (selection.alias or selection.name).value
            into.setdefault(key, []).append((scope, selection))
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = schema.get_type(condition.name.value) if condition else scope
            _collect(schema, fragments, inner or scope, selection.selection_set, into, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue
            inner = schema.get_type(fragment.type_condition.name.value) or scope
            _collect(schema, fragments, inner, fragment.selection_set, into, seen | {name})


def _is_plumbing(named: GraphQLNamedType) -> bool:
    """Connections, edges and PageInfo wrap the objects; they are not objects returned."""
    if named.name == "PageInfo":
        return True
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        fields = named.fields
        return "edges" in fields or ("node" in fields and "cursor" in fields)
    return False


class _ObjectCounter:
    """Counts the objects of a response by walking its data along the operation's fields."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def count(self, named: GraphQLNamedType, nodes: list[FieldNode], value: Any) -> int:
        """Objects in `value` (an object, list or scalar of this type), itself included."""
        if value is None or not is_composite_type(named):
            return 0
        if isinstance(value, list):
            return sum(self.count(named, nodes, item) for item in value)
        if not isinstance(value, dict):
            return 0
        fields: _Fields = {}
        for node in nodes:
            if node.selection_set is not None:
                _collect(self.schema, self.fragments, named, node.selection_set, fields)
        return (0 if _is_plumbing(named) else 1) + self.children(fields, value)

    def children(self, fields: _Fields, value: dict[str, Any]) -> int:
        """Objects under the selected fields of one object."""
        total = 0
        for key, found in fields.items():
            scope, first = found[0]
            definitions = getattr(scope, "fields", {})
            definition = definitions.get(first.name.value)
            if key in value and definition is not None:
                field_type: GraphQLOutputType = definition.type
                total += self.count(get_named_type(field_type), [n for _, n in found], value[key])
        return total


def returned_objects(
    schema: GraphQLSchema, document: DocumentNode | None, operation: str | None, data: Any
) -> int:
    """How many objects the response's data holds, connection plumbing and the root left out."""
    if document is None or not isinstance(data, dict):
        return 0
    definition = get_operation_ast(document, operation)
    root = schema.get_root_type(definition.operation) if definition else None
    if definition is None or root is None:
        return 0
    counter = _ObjectCounter(schema, document)
    fields: _Fields = {}
    _collect(schema, counter.fragments, root, definition.selection_set, fields)
    return counter.children(fields, data)


async def record_operation(
    context: RequestContext,
    schema: GraphQLSchema,
    *,
    started: datetime,
    document: DocumentNode | None,
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    data: Any,
    errors: list[GraphQLError] | None,
) -> None:
    """Append the audit record of one operation of an authenticated principal (nothing for
    the anonymous developer); ServiceUnavailable when it cannot be written. Used by
    AuditTrail and by operations answered directly (schema/direct_operations.py)."""
    principal = context.principal
    if principal.credential is Credential.ANONYMOUS:
        return
    entry = audit_entry(
        principal,
        at=started,
        operation_name=operation_name,
        query=query,
        variables=variables,
        records=returned_objects(schema, document, operation_name, data),
        error_codes=_error_codes(errors),
        request_id=context.request_id,
    )
    redacted = redact_operation(schema, document, query, variables)
    entry = replace(entry, variables=redacted.variables, document_hash=redacted.document_hash)
    try:
        await append_grouped(context.graph, entry)  # group commit: graph/audit_group.py
    except Exception as error:
        # Neo4j out of reach is expected now and then: one line; anything else: traceback.
        log.log(
            logging.WARNING if is_unavailable(error) else logging.ERROR,
            "audit append failed; refusing %s of %s (%s)%s",
            entry.operation_name or "an anonymous operation",
            entry.subject,
            entry.role,
            ": Neo4j unavailable" if is_unavailable(error) else "",
            exc_info=None if is_unavailable(error) else error,
        )
        raise ServiceUnavailable(AUDIT_FAILED_MESSAGE, reason="AUDIT_UNAVAILABLE") from error


class AuditTrail(SchemaExtension):
    """Appends one AuditEntry per executed operation of an authenticated principal."""

    async def on_operation(self) -> AsyncIterator[None]:
        started = datetime.now(UTC)
        yield
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, RequestContext):
            return
        result = execution.result
        await record_operation(
            context,
            execution.schema._schema,
            started=started,
            document=execution.graphql_document,
            query=execution.query,
            operation_name=execution.operation_name,
            variables=execution.variables,
            data=result.data if result is not None else None,
            errors=result.errors if result is not None else execution.pre_execution_errors,
        )
