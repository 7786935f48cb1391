"""GraphQL type of buildings (楼栋/院落), the optional place level under a grid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graph import buildings, party, residents
from resolvers.context import RequestContext
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds, related
from schema.places import Grid
from schema.relay import Node, global_id

if TYPE_CHECKING:
    from schema.party import PartyOrganization
    from schema.persons import Person

Context = Info[RequestContext, None]
LazyPartyOrganization = Annotated["PartyOrganization", strawberry.lazy("schema.party")]
LazyPerson = Annotated["Person", strawberry.lazy("schema.persons")]


@builds(buildings.BUILDING)
@strawberry.type(description="A building (楼栋) or, in a village, a group of houses (组).")
class Building(Node):
    code: str = strawberry.field(description="The grid code + 3 digits.")
    name: str
    address: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Building:
        return cls(
            id=global_id("Building", row["code"]),
            code=row["code"],
            name=row["name"],
            address=row.get("address"),
        )

    @strawberry.field(description="The grid this building belongs to.")
    @relation(buildings.BUILDING_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.code))

    @strawberry.field(description="The building party group (楼院党小组) covering it, if any.")
    @relation(party.BUILDING_PARTY_ORGANIZATIONS, built=True)
    async def party_organizations(self, info: Context) -> list[LazyPartyOrganization]:
        return await related(info, self.code)

    @strawberry.field(description="The residents living in it now, by name.")
    @relation(residents.BUILDING_RESIDENTS, built=True)
    async def residents(self, info: Context) -> list[LazyPerson]:
        return await related(info, self.code)
