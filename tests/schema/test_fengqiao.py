"""Fengqiao-style grid decisions (枫桥式网格) on the tiny seed: stored nominations and
confirmations, each resting on a record that independent Cypher confirms, read with row scope."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.graphql_http import data
from tests.tokens import bearer, hs256

DECISIONS = """
query($g: String!, $y: String) {
  grid(code: $g) {
    fengqiaoDecisions(year: $y) {
      decisionId kind period decidedBy tenNoPassed caseCount resolvedInGridRate
    }
  }
}
"""
# Breaching cases (ten-no) of a grid reported in a quarter, independently of the seeds.
BREACHES = """
MATCH (d:FengqiaoDecision)-[:FOR_GRID]->(g:Grid)
OPTIONAL MATCH (c:Case)-[:OCCURRED_IN]->(g)
WHERE c.tenNoItem IS NOT NULL
  AND toString(c.reportedAt.year) + 'Q' + toString((c.reportedAt.month - 1) / 3 + 1) = d.period
RETURN d.id AS id, d.kind AS kind, g.code AS grid, count(c) AS breaches, d.tenNoPassed AS passed
"""


async def test_nominations_rest_on_a_clean_quarter_and_confirmations_on_nominations(
    tiny: GraphClient,
) -> None:
    rows = await tiny.read(BREACHES)
    nominations = [row for row in rows if row["kind"] == "nomination"]
    assert nominations
    assert all(row["breaches"] == 0 and row["passed"] for row in nominations)
    confirmed = await tiny.read(
        "MATCH (d:FengqiaoDecision {kind: 'confirmation'})-[:FOR_GRID]->(g:Grid) "
        "RETURN g.code AS grid, d.period AS period, "
        "COUNT { (n:FengqiaoDecision {kind: 'nomination'})-[:FOR_GRID]->(g) "
        "        WHERE n.period STARTS WITH d.period } AS nominated, "
        "COUNT { (c:Case)-[:OCCURRED_IN]->(g) WHERE c.tenNoItem IS NOT NULL "
        "        AND c.reportedAt.year = toInteger(d.period) } AS breaches"
    )
    assert confirmed
    for row in confirmed:
        assert row["period"] == "2024" and row["nominated"] >= 3 and row["breaches"] == 0, row


# A nomination's resolved-in-grid rate recomputed from the grid's cases of its quarter: of the
# cases resolved, those resolved in the grid (as scorecards and nominateFengqiaoGrid count).
NOMINATION_RATES = """
MATCH (d:FengqiaoDecision {kind: 'nomination'})-[:FOR_GRID]->(g:Grid)
OPTIONAL MATCH (c:Case)-[:OCCURRED_IN]->(g)
WHERE c.resolvedAtLevel IS NOT NULL
  AND toString(c.reportedAt.year) + 'Q' + toString((c.reportedAt.month - 1) / 3 + 1) = d.period
WITH d, count(c) AS resolved, count(CASE WHEN c.resolvedAtLevel = 'grid' THEN 1 END) AS inGrid
RETURN d.id AS id, d.resolvedInGridRate AS stored,
       CASE WHEN resolved = 0 THEN null ELSE round(toFloat(inGrid) / resolved, 3) END AS counted
"""


async def test_a_seeded_nominations_rate_is_the_one_the_mutation_counts(
    tiny: GraphClient,
) -> None:
    rows = await tiny.read(NOMINATION_RATES)
    assert rows
    assert [row for row in rows if row["stored"] != row["counted"]] == []


async def test_a_grid_shows_its_decisions_to_whoever_may_read_the_grid(
    http: TestClient, tiny: GraphClient, settings: Settings
) -> None:
    [row] = await tiny.read(
        "MATCH (d:FengqiaoDecision)-[:FOR_GRID]->(g:Grid) "
        "RETURN g.code AS grid, count(d) AS n ORDER BY n DESC, grid LIMIT 1"
    )
    grid = row["grid"]
    expected = await tiny.read(
        "MATCH (d:FengqiaoDecision)-[:FOR_GRID]->(:Grid {code: $g}) "
        "RETURN d.id AS id ORDER BY d.period, d.id",
        {"g": grid},
    )
    admin = bearer(hs256(settings, "admin", subject="fq-admin"))
    community = bearer(hs256(settings, "community_officer", [grid[:12]], subject="fq-c"))
    for who in (admin, community):
        found: list[dict[str, Any]] = data(http, who, DECISIONS, g=grid)["grid"][
            "fengqiaoDecisions"
        ]
        assert [d["decisionId"] for d in found] == [r["id"] for r in expected]
    only_2025 = data(http, admin, DECISIONS, g=grid, y="2025")["grid"]["fengqiaoDecisions"]
    assert all(d["period"].startswith("2025") for d in only_2025)
