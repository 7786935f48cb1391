"""Inboxes over GraphQL: `myInbox` for the calling office, `inbox(place:|department:)` for
supervisors (graph/inbox.py; the root fields sit on WorkflowQuery, schema/mutations.py)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from graph.cases import CaseLevel
from graph.inbox import Waiting, waiting_page
from resolvers import offices
from resolvers import places as resolve_places
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.pagination import checked_page_size
from resolvers.principal import Role
from schema.cases import Case, checked_assignee
from schema.relay import PageInfo, wants_items, wants_total

Context = Info[RequestContext, None]

PLACE_LEVELS = (CaseLevel.GRID, CaseLevel.COMMUNITY, CaseLevel.STREET, CaseLevel.DISTRICT)


@strawberry.enum(description="What a case in an inbox waits for.")
class InboxDuty(Enum):
    ACCEPT = "accept"  # 受理
    SIGN = "sign"  # 签收 (a department's work order)
    RESOLVE = "resolve"  # handle on site and resolve (办结)
    FOLLOW_UP = "follow_up"  # 回访 (a resolved case of the grid worker's grids)


@strawberry.type
class InboxEdge:
    cursor: str
    node: Case
    duty: InboxDuty = strawberry.field(description="What the case waits for from its holder.")
    due_at: datetime | None = strawberry.field(description="By when (null: nothing due).")


@strawberry.type(description="Cases waiting, most urgent deadline first (nothing due last).")
class InboxConnection:
    edges: list[InboxEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All waiting cases (counted in the database; null unless selected)."
    )


# An inbox changes as cases move on, so its cursors are positions in the deadline order
# (opaque to clients): `after` the n-th waiting case.
_CURSOR = "inbox:"
_MAX_OFFSET = 100_000


def inbox_cursor(offset: int) -> str:
    """The cursor of the case at this position."""
    return base64.urlsafe_b64encode(f"{_CURSOR}{offset}".encode()).decode()


def _offset_after(after: str | None) -> int:
    if after is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(after[:64].encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    digits = text.removeprefix(_CURSOR) if text.startswith(_CURSOR) else ""
    if not (digits.isdecimal() and int(digits) <= _MAX_OFFSET):
        raise BadUserInput(f"malformed inbox cursor {after[:100]!r}", argument="after")
    return int(digits) + 1


async def inbox_connection(
    info: Context, waiting: Waiting, first: int | None, after: str | None
) -> InboxConnection:
    """One page of an inbox, with the caller's row scope."""
    size, skip = checked_page_size(first), _offset_after(after)
    context = info.context
    found = await waiting_page(
        context.graph,
        waiting,
        skip,
        size + 1 if wants_items(info) else 0,
        wants_total(info),
        context.principal.scope_codes,
    )
    items = found.items[:size]
    page_info = PageInfo(
        has_next_page=len(found.items) > size,
        has_previous_page=skip > 0,
        start_cursor=inbox_cursor(skip) if items else None,
        end_cursor=inbox_cursor(skip + len(items) - 1) if items else None,
    )
    edges = [
        InboxEdge(
            cursor=inbox_cursor(skip + index),
            node=Case.from_row(item.node),
            duty=InboxDuty(item.edge["duty"]),
            due_at=item.node.get("dueAt"),
        )
        for index, item in enumerate(items)
    ]
    return InboxConnection(edges=edges, page_info=page_info, total_count=found.total)


def my_waiting(info: Context) -> Waiting:
    """What waits for the calling principal (nothing for roles that hold no cases)."""
    principal = info.context.principal
    level = offices.HOLDS.get(principal.role)
    holders = offices.holder_keys(principal)
    if level is None or holders is None:
        return Waiting((), ())
    follow_up = holders if principal.role is Role.GRID_WORKER else ()
    return Waiting(holders, (level.value,), follow_up)


async def supervised_waiting(info: Context, place: str | None, department: str | None) -> Waiting:
    """What waits at a place (held by it or a place under it) or at a department."""
    if (place is None) == (department is None):
        raise BadUserInput("give either place or department", argument="place")
    if department is not None:
        code = checked_assignee(department) or ""
        if not code[6:7].isalpha():
            raise BadUserInput(f"{code!r} is no department code", argument="department")
        return Waiting((code,), (CaseLevel.DEPARTMENT.value,))
    prefix = await resolve_places.checked_place_prefix(info.context, place)
    return Waiting((prefix,), tuple(level.value for level in PLACE_LEVELS))
