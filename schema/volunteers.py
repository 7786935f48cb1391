"""GraphQL types of grid volunteer teams (网格志愿服务队伍), with credit points and stars."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import volunteers
from resolvers.context import RequestContext
from schema.persons import Person
from schema.places import Grid
from schema.relay import Node, PageInfo, global_id, page_slice, read_page

Context = Info[RequestContext, None]


@strawberry.type(description="A grid's volunteer team (志愿服务队), one per grid.")
class VolunteerTeam(Node):
    code: str = strawberry.field(description="'VT' + the grid code.")
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> VolunteerTeam:
        return cls(id=global_id("VolunteerTeam", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The grid it serves.")
    async def grid(self, info: Context) -> Grid | None:
        found = await info.context.loaders.neighbours(volunteers.TEAM_GRID, self.code)
        return Grid.from_row(found[0].node) if found else None

    @strawberry.field(description="Its volunteers, most credit points first.")
    async def volunteers(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> VolunteerConnection:
        request, page = await read_page(info, volunteers.TEAM_VOLUNTEERS, self.code, first, after)
        items, info_ = page_slice(request, page)
        edges = [
            VolunteerEdge(
                cursor=request.cursor(i),
                node=Person.from_row(n.node),
                points=n.edge["points"],
                stars=n.edge["stars"],
            )
            for i, n in enumerate(items)
        ]
        return VolunteerConnection(edges=edges, page_info=info_, total_count=page.total)


@strawberry.type
class VolunteerEdge:
    cursor: str
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


async def teams_of(info: Context, person_id: str) -> list[TeamMembership]:
    """The volunteer teams a person serves in, with points and stars."""
    found = await info.context.loaders.neighbours(volunteers.PERSON_TEAMS, person_id)
    return [
        TeamMembership(
            points=n.edge["points"], stars=n.edge["stars"], team=VolunteerTeam.from_row(n.node)
        )
        for n in found
    ]


async def team_of_grid(info: Context, grid_code: str) -> VolunteerTeam | None:
    """The volunteer team serving a grid, if any."""
    found = await info.context.loaders.neighbours(volunteers.GRID_TEAMS, grid_code)
    return VolunteerTeam.from_row(found[0].node) if found else None
