"""GraphQL types of persons: one human, several roles (resident, grid worker, mediator ...)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graph import (
    cases,
    departments,
    evaluations,
    households,
    key_persons,
    mediation,
    party,
    persons,
    residents,
    volunteers,
)
from graph.personal_data import Identifier
from graph.traversal import NeighbourPage
from resolvers import identifiers
from resolvers import places as resolve_places
from resolvers.context import RequestContext
from resolvers.filters import party_role_params, quarter_params
from resolvers.pagination import PageRequest
from resolvers.projection import projected
from resolvers.reads import neighbours, page
from resolvers.relations import Shape, relation
from resolvers.vocabulary import Vocabulary, checked_code
from schema.builders import builds, builds_page, related, related_one, related_page
from schema.places import Grid
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

if TYPE_CHECKING:
    from schema.buildings import Building
    from schema.cases import CaseConnection, CasePartyRole
    from schema.departments import Department
    from schema.evaluations import GridWorkerEvaluation
    from schema.households import Household
    from schema.key_persons import KeyPersonMeasure, ResponsiblePerson
    from schema.mediation import CommitteeMembership
    from schema.party import PartyMembership
    from schema.residents import LabelChange, ResidencePeriod
    from schema.volunteers import TeamMembership

Context = Info[RequestContext, None]
LazyCaseConnection = Annotated["CaseConnection", strawberry.lazy("schema.cases")]
LazyCasePartyRole = Annotated["CasePartyRole", strawberry.lazy("schema.cases")]
LazyDepartment = Annotated["Department", strawberry.lazy("schema.departments")]
LazyEvaluation = Annotated["GridWorkerEvaluation", strawberry.lazy("schema.evaluations")]
LazyCommitteeMembership = Annotated["CommitteeMembership", strawberry.lazy("schema.mediation")]
LazyPartyMembership = Annotated["PartyMembership", strawberry.lazy("schema.party")]
LazyTeamMembership = Annotated["TeamMembership", strawberry.lazy("schema.volunteers")]
LazyBuilding = Annotated["Building", strawberry.lazy("schema.buildings")]
LazyHousehold = Annotated["Household", strawberry.lazy("schema.households")]
LazyLabelChange = Annotated["LabelChange", strawberry.lazy("schema.residents")]
LazyResidencePeriod = Annotated["ResidencePeriod", strawberry.lazy("schema.residents")]
LazyMeasure = Annotated["KeyPersonMeasure", strawberry.lazy("schema.key_persons")]
LazyResponsible = Annotated["ResponsiblePerson", strawberry.lazy("schema.key_persons")]


@strawberry.enum(description="Roles a person can hold; each is a label on the same node.")
class PersonRole(Enum):
    RESIDENT = persons.Role.RESIDENT.value
    GRID_WORKER = persons.Role.GRID_WORKER.value
    PROFESSIONAL_MEMBER = persons.Role.PROFESSIONAL_MEMBER.value
    MEDIATOR = persons.Role.MEDIATOR.value
    PARTY_MEMBER = persons.Role.PARTY_MEMBER.value
    VOLUNTEER = persons.Role.VOLUNTEER.value


ROLE_BY_LABEL = {role.value: role for role in PersonRole}


@strawberry.input(description="Filters of person lists; all given filters must hold.")
class PersonFilter:
    role: PersonRole | None = None
    colour_label: str | None = strawberry.field(
        default=None, description="A 六色 colour label code, e.g. `red`."
    )
    tag: str | None = strawberry.field(
        default=None, description="A key-person tag code, e.g. `elderly_alone`."
    )
    name_prefix: str | None = strawberry.field(
        default=None, description="Names starting with this text."
    )

    def params(self) -> dict[str, Any]:
        """Query parameters of graph.persons.PERSON_FILTERS."""
        return {
            "role": self.role.value if self.role else None,
            "colourLabel": checked_code(
                self.colour_label, Vocabulary.COLOUR_LABEL, "filter.colourLabel"
            ),
            "tag": checked_code(self.tag, Vocabulary.KEY_PERSON_TAG, "filter.tag"),
            "name": self.name_prefix,
        }


NO_PERSON_FILTER = PersonFilter()


@builds(persons.PERSON)
@projected(
    persons.PERSON,
    personId=(),
    roles=(),
    birthYear=("birthDate",),
    idCardNumber=("idCardMasked",),
    phone=("phoneMasked",),
)
@strawberry.type(
    description="A person. ID-card number and phone are clear only for roles that may see them."
)
class Person(Node):
    person_id: str = strawberry.field(description="The person's stable key.")
    name: str
    gender: str | None
    born: strawberry.Private[date | None]
    address: str | None
    colour_label: str | None = strawberry.field(description="六色 colour label code, if any.")
    tags: list[str] = strawberry.field(description="Key-person (重点人员) tag codes.")
    roles: list[PersonRole]
    id_card_masked: str | None = strawberry.field(description="ID first 6 + last 4 digits.")
    phone_masked: str | None = strawberry.field(description="Phone first 3 + last 4 digits.")
    status: str = strawberry.field(description="resident, moved_away or deceased.")
    version: int = strawberry.field(
        description="Counts changes to the person (expectedVersion of resident mutations)."
    )
    key_person_grade: str | None = strawberry.field(
        description="Key-person grade (分级, policy.toml), if a key person."
    )
    departed_on: date | None = strawberry.field(description="When they moved away or died.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Person:
        return cls(
            id=global_id("Person", row["id"]),
            person_id=row["id"],
            name=row["name"],
            gender=row.get("gender"),
            born=row.get("birthDate"),
            address=row.get("address"),
            colour_label=row.get("colourLabel"),
            tags=list(row.get("tags") or []),
            roles=[ROLE_BY_LABEL[label] for label in row["roles"] if label in ROLE_BY_LABEL],
            id_card_masked=row.get("idCardMasked"),
            phone_masked=row.get("phoneMasked"),
            status=row.get("status") or "resident",
            version=row.get("version") or 0,
            key_person_grade=row.get("keyPersonGrade"),
            departed_on=row.get("departedOn"),
        )

    @strawberry.field(
        description="Date of birth: exact for admins, investigators and grid workers, null "
        "for everyone else (with idCardMasked it would give the whole ID-card number back); "
        "birthYear is there for all."
    )
    def birth_date(self, info: Context) -> date | None:
        return self.born if info.context.principal.sees_clear_personal_data else None

    @strawberry.field(description="Year of birth, for every role that may read persons.")
    def birth_year(self) -> int | None:
        return None if self.born is None else self.born.year

    @strawberry.field(
        description="ID-card number: clear for admins, investigators and grid workers, "
        "otherwise masked like idCardMasked."
    )
    async def id_card_number(self, info: Context) -> str | None:
        return await identifiers.identifier(
            info.context, self.person_id, Identifier.ID_CARD, self.id_card_masked
        )

    @strawberry.field(
        description="Mobile phone: clear for admins, investigators and grid workers, "
        "otherwise masked like phoneMasked."
    )
    async def phone(self, info: Context) -> str | None:
        return await identifiers.identifier(
            info.context, self.person_id, Identifier.PHONE, self.phone_masked
        )

    @strawberry.field(description="The grid the person lives in.")
    @relation(persons.PERSON_GRID, Shape.ONE, built=True)
    async def grid(self, info: Context) -> Grid | None:
        grid: Grid | None = await related_one(info, self.person_id)
        return grid

    @strawberry.field(description="The building (楼栋) the person lives in now.")
    @relation(residents.PERSON_BUILDING, Shape.ONE, built=True)
    async def building(self, info: Context) -> LazyBuilding | None:
        building: LazyBuilding | None = await related_one(info, self.person_id)
        return building

    @strawberry.field(description="Every residence period, newest first (history of moves).")
    @relation(residents.PERSON_RESIDENCES, node_path=("grid",), built=True)
    async def residence_history(self, info: Context) -> list[LazyResidencePeriod]:
        return await related(info, self.person_id)

    @strawberry.field(description="Changes of 六色 label, key-person tags and grade, newest first.")
    @relation(residents.PERSON_LABEL_HISTORY, node_path=None, built=True)
    async def label_history(self, info: Context) -> list[LazyLabelChange]:
        return await related(info, self.person_id)

    @strawberry.field(description="The household (户) the person belongs to now.")
    @relation(households.PERSON_HOUSEHOLD, Shape.ONE, built=True)
    async def household(self, info: Context) -> LazyHousehold | None:
        household: LazyHousehold | None = await related_one(info, self.person_id)
        return household

    @strawberry.field(description="Key-person measures (措施), by due day (done ones too).")
    @relation(key_persons.PERSON_MEASURES, node_path=(), built=True)
    async def key_person_measures(self, info: Context) -> list[LazyMeasure]:
        return await related(info, self.person_id)

    @strawberry.field(description="Responsible persons (包保责任人) of this key person.")
    @relation(key_persons.PERSON_RESPONSIBLE, node_path=("person",), built=True)
    async def responsible_persons(self, info: Context) -> list[LazyResponsible]:
        return await related(info, self.person_id)

    @strawberry.field(description="Family members, with what each is to this person.")
    @relation(persons.PERSON_FAMILY, node_path=("person",))
    async def family(self, info: Context) -> list[FamilyMember]:
        found = await neighbours(info, self.person_id)
        return [
            FamilyMember(relation=n.edge["relation"], person=Person.from_row(n.node)) for n in found
        ]

    @strawberry.field(description="The grids this person works as grid worker (网格员).")
    @relation(persons.WORKER_GRIDS)
    async def work_grids(self, info: Context) -> list[Grid]:
        return [Grid.from_row(n.node) for n in await neighbours(info, self.person_id)]

    @strawberry.field(description="Cases this person is a party to, newest first.")
    @relation(cases.PERSON_CASES, Shape.PAGE, params=party_role_params, built=True)
    async def cases(
        self,
        info: Context,
        role: LazyCasePartyRole | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LazyCaseConnection:
        connection: LazyCaseConnection = await related_page(
            info, self.person_id, first, after, role=role
        )
        return connection

    @strawberry.field(description="The department of a professional member (专业网格员).")
    @relation(departments.PERSON_DEPARTMENT, Shape.ONE, built=True)
    async def department(self, info: Context) -> LazyDepartment | None:
        department: LazyDepartment | None = await related_one(info, self.person_id)
        return department

    @strawberry.field(description="The grids a professional member supports (包保), by code.")
    @relation(departments.SUPPORTED_GRIDS, built=True)
    async def supported_grids(self, info: Context) -> list[Grid]:
        return await related(info, self.person_id)

    @strawberry.field(description="The mediation committees this person mediates in.")
    @relation(mediation.PERSON_COMMITTEES, node_path=("committee",), built=True)
    async def mediation_committees(self, info: Context) -> list[LazyCommitteeMembership]:
        return await related(info, self.person_id)

    @strawberry.field(description="Party organisations: member, secretary or instructor of.")
    @relation(party.PERSON_PARTY_LINKS, node_path=("organization",), built=True)
    async def party_organizations(self, info: Context) -> list[LazyPartyMembership]:
        return await related(info, self.person_id)

    @strawberry.field(description="Households this party member looks after (党员中心户).")
    @relation(party.CENTRAL_HOUSEHOLD_FOR, built=True)
    async def central_household_for(self, info: Context) -> list[Person]:
        return await related(info, self.person_id)

    @strawberry.field(description="Party members looking after this household as 党员中心户.")
    @relation(party.CENTRAL_HOUSEHOLDS_OF, built=True)
    async def central_households(self, info: Context) -> list[Person]:
        return await related(info, self.person_id)

    @strawberry.field(description="The volunteer teams this person serves in, with points.")
    @relation(volunteers.PERSON_TEAMS, node_path=("team",), built=True)
    async def volunteer_teams(self, info: Context) -> list[LazyTeamMembership]:
        return await related(info, self.person_id)

    @strawberry.field(description="A grid worker's evaluations, newest quarter first.")
    @relation(evaluations.PERSON_EVALUATIONS, params=quarter_params, built=True)
    async def evaluations(
        self,
        info: Context,
        quarter: Annotated[str | None, strawberry.argument(description="e.g. 2024Q3")] = None,
    ) -> list[LazyEvaluation]:
        return await related(info, self.person_id, quarter=quarter)


@strawberry.type(description="A family tie seen from one person.")
class FamilyMember:
    relation: str = strawberry.field(
        description="What `person` is to the asker: spouse, child, parent, sibling, ..."
    )
    person: Person


@strawberry.type
class PersonEdge(Edge):
    node: Person


@strawberry.type(description="A page of persons.")
class PersonConnection:
    edges: list[PersonEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All matching persons (counted in the database; null unless selected)."
    )


@builds_page(persons.PERSON)
def person_connection(request: PageRequest, page: NeighbourPage) -> PersonConnection:
    """A connection from one page read with `request.limit` rows."""
    items, info = page_slice(request, page)
    edges = [
        PersonEdge(request=request, keys=item.keys, node=Person.from_row(item.node))
        for item in items
    ]
    return PersonConnection(edges=edges, page_info=info, total_count=page.total)


async def residents_anywhere(
    info: Context,
    place: str | None,
    filter: PersonFilter | None,
    first: int | None,
    after: str | None,
) -> PersonConnection:
    """Residents of a place at any level (or everywhere), validating the place code."""
    prefix = await resolve_places.checked_place_prefix(info.context, place)
    return person_connection(*await page(info, prefix, first, after, filter=filter))
