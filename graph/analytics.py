"""Analytics over cases: scorecards (十无, 60% resolved in the grid), repeat disputants,
hotspots and the quarterly grid-worker ranking. Definitions: docs/metrics.md.

Every count is made here, in Cypher; callers divide counts into rates. Periods are
half-open windows on `Case.reportedAt`: `$from` inclusive, `$before` exclusive.

Row scope: each query has a scoped variant taking `$scope` (graph/scope.py) that counts only
the grids inside the scope, and so only their cases and evaluations. A place above the scope
(the district, for a street investigator) thus counts the scope's grids only. Unrestricted
principals get the unscoped text, without any predicate.
"""

from __future__ import annotations

from typing import Any, LiteralString

from graph import scope as row_scope
from graph.client import GraphClient
from graph.traversal import Scope, scope_params


def _and_grid_in_scope(var: LiteralString, scoped: bool) -> str:
    """Cypher: AND the grid `var` lies inside `$scope` (what belongs to it is visible then)."""
    return f" AND {row_scope.inside(var + '.code')}" if scoped else ""


# A case closed within this many days of being reported is closed on time (policy.toml
# names no deadlines, so one documented default for every kind and severity).
ON_TIME_DAYS = 15


def _scorecard(scoped: bool) -> LiteralString:
    """One row of counts for the cases of every grid whose code starts with $prefix (a grid's
    own code: that grid). Grids with no breaching case in the window qualify."""
    text = f"""
MATCH (g:Grid) WHERE g.code STARTS WITH $prefix{_and_grid_in_scope("g", scoped)}
OPTIONAL MATCH (g)<-[:OCCURRED_IN]-(c:Case)
  WHERE c.reportedAt >= $from AND c.reportedAt < $before
WITH g, collect(c) AS cs
ORDER BY g.code
WITH collect({{code: g.code, name: g.name,
              breaches: size([c IN cs WHERE c.tenNoItem IS NOT NULL])}}) AS grids,
     reduce(acc = [], x IN collect(cs) | acc + x) AS cases
RETURN size(grids) AS gridCount,
       [x IN grids WHERE x.breaches = 0 | {{code: x.code, name: x.name}}] AS qualifyingGrids,
       size(cases) AS caseCount,
       size([c IN cases WHERE c.resolvedAtLevel IS NOT NULL]) AS resolvedCount,
       size([c IN cases WHERE c.resolvedAtLevel = 'grid']) AS resolvedInGridCount,
       size([c IN cases WHERE c.closedAt IS NOT NULL]) AS closedCount,
       size([c IN cases WHERE c.closedAt IS NOT NULL
             AND c.closedAt <= c.reportedAt + duration({{days: $onTimeDays}})])
         AS closedOnTimeCount,
       size([c IN cases WHERE c.satisfaction IS NOT NULL]) AS ratedCount,
       reduce(s = 0, c IN cases | s + coalesce(c.satisfaction, 0)) AS satisfactionSum,
       [item IN $tenNoCodes | {{
          code: item,
          cases: [c IN cases WHERE c.tenNoItem = item | c.code]
       }}] AS tenNo
"""
    return text  # built only from constants


SCORECARD: LiteralString = _scorecard(scoped=False)
SCORECARD_SCOPED: LiteralString = _scorecard(scoped=True)


def _repeat_disputants(scoped: bool) -> LiteralString:
    """Persons party to at least $minCases cases of the place reported since $since (null:
    ever); scoped, only cases inside the scope are counted (their parties are visible)."""
    in_scope = _and_grid_in_scope("g", scoped)
    text = f"""
MATCH (p:Person)-[r:PARTY_TO]->(c:Case)-[:OCCURRED_IN]->(g:Grid)
WHERE g.code STARTS WITH $prefix{in_scope} AND ($since IS NULL OR c.reportedAt >= $since)
WITH p, r, c, g ORDER BY c.reportedAt, c.code
WITH p, collect({{code: c.code, role: r.role, reportedAt: c.reportedAt, gridCode: g.code}})
     AS cases
WHERE size(cases) >= $minCases
RETURN p.id AS personId, p.name AS name, size(cases) AS caseCount, cases
ORDER BY caseCount DESC, personId
LIMIT $first
"""
    return text  # built only from constants


REPEAT_DISPUTANTS: LiteralString = _repeat_disputants(scoped=False)
REPEAT_DISPUTANTS_SCOPED: LiteralString = _repeat_disputants(scoped=True)


def _hotspots(scoped: bool) -> LiteralString:
    """Case counts per place (the first $codeLength digits of the grid code) in [$from,
    $before) and in the previous window [$previousFrom, $from); scoped, of the scope's grids."""
    text = f"""
MATCH (g:Grid)<-[:OCCURRED_IN]-(c:Case)
WHERE c.reportedAt >= $previousFrom AND c.reportedAt < $before
  AND ($category IS NULL OR c.category = $category){_and_grid_in_scope("g", scoped)}
WITH substring(g.code, 0, $codeLength) AS code, c
WITH code,
     count(CASE WHEN c.reportedAt >= $from THEN 1 END) AS count,
     count(CASE WHEN c.reportedAt < $from THEN 1 END) AS previousCount
OPTIONAL MATCH (p:Grid|Community|Street {{code: code}})
RETURN code, p.name AS name, count, previousCount
ORDER BY count DESC, code
LIMIT $first
"""
    return text  # built only from constants


