"""Fengqiao-style grids (枫桥式网格) as decisions: the street nominates a grid for a quarter
(季度提名), the district confirms it for a year (年度确定) on department data; each decision
keeps who decided, when, and the evidence it rested on (the ten-no record, the resolved-in-grid
rate, satisfaction, the cases counted)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import places
from graph.client import CypherWriter
from graph.traversal import Hop, NodeSpec


class DecisionKind(StrEnum):
    """A quarterly nomination by the street, or the district's yearly confirmation."""

    NOMINATION = "nomination"
    CONFIRMATION = "confirmation"


UPSERT_DECISIONS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (d:FengqiaoDecision {id: row.id})
SET d.kind = row.kind, d.period = row.period, d.decidedAt = row.decidedAt,
    d.decidedBy = row.decidedBy, d.tenNoPassed = row.tenNoPassed,
    d.resolvedInGridRate = row.resolvedInGridRate, d.meanSatisfaction = row.meanSatisfaction,
    d.caseCount = row.caseCount
MERGE (d)-[:FOR_GRID]->(g)
"""


async def upsert_decisions(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record decisions (id, kind, period, decidedAt, decidedBy, tenNoPassed,
    resolvedInGridRate, meanSatisfaction, caseCount, gridCode)."""
    checked = [{**row, "kind": DecisionKind(row["kind"]).value} for row in rows]
    await graph.write(UPSERT_DECISIONS, {"rows": checked})


# -- reads ----------------------------------------------------------------------------------

DECISION = NodeSpec(
    "FengqiaoDecision",
    "id",
    (
        "kind",
        "period",
        "decidedAt",
        "decidedBy",
        "tenNoPassed",
        "resolvedInGridRate",
        "meanSatisfaction",
        "caseCount",
    ),
)
# A grid's decisions, by period; `$year` (null: all) keeps one year's.
GRID_DECISIONS = Hop(
    places.GRID,
    "(s:Grid)<-[r:FOR_GRID]-(t:FengqiaoDecision)",
    DECISION,
    order="t.period, t.id",
    where="$year IS NULL OR t.period STARTS WITH $year",
)
