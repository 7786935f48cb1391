"""Import kinds of the graph's upkeep (`gridgraph import --kind buildings|moves|measures`):
buildings (楼栋), residence moves and key-person measures (重点人员措施).

The rows are validated here without a database (formats, codes of policy.toml, dates); the
database checks (the grid exists, the building is in it, the person is known by their ID-card
number) run per batch, and each batch is written in ONE transaction through the same graph/
functions as the seeds (graph/buildings.py, graph/residents.py, graph/key_persons.py), so a
re-imported file changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from graph import buildings, key_persons, persons, residents
from graph.china_time import CHINA_TIME
from graph.client import CypherWriter, GraphClient
from graph.key_persons import key_person_rules
from graph.personal_data import PersonalDataKey, id_card_hash
from graph.places import PlaceLevel, existing_codes
from seeds.import_rows import GRID_CODE_PATTERN, ImportRow, checked_id_card

BUILDING_CODE_PATTERN = r"^\d{18}$"
MEASURE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$"
IMPORT_SUBJECT = "import"

Numbered = list[tuple[int, Any]]
Rejected = list[tuple[int, str, str]]  # (line, field, reason)


class BuildingRow(ImportRow):
    """A building (楼栋) or village group (组) of a grid; its code is the grid code + 3 digits."""

    code: str = Field(pattern=BUILDING_CODE_PATTERN)
    name: str = Field(min_length=1, max_length=50)
    address: str | None = Field(default=None, max_length=200)
    gridCode: str = Field(pattern=GRID_CODE_PATTERN)

    @model_validator(mode="after")
    def _in_its_grid(self) -> BuildingRow:
        if not self.code.startswith(self.gridCode):
            raise ValueError("code must start with the gridCode")
        return self


class MoveRow(ImportRow):
    """A resident's move into a grid (and building) on a day; earlier periods end then."""

    idCard: str
    gridCode: str = Field(pattern=GRID_CODE_PATTERN)
    buildingCode: str | None = Field(default=None, pattern=BUILDING_CODE_PATTERN)
    address: str | None = Field(default=None, max_length=200)
    since: date

    @field_validator("idCard")
    @classmethod
    def _id_card(cls, value: str) -> str:
        return checked_id_card(value)

    @field_validator("since")
    @classmethod
    def _past(cls, value: date) -> date:
        if value > date.today() or value.year < 1900:
            raise ValueError("since must be a past day")
        return value

    @model_validator(mode="after")
    def _building_in_grid(self) -> MoveRow:
        if self.buildingCode is not None and not self.buildingCode.startswith(self.gridCode):
            raise ValueError("buildingCode must be a building of gridCode")
        return self

    @property
    def key(self) -> str:
        """One move per person and day."""
        return f"{self.idCard}@{self.since.isoformat()}"


class MeasureRow(ImportRow):
    """A key-person measure (帮扶/教育/稳控) with its due day, open or done."""

    id: str = Field(pattern=MEASURE_ID_PATTERN)
    idCard: str
    kind: str
    description: str = Field(min_length=1, max_length=1000)
    dueOn: date
    status: Literal["open", "done"] = "open"

    @field_validator("idCard")
    @classmethod
    def _id_card(cls, value: str) -> str:
        return checked_id_card(value)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        kinds = [code for code, _ in key_person_rules().measure_kinds]
        if value not in kinds:
            raise ValueError(f"unknown measure kind {value!r}; expected one of {', '.join(kinds)}")
        return value


async def _known_grids(graph: GraphClient, rows: Numbered) -> set[str]:
    return await existing_codes(graph, PlaceLevel.GRID, (row.gridCode for _, row in rows))


async def _known_people(graph: GraphClient, key: PersonalDataKey, rows: Numbered) -> dict[str, str]:
    """Person id by ID-card number, for the rows' known persons."""
    hashes = {row.idCard: id_card_hash(key, row.idCard) for _, row in rows}
    found = await persons.person_ids_by_id_card_hash(graph, hashes.values())
    return {card: found[value] for card, value in hashes.items() if value in found}


async def write_buildings(
    graph: GraphClient, key: PersonalDataKey, rows: Numbered
) -> tuple[Numbered, Rejected]:
    """Upsert the buildings of known grids (one transaction)."""
    grids = await _known_grids(graph, rows)
    accepted = [(line, row) for line, row in rows if row.gridCode in grids]
    rejected: Rejected = [
        (line, "gridCode", f"unknown grid {row.gridCode}")
        for line, row in rows
        if row.gridCode not in grids
    ]
    values = [row.model_dump() for _, row in accepted]

    async def write(tx: CypherWriter) -> None:
        await buildings.upsert_buildings(tx, values)

    if values:
        await graph.in_one_transaction(write)
    return accepted, rejected


async def write_moves(
    graph: GraphClient, key: PersonalDataKey, rows: Numbered
) -> tuple[Numbered, Rejected]:
    """Record the moves of known persons into known grids and buildings (one transaction)."""
    grids = await _known_grids(graph, rows)
    people = await _known_people(graph, key, rows)
    wanted = sorted({row.buildingCode for _, row in rows if row.buildingCode})
    known = {r["code"] for r in await graph.read(residents.EXISTING_BUILDINGS, {"codes": wanted})}
    accepted: Numbered = []
    rejected: Rejected = []
    for line, row in rows:
        if row.gridCode not in grids:
            rejected.append((line, "gridCode", f"unknown grid {row.gridCode}"))
        elif row.idCard not in people:
            rejected.append((line, "idCard", "no known person with this ID-card number"))
        elif row.buildingCode and row.buildingCode not in known:
            rejected.append((line, "buildingCode", f"unknown building {row.buildingCode}"))
        else:
            accepted.append((line, row))
    moves = [
        {
            "personId": people[row.idCard],
            "gridCode": row.gridCode,
            "buildingCode": row.buildingCode,
            "address": row.address,
            "since": row.since,
        }
        for _, row in accepted
    ]

    async def write(tx: CypherWriter) -> None:
        await residents.record_moves(tx, moves)

    if moves:
        await graph.in_one_transaction(write)
    return accepted, rejected


async def write_measures(
    graph: GraphClient, key: PersonalDataKey, rows: Numbered
) -> tuple[Numbered, Rejected]:
    """Upsert the measures of known persons (one transaction)."""
    people = await _known_people(graph, key, rows)
    accepted = [(line, row) for line, row in rows if row.idCard in people]
    reason = "no known person with this ID-card number (import the residents first)"
    rejected: Rejected = [(line, "idCard", reason) for line, r in rows if r.idCard not in people]
    at = datetime.now(CHINA_TIME)
    values = [
        {
            "id": row.id,
            "personId": people[row.idCard],
            "kind": row.kind,
            "description": row.description,
            "dueOn": row.dueOn,
            "status": row.status,
            "createdAt": at,
            "createdBy": IMPORT_SUBJECT,
            "closedAt": at if row.status == "done" else None,
            "assigneeId": None,
        }
        for _, row in accepted
    ]

    async def write(tx: CypherWriter) -> None:
        await key_persons.upsert_measures(tx, values)

    if values:
        await graph.in_one_transaction(write)
    return accepted, rejected


Writer = Callable[[GraphClient, PersonalDataKey, Numbered], Awaitable[tuple[Numbered, Rejected]]]
BatchWriter = Callable[[GraphClient, PersonalDataKey, Numbered, Any], Awaitable[Numbered]]
