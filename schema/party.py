"""GraphQL types of party organisations (党组织): the tree, what each covers, who belongs."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import party
from graph.party import PartyLevel as GraphPartyLevel
from graph.party import PartyRole as GraphPartyRole
from graph.traversal import Neighbour
from resolvers.context import RequestContext
from resolvers.reads import first_node, neighbours, page
from resolvers.relations import Shape, relation
from schema.builders import builds, builds_neighbour
from schema.buildings import Building
from schema.persons import Person
from schema.places import Community, District, Grid, Street, place_from_row
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

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


@builds(party.PARTY_ORGANIZATION)
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
    @relation(party.PARTY_PARENT, Shape.ONE)
    async def parent(self, info: Context) -> PartyOrganization | None:
        return first_node(PartyOrganization.from_row, await neighbours(info, self.code))

    @strawberry.field(description="The organisations under this one, by code.")
    @relation(party.PARTY_CHILDREN)
    async def children(self, info: Context) -> list[PartyOrganization]:
        return [PartyOrganization.from_row(n.node) for n in await neighbours(info, self.code)]

    @strawberry.field(description="The street, community, grid or building it serves.")
    @relation(party.PARTY_COVERS, Shape.ONE)
    async def covered_place(self, info: Context) -> CoveredPlace | None:
        return first_node(covered_place_from_row, await neighbours(info, self.code))

    @strawberry.field(description="Its direct members (not those of organisations under it).")
    @relation(party.PARTY_MEMBERS, Shape.PAGE)
    async def members(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> PartyMemberConnection:
        request, found = await page(info, self.code, first, after)
        items, info_ = page_slice(request, found)
        edges = [
            PartyMemberEdge(
                request=request,
                keys=n.keys,
                node=Person.from_row(n.node),
                since=n.edge.get("since"),
            )
            for n in items
        ]
        return PartyMemberConnection(edges=edges, page_info=info_, total_count=found.total)

    @strawberry.field(description="Its secretaries (书记).")
    @relation(party.PARTY_SECRETARIES)
    async def secretaries(self, info: Context) -> list[Person]:
        return [Person.from_row(n.node) for n in await neighbours(info, self.code)]

    @strawberry.field(description="Its party-building instructors (党建工作指导员).")
    @relation(party.PARTY_INSTRUCTORS)
    async def instructors(self, info: Context) -> list[Person]:
        return [Person.from_row(n.node) for n in await neighbours(info, self.code)]


def covered_place_from_row(row: dict[str, Any]) -> District | Street | Community | Grid | Building:
    """The place or building a row of graph.party.COVERED_PLACE is (by its `label`)."""
    return Building.from_row(row) if row["label"] == "Building" else place_from_row(row)


@strawberry.type
class PartyMemberEdge(Edge):
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


@builds_neighbour(party.PERSON_PARTY_LINKS)
def party_membership(found: Neighbour) -> PartyMembership:
    """A person's tie: the organisation reached, role and date on the edge."""
    return PartyMembership(
        role=PartyRole(found.edge["role"]),
        since=found.edge.get("since"),
        organization=PartyOrganization.from_row(found.node),
    )
