"""GraphQL types of departments (职能部门, 民生服务单位) and their professional grid members."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from graph import departments
from graph.departments import DepartmentKind as GraphDepartmentKind
from resolvers.context import RequestContext
from resolvers.filters import work_order_params
from resolvers.reads import page
from resolvers.relations import Shape, relation
from resolvers.time_range import checked_day_start
from schema.builders import builds
from schema.cases import Case, CaseStatus
from schema.persons import PersonConnection, person_connection
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

Context = Info[RequestContext, None]

strawberry.enum(
    GraphDepartmentKind,
    name="DepartmentKind",
    description="A functional department or a livelihood service unit (water, power, gas ...).",
)
DepartmentKind = GraphDepartmentKind


@builds(departments.DEPARTMENT)
@strawberry.type(
    description="A functional department (职能部门) or livelihood service unit (民生服务单位)."
)
class Department(Node):
    code: str
    name: str
    kind: DepartmentKind

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Department:
        return cls(
            id=global_id("Department", row["code"]),
            code=row["code"],
            name=row["name"],
            kind=GraphDepartmentKind(row["kind"]),
        )

    @strawberry.field(description="Its professional grid members (专业网格员), by name.")
    @relation(departments.DEPARTMENT_MEMBERS, Shape.PAGE)
    async def members(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> PersonConnection:
        return person_connection(*await page(info, self.code, first, after))

    @strawberry.field(
        description="Its work orders (工单), newest dispatch first; `status` filters on the"
        " case's status (e.g. DISPATCHED: waiting to be signed for)."
    )
    @relation(
        departments.WORK_ORDERS,
        Shape.PAGE,
        params=work_order_params,
        item_reads=("currentLevel", "assignee", "workOrderDueAt"),  # _work_order
    )
    async def work_orders(
        self,
        info: Context,
        status: CaseStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> WorkOrderConnection:
        request, found = await page(info, self.code, first, after, status=status)
        items, page_info = page_slice(request, found)
        edges = [
            WorkOrderEdge(
                request=request,
                keys=n.keys,
                node=Case.from_row(n.node),
                work_order=_work_order(self.code, n.node, n.edge),
            )
            for n in items
        ]
        return WorkOrderConnection(edges=edges, page_info=page_info, total_count=found.total)

    @strawberry.field(
        description="Response of its professional members to whistles (吹哨报到): calls,"
        " acknowledged, on time, response time; `since` a day (China time) or all."
    )
    async def whistle_response(self, info: Context, since: date | None = None) -> WhistleResponse:
        start = checked_day_start(since, "since")
        scope = info.context.principal.scope_codes
        row = await departments.whistle_response(info.context.graph, self.code, start, scope)
        return WhistleResponse.from_row(row)


@strawberry.type(description="A work order (工单) the hotline centre dispatched to a department.")
class WorkOrder:
    number: str = strawberry.field(description="The case code and the department's suffix.")
    department_code: str
    dispatched_at: datetime = strawberry.field(description="The latest dispatch (派单).")
    signed_at: datetime | None = strawberry.field(description="Signed for (签收) since then.")
    returned_at: datetime | None = strawberry.field(description="Returned (退回) since then.")
    extended_at: datetime | None = strawberry.field(description="Latest extension (延期).")
    resolved_at: datetime | None = strawberry.field(description="Resolved (办结) since then.")
    due_at: datetime | None = strawberry.field(
        description="Its deadline (Case.workOrderDueAt) while the department holds it."
    )
    current: bool = strawberry.field(description="The department holds the case now.")


@strawberry.type
class WorkOrderEdge(Edge):
    node: Case = strawberry.field(description="The case of the work order.")
    work_order: WorkOrder


@strawberry.type(description="A page of a department's work orders, newest dispatch first.")
class WorkOrderConnection:
    edges: list[WorkOrderEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All matching work orders (counted in the database; null unless selected)."
    )


def _work_order(department: str, case: dict[str, Any], edge: dict[str, Any]) -> WorkOrder:
    current = case.get("currentLevel") == "department" and case.get("assignee") == department
    return WorkOrder(
        number=f"{case['code']}-{department[6:]}",
        department_code=department,
        dispatched_at=edge["dispatchedAt"],
        signed_at=edge.get("signedAt"),
        returned_at=edge.get("returnedAt"),
        extended_at=edge.get("extendedAt"),
        resolved_at=edge.get("resolvedAt"),
        due_at=case.get("workOrderDueAt") if current else None,
        current=current,
    )


@strawberry.type(
    description="How a department's professional members answered whistles (吹哨报到), over"
    " the cases the caller may see."
)
class WhistleResponse:
    called: int = strawberry.field(description="Calls of its members.")
    cases: int = strawberry.field(description="Cases they were called to.")
    acknowledged: int = strawberry.field(description="Calls acknowledged (报到).")
    acknowledged_on_time: int
    arrived_on_time: int = strawberry.field(description="On site (到场) by the deadline.")
    recorded: int = strawberry.field(description="Calls whose work was recorded.")
    mean_acknowledge_minutes: float | None = strawberry.field(
        description="Mean minutes from call to acknowledgement (response time)."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WhistleResponse:
        """From a row of graph/departments.py or graph/whistle_response.py."""
        return cls(
            called=row["called"],
            cases=row["cases"],
            acknowledged=row["acknowledged"],
            acknowledged_on_time=row["acknowledgedOnTime"],
            arrived_on_time=row["arrivedOnTime"],
            recorded=row["recorded"],
            mean_acknowledge_minutes=row["meanAcknowledgeMinutes"],
        )


async def all_departments(info: Context) -> list[Department]:
    """Every department and service unit, by code (a small, bounded set)."""
    rows = await info.context.loaders.every(departments.DEPARTMENT)
    return [Department.from_row(row) for row in rows]
