"""Fengqiao-style grids (枫桥式网格) as decisions: the street nominates a grid for a quarter
(季度提名), the district confirms it for a year (年度确定) on department data; each decision
keeps who decided, when, and the evidence it rested on (the ten-no record, the resolved-in-grid
rate, satisfaction, the cases counted)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, LiteralString

from graph import places
from graph import scope as row_scope
from graph.client import CypherWriter, GraphClient
from graph.policy import POLICY_FILE
from graph.traversal import Hop, NodeSpec, Scope, scope_params


class DecisionKind(StrEnum):
    """A quarterly nomination by the street, or the district's yearly confirmation."""

    NOMINATION = "nomination"
    CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class FengqiaoRules:
    """policy.toml [fengqiao]: the nomination thresholds and what a confirmation needs."""

    nominate_resolved_in_grid_at_least: float  # the article's 60% target
    nominate_satisfaction_at_least: float  # local assumption
    confirm_nominated_quarters: int  # local assumption
    confirmed_2024: int  # the article's 40 (what the seeds reproduce)
    seed_breach_share: float  # local assumption: grids the seeds give a ten-no breach


@cache
def load_rules() -> FengqiaoRules:
    """The [fengqiao] section of graph/policy.toml."""
    section = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))["fengqiao"]
    return FengqiaoRules(
        nominate_resolved_in_grid_at_least=float(section["nominate_resolved_in_grid_at_least"]),
        nominate_satisfaction_at_least=float(section["nominate_satisfaction_at_least"]),
        confirm_nominated_quarters=int(section["confirm_nominated_quarters"]),
        confirmed_2024=int(section["confirmed_2024"]),
        seed_breach_share=float(section["seed_breach_share"]),
    )


# `recordedBy` (the officer's subject) and `breachingCases` (the ten-no record: codes of the
# period's breaching cases) come with decisions made through GraphQL; seeded rows leave them.
UPSERT_DECISIONS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (d:FengqiaoDecision {id: row.id})
SET d.kind = row.kind, d.period = row.period, d.decidedAt = row.decidedAt,
    d.decidedBy = row.decidedBy, d.tenNoPassed = row.tenNoPassed,
    d.resolvedInGridRate = row.resolvedInGridRate, d.meanSatisfaction = row.meanSatisfaction,
    d.caseCount = row.caseCount, d.recordedBy = row.recordedBy,
    d.breachingCases = coalesce(row.breachingCases, [])
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
        "recordedBy",
        "breachingCases",
    ),
)
# A grid's decisions, by period; `$year` (null: all) keeps one year's.
GRID_DECISIONS = Hop(
    places.GRID,
    "(s:Grid)<-[r:FOR_GRID]-(t:FengqiaoDecision)",
    DECISION,
    order="t.period, t.id",
    optional=(("year", "t.period STARTS WITH $year"),),
)


# -- scorecards ------------------------------------------------------------------------------


def standing_query(scoped: bool) -> LiteralString:
    """The grids under `$prefix` with a stored nomination, and with a confirmation, for the
    period `$period` (a quarter: its nominations; a year: its quarters' and its own)."""
    in_scope: LiteralString = " AND " + row_scope.inside("g.code") if scoped else ""
    return (
        """
CALL () {
  MATCH (g:Grid) WHERE g.code STARTS WITH $prefix"""
        + in_scope
        + """
  MATCH (g)<-[:FOR_GRID]-(d:FengqiaoDecision) WHERE d.period STARTS WITH $period
  RETURN g.code AS grid, collect(DISTINCT d.kind) AS kinds ORDER BY grid
}
WITH collect({grid: grid, kinds: kinds}) AS rows
RETURN [x IN rows WHERE 'nomination' IN x.kinds | x.grid] AS nominated,
       [x IN rows WHERE 'confirmation' IN x.kinds | x.grid] AS confirmed
"""
    )


async def standing(
    graph: GraphClient, prefix: str, period: str, scope: Scope = None
) -> dict[str, Any]:
    """Grid codes nominated and confirmed for `period` under the place `prefix`."""
    params = {"prefix": prefix, "period": period, **scope_params(scope)}
    [row] = await graph.read(standing_query(scope is not None), params)
    return row
