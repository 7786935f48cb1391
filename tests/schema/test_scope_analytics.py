"""Row scope of the governance analytics (scorecards, hotspots, repeatDisputants,
gridWorkerRanking): a scoped principal's numbers count the grids inside its scope only, and
a place outside it is NOT_FOUND like an unknown one.

Expectations are counted here from raw case and evaluation rows, filtered by grid code in
Python (codes nest), independently of graph/analytics.py and graph/scope.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, LiteralString

import pytest

from graph.client import GraphClient
from graph.maintenance import delete_everything
from resolvers.principal import Principal, Role
from seeds.loader import SeedReport, seed_graph
from seeds.plan import Scale
from tests.principals import RecordingGraph, data_as, execute_as, principal
from tests.schema.conftest import SEED_KEY

CST = timezone(timedelta(hours=8))
YEAR_FROM, YEAR_BEFORE = datetime(2024, 1, 1, tzinfo=CST), datetime(2025, 1, 1, tzinfo=CST)
Q3_FROM, Q3_BEFORE = datetime(2024, 7, 1, tzinfo=CST), datetime(2024, 10, 1, tzinfo=CST)
Q2_FROM = datetime(2024, 4, 1, tzinfo=CST)

SCORECARD_FIELDS = """
  placeCode caseCount resolvedCount resolvedInGridCount closedCount closedOnTimeCount
  ratedCount meanSatisfaction gridCount qualifyingGridCount qualifyingGrids { code }
  allTenPassed tenNo { code breakingCases }
"""
SCORECARD = (
    "query S($grid: String!, $community: String!, $street: String!, $district: String!) {"
    ' grid: gridScorecard(grid: $grid, period: "2024") {' + SCORECARD_FIELDS + "}"
    ' community: communityScorecard(community: $community, period: "2024") {'
    + SCORECARD_FIELDS
    + '} street: streetScorecard(street: $street, period: "2024") {'
    + SCORECARD_FIELDS
    + '} district: districtScorecard(district: $district, period: "2024") {'
    + SCORECARD_FIELDS
    + "} }"
)
COMMUNITY_SCORECARD = (
    'query C($c: String!) { communityScorecard(community: $c, period: "2024") { caseCount } }'
)
GRID_SCORECARD = 'query G($g: String!) { gridScorecard(grid: $g, period: "2024") { caseCount } }'
REPEAT_DISPUTANTS = """
query R($place: String, $minCases: Int) {
  repeatDisputants(place: $place, minCases: $minCases, first: 100) {
    personId caseCount cases { code gridCode } person { personId }
  }
}
"""
HOTSPOTS = """
query H($level: PlaceLevelEnum!) {
  hotspots(level: $level, period: "2024Q3", first: 100) {
    places { code name count previousCount }
  }
}
"""
EVERY_ANALYTIC = """
query All($district: String!) {
  districtScorecard(district: $district, period: "2024") { caseCount }
  repeatDisputants(place: $district) { personId }
  hotspots(level: GRID, period: "2024") { places { code } }
  gridWorkerRanking(quarter: "2024Q3", place: $district) { evaluatedCount }
}
"""
RANKING = """
query W($quarter: String!, $place: String) {
  gridWorkerRanking(quarter: $quarter, place: $place, first: 100) {
    evaluatedCount flaggedCount inPlaceCount flaggedInPlaceCount
    entries { evaluationId rank grid { code } worker { personId } }
  }
}
"""

CASE_ROWS: LiteralString = """
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid)
RETURN g.code AS grid, c.code AS code, c.reportedAt AS reportedAt, c.closedAt AS closedAt,
       c.resolvedAtLevel AS level, c.satisfaction AS satisfaction, c.tenNoItem AS tenNo
