"""Departments (职能部门, 民生服务单位) and their professional grid members (专业网格员)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import persons, places
from graph.client import CypherWriter, GraphClient
from graph.traversal import Hop, NodeSpec


class DepartmentKind(StrEnum):
    """A functional department or a livelihood service unit (water, power, gas ...)."""

    FUNCTIONAL = "functional"
    LIVELIHOOD = "livelihood"


UPSERT_DEPARTMENTS: LiteralString = """
UNWIND $rows AS row
MERGE (d:Department {code: row.code})
SET d.name = row.name, d.kind = row.kind
"""

UPSERT_DEPARTMENT_MEMBERS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (d:Department {code: row.departmentCode})
MERGE (p)-[:MEMBER_OF]->(d)
"""

# 包保: a professional member is assigned to support grids.
UPSERT_GRID_SUPPORT: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (g:Grid {code: row.gridCode})
MERGE (p)-[r:SUPPORTS]->(g)
SET r.since = row.since
"""


async def upsert_departments(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update departments (rows: code, name, kind)."""
    checked = [{**row, "kind": DepartmentKind(row["kind"]).value} for row in rows]
    await graph.write(UPSERT_DEPARTMENTS, {"rows": checked})


async def upsert_department_members(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Make persons members of departments (rows: personId, departmentCode)."""
    await graph.write(UPSERT_DEPARTMENT_MEMBERS, {"rows": list(rows)})


async def upsert_grid_support(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Assign professional members to the grids they support (rows: personId, gridCode, since)."""
    await graph.write(UPSERT_GRID_SUPPORT, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

DEPARTMENT = NodeSpec("Department", "code", ("name", "kind"))

# Professional members (专业网格员) of a department, by name; paginated.
DEPARTMENT_MEMBERS = Hop(
    DEPARTMENT,
    "(s:Department)<-[r:MEMBER_OF]-(t:Person)",
    persons.PERSON,
    order="t.name, t.id",
)
PERSON_DEPARTMENT = Hop(persons.PERSON, "(s:Person)-[r:MEMBER_OF]->(t:Department)", DEPARTMENT)
# 包保: the grids a professional member supports, and who supports a grid.
SUPPORTED_GRIDS = Hop(
    persons.PERSON, "(s:Person)-[r:SUPPORTS]->(t:Grid)", places.GRID, edge=("since",)
)
GRID_SUPPORTERS = Hop(
    places.GRID,
    "(s:Grid)<-[r:SUPPORTS]-(t:Person)",
    persons.PERSON,
    edge=("since",),
    order="t.name, t.id",
)


# A department officer's row scope (server/auth.py): the grids its professional members
# support (包保) and the grids of the cases it holds or held a work order for. Null when the
# department does not exist.
DEPARTMENT_SCOPE: LiteralString = """
MATCH (d:Department {code: $code})
CALL (d) {
  OPTIONAL MATCH (d)<-[:MEMBER_OF]-(:Person)-[:SUPPORTS]->(g:Grid)
  RETURN collect(DISTINCT g.code) AS supported
}
CALL (d) {
  OPTIONAL MATCH (d)<-[:HANDLED_BY {role: 'work_order'}]-(:Case)-[:OCCURRED_IN]->(g:Grid)
  RETURN collect(DISTINCT g.code) AS ordered
}
RETURN supported + [code IN ordered WHERE NOT code IN supported] AS grids
"""


async def department_scope(graph: GraphClient, code: str) -> frozenset[str] | None:
    """The grid codes a department officer may see, or None for an unknown department."""
    rows = await graph.read(DEPARTMENT_SCOPE, {"code": code})
    return frozenset(rows[0]["grids"]) if rows else None
