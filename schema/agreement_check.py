"""Refuse, before anything is read, a partner's selection of a field its agreement lacks.

Runs per request on the parsed document (not as a validation rule: validation results are
cached per document across principals). Every field of every operation and fragment is
checked against the partner's agreement (resolvers/agreements.py); any field outside it
gives one FORBIDDEN error naming all such fields, and the operation does not execute.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension

from resolvers.agreements import Agreement
from resolvers.context import RequestContext
from resolvers.errors import Forbidden
from resolvers.principal import Role


class _OutsideAgreement(Visitor):
    def __init__(self, type_info: TypeInfo, agreement: Agreement) -> None:
        super().__init__()
        self.type_info = type_info
        self.agreement = agreement
        self.refused: list[str] = []

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        if parent is None:
            return
        name = f"{parent.name}.{node.name.value}"
        if not self.agreement.allows(parent.name, node.name.value) and name not in self.refused:
            self.refused.append(name)


def agreement_refusal(
    schema: GraphQLSchema, document: DocumentNode, context: object
) -> Forbidden | None:
    """The FORBIDDEN error a partner gets for this document (None for anyone else, and for a
    partner whose agreement covers every field it selects)."""
    if not isinstance(context, RequestContext) or context.principal.role is not Role.PARTNER:
        return None
    agreement = context.agreement
    if agreement is None:
        return Forbidden("This partner has no data-sharing agreement.")
    type_info = TypeInfo(schema)
    outside = _OutsideAgreement(type_info, agreement)
    visit(document, TypeInfoVisitor(type_info, outside))
    if not outside.refused:
        return None
    fields = ", ".join(outside.refused)
    return Forbidden(
        f"Outside the agreement {agreement.name!r}: {fields}.",
        fields=outside.refused,
        agreement=agreement.name,
    )


class AgreementCheck(SchemaExtension):
    """Partners may select only the types and fields of their agreement."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None:
            refusal = agreement_refusal(execution.schema._schema, document, execution.context)
            if refusal is not None:
                execution.result = ExecutionResult(data=None, errors=[refusal])
        yield
