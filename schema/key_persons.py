"""Key persons (重点人员) over GraphQL: measures (措施: 帮扶、教育、稳控) with due days and
follow-ups, responsible persons, overdue measures of a place, and the mutations that keep them
(graph/key_person_commands.py; who may: resolvers/residents.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import key_persons
from graph.key_person_commands import MeasureChange
from graph.traversal import Neighbour
from resolvers import key_persons as resolve
from resolvers import places as resolve_places
from resolvers.case_mutations import now
from resolvers.context import RequestContext
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds, builds_neighbour, related
from schema.persons import Person
from schema.relay import Edge, PageInfo, page_slice, read_page
from schema.residents import ExpectedVersion, IdempotencyKey

Context = Info[RequestContext, None]


@builds(key_persons.FOLLOW_UP_SPEC)
@strawberry.type(description="A follow-up (跟进) of a key-person measure.")
class MeasureFollowUp:
    follow_up_id: str
    at: datetime
    note: str
    by_subject: str
    by_person: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MeasureFollowUp:
        return cls(
            follow_up_id=row["id"],
            at=row["at"],
            note=row.get("note") or "",
            by_subject=row.get("bySubject") or "",
            by_person=row.get("byPerson"),
        )


@builds(key_persons.MEASURE)
@strawberry.type(description="A measure (措施) for a key person: 帮扶, 教育 or 稳控.")
class KeyPersonMeasure:
    measure_id: str
    kind: str = strawberry.field(description="help (帮扶), education (教育), stability_control.")
    description: str
    due_on: date | None = strawberry.field(description="When it is next due.")
    status: str = strawberry.field(description="open or done.")
    version: int = strawberry.field(description="For expectedVersion of recordMeasureFollowUp.")
    created_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> KeyPersonMeasure:
        return cls(
            measure_id=row["id"],
            kind=row["kind"],
            description=row.get("description") or "",
            due_on=row.get("dueOn"),
            status=row.get("status") or "open",
            version=row.get("version") or 0,
            created_at=row.get("createdAt"),
            closed_at=row.get("closedAt"),
        )

    @strawberry.field(description="The key person.")
    @relation(key_persons.MEASURE_PERSON, Shape.ONE)
    async def person(self, info: Context) -> Person | None:
        return first_node(Person.from_row, await neighbours(info, self.measure_id))

    @strawberry.field(description="Who carries it out.")
    @relation(key_persons.MEASURE_ASSIGNEE, Shape.ONE)
    async def assignee(self, info: Context) -> Person | None:
        return first_node(Person.from_row, await neighbours(info, self.measure_id))

    @strawberry.field(description="Its follow-ups, newest first.")
    @relation(key_persons.MEASURE_FOLLOW_UPS, node_path=None, built=True)
    async def follow_ups(self, info: Context) -> list[MeasureFollowUp]:
        return await related(info, self.measure_id)


@strawberry.type(description="A responsible person (包保责任人) of a key person.")
class ResponsiblePerson:
    person: Person
    since: date | None
    duty: str | None


@builds_neighbour(key_persons.PERSON_RESPONSIBLE)
def responsible_person(found: Neighbour) -> ResponsiblePerson:
    """A responsible person from a RESPONSIBLE_FOR edge."""
    return ResponsiblePerson(
        person=Person.from_row(found.node),
        since=found.edge.get("since"),
        duty=found.edge.get("duty"),
    )


@strawberry.type
class MeasureEdge(Edge):
    node: KeyPersonMeasure


@strawberry.type(description="A page of key-person measures, most overdue first.")
class MeasureConnection:
    edges: list[MeasureEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All matching measures (counted in the database; null unless selected)."
    )


async def overdue_measures(
    info: Context, place: str | None, as_of: date | None, first: int | None, after: str | None
) -> MeasureConnection:
    """Open measures past due of the residents of a place (row scope applies)."""
    prefix = await resolve_places.checked_place_prefix(info.context, place)
    params = {"asOf": as_of or now().date()}
    request, page = await read_page(
        info,
        key_persons.OVERDUE_MEASURES_IN_PLACE,
        prefix,
        first,
        after,
        params,
        identity={"asOf": as_of},
    )
    items, page_info = page_slice(request, page)
    edges = [
        MeasureEdge(request=request, keys=item.keys, node=KeyPersonMeasure.from_row(item.node))
        for item in items
    ]
    return MeasureConnection(edges=edges, page_info=page_info, total_count=page.total)


@strawberry.type
class KeyPersonQuery:
    @strawberry.field(
        description="Key-person measures past their due day (overdue), most overdue first, of"
        " the residents of `place` (a code of any level; all you may see when left out)."
        " `asOf` defaults to today. A grid worker's own overdue measures: leave place out."
    )
    async def overdue_measures(
        self,
        info: Context,
        place: str | None = None,
        as_of: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> MeasureConnection:
        return await overdue_measures(info, place, as_of, first, after)


@strawberry.type(description="What a key-person mutation did.")
class KeyPersonPayload:
    person_id: str
    measure_id: str | None
    version: int = strawberry.field(
        description="The measure's version after it (the person's for responsible persons)."
    )
    status: str | None
    due_on: date | None
    replayed: bool

    @classmethod
    def of(cls, change: MeasureChange) -> KeyPersonPayload:
        return cls(
            person_id=change.person_id,
            measure_id=change.measure_id,
            version=change.version,
            status=change.status,
            due_on=date.fromisoformat(change.due_on) if change.due_on else None,
            replayed=change.replayed,
        )


PersonId = Annotated[str, strawberry.argument(description="The key person's id.")]


@strawberry.type
class KeyPersonMutation:
    @strawberry.mutation(
        description="Assign a responsible person (包保责任人) to a key person, or release them."
    )
    async def assign_key_person_responsible(
        self,
        info: Context,
        person_id: PersonId,
        responsible_id: str,
        duty: str | None = None,
        release: bool = False,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> KeyPersonPayload:
        change = await resolve.assign_responsible(
            info.context,
            person_id,
            responsible_id,
            duty,
            release,
            expected_version,
            idempotency_key,
        )
        return KeyPersonPayload.of(change)

    @strawberry.mutation(
        description="Add a measure (帮扶/教育/稳控) for a key person; due on `dueOn`, or after the"
        " follow-up interval of the person's grade (policy.toml)."
    )
    async def add_key_person_measure(
        self,
        info: Context,
        person_id: PersonId,
        kind: str,
        description: str,
        due_on: date | None = None,
        assignee_id: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> KeyPersonPayload:
        change = await resolve.add_measure(
            info.context, person_id, kind, description, due_on, assignee_id, idempotency_key
        )
        return KeyPersonPayload.of(change)

    @strawberry.mutation(
        description="Record a follow-up of an open measure; `done` closes it, otherwise it is"
        " due again after the grade's interval. expectedVersion: the measure's version."
    )
    async def record_measure_follow_up(
        self,
        info: Context,
        measure_id: str,
        note: str,
        done: bool = False,
        expected_version: Annotated[
            int | None,
            strawberry.argument(description="The measure version last seen; CONFLICT if stale."),
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> KeyPersonPayload:
        change = await resolve.follow_up(
            info.context, measure_id, note, done, expected_version, idempotency_key
        )
        return KeyPersonPayload.of(change)
