"""The street's quarterly grid-worker evaluation and the replacement that may follow (末位淘汰),
over HTTP with real tokens: re-ranking and the bottom 5% as independent Cypher computes them,
who may, and history kept on WORKS_GRID."""

from __future__ import annotations

import math
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.policy import load_policy
from server.settings import Settings
from tests.graphql_http import body, data
from tests.tokens import bearer, hs256

QUARTER = "2024Q4"
EVALUATE = """
mutation E($g: String!, $q: String!, $s: [EvaluationScoreInput!]!, $key: String) {
  recordGridWorkerEvaluation(grid: $g, quarter: $q, scores: $s, idempotencyKey: $key) {
    evaluationId workerId score rank bottom5 replayed
  }
}
"""
REPLACE = """
mutation R($g: String!, $q: String!, $p: String!, $key: String) {
  replaceGridWorker(
    grid: $g, quarter: $q, successor: $p, reason: "末位淘汰", idempotencyKey: $key
  ) {
    gridCode formerWorkerId workerId replayed
  }
}
"""
WORKER = "query($g: String!) { grid(code: $g) { gridWorker { personId } } }"


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    [row] = await tiny.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid)<-[:RESIDES_IN]-(p:Person) "
        "WHERE NOT (p)-[:WORKS_GRID]->() "
        "WITH g, w, p ORDER BY g.code, p.id "
        "RETURN g.code AS grid, w.id AS worker, collect(p.id)[0] AS resident LIMIT 1"
    )
    return row


def _scores(value: float) -> list[dict[str, Any]]:
    return [{"item": item.code, "score": value} for item in load_policy().evaluation.items]


def _error(http: TestClient, who: dict[str, str], query: str, **variables: Any) -> str:
    found = body(http, who, query, **variables)
    assert found.get("errors"), found
    code: str = found["errors"][0]["extensions"]["code"]
    return code


