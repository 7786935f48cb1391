"""Grid-worker evaluations over GraphQL: by grid, by worker, by quarter, both ways."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from tests.schema.conftest import errors_of, run

GRID_EVALUATIONS = """
query Evaluations($code: String!, $quarter: String) {
  grid(code: $code) {
    evaluations { evaluationId quarter score rank bottom5 grid { code } worker { personId } }
    one: evaluations(quarter: $quarter) { quarter }
    gridWorker { evaluations { evaluationId grid { code } } }
  }
}
"""

EVALUATION = """
query Evaluation($id: String!) {
  gridWorkerEvaluation(id: $id) { id evaluationId bottom5 worker { personId } grid { code } }
}
"""


async def test_evaluations_walk_both_ways(tiny: GraphClient, http: TestClient) -> None:
    # given a grid's evaluations in the database, newest quarter first
    [grid] = await tiny.read("MATCH (g:Grid) RETURN g.code AS code ORDER BY code LIMIT 1")
    rows = await tiny.read(
        "MATCH (w:Person)-[:EVALUATED]->(e:GridWorkerEvaluation)"
        "-[:FOR_GRID]->(:Grid {code: $code}) "
        "RETURN e.id AS id, e.quarter AS quarter, e.score AS score, e.rank AS rank, "
        "e.bottom5 AS bottom5, w.id AS worker ORDER BY quarter DESC",
        {"code": grid["code"]},
    )
    # when reading them from the grid, for one quarter, and from its grid worker
    data = run(http, GRID_EVALUATIONS, code=grid["code"], quarter=rows[-1]["quarter"])["grid"]
    # then they match, and worker and grid lead back to them
    assert [
        (
            e["evaluationId"],
            e["quarter"],
            e["score"],
            e["rank"],
            e["bottom5"],
            e["worker"]["personId"],
        )
        for e in data["evaluations"]
    ] == [(r["id"], r["quarter"], r["score"], r["rank"], r["bottom5"], r["worker"]) for r in rows]
    assert all(e["grid"] == {"code": grid["code"]} for e in data["evaluations"])
    assert data["one"] == [{"quarter": rows[-1]["quarter"]}]
    from_worker = data["gridWorker"]["evaluations"]
    assert {e["evaluationId"] for e in from_worker} >= {r["id"] for r in rows}
    found = run(http, EVALUATION, id=rows[0]["id"])["gridWorkerEvaluation"]
    assert found["worker"] == {"personId": rows[0]["worker"]}
    assert found["grid"] == {"code": grid["code"]}


async def test_bottom_five_percent_are_flagged(tiny: GraphClient, http: TestClient) -> None:
    # given the worst evaluation of a quarter
    [worst] = await tiny.read(
        "MATCH (e:GridWorkerEvaluation) RETURN e.id AS id, e.bottom5 AS bottom5 "
        "ORDER BY e.quarter, e.rank DESC LIMIT 1"
    )
    # then GraphQL reports the same flag
    found = run(http, EVALUATION, id=worst["id"])["gridWorkerEvaluation"]
    assert found["bottom5"] is worst["bottom5"] is True


def test_unknown_evaluation_is_not_found(tiny: GraphClient, http: TestClient) -> None:
    [error] = errors_of(http, EVALUATION, id="2099Q1-370811001001001")
    assert error["extensions"]["code"] == "NOT_FOUND"
