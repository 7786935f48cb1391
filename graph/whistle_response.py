"""Departments' response to whistles (吹哨报到) on the cases of a place: per department, how
many of its professional members were called, acknowledged (报到) and came on site in time,
and how long they took to acknowledge (scorecards; docs/metrics.md).

A call counts in the period it was made (`WHISTLED.at` in [$from, $before)) for the grids
whose code starts with `$prefix`; scoped callers count only the grids inside `$scope`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, LiteralString

from graph import scope as row_scope
from graph.client import GraphClient
from graph.traversal import Scope, scope_params


def by_department_query(scoped: bool) -> LiteralString:
    """One row per department called to the place's cases in the period, by code."""
    in_scope: LiteralString = " AND " + row_scope.inside("g.code") if scoped else ""
    return (
        """
MATCH (g:Grid) WHERE g.code STARTS WITH $prefix"""
        + in_scope
        + """
MATCH (g)<-[:OCCURRED_IN]-(c:Case)-[w:WHISTLED]->(:Person)-[:MEMBER_OF]->(d:Department)
WHERE w.at >= $from AND w.at < $before
RETURN d.code AS department, d.name AS name,
       count(w) AS called,
       count(DISTINCT c) AS cases,
       count(w.acknowledgedAt) AS acknowledged,
       count(CASE WHEN w.acknowledgedAt <= w.acknowledgeDueAt THEN 1 END) AS acknowledgedOnTime,
       count(CASE WHEN w.arrivedAt <= w.arriveDueAt THEN 1 END) AS arrivedOnTime,
       count(w.recordedAt) AS recorded,
       avg(duration.inSeconds(w.at, w.acknowledgedAt).seconds / 60.0) AS meanAcknowledgeMinutes
ORDER BY department
"""
    )


async def by_department(
    graph: GraphClient, prefix: str, start: datetime, before: datetime, scope: Scope = None
) -> list[dict[str, Any]]:
    """The rows of `by_department_query`."""
    params = {"prefix": prefix, "from": start, "before": before, **scope_params(scope)}
    return await graph.read(by_department_query(scope is not None), params)
