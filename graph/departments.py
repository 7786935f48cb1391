"""Departments (职能部门, 民生服务单位) and their professional grid members (专业网格员)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import cases, persons, places
from graph import scope as row_scope
from graph.client import CypherWriter, GraphClient
from graph.traversal import Hop, NodeSpec, Scope, scope_params


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
# support (包保), the grids of the cases it holds or held a work order for, and the codes of
# such cases that have no grid (12345 cases the hotline centre filed at the district: their
# scope is the case itself, never the whole district). Null when the department does not exist.
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
CALL (d) {
  OPTIONAL MATCH (d)<-[:HANDLED_BY {role: 'work_order'}]-(c:Case)-[:OCCURRED_IN]->(:District)
  RETURN collect(DISTINCT c.code) AS gridless
}
RETURN supported + [code IN ordered WHERE NOT code IN supported] + gridless AS grids
"""


async def department_scope(graph: GraphClient, code: str) -> frozenset[str] | None:
    """The grid codes a department officer may see (and the codes of its gridless work
    orders), or None for an unknown department."""
    rows = await graph.read(DEPARTMENT_SCOPE, {"code": code})
    return frozenset(rows[0]["grids"]) if rows else None


# 吹哨报到 response of a department: its professional members' calls (WHISTLED), how many were
# acknowledged (报到), on time, on site on time, recorded, and the mean minutes to acknowledge,
# over the cases the caller may see (`scoped`).
def whistle_response_query(scoped: bool) -> LiteralString:
    """One row of counts for the department `$code`, calls since `$since` (null: all)."""
    where: LiteralString = " AND " + row_scope.visible("Case", "c") if scoped else ""
    return (
        """
MATCH (:Department {code: $code})<-[:MEMBER_OF]-(:Person)<-[w:WHISTLED]-(c:Case)
WHERE ($since IS NULL OR w.at >= $since)"""
        + where
        + """
RETURN count(w) AS called,
       count(DISTINCT c) AS cases,
       count(w.acknowledgedAt) AS acknowledged,
       count(CASE WHEN w.acknowledgedAt <= w.acknowledgeDueAt THEN 1 END) AS acknowledgedOnTime,
       count(CASE WHEN w.arrivedAt <= w.arriveDueAt THEN 1 END) AS arrivedOnTime,
       count(w.recordedAt) AS recorded,
       avg(duration.inSeconds(w.at, w.acknowledgedAt).seconds / 60.0) AS meanAcknowledgeMinutes
"""
    )


async def whistle_response(
    graph: GraphClient, code: str, since: Any, scope: Scope = None
) -> dict[str, Any]:
    """The counts of `whistle_response_query` for one department."""
    params = {"code": code, "since": since, **scope_params(scope)}
    [row] = await graph.read(whistle_response_query(scope is not None), params)
    return row


def _event_after(action: LiteralString, last: bool = False) -> LiteralString:
    """The time of the first (or latest) `action` event of the case since the dispatch."""
    order: LiteralString = "DESC" if last else ""
    return (
        "COLLECT { MATCH (t)-[:HAS_EVENT]->(e:CaseEvent {action: '"
        + action
        + "'}) WHERE e.at >= r.at RETURN e.at ORDER BY e.at "
        + order
        + " LIMIT 1 }[0]"
    )


# A department's work orders (工单): the cases dispatched to it (HANDLED_BY {role:
# work_order}, whose `at` is the latest dispatch), newest dispatch first; `$status` filters
# on the case's status. The edge has the work order's times since that dispatch.
WORK_ORDERS = Hop(
    DEPARTMENT,
    "(s:Department)<-[r:HANDLED_BY]-(t:Case)",
    cases.CASE,
    where="r.role = 'work_order'",
    optional=(("status", "t.status = $status"),),
    edge_map="{dispatchedAt: r.at, signedAt: "
    + _event_after("sign")
    + ", returnedAt: "
    + _event_after("return")
    + ", extendedAt: "
    + _event_after("request_extension", last=True)
    + ", resolvedAt: "
    + _event_after("resolve")
    + "}",
    order="r.at DESC, t.code",
)
