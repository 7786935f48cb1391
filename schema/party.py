"""GraphQL types of party organisations (党组织): the tree, what each covers, who belongs."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import party
from graph.party import PartyLevel as GraphPartyLevel
from graph.party import PartyRole as GraphPartyRole
from resolvers.context import RequestContext
from schema.buildings import Building
from schema.persons import Person
from schema.places import Community, District, Grid, Street, place_from_row
from schema.relay import Node, PageInfo, global_id, page_slice, read_page

Context = Info[RequestContext, None]

strawberry.enum(
    GraphPartyLevel,
    name="PartyLevel",
    description="Street committee → community committee → grid branch or group → building group.",
)
strawberry.enum(
    GraphPartyRole,
    name="PartyRole",
    description="How a person relates to a party organisation: member, secretary, instructor.",
)
PartyLevel = GraphPartyLevel
PartyRole = GraphPartyRole

CoveredPlace = Annotated[
    District | Street | Community | Grid | Building,
    strawberry.union("CoveredPlace", description="The place a party organisation serves."),
]


@strawberry.type(description="A party organisation (党组织) at one of five levels.")
class PartyOrganization(Node):
    code: str = strawberry.field(description="'PO' + the code of the place it covers.")
    name: str
    level: PartyLevel

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PartyOrganization:
        return cls(
            id=global_id("PartyOrganization", row["code"]),
            code=row["code"],
            name=row["name"],
            level=GraphPartyLevel(row["level"]),
        )

    @strawberry.field(description="The organisation this one is under (null at street level).")
    async def parent(self, info: Context) -> PartyOrganization | None:
        found = await info.context.loaders.neighbours(party.PARTY_PARENT, self.code)
        return PartyOrganization.from_row(found[0].node) if found else None

    @strawberry.field(description="The organisations under this one, by code.")
    async def children(self, info: Context) -> list[PartyOrganization]:
        found = await info.context.loaders.neighbours(party.PARTY_CHILDREN, self.code)
        return [PartyOrganization.from_row(n.node) for n in found]

    @strawberry.field(description="The street, community, grid or building it serves.")
    async def covered_place(self, info: Context) -> CoveredPlace | None:
        found = await info.context.loaders.neighbours(party.PARTY_COVERS, self.code)
        if not found:
            return None
        row = found[0].node
        return Building.from_row(row) if row["label"] == "Building" else place_from_row(row)

    @strawberry.field(description="Its direct members (not those of organisations under it).")
    async def members(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> PartyMemberConnection:
        request, page = await read_page(info, party.PARTY_MEMBERS, self.code, first, after)
        items, info_ = page_slice(request, page)
        edges = [
            PartyMemberEdge(
                cursor=request.cursor(i), node=Person.from_row(n.node), since=n.edge.get("since")
            )
            for i, n in enumerate(items)
        ]
        return PartyMemberConnection(edges=edges, page_info=info_, total_count=page.total)

    @strawberry.field(description="Its secretaries (书记).")
    async def secretaries(self, info: Context) -> list[Person]:
        found = await info.context.loaders.neighbours(party.PARTY_SECRETARIES, self.code)
        return [Person.from_row(n.node) for n in found]

    @strawberry.field(description="Its party-building instructors (党建工作指导员).")
    async def instructors(self, info: Context) -> list[Person]:
        found = await info.context.loaders.neighbours(party.PARTY_INSTRUCTORS, self.code)
        return [Person.from_row(n.node) for n in found]


@strawberry.type
class PartyMemberEdge:
    cursor: str
    node: Person
    since: date | None = strawberry.field(description="Member of this organisation since.")


@strawberry.type(description="A page of an organisation's members.")
class PartyMemberConnection:
    edges: list[PartyMemberEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All its members (counted in the database; null unless selected)."
    )


@strawberry.type(description="A person's tie to a party organisation, with its role and date.")
class PartyMembership:
    role: PartyRole
    since: date | None
    organization: PartyOrganization


async def memberships_of(info: Context, person_id: str) -> list[PartyMembership]:
    """A person's memberships, secretaryships and instructor posts, by organisation code."""
    found = await info.context.loaders.neighbours(party.PERSON_PARTY_LINKS, person_id)
    return [
        PartyMembership(
            role=GraphPartyRole(n.edge["role"]),
            since=n.edge.get("since"),
            organization=PartyOrganization.from_row(n.node),
        )
        for n in found
    ]


async def households_looked_after_by(info: Context, person_id: str) -> list[Person]:
    """The household heads a party member looks after as central household (党员中心户)."""
    found = await info.context.loaders.neighbours(party.CENTRAL_HOUSEHOLD_FOR, person_id)
    return [Person.from_row(n.node) for n in found]


async def central_households_of(info: Context, person_id: str) -> list[Person]:
    """The party members who look after this household head as central households."""
    found = await info.context.loaders.neighbours(party.CENTRAL_HOUSEHOLDS_OF, person_id)
    return [Person.from_row(n.node) for n in found]


async def organizations_of_grid(info: Context, grid_code: str) -> list[PartyOrganization]:
    """The party organisations covering a grid (its branch or group)."""
    found = await info.context.loaders.neighbours(party.GRID_PARTY_ORGANIZATIONS, grid_code)
    return [PartyOrganization.from_row(n.node) for n in found]


async def organizations_of_building(info: Context, code: str) -> list[PartyOrganization]:
    """The party organisations covering a building (its building group)."""
    found = await info.context.loaders.neighbours(party.BUILDING_PARTY_ORGANIZATIONS, code)
    return [PartyOrganization.from_row(n.node) for n in found]
