"""Analytics over cases: scorecards (十无, 60% resolved in the grid), repeat disputants,
hotspots and the quarterly grid-worker ranking. Definitions: docs/metrics.md.

Every count is made here, in Cypher; callers divide counts into rates. Periods are
half-open windows on `Case.reportedAt`: `$from` inclusive, `$before` exclusive.
"""

from __future__ import annotations

from typing import Any, LiteralString

from graph.client import GraphClient

# A case closed within this many days of being reported is closed on time (policy.toml
# names no deadlines, so one documented default for every kind and severity).
ON_TIME_DAYS = 15

# One row of counts for the cases of every grid whose code starts with $prefix (a grid's own
# code: that grid). Grids with no breaching case in the window qualify.
SCORECARD: LiteralString = """
MATCH (g:Grid) WHERE g.code STARTS WITH $prefix
OPTIONAL MATCH (g)<-[:OCCURRED_IN]-(c:Case)
  WHERE c.reportedAt >= $from AND c.reportedAt < $before
WITH g, collect(c) AS cs
ORDER BY g.code
WITH collect({code: g.code, name: g.name,
              breaches: size([c IN cs WHERE c.tenNoItem IS NOT NULL])}) AS grids,
     reduce(acc = [], x IN collect(cs) | acc + x) AS cases
RETURN size(grids) AS gridCount,
       [x IN grids WHERE x.breaches = 0 | {code: x.code, name: x.name}] AS qualifyingGrids,
       size(cases) AS caseCount,
       size([c IN cases WHERE c.resolvedAtLevel IS NOT NULL]) AS resolvedCount,
       size([c IN cases WHERE c.resolvedAtLevel = 'grid']) AS resolvedInGridCount,
       size([c IN cases WHERE c.closedAt IS NOT NULL]) AS closedCount,
       size([c IN cases WHERE c.closedAt IS NOT NULL
             AND c.closedAt <= c.reportedAt + duration({days: $onTimeDays})])
         AS closedOnTimeCount,
       size([c IN cases WHERE c.satisfaction IS NOT NULL]) AS ratedCount,
       reduce(s = 0, c IN cases | s + coalesce(c.satisfaction, 0)) AS satisfactionSum,
       [item IN $tenNoCodes | {
          code: item,
          cases: [c IN cases WHERE c.tenNoItem = item | c.code]
       }] AS tenNo
"""

# Persons party to at least $minCases cases of the place reported since $since (null: ever).
REPEAT_DISPUTANTS: LiteralString = """
MATCH (p:Person)-[r:PARTY_TO]->(c:Case)-[:OCCURRED_IN]->(g:Grid)
WHERE g.code STARTS WITH $prefix AND ($since IS NULL OR c.reportedAt >= $since)
WITH p, r, c, g ORDER BY c.reportedAt, c.code
WITH p, collect({code: c.code, role: r.role, reportedAt: c.reportedAt, gridCode: g.code})
     AS cases
WHERE size(cases) >= $minCases
RETURN p.id AS personId, p.name AS name, size(cases) AS caseCount, cases
ORDER BY caseCount DESC, personId
LIMIT $first
"""

# Case counts per place (the first $codeLength digits of the grid code) in [$from, $before)
# and in the previous window [$previousFrom, $from).
HOTSPOTS: LiteralString = """
MATCH (g:Grid)<-[:OCCURRED_IN]-(c:Case)
WHERE c.reportedAt >= $previousFrom AND c.reportedAt < $before
  AND ($category IS NULL OR c.category = $category)
WITH substring(g.code, 0, $codeLength) AS code, c
WITH code,
     count(CASE WHEN c.reportedAt >= $from THEN 1 END) AS count,
     count(CASE WHEN c.reportedAt < $from THEN 1 END) AS previousCount
OPTIONAL MATCH (p:Grid|Community|Street {code: code})
RETURN code, p.name AS name, count, previousCount
ORDER BY count DESC, code
LIMIT $first
"""

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


async def scorecard(
    graph: GraphClient, prefix: str, start: Any, before: Any, ten_no_codes: list[str]
) -> dict[str, Any]:
    """Counts behind a scorecard of every grid under `prefix` for cases reported in a window."""
    [row] = await graph.read(
        SCORECARD,
        {
            "prefix": prefix,
            "from": start,
            "before": before,
            "onTimeDays": ON_TIME_DAYS,
            "tenNoCodes": ten_no_codes,
        },
    )
    return row


async def repeat_disputants(
    graph: GraphClient, prefix: str, since: Any, min_cases: int, first: int
) -> list[dict[str, Any]]:
    """Persons party to at least `min_cases` cases under `prefix`, most cases first."""
    return await graph.read(
        REPEAT_DISPUTANTS,
        {"prefix": prefix, "since": since, "minCases": min_cases, "first": first},
    )


async def hotspots(
    graph: GraphClient,
    code_length: int,
    previous_from: Any,
    start: Any,
    before: Any,
    category: str | None,
    first: int,
) -> list[dict[str, Any]]:
    """Case counts per place of one level in a window and the window before it."""
    return await graph.read(
        HOTSPOTS,
        {
            "codeLength": code_length,
            "previousFrom": previous_from,
            "from": start,
            "before": before,
            "category": category,
            "first": first,
        },
    )


async def worker_ranking(
    graph: GraphClient, quarter: str, prefix: str, first: int
) -> dict[str, Any]:
    """A quarter's stored evaluations under `prefix`, best first, with the quarter's totals."""
    [row] = await graph.read(WORKER_RANKING, {"quarter": quarter, "prefix": prefix, "first": first})
    return row