"""
PARTIES: LiteralString = """
MATCH (p:Person)-[:PARTY_TO]->(c:Case)-[:OCCURRED_IN]->(g:Grid)
RETURN p.id AS person, c.code AS code, g.code AS grid
"""
EVALUATIONS: LiteralString = """
MATCH (e:GridWorkerEvaluation {quarter: $quarter})-[:FOR_GRID]->(g:Grid)
RETURN e.id AS id, e.bottom5 AS bottom5, g.code AS grid
"""


@dataclass(frozen=True)
class Scopes:
    """Codes taken from what the seed planted: the feud's first grid and its community."""

    grid_a: str
    community_a: str
    community_b: str
    grid_b: str  # a grid of community B

    @property
    def street(self) -> str:
        return self.grid_a[:9]

    @property
    def district(self) -> str:
        return self.grid_a[:6]


@pytest.fixture(scope="module")
async def seeded(graph: GraphClient) -> AsyncIterator[SeedReport]:
    """The tiny seed, with the report of what it planted."""
    await delete_everything(graph)
    yield await seed_graph(graph, SEED_KEY, Scale.TINY, progress=False)


@pytest.fixture(scope="module")
async def scopes(seeded: SeedReport, graph: GraphClient) -> Scopes:
    grid_a = seeded.planted.feud_grids[0][0]
    [other] = await graph.read(
        "MATCH (g:Grid) WHERE NOT g.code STARTS WITH $community "
        "RETURN g.code AS code ORDER BY code LIMIT 1",
        {"community": grid_a[:12]},
    )
    return Scopes(grid_a, grid_a[:12], other["code"][:12], other["code"])


@pytest.fixture(scope="module")
async def cases(seeded: SeedReport, graph: GraphClient) -> list[dict[str, Any]]:
    return await graph.read(CASE_ROWS)


def counted(grid: str, place: str, scope: set[str] | None) -> bool:
    """The grid is under the place and inside the scope (everywhere for an unscoped one)."""
    return grid.startswith(place) and (scope is None or any(grid.startswith(s) for s in scope))


def expected_scorecard(
    cases: Iterable[dict[str, Any]], grids: list[str], place: str, scope: set[str] | None
) -> dict[str, Any]:
    """docs/metrics.md over the cases of 2024 of the grids counted."""
    mine = [g for g in grids if counted(g, place, scope)]
    rows = [c for c in cases if c["grid"] in mine and YEAR_FROM <= c["reportedAt"] < YEAR_BEFORE]
    closed = [c for c in rows if c["closedAt"] is not None]
    rated = [c["satisfaction"] for c in rows if c["satisfaction"] is not None]
    breaches = Counter(c["grid"] for c in rows if c["tenNo"] is not None)
    return {
        "placeCode": place,
        "caseCount": len(rows),
        "resolvedCount": sum(c["level"] is not None for c in rows),
        "resolvedInGridCount": sum(c["level"] == "grid" for c in rows),
        "closedCount": len(closed),
        "closedOnTimeCount": sum(c["closedAt"] - c["reportedAt"] <= timedelta(15) for c in closed),
        "ratedCount": len(rated),
        "meanSatisfaction": pytest.approx(sum(rated) / len(rated)) if rated else None,
        "gridCount": len(mine),
        "qualifyingGridCount": sum(g not in breaches for g in mine),
        "qualifyingGrids": [{"code": g} for g in sorted(mine) if g not in breaches],
        "allTenPassed": not breaches,
        "breaking": sorted(c["code"] for c in rows if c["tenNo"] is not None),
    }


def _actual(card: dict[str, Any]) -> dict[str, Any]:
    found = {key: value for key, value in card.items() if key != "tenNo"}
    found["breaking"] = sorted(code for item in card["tenNo"] for code in item["breakingCases"])
    return found


def investigator(*codes: str) -> Principal:
    return principal(Role.INVESTIGATOR, set(codes))


ADMIN = principal(Role.ADMIN)


