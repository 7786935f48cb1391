"""Quarterly grid-worker evaluations (履职评估); the bottom 5% of a quarter are flagged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, LiteralString

from graph import persons, places
from graph.client import CypherWriter
from graph.traversal import Hop, NodeSpec

UPSERT_EVALUATIONS: LiteralString = """
UNWIND $rows AS row
MATCH (w:Person {id: row.personId})
MATCH (g:Grid {code: row.gridCode})
MERGE (e:GridWorkerEvaluation {id: row.id})
SET e.quarter = row.quarter, e.score = row.score, e.rank = row.rank, e.bottom5 = row.bottom5,
    e.warnedAt = row.warnedAt, e.warning = row.warning
MERGE (w)-[:EVALUATED]->(e)
MERGE (e)-[:FOR_GRID]->(g)
"""


async def upsert_grid_worker_evaluations(
    graph: CypherWriter, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Create or update evaluations (id, quarter, score, rank, bottom5, personId, gridCode;
    warnedAt and warning for a flagged one the street warned)."""
    await graph.write(UPSERT_EVALUATIONS, {"rows": list(rows)})


# -- the street's evaluation and what follows (recordGridWorkerEvaluation, replaceGridWorker) --

# The grid's current worker (WORKS_GRID without `until`), if the grid is visible.
CURRENT_WORKER: LiteralString = """
MATCH (g:Grid {code: $grid})
OPTIONAL MATCH (g)<-[r:WORKS_GRID]-(w:Person) WHERE r.until IS NULL
RETURN w.id AS worker
"""

# One quarter's evaluation of a grid's worker (recorded by the street): its item scores and
# total; then every evaluation of the quarter is ranked again (best first, ties by grid
# code, as the seeds rank them) and the bottom `$share` flagged.
RECORD_EVALUATION: LiteralString = """
MATCH (w:Person {id: $worker})
MATCH (g:Grid {code: $grid})
MERGE (e:GridWorkerEvaluation {id: $id})
SET e.quarter = $quarter, e.score = $score, e.items = $items, e.itemScores = $itemScores,
    e.evaluatedBy = $subject, e.evaluatedAt = $at
MERGE (w)-[:EVALUATED]->(e)
MERGE (e)-[:FOR_GRID]->(g)
WITH 1 AS done
MATCH (x:GridWorkerEvaluation {quarter: $quarter})
WITH x ORDER BY x.score DESC, x.id
WITH collect(x) AS ranked
WITH ranked, size(ranked) - toInteger(ceil(size(ranked) * $share)) AS cut
UNWIND range(0, size(ranked) - 1) AS i
WITH ranked[i] AS x, i + 1 AS rank, cut
SET x.rank = rank, x.bottom5 = rank > cut
WITH x WHERE x.id = $id
RETURN x.rank AS rank, x.bottom5 AS bottom5, x.score AS score
"""

# 末位淘汰: the grid's current worker leaves (WORKS_GRID.until, the reason kept) and another
# person takes the grid from now (a new WORKS_GRID {since}); the history stays.
REPLACE_WORKER: LiteralString = """
MATCH (g:Grid {code: $grid})<-[old:WORKS_GRID]-(:Person {id: $worker})
WHERE old.until IS NULL
SET old.until = $at, old.leftBecause = $reason
WITH g
MATCH (n:Person {id: $successor})
CREATE (n)-[:WORKS_GRID {since: $at, fullTime: true}]->(g)
SET n:GridWorker
RETURN n.id AS id
"""


# 末位 → warning (诫勉): the street's recorded warning to a worker its quarter flagged at the
# bottom, kept on that evaluation (when, by whom, why); the replacement may follow.
WARN_WORKER: LiteralString = """
MATCH (:Person {id: $worker})-[:EVALUATED]->(e:GridWorkerEvaluation {id: $id})
WHERE e.bottom5 AND e.warnedAt IS NULL
SET e.warnedAt = $at, e.warnedBy = $subject, e.warning = $reason
RETURN e.id AS id
"""


# The seeds' replacements, as replace_worker one by one (graph/evaluation_commands.py): a run
# again finds no current WORKS_GRID of the former worker and changes nothing.
REPLACE_WORKERS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.grid})<-[old:WORKS_GRID]-(:Person {id: row.worker})
WHERE old.until IS NULL
SET old.until = row.at, old.leftBecause = row.reason
WITH g, row
MATCH (n:Person {id: row.successor})
MERGE (n)-[r:WORKS_GRID]->(g)
ON CREATE SET r.since = row.at, r.fullTime = true
SET n:GridWorker
"""


async def replace_workers(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace grid workers in one batch (rows: grid, worker, successor, at, reason)."""
    await graph.write(REPLACE_WORKERS, {"rows": list(rows)})


async def current_worker(graph: CypherWriter, grid: str) -> str | None:
    """The grid's current worker (None when the grid has none, or does not exist)."""
    rows = await graph.write(CURRENT_WORKER, {"grid": grid})
    return rows[0]["worker"] if rows else None


async def record_evaluation(graph: CypherWriter, row: Mapping[str, Any]) -> dict[str, Any]:
    """Write one evaluation and re-rank its quarter; the evaluation's rank and flag."""
    [found] = await graph.write(RECORD_EVALUATION, dict(row))
    return found


async def replace_worker(graph: CypherWriter, row: Mapping[str, Any]) -> None:
    """End the worker's WORKS_GRID and start the successor's (grid, worker, successor, at,
    reason)."""
    await graph.write(REPLACE_WORKER, dict(row))


# -- reads ----------------------------------------------------------------------------------

EVALUATION = NodeSpec(
    "GridWorkerEvaluation",
    "id",
    ("quarter", "score", "rank", "bottom5", "warnedAt", "warning"),
)
# Evaluations newest quarter first; `$quarter` (null: every quarter) picks one.
QUARTER_FILTERS = (("quarter", "t.quarter = $quarter"),)
EVALUATION_WORKER = Hop(
    EVALUATION, "(s:GridWorkerEvaluation)<-[r:EVALUATED]-(t:Person)", persons.PERSON
)
EVALUATION_GRID = Hop(EVALUATION, "(s:GridWorkerEvaluation)-[r:FOR_GRID]->(t:Grid)", places.GRID)
PERSON_EVALUATIONS = Hop(
    persons.PERSON,
    "(s:Person)-[r:EVALUATED]->(t:GridWorkerEvaluation)",
    EVALUATION,
    order="t.quarter DESC, t.id",
    optional=QUARTER_FILTERS,
)
GRID_EVALUATIONS = Hop(
    places.GRID,
    "(s:Grid)<-[r:FOR_GRID]-(t:GridWorkerEvaluation)",
    EVALUATION,
    order="t.quarter DESC, t.id",
    optional=QUARTER_FILTERS,
)
