"""Scorecards show how departments answered whistles (吹哨报到) on a place's cases: per
department, calls, acknowledgements, on time, response time; checked against independent
Cypher over the tiny seed's whistles, with row scope."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.graphql_http import data
from tests.tokens import bearer, hs256

CARD = """
query($c: String!, $p: String!) {
  communityScorecard(community: $c, period: $p) {
    whistleResponse {
      departmentCode departmentName
      response { called cases acknowledged acknowledgedOnTime arrivedOnTime recorded
                 meanAcknowledgeMinutes }
    }
  }
}
"""
# Calls made in [from, before) on cases of the grids under the community, per department.
EXPECTED = """
MATCH (g:Grid)<-[:OCCURRED_IN]-(c:Case)-[w:WHISTLED]->(p:Person)-[:MEMBER_OF]->(d:Department)
WHERE g.code STARTS WITH $c AND w.at >= datetime($from) AND w.at < datetime($before)
WITH d, c, w
ORDER BY d.code
RETURN d.code AS code, d.name AS name, count(w) AS called, count(DISTINCT c) AS cases,
       count(w.acknowledgedAt) AS acknowledged,
       sum(CASE WHEN w.acknowledgedAt <= w.acknowledgeDueAt THEN 1 ELSE 0 END) AS onTime,
       sum(CASE WHEN w.arrivedAt <= w.arriveDueAt THEN 1 ELSE 0 END) AS arrived,
       count(w.recordedAt) AS recorded,
       collect(CASE WHEN w.acknowledgedAt IS NOT NULL
               THEN duration.inSeconds(w.at, w.acknowledgedAt).seconds END) AS seconds
"""
YEAR = {"from": "2024-01-01T00:00+08:00", "before": "2025-01-01T00:00+08:00"}


@pytest.fixture(scope="module")
async def community(tiny: GraphClient) -> str:
    """The community with the most whistles in 2024."""
    [row] = await tiny.read(
        "MATCH (g:Grid)<-[:OCCURRED_IN]-(:Case)-[w:WHISTLED]->() "
        "WHERE w.at >= datetime($from) AND w.at < datetime($before) "
        "RETURN substring(g.code, 0, 12) AS code, count(w) AS n ORDER BY n DESC, code LIMIT 1",
        YEAR,
    )
    code: str = row["code"]
    return code


async def test_a_scorecard_counts_each_departments_whistle_response(
    http: TestClient, tiny: GraphClient, settings: Settings, community: str
) -> None:
    # given the 2024 whistles on the community's cases, counted independently
    rows = await tiny.read(EXPECTED, {"c": community, **YEAR})
    assert rows and sum(row["called"] for row in rows) > 0
    # when an officer of the community reads its yearly scorecard
    officer = bearer(hs256(settings, "community_officer", [community], subject="wh-c"))
    found = data(http, officer, CARD, c=community, p="2024")["communityScorecard"]
    # then each department called shows its calls, acknowledgements and response time
    expected: list[dict[str, Any]] = [
        {
            "departmentCode": row["code"],
            "departmentName": row["name"],
            "response": {
                "called": row["called"],
                "cases": row["cases"],
                "acknowledged": row["acknowledged"],
                "acknowledgedOnTime": row["onTime"],
                "arrivedOnTime": row["arrived"],
                "recorded": row["recorded"],
                "meanAcknowledgeMinutes": pytest.approx(
                    sum(row["seconds"]) / len(row["seconds"]) / 60
                )
                if row["seconds"]
                else None,
            },
        }
        for row in rows
    ]
    assert found["whistleResponse"] == expected


STREET_CARD = """
query($s: String!, $p: String!) {
  streetScorecard(street: $s, period: $p) { whistleResponse { departmentCode response { called } } }
}
"""


async def test_a_street_card_read_by_a_community_office_counts_only_its_grids(
    http: TestClient, tiny: GraphClient, settings: Settings, community: str
) -> None:
    [other] = await tiny.read(
        "MATCH (c:Community) WHERE c.code <> $c RETURN c.code AS code ORDER BY code LIMIT 1",
        {"c": community},
    )
    officer = bearer(hs256(settings, "community_officer", [other["code"]], subject="wh-o"))
    # when the other community's officer reads the street's card
    found = data(http, officer, STREET_CARD, s=community[:9], p="2024")["streetScorecard"]
    # then only the whistles on its own community's cases count
    rows = await tiny.read(EXPECTED, {"c": other["code"], **YEAR})
    expected = [{"departmentCode": r["code"], "response": {"called": r["called"]}} for r in rows]
    assert found["whistleResponse"] == expected
    everything = await tiny.read(EXPECTED, {"c": community[:9], **YEAR})
    assert sum(r["called"] for r in everything) > sum(r["called"] for r in rows)
