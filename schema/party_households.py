"""Central households' contacts (党员中心户联系群众) over GraphQL: the type, a grid's page of
them and recordHouseholdContact."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import party_households
from graph.party_households import ContactKind as GraphContactKind
from graph.traversal import NeighbourPage
from resolvers import party_households as resolve
from resolvers.context import RequestContext
from resolvers.pagination import PageRequest
from resolvers.party_households import ContactArguments
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds, builds_page
from schema.persons import Person
from schema.places import Grid
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

Context = Info[RequestContext, None]


@strawberry.enum(description="How a central household got in touch with a household.")
class ContactKind(Enum):
    HOME_VISIT = strawberry.enum_value("home_visit", description="上门走访.")
    PHONE = strawberry.enum_value("phone", description="电话.")
    WECHAT = strawberry.enum_value("wechat", description="联户微信群 or WeChat.")
    MEETING = strawberry.enum_value("meeting", description="见面交谈、院落会.")


@builds(party_households.HOUSEHOLD_CONTACT)
@strawberry.type(description="A central household's (党员中心户) contact with a household.")
class HouseholdContact(Node):
    contact_id: str
    kind: ContactKind
    at: datetime
    notes: str | None
    concern: str | None = strawberry.field(description="What the household raised, if anything.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> HouseholdContact:
        return cls(
            id=global_id("HouseholdContact", row["id"]),
            contact_id=row["id"],
            kind=ContactKind(row["kind"]),
            at=row["at"],
            notes=row.get("notes"),
            concern=row.get("concern"),
        )

    @strawberry.field(description="The party member (the central household).")
    @relation(party_households.CONTACT_MEMBER, Shape.ONE)
    async def member(self, info: Context) -> Person | None:
        return first_node(Person.from_row, await neighbours(info, self.contact_id))

    @strawberry.field(description="The head of the household contacted.")
    @relation(party_households.CONTACT_HOUSEHOLD, Shape.ONE)
    async def household_head(self, info: Context) -> Person | None:
        return first_node(Person.from_row, await neighbours(info, self.contact_id))

    @strawberry.field(description="The grid the household lives in.")
    @relation(party_households.CONTACT_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.contact_id))


@strawberry.type
class HouseholdContactEdge(Edge):
    node: HouseholdContact


@strawberry.type(description="A page of central-household contacts, latest first.")
class HouseholdContactConnection:
    edges: list[HouseholdContactEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All of them (counted in the database; null unless selected)."
    )


@builds_page(party_households.HOUSEHOLD_CONTACT)
def contact_connection(request: PageRequest, page: NeighbourPage) -> HouseholdContactConnection:
    """A connection from one page of contacts."""
    items, info = page_slice(request, page)
    edges = [
        HouseholdContactEdge(request=request, keys=i.keys, node=HouseholdContact.from_row(i.node))
        for i in items
    ]
    return HouseholdContactConnection(edges=edges, page_info=info, total_count=page.total)


@strawberry.input(description="A central household's contact with a household it looks after.")
class RecordHouseholdContactInput:
    member: str = strawberry.field(description="The party member (central household), by id.")
    household: str = strawberry.field(description="The head of the household, by id.")
    kind: ContactKind
    at: datetime | None = strawberry.field(
        default=None, description="When (not in the future); default now."
    )
    notes: str | None = None
    concern: str | None = strawberry.field(
        default=None, description="What the household raised (诉求), if anything."
    )


@strawberry.type(description="What recordHouseholdContact did.")
class HouseholdContactPayload:
    contact_id: str
    grid_code: str = strawberry.field(description="The grid the household lives in.")
    replayed: bool


IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(description="A key unique to this call: a retry returns the first result."),
]


@strawberry.type
class HouseholdContactMutation:
    @strawberry.mutation(
        description="Record a party-member central household's (党员中心户) contact with a"
        " household it looks after (CENTRAL_HOUSEHOLD_FOR). Grid workers in their grids,"
        " community and street officers in their places, admins."
    )
    async def record_household_contact(
        self,
        info: Context,
        input: RecordHouseholdContactInput,
        idempotency_key: IdempotencyKey = None,
    ) -> HouseholdContactPayload:
        given = ContactArguments(
            member=input.member,
            household=input.household,
            kind=GraphContactKind(str(input.kind.value)),
            at=input.at,
            notes=input.notes,
            concern=input.concern,
        )
        done = await resolve.record(info.context, given, idempotency_key)
        return HouseholdContactPayload(
            contact_id=done.contact_id, grid_code=done.grid_code, replayed=done.replayed
        )
