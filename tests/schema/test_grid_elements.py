"""The monthly six-element upkeep (六大要素) over HTTP with real tokens: who may update, the
per-element state on the grid, and the scorecards' grids-older-than-a-month column."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.graphql_http import data, error_code
from tests.tokens import bearer, hs256

UPDATE = """
mutation U($g: String!, $e: [SixElement!]!, $key: String) {
  updateGridElements(grid: $g, elements: $e, note: "月度采集更新", idempotencyKey: $key) {
    gridCode elements replayed
  }
}
"""
STATE = "query($g: String!) { grid(code: $g) { elementsUpdatedAt { element updatedBy } } }"
CARD = """
query($g: String!, $c: String!, $p: String!) {
  grid: gridScorecard(grid: $g, period: $p) { elementUpkeep { gridCount staleGridCount } }
  community: communityScorecard(community: $c, period: $p) {
    elementUpkeep { gridCount staleGridCount staleGridCodes }
  }
}
"""
ALL = ["PEOPLE", "PLACES", "EVENTS", "THINGS", "SENTIMENT", "ORGANIZATIONS"]


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    [row] = await tiny.read(
        "MATCH (g:Grid)-[:PART_OF]->(c:Community) WITH c, collect(g.code) AS grids"
        " WHERE size(grids) >= 2 WITH c, grids ORDER BY c.code"
        " RETURN c.code AS community, grids LIMIT 1"
    )
    return row


async def test_the_worker_updates_elements_and_the_scorecard_counts_stale_grids(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    grid, other = scene["grids"][0], scene["grids"][1]
    worker = bearer(hs256(settings, "grid_worker", [grid], subject="el-w"))
    stranger = bearer(hs256(settings, "grid_worker", [other], subject="el-w2"))
    admin = bearer(hs256(settings, "admin", subject="el-a"))
    street = bearer(hs256(settings, "street_officer", [grid[:9]], subject="el-s"))
    investigator = bearer(hs256(settings, "investigator", [grid], subject="el-i"))
    month = date.today().strftime("%Y-%m")
    # refusals: another grid's worker, a role that keeps nothing, no element, a bad code
    assert error_code(http, stranger, UPDATE, g=grid, e=ALL) == "NOT_FOUND"
    assert error_code(http, investigator, UPDATE, g=grid, e=ALL) == "FORBIDDEN"
    assert error_code(http, worker, UPDATE, g=grid, e=[]) == "BAD_USER_INPUT"
    assert error_code(http, worker, UPDATE, g="3708", e=ALL) == "BAD_USER_INPUT"
    # given the street updated everything of the other grid except 情 this month
    data(http, street, UPDATE, g=other, e=ALL[:4] + ALL[5:])
    # when the worker updates all six elements of their grid (a retry changes nothing)
    done = data(http, worker, UPDATE, g=grid, e=ALL, key="el-1")["updateGridElements"]
    again = data(http, worker, UPDATE, g=grid, e=ALL, key="el-1")["updateGridElements"]
    assert done["elements"] == ALL and again["replayed"] is True
    [count] = await tiny.read(
        "MATCH (u:ElementUpdate)-[:OF_GRID]->(:Grid {code: $g}) WHERE u.bySubject = 'el-w'"
        " RETURN count(u) AS n",
        {"g": grid},
    )
    assert count["n"] == 1
    # then the grid shows each element as updated by the worker
    state = data(http, worker, STATE, g=grid)["grid"]["elementsUpdatedAt"]
    assert sorted(s["element"] for s in state) == sorted(ALL)
    assert {s["updatedBy"] for s in state} == {"el-w"}
    # and this month's scorecards count the grid fresh, the other stale (情 is old or missing)
    card = data(http, admin, CARD, g=grid, c=scene["community"], p=month)
    assert card["grid"]["elementUpkeep"] == {"gridCount": 1, "staleGridCount": 0}
    upkeep = card["community"]["elementUpkeep"]
    assert upkeep["gridCount"] == len(scene["grids"])
    assert other in upkeep["staleGridCodes"] and grid not in upkeep["staleGridCodes"]
    # the seeded history ends in April 2025, so only the grid updated now in full is fresh
    assert upkeep["staleGridCount"] == len(scene["grids"]) - 1
