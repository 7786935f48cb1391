"""Grid deliberation sessions (网格议事) over GraphQL: the type, a grid's page of them,
recordDeliberation and recordDeliberationOutcome (expectedVersion)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import deliberation
from graph.deliberation import DeliberationRecord
from graph.deliberation import DeliberationRole as GraphRole
from graph.traversal import Neighbour, NeighbourPage
from resolvers import deliberation as resolve
from resolvers.context import RequestContext
from resolvers.deliberation import DeliberationArguments
from resolvers.pagination import PageRequest
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds, builds_neighbour, builds_page, related
from schema.cases import Case
from schema.persons import Person
from schema.places import Grid
from schema.relay import Edge, Node, PageInfo, global_id, page_slice

Context = Info[RequestContext, None]


@strawberry.enum(description="In what capacity a person took part in a deliberation.")
class DeliberationRole(Enum):
    RESIDENT = "resident"
    PARTY_MEMBER = "party_member"
    GRID_WORKER = "grid_worker"
    PARTY_CONGRESS_DEPUTY = strawberry.enum_value("party_congress_deputy", description="党代表.")
    PEOPLES_CONGRESS_DEPUTY = strawberry.enum_value(
        "peoples_congress_deputy", description="人大代表."
    )
    CPPCC_MEMBER = strawberry.enum_value("cppcc_member", description="政协委员.")
    OTHER = "other"


@strawberry.type(description="A participant of a deliberation and their capacity.")
class DeliberationParticipant:
    role: DeliberationRole
    person: Person


@builds_neighbour(deliberation.DELIBERATION_PARTICIPANTS)
def deliberation_participant(found: Neighbour) -> DeliberationParticipant:
    """A participant: the person reached and the role on DELIBERATED_IN."""
    return DeliberationParticipant(
        role=DeliberationRole(found.edge["role"]), person=Person.from_row(found.node)
    )


@builds(deliberation.DELIBERATION)
@strawberry.type(description="A grid deliberation session (网格议事).")
class Deliberation(Node):
    deliberation_id: str
    topic: str
    place: str = strawberry.field(description="Where it was held (e.g. 凉亭、网格议事厅).")
    at: datetime
    outcome: str | None = strawberry.field(description="What was agreed; null until recorded.")
    version: int = strawberry.field(description="Goes up with each outcome recorded.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Deliberation:
        return cls(
            id=global_id("Deliberation", row["id"]),
            deliberation_id=row["id"],
            topic=row["topic"],
            place=row["place"],
            at=row["at"],
            outcome=row.get("outcome"),
            version=row.get("version") or 1,
        )

    @strawberry.field(description="The grid it was held for.")
    @relation(deliberation.DELIBERATION_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.deliberation_id))

    @strawberry.field(description="Who took part, by role then name.")
    @relation(deliberation.DELIBERATION_PARTICIPANTS, node_path=("person",), built=True)
    async def participants(self, info: Context) -> list[DeliberationParticipant]:
        return await related(info, self.deliberation_id)

    @strawberry.field(description="The cases carrying its outcome on, by code.")
    @relation(deliberation.DELIBERATION_CASES)
    async def follow_up_cases(self, info: Context) -> list[Case]:
        return [Case.from_row(n.node) for n in await neighbours(info, self.deliberation_id)]


@strawberry.type
class DeliberationEdge(Edge):
    node: Deliberation


@strawberry.type(description="A page of deliberation sessions, latest first.")
class DeliberationConnection:
    edges: list[DeliberationEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All of them (counted in the database; null unless selected)."
    )


@builds_page(deliberation.DELIBERATION)
def deliberation_connection(request: PageRequest, page: NeighbourPage) -> DeliberationConnection:
    """A connection from one page of sessions."""
    items, info = page_slice(request, page)
    edges = [
        DeliberationEdge(request=request, keys=i.keys, node=Deliberation.from_row(i.node))
        for i in items
    ]
    return DeliberationConnection(edges=edges, page_info=info, total_count=page.total)


@strawberry.input(description="A participant of a deliberation.")
class DeliberationParticipantInput:
    person: str = strawberry.field(description="A person id.")
    role: DeliberationRole


@strawberry.input(description="A deliberation session to record.")
class RecordDeliberationInput:
    grid: str = strawberry.field(description="The 15-digit code of the grid.")
    topic: str = strawberry.field(description="The matter residents raised (居民出题).")
    place: str
    participants: list[DeliberationParticipantInput]
    at: datetime | None = strawberry.field(
        default=None, description="When it was held (not in the future); default now."
    )
    outcome: str | None = strawberry.field(default=None, description="What was agreed, if known.")
    follow_up_cases: list[str] = strawberry.field(
        default_factory=list, description="Codes of cases of the grid carrying it on."
    )


@strawberry.type(description="What recordDeliberation or recordDeliberationOutcome did.")
class DeliberationPayload:
    deliberation_id: str
    version: int
    replayed: bool

    @classmethod
    def of(cls, record: DeliberationRecord) -> DeliberationPayload:
        return cls(
            deliberation_id=record.deliberation_id,
            version=record.version,
            replayed=record.replayed,
        )


IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(description="A key unique to this call: a retry returns the first result."),
]


@strawberry.type
class DeliberationMutation:
    @strawberry.mutation(
        description="Record a grid deliberation session (网格议事) with its participants"
        " (residents, party members, 两代表一委员 where present). Grid workers in their grids,"
        " community and street officers in their places, admins."
    )
    async def record_deliberation(
        self,
        info: Context,
        input: RecordDeliberationInput,
        idempotency_key: IdempotencyKey = None,
    ) -> DeliberationPayload:
        given = DeliberationArguments(
            grid=input.grid,
            topic=input.topic,
            place=input.place,
            participants=tuple(
                (p.person, GraphRole(str(p.role.value))) for p in input.participants
            ),
            at=input.at,
            outcome=input.outcome,
            follow_up_cases=tuple(input.follow_up_cases),
        )
        return DeliberationPayload.of(await resolve.record(info.context, given, idempotency_key))

    @strawberry.mutation(
        description="Record or revise a session's outcome and add follow-up cases; CONFLICT"
        " when it changed since `expectedVersion`."
    )
    async def record_deliberation_outcome(
        self,
        info: Context,
        id: str,
        outcome: str,
        follow_up_cases: list[str] | None = None,
        expected_version: int | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DeliberationPayload:
        done = await resolve.record_outcome(
            info.context,
            id,
            outcome,
            tuple(follow_up_cases or ()),
            expected_version,
            idempotency_key,
        )
        return DeliberationPayload.of(done)
