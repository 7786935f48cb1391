"""The grid worker's monthly six-element upkeep (六大要素: 人、地、事、物、情、组织): "网格员每月对
辖区范围内的人、地、事、物、情、组织六大要素信息进行采集更新" (the article).

Each upkeep session is an `(:ElementUpdate {id, at, elements, note, bySubject, byPerson})
-[:OF_GRID]->(:Grid)` (history, never overwritten); the latest confirmation of each element is
kept on `(:GridElement {id: grid code + ':' + element, element, updatedAt, bySubject})
-[:OF_GRID]->(:Grid)` (Grid.elementsUpdatedAt). A grid is stale when one of its six elements
was not updated within the month before a day (the scorecards' column).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, LiteralString

from graph import places
from graph import scope as row_scope
from graph.case_commands import IdempotencyClaim
from graph.claimed_writes import run_claimed
from graph.client import CypherWriter, GraphClient, TransactionWriter
from graph.resident_commands import Editor, Unknown
from graph.residents import GRID_IN_SCOPE
from graph.traversal import Hop, NodeSpec, Scope, scope_params


class Element(StrEnum):
    """The six elements (六大要素)."""

    PEOPLE = "people"  # 人
    PLACES = "places"  # 地
    EVENTS = "events"  # 事
    THINGS = "things"  # 物
    SENTIMENT = "sentiment"  # 情 (社情民意)
    ORGANIZATIONS = "organizations"  # 组织


RECORD_UPDATE: LiteralString = """
MATCH (g:Grid {code: $grid})
CREATE (:ElementUpdate {id: $id, at: $at, elements: $elements, note: $note,
                       bySubject: $subject, byPerson: $byPerson})-[:OF_GRID]->(g)
WITH g
UNWIND $elements AS element
MERGE (e:GridElement {id: $grid + ':' + element})
ON CREATE SET e.element = element
SET e.updatedAt = $at, e.bySubject = $subject
MERGE (e)-[:OF_GRID]->(g)
"""

UPSERT_UPDATES: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (u:ElementUpdate {id: row.id})
SET u.at = row.at, u.elements = row.elements, u.note = row.note, u.bySubject = row.bySubject,
    u.byPerson = row.byPerson
MERGE (u)-[:OF_GRID]->(g)
"""

UPSERT_STATES: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (e:GridElement {id: row.gridCode + ':' + row.element})
SET e.element = row.element, e.updatedAt = row.updatedAt, e.bySubject = row.bySubject
MERGE (e)-[:OF_GRID]->(g)
"""


def _stale(scoped: bool) -> LiteralString:
    where = " AND " + row_scope.visible("Grid", "g") if scoped else ""
    return (
        "MATCH (g:Grid) WHERE g.code STARTS WITH $prefix"
        + where
        + """
CALL (g) {
  OPTIONAL MATCH (g)<-[:OF_GRID]-(u:ElementUpdate) WHERE u.at >= $cutoff AND u.at < $asOf
  UNWIND coalesce(u.elements, []) AS element
  RETURN count(DISTINCT element) AS fresh
}
RETURN count(g) AS grids, count(CASE WHEN fresh < $six THEN 1 END) AS stale,
       collect(CASE WHEN fresh < $six THEN g.code END)[..$limit] AS staleCodes
"""
    )


STALE_GRIDS = _stale(False)
STALE_GRIDS_SCOPED = _stale(True)


async def upsert_updates(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Upkeep sessions (rows: id, gridCode, at, elements, note, bySubject, byPerson)."""
    checked = [{**row, "elements": [Element(e).value for e in row["elements"]]} for row in rows]
    await graph.write(UPSERT_UPDATES, {"rows": checked})


async def upsert_states(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """The latest update of each element (rows: gridCode, element, updatedAt, bySubject)."""
    await graph.write(UPSERT_STATES, {"rows": list(rows)})


@dataclass(frozen=True)
class ElementUpkeep:
    """Grids of a place whose six elements were (not) all updated in the month before asOf."""

    grids: int
    stale: int
    stale_codes: list[str]


async def stale_grids(
    graph: GraphClient,
    prefix: str,
    as_of: datetime,
    cutoff: datetime,
    scope: Scope = None,
    limit: int = 50,
) -> ElementUpkeep:
    """How many grids under `prefix` had an element not updated in [cutoff, as_of)."""
    query = STALE_GRIDS if scope is None else STALE_GRIDS_SCOPED
    params = {"prefix": prefix, "asOf": as_of, "cutoff": cutoff, "six": len(Element)}
    [row] = await graph.read(query, {**params, "limit": limit, **scope_params(scope)})
    return ElementUpkeep(row["grids"], row["stale"], list(row["staleCodes"]))


@dataclass(frozen=True)
class UpkeepRecord:
    """What an upkeep session recorded."""

    grid: str
    update_id: str
    elements: list[str]
    at: str  # ISO datetime
    replayed: bool = False


def _encode(record: UpkeepRecord) -> str:
    return json.dumps({k: v for k, v in asdict(record).items() if k != "replayed"})


def _decode(text: str) -> UpkeepRecord:
    return UpkeepRecord(**json.loads(text), replayed=True)


async def record_update(
    graph: GraphClient,
    grid: str,
    elements: Sequence[Element],
    note: str | None,
    editor: Editor,
    claim: IdempotencyClaim | None,
) -> UpkeepRecord:
    """Record that the grid's worker collected and updated these elements now."""

    async def work(tx: TransactionWriter) -> UpkeepRecord:
        scope = None if editor.scope is None else list(editor.scope)
        if not await tx.write(GRID_IN_SCOPE, {"grid": grid, "scope": scope}):
            raise Unknown("grid", grid, "grid")
        update = f"EU{uuid.uuid4().hex[:20]}"
        codes = [element.value for element in elements]
        params = {"grid": grid, "id": update, "at": editor.at, "elements": codes, "note": note}
        await tx.write(
            RECORD_UPDATE, {**params, "subject": editor.subject, "byPerson": editor.person_id}
        )
        return UpkeepRecord(grid, update, codes, editor.at.isoformat())

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


# -- reads ----------------------------------------------------------------------------------

GRID_ELEMENT = NodeSpec("GridElement", "id", ("element", "updatedAt", "bySubject"))
GRID_ELEMENTS = Hop(
    places.GRID, "(s:Grid)<-[r:OF_GRID]-(t:GridElement)", GRID_ELEMENT, order="t.element"
)


def month_before(day: date) -> date:
    """The same day a month earlier (the last day of that month when it has none)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    return date(year, month, 28)