async def test_scorecards_count_only_the_grids_inside_the_scope(
    scopes: Scopes, cases: list[dict[str, Any]], graph: GraphClient
) -> None:
    # given every grid and every case, and the places from grid A up to the district
    grids = [r["code"] for r in await graph.read("MATCH (g:Grid) RETURN g.code AS code")]
    places = {
        "grid": scopes.grid_a,
        "community": scopes.community_a,
        "street": scopes.street,
        "district": scopes.district,
    }
    for who, scope in (
        (investigator(scopes.grid_a), {scopes.grid_a}),
        (investigator(scopes.community_a), {scopes.community_a}),
        (ADMIN, None),
    ):
        # when each principal reads the four scorecards of 2024
        cards = await data_as(graph, who, SCORECARD, **places)
        # then each counts the cases of the place's grids inside the scope, and only those
        for level, code in places.items():
            assert _actual(cards[level]) == expected_scorecard(cases, grids, code, scope), level
    # and the district of a community investigator is not the district of the admin
    admin = await data_as(graph, ADMIN, SCORECARD, **places)
    scoped = await data_as(graph, investigator(scopes.community_a), SCORECARD, **places)
    assert scoped["district"]["caseCount"] < admin["district"]["caseCount"]
    assert scoped["community"] == admin["community"]


def _without(error: dict[str, Any], code: str) -> str:
    return str(error).replace(code, "?")


async def test_a_place_outside_the_scope_is_not_found_like_an_unknown_one(
    scopes: Scopes, graph: GraphClient
) -> None:
    # given an investigator of community A, community B's codes and unknown ones
    who = investigator(scopes.community_a)
    unknown_community, unknown_grid = scopes.street + "999", scopes.street + "999001"
    probes = [
        (COMMUNITY_SCORECARD, "c", scopes.community_b, unknown_community),
        (GRID_SCORECARD, "g", scopes.grid_b, unknown_grid),
        (REPEAT_DISPUTANTS, "place", scopes.community_b, unknown_community),
        (REPEAT_DISPUTANTS, "place", scopes.grid_b, unknown_grid),
        (RANKING, "place", scopes.community_b, unknown_community),
    ]
    for query, argument, code, unknown in probes:
        # when each field is asked about one of B's places and about an unknown place
        extra = {"quarter": "2024Q3"} if query is RANKING else {}
        _, errors = await execute_as(graph, who, query, **{argument: code}, **extra)
        _, expected = await execute_as(graph, who, query, **{argument: unknown}, **extra)
        # then both are the same NOT_FOUND (but for the code), while the admin gets an answer
        assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
        assert _without(errors[0], code) == _without(expected[0], unknown)
        await data_as(graph, ADMIN, query, **{argument: code}, **extra)


def _hotspots(
    cases: list[dict[str, Any]], length: int, scope: set[str] | None
) -> list[tuple[str, int, int]]:
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for case in cases:
        if not counted(case["grid"], "", scope):
            continue
        if Q3_FROM <= case["reportedAt"] < Q3_BEFORE:
            now[case["grid"][:length]] += 1
        elif Q2_FROM <= case["reportedAt"] < Q3_FROM:
            before[case["grid"][:length]] += 1
    codes = set(now) | set(before)
    return sorted(((c, now[c], before[c]) for c in codes), key=lambda r: (-r[1], r[0]))


async def test_hotspots_count_only_the_grids_inside_the_scope(
    scopes: Scopes, cases: list[dict[str, Any]], graph: GraphClient
) -> None:
    for who, scope in (
        (investigator(scopes.grid_a), {scopes.grid_a}),
        (investigator(scopes.community_b), {scopes.community_b}),
        (ADMIN, None),
    ):
        for level, length in (("STREET", 9), ("COMMUNITY", 12), ("GRID", 15)):
            # when each principal asks for the hotspots of 2024Q3 at each level
            report = await data_as(graph, who, HOTSPOTS, level=level)
            places = report["hotspots"]["places"]
            # then the counts are those of the scope's grids, counted here
            found = [(p["code"], p["count"], p["previousCount"]) for p in places]
            assert found == _hotspots(cases, length, scope), (who.subject, level)
            assert all(p["name"] for p in places)
    # and an investigator of the street holding every grid sees the admin's hotspots
    assert all(case["grid"].startswith(scopes.street) for case in cases)
    street = await data_as(graph, investigator(scopes.street), HOTSPOTS, level="STREET")
    admin = await data_as(graph, ADMIN, HOTSPOTS, level="STREET")
    assert street == admin


