"""The root Query type: lookups by key, Relay node(id:), filtered lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from graph import (
    buildings,
    cases,
    deliberation,
    departments,
    evaluations,
    mediation,
    party,
    party_households,
    persons,
    places,
    visits,
    volunteer_activities,
    volunteers,
)
from graph.places import PlaceLevel
from graph.traversal import NodeSpec
from resolvers import places as resolve_places
from resolvers.context import RequestContext
from resolvers.errors import NotFound
from resolvers.filters import case_filter_params, case_order, persons_filter_params
from resolvers.persons import person_by_id_card
from resolvers.reads import lookup
from resolvers.relations import Shape, relation
from schema.buildings import Building
from schema.cases import Case, CaseConnection, CaseFilter, CaseOrder, cases_anywhere
from schema.deliberation import Deliberation
from schema.departments import Department, all_departments
from schema.evaluations import GridWorkerEvaluation
from schema.mediation import MediationCommittee, MediationStudio, all_committees
from schema.party import PartyOrganization
from schema.party_households import HouseholdContact
from schema.persons import Person, PersonConnection, PersonFilter, residents_anywhere
from schema.places import Community, District, Grid, Street
from schema.relay import Node, decode_global_id, load_nodes
from schema.search import SEARCH_DESCRIPTION, SearchHit, SearchType, search_nodes
from schema.visits import Visit
from schema.volunteer_activities import VolunteerActivity
from schema.volunteers import VolunteerTeam

Context = Info[RequestContext, None]

# Global ID type name -> (how to read it, how to build it).
NODE_TYPES: dict[str, tuple[NodeSpec, Callable[[dict[str, Any]], Node]]] = {
    "District": (places.DISTRICT, District.from_row),
    "Street": (places.STREET, Street.from_row),
    "Community": (places.COMMUNITY, Community.from_row),
    "Grid": (places.GRID, Grid.from_row),
    "Person": (persons.PERSON, Person.from_row),
    "Case": (cases.CASE, Case.from_row),
    "Building": (buildings.BUILDING, Building.from_row),
    "Department": (departments.DEPARTMENT, Department.from_row),
    "PartyOrganization": (party.PARTY_ORGANIZATION, PartyOrganization.from_row),
    "MediationCommittee": (mediation.MEDIATION_COMMITTEE, MediationCommittee.from_row),
    "MediationStudio": (mediation.MEDIATION_STUDIO, MediationStudio.from_row),
    "VolunteerTeam": (volunteers.VOLUNTEER_TEAM, VolunteerTeam.from_row),
    "GridWorkerEvaluation": (evaluations.EVALUATION, GridWorkerEvaluation.from_row),
    # Grid activity (issue 16): visible when their grid is (graph/scope.py).
    "Visit": (visits.VISIT, Visit.from_row),
    "VolunteerActivity": (volunteer_activities.VOLUNTEER_ACTIVITY, VolunteerActivity.from_row),
    "HouseholdContact": (party_households.HOUSEHOLD_CONTACT, HouseholdContact.from_row),
    "Deliberation": (deliberation.DELIBERATION, Deliberation.from_row),
}


async def _node(info: Context, id: str) -> Node | None:
    decoded = decode_global_id(id)
    known = NODE_TYPES.get(decoded.type_name)
    if known is None:
        return None
    spec, build = known
    row = await lookup(info, spec, decoded.key)
    return build(row) if row else None


async def _required(info: Context, spec: NodeSpec, key: str, what: str) -> dict[str, Any]:
    row = await lookup(info, spec, key)
    if row is None:
        raise NotFound(f"no {what} {key}", key=key)
    return row


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null when there is none.")
    async def node(self, info: Context, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

    @strawberry.field(description="Objects by global IDs, in the same order (null if missing).")
    async def nodes(self, info: Context, ids: list[strawberry.ID]) -> list[Node | None]:
        return await load_nodes(info.context, ids, NODE_TYPES)

    @strawberry.field(description="All districts: the root of the administrative tree.")
    async def districts(self, info: Context) -> list[District]:
        rows = await resolve_places.all_districts(info.context)
        return [District.from_row(row) for row in rows]

    @strawberry.field(description="A district by its 6-digit code.")
    async def district(self, info: Context, code: str) -> District:
        return District.from_row(await resolve_places.place_field(info, PlaceLevel.DISTRICT, code))

    @strawberry.field(description="A street or town by its 9-digit code.")
    async def street(self, info: Context, code: str) -> Street:
        return Street.from_row(await resolve_places.place_field(info, PlaceLevel.STREET, code))

    @strawberry.field(description="A community or village by its 12-digit code.")
    async def community(self, info: Context, code: str) -> Community:
        return Community.from_row(
            await resolve_places.place_field(info, PlaceLevel.COMMUNITY, code)
        )

    @strawberry.field(description="A grid by its 15-digit code.")
    async def grid(self, info: Context, code: str) -> Grid:
        return Grid.from_row(await resolve_places.place_field(info, PlaceLevel.GRID, code))

    @strawberry.field(description="A person by their person id.")
    async def person(self, info: Context, person_id: str) -> Person:
        return Person.from_row(await _required(info, persons.PERSON, person_id, "person"))

    @strawberry.field(description="A case by its code.")
    async def case(self, info: Context, code: str) -> Case:
        return Case.from_row(await _required(info, cases.CASE, code, "case"))

    @strawberry.field(description="A building by its code (grid code + 3 digits).")
    async def building(self, info: Context, code: str) -> Building:
        row = await _required(info, buildings.BUILDING, code, "building")
        return Building.from_row(row)

    @strawberry.field(description="All departments and livelihood service units, by code.")
    async def departments(self, info: Context) -> list[Department]:
        return await all_departments(info)

    @strawberry.field(description="A department or service unit by its code, e.g. 370811D01.")
    async def department(self, info: Context, code: str) -> Department:
        row = await _required(info, departments.DEPARTMENT, code, "department")
        return Department.from_row(row)

    @strawberry.field(description="A party organisation by its code ('PO' + place code).")
    async def party_organization(self, info: Context, code: str) -> PartyOrganization:
        row = await _required(info, party.PARTY_ORGANIZATION, code, "party organization")
        return PartyOrganization.from_row(row)

    @strawberry.field(description="All mediation committees, by code.")
    async def mediation_committees(self, info: Context) -> list[MediationCommittee]:
        return await all_committees(info)

    @strawberry.field(description="A mediation committee by its code, e.g. 370811M01.")
    async def mediation_committee(self, info: Context, code: str) -> MediationCommittee:
        row = await _required(info, mediation.MEDIATION_COMMITTEE, code, "committee")
        return MediationCommittee.from_row(row)

    @strawberry.field(description="A mediation studio by its code (street code + 'S' + 2).")
    async def mediation_studio(self, info: Context, code: str) -> MediationStudio:
        row = await _required(info, mediation.MEDIATION_STUDIO, code, "studio")
        return MediationStudio.from_row(row)

    @strawberry.field(description="A volunteer team by its code ('VT' + grid code).")
    async def volunteer_team(self, info: Context, code: str) -> VolunteerTeam:
        row = await _required(info, volunteers.VOLUNTEER_TEAM, code, "volunteer team")
        return VolunteerTeam.from_row(row)

    @strawberry.field(description="A grid-worker evaluation by id (quarter + '-' + grid code).")
    async def grid_worker_evaluation(self, info: Context, id: str) -> GridWorkerEvaluation:
        row = await _required(info, evaluations.EVALUATION, id, "evaluation")
        return GridWorkerEvaluation.from_row(row)

    @strawberry.field(
        description="A person by ID-card number (身份证号), matched by its blind index; the"
        " number is neither stored nor logged. NOT_FOUND when nobody has it."
    )
    async def person_by_id_card(self, info: Context, id_card: str) -> Person | None:
        return Person.from_row(await person_by_id_card(info.context, id_card))

    @strawberry.field(description=SEARCH_DESCRIPTION)
    async def search(
        self,
        info: Context,
        text: str,
        types: list[SearchType] | None = None,
        first: int | None = 20,
    ) -> list[SearchHit]:
        return await search_nodes(info, NODE_TYPES, text, types, first)

    @strawberry.field(description="Residents, filtered; `place` is a code of any level.")
    @relation(persons.RESIDENTS_IN_PLACE, Shape.PAGE, params=persons_filter_params)
    async def persons(
        self,
        info: Context,
        place: str | None = None,
        filter: PersonFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PersonConnection:
        return await residents_anywhere(info, place, filter, first, after)

    @strawberry.field(description="Cases, filtered and sorted; `place` is a code of any level.")
    @relation(cases.CASES_IN_PLACE, Shape.PAGE, params=case_filter_params, order=case_order)
    async def cases(
        self,
        info: Context,
        place: str | None = None,
        filter: CaseFilter | None = None,
        order_by: CaseOrder = CaseOrder.REPORTED_AT_DESC,
        first: int | None = None,
        after: str | None = None,
    ) -> CaseConnection:
        return await cases_anywhere(info, place, filter, first, after, order_by)
