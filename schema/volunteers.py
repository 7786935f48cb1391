"""GraphQL types of grid volunteer teams (网格志愿服务队伍), with credit points and stars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graph import volunteer_activities, volunteers
from graph.traversal import Neighbour
from resolvers.context import RequestContext
from resolvers.reads import first_node, neighbours, page
from resolvers.relations import Shape, relation
from schema.builders import builds, builds_neighbour, related_page
from schema.persons import Person
from schema.places import Grid
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

if TYPE_CHECKING:
    from schema.volunteer_activities import VolunteerActivityConnection

Context = Info[RequestContext, None]
LazyActivityConnection = Annotated[
    "VolunteerActivityConnection", strawberry.lazy("schema.volunteer_activities")
]


@builds(volunteers.VOLUNTEER_TEAM)
@strawberry.type(description="A grid's volunteer team (志愿服务队), one per grid.")
class VolunteerTeam(Node):
    code: str = strawberry.field(description="'VT' + the grid code.")
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> VolunteerTeam:
        return cls(id=global_id("VolunteerTeam", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The grid it serves.")
    @relation(volunteers.TEAM_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.code))

    @strawberry.field(description="Its volunteers, most credit points first.")
    @relation(volunteers.TEAM_VOLUNTEERS, Shape.PAGE)
    async def volunteers(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> VolunteerConnection:
        request, found = await page(info, self.code, first, after)
        items, info_ = page_slice(request, found)
        edges = [
            VolunteerEdge(
                request=request,
                keys=n.keys,
                node=Person.from_row(n.node),
                points=n.edge["points"],
                stars=n.edge["stars"],
            )
            for n in items
        ]
        return VolunteerConnection(edges=edges, page_info=info_, total_count=found.total)

    @strawberry.field(description="Its activities (志愿服务活动), latest first.")
    @relation(volunteer_activities.TEAM_ACTIVITIES, Shape.PAGE, built=True)
    async def activities(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> LazyActivityConnection:
        connection: LazyActivityConnection = await related_page(info, self.code, first, after)
        return connection


@strawberry.type
class VolunteerEdge(Edge):
    node: Person
    points: int = strawberry.field(description="Credit points (信用积分) earned in the team.")
    stars: int = strawberry.field(description="Star rating, 1-5.")


@strawberry.type(description="A page of a team's volunteers.")
class VolunteerConnection:
    edges: list[VolunteerEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All its volunteers (counted in the database; null unless selected)."
    )


@strawberry.type(description="A person's place in a volunteer team.")
class TeamMembership:
    points: int = strawberry.field(description="Credit points (信用积分) earned in the team.")
    stars: int = strawberry.field(description="Star rating, 1-5.")
    team: VolunteerTeam


@builds_neighbour(volunteers.PERSON_TEAMS)
def team_membership(found: Neighbour) -> TeamMembership:
    """A person's place in a team: the team reached, points and stars on the edge."""
    return TeamMembership(
        points=found.edge["points"],
        stars=found.edge["stars"],
        team=VolunteerTeam.from_row(found.node),
    )
