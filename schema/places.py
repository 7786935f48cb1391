"""GraphQL types of the administrative tree (行政区划): district → street → community → grid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graph import (
    buildings,
    cases,
    deliberation,
    departments,
    evaluations,
    fengqiao,
    grid_elements,
    mediation,
    party,
    party_households,
    persons,
    places,
    visits,
    volunteers,
)
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.filters import (
    case_filter_params,
    case_order,
    persons_filter_params,
    quarter_params,
    year_params,
)
from resolvers.reads import neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds, related, related_one, related_page
from schema.relay import Node, global_id

if TYPE_CHECKING:
    from schema.buildings import Building
    from schema.cases import CaseConnection, CaseFilter
    from schema.deliberation import DeliberationConnection
    from schema.evaluations import GridWorkerEvaluation
    from schema.fengqiao import FengqiaoDecision
    from schema.grid_elements import GridElementState
    from schema.mediation import MediationCommittee
    from schema.party import PartyOrganization
    from schema.party_households import HouseholdContactConnection
    from schema.persons import Person, PersonConnection, PersonFilter
    from schema.visits import VisitConnection
    from schema.volunteers import VolunteerTeam

Context = Info[RequestContext, None]
LazyPerson = Annotated["Person", strawberry.lazy("schema.persons")]
LazyPersonConnection = Annotated["PersonConnection", strawberry.lazy("schema.persons")]
LazyPersonFilter = Annotated["PersonFilter", strawberry.lazy("schema.persons")]
LazyCaseConnection = Annotated["CaseConnection", strawberry.lazy("schema.cases")]
LazyCaseFilter = Annotated["CaseFilter", strawberry.lazy("schema.cases")]
LazyBuilding = Annotated["Building", strawberry.lazy("schema.buildings")]
LazyElementState = Annotated["GridElementState", strawberry.lazy("schema.grid_elements")]
LazyEvaluation = Annotated["GridWorkerEvaluation", strawberry.lazy("schema.evaluations")]
LazyFengqiaoDecision = Annotated["FengqiaoDecision", strawberry.lazy("schema.fengqiao")]
LazyCommittee = Annotated["MediationCommittee", strawberry.lazy("schema.mediation")]
LazyPartyOrganization = Annotated["PartyOrganization", strawberry.lazy("schema.party")]
LazyVolunteerTeam = Annotated["VolunteerTeam", strawberry.lazy("schema.volunteers")]
LazyVisitConnection = Annotated["VisitConnection", strawberry.lazy("schema.visits")]
LazyContactConnection = Annotated[
    "HouseholdContactConnection", strawberry.lazy("schema.party_households")
]
LazyDeliberationConnection = Annotated[
    "DeliberationConnection", strawberry.lazy("schema.deliberation")
]


@strawberry.interface(description="A place of the administrative tree, keyed by its code.")
class Place(Node):
    code: str
    name: str

    @strawberry.field(description="Residents of this place (all its grids), paginated.")
    @relation(persons.RESIDENTS_IN_PLACE, Shape.PAGE, params=persons_filter_params, built=True)
    async def residents(
        self,
        info: Context,
        filter: LazyPersonFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LazyPersonConnection:
        connection: LazyPersonConnection = await related_page(
            info, self.code, first, after, filter=filter
        )
        return connection

    @strawberry.field(description="Cases that occurred in this place (all its grids), paginated.")
    @relation(
        cases.CASES_IN_PLACE, Shape.PAGE, params=case_filter_params, order=case_order, built=True
    )
    async def cases(
        self,
        info: Context,
        filter: LazyCaseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LazyCaseConnection:
        connection: LazyCaseConnection = await related_page(
            info, self.code, first, after, filter=filter
        )
        return connection


@builds(places.GRID)
@strawberry.type(description="A grid (网格), the smallest unit of community governance.")
class Grid(Place):
    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Grid:
        return cls(id=global_id("Grid", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The community or village this grid belongs to.")
    @relation(places.GRID_COMMUNITY, Shape.ONE)
    async def community(self, info: Context) -> Community:
        [found] = await neighbours(info, self.code)
        return Community.from_row(found.node)

    @strawberry.field(description="The grid worker (网格员) of this grid.")
    @relation(persons.GRID_WORKERS, Shape.ONE, built=True)
    async def grid_worker(self, info: Context) -> LazyPerson | None:
        worker: LazyPerson | None = await related_one(info, self.code)
        return worker

    @strawberry.field(
        description="Professional members (专业网格员) supporting this grid (包保), by name."
    )
    @relation(departments.GRID_SUPPORTERS, built=True)
    async def professional_members(self, info: Context) -> list[LazyPerson]:
        return await related(info, self.code)

    @strawberry.field(description="The party organisation covering this grid: branch or group.")
    @relation(party.GRID_PARTY_ORGANIZATIONS, built=True)
    async def party_organizations(self, info: Context) -> list[LazyPartyOrganization]:
        return await related(info, self.code)

    @strawberry.field(
        description="Mediation committees covering this grid or its community, street, district."
    )
    @relation(mediation.GRID_COMMITTEES, built=True)
    async def mediation_committees(self, info: Context) -> list[LazyCommittee]:
        return await related(info, self.code)

    @strawberry.field(description="The volunteer team (志愿服务队) serving this grid.")
    @relation(volunteers.GRID_TEAMS, Shape.ONE, built=True)
    async def volunteer_team(self, info: Context) -> LazyVolunteerTeam | None:
        team: LazyVolunteerTeam | None = await related_one(info, self.code)
        return team

    @strawberry.field(
        description="When each of the six elements (六大要素) was last updated (monthly upkeep);"
        " an element never updated is missing."
    )
    @relation(grid_elements.GRID_ELEMENTS, built=True)
    async def elements_updated_at(self, info: Context) -> list[LazyElementState]:
        return await related(info, self.code)

    @strawberry.field(description="The buildings (楼栋/院落) of this grid, by code.")
    @relation(buildings.GRID_BUILDINGS, built=True)
    async def buildings(self, info: Context) -> list[LazyBuilding]:
        return await related(info, self.code)

    @strawberry.field(
        description="Fengqiao-style grid decisions (枫桥式网格): the street's quarterly"
        " nominations and the district's yearly confirmations, by period; `year` keeps one."
    )
    @relation(fengqiao.GRID_DECISIONS, params=year_params)
    async def fengqiao_decisions(
        self,
        info: Context,
        year: Annotated[str | None, strawberry.argument(description="e.g. 2024")] = None,
    ) -> list[LazyFengqiaoDecision]:
        if year is not None and not (len(year) == 4 and year.isdecimal()):
            raise BadUserInput("year must look like 2024", argument="year")
        return await related(info, self.code, year=year)

    @strawberry.field(description="Evaluations of this grid's worker, newest quarter first.")
    @relation(evaluations.GRID_EVALUATIONS, params=quarter_params, built=True)
    async def evaluations(
        self,
        info: Context,
        quarter: Annotated[str | None, strawberry.argument(description="e.g. 2024Q3")] = None,
    ) -> list[LazyEvaluation]:
        return await related(info, self.code, quarter=quarter)

    @strawberry.field(
        description="Patrols and home visits (巡查/入户走访) in this grid, latest first."
    )
    @relation(visits.GRID_VISITS, Shape.PAGE, built=True)
    async def visits(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> LazyVisitConnection:
        connection: LazyVisitConnection = await related_page(info, self.code, first, after)
        return connection

    @strawberry.field(
        description="Central households' (党员中心户) contacts with households here, latest first."
    )
    @relation(party_households.GRID_CONTACTS, Shape.PAGE, built=True)
    async def household_contacts(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> LazyContactConnection:
        connection: LazyContactConnection = await related_page(info, self.code, first, after)
        return connection

    @strawberry.field(description="Deliberation sessions (网格议事) held here, latest first.")
    @relation(deliberation.GRID_DELIBERATIONS, Shape.PAGE, built=True)
    async def deliberations(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> LazyDeliberationConnection:
        found: LazyDeliberationConnection = await related_page(info, self.code, first, after)
        return found


@builds(places.COMMUNITY)
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
    @relation(places.COMMUNITY_GRIDS, built=True)
    async def grids(self, info: Context) -> list[Grid]:
        return await related(info, self.code)

    @strawberry.field(description="The street or town this community belongs to.")
    @relation(places.COMMUNITY_STREET, Shape.ONE)
    async def street(self, info: Context) -> Street:
        [found] = await neighbours(info, self.code)
        return Street.from_row(found.node)


@builds(places.STREET)
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
    @relation(places.STREET_COMMUNITIES, built=True)
    async def communities(self, info: Context) -> list[Community]:
        return await related(info, self.code)

    @strawberry.field(description="The district this street belongs to.")
    @relation(places.STREET_DISTRICT, Shape.ONE)
    async def district(self, info: Context) -> District:
        [found] = await neighbours(info, self.code)
        return District.from_row(found.node)


@builds(places.DISTRICT)
@strawberry.type(description="A county-level district (区), e.g. Rencheng 370811.")
class District(Place):
    @classmethod
    def from_row(cls, row: dict[str, Any]) -> District:
        return cls(id=global_id("District", row["code"]), code=row["code"], name=row["name"])

    @strawberry.field(description="The streets and towns of this district, by code.")
    @relation(places.DISTRICT_STREETS, built=True)
    async def streets(self, info: Context) -> list[Street]:
        return await related(info, self.code)


PLACE_TYPES: dict[str, type[District] | type[Street] | type[Community] | type[Grid]] = {
    "District": District,
    "Street": Street,
    "Community": Community,
    "Grid": Grid,
}


def place_from_row(row: dict[str, Any]) -> District | Street | Community | Grid:
    """The place type named by the row's `label` (rows of a NodeSpec with `with_label`)."""
    return PLACE_TYPES[row["label"]].from_row(row)
