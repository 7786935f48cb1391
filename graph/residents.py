"""Residents over time: where a person lives (grid, building, address) with its history, their
status (living here, departed, deceased) and the history of their 六色 colour label and key-person
(重点人员) tags.

A residence period is an edge to the grid: `RESIDES_IN {since, address, recordedAt}` while it
lasts, `RESIDED_IN {since, until, address, leftBecause, recordedAt}` once it has ended. When the
building is known, a `LIVES_AT {since, until}` edge goes to the building (楼栋). A move ends the
current period (its RESIDES_IN becomes a RESIDED_IN with `until` and `leftBecause`) and starts a
new one: periods are never overwritten, so moving back to a former grid makes a second edge.
`RESIDES_IN` therefore means "lives there now", and only persons have it: a grid's residents
now are exactly its incoming RESIDES_IN edges, so their count is the grid's degree
(graph/persons.py, RESIDENTS_IN_PLACE). A label or tag change is a
`(:Person)-[:LABEL_CHANGED]->(:LabelChange {id, at, field, before, after, reason, bySubject,
byPerson})` node. `Person.version` counts changes to the person (expectedVersion).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import buildings, places
from graph import scope as row_scope
from graph.client import CypherWriter
from graph.persons import PERSON
from graph.traversal import Hop, NodeSpec


class Departure(StrEnum):
    """Why a residence ended without a move inside the graph."""

    MOVED_AWAY = "moved_away"  # left the district, or for a grid the caller cannot see
    DECEASED = "deceased"


class LabelField(StrEnum):
    """What a LabelChange changed."""

    COLOUR = "colourLabel"
    TAGS = "tags"
    KEY_GRADE = "keyPersonGrade"


# The caller's resident: the person, locked, with their current grid (null when none) and
# version. A scoped caller finds only persons living now in a grid inside `$scope` (a person
# who is only party to a case there is not theirs to change). `SET p._lock` takes the node's
# write lock before the version is read (two editors queue; the second sees the new version).
LOCK_RESIDENT: LiteralString = (
    """
MATCH (p:Person {id: $person})
OPTIONAL MATCH (p)-[home:RESIDES_IN]->(g:Grid)
WITH p, g, home
WHERE $scope IS NULL OR (g IS NOT NULL AND """
    + row_scope.inside("g.code")
    + """)
SET p._lock = true
REMOVE p._lock
RETURN p.id AS id, coalesce(p.version, 0) AS version, p.status AS status, g.code AS grid,
       p.colourLabel AS colourLabel, coalesce(p.tags, []) AS tags,
       p.keyPersonGrade AS keyPersonGrade, p.birthDate AS birthDate, home.since AS since
ORDER BY home.since DESC
LIMIT 1
"""
)

# The grid `$grid` if the caller may act in it: inside `$scope` (or unrestricted).
GRID_IN_SCOPE: LiteralString = (
    """
MATCH (g:Grid {code: $grid})
WHERE $scope IS NULL OR """
    + row_scope.inside("g.code")
    + """
RETURN g.code AS code
"""
)

BUILDING_OF_GRID: LiteralString = """
MATCH (b:Building {code: $building})-[:PART_OF]->(:Grid {code: $grid})
RETURN b.code AS code
"""

# Which of `$codes` are buildings (the import of moves).
EXISTING_BUILDINGS: LiteralString = """
UNWIND $codes AS code
MATCH (b:Building {code: code})
RETURN b.code AS code
"""

# A person's version and status after a change.
VERSION_AND_STATUS: LiteralString = """
MATCH (p:Person {id: $person})
RETURN coalesce(p.version, 0) AS version, coalesce(p.status, 'resident') AS status
"""

# Any person with this ID-card blind index, and whether the caller could see them.
PERSON_BY_HASH: LiteralString = (
    """
MATCH (p:Person {idCardHash: $hash})
RETURN p.id AS id, $scope IS NULL OR """
    + row_scope.visible("Person", "p")
    + """ AS visible