async def test_the_street_evaluates_and_replaces_a_worker_at_the_bottom(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    street = bearer(hs256(settings, "street_officer", [scene["grid"][:9]], subject="street-1"))
    community = bearer(hs256(settings, "community_officer", [scene["grid"][:12]]))
    grid = scene["grid"]
    count = "MATCH (e:GridWorkerEvaluation) RETURN count(e) AS n, sum(e.score) AS s"
    [before] = await tiny.read(count)
    # when another office tries, or the items are wrong, nothing is written
    assert _error(http, community, EVALUATE, g=grid, q=QUARTER, s=_scores(0)) == "FORBIDDEN"
    wrong = _scores(0)[:-1]
    assert _error(http, street, EVALUATE, g=grid, q=QUARTER, s=wrong) == "BAD_USER_INPUT"
    assert _error(http, street, EVALUATE, g="370811999999999", q=QUARTER, s=_scores(0)) == (
        "NOT_FOUND"
    )
    assert await tiny.read(count) == [before]
    # a replacement before the worker is at the bottom is refused
    assert _error(http, street, REPLACE, g=grid, q=QUARTER, p=scene["resident"]) == (
        "BAD_USER_INPUT"
    )
    # when the street scores the grid's worker lowest of the quarter
    done = data(http, street, EVALUATE, g=grid, q=QUARTER, s=_scores(0), key="ev-1")
    recorded = done["recordGridWorkerEvaluation"]
    again = data(http, street, EVALUATE, g=grid, q=QUARTER, s=_scores(0), key="ev-1")
    assert again["recordGridWorkerEvaluation"]["replayed"] is True
    # then the quarter is ranked again, the bottom 5% flagged, as Cypher computes it
    rows = await tiny.read(
        "MATCH (e:GridWorkerEvaluation {quarter: $q}) "
        "RETURN e.id AS id, e.score AS score, e.rank AS rank, e.bottom5 AS bottom5 "
        "ORDER BY e.score DESC, e.id",
        {"q": QUARTER},
    )
    cut = len(rows) - math.ceil(len(rows) * load_policy().evaluation.bottom_share)
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert [row["bottom5"] for row in rows] == [rank > cut for rank in range(1, len(rows) + 1)]
    assert recorded == {
        "evaluationId": f"{QUARTER}-{grid}",
        "workerId": scene["worker"],
        "score": 0.0,
        "rank": len(rows),
        "bottom5": True,
        "replayed": False,
    }
    # and the street replaces the worker; the history stays on WORKS_GRID
    replaced = data(http, street, REPLACE, g=grid, q=QUARTER, p=scene["resident"], key="r-1")
    assert replaced["replaceGridWorker"] == {
        "gridCode": grid,
        "formerWorkerId": scene["worker"],
        "workerId": scene["resident"],
        "replayed": False,
    }
    retry = data(http, street, REPLACE, g=grid, q=QUARTER, p=scene["resident"], key="r-1")
    assert retry["replaceGridWorker"]["replayed"] is True
    history = await tiny.read(
        "MATCH (p:Person)-[r:WORKS_GRID]->(:Grid {code: $g}) "
        "RETURN p.id AS id, r.since IS NOT NULL AS since, r.until IS NOT NULL AS ended "
        "ORDER BY ended",
        {"g": grid},
    )
    assert history == [
        {"id": scene["resident"], "since": True, "ended": False},
        {"id": scene["worker"], "since": True, "ended": True},
    ]
    admin = bearer(hs256(settings, "admin", subject="admin-ev"))
    shown = data(http, admin, WORKER, g=grid)["grid"]["gridWorker"]
    assert shown == {"personId": scene["resident"]}


WARN = """
mutation W($g: String!, $q: String!, $key: String) {
  warnGridWorker(grid: $g, quarter: $q, reason: "履职评估末位，诫勉谈话", idempotencyKey: $key) {
    evaluationId workerId warnedAt replayed
  }
}
"""
WARNINGS = """
query($g: String!, $q: String) {
  grid(code: $g) { evaluations(quarter: $q) { evaluationId bottom5 warnedAt warning } }
}
"""
WARN_QUARTER = "2025Q1"


async def test_the_street_warns_a_worker_flagged_at_the_bottom_once(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    # given a grid (not the scene's) whose current worker the seeds did not flag in 2025Q1
    [row] = await tiny.read(
        "MATCH (w:Person)-[r:WORKS_GRID]->(g:Grid)<-[:FOR_GRID]-(e:GridWorkerEvaluation) "
        "WHERE r.until IS NULL AND g.code <> $g AND e.quarter = $q AND NOT e.bottom5 "
        "AND (w)-[:EVALUATED]->(e) "
        "RETURN g.code AS grid, w.id AS worker ORDER BY grid LIMIT 1",
        {"g": scene["grid"], "q": WARN_QUARTER},
    )
    grid = row["grid"]
    street = bearer(hs256(settings, "street_officer", [grid[:9]], subject="street-w"))
    community = bearer(hs256(settings, "community_officer", [grid[:12]]))
    warned = "MATCH (e:GridWorkerEvaluation) WHERE e.warnedAt IS NOT NULL RETURN count(e) AS n"
    [before] = await tiny.read(warned)
    # when the worker is not at the bottom, or another office tries: refused, nothing written
    assert _error(http, street, WARN, g=grid, q=WARN_QUARTER) == "BAD_USER_INPUT"
    assert _error(http, community, WARN, g=grid, q=WARN_QUARTER) == "FORBIDDEN"
    assert await tiny.read(warned) == [before]
    # when the street scores the worker lowest of the quarter, then warns, twice with one key
    data(http, street, EVALUATE, g=grid, q=WARN_QUARTER, s=_scores(0))
    first = data(http, street, WARN, g=grid, q=WARN_QUARTER, key="w-1")["warnGridWorker"]
    again = data(http, street, WARN, g=grid, q=WARN_QUARTER, key="w-1")["warnGridWorker"]
    assert (first["workerId"], first["replayed"], again["replayed"]) == (
        row["worker"],
        False,
        True,
    )
    assert again["warnedAt"] == first["warnedAt"]
    # then it is recorded once on that evaluation, and a second warning is refused
    assert _error(http, street, WARN, g=grid, q=WARN_QUARTER) == "BAD_USER_INPUT"
    [after] = await tiny.read(warned)
    assert after["n"] == before["n"] + 1
    shown = data(http, street, WARNINGS, g=grid, q=WARN_QUARTER)["grid"]["evaluations"]
    assert shown == [
        {
            "evaluationId": f"{WARN_QUARTER}-{grid}",
            "bottom5": True,
            "warnedAt": first["warnedAt"],
            "warning": "履职评估末位，诫勉谈话",
        }
    ]