async def test_repeat_disputants_count_only_cases_inside_the_scope(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given every party's cases with their grids, and the two planted disputants
    parties = await graph.read(PARTIES)
    mine, theirs = seeded.planted.repeat_disputants[:2]
    for who, scope in (
        (investigator(scopes.grid_a), {scopes.grid_a}),
        (investigator(scopes.community_a), {scopes.community_a}),
        (ADMIN, None),
    ):
        # when each principal lists everyone party to a case (minCases 1)
        rows = (await data_as(graph, who, REPEAT_DISPUTANTS, minCases=1))["repeatDisputants"]
        # then persons and counts are those of the cases inside the scope, counted here
        # (most cases first, then by id, at most 100)
        expected = Counter(p["person"] for p in parties if counted(p["grid"], "", scope))
        ranked = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:100]
        assert [(r["personId"], r["caseCount"]) for r in rows] == ranked
        assert all(counted(c["gridCode"], "", scope) for r in rows for c in r["cases"])
        assert all(r["person"] == {"personId": r["personId"]} for r in rows)
    # and with the default minCases, grid A's planted disputant is there, grid B's is not
    default = await data_as(graph, investigator(scopes.grid_a), REPEAT_DISPUTANTS)
    ids = {r["personId"] for r in default["repeatDisputants"]}
    assert mine in ids and theirs not in ids
    # and naming a place above the scope (the district) counts the scope's cases only
    above = await data_as(
        graph, investigator(scopes.grid_a), REPEAT_DISPUTANTS, place=scopes.district
    )
    assert above == default
    admin = await data_as(graph, ADMIN, REPEAT_DISPUTANTS)
    assert {mine, theirs} <= {r["personId"] for r in admin["repeatDisputants"]}


async def test_ranking_lists_and_counts_only_evaluations_inside_the_scope(
    scopes: Scopes, graph: GraphClient
) -> None:
    # given the evaluations of the latest quarter with their grids
    [latest] = await graph.read("MATCH (e:GridWorkerEvaluation) RETURN max(e.quarter) AS quarter")
    quarter = latest["quarter"]
    evaluations = await graph.read(EVALUATIONS, {"quarter": quarter})
    in_a = [e for e in evaluations if e["grid"].startswith(scopes.community_a)]
    assert 0 < len(in_a) < len(evaluations)
    for who, scope in (
        (investigator(scopes.community_a), {scopes.community_a}),
        (investigator(scopes.grid_b), {scopes.grid_b}),
        (ADMIN, None),
    ):
        # when each principal reads the ranking
        ranking = (await data_as(graph, who, RANKING, quarter=quarter))["gridWorkerRanking"]
        # then entries and counts are those of the evaluations of grids inside the scope
        mine = [e for e in evaluations if counted(e["grid"], "", scope)]
        assert {e["evaluationId"] for e in ranking["entries"]} == {e["id"] for e in mine}
        assert ranking["evaluatedCount"] == ranking["inPlaceCount"] == len(mine)
        assert ranking["flaggedCount"] == sum(e["bottom5"] for e in mine)
        assert all(e["worker"] and e["grid"] for e in ranking["entries"])
        ranks = [e["rank"] for e in ranking["entries"]]
        assert ranks == sorted(ranks)
    # and a place inside the scope narrows the entries further
    who = investigator(scopes.community_a)
    ranking = (await data_as(graph, who, RANKING, quarter=quarter, place=scopes.grid_a))[
        "gridWorkerRanking"
    ]
    assert [e["grid"]["code"] for e in ranking["entries"]] == [
        e["grid"] for e in in_a if e["grid"] == scopes.grid_a
    ]
    assert ranking["evaluatedCount"] == len(in_a)


async def test_every_read_is_scoped_for_investigators_and_unscoped_for_admins(
    scopes: Scopes, graph: GraphClient
) -> None:
    for who, scope in ((investigator(scopes.community_a), [scopes.community_a]), (ADMIN, None)):
        # when one document asks every analytic of the district
        recording = RecordingGraph(graph)
        await data_as(recording, who, EVERY_ANALYTIC, district=scopes.district)
        # then every read carries the investigator's scope, and none the admin's
        assert recording.reads
        for query, params in recording.reads:
            assert ("$scope" in query) == (scope is not None), query
            assert params.get("scope") == scope
