"""Volunteer activities (网格志愿服务活动) over GraphQL: the type, a team's page of them, and
recordVolunteerActivity, which credits points (信用积分) and stars by policy.toml's rule."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import volunteer_activities
from graph.traversal import Neighbour, NeighbourPage
from graph.volunteer_activities import ActivityRecord
from resolvers import volunteer_activities as resolve
from resolvers.context import RequestContext
from resolvers.pagination import PageRequest
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from resolvers.volunteer_activities import ActivityArguments
from schema.builders import builds, builds_neighbour, builds_page, related
from schema.persons import Person
from schema.places import Grid
from schema.relay import Edge, Node, PageInfo, global_id, page_slice
from schema.volunteers import VolunteerTeam

Context = Info[RequestContext, None]


@strawberry.type(description="A volunteer's part in an activity and the points it earned.")
class ActivityParticipant:
    person: Person
    hours: float
    points: int = strawberry.field(description="Credit points earned (policy.toml rule).")


@builds_neighbour(volunteer_activities.ACTIVITY_PARTICIPANTS)
def activity_participant(found: Neighbour) -> ActivityParticipant:
    """A participant: the person reached, hours and points on TOOK_PART."""
    return ActivityParticipant(
        person=Person.from_row(found.node),
        hours=found.edge["hours"],
        points=found.edge["points"],
    )


@builds(volunteer_activities.VOLUNTEER_ACTIVITY)
@strawberry.type(description="A volunteer activity of a grid's team (义诊、帮扶、文体活动 ...).")
class VolunteerActivity(Node):
    activity_id: str
    kind: str = strawberry.field(description="A kind of policy.toml [volunteer_credit].")
    title: str
    at: datetime
    hours: float = strawberry.field(description="Volunteer hours, all participants together.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> VolunteerActivity:
        return cls(
            id=global_id("VolunteerActivity", row["id"]),
            activity_id=row["id"],
            kind=row["kind"],
            title=row["title"],
            at=row["at"],
            hours=row["hours"],
        )

    @strawberry.field(description="The team that held it.")
    @relation(volunteer_activities.ACTIVITY_TEAM, Shape.ONE)
    async def team(self, info: Context) -> VolunteerTeam | None:
        return first_node(VolunteerTeam.from_row, await neighbours(info, self.activity_id))

    @strawberry.field(description="The grid it served.")
    @relation(volunteer_activities.ACTIVITY_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.activity_id))

    @strawberry.field(description="Who took part, by name, with hours and points.")
    @relation(volunteer_activities.ACTIVITY_PARTICIPANTS, node_path=("person",), built=True)
    async def participants(self, info: Context) -> list[ActivityParticipant]:
        return await related(info, self.activity_id)


@strawberry.type
class VolunteerActivityEdge(Edge):
    node: VolunteerActivity


@strawberry.type(description="A page of volunteer activities, latest first.")
class VolunteerActivityConnection:
    edges: list[VolunteerActivityEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All of them (counted in the database; null unless selected)."
    )


@builds_page(volunteer_activities.VOLUNTEER_ACTIVITY)
def activity_connection(request: PageRequest, page: NeighbourPage) -> VolunteerActivityConnection:
    """A connection from one page of activities."""
    items, info = page_slice(request, page)
    edges = [
        VolunteerActivityEdge(request=request, keys=i.keys, node=VolunteerActivity.from_row(i.node))
        for i in items
    ]
    return VolunteerActivityConnection(edges=edges, page_info=info, total_count=page.total)


@strawberry.input(description="A participant of an activity and their hours.")
class ParticipantInput:
    person: str = strawberry.field(description="A volunteer of the team (person id).")
    hours: float = strawberry.field(description="More than 0, at most policy's max_hours.")


@strawberry.input(description="A volunteer activity to record.")
class RecordVolunteerActivityInput:
    team: str = strawberry.field(description="The team's code: 'VT' + the grid code.")
    kind: str = strawberry.field(description="e.g. free_clinic, assistance, culture_sports.")
    title: str
    participants: list[ParticipantInput]
    at: datetime | None = strawberry.field(
        default=None, description="When it took place (not in the future); default now."
    )


@strawberry.type(description="What one participant earned, and their total afterwards.")
class VolunteerCredit:
    person_id: str
    hours: float
    points: int = strawberry.field(description="Points earned by this activity.")
    total_points: int = strawberry.field(description="Their credit points in the team now.")
    stars: int = strawberry.field(description="Their stars now (policy.toml thresholds).")


@strawberry.type(description="What recordVolunteerActivity did.")
class VolunteerActivityPayload:
    activity_id: str
    credits: list[VolunteerCredit]
    replayed: bool

    @classmethod
    def of(cls, record: ActivityRecord) -> VolunteerActivityPayload:
        credits = [
            VolunteerCredit(
                person_id=c.person_id,
                hours=c.hours,
                points=c.points,
                total_points=c.total,
                stars=c.stars,
            )
            for c in record.credits
        ]
        return cls(activity_id=record.activity_id, credits=credits, replayed=record.replayed)


IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(description="A key unique to this call: a retry returns the first result."),
]


@strawberry.type
class VolunteerActivityMutation:
    @strawberry.mutation(
        description="Record a volunteer activity of a grid's team; every participant earns"
        " credit points by policy.toml's rule (a local assumption) and their stars follow."
        " Grid workers for their grid's team, community and street officers in their places,"
        " admins."
    )
    async def record_volunteer_activity(
        self,
        info: Context,
        input: RecordVolunteerActivityInput,
        idempotency_key: IdempotencyKey = None,
    ) -> VolunteerActivityPayload:
        given = ActivityArguments(
            team=input.team,
            kind=input.kind,
            title=input.title,
            participants=tuple((p.person, p.hours) for p in input.participants),
            at=input.at,
        )
        return VolunteerActivityPayload.of(
            await resolve.record(info.context, given, idempotency_key)
        )
