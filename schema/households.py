"""Households (户) over GraphQL: the type, its members, and form/join/leave mutations
(graph/households.py; who may: resolvers/residents.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import households
from graph.households import HouseholdChange, HouseholdRelation
from graph.traversal import Neighbour
from resolvers import households as resolve
from resolvers.context import RequestContext
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds, builds_neighbour
from schema.persons import Person
from schema.places import Grid
from schema.residents import ExpectedVersion, IdempotencyKey

Context = Info[RequestContext, None]

strawberry.enum(
    HouseholdRelation,
    name="HouseholdRelation",
    description="What a member is to the household head (户主).",
)


@builds(households.HOUSEHOLD)
@strawberry.type(description="A household (户): persons living together, one of them the head.")
class Household:
    household_id: str
    address: str | None
    formed_at: datetime | None
    dissolved_at: datetime | None = strawberry.field(description="When its last member left.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Household:
        return cls(
            household_id=row["id"],
            address=row.get("address"),
            formed_at=row.get("formedAt"),
            dissolved_at=row.get("dissolvedAt"),
        )

    @strawberry.field(description="Its members now, with what each is to the head.")
    @relation(households.HOUSEHOLD_MEMBERS, node_path=("person",))
    async def members(self, info: Context) -> list[HouseholdMember]:
        return [household_member(n) for n in await neighbours(info, self.household_id)]

    @strawberry.field(description="The grid it is registered in.")
    @relation(households.HOUSEHOLD_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.household_id))


@strawberry.type(description="A member of a household.")
class HouseholdMember:
    relation: HouseholdRelation = strawberry.field(description="What they are to the head.")
    since: date | None
    person: Person


@builds_neighbour(households.HOUSEHOLD_MEMBERS)
def household_member(found: Neighbour) -> HouseholdMember:
    """A member from a MEMBER_OF_HOUSEHOLD edge."""
    return HouseholdMember(
        relation=HouseholdRelation(found.edge["relation"]),
        since=found.edge.get("since"),
        person=Person.from_row(found.node),
    )


@strawberry.type(description="What a household mutation did.")
class HouseholdPayload:
    household_id: str
    version: int = strawberry.field(description="The household's version after it.")
    dissolved: bool = strawberry.field(description="True once its last member has left.")
    replayed: bool

    @classmethod
    def of(cls, change: HouseholdChange) -> HouseholdPayload:
        return cls(
            household_id=change.household_id,
            version=change.version,
            dissolved=change.dissolved,
            replayed=change.replayed,
        )


@strawberry.enum(description="Relations a member may join with (the head forms the household).")
class JoiningRelation(Enum):
    SPOUSE = HouseholdRelation.SPOUSE.value
    CHILD = HouseholdRelation.CHILD.value
    PARENT = HouseholdRelation.PARENT.value
    SIBLING = HouseholdRelation.SIBLING.value
    GRANDCHILD = HouseholdRelation.GRANDCHILD.value
    OTHER = HouseholdRelation.OTHER.value


HouseholdId = Annotated[str, strawberry.argument(description="The household's id.")]


@strawberry.type
class HouseholdMutation:
    @strawberry.mutation(description="Form a household (立户) headed by a resident.")
    async def form_household(
        self,
        info: Context,
        head: str,
        address: str | None = None,
        since: date | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> HouseholdPayload:
        change = await resolve.form(info.context, head, address, since, idempotency_key)
        return HouseholdPayload.of(change)

    @strawberry.mutation(
        description="A resident of the household's grid joins it as `relation` of the head;"
        " the family tie is recorded (and must agree with one already recorded)."
    )
    async def join_household(
        self,
        info: Context,
        household_id: HouseholdId,
        person_id: str,
        relation: JoiningRelation,
        since: date | None = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> HouseholdPayload:
        change = await resolve.join(
            info.context,
            household_id,
            person_id,
            HouseholdRelation(relation.value),
            since,
            expected_version,
            idempotency_key,
        )
        return HouseholdPayload.of(change)

    @strawberry.mutation(description="A member leaves the household (the head last).")
    async def leave_household(
        self,
        info: Context,
        household_id: HouseholdId,
        person_id: str,
        reason: str,
        on: date | None = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> HouseholdPayload:
        change = await resolve.leave(
            info.context, household_id, person_id, reason, on, expected_version, idempotency_key
        )
        return HouseholdPayload.of(change)
