"""GraphQL types of cases ("one case, one code"): parties, grid, handlers, escalations, timeline."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.types import Info

from graph import cases
from graph.case_workflow import CaseStatus as WorkflowStatus
from graph.case_workflow import Duty
from graph.cases import CaseLevel as GraphCaseLevel
from graph.cases import CaseOrder as GraphCaseOrder
from graph.cases import CasePartyRole as GraphPartyRole
from graph.china_time import CHINA_TIME
from graph.traversal import Neighbour, NeighbourPage
from resolvers import places as resolve_places
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.pagination import PageRequest
from resolvers.projection import projected
from resolvers.reads import neighbours, page
from resolvers.relations import Shape, relation
from resolvers.time_range import checked_day_start, checked_moment
from resolvers.vocabulary import Vocabulary, checked_code
from schema.builders import builds_neighbour, builds_page, related, related_one
from schema.persons import Person
from schema.places import Grid
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

Context = Info[RequestContext, None]

# The graph's enums, exposed under their GraphQL names (strawberry.enum registers in place).
strawberry.enum(WorkflowStatus, name="CaseStatus", description="Where a case is in its workflow.")
strawberry.enum(GraphCaseLevel, name="CaseLevel", description="A level of the handling hierarchy.")
strawberry.enum(GraphPartyRole, name="CasePartyRole", description="A person's part in a case.")
# What an open case waits for (Case.dueFor, and the overdue list of schema/mutations.py).
strawberry.enum(
    Duty, name="CaseDuty", description="What an open case waits for until its deadline."
)
CaseStatus = WorkflowStatus
CaseLevel = GraphCaseLevel
CasePartyRole = GraphPartyRole


@strawberry.enum(description="Sort orders of case lists (on indexed keys).")
class CaseOrder(Enum):
    REPORTED_AT_DESC = "REPORTED_AT_DESC"
    REPORTED_AT_ASC = "REPORTED_AT_ASC"
    CODE = "CODE"

    @property
    def cypher(self) -> str:
        return GraphCaseOrder[self.value].value


@strawberry.input(description="Filters of case lists; all given filters must hold.")
class CaseFilter:
    kind: str | None = strawberry.field(default=None, description="e.g. `dispute`.")
    category: str | None = strawberry.field(default=None, description="e.g. `neighbour`.")
    status: CaseStatus | None = None
    open: bool | None = strawberry.field(
        default=None, description="true: not yet resolved or closed; false: resolved or closed."
    )
    severity: str | None = None
    channel: str | None = None
    resolved_at_level: CaseLevel | None = None
    reported_from: date | None = strawberry.field(
        default=None, description="Reported on or after this day (China time)."
    )
    reported_before: date | None = strawberry.field(
        default=None, description="Reported before this day (China time)."
    )
    current_level: CaseLevel | None = strawberry.field(
        default=None, description="Held at this level now (Case.currentLevel)."
    )
    assignee: str | None = strawberry.field(
        default=None,
        description="Held by this place or department now (Case.assignee: a place code or a"
        " department code).",
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="true: its pending deadline (dueAt) has passed; false: it has not, or"
        " nothing is due.",
    )
    due_before: datetime | None = strawberry.field(
        default=None, description="Its pending deadline (dueAt) is before this moment."
    )

    def params(self) -> dict[str, Any]:
        """Query parameters of graph.cases.CASE_FILTERS."""
        reported_from = checked_day_start(self.reported_from, "filter.reportedFrom")
        reported_before = checked_day_start(self.reported_before, "filter.reportedBefore")
        if reported_from and reported_before and reported_before <= reported_from:
            raise BadUserInput("reportedBefore must be after reportedFrom", argument="filter")
        return {
            "kind": checked_code(self.kind, Vocabulary.CASE_KIND, "filter.kind"),
            "category": checked_code(self.category, Vocabulary.CASE_CATEGORY, "filter.category"),
            "status": self.status.value if self.status else None,
            "open": self.open,
            "severity": checked_code(self.severity, Vocabulary.SEVERITY, "filter.severity"),
            "channel": checked_code(self.channel, Vocabulary.CHANNEL, "filter.channel"),
            "resolvedAtLevel": self.resolved_at_level.value if self.resolved_at_level else None,
            "reportedFrom": reported_from,
            "reportedBefore": reported_before,
            "currentLevel": self.current_level.value if self.current_level else None,
            "assignee": checked_assignee(self.assignee),
            "overdue": self.overdue,
            "overdueAt": None if self.overdue is None else datetime.now(CHINA_TIME),
            "dueBefore": checked_moment(self.due_before, "filter.dueBefore"),
        }


NO_CASE_FILTER = CaseFilter()

_ASSIGNEE = re.compile(r"\d{6}(\d{3}){0,3}|\d{6}[DL]\d{2}")  # a place or department code


def checked_assignee(code: str | None) -> str | None:
    """A place or department code (BAD_USER_INPUT otherwise), or None."""
    if code is not None and not _ASSIGNEE.fullmatch(code):
        raise BadUserInput(f"{code[:40]!r} is no place or department code", argument="assignee")
    return code


@projected(cases.CASE)
@strawberry.type(description="A dispute, appeal, hazard or incident, or a hotline work order.")
class Case(Node):
    code: str
    title: str
    description: str | None
    kind: str
    category: str
    severity: str
    status: CaseStatus
    channel: str
    reported_at: datetime
    closed_at: datetime | None
    resolved_at_level: CaseLevel | None
    satisfaction: int | None = strawberry.field(description="1-5 from the follow-up visit.")
    ten_no_item: str | None = strawberry.field(description="The ten-no (十无) item it breaches.")
    version: int = strawberry.field(
        description="How many workflow mutations the case has been through (0: none); send it"
        " as `expectedVersion` to change the case only if nobody else has since."
    )
    due_at: datetime | None = strawberry.field(
        description="When what the case waits for (`dueFor`) is due; null once resolved."
    )
    due_for: Duty | None = strawberry.field(
        description="What the open case waits for until `dueAt` (吹哨报到 deadlines)."
    )
    current_level: CaseLevel | None = strawberry.field(
        description="The level holding the case now: grid, community, street, district (the"
        " hotline centre) or department (null only for imported cases without a timeline)."
    )
    assignee: str | None = strawberry.field(
        description="Who holds it now: the code of its grid, community, street or district"
        " (hotline centre), or of the department holding its work order."
    )
    work_order_due_at: datetime | None = strawberry.field(
        description="The deadline of its work order (set on dispatch, moved by an extension)."
    )
    mediation_outcome: str | None = strawberry.field(
        description="How its mediation ended (MediationOutcome value), if recorded."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Case:
        level = row.get("resolvedAtLevel")
        due_for = row.get("dueFor")
        # None only in a row projected without it (resolvers/projection.py): not selected.
        status = cast(WorkflowStatus, row["status"] and WorkflowStatus(row["status"]))
        return cls(
            id=global_id("Case", row["code"]),
            code=row["code"],
            title=row["title"],
            description=row.get("description"),
            kind=row["kind"],
            category=row["category"],
            severity=row["severity"],
            status=status,
            channel=row["channel"],
            reported_at=row["reportedAt"],
            closed_at=row.get("closedAt"),
            resolved_at_level=GraphCaseLevel(level) if level else None,
            satisfaction=row.get("satisfaction"),
            ten_no_item=row.get("tenNoItem"),
            version=row.get("version") or 0,
            due_at=row.get("dueAt"),
            due_for=Duty(due_for) if due_for else None,
            current_level=GraphCaseLevel(current) if (current := row.get("currentLevel")) else None,
            assignee=row.get("assignee"),
            work_order_due_at=row.get("workOrderDueAt"),
            mediation_outcome=row.get("mediationOutcome"),
        )

    @strawberry.field(
        description="The grid the case occurred in; null for a 12345 case the hotline centre"
        " filed at the district without a grid."
    )
    @relation(cases.CASE_GRID, Shape.ONE, built=True)
    async def grid(self, info: Context) -> Grid | None:
        grid: Grid | None = await related_one(info, self.code)
        return grid

    @strawberry.field(description="Who reported the case.")
    @relation(cases.CASE_REPORTER, Shape.ONE, built=True)
    async def reporter(self, info: Context) -> Person | None:
        reporter: Person | None = await related_one(info, self.code)
        return reporter

    @strawberry.field(description="The parties, with their roles.")
    @relation(cases.CASE_PARTIES, node_path=("person",), built=True)
    async def parties(self, info: Context) -> list[CaseParty]:
        return await related(info, self.code)

    @strawberry.field(description="The timeline, in order.")
    @relation(cases.CASE_TIMELINE, node_path=None, built=True)
    async def timeline(self, info: Context) -> list[CaseEvent]:
        return await related(info, self.code)

    @strawberry.field(description="Escalations up the hierarchy, oldest first.")
    @relation(cases.CASE_ESCALATIONS, node_path=None)
    async def escalations(self, info: Context) -> list[Escalation]:
        found = await neighbours(info, self.code)
        return [
            Escalation(
                level=GraphCaseLevel(n.edge["level"]),
                at=n.edge["at"],
                reason=n.edge.get("reason"),
                target_code=n.node["code"],
                target_name=n.node["name"],
                target_type=n.node["label"],
            )
            for n in found
        ]

    @strawberry.field(description="Who handled the case: persons, committees, departments.")
    @relation(cases.CASE_HANDLERS, node_path=None)
    async def handlers(self, info: Context) -> list[CaseHandler]:
        found = await neighbours(info, self.code)
        return [
            CaseHandler(
                role=n.edge["role"],
                at=n.edge.get("at"),
                handler_type=n.node["label"],
                key=n.edge["key"],
                name=n.node["name"],
            )
            for n in found
        ]

    @strawberry.field(
        description="Professional grid members called in by a whistle (吹哨报到), in call"
        " order, with their deadlines and steps."
    )
    @relation(cases.CASE_WHISTLES, node_path=("member",))
    async def whistles(self, info: Context) -> list[Whistle]:
        found = await neighbours(info, self.code)
        return [Whistle.of(Person.from_row(n.node), n.edge) for n in found]

    @strawberry.field(description="Cases related to this one, with the reason.")
    @relation(cases.RELATED_CASES, node_path=("case",))
    async def related_cases(self, info: Context) -> list[RelatedCase]:
        found = await neighbours(info, self.code)
        return [RelatedCase(reason=n.edge.get("reason"), case=Case.from_row(n.node)) for n in found]


@strawberry.type(description="A person's part in a case.")
class CaseParty:
    role: CasePartyRole
    person: Person


@builds_neighbour(cases.CASE_PARTIES)
def case_party(found: Neighbour) -> CaseParty:
    """A party of a case: the person and their role (the edge's)."""
    return CaseParty(role=GraphPartyRole(found.edge["role"]), person=Person.from_row(found.node))


@strawberry.type(description="One step of a case's timeline.")
class CaseEvent:
    event_id: str
    seq: int
    at: datetime
    action: str
    status: str = strawberry.field(description="The case status after this event.")
    level: str | None = strawberry.field(description="Who handles the case after this event.")
    note: str | None
    actor_id: str | None = strawberry.field(description="A person id, place or department code.")

    @classmethod
    def from_row(cls, row: dict[str, Any], edge: dict[str, Any]) -> CaseEvent:
        return cls(
            event_id=row["id"],
            seq=row["seq"],
            at=row["at"],
            action=row["action"],
            status=row["status"],
            level=row.get("level"),
            note=row.get("note"),
            actor_id=edge.get("actorId"),
        )


@builds_neighbour(cases.CASE_TIMELINE)
def case_event(found: Neighbour) -> CaseEvent:
    """One step of a case's timeline, from the event node and its edge."""
    return CaseEvent.from_row(found.node, found.edge)


@strawberry.type(description="One escalation (上报) or dispatch of a case.")
class Escalation:
    level: CaseLevel
    at: datetime
    reason: str | None
    target_code: str
    target_name: str
    target_type: str = strawberry.field(description="Community, Street, District or Department.")


@strawberry.type(description="A person, mediation committee or department that handled a case.")
class CaseHandler:
    role: str
    at: datetime | None
    handler_type: str = strawberry.field(description="Person, MediationCommittee or Department.")
    key: str = strawberry.field(description="The person id or the committee/department code.")
    name: str


@strawberry.type(description="A professional member called in on a case (吹哨) and their report.")
class Whistle:
    member: Person
    called_at: datetime
    reason: str | None
    acknowledge_due_at: datetime = strawberry.field(description="报到 (acknowledge) by then.")
    arrive_due_at: datetime = strawberry.field(description="On site (到场) by then.")
    record_due_at: datetime = strawberry.field(description="What was done recorded by then.")
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    recorded_at: datetime | None
    work: str | None = strawberry.field(description="What the member recorded having done.")

    @classmethod
    def of(cls, member: Person, edge: dict[str, Any]) -> Whistle:
        return cls(
            member=member,
            called_at=edge["at"],
            reason=edge.get("reason"),
            acknowledge_due_at=edge["acknowledgeDueAt"],
            arrive_due_at=edge["arriveDueAt"],
            record_due_at=edge["recordDueAt"],
            acknowledged_at=edge.get("acknowledgedAt"),
            arrived_at=edge.get("arrivedAt"),
            recorded_at=edge.get("recordedAt"),
            work=edge.get("work"),
        )


@strawberry.type(description="A related case and why it is related.")
class RelatedCase:
    reason: str | None
    case: Case


@strawberry.type
class CaseEdge(Edge):
    node: Case
    role: CasePartyRole | None = strawberry.field(
        description="On Person.cases: the person's role in the case."
    )


@strawberry.type(description="A page of cases.")
class CaseConnection:
    edges: list[CaseEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All matching cases (counted in the database; null unless selected)."
    )


@builds_page(cases.CASE)
def case_connection(request: PageRequest, page: NeighbourPage) -> CaseConnection:
    """A connection from one page read with `request.limit` rows."""
    items, info = page_slice(request, page)
    edges = [
        CaseEdge(
            request=request,
            keys=item.keys,
            node=Case.from_row(item.node),
            role=GraphPartyRole(item.edge["role"]) if item.edge.get("role") else None,
        )
        for item in items
    ]
    return CaseConnection(edges=edges, page_info=info, total_count=page.total)


async def cases_anywhere(
    info: Context,
    place: str | None,
    filter: CaseFilter | None,
    first: int | None,
    after: str | None,
    order_by: CaseOrder,
) -> CaseConnection:
    """Cases of a place at any level (or everywhere), validating the place code."""
    prefix = await resolve_places.checked_place_prefix(info.context, place)
    found = await page(info, prefix, first, after, filter=filter, order_by=order_by)
    return case_connection(*found)
