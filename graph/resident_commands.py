"""What the resident mutations do, each ONE write transaction with an optional idempotency claim
(graph/claimed_writes.py): register, move, depart, correct details, change labels.

The person is found with the caller's scope inside the transaction and locked before their
version is read (graph/residents.py LOCK_RESIDENT): a scoped caller may change only persons
living now in a grid of their scope, and only into grids of their scope; anything else is
Unknown, exactly as unknown. `expected_version` (when given) must equal the person's
version, else StaleVersion; anything raised rolls the whole transaction back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from graph import residents
from graph.case_commands import CommandRefused, IdempotencyClaim, PersonOutOfScope
from graph.claimed_writes import run_claimed
from graph.client import GraphClient, TransactionWriter, to_native
from graph.residents import Departure, LabelField
from graph.traversal import Scope


class StaleVersion(Exception):
    """The thing changed since the version the caller expected (CONFLICT)."""

    def __init__(self, what: str, key: str, expected: int, current: int) -> None:
        super().__init__(f"{what} {key} changed: it is at version {current}, not {expected}")
        self.what = what
        self.key = key
        self.expected = expected
        self.current = current


class Unknown(LookupError):
    """A key names nothing the caller may change (unknown and out of scope alike)."""

    def __init__(self, what: str, key: str, argument: str) -> None:
        super().__init__(f"no {what} {key}")
        self.what = what
        self.key = key
        self.argument = argument


@dataclass(frozen=True)
class Editor:
    """Who changes: the principal's subject and scope, and their person (if any)."""

    subject: str
    person_id: str | None
    scope: Scope
    at: datetime


@dataclass(frozen=True)
class ResidentChange:
    """What a resident mutation did: the person, their version and status after it."""

    person_id: str
    version: int
    status: str
    label_changes: list[str] = field(default_factory=list)  # LabelChange ids
    replayed: bool = False


@dataclass(frozen=True)
class NewResident:
    """A resident to register, identifiers already protected (graph/personal_data.py)."""

    id: str
    name: str
    gender: str
    birth_date: date
    protected: Mapping[str, str | None]
    grid: str
    building: str | None
    address: str | None
    since: date
    colour_label: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Locked:
    """The resident as locked in the transaction."""

    id: str
    version: int
    status: str | None
    grid: str | None
    since: date | None
    values: dict[str, Any]  # colourLabel, tags, keyPersonGrade, birthDate


def _encode(change: ResidentChange) -> str:
    return json.dumps({k: v for k, v in asdict(change).items() if k != "replayed"})


def _decode(text: str) -> ResidentChange:
    return ResidentChange(**json.loads(text), replayed=True)


def _params(editor: Editor, **values: Any) -> dict[str, Any]:
    return {"scope": None if editor.scope is None else list(editor.scope), **values}


async def lock_resident(
    tx: TransactionWriter, person: str, editor: Editor, expected: int | None, argument: str
) -> Locked:
    """The person locked, if theirs to change (Unknown) at the expected version."""
    rows = await tx.write(residents.LOCK_RESIDENT, _params(editor, person=person))
    if not rows:
        raise Unknown("person", person, argument)
    row = to_native(rows[0])
    if expected is not None and expected != row["version"]:
        raise StaleVersion("person", person, expected, row["version"])
    values = {key: row[key] for key in ("colourLabel", "tags", "keyPersonGrade", "birthDate")}
    return Locked(row["id"], row["version"], row["status"], row["grid"], row["since"], values)


async def require_home(
    tx: TransactionWriter, grid: str, building: str | None, editor: Editor
) -> None:
    """Unknown unless the grid is the caller's and the building (if any) is in it."""
    if not await tx.write(residents.GRID_IN_SCOPE, _params(editor, grid=grid)):
        raise Unknown("grid", grid, "grid")
    if building is not None:
        if not building.startswith(grid):
            raise CommandRefused(f"building {building} is not in grid {grid}", "building")
        if not await tx.write(residents.BUILDING_OF_GRID, {"building": building, "grid": grid}):
            raise CommandRefused(f"grid {grid} has no building {building}", "building")


async def _after(tx: TransactionWriter, person: str, editor: Editor) -> ResidentChange:
    rows = await tx.write(residents.VERSION_AND_STATUS, {"person": person})
    return ResidentChange(person, rows[0]["version"], rows[0]["status"])


