"""Analytics over GraphQL: scorecards, repeat disputants, hotspots and the worker ranking.

Expectations are computed here from raw Cypher rows, independently of graph/analytics.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.maintenance import delete_everything
from seeds.loader import SeedReport, seed_graph
from seeds.plan import Scale
from tests.schema.conftest import SEED_KEY, errors_of, run

CST = timezone(timedelta(hours=8))

SCORECARD_FIELDS = """
  placeCode period periodKind caseCount resolvedCount resolvedInGridCount resolvedInGridRate
  resolvedInGridTarget meetsResolvedInGridTarget closedCount closedOnTimeCount onTimeDays
  onTimeClosureRate ratedCount meanSatisfaction allTenPassed fengqiao gridCount
  qualifyingGridCount qualifyingGrids { code }
  tenNo { code name passed breakingCases }
"""
GRID_SCORECARD = (
    "query G($grid: String!, $period: String!) { gridScorecard(grid: $grid, period: $period) {"
    + SCORECARD_FIELDS
    + "} }"
)
COMMUNITY_SCORECARD = (
    "query C($c: String!, $period: String!) { communityScorecard(community: $c, period: $period)"
    " {" + SCORECARD_FIELDS + "} }"
)
DISTRICT_SCORECARD = (
    "query D($period: String!) { districtScorecard(period: $period) {" + SCORECARD_FIELDS + "} }"
)
REPEAT_DISPUTANTS = """
query R($place: String, $since: Date, $minCases: Int, $first: Int) {
  repeatDisputants(place: $place, since: $since, minCases: $minCases, first: $first) {
    personId name caseCount cases { code role gridCode } person { personId }
  }
}
"""
HOTSPOTS = """
query H($level: PlaceLevelEnum!, $period: String!, $category: String, $first: Int) {
  hotspots(level: $level, period: $period, category: $category, first: $first) {
    period previousPeriod
    places { code name count previousCount change changeRatio }
  }
}
"""
RANKING = """
query W($quarter: String!, $place: String, $first: Int) {
  gridWorkerRanking(quarter: $quarter, place: $place, first: $first) {
    quarter evaluatedCount flaggedCount inPlaceCount flaggedInPlaceCount
    entries { evaluationId rank score bottom5 grid { code } worker { personId } }
  }
}
"""

Q3_FROM, Q3_BEFORE = datetime(2024, 7, 1, tzinfo=CST), datetime(2024, 10, 1, tzinfo=CST)
Q2_FROM = datetime(2024, 4, 1, tzinfo=CST)
YEAR_FROM, YEAR_BEFORE = datetime(2024, 1, 1, tzinfo=CST), datetime(2025, 1, 1, tzinfo=CST)

GRID_CASES = """
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid {code: $grid})
WHERE c.reportedAt >= $from AND c.reportedAt < $before
RETURN c.code AS code, c.reportedAt AS reportedAt, c.closedAt AS closedAt,
       c.resolvedAtLevel AS level, c.satisfaction AS satisfaction, c.tenNoItem AS tenNo
