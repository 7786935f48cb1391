"""Record every authenticated GraphQL operation in the audit log, after it ran (fail closed).

The development-mode anonymous developer is not audited: only authenticated requests are.
When the audit record cannot be written, the client gets no data: the operation fails with
SERVICE_UNAVAILABLE (an answer nobody can account for is worse than no answer). A mutation
has committed by then; its client sees the failure and the write has no audit record, which
the server log reports with the subject and operation.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.audit import append_audit_entry
from graph.client import current_round_trips
from resolvers.audit import audit_entry
from resolvers.context import RequestContext
from resolvers.errors import ServiceUnavailable
from resolvers.principal import Credential
from schema.error_codes import classify

log = logging.getLogger("gridgraph.audit")

AUDIT_FAILED_MESSAGE = "The audit log cannot be written, so the request was not served."


def _error_codes(errors: list[GraphQLError] | None) -> list[str]:
    """The `extensions.code` of each error as the client sees it (classified like ErrorCodes)."""
    codes = []
    for error in errors or []:
        code = (classify(error).extensions or {}).get("code")
        codes.append(str(code) if code else "INTERNAL_SERVER_ERROR")
    return codes


class AuditTrail(SchemaExtension):
    """Appends one AuditEntry per executed operation of an authenticated principal."""

    async def on_operation(self) -> AsyncIterator[None]:
        started = datetime.now(UTC)
        yield
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, RequestContext):
            return
        principal = context.principal
        if principal.credential is Credential.ANONYMOUS:
            return
        result = execution.result
        errors = result.errors if result is not None else execution.pre_execution_errors
        trips = current_round_trips()
        entry = audit_entry(
            principal,
            at=started,
            operation_name=execution.operation_name,
            query=execution.query,
            variables=execution.variables,
            records=trips.records if trips is not None else 0,
            error_codes=_error_codes(errors),
        )
        try:
            await append_audit_entry(context.graph, entry)
        except Exception as error:
            log.exception(
                "audit append failed; refusing %s of %s (%s)",
                entry.operation_name or "an anonymous operation",
                entry.subject,
                entry.role,
            )
            raise ServiceUnavailable(AUDIT_FAILED_MESSAGE, reason="AUDIT_UNAVAILABLE") from error