async def register(
    graph: GraphClient, new: NewResident, editor: Editor, claim: IdempotencyClaim | None
) -> ResidentChange:
    """Register a resident in a grid of the caller's (a person already known is refused)."""

    async def work(tx: TransactionWriter) -> ResidentChange:
        await require_home(tx, new.grid, new.building, editor)
        found = await tx.write(
            residents.PERSON_BY_HASH, _params(editor, hash=new.protected["idCardHash"])
        )
        if found and not found[0]["visible"]:
            raise PersonOutOfScope([new.id])
        if found:
            message = f"this ID-card number is already registered as person {found[0]['id']};"
            raise CommandRefused(message + " move that resident instead", "input.idCard")
        row = {
            **new.protected,
            "id": new.id,
            "name": new.name,
            "gender": new.gender,
            "birthDate": new.birth_date,
            "address": new.address,
            "colourLabel": new.colour_label,
            "tags": list(new.tags),
        }
        await tx.write(residents.CREATE_RESIDENT, {"row": row, "at": editor.at})
        move = {
            "person": new.id,
            "grid": new.grid,
            "building": new.building,
            "address": new.address,
            "since": new.since,
            "why": "moved",
            "at": editor.at,
        }
        await tx.write(residents.MOVE, move)
        return await _after(tx, new.id, editor)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


async def move(
    graph: GraphClient,
    person: str,
    grid: str,
    building: str | None,
    address: str | None,
    since: date,
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> ResidentChange:
    """Move a resident (grid, building, address): the current period ends, a new one starts."""

    async def work(tx: TransactionWriter) -> ResidentChange:
        locked = await lock_resident(tx, person, editor, expected, "person")
        await require_home(tx, grid, building, editor)
        current = locked.since
        if current is not None and since < current:
            message = f"the move must not be before the current residence began ({current})"
            raise CommandRefused(message, "since")
        params = {
            "person": person,
            "grid": grid,
            "building": building,
            "address": address,
            "since": since,
            "why": "moved",
            "at": editor.at,
        }
        await tx.write(residents.MOVE, params)
        return await _after(tx, person, editor)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


async def depart(
    graph: GraphClient,
    person: str,
    why: Departure,
    on: date,
    note: str | None,
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> ResidentChange:
    """Record that a resident left (moved away) or died: residence and household end."""

    async def work(tx: TransactionWriter) -> ResidentChange:
        locked = await lock_resident(tx, person, editor, expected, "person")
        if locked.grid is None:
            raise CommandRefused("the person has no current residence", "person")
        params = {"person": person, "why": why.value, "on": on, "note": note, "at": editor.at}
        await tx.write(residents.DEPART, params)
        return await _after(tx, person, editor)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


async def correct(
    graph: GraphClient,
    person: str,
    details: Mapping[str, Any],
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> ResidentChange:
    """Correct a resident's name, address or phone (details: name, address, phone flag and
    the protected phone properties)."""

    async def work(tx: TransactionWriter) -> ResidentChange:
        await lock_resident(tx, person, editor, expected, "person")
        await tx.write(residents.CORRECT, {"person": person, "at": editor.at, **details})
        return await _after(tx, person, editor)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


@dataclass(frozen=True)
class LabelEdit:
    """A change of one label field to `after` (a colour and a grade are one-item lists)."""

    field: LabelField
    after: tuple[str, ...]


def _current(locked: Locked, label: LabelField) -> list[str]:
    value = locked.values[label.value]
    if label is LabelField.TAGS:
        return sorted(value or [])
    return [] if value is None else [value]


async def change_labels(
    graph: GraphClient,
    person: str,
    edits: Sequence[LabelEdit],
    reason: str,
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> ResidentChange:
    """Change a person's colour label, key-person tags or grade, each change kept as history
    (one LabelChange per field that changes; none when nothing changes)."""

    async def work(tx: TransactionWriter) -> ResidentChange:
        locked = await lock_resident(tx, person, editor, expected, "person")
        made: list[str] = []
        for edit in edits:
            before = _current(locked, edit.field)
            after = sorted(edit.after) if edit.field is LabelField.TAGS else list(edit.after)
            if before == after:
                continue
            change_id = f"LC{uuid.uuid4().hex[:20]}"
            await tx.write(
                residents.CHANGE_LABEL,
                {
                    "person": person,
                    "id": change_id,
                    "at": editor.at,
                    "field": edit.field.value,
                    "before": before,
                    "after": after,
                    "reason": reason,
                    "subject": editor.subject,
                    "byPerson": editor.person_id,
                },
            )
            made.append(change_id)
        found = await _after(tx, person, editor)
        return ResidentChange(person, found.version, found.status, made)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)
