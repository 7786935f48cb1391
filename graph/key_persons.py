"""Key persons (重点人员), listed by type (分类: key-person tags) and grade (分级), each with
responsible persons and measures (措施: 帮扶、教育、稳控); grades and measure kinds are data
(policy.toml [[key_person_grades]], [[key_person_measure_kinds]])."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, LiteralString

from graph import places
from graph import scope as row_scope
from graph.client import CypherWriter
from graph.persons import PERSON
from graph.policy import POLICY_FILE
from graph.traversal import Hop, NodeSpec


@dataclass(frozen=True)
class Grade:
    """A key-person grade (分级) and how often its measures are followed up (days)."""

    code: str
    name: str
    follow_up_days: int


@dataclass(frozen=True)
class KeyPersonRules:
    """The grades and measure kinds of policy.toml."""

    grades: tuple[Grade, ...]
    measure_kinds: tuple[tuple[str, str], ...]  # (code, name)

    def grade(self, code: str) -> Grade:
        """The grade with this code."""
        return next(grade for grade in self.grades if grade.code == code)


@cache
def key_person_rules() -> KeyPersonRules:
    """Read once from policy.toml."""
    data = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))
    grades = tuple(
        Grade(g["code"], g["name"], int(g["follow_up_days"])) for g in data["key_person_grades"]
    )
    kinds = tuple((k["code"], k["name"]) for k in data["key_person_measure_kinds"])
    return KeyPersonRules(grades, kinds)


def grade_codes() -> tuple[str, ...]:
    """The grade codes, highest risk first."""
    return tuple(grade.code for grade in key_person_rules().grades)


# -- the graph --------------------------------------------------------------------------------
#
# (:Person)-[:RESPONSIBLE_FOR {since, until, duty}]->(:Person)   a responsible person (包保责任人)
# (:KeyPersonMeasure {id, kind, description, dueOn, status, createdAt, createdBy, version,
#                     closedAt})-[:FOR_PERSON]->(:Person)      a measure (措施), open until done
# (:KeyPersonMeasure)-[:ASSIGNED_TO]->(:Person)                  who carries it out
# (:KeyPersonMeasure)-[:HAS_FOLLOW_UP]->(:MeasureFollowUp {id, at, note, bySubject, byPerson})

# The measure, locked, with its person and version (nothing when unknown or out of scope:
# the person must live now in a grid inside `$scope`).
LOCK_MEASURE: LiteralString = (
    """
MATCH (m:KeyPersonMeasure {id: $measure})-[:FOR_PERSON]->(p:Person)
OPTIONAL MATCH (p)-[home:RESIDES_IN]->(g:Grid)
WITH m, p, g
WHERE $scope IS NULL OR (g IS NOT NULL AND """
    + row_scope.inside("g.code")
    + """)
SET m._lock = true
REMOVE m._lock
RETURN m.id AS id, p.id AS person, coalesce(m.version, 0) AS version, m.status AS status,
       p.keyPersonGrade AS grade
LIMIT 1
"""
)

# A person the caller may name as responsible or assignee: visible within `$scope`.
VISIBLE_PERSON: LiteralString = (
    """
MATCH (p:Person {id: $person})
WHERE $scope IS NULL OR """
    + row_scope.visible("Person", "p")
    + """
RETURN p.id AS id
"""
)

ASSIGN_RESPONSIBLE: LiteralString = """
MATCH (p:Person {id: $person})
MATCH (r:Person {id: $responsible})
WHERE NOT EXISTS { (r)-[x:RESPONSIBLE_FOR WHERE x.until IS NULL]->(p) }
CREATE (r)-[:RESPONSIBLE_FOR {since: $since, duty: $duty, assignedBy: $subject}]->(p)
SET p.version = coalesce(p.version, 0) + 1, p.updatedAt = $at
"""

RELEASE_RESPONSIBLE: LiteralString = """
MATCH (:Person {id: $responsible})-[x:RESPONSIBLE_FOR WHERE x.until IS NULL]->
      (p:Person {id: $person})
SET x.until = $since, p.version = coalesce(p.version, 0) + 1, p.updatedAt = $at
RETURN count(x) AS released
"""

ADD_MEASURE: LiteralString = """
MATCH (p:Person {id: $person})
CREATE (m:KeyPersonMeasure {
  id: $id, kind: $kind, description: $description, dueOn: $dueOn, status: 'open',
  createdAt: $at, createdBy: $subject, version: 1
})-[:FOR_PERSON]->(p)
WITH m
CALL (m) {
  MATCH (a:Person {id: $assignee})
  CREATE (m)-[:ASSIGNED_TO]->(a)
}
"""

FOLLOW_UP: LiteralString = """
MATCH (m:KeyPersonMeasure {id: $measure})
CREATE (m)-[:HAS_FOLLOW_UP]->(:MeasureFollowUp {
  id: $id, at: $at, note: $note, bySubject: $subject, byPerson: $byPerson
})
SET m.version = coalesce(m.version, 0) + 1, m.lastFollowUpAt = $at,
    m.dueOn = CASE WHEN $done THEN m.dueOn ELSE $nextDue END,
    m.status = CASE WHEN $done THEN 'done' ELSE m.status END,
    m.closedAt = CASE WHEN $done THEN $at ELSE m.closedAt END
