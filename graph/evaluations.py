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
SET e.quarter = row.quarter, e.score = row.score, e.rank = row.rank, e.bottom5 = row.bottom5
MERGE (w)-[:EVALUATED]->(e)
MERGE (e)-[:FOR_GRID]->(g)
"""


async def upsert_grid_worker_evaluations(
    graph: CypherWriter, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Create or update evaluations (id, quarter, score, rank, bottom5, personId, gridCode)."""
    await graph.write(UPSERT_EVALUATIONS, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

EVALUATION = NodeSpec("GridWorkerEvaluation", "id", ("quarter", "score", "rank", "bottom5"))
# Evaluations newest quarter first; `$quarter` (null: every quarter) picks one.
QUARTER_FILTER = "$quarter IS NULL OR t.quarter = $quarter"
EVALUATION_WORKER = Hop(
    EVALUATION, "(s:GridWorkerEvaluation)<-[r:EVALUATED]-(t:Person)", persons.PERSON
)
EVALUATION_GRID = Hop(EVALUATION, "(s:GridWorkerEvaluation)-[r:FOR_GRID]->(t:Grid)", places.GRID)
PERSON_EVALUATIONS = Hop(
    persons.PERSON,
    "(s:Person)-[r:EVALUATED]->(t:GridWorkerEvaluation)",
    EVALUATION,
    order="t.quarter DESC, t.id",
    where=QUARTER_FILTER,
)
GRID_EVALUATIONS = Hop(
    places.GRID,
    "(s:Grid)<-[r:FOR_GRID]-(t:GridWorkerEvaluation)",
    EVALUATION,
    order="t.quarter DESC, t.id",
    where=QUARTER_FILTER,
)
