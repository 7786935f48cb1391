"""Patrol and home-visit logs (梳篦式巡查、入户走访) over GraphQL: the Visit type, its
mutations (recordVisit, correctVisit) and the scorecard's visit columns."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import visits
from graph.china_time import start_of_day
from graph.traversal import NeighbourPage
from graph.visit_commands import VisitRecord
from graph.visits import VisitKind as GraphVisitKind
from resolvers import visits as resolve
from resolvers.context import RequestContext
from resolvers.pagination import PageRequest
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from resolvers.visits import HazardDraft, VisitArguments
from schema.builders import builds, builds_page
from schema.buildings import Building
from schema.cases import Case
from schema.persons import Person
from schema.places import Grid
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

Context = Info[RequestContext, None]


@strawberry.enum(description="What kind of walk a visit log records.")
class VisitKind(Enum):
    PATROL = strawberry.enum_value("patrol", description="梳篦式巡查: the grid walked through.")
    HOME_VISIT = strawberry.enum_value("home_visit", description="入户走访: a household called on.")


@builds(visits.VISIT)
@strawberry.type(description="A patrol or home visit (巡查/入户走访) logged in a grid.")
class Visit(Node):
    visit_id: str
    kind: VisitKind
    at: datetime = strawberry.field(description="When the visit began.")
    duration_minutes: int
    notes: str | None
    version: int = strawberry.field(description="Goes up with each correction (expectedVersion).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Visit:
        return cls(
            id=global_id("Visit", row["id"]),
            visit_id=row["id"],
            kind=VisitKind(row["kind"]),
            at=row["at"],
            duration_minutes=row["durationMinutes"],
            notes=row.get("notes"),
            version=row.get("version") or 1,
        )

    @strawberry.field(description="The grid walked.")
    @relation(visits.VISIT_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.visit_id))

    @strawberry.field(description="Who walked it (the grid worker, usually).")
    @relation(visits.VISIT_VISITOR, Shape.ONE)
    async def visitor(self, info: Context) -> Person | None:
        return first_node(Person.from_row, await neighbours(info, self.visit_id))

    @strawberry.field(description="The building visited, if one.")
    @relation(visits.VISIT_BUILDING, Shape.ONE)
    async def building(self, info: Context) -> Building | None:
        return first_node(Building.from_row, await neighbours(info, self.visit_id))

    @strawberry.field(description="The persons called on, by name.")
    @relation(visits.VISIT_PERSONS)
    async def visited(self, info: Context) -> list[Person]:
        return [Person.from_row(n.node) for n in await neighbours(info, self.visit_id)]

    @strawberry.field(description="The case the hazard (隐患) found on this visit became.")
    @relation(visits.VISIT_HAZARD, Shape.ONE)
    async def hazard_case(self, info: Context) -> Case | None:
        return first_node(Case.from_row, await neighbours(info, self.visit_id))


@strawberry.type
class VisitEdge(Edge):
    node: Visit


@strawberry.type(description="A page of visits, latest first.")
class VisitConnection:
    edges: list[VisitEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All visits (counted in the database; null unless selected)."
    )


@builds_page(visits.VISIT)
def visit_connection(request: PageRequest, page: NeighbourPage) -> VisitConnection:
    """A connection from one page of visits."""
    items, info = page_slice(request, page)
    edges = [VisitEdge(request=request, keys=i.keys, node=Visit.from_row(i.node)) for i in items]
    return VisitConnection(edges=edges, page_info=info, total_count=page.total)


@strawberry.input(description="A hazard (隐患) found on the visit: filed as a case (reportCase).")
class HazardInput:
    category: str = strawberry.field(description="A case category, e.g. `safety_hazard`.")
    severity: str
    title: str
    description: str | None = None
    ten_no_item: str | None = strawberry.field(default=None, description="TN01..TN10 breached.")


@strawberry.input(description="A patrol or home visit to log.")
class RecordVisitInput:
    grid: str = strawberry.field(description="The 15-digit code of the grid walked.")
    kind: VisitKind
    duration_minutes: int = strawberry.field(description="1 to 1440.")
    at: datetime | None = strawberry.field(
        default=None, description="When it began (not in the future); default now."
    )
    visitor: str | None = strawberry.field(
        default=None,
        description="Who walked it; only for a principal that is no person (a grid worker"
        " records as themselves).",
    )
    building: str | None = strawberry.field(default=None, description="A building of the grid.")
    visited: list[str] = strawberry.field(
        default_factory=list, description="Ids of the persons called on."
    )
    notes: str | None = None
    hazard: HazardInput | None = None


@strawberry.type(description="What recordVisit or correctVisit did.")
class VisitPayload:
    visit_id: str
    version: int
    hazard_case_code: str | None = strawberry.field(
        description="The case filed for the hazard found, if any."
    )
    replayed: bool = strawberry.field(
        description="True when a retry with the same idempotencyKey got the first result."
    )

    @classmethod
    def of(cls, record: VisitRecord) -> VisitPayload:
        return cls(
            visit_id=record.visit_id,
            version=record.version,
            hazard_case_code=record.hazard_case_code,
            replayed=record.replayed,
        )


IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(description="A key unique to this call: a retry returns the first result."),
]


@strawberry.type
class VisitMutation:
    @strawberry.mutation(
        description="Log a patrol or home visit (巡查/入户走访); a hazard found is filed as a"
        " case linked to it, in the same transaction. Grid workers in their grids, community"
        " and street officers in their places, admins."
    )
    async def record_visit(
        self, info: Context, input: RecordVisitInput, idempotency_key: IdempotencyKey = None
    ) -> VisitPayload:
        hazard = input.hazard
        given = VisitArguments(
            grid=input.grid,
            kind=GraphVisitKind(str(input.kind.value)),
            duration_minutes=input.duration_minutes,
            at=input.at,
            visitor=input.visitor,
            building=input.building,
            visited=tuple(input.visited),
            notes=input.notes,
            hazard=HazardDraft(
                hazard.category,
                hazard.severity,
                hazard.title,
                hazard.description,
                hazard.ten_no_item,
            )
            if hazard
            else None,
        )
        return VisitPayload.of(await resolve.record(info.context, given, idempotency_key))

    @strawberry.mutation(
        description="Correct a visit's notes and duration; CONFLICT when it changed since"
        " `expectedVersion`."
    )
    async def correct_visit(
        self,
        info: Context,
        id: str,
        duration_minutes: int,
        notes: str | None = None,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> VisitPayload:
        done = await resolve.correct(
            info.context, id, notes, duration_minutes, expected_version, idempotency_key
        )
        return VisitPayload.of(done)


@strawberry.type(description="Patrols, home visits and the hazards they found, for a scorecard.")
class VisitScorecard:
    visit_count: int = strawberry.field(description="Patrols and home visits in the period.")
    home_visit_count: int
    household_count: int = strawberry.field(
        description="Households living in the place now (heads of household and persons alone)."
    )
    visits_per_household_per_month: float | None = strawberry.field(
        description="homeVisitCount / householdCount / months of the period; null without"
        " households."
    )
    hazards_found: int = strawberry.field(description="Hazards found on the period's visits.")
    hazards_resolved: int = strawberry.field(description="Of those, resolved or closed since.")
    mean_hours_found_to_resolved: float | None = strawberry.field(
        description="Mean hours from the visit to the case's first resolution; null when none."
    )


def visit_scorecard_of(counts: dict[str, Any], months: int) -> VisitScorecard:
    """The visit columns from graph/visits.visit_scorecard's counts."""
    households, resolved = counts["households"] or 0, counts["resolved"] or 0
    per_household = None
    if households:
        per_household = round(counts["homeVisits"] / households / months, 4)
    mean_hours = None
    if resolved:
        mean_hours = round(counts["secondsToResolve"] / resolved / 3600, 2)
    return VisitScorecard(
        visit_count=counts["visits"] or 0,
        home_visit_count=counts["homeVisits"] or 0,
        household_count=households,
        visits_per_household_per_month=per_household,
        hazards_found=counts["hazards"] or 0,
        hazards_resolved=resolved,
        mean_hours_found_to_resolved=mean_hours,
    )


MONTHS = {"month": 1, "quarter": 3, "year": 12}  # a scorecard's periodKind


async def scorecard_visits(
    info: Context, place_code: str, start: date, before: date, period_kind: str
) -> VisitScorecard:
    """The visit columns of a scorecard of `place_code` over the days [start, before)."""
    bounds = (start_of_day(start), start_of_day(before))
    counts = await resolve.scorecard_counts(info.context, place_code, *bounds)
    return visit_scorecard_of(counts, MONTHS[period_kind])