RETURN m.version AS version, m.status AS status, m.dueOn AS dueOn
"""

UPSERT_MEASURES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MERGE (m:KeyPersonMeasure {id: row.id})
SET m.kind = row.kind, m.description = row.description, m.dueOn = row.dueOn,
    m.status = row.status, m.createdAt = coalesce(m.createdAt, row.createdAt),
    m.createdBy = coalesce(m.createdBy, row.createdBy), m.version = coalesce(m.version, 1),
    m.closedAt = CASE WHEN row.status = 'done' THEN coalesce(m.closedAt, row.closedAt) END
MERGE (m)-[:FOR_PERSON]->(p)
WITH m, row
CALL (m, row) {
  MATCH (a:Person {id: row.assigneeId})
  MERGE (m)-[:ASSIGNED_TO]->(a)
}
"""

UPSERT_FOLLOW_UPS: LiteralString = """
UNWIND $rows AS row
MATCH (m:KeyPersonMeasure {id: row.measureId})
MERGE (f:MeasureFollowUp {id: row.id})
SET f.at = row.at, f.note = row.note, f.bySubject = row.bySubject, f.byPerson = row.byPerson
MERGE (m)-[:HAS_FOLLOW_UP]->(f)
"""

UPSERT_RESPONSIBLE: LiteralString = """
UNWIND $rows AS row
MATCH (r:Person {id: row.responsibleId})
MATCH (p:Person {id: row.personId})
MERGE (r)-[x:RESPONSIBLE_FOR]->(p)
SET x.since = row.since, x.duty = row.duty
"""


async def upsert_measures(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Measures (rows: id, personId, kind, description, dueOn, status, createdAt, createdBy,
    closedAt, assigneeId)."""
    await graph.write(UPSERT_MEASURES, {"rows": list(rows)})


async def upsert_follow_ups(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Follow-ups of measures (rows: id, measureId, at, note, bySubject, byPerson)."""
    await graph.write(UPSERT_FOLLOW_UPS, {"rows": list(rows)})


async def upsert_responsible(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Responsible persons (rows: responsibleId, personId, since, duty)."""
    await graph.write(UPSERT_RESPONSIBLE, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

MEASURE = NodeSpec(
    "KeyPersonMeasure",
    "id",
    ("kind", "description", "dueOn", "status", "createdAt", "createdBy", "version", "closedAt"),
)
FOLLOW_UP_SPEC = NodeSpec("MeasureFollowUp", "id", ("at", "note", "bySubject", "byPerson"))
PERSON_MEASURES = Hop(
    PERSON,
    "(s:Person)<-[r:FOR_PERSON]-(t:KeyPersonMeasure)",
    MEASURE,
    order="t.dueOn, t.id",
)
MEASURE_PERSON = Hop(MEASURE, "(s:KeyPersonMeasure)-[r:FOR_PERSON]->(t:Person)", PERSON)
MEASURE_ASSIGNEE = Hop(MEASURE, "(s:KeyPersonMeasure)-[r:ASSIGNED_TO]->(t:Person)", PERSON)
MEASURE_FOLLOW_UPS = Hop(
    MEASURE,
    "(s:KeyPersonMeasure)-[r:HAS_FOLLOW_UP]->(t:MeasureFollowUp)",
    FOLLOW_UP_SPEC,
    order="t.at DESC, t.id",
)
PERSON_RESPONSIBLE = Hop(
    PERSON,
    "(s:Person)<-[r:RESPONSIBLE_FOR]-(t:Person)",
    PERSON,
    edge=("since", "duty"),
    where="r.until IS NULL",
    order="t.name, t.id",
)
# Open measures past due (dueOn before $asOf) of the residents of every grid whose code starts
# with the key, most overdue first (the inbox of a grid worker, or of a place).
OVERDUE_MEASURES_IN_PLACE = Hop(
    places.GRID,
    "(s:Grid)<-[home:RESIDES_IN]-(:Person)<-[r:FOR_PERSON]-(t:KeyPersonMeasure)",
    MEASURE,
    where="t.status = 'open' AND t.dueOn < $asOf",
    order="t.dueOn, t.id",
    by_prefix=True,
)