"""
)

CREATE_RESIDENT: LiteralString = """
CREATE (p:Person:Resident {id: $row.id})
SET p.name = $row.name, p.gender = $row.gender, p.birthDate = $row.birthDate,
    p.address = $row.address, p.colourLabel = $row.colourLabel, p.tags = $row.tags,
    p.idCardHash = $row.idCardHash, p.idCardCipher = $row.idCardCipher,
    p.idCardMasked = $row.idCardMasked, p.phoneHash = $row.phoneHash,
    p.phoneCipher = $row.phoneCipher, p.phoneMasked = $row.phoneMasked,
    p.status = 'resident', p.version = 1, p.updatedAt = $at
"""


def _end_residences(
    until: LiteralString,
    why: LiteralString,
    begun_before: LiteralString = "",
    over: LiteralString = "p",
) -> LiteralString:
    """Cypher: unit subqueries (importing `over`) that end `p`'s current residence periods
    (only those begun before `begun_before`, when given) at `until` because of `why`: each
    RESIDES_IN edge becomes a RESIDED_IN edge with the same properties plus `until` and
    `leftBecause`; each open LIVES_AT edge gets `until` and `leftBecause`."""
    earlier = f" AND old.since < {begun_before}" if begun_before else ""
    only_earlier = f"\n  WHERE old.since < {begun_before}" if begun_before else ""
    text = f"""CALL ({over}) {{
  MATCH (p)-[old:RESIDES_IN]->(g:Grid){only_earlier}
  CREATE (p)-[past:RESIDED_IN]->(g)
  SET past = properties(old), past.until = {until}, past.leftBecause = {why}
  DELETE old
}}
CALL ({over}) {{
  MATCH (p)-[old:LIVES_AT]->()
  WHERE old.until IS NULL{earlier}
  SET old.until = {until}, old.leftBecause = {why}
}}
"""
    return text  # built only from the constants of this module


# Ends the current residence (grid and building) and starts a new one.
MOVE: LiteralString = (
    """
MATCH (p:Person {id: $person})
"""
    + _end_residences("$since", "$why")
    + """WITH p
MATCH (g:Grid {code: $grid})
CREATE (p)-[:RESIDES_IN {since: $since, address: $address, recordedAt: $at}]->(g)
WITH p
CALL (p) {
  MATCH (b:Building {code: $building})
  CREATE (p)-[:LIVES_AT {since: $since, recordedAt: $at}]->(b)
}
SET p.address = $address, p.status = 'resident', p:Resident,
    p.version = coalesce(p.version, 0) + 1, p.updatedAt = $at
"""
)

DEPART: LiteralString = (
    """
MATCH (p:Person {id: $person})
"""
    + _end_residences("$on", "$why")
    + """CALL (p) {
  OPTIONAL MATCH (p)-[m:MEMBER_OF_HOUSEHOLD WHERE m.until IS NULL]->()
  SET m.until = $on, m.leftBecause = $why
}
SET p.status = $why, p.departedOn = $on, p.departureNote = $note,
    p.version = coalesce(p.version, 0) + 1, p.updatedAt = $at
"""
)

# Details a correction may change; null parameters leave the property as it is.
CORRECT: LiteralString = """
MATCH (p:Person {id: $person})
SET p.name = coalesce($name, p.name),
    p.address = coalesce($address, p.address),
    p.phoneHash = CASE WHEN $phone THEN $phoneHash ELSE p.phoneHash END,
    p.phoneCipher = CASE WHEN $phone THEN $phoneCipher ELSE p.phoneCipher END,
    p.phoneMasked = CASE WHEN $phone THEN $phoneMasked ELSE p.phoneMasked END,
    p.version = coalesce(p.version, 0) + 1, p.updatedAt = $at
WITH p
OPTIONAL MATCH (p)-[home:RESIDES_IN]->(:Grid)
SET home.address = coalesce($address, home.address)
"""

# One change of a label field, kept as history.
CHANGE_LABEL: LiteralString = """
MATCH (p:Person {id: $person})
CREATE (p)-[:LABEL_CHANGED]->(c:LabelChange {
  id: $id, at: $at, field: $field, before: $before, after: $after, reason: $reason,
  bySubject: $subject, byPerson: $byPerson
})
WITH p
SET p.colourLabel = CASE $field WHEN 'colourLabel' THEN $after[0] ELSE p.colourLabel END,
    p.tags = CASE $field WHEN 'tags' THEN $after ELSE p.tags END,
    p.keyPersonGrade = CASE $field WHEN 'keyPersonGrade' THEN $after[0]
                       ELSE p.keyPersonGrade END,
    p.version = coalesce(p.version, 0) + 1, p.updatedAt = $at
