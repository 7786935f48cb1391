"""`gridgraph import FILE --kind visits`: partners' and the platform's patrol and home-visit
logs (巡查、入户走访), validated per row, checked against the graph per batch, written in one
transaction per batch through graph/visits.py (the seeds' and the mutation's function).

A row names its visitor and the persons visited by ID-card number (known persons only:
import the residents first), optionally a building of its grid and the hazard case the
visit found (a case of the same grid: import the cases first). Re-importing the same file
changes nothing (visits are merged on their id).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, LiteralString

from pydantic import Field, field_validator, model_validator

from graph import persons, visits
from graph.china_time import CHINA_TIME
from graph.client import CypherWriter, GraphClient
from graph.personal_data import PersonalDataKey, id_card_hash
from graph.places import PlaceLevel, existing_codes
from graph.visits import VisitKind
from seeds.import_rows import (
    CASE_CODE_PATTERN,
    GRID_CODE_PATTERN,
    ImportRow,
    TextList,
    checked_id_card,
)

VISIT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{2,59}$"
MAX_VISITED = 50

# Which of the (building, grid) pairs name a building of that grid ('building@grid').
BUILDINGS_OF_GRIDS: LiteralString = """
UNWIND $pairs AS pair
MATCH (:Building {code: pair.building})-[:PART_OF]->(:Grid {code: pair.grid})
RETURN pair.building + '@' + pair.grid AS building
"""
# Which of the (case, grid) pairs name a case that occurred in that grid ('case@grid').
CASES_OF_GRIDS: LiteralString = """
UNWIND $pairs AS pair
MATCH (:Case {code: pair.case})-[:OCCURRED_IN]->(:Grid {code: pair.grid})
RETURN pair.case + '@' + pair.grid AS case
"""


class VisitRow(ImportRow):
    """A patrol or home visit logged in a grid."""

    id: str = Field(pattern=VISIT_ID_PATTERN)
    kind: VisitKind
    at: datetime
    durationMinutes: int = Field(ge=1, le=visits.MAX_DURATION_MINUTES)
    gridCode: str = Field(pattern=GRID_CODE_PATTERN)
    visitorIdCard: str
    visitedIdCards: TextList = Field(default=[], max_length=MAX_VISITED)
    buildingCode: str | None = Field(default=None, pattern=r"^\d{18}$")
    notes: str | None = Field(default=None, max_length=2000)
    hazardCaseCode: str | None = Field(default=None, pattern=CASE_CODE_PATTERN)

    @field_validator("at")
    @classmethod
    def _china_time_and_past(cls, value: datetime) -> datetime:
        value = value if value.tzinfo is not None else value.replace(tzinfo=CHINA_TIME)
        if value > datetime.now(CHINA_TIME):
            raise ValueError("a visit cannot be in the future")
        return value

    @field_validator("visitorIdCard")
    @classmethod
    def _visitor(cls, value: str) -> str:
        return checked_id_card(value)

    @field_validator("visitedIdCards")
    @classmethod
    def _visited(cls, value: list[str]) -> list[str]:
        cards = [checked_id_card(card) for card in value]
        if len(set(cards)) != len(cards):
            raise ValueError("a person is listed twice")
        return cards

    @model_validator(mode="after")
    def _building_in_grid(self) -> VisitRow:
        if self.buildingCode is not None and not self.buildingCode.startswith(self.gridCode):
            raise ValueError("buildingCode is not a building of gridCode")
        if self.kind is VisitKind.HOME_VISIT and not self.visitedIdCards and not self.buildingCode:
            raise ValueError("a home visit names the persons visited or the building")
        return self


async def _found(
    graph: GraphClient, query: LiteralString, key: str, pairs: list[dict[str, Any]]
) -> set[str]:
    if not pairs:
        return set()
    return {row[key] for row in await graph.read(query, {"pairs": pairs})}


Rejected = list[tuple[int, str, str]]  # (line, field, reason)


async def write_visits(
    graph: GraphClient, key: PersonalDataKey, rows: Iterable[tuple[int, VisitRow]]
) -> tuple[list[tuple[int, VisitRow]], Rejected]:
    """Check a batch against the graph and write the rows that pass, in ONE transaction;
    (accepted rows, rejections)."""
    rows = list(rows)
    grids = await existing_codes(graph, PlaceLevel.GRID, (r.gridCode for _, r in rows))
    cards = {card for _, r in rows for card in [r.visitorIdCard, *r.visitedIdCards]}
    hashes = {card: id_card_hash(key, card) for card in cards}
    people = await persons.person_ids_by_id_card_hash(graph, hashes.values())
    building_pairs = [
        {"building": r.buildingCode, "grid": r.gridCode} for _, r in rows if r.buildingCode
    ]
    case_pairs = [
        {"case": r.hazardCaseCode, "grid": r.gridCode} for _, r in rows if r.hazardCaseCode
    ]
    known_buildings = await _found(graph, BUILDINGS_OF_GRIDS, "building", building_pairs)
    known_cases = await _found(graph, CASES_OF_GRIDS, "case", case_pairs)
    accepted: list[tuple[int, VisitRow]] = []
    rejected: Rejected = []
    out: list[dict[str, Any]] = []
    unknown_person = "no known person with this ID-card number (import the residents first)"
    for line, row in rows:
        if row.gridCode not in grids:
            rejected.append((line, "gridCode", f"unknown grid {row.gridCode}"))
        elif hashes[row.visitorIdCard] not in people:
            rejected.append((line, "visitorIdCard", unknown_person))
        elif any(hashes[card] not in people for card in row.visitedIdCards):
            rejected.append((line, "visitedIdCards", unknown_person))
        elif row.buildingCode and f"{row.buildingCode}@{row.gridCode}" not in known_buildings:
            rejected.append((line, "buildingCode", f"no building {row.buildingCode} in the grid"))
        elif row.hazardCaseCode and f"{row.hazardCaseCode}@{row.gridCode}" not in known_cases:
            reason = f"no case {row.hazardCaseCode} in the grid (import the cases first)"
            rejected.append((line, "hazardCaseCode", reason))
        else:
            accepted.append((line, row))
            out.append(
                {
                    "id": row.id,
                    "kind": row.kind.value,
                    "at": row.at,
                    "durationMinutes": row.durationMinutes,
                    "notes": row.notes,
                    "gridCode": row.gridCode,
                    "visitorId": people[hashes[row.visitorIdCard]],
                    "buildingCode": row.buildingCode,
                    "visitedIds": [people[hashes[card]] for card in row.visitedIdCards],
                    "hazardCaseCode": row.hazardCaseCode,
                    "version": None,
                }
            )

    async def write(tx: CypherWriter) -> None:
        await visits.upsert_visits(tx, out)

    if out:
        await graph.in_one_transaction(write)
    return accepted, rejected
