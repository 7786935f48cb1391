"""The audit log for admins: `auditLog(filter, first, after)`, newest first (docs/audit.md)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.audit import AuditPage, StoredRecord
from resolvers import audit
from resolvers.context import RequestContext
from resolvers.pagination import PageRequest
from schema.relay import PageInfo, page_info, wants_items, wants_total

Context = Info[RequestContext, None]


@strawberry.type(description="One audited request: who, why, what, how much and how it ended.")
class AuditRecord:
    seq: int = strawberry.field(description="Position in the hash chain, from 1.")
    at: datetime = strawberry.field(description="When the request started (UTC).")
    subject: str
    role: str
    credential: str = strawberry.field(description="jwt or api_key.")
    purpose: str | None = strawberry.field(description="The purpose the client stated.")
    operation_name: str | None
    document_hash: str | None = strawberry.field(description="sha256 of the GraphQL document.")
    variables: JSON = strawberry.field(description="The variables, personal data redacted.")
    records: int = strawberry.field(description="Rows read from the graph for the request.")
    outcome: str = strawberry.field(
        description='"ok", "error:" with the error codes, or "refused:" with the reason.'
    )
    prev_hash: str = strawberry.field(description="The hash of the record before (chain link).")
    hash: str = strawberry.field(description="sha256 of prevHash|seq|canonical body.")
    request_id: str | None = strawberry.field(
        description="The HTTP request's id (its X-Request-Id header); null on older records."
    )

    @classmethod
    def from_stored(cls, record: StoredRecord) -> AuditRecord:
        entry = record.entry
        return cls(
            seq=record.seq,
            at=entry.at,
            subject=entry.subject,
            role=entry.role,
            credential=entry.credential,
            purpose=entry.purpose,
            operation_name=entry.operation_name,
            document_hash=entry.document_hash,
            variables=cast(JSON, entry.variables),
            records=entry.records,
            outcome=entry.outcome,
            prev_hash=record.prev_hash,
            hash=record.hash,
            request_id=entry.request_id,
        )


@strawberry.input(description="Filters of the audit log; all given filters must hold.")
class AuditLogFilter:
    subject: str | None = None
    role: str | None = strawberry.field(default=None, description="e.g. `partner`.")
    outcome: str | None = strawberry.field(
        default=None, description="Outcome prefix: `ok`, `error`, `error:FORBIDDEN`, `refused`."
    )
    operation_name: str | None = None
    since: datetime | None = strawberry.field(
        default=None, description="At or after this time (no offset: China time)."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Before this time (no offset: China time)."
    )
    request_id: str | None = strawberry.field(
        default=None, description="The record of the HTTP request with this X-Request-Id."
    )


@strawberry.type
class AuditRecordEdge:
    cursor: str
    node: AuditRecord


@strawberry.type(description="A page of audit records, newest first.")
class AuditRecordConnection:
    edges: list[AuditRecordEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All matching records (counted in the database; null unless selected)."
    )


def audit_connection(request: PageRequest, page: AuditPage) -> AuditRecordConnection:
    """A connection from one page read with `request.limit` rows."""
    records = page.records[: request.first]
    edges = [
        AuditRecordEdge(cursor=request.cursor([record.seq]), node=AuditRecord.from_stored(record))
        for record in records
    ]
    keys = [[record.seq] for record in records]
    info = page_info(request, keys, len(page.records) > request.first)
    return AuditRecordConnection(edges=edges, page_info=info, total_count=page.total)


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit log, newest first; admins only (else FORBIDDEN).")
    async def audit_log(
        self,
        info: Context,
        filter: AuditLogFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AuditRecordConnection:
        given = filter or AuditLogFilter()
        audit.require_admin(info.context.principal)  # before looking at any argument
        where = audit.checked_filter(
            subject=given.subject,
            role=given.role,
            outcome_prefix=given.outcome,
            operation_name=given.operation_name,
            since=given.since,
            until=given.until,
            request_id=given.request_id,
        )
        request, page = await audit.audit_log(
            info.context, where, first, after, wants_items(info), wants_total(info)
        )
        return audit_connection(request, page)