"""


@pytest.fixture(scope="module")
async def seeded(graph: GraphClient) -> AsyncIterator[SeedReport]:
    """The tiny seed (as the `tiny` fixture loads it), with what was planted."""
    await delete_everything(graph)
    yield await seed_graph(graph, SEED_KEY, Scale.TINY, progress=False)


def expected_scorecard(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """docs/metrics.md, in plain Python over raw case rows."""
    resolved = [r for r in rows if r["level"] is not None]
    closed = [r for r in rows if r["closedAt"] is not None]
    on_time = [r for r in closed if r["closedAt"] - r["reportedAt"] <= timedelta(days=15)]
    rated = [r["satisfaction"] for r in rows if r["satisfaction"] is not None]
    in_grid = [r for r in resolved if r["level"] == "grid"]
    return {
        "caseCount": len(rows),
        "resolvedCount": len(resolved),
        "resolvedInGridCount": len(in_grid),
        "resolvedInGridRate": len(in_grid) / len(resolved) if resolved else None,
        "closedCount": len(closed),
        "closedOnTimeCount": len(on_time),
        "onTimeClosureRate": len(on_time) / len(closed) if closed else None,
        "ratedCount": len(rated),
        "meanSatisfaction": sum(rated) / len(rated) if rated else None,
    }


def approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value)


async def test_grid_scorecard_matches_hand_count(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given the grid with the most cases in 2024 and its raw case rows
    [busiest] = await graph.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid) WHERE c.reportedAt >= $from "
        "AND c.reportedAt < $before RETURN g.code AS code, count(c) AS n "
        "ORDER BY n DESC, code LIMIT 1",
        {"from": YEAR_FROM, "before": YEAR_BEFORE},
    )
    rows = await graph.read(
        GRID_CASES, {"grid": busiest["code"], "from": YEAR_FROM, "before": YEAR_BEFORE}
    )
    expected = expected_scorecard(rows)
    assert expected["closedCount"] > 0 and expected["resolvedCount"] > 0
    # when its scorecard for the year is asked for
    card = run(http, GRID_SCORECARD, grid=busiest["code"], period="2024")["gridScorecard"]
    # then every count and rate agrees with the hand count
    for key, value in expected.items():
        assert card[key] == approx(value), key
    rate = expected["resolvedInGridRate"]
    assert card["meetsResolvedInGridTarget"] == (rate >= 0.6)
    assert card["resolvedInGridTarget"] == 0.6 and card["onTimeDays"] == 15
    breaches = {r["tenNo"] for r in rows if r["tenNo"]}
    assert [i["code"] for i in card["tenNo"]] == [f"TN{n:02d}" for n in range(1, 11)]
    assert {i["code"] for i in card["tenNo"] if not i["passed"]} == breaches
    assert card["gridCount"] == 1 and card["periodKind"] == "year"


async def test_breach_fails_item_and_clean_grid_qualifies(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given a grid with a ten-no breach reported in some quarter of 2024 (whichever the seed
    # drew) and a grid with none all year
    [breach] = await graph.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid) WHERE c.tenNoItem IS NOT NULL "
        "AND c.reportedAt >= $from AND c.reportedAt < $before "
        "RETURN g.code AS grid, c.tenNoItem AS item, c.code AS case, c.reportedAt AS at "
        "ORDER BY grid, case LIMIT 1",
        {"from": YEAR_FROM, "before": YEAR_BEFORE},
    )
    reported = breach["at"].astimezone(CST)
    quarter = f"{reported.year}Q{(reported.month - 1) // 3 + 1}"
    [clean] = await graph.read(
        "MATCH (g:Grid) WHERE NOT EXISTS { MATCH (g)<-[:OCCURRED_IN]-(c:Case) "
        "WHERE c.tenNoItem IS NOT NULL AND c.reportedAt >= $from AND c.reportedAt < $before } "
        "AND EXISTS { (g)<-[:OCCURRED_IN]-(:Case) } RETURN g.code AS grid ORDER BY grid LIMIT 1",
        {"from": YEAR_FROM, "before": YEAR_BEFORE},
    )
    # when their quarter and year scorecards are read
    bad = run(http, GRID_SCORECARD, grid=breach["grid"], period=quarter)["gridScorecard"]
    good_q = run(http, GRID_SCORECARD, grid=clean["grid"], period=quarter)["gridScorecard"]
    good_y = run(http, GRID_SCORECARD, grid=clean["grid"], period="2024")["gridScorecard"]
    month = run(http, GRID_SCORECARD, grid=clean["grid"], period="2024-07")["gridScorecard"]
    # then the breached item fails with its case, and only the clean grid qualifies
    [item] = [i for i in bad["tenNo"] if i["code"] == breach["item"]]
    assert not item["passed"] and breach["case"] in item["breakingCases"]
    assert item["name"]  # the Chinese name from policy.toml
    assert not bad["allTenPassed"] and bad["fengqiao"] == "NOT_QUALIFIED"
    assert bad["qualifyingGrids"] == []
    assert good_q["allTenPassed"] and good_q["fengqiao"] == "NOMINATED"
    assert good_y["fengqiao"] == "CONFIRMED"
    assert good_y["qualifyingGrids"] == [{"code": clean["grid"]}]
    assert month["fengqiao"] is None and month["allTenPassed"]


async def test_community_scorecard_rolls_up_its_grids(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given a community with several grids
    [community] = await graph.read(
        "MATCH (g:Grid)-[:PART_OF]->(m:Community) WITH m, collect(g.code) AS grids "
        "WHERE size(grids) >= 2 RETURN m.code AS code, grids ORDER BY code LIMIT 1"
    )
    # when the community and each of its grids are scored for 2024
    total = run(http, COMMUNITY_SCORECARD, c=community["code"], period="2024")
    grids = [
        run(http, GRID_SCORECARD, grid=code, period="2024")["gridScorecard"]
        for code in community["grids"]
    ]
    card = total["communityScorecard"]
    # then counts are sums, rates are ratios of the sums, qualifying grids are those that qualify
    summed = Counter[str]()
    for grid in grids:
        for key in ("caseCount", "resolvedCount", "resolvedInGridCount", "closedCount",
                    "closedOnTimeCount", "ratedCount"):  # fmt: skip
            summed[key] += grid[key]
    for key, value in summed.items():
        assert card[key] == value, key
    satisfaction = sum((g["meanSatisfaction"] or 0) * g["ratedCount"] for g in grids)
    assert card["meanSatisfaction"] == approx(
        satisfaction / summed["ratedCount"] if summed["ratedCount"] else None
    )
    assert card["resolvedInGridRate"] == approx(
        summed["resolvedInGridCount"] / summed["resolvedCount"] if summed["resolvedCount"] else None
    )
    qualifying = sorted(g["placeCode"] for g in grids if g["allTenPassed"])
    assert [g["code"] for g in card["qualifyingGrids"]] == qualifying
    assert card["qualifyingGridCount"] == len(qualifying) and card["gridCount"] == len(grids)
    for item in card["tenNo"]:
        breaking = sorted(
            c for g in grids for i in g["tenNo"] if i["code"] == item["code"]
            for c in i["breakingCases"]
        )  # fmt: skip
        assert item["breakingCases"] == breaking
    district = run(http, DISTRICT_SCORECARD, period="2024")["districtScorecard"]
    [all_cases] = await graph.read(
        "MATCH (c:Case) WHERE c.reportedAt >= $from AND c.reportedAt < $before "
        "RETURN count(c) AS n",
        {"from": YEAR_FROM, "before": YEAR_BEFORE},
    )
    assert district["caseCount"] == all_cases["n"]


async def test_planted_repeat_disputants_are_found(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given the repeat disputants the seed planted
    planted = set(seeded.planted.repeat_disputants)
    assert planted
    # when the investigator asks for persons in at least 3 cases
    found = run(http, REPEAT_DISPUTANTS, first=100)["repeatDisputants"]
    # then every planted one is there, with counts matching an independent count
    ids = [p["personId"] for p in found]
    assert planted <= set(ids)
    counts = [p["caseCount"] for p in found]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 3
    rows = await graph.read(
        "UNWIND $ids AS id MATCH (p:Person {id: id})-[:PARTY_TO]->(c:Case) "
        "RETURN id, count(c) AS n",
        {"ids": ids},
    )
    assert {r["id"]: r["n"] for r in rows} == {p["personId"]: p["caseCount"] for p in found}
    for person in found:
        assert len(person["cases"]) == person["caseCount"]
        assert person["person"]["personId"] == person["personId"]
    # and a place filter keeps only that place's cases
    street = found[0]["cases"][0]["gridCode"][:9]
    local = run(http, REPEAT_DISPUTANTS, place=street, first=100)["repeatDisputants"]
    assert all(c["gridCode"].startswith(street) for p in local for c in p["cases"])
    later = run(http, REPEAT_DISPUTANTS, since="2030-01-01", first=100)["repeatDisputants"]
    assert later == []


async def test_hotspots_match_independent_counts(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given case counts per community for 2024Q3 and 2024Q2, counted here
    rows = await graph.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(:Grid)-[:PART_OF]->(m:Community) "
        "WHERE c.reportedAt >= $prev AND c.reportedAt < $before "
        "RETURN m.code AS code, c.reportedAt >= $from AS current, count(c) AS n",
        {"prev": Q2_FROM, "from": Q3_FROM, "before": Q3_BEFORE},
    )
    now = {r["code"]: r["n"] for r in rows if r["current"]}
    before = {r["code"]: r["n"] for r in rows if not r["current"]}
    # when hotspots of communities for the quarter are asked for
    report = run(http, HOTSPOTS, level="COMMUNITY", period="2024Q3", first=100)["hotspots"]
    # then every community's count and previous count agree, ranked by count
    assert report["period"] == "2024Q3" and report["previousPeriod"] == "2024Q2"
    places = report["places"]
    assert {p["code"] for p in places} == set(now) | set(before)
    for p in places:
        assert p["count"] == now.get(p["code"], 0)
        assert p["previousCount"] == before.get(p["code"], 0)
        assert p["change"] == p["count"] - p["previousCount"]
        previous = p["previousCount"]
        assert p["changeRatio"] == approx(p["change"] / previous if previous else None)
        assert p["name"]
    counts = [p["count"] for p in places]
    assert counts == sorted(counts, reverse=True)
    # and a category and a street level narrow and group the same cases
    streets = run(http, HOTSPOTS, level="STREET", period="2024Q3", first=100)["hotspots"]
    assert sum(p["count"] for p in streets["places"]) == sum(now.values())
    [neighbour] = await graph.read(
        "MATCH (c:Case {category: 'neighbour'}) WHERE c.reportedAt >= $from "
        "AND c.reportedAt < $before RETURN count(c) AS n",
        {"from": Q3_FROM, "before": Q3_BEFORE},
    )
    grids = run(http, HOTSPOTS, level="GRID", period="2024Q3", category="neighbour", first=100)
    assert sum(p["count"] for p in grids["hotspots"]["places"]) == neighbour["n"]


async def test_ranking_flags_the_bottom_five_percent(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given the evaluations of 2024Q3
    [stats] = await graph.read(
        "MATCH (e:GridWorkerEvaluation {quarter: '2024Q3'}) RETURN count(e) AS n"
    )
    n = stats["n"]
    cut = n - math.ceil(n * 0.05)
    # when the whole ranking is read
    ranking = run(http, RANKING, quarter="2024Q3", first=100)["gridWorkerRanking"]
    # then ranks run best first and exactly those below the 95% cut are flagged
    entries = ranking["entries"]
    assert ranking["evaluatedCount"] == n == len(entries) == ranking["inPlaceCount"]
    assert [e["rank"] for e in entries] == list(range(1, n + 1))
    assert [e["rank"] for e in entries if e["bottom5"]] == list(range(cut + 1, n + 1))
    assert ranking["flaggedCount"] == n - cut >= 1
    scores = [e["score"] for e in entries]
    assert scores == sorted(scores, reverse=True)
    assert all(e["worker"] and e["grid"] for e in entries)
    # and a street keeps only its grids, with the district-wide ranks
    street = entries[0]["grid"]["code"][:9]
    local = run(http, RANKING, quarter="2024Q3", place=street, first=100)["gridWorkerRanking"]
    assert all(e["grid"]["code"].startswith(street) for e in local["entries"])
    assert local["inPlaceCount"] == sum(e["grid"]["code"].startswith(street) for e in entries)


def test_bad_input_gets_stable_codes(seeded: SeedReport, http: TestClient) -> None:
    def code(query: str, **variables: Any) -> str:
        return str(errors_of(http, query, **variables)[0]["extensions"]["code"])

    assert code(GRID_SCORECARD, grid="370811001001001", period="2024Q5") == "BAD_USER_INPUT"
    assert code(GRID_SCORECARD, grid="370811001001001", period="24-7") == "BAD_USER_INPUT"
    assert code(GRID_SCORECARD, grid="37081100100100x", period="2024") == "BAD_USER_INPUT"
    assert code(GRID_SCORECARD, grid="370811999999999", period="2024") == "NOT_FOUND"
    assert code(COMMUNITY_SCORECARD, c="370811001", period="2024") == "BAD_USER_INPUT"
    assert code(HOTSPOTS, level="DISTRICT", period="2024") == "BAD_USER_INPUT"
    assert code(HOTSPOTS, level="GRID", period="2024", first=101) == "BAD_USER_INPUT"
    assert code(HOTSPOTS, level="GRID", period="2024", category="nope") == "BAD_USER_INPUT"
    assert code(REPEAT_DISPUTANTS, place="370811999") == "NOT_FOUND"
    assert code(REPEAT_DISPUTANTS, minCases=0) == "BAD_USER_INPUT"
    assert code(RANKING, quarter="2024-07") == "BAD_USER_INPUT"
    assert code(RANKING, quarter="2024Q3", first=101) == "BAD_USER_INPUT"
