"""Inboxes over GraphQL: `myInbox` for the calling office, `inbox(place:|department:)` for
supervisors (graph/inbox.py; the root fields sit on WorkflowQuery, schema/mutations.py)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from graph.cases import CaseLevel
from graph.inbox import ORDER, Waiting, waiting_page
from resolvers import offices
from resolvers import places as resolve_places
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.pagination import list_identity, page_request
from resolvers.principal import Role
from schema.cases import Case, checked_assignee
from schema.key_persons import MeasureConnection, overdue_measures
from schema.relay import PageInfo, page_info, wants_items, wants_total

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
    # Where key-person measures wait too ('' : the caller's scope; None: no grid's inbox).
    measures_at: strawberry.Private[str | None] = None

    @strawberry.field(
        description="Key-person measures (重点人员措施) past due in the grids this inbox covers,"
        " most overdue first (empty for inboxes of no grid: departments, offices' own)."
    )
    async def overdue_measures(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> MeasureConnection:
        if self.measures_at is None:
            return MeasureConnection(edges=[], page_info=EMPTY_PAGE, total_count=0)
        return await overdue_measures(info, self.measures_at or None, None, first, after)


async def inbox_connection(
    info: Context, waiting: Waiting, first: int | None, after: str | None
) -> InboxConnection:
    """One page of an inbox, with the caller's row scope; keyset cursors (graph/keyset.py)
    bound to this inbox."""
    request = page_request(first, after, list_identity("inbox", waiting.params()), ORDER)
    context = info.context
    found = await waiting_page(
        context.graph,
        waiting,
        request.after,
        request.limit if wants_items(info) else 0,
        wants_total(info),
        context.principal.scope_codes,
    )
    items = found.items[: request.first]
    info_ = page_info(request, [item.keys for item in items], len(found.items) > request.first)
    edges = [
        InboxEdge(
            cursor=request.cursor(item.keys),
            node=Case.from_row(item.node),
            duty=InboxDuty(item.edge["duty"]),
            due_at=item.node.get("dueAt"),
        )
        for item in items
    ]
    return InboxConnection(
        edges=edges, page_info=info_, total_count=found.total, measures_at=_measures_at(waiting)
    )


EMPTY_PAGE = PageInfo(
    has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
)


def _measures_at(waiting: Waiting) -> str | None:
    """A grid worker's inbox holds the overdue measures of their grids ('' : their scope); a
    place's inbox those under the place; other inboxes none."""
    if waiting.follow_up:
        return ""
    if CaseLevel.GRID.value in waiting.levels and len(waiting.holders) == 1:
        return waiting.holders[0]
    return None


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
