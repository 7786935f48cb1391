"""Patrols (梳篦式网格巡查) and home visits (入户走访) of the grid worker, and the hazards (隐患)
they find: the record behind "hazards found in the grid" (隐患发现在网格).

`(:Visit {id, kind, at, durationMinutes, notes, version})` is `IN_GRID` one grid, `MADE_BY`
the person who walked it, optionally `AT_BUILDING` a building of that grid, `VISITED` the
persons called on, and `FOUND` the case a hazard it found became (filed through the case
workflow's reportCase path, graph/visit_commands.py). Seeds, importer and mutations write
through `upsert_visits`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import buildings, cases, persons, places
from graph import scope as row_scope
from graph.client import CypherWriter, GraphClient
from graph.traversal import Hop, NodeSpec, Scope, scope_params


class VisitKind(StrEnum):
    """What kind of walk a visit log records (Visit.kind)."""

    PATROL = "patrol"  # 梳篦式巡查: the grid walked street by street
    HOME_VISIT = "home_visit"  # 入户走访: a household called on


MAX_DURATION_MINUTES = 24 * 60

UPSERT_VISITS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MATCH (w:Person {id: row.visitorId})
MERGE (v:Visit {id: row.id})
SET v.kind = row.kind,
    v.at = row.at,
    v.durationMinutes = row.durationMinutes,
    v.notes = row.notes,
    v.version = coalesce(row.version, v.version, 1)
MERGE (v)-[:IN_GRID]->(g)
MERGE (v)-[:MADE_BY]->(w)
WITH v, row
CALL (v, row) {
  MATCH (b:Building {code: row.buildingCode})
  MERGE (v)-[:AT_BUILDING]->(b)
}
CALL (v, row) {
  UNWIND coalesce(row.visitedIds, []) AS visitedId
  MATCH (p:Person {id: visitedId})
  MERGE (v)-[:VISITED]->(p)
}
CALL (v, row) {
  MATCH (c:Case {code: row.hazardCaseCode})
  MERGE (v)-[:FOUND]->(c)
}
"""

CORRECT_VISIT: LiteralString = """
MATCH (v:Visit {id: $id})
SET v.notes = $notes, v.durationMinutes = $durationMinutes,
    v.correctedAt = $at, v.correctedBy = $subject
"""


async def upsert_visits(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update visit logs in one batch (rows: id, kind, at, durationMinutes, notes,
    gridCode, visitorId, buildingCode?, visitedIds?, hazardCaseCode?, version?)."""
    await graph.write(UPSERT_VISITS, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

VISIT = NodeSpec("Visit", "id", ("kind", "at", "durationMinutes", "notes", "version"))
# A grid's visits, latest first; paginated.
GRID_VISITS = Hop(places.GRID, "(s:Grid)<-[r:IN_GRID]-(t:Visit)", VISIT, order="t.at DESC, t.id")
VISIT_GRID = Hop(VISIT, "(s:Visit)-[r:IN_GRID]->(t:Grid)", places.GRID)
VISIT_VISITOR = Hop(VISIT, "(s:Visit)-[r:MADE_BY]->(t:Person)", persons.PERSON)
VISIT_BUILDING = Hop(VISIT, "(s:Visit)-[r:AT_BUILDING]->(t:Building)", buildings.BUILDING)
VISIT_PERSONS = Hop(
    VISIT, "(s:Visit)-[r:VISITED]->(t:Person)", persons.PERSON, order="t.name, t.id"
)
VISIT_HAZARD = Hop(VISIT, "(s:Visit)-[r:FOUND]->(t:Case)", cases.CASE)

# Households of a grid: its :Household nodes not dissolved (graph/households.py); a grid that
# has none yet counts the residents living there now whom no FAMILY edge points to (heads of
# household and persons living alone: FAMILY runs from the head to the others).
_HOUSEHOLDS: LiteralString = """
CALL (g) {
  OPTIONAL MATCH (g)<-[:IN_GRID]-(h:Household) WHERE h.dissolvedAt IS NULL
  RETURN count(h) AS formed
}
CALL (g, formed) {
  WITH g WHERE formed = 0
  MATCH (g)<-[res:RESIDES_IN]-(p:Person)
  WHERE NOT EXISTS { (p)<-[:FAMILY]-(:Person) }
  RETURN count(DISTINCT p) AS heads
}
WITH g, CASE WHEN formed > 0 THEN formed ELSE heads END AS households
"""

# Hazards found on visits of the window: the case each became, and when it was first
# resolved (its first resolved/closed event, else closedAt).
_VISIT_COUNTS: LiteralString = """
CALL (g) {
  OPTIONAL MATCH (g)<-[:IN_GRID]-(v:Visit) WHERE v.at >= $from AND v.at < $before
  RETURN count(v) AS visits, count(CASE WHEN v.kind = 'home_visit' THEN 1 END) AS homeVisits
}
CALL (g) {
  MATCH (g)<-[:IN_GRID]-(v:Visit)-[:FOUND]->(c:Case)
  WHERE v.at >= $from AND v.at < $before
  CALL (c) {
    OPTIONAL MATCH (c)-[:HAS_EVENT]->(e:CaseEvent) WHERE e.status IN ['resolved', 'closed']
    RETURN min(e.at) AS firstResolved
  }
  WITH v, c, coalesce(firstResolved, c.closedAt) AS resolvedAt
  RETURN count(c) AS hazards, count(resolvedAt) AS resolved,
         sum(CASE WHEN resolvedAt IS NULL THEN 0
             ELSE duration.inSeconds(v.at, resolvedAt).seconds END) AS secondsToResolve
}
"""


def _visit_scorecard(scoped: bool) -> LiteralString:
    in_scope = f" AND {row_scope.inside('g.code')}" if scoped else ""
    text = (
        f"MATCH (g:Grid) WHERE g.code STARTS WITH $prefix{in_scope}\n"
        + _HOUSEHOLDS
        + _VISIT_COUNTS
        + """
RETURN count(g) AS gridCount, sum(households) AS households, sum(visits) AS visits,
       sum(homeVisits) AS homeVisits, sum(hazards) AS hazards, sum(resolved) AS resolved,
       sum(secondsToResolve) AS secondsToResolve
"""
    )
    return text  # built only from constants


VISIT_SCORECARD: LiteralString = _visit_scorecard(scoped=False)
VISIT_SCORECARD_SCOPED: LiteralString = _visit_scorecard(scoped=True)


async def visit_scorecard(
    graph: GraphClient, prefix: str, start: Any, before: Any, scope: Scope = None
) -> dict[str, Any]:
    """Counts behind a scorecard's visit columns for the grids under `prefix` (and inside the
    scope) over [start, before): households, visits, home visits, hazards found, resolved,
    and the seconds from finding to resolving summed over the resolved ones."""
    [row] = await graph.read(
        VISIT_SCORECARD if scope is None else VISIT_SCORECARD_SCOPED,
        {"prefix": prefix, "from": start, "before": before, **scope_params(scope)},
    )
    return row