HOTSPOTS: LiteralString = _hotspots(scoped=False)
HOTSPOTS_SCOPED: LiteralString = _hotspots(scoped=True)

# The stored evaluations of a quarter (rank and bottom5 as the evaluation wrote them),
# restricted to grids under $prefix, best rank first; with the quarter's district-wide totals.
WORKER_RANKING: LiteralString = """
MATCH (q:GridWorkerEvaluation {quarter: $quarter})
WITH count(q) AS evaluated, count(CASE WHEN q.bottom5 THEN 1 END) AS flagged
OPTIONAL MATCH (e:GridWorkerEvaluation {quarter: $quarter})-[:FOR_GRID]->(g:Grid)
WHERE g.code STARTS WITH $prefix
WITH evaluated, flagged, e ORDER BY e.rank, e.id
WITH evaluated, flagged, collect(e {.id, .quarter, .score, .rank, .bottom5}) AS rows
RETURN evaluated, flagged, size(rows) AS inPlace,
       size([r IN rows WHERE r.bottom5]) AS flaggedInPlace, rows[..$first] AS rows
"""


def _evaluation_in_scope(var: str) -> str:
    """Cypher: the evaluation `var` is visible (of a grid inside the scope), and so is the
    grid worker it evaluates."""
    return (
        f"{row_scope.visible('GridWorkerEvaluation', var)}"
        f" AND EXISTS {{ MATCH (scope_worker:Person)-[:EVALUATED]->({var})"
        f" WHERE {row_scope.visible('Person', 'scope_worker')} }}"
    )


# Scoped: the same, over the evaluations of grids inside the scope whose grid worker is
# visible only; the quarter's totals are then those of the scope (ranks stay as stored).
WORKER_RANKING_SCOPED: LiteralString = f"""
MATCH (q:GridWorkerEvaluation {{quarter: $quarter}})
WHERE {_evaluation_in_scope("q")}
WITH count(q) AS evaluated, count(CASE WHEN q.bottom5 THEN 1 END) AS flagged
OPTIONAL MATCH (e:GridWorkerEvaluation {{quarter: $quarter}})-[:FOR_GRID]->(g:Grid)
WHERE g.code STARTS WITH $prefix AND {_evaluation_in_scope("e")}
WITH evaluated, flagged, e ORDER BY e.rank, e.id
WITH evaluated, flagged, collect(e {{.id, .quarter, .score, .rank, .bottom5}}) AS rows
RETURN evaluated, flagged, size(rows) AS inPlace,
       size([r IN rows WHERE r.bottom5]) AS flaggedInPlace, rows[..$first] AS rows
"""


async def scorecard(
    graph: GraphClient,
    prefix: str,
    start: Any,
    before: Any,
    ten_no_codes: list[str],
    scope: Scope = None,
) -> dict[str, Any]:
    """Counts behind a scorecard of every grid under `prefix` (and inside the scope) for cases
    reported in a window."""
    [row] = await graph.read(
        SCORECARD if scope is None else SCORECARD_SCOPED,
        {
            "prefix": prefix,
            "from": start,
            "before": before,
            "onTimeDays": ON_TIME_DAYS,
            "tenNoCodes": ten_no_codes,
            **scope_params(scope),
        },
    )
    return row


async def repeat_disputants(
    graph: GraphClient, prefix: str, since: Any, min_cases: int, first: int, scope: Scope = None
) -> list[dict[str, Any]]:
    """Persons party to at least `min_cases` cases under `prefix` (and inside the scope), most
    cases first."""
    return await graph.read(
        REPEAT_DISPUTANTS if scope is None else REPEAT_DISPUTANTS_SCOPED,
        {
            "prefix": prefix,
            "since": since,
            "minCases": min_cases,
            "first": first,
            **scope_params(scope),
        },
    )


async def hotspots(
    graph: GraphClient,
    code_length: int,
    previous_from: Any,
    start: Any,
    before: Any,
    category: str | None,
    first: int,
    scope: Scope = None,
) -> list[dict[str, Any]]:
    """Case counts per place of one level in a window and the window before it (of the
    grids inside the scope)."""
    return await graph.read(
        HOTSPOTS if scope is None else HOTSPOTS_SCOPED,
        {
            "codeLength": code_length,
            "previousFrom": previous_from,
            "from": start,
            "before": before,
            "category": category,
            "first": first,
            **scope_params(scope),
        },
    )


async def worker_ranking(
    graph: GraphClient, quarter: str, prefix: str, first: int, scope: Scope = None
) -> dict[str, Any]:
    """A quarter's stored evaluations under `prefix`, best first, with the quarter's totals
    (scoped: of the scope's grids and visible workers only)."""
    [row] = await graph.read(
        WORKER_RANKING if scope is None else WORKER_RANKING_SCOPED,
        {"quarter": quarter, "prefix": prefix, "first": first, **scope_params(scope)},
    )
    return row
