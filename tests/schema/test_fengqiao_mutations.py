"""Fengqiao-style grid decisions made through GraphQL (季度提名、年度确定) on the tiny seed: the
street nominates its grids for a quarter, the district (hotline operator) confirms for a year;
eligibility is checked against independent Cypher, refusals are coded and write nothing, and
idempotency keys replay."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.graphql_http import body, data
from tests.tokens import bearer, hs256

FIELDS = """
  gridCode replayed
  decision { decisionId kind period decidedBy tenNoPassed breachingCases caseCount
             resolvedInGridRate meanSatisfaction recordedBy }
"""
NOMINATE = (
    "mutation($g: String!, $q: String!, $key: String) {"
    f" nominateFengqiaoGrid(grid: $g, quarter: $q, idempotencyKey: $key) {{ {FIELDS} }} }}"
)
CONFIRM = (
    "mutation($g: String!, $y: String!, $key: String) {"
    f" confirmFengqiaoGrid(grid: $g, year: $y, idempotencyKey: $key) {{ {FIELDS} }} }}"
)
# A grid's record over a window, independently of graph/fengqiao_commands.py.
RECORD = """
MATCH (g:Grid)
OPTIONAL MATCH (g)<-[:OCCURRED_IN]-(c:Case)
  WHERE c.reportedAt >= datetime($from) AND c.reportedAt < datetime($before)
WITH g, count(c) AS cases, count(c.tenNoItem) AS breaches,
     count(c.resolvedAtLevel) AS resolved,
     count(CASE WHEN c.resolvedAtLevel = 'grid' THEN 1 END) AS inGrid,
     avg(c.satisfaction) AS mood
RETURN g.code AS grid, cases, breaches, resolved, inGrid, mood,
       COUNT { (g)<-[:FOR_GRID]-(n:FengqiaoDecision {kind: 'nomination'})
               WHERE n.period STARTS WITH $year } AS nominations,
       EXISTS { (g)<-[:FOR_GRID]-(:FengqiaoDecision {id: 'FQ-' + $period + '-' + g.code}) }
         AS decided
ORDER BY grid
"""
Q1_2025 = {"from": "2025-01-01T00:00+08:00", "before": "2025-04-01T00:00+08:00"}
YEAR_2024 = {"from": "2024-01-01T00:00+08:00", "before": "2025-01-01T00:00+08:00"}
YEAR_2025 = {"from": "2025-01-01T00:00+08:00", "before": "2026-01-01T00:00+08:00"}
DECISIONS = "MATCH (d:FengqiaoDecision) RETURN count(d) AS n"
# Grid-quarters with a ten-no breach (China-time quarters of the seeded period).
BREACHED = """
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid) WHERE c.tenNoItem IS NOT NULL
WITH g, datetime({datetime: c.reportedAt, timezone: '+08:00'}) AS at, c
WITH g.code AS grid, toString(at.year) + 'Q' + toString((at.month - 1) / 3 + 1) AS quarter,
     c.code AS code ORDER BY code