"""


# -- batch writes (seeds, import) -----------------------------------------------------------

UPSERT_BUILDING_RESIDENCES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (b:Building {code: row.buildingCode})
MERGE (p)-[r:LIVES_AT {since: row.since}]->(b)
SET r.until = row.until
"""

# A current residence period by its start (import of moves): importing the same move again
# changes nothing.
START_RESIDENCES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (g:Grid {code: row.gridCode})
MERGE (p)-[r:RESIDES_IN {since: row.since}]->(g)
SET r.address = coalesce(row.address, r.address)
"""

# Ends the periods a moved person had before `row.since` (import of moves).
CLOSE_EARLIER_PERIODS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
""" + _end_residences("row.since", "'moved'", begun_before="row.since", over="p, row")

SET_CURRENT_ADDRESS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
SET p.address = coalesce(row.address, p.address)
"""

UPSERT_LABEL_CHANGES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MERGE (c:LabelChange {id: row.id})
SET c.at = row.at, c.field = row.field, c.before = row.before, c.after = row.after,
    c.reason = row.reason, c.bySubject = row.bySubject, c.byPerson = row.byPerson
MERGE (p)-[:LABEL_CHANGED]->(c)
"""

SET_KEY_GRADES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
SET p.keyPersonGrade = row.grade
"""


async def set_key_grades(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Key-person grades (rows: personId, grade)."""
    await graph.write(SET_KEY_GRADES, {"rows": list(rows)})


async def upsert_building_residences(
    graph: CypherWriter, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Link residents to their building (rows: personId, buildingCode, since, until)."""
    await graph.write(UPSERT_BUILDING_RESIDENCES, {"rows": [_period(row) for row in rows]})


async def record_moves(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Moves (rows: personId, gridCode, buildingCode, address, since): earlier periods end at
    `since`, the new ones start then; the same move imported again changes nothing."""
    periods = [_period(row) for row in rows]
    await graph.write(CLOSE_EARLIER_PERIODS, {"rows": periods})
    await graph.write(START_RESIDENCES, {"rows": periods})
    with_building = [row for row in periods if row.get("buildingCode")]
    await graph.write(UPSERT_BUILDING_RESIDENCES, {"rows": with_building})
    await graph.write(SET_CURRENT_ADDRESS, {"rows": periods})


def _period(row: Mapping[str, Any]) -> dict[str, Any]:
    found = {"until": None, "leftBecause": None, "address": None, "buildingCode": None}
    return {**found, **row}


async def upsert_label_changes(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Label history (rows: id, personId, at, field, before, after, reason, bySubject,
    byPerson)."""
    checked = [{**row, "field": LabelField(row["field"]).value} for row in rows]
    await graph.write(UPSERT_LABEL_CHANGES, {"rows": checked})


# -- reads ----------------------------------------------------------------------------------

LABEL_CHANGE = NodeSpec(
    "LabelChange", "id", ("at", "field", "before", "after", "reason", "bySubject", "byPerson")
)
PERSON_LABEL_HISTORY = Hop(
    PERSON, "(s:Person)-[r:LABEL_CHANGED]->(t:LabelChange)", LABEL_CHANGE, order="t.at DESC, t.id"
)
# Every residence period, newest first (the current one, RESIDES_IN, has no `until`; periods
# begun the same day in the order they were recorded).
PERSON_RESIDENCES = Hop(
    PERSON,
    "(s:Person)-[r:RESIDES_IN|RESIDED_IN]->(t:Grid)",
    places.GRID,
    edge=("since", "until", "address", "leftBecause"),
    order="r.since DESC, r.recordedAt DESC, t.code",
)
PERSON_BUILDING = Hop(
    PERSON,
    "(s:Person)-[r:LIVES_AT]->(t:Building)",
    buildings.BUILDING,
    edge=("since",),
    where="r.until IS NULL",
)
BUILDING_RESIDENTS = Hop(
    buildings.BUILDING,
    "(s:Building)<-[r:LIVES_AT]-(t:Person)",
    PERSON,
    edge=("since",),
    where="r.until IS NULL",
    order="t.name, t.id",
)
