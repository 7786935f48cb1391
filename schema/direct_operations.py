"""Queries answered without Strawberry's per-request pipeline, when nothing in it would act.

A query the apps send again and again spends about a fifth of its CPU in the pipeline around
execution rather than in it: Strawberry's HTTP view, the execution context, a dozen schema
extensions each entered and left through context managers at four stages (operation,
parsing, validation, execution), for a document that was parsed and validated long ago
(schema/prepared_documents.py) and an answer without errors (docs/benchmarks.md, session 11).

`DirectOperations.answer` runs what of that pipeline depends on the request, and nothing
else, for one query:

- the document must be one the cache kept, i.e. one that passed parsing, the token bounds
  and every validation rule of this schema (depth, aliases, directives, introspection in
  production ...);
- the per-request checks run by the same functions as their extensions, in the same order:
  arguments' bounds (InputBounds), the cost budget with the variables (CostBudget), a
  partner's agreement (AgreementCheck); any refusal leaves the request to the pipeline,
  which reports it exactly as always;
- graphql-core executes it with the schema's own execution context class (plain leaves,
  direct answers), the same context, variables and root value as Strawberry passes;
- an answer without errors is recorded in the audit log by the function AuditTrail uses
  (`record_operation`) and sent as `{"data": ...}`, what Strawberry sends for it.

An answer with errors is not finished here: it is handed over (`HandedOver`), with its
result, to the pipeline, whose extensions classify, log, strip suggestions from and audit
the errors as for any other operation, without executing it again. So is an answer whose
audit record could not be written: the pipeline tries again, and refuses it as always if it
fails again.

A schema with an extension this module does not know (`_SKIPPED`) answers nothing here:
adding an extension means saying here why an operation answered directly may skip it.
The differential suite (tests/schema/test_compiled_reads.py) asks every document twice of
the app answering directly (the second time from the cache, so here) and compares both
answers, errors and status included, with an app that runs every request through the
pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from graphql import DocumentNode, ExecutionResult, OperationType, execute, get_operation_ast
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.http import GraphQLRequestData
from strawberry.schema import Schema

from resolvers.context import RequestContext
from resolvers.errors import ServiceUnavailable
from schema.agreement_check import AgreementCheck, agreement_refusal
from schema.audit_trail import AuditTrail, record_operation
from schema.cost import CostBudget, estimate_cost
from schema.error_codes import ErrorCodes
from schema.input_bounds import InputBounds, TokenBounds, argument_refusal
from schema.limits import EarlyValidation, HideSuggestions
from schema.prepared_documents import DocumentCache, PreparedDocuments


class HandedOver(SchemaExtension):
    """The pipeline's execution stage, for an operation answered directly with errors: its
    result is taken as is (`RequestContext.executed`) instead of executing it again. Must
    come before the extensions that refuse at that stage (they act only while there is no
    result; the direct path ran the same checks and they passed)."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        executed = getattr(context, "executed", None)
        if executed is not None and execution.result is None:
            execution.result = executed
        yield


# Why an operation answered directly may skip each extension of the pipeline.
_SKIPPED: dict[type[SchemaExtension], str] = {
    PreparedDocuments: "the document cache this path answers from",
    MaxTokensLimiter: "parsing: the cached documents passed it",
    TokenBounds: "parsing: the cached documents passed it",
    EarlyValidation: "validation: the cached documents passed it",
    AddValidationRules: "validation: the cached documents passed it",
    DisableIntrospection: "validation: the cached documents passed it",
    InputBounds: "run here (argument_refusal)",
    CostBudget: "run here (estimate_cost)",
    AgreementCheck: "run here (agreement_refusal)",
    AuditTrail: "run here (record_operation)",
    ErrorCodes: "rewrites errors: an answer with errors is handed over",
    HideSuggestions: "rewrites errors: an answer with errors is handed over",
    HandedOver: "the hand-over itself",
}


def _extension_class(extension: Any) -> Any:
    return extension.func if isinstance(extension, partial) else extension


def unknown_extensions(schema: Schema) -> list[str]:
    """The schema's extensions this module does not know (none: it may answer directly)."""
    found = [_extension_class(extension) for extension in schema.extensions]
    return [getattr(cls, "__name__", repr(cls)) for cls in found if cls not in _SKIPPED]


@dataclass(frozen=True)
class Answered:
    """The operation's data, without errors, audited: the response is `{"data": data}`."""

    data: dict[str, Any]


@dataclass(frozen=True)
class HandOver:
    """Executed, but for the pipeline to finish (errors, or an audit record not written)."""

    result: ExecutionResult


@dataclass(frozen=True)
class DirectOperations:
    """Answers a schema's queries directly (see the module docstring)."""

    schema: Schema
    documents: DocumentCache
    max_cost: int

    async def answer(
        self, context: RequestContext, request: GraphQLRequestData
    ) -> Answered | HandOver | None:
        """The request's answer, a result to hand over, or None: the pipeline runs it whole
        (a document not kept yet, not a query, refused by a check, request extensions)."""
        if request.extensions or not request.query:
            return None
        document = self.documents.get(request.query)
        if document is None:
            return None
        operation = get_operation_ast(document, request.operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        # The name as Strawberry's execution context gives it to graphql-core and to the
        # extensions: the one asked for, else the (only) operation's own.
        name = request.operation_name
        if name is None and operation.name is not None:
            name = operation.name.value
        schema = self.schema._schema
        variables = request.variables
        try:
            if not self._passes_checks(context, document, variables, name):
                return None
        except Exception:  # not expected: the pipeline runs the check again and reports it
            return None
        started = datetime.now(UTC)
        try:
            result = execute(
                schema,
                document,
                root_value=None,
                context_value=context,
                variable_values=variables,
                operation_name=name,
                is_awaitable=cast(Any, optimized_is_awaitable),  # Strawberry's, as it passes
                executor_class=self.schema.execution_context_class,
            )
            if not isinstance(result, ExecutionResult):
                result = await result
        except Exception:  # not expected: the pipeline runs it again and reports it
            return None
        # graphql-core's own `result.extensions` are not sent: Strawberry drops them too
        # (it answers with its extensions' results, and this schema's add none).
        if result.errors or not isinstance(result.data, dict):
            return HandOver(result)
        try:
            await record_operation(
                context,
                schema,
                started=started,
                document=document,
                query=request.query,
                operation_name=name,
                variables=variables,
                data=result.data,
                errors=None,
            )
        except ServiceUnavailable:
            return HandOver(result)
        return Answered(result.data)

    def _passes_checks(
        self,
        context: RequestContext,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        name: str | None,
    ) -> bool:
        """The pipeline's per-request refusals, in its order, by the extensions' functions."""
        schema = self.schema._schema
        if argument_refusal(schema, document, variables, name) is not None:
            return False  # InputBounds
        cost = estimate_cost(schema, document, variables, name)
        if cost is not None and cost > self.max_cost:
            return False  # CostBudget
        return agreement_refusal(schema, document, context) is None  # AgreementCheck


def use_direct_operations(schema: Schema, documents: DocumentCache, max_cost: int) -> None:
    """Let `schema` answer its cached queries directly (`schema.direct_operations`), unless
    it has an extension this module does not know."""
    known = not unknown_extensions(schema)
    schema.direct_operations = (  # type: ignore[attr-defined]
        DirectOperations(schema, documents, max_cost) if known else None
    )