RETURN grid, quarter, collect(code) AS cases ORDER BY grid, quarter
"""


def _token(settings: Settings, role: str, scope: list[str] | None) -> dict[str, str]:
    return bearer(hs256(settings, role, scope, subject=f"fq-{role}"))


def _refusal(http: TestClient, who: dict[str, str], query: str, **variables: Any) -> Any:
    found = body(http, who, query, **variables)
    assert found.get("errors"), found
    return found["errors"][0]["extensions"]


def _nominable(row: dict[str, Any]) -> bool:
    rate_ok = row["resolved"] == 0 or row["inGrid"] / row["resolved"] >= 0.6
    return row["breaches"] == 0 and rate_ok and (row["mood"] is None or row["mood"] >= 4.0)


async def _records(graph: GraphClient, window: dict[str, str], period: str) -> list[Any]:
    params = {**window, "year": period[:4], "period": period}
    return [dict(row) for row in await graph.read(RECORD, params)]


async def test_the_street_nominates_its_eligible_grids_for_a_past_quarter(
    http: TestClient, tiny: GraphClient, settings: Settings
) -> None:
    # given the 2025Q1 records (the seeds nominate 2024 only), by independent Cypher
    records = await _records(tiny, Q1_2025, "2025Q1")
    eligible = [r for r in records if _nominable(r) and not r["decided"]]
    breached = await tiny.read(BREACHED)
    assert eligible and breached
    grid = eligible[0]["grid"]
    street = _token(settings, "street_officer", [grid[:9]])
    other_street = _token(settings, "street_officer", [f"{grid[:6]}999"])
    worker = _token(settings, "grid_worker", [grid])
    hotline = _token(settings, "hotline_operator", [grid[:6]])
    [before] = await tiny.read(DECISIONS)
    # when other offices try, or the street names a breached grid or a quarter not over
    assert _refusal(http, worker, NOMINATE, g=grid, q="2025Q1")["code"] == "FORBIDDEN"
    assert _refusal(http, hotline, NOMINATE, g=grid, q="2025Q1")["code"] == "FORBIDDEN"
    assert _refusal(http, other_street, NOMINATE, g=grid, q="2025Q1")["code"] == "NOT_FOUND"
    assert _refusal(http, street, NOMINATE, g=grid, q="2025Q5")["code"] == "BAD_USER_INPUT"
    future = _refusal(http, street, NOMINATE, g=grid, q="2099Q1")
    assert (future["code"], future["reason"]) == ("BAD_USER_INPUT", "PERIOD_NOT_OVER")
    dirty = breached[0]
    admin = _token(settings, "admin", None)
    refused = _refusal(http, admin, NOMINATE, g=dirty["grid"], q=dirty["quarter"])
    assert refused["reason"] == "TEN_NO_BREACHED"
    assert refused["evidence"]["breachingCases"] == dirty["cases"]
    # then nothing is written
    assert await tiny.read(DECISIONS) == [before]
    # when the grid's street nominates it, twice with one key
    first = data(http, street, NOMINATE, g=grid, q="2025Q1", key="fq-n-1")["nominateFengqiaoGrid"]
    again = data(http, street, NOMINATE, g=grid, q="2025Q1", key="fq-n-1")["nominateFengqiaoGrid"]
    # then one decision holds the evidence Cypher finds, the street as decider
    record = eligible[0]
    rate = round(record["inGrid"] / record["resolved"], 3) if record["resolved"] else None
    assert first["decision"] == {
        "decisionId": f"FQ-2025Q1-{grid}",
        "kind": "NOMINATION",
        "period": "2025Q1",
        "decidedBy": grid[:9],
        "tenNoPassed": True,
        "breachingCases": [],
        "caseCount": record["cases"],
        "resolvedInGridRate": rate,
        "meanSatisfaction": None if record["mood"] is None else round(record["mood"], 2),
        "recordedBy": "fq-street_officer",
    }
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["decision"]["decisionId"] == first["decision"]["decisionId"]
    [after] = await tiny.read(DECISIONS)
    assert after["n"] == before["n"] + 1
    # and a second nomination of the same quarter is refused
    twice = _refusal(http, street, NOMINATE, g=grid, q="2025Q1")
    assert twice["reason"] == "ALREADY_DECIDED"
    # and the grid's decisions read it back
    read = data(
        http,
        street,
        'query($g: String!) { grid(code: $g) { fengqiaoDecisions(year: "2025") {'
        " decisionId recordedBy } } }",
        g=grid,
    )
    assert read["grid"]["fengqiaoDecisions"] == [
        {"decisionId": f"FQ-2025Q1-{grid}", "recordedBy": "fq-street_officer"}
    ]


@pytest.mark.parametrize("role", ["street_officer", "grid_worker", "community_officer"])
async def test_only_the_district_confirms(
    http: TestClient, tiny: GraphClient, settings: Settings, role: str
) -> None:
    [grid] = await tiny.read("MATCH (g:Grid) RETURN g.code AS code ORDER BY code LIMIT 1")
    code = grid["code"]
    scope = {"street_officer": code[:9], "grid_worker": code, "community_officer": code[:12]}
    who = _token(settings, role, [scope[role]])
    assert _refusal(http, who, CONFIRM, g=code, y="2024")["code"] == "FORBIDDEN"


async def test_the_district_confirms_a_grid_nominated_in_enough_quarters_of_a_clean_year(
    http: TestClient, tiny: GraphClient, settings: Settings
) -> None:
    # given a grid the seeds confirmed for 2024, and the 2025 records (one nomination at most)
    [seeded] = await tiny.read(
        "MATCH (d:FengqiaoDecision {kind: 'confirmation', period: '2024'})-[:FOR_GRID]->(g) "
        "RETURN g.code AS grid, d.caseCount AS cases, d.tenNoPassed AS passed "
        "ORDER BY grid LIMIT 1"
    )
    grid = seeded["grid"]
    hotline = _token(settings, "hotline_operator", [grid[:6]])
    clean_2025 = [r for r in await _records(tiny, YEAR_2025, "2025") if not r["breaches"]]
    dirty_2024 = [r for r in await _records(tiny, YEAR_2024, "2024") if r["breaches"]]
    assert clean_2025 and dirty_2024
    [before] = await tiny.read(DECISIONS)
    # when the district confirms it again, a grid nominated too seldom, a breached one
    assert _refusal(http, hotline, CONFIRM, g=grid, y="2024")["reason"] == "ALREADY_DECIDED"
    few = _refusal(http, hotline, CONFIRM, g=clean_2025[0]["grid"], y="2025")
    assert few["reason"] == "TOO_FEW_NOMINATIONS"
    breached = _refusal(http, hotline, CONFIRM, g=dirty_2024[0]["grid"], y="2024")
    assert breached["reason"] == "TEN_NO_BREACHED"
    assert _refusal(http, hotline, CONFIRM, g=grid, y="24")["code"] == "BAD_USER_INPUT"
    # then nothing is written
    assert await tiny.read(DECISIONS) == [before]
    # when the seeded confirmation is taken back and the district confirms through the API
    await tiny.write(
        "MATCH (d:FengqiaoDecision {id: $id}) DETACH DELETE d", {"id": f"FQ-2024-{grid}"}
    )
    done = data(http, hotline, CONFIRM, g=grid, y="2024", key="fq-c-1")["confirmFengqiaoGrid"]
    # then it rests on the same record the seeds found, decided by the district
    decision = done["decision"]
    assert (decision["kind"], decision["period"], decision["decidedBy"]) == (
        "CONFIRMATION",
        "2024",
        grid[:6],
    )
    assert (decision["caseCount"], decision["tenNoPassed"]) == (seeded["cases"], True)
    assert decision["recordedBy"] == "fq-hotline_operator"
    assert await tiny.read(DECISIONS) == [before]


STANDING = """
query($d: String!, $p: String!) {
  districtScorecard(district: $d, period: $p) {
    qualifyingGridCount
    fengqiaoDecisions {
      eligibleGridCount nominatedGridCount nominatedGridCodes confirmedGridCount
      confirmedGridCodes
    }
  }
}
"""
DECIDED = """
MATCH (g:Grid)<-[:FOR_GRID]-(d:FengqiaoDecision {kind: $kind})
WHERE d.period STARTS WITH $period
RETURN collect(DISTINCT g.code) AS grids
"""


@pytest.mark.parametrize("period", ["2024", "2024Q3"])
async def test_scorecards_show_eligibility_nomination_and_confirmation_apart(
    http: TestClient, tiny: GraphClient, settings: Settings, period: str
) -> None:
    [grid] = await tiny.read("MATCH (g:Grid) RETURN g.code AS code ORDER BY code LIMIT 1")
    admin = _token(settings, "admin", None)
    card = data(http, admin, STANDING, d=grid["code"][:6], p=period)["districtScorecard"]
    standing = card["fengqiaoDecisions"]
    expected = {}
    for kind in ("nomination", "confirmation"):
        [row] = await tiny.read(DECIDED, {"kind": kind, "period": period})
        expected[kind] = sorted(row["grids"])
    assert standing == {
        "eligibleGridCount": card["qualifyingGridCount"],
        "nominatedGridCount": len(expected["nomination"]),
        "nominatedGridCodes": expected["nomination"],
        "confirmedGridCount": len(expected["confirmation"]),
        "confirmedGridCodes": expected["confirmation"],
    }
    assert standing["nominatedGridCount"] > 0
    # a selection: confirmed grids are fewer than eligible ones over the year
    if period == "2024":
        assert 0 < standing["confirmedGridCount"] <= standing["eligibleGridCount"]
