"""GraphQL types of the administrative tree (行政区划): district → street → community → grid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graph import persons, places
from resolvers import places as resolve
from resolvers.context import RequestContext
from schema.relay import Node, global_id

if TYPE_CHECKING:
    from schema.buildings import Building
    from schema.cases import CaseConnection, CaseFilter
    from schema.evaluations import GridWorkerEvaluation
    from schema.mediation import MediationCommittee
    from schema.party import PartyOrganization
    from schema.persons import Person, PersonConnection, PersonFilter
    from schema.volunteers import VolunteerTeam

Context = Info[RequestContext, None]
LazyPerson = Annotated["Person", strawberry.lazy("schema.persons")]
LazyPersonConnection = Annotated["PersonConnection", strawberry.lazy("schema.persons")]
LazyPersonFilter = Annotated["PersonFilter", strawberry.lazy("schema.persons")]
LazyCaseConnection = Annotated["CaseConnection", strawberry.lazy("schema.cases")]
LazyCaseFilter = Annotated["CaseFilter", strawberry.lazy("schema.cases")]
LazyBuilding = Annotated["Building", strawberry.lazy("schema.buildings")]
LazyEvaluation = Annotated["GridWorkerEvaluation", strawberry.lazy("schema.evaluations")]
LazyCommittee = Annotated["MediationCommittee", strawberry.lazy("schema.mediation")]
LazyPartyOrganization = Annotated["PartyOrganization", strawberry.lazy("schema.party")]
LazyVolunteerTeam = Annotated["VolunteerTeam", strawberry.lazy("schema.volunteers")]


@strawberry.interface(description="A place of the administrative tree, keyed by its code.")
class Place(Node):
    code: str
    name: str

    @strawberry.field(description="Residents of this place (all its grids), paginated.")
    async def residents(
        self,
        info: Context,
        filter: LazyPersonFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LazyPersonConnection:
        from schema.persons import residents_of_place

        return await residents_of_place(info, self.code, filter, first, after)

    @strawberry.field(description="Cases that occurred in this place (all its grids), paginated.")
    async def cases(
        self,
        info: Context,
        filter: LazyCaseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LazyCaseConnection:
        from schema.cases import cases_of_place

        return await cases_of_place(info, self.code, filter, first, after)


@strawberry.type(description="A grid (网格), the smallest unit of community governance.")
class Grid(Place):
    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Grid:
        return cls(id=global_id("Grid", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The community or village this grid belongs to.")
    async def community(self, info: Context) -> Community:
        [row] = await resolve.related(info.context, places.GRID_COMMUNITY, self.code)
        return Community.from_row(row)

    @strawberry.field(description="The grid worker (网格员) of this grid.")
    async def grid_worker(self, info: Context) -> LazyPerson | None:
        from schema.persons import Person

        found = await info.context.loaders.neighbours(persons.GRID_WORKERS, self.code)
        return Person.from_row(found[0].node) if found else None

    @strawberry.field(
        description="Professional members (专业网格员) supporting this grid (包保), by name."
    )
    async def professional_members(self, info: Context) -> list[LazyPerson]:
        from schema.departments import supporters_of_grid

        return await supporters_of_grid(info, self.code)

    @strawberry.field(description="The party organisation covering this grid: branch or group.")
    async def party_organizations(self, info: Context) -> list[LazyPartyOrganization]:
        from schema.party import organizations_of_grid

        return await organizations_of_grid(info, self.code)

    @strawberry.field(
        description="Mediation committees covering this grid or its community, street, district."
    )
    async def mediation_committees(self, info: Context) -> list[LazyCommittee]:
        from schema.mediation import committees_of_grid

        return await committees_of_grid(info, self.code)

    @strawberry.field(description="The volunteer team (志愿服务队) serving this grid.")
    async def volunteer_team(self, info: Context) -> LazyVolunteerTeam | None:
        from schema.volunteers import team_of_grid

        return await team_of_grid(info, self.code)

    @strawberry.field(description="The buildings (楼栋/院落) of this grid, by code.")
    async def buildings(self, info: Context) -> list[LazyBuilding]:
        from schema.buildings import buildings_of_grid

        return await buildings_of_grid(info, self.code)

    @strawberry.field(description="Evaluations of this grid's worker, newest quarter first.")
    async def evaluations(
        self,
        info: Context,
        quarter: Annotated[str | None, strawberry.argument(description="e.g. 2024Q3")] = None,
    ) -> list[LazyEvaluation]:
        from schema.evaluations import evaluations_of_grid

        return await evaluations_of_grid(info, self.code, quarter)


@strawberry.type(description="A village or residents' community (村/社区).")
class Community(Place):
    kind: str | None = strawberry.field(description="社区 (urban) or 村 (village).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Community:
        return cls(
            id=global_id("Community", row["code"]),
            code=row["code"],
            name=row["name"],
            kind=row.get("kind"),
        )

    @strawberry.field(description="The grids of this community, by code.")
    async def grids(self, info: Context) -> list[Grid]:
        rows = await resolve.related(info.context, places.COMMUNITY_GRIDS, self.code)
        return [Grid.from_row(row) for row in rows]

    @strawberry.field(description="The street or town this community belongs to.")
    async def street(self, info: Context) -> Street:
        [row] = await resolve.related(info.context, places.COMMUNITY_STREET, self.code)
        return Street.from_row(row)


@strawberry.type(description="A sub-district street (街道) or town (镇).")
class Street(Place):
    kind: str | None = strawberry.field(description="街道 (street) or 镇 (town).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Street:
        return cls(
            id=global_id("Street", row["code"]),
            code=row["code"],
            name=row["name"],
            kind=row.get("kind"),
        )

    @strawberry.field(description="The communities and villages of this street, by code.")
    async def communities(self, info: Context) -> list[Community]:
        rows = await resolve.related(info.context, places.STREET_COMMUNITIES, self.code)
        return [Community.from_row(row) for row in rows]

    @strawberry.field(description="The district this street belongs to.")
    async def district(self, info: Context) -> District:
        [row] = await resolve.related(info.context, places.STREET_DISTRICT, self.code)
        return District.from_row(row)


@strawberry.type(description="A county-level district (区), e.g. Rencheng 370811.")
class District(Place):
    @classmethod
    def from_row(cls, row: dict[str, Any]) -> District:
        return cls(id=global_id("District", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The streets and towns of this district, by code.")
    async def streets(self, info: Context) -> list[Street]:
        rows = await resolve.related(info.context, places.DISTRICT_STREETS, self.code)
        return [Street.from_row(row) for row in rows]


PLACE_TYPES: dict[str, type[District] | type[Street] | type[Community] | type[Grid]] = {
    "District": District,
    "Street": Street,
    "Community": Community,
    "Grid": Grid,
}


def place_from_row(row: dict[str, Any]) -> District | Street | Community | Grid:
    """The place type named by the row's `label` (rows of a NodeSpec with `with_label`)."""
    return PLACE_TYPES[row["label"]].from_row(row)
