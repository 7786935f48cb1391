"""Keeping residents current over GraphQL: register, move, depart, correct, relabel (六色 and
key-person tags and grade), with their history as Person.residenceHistory and
Person.labelHistory.

Each mutation is one write transaction (graph/resident_commands.py) with an optional
`idempotencyKey`; those changing an existing person take an optional `expectedVersion`
(Person.version: CONFLICT when someone changed the person since). Grid workers act in their
grids, community and street officers in their places, admins anywhere (resolvers/residents.py).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import persons, residents
from graph.resident_commands import ResidentChange
from graph.residents import Departure
from graph.traversal import Neighbour, nodes_by_key
from resolvers import residents as resolve
from resolvers.context import RequestContext
from resolvers.residents import ResidentDraft
from schema.builders import builds, builds_neighbour
from schema.persons import Person
from schema.places import Grid

Context = Info[RequestContext, None]

PersonId = Annotated[str, strawberry.argument(description="The person's id.")]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The Person.version the caller last saw; CONFLICT if the person changed"
        " since. Left out: no version check."
    ),
]
IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="A key unique to this call (1-200 characters): a retry with the same key"
        " returns the first result and changes nothing."
    ),
]


@strawberry.enum(description="Why a residence ended other than by a move within the graph.")
class DepartureReason(Enum):
    MOVED_AWAY = Departure.MOVED_AWAY.value
    DECEASED = Departure.DECEASED.value


@builds(residents.LABEL_CHANGE)
@strawberry.type(
    description="One change of a person's 六色 colour label, key-person tags or grade."
)
class LabelChange:
    change_id: str
    at: datetime
    field: str = strawberry.field(description="colourLabel, tags or keyPersonGrade.")
    before: list[str] = strawberry.field(description="The codes before (empty: none).")
    after: list[str] = strawberry.field(description="The codes after (empty: none).")
    reason: str
    by_subject: str = strawberry.field(description="Who changed it (the principal's subject).")
    by_person: str | None = strawberry.field(description="Their person id, if they are one.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LabelChange:
        return cls(
            change_id=row["id"],
            at=row["at"],
            field=row["field"],
            before=list(row.get("before") or []),
            after=list(row.get("after") or []),
            reason=row.get("reason") or "",
            by_subject=row.get("bySubject") or "",
            by_person=row.get("byPerson"),
        )


@strawberry.type(description="A period of living in a grid (the current one has no `until`).")
class ResidencePeriod:
    grid: Grid
    since: date | None
    until: date | None
    address: str | None
    left_because: str | None = strawberry.field(
        description="moved, moved_away or deceased when the period ended."
    )


@builds_neighbour(residents.PERSON_RESIDENCES)
def residence_period(found: Neighbour) -> ResidencePeriod:
    """A residence period from a RESIDES_IN edge."""
    edge = found.edge
    return ResidencePeriod(
        grid=Grid.from_row(found.node),
        since=edge.get("since"),
        until=edge.get("until"),
        address=edge.get("address"),
        left_because=edge.get("leftBecause"),
    )


@strawberry.type(description="What a resident mutation did.")
class ResidentPayload:
    person_id: str
    version: int = strawberry.field(description="Person.version after it (expectedVersion).")
    status: str = strawberry.field(description="resident, moved_away or deceased.")
    label_change_ids: list[str] = strawberry.field(description="The label changes it recorded.")
    replayed: bool = strawberry.field(
        description="True when a retry with the same idempotencyKey got the first result."
    )

    @strawberry.field(description="The person as they are now (null if out of your scope now).")
    async def person(self, info: Context) -> Person | None:
        scope = info.context.principal.scope_codes
        found = await nodes_by_key(info.context.graph, persons.PERSON, [self.person_id], scope)
        row = found.get(self.person_id)
        return None if row is None else Person.from_row(row)

    @classmethod
    def of(cls, change: ResidentChange) -> ResidentPayload:
        return cls(
            person_id=change.person_id,
            version=change.version,
            status=change.status,
            label_change_ids=list(change.label_changes),
            replayed=change.replayed,
        )


@strawberry.input(description="A new resident (居民登记).")
class RegisterResidentInput:
    name: str
    id_card: str = strawberry.field(
        description="18-digit ID-card number (身份证号), validated; stored only protected."
    )
    phone: str | None = strawberry.field(default=None, description="11-digit mobile number.")
    grid: str = strawberry.field(description="The 15-digit code of the grid they live in.")
    building: str | None = strawberry.field(
        default=None, description="The 18-digit code of their building in that grid."
    )
    address: str | None = None
    since: date | None = strawberry.field(default=None, description="Living there since (today).")
    colour_label: str | None = strawberry.field(default=None, description="A 六色 code.")
    tags: list[str] = strawberry.field(default_factory=list, description="Key-person tags.")


@strawberry.type
class ResidentMutation:
    @strawberry.mutation(description="Register a new resident in a grid (and building).")
    async def register_resident(
        self, info: Context, input: RegisterResidentInput, idempotency_key: IdempotencyKey = None
    ) -> ResidentPayload:
        draft = ResidentDraft(
            name=input.name,
            id_card=input.id_card,
            phone=input.phone,
            grid=input.grid,
            building=input.building,
            address=input.address,
            since=input.since,
            colour_label=input.colour_label,
            tags=list(input.tags),
        )
        return ResidentPayload.of(await resolve.register(info.context, draft, idempotency_key))

    @strawberry.mutation(
        description="Move a resident to another grid, building or address: the current"
        " residence ends (`until`), a new one starts; history is kept."
    )
    async def move_resident(
        self,
        info: Context,
        person_id: PersonId,
        grid: str,
        building: str | None = None,
        address: str | None = None,
        since: date | None = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ResidentPayload:
        change = await resolve.move(
            info.context,
            person_id,
            grid,
            building,
            address,
            since,
            expected_version,
            idempotency_key,
        )
        return ResidentPayload.of(change)

    @strawberry.mutation(
        description="Record that a resident moved away (out of the caller's places) or died:"
        " residence and household membership end."
    )
    async def record_departure(
        self,
        info: Context,
        person_id: PersonId,
        reason: DepartureReason,
        on: date | None = None,
        note: str | None = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ResidentPayload:
        why = Departure(reason.value)
        change = await resolve.depart(
            info.context, person_id, why, on, note, expected_version, idempotency_key
        )
        return ResidentPayload.of(change)

    @strawberry.mutation(description="Correct a resident's name, address or phone.")
    async def correct_resident(
        self,
        info: Context,
        person_id: PersonId,
        name: str | None = None,
        address: str | None = None,
        phone: str | None = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ResidentPayload:
        change = await resolve.correct(
            info.context, person_id, name, address, phone, expected_version, idempotency_key
        )
        return ResidentPayload.of(change)

    @strawberry.mutation(
        description="Change a person's 六色 colour label, key-person (重点人员) tags or grade,"
        " with a reason; each changed field is kept as a LabelChange (Person.labelHistory)."
    )
    async def change_person_labels(
        self,
        info: Context,
        person_id: PersonId,
        reason: str,
        colour_label: str | None = None,
        clear_colour_label: bool = False,
        tags: list[str] | None = None,
        grade: Annotated[
            str | None,
            strawberry.argument(description="A key-person grade of policy.toml, e.g. `A`."),
        ] = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ResidentPayload:
        change = await resolve.change_labels(
            info.context,
            person_id,
            colour_label,
            clear_colour_label,
            tags,
            grade,
            reason,
            expected_version,
            idempotency_key,
        )
        return ResidentPayload.of(change)
