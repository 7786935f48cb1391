"""Reading the audit log (admins only) and turning an executed operation into an audit entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from graph.audit import REDACTED, AuditEntry, AuditFilter, AuditPage, audit_page, outcome_of
from graph.audit import document_hash as hash_document
from graph.china_time import CHINA_TIME
from graph.personal_data import replace_identifier_shapes
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Forbidden
from resolvers.pagination import PageRequest, list_identity, page_request
from resolvers.principal import Principal, Role
from resolvers.redaction import redact_variables
from resolvers.time_range import checked_moment

ROLE_NAMES = frozenset(role.value for role in Role)
AUDIT_ORDER = "r.seq DESC"  # the audit log's order: newest first; cursors carry `seq`
# What the permanent log keeps of the client's free text (longer values are cut, marked
# with their length); variables are bounded in resolvers/redaction.py.
MAX_AUDIT_OPERATION_NAME = 100
MAX_AUDIT_PURPOSE = 200


def clipped(text: str | None, limit: int) -> str | None:
    """`text` with identifier shapes replaced (before cutting: a cut must not leave most of a
    number behind), then, when over `limit` characters, cut to `limit` characters ending in
    a marker of its length ("…[1000000 characters]")."""
    if text is None:
        return None
    text = replace_identifier_shapes(text, REDACTED)
    if len(text) <= limit:
        return text
    marker = f"…[{len(text)} characters]"
    return text[: max(limit - len(marker), 0)] + marker


def require_admin(principal: Principal) -> None:
    """FORBIDDEN unless the principal is an admin."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("only admins may read the audit log", field="auditLog")


def _aware(moment: datetime | None) -> datetime | None:
    """A time without an offset is read as China time, like every other time of the API."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=CHINA_TIME)


def checked_filter(
    subject: str | None = None,
    role: str | None = None,
    outcome_prefix: str | None = None,
    operation_name: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    request_id: str | None = None,
) -> AuditFilter:
    """An AuditFilter from the GraphQL arguments, or BAD_USER_INPUT."""
    if role is not None and role not in ROLE_NAMES:
        raise BadUserInput(
            f"unknown role {role!r} (one of {', '.join(sorted(ROLE_NAMES))})",
            argument="filter.role",
        )
    start = _aware(checked_moment(since, "filter.since"))
    end = _aware(checked_moment(until, "filter.until"))
    if start is not None and end is not None and end <= start:
        raise BadUserInput("until must be after since", argument="filter")
    return AuditFilter(subject, role, outcome_prefix, operation_name, start, end, request_id)


async def audit_log(
    context: RequestContext,
    where: AuditFilter,
    first: int | None,
    after: str | None,
    with_items: bool,
    with_total: bool,
) -> tuple[PageRequest, AuditPage]:
    """One page of the audit log, newest first (one Cypher query); admins only."""
    require_admin(context.principal)
    request = page_request(first, after, list_identity("audit", where.params()), AUDIT_ORDER)
    after_seq = None if request.after is None else request.after[0]
    if after_seq is not None and not isinstance(after_seq, int):
        raise BadUserInput("malformed cursor", argument="after")
    limit = request.limit if with_items else 0
    page = await audit_page(context.graph, where, after_seq, limit, with_total)
    return request, page


def audit_entry(
    principal: Principal,
    at: datetime,
    operation_name: str | None,
    query: str | None,
    variables: Mapping[str, Any] | None,
    records: int,
    error_codes: Iterable[str],
    request_id: str | None = None,
) -> AuditEntry:
    """The audit entry of one executed operation (variables redacted and bounded here, the
    purpose and operation name bounded: see `clipped`); `request_id` is the HTTP request's."""
    return AuditEntry(
        at=at,
        subject=principal.subject,
        role=principal.role.value,
        credential=principal.credential.value,
        purpose=clipped(principal.purpose, MAX_AUDIT_PURPOSE),
        operation_name=clipped(operation_name, MAX_AUDIT_OPERATION_NAME),
        document_hash=hash_document(query),
        variables=redact_variables(variables),
        records=records,
        outcome=outcome_of(error_codes),
        request_id=request_id,
    )


def refused_entry(
    principal: Principal,
    at: datetime,
    reason: str,
    operation_name: str | None = None,
    query: str | None = None,
    variables: Mapping[str, Any] | None = None,
    count: int = 1,
    request_id: str | None = None,
) -> AuditEntry:
    """The audit entry of `count` requests refused before they ran (outcome "refused:REASON")."""
    entry = audit_entry(principal, at, operation_name, query, variables, 0, (), request_id)
    return replace(entry, outcome=f"refused:{reason}", count=count)
