"""Grid deliberation sessions (网格议事) over HTTP with real tokens: who may record where, bad
input and nothing written, the outcome recorded later under expectedVersion (a race of two),
follow-up cases, and the read fields with row scope and agreements."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from resolvers.principal import Principal, Role
from server.settings import Settings
from tests.graphql_http import data, error_code
from tests.schema.conftest import execute_as
from tests.tokens import bearer, hs256

RECORD = """
mutation D($input: RecordDeliberationInput!, $key: String) {
  recordDeliberation(input: $input, idempotencyKey: $key) { deliberationId version replayed }
}
"""
OUTCOME = """
mutation O($id: String!, $outcome: String!, $cases: [String!], $v: Int) {
  recordDeliberationOutcome(
    id: $id, outcome: $outcome, followUpCases: $cases, expectedVersion: $v
  ) {
    deliberationId version replayed
  }
}
"""
SESSIONS = """
query S($g: String!) {
  grid(code: $g) {
    deliberations(first: 1) {
      edges { node {
        deliberationId topic place outcome version grid { code }
        participants { role person { personId } }
        followUpCases { code }
      } }
    }
  }
}
"""
COUNT = "MATCH (d:Deliberation) RETURN count(d) AS n"


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    rows = await tiny.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid)<-[:RESIDES_IN]-(p:Person) WHERE p <> w "
        "WITH g, w, p ORDER BY p.id WITH g, w, collect(p.id)[..2] AS residents "
        "MATCH (c:Case)-[:OCCURRED_IN]->(g) WITH g, w, residents, min(c.code) AS case "
        "RETURN g.code AS grid, w.id AS worker, residents, case ORDER BY grid LIMIT 2"
    )
    own, other = rows
    return {**own, "other_grid": other["grid"], "other_case": other["case"]}


def _input(scene: dict[str, Any], **changes: Any) -> dict[str, Any]:
    residents = scene["residents"]
    return {
        "grid": scene["grid"],
        "topic": "小区停车难",
        "place": "凉亭议事点",
        "participants": [
            {"person": residents[0], "role": "RESIDENT"},
            {"person": residents[1], "role": "PARTY_MEMBER"},
            {"person": scene["worker"], "role": "GRID_WORKER"},
        ],
        **changes,
    }


async def test_sessions_are_recorded_per_role_with_bad_input_refused(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    grid = scene["grid"]
    worker = bearer(hs256(settings, "grid_worker", [grid], person=scene["worker"], subject="gw"))
    street = bearer(hs256(settings, "street_officer", [grid[:9]], subject="st-dl"))
    admin = bearer(hs256(settings, "admin", subject="admin-dl"))
    partner = bearer(
        hs256(settings, "partner", ["370811"], agreement="hotline-12345", subject="pt-dl"),
        purpose="check",
    )
    [before] = await tiny.read(COUNT)
    someone = scene["residents"][0]
    refusals = {
        "NOT_FOUND": [
            _input(scene, grid=scene["other_grid"]),
            _input(scene, participants=[{"person": "P-nobody", "role": "RESIDENT"}]),
            _input(scene, followUpCases=["RC2099-999999"]),
        ],
        "BAD_USER_INPUT": [
            _input(scene, grid="123"),
            _input(scene, topic=" "),
            _input(scene, place=""),
            _input(scene, participants=[]),
            _input(scene, participants=[{"person": someone, "role": "RESIDENT"}] * 2),
            _input(scene, at="2099-01-01T00:00:00+08:00"),
        ],
    }
    for code, inputs in refusals.items():
        for given in inputs:
            assert error_code(http, worker, RECORD, input=given) == code, given
    assert error_code(http, partner, RECORD, input=_input(scene)) == "FORBIDDEN"
    # a follow-up case of another grid is refused even for the street officer
    foreign = _input(scene, followUpCases=[scene["other_case"]])
    assert error_code(http, street, RECORD, input=foreign) == "BAD_USER_INPUT"
    assert await tiny.read(COUNT) == [before]
    # recorded by the worker (retried with its key), the street officer and an admin
    done = data(http, worker, RECORD, input=_input(scene), key="dl-1")["recordDeliberation"]
    again = data(http, worker, RECORD, input=_input(scene), key="dl-1")["recordDeliberation"]
    assert again == {**done, "replayed": True} and done["version"] == 1
    assert (
        error_code(
            http,
            street,
            RECORD,
            input=_input(
                scene,
                grid=scene["other_grid"],
                participants=[{"person": scene["worker"], "role": "OTHER"}],
            ),
        )
        == "OK"
    )
    with_case = _input(scene, outcome="划定临时车位", followUpCases=[scene["case"]])
    assert error_code(http, admin, RECORD, input=with_case) == "OK"
    assert await tiny.read(COUNT) == [{"n": before["n"] + 3}]
    # read back, latest first
    [edge] = data(http, worker, SESSIONS, g=grid)["grid"]["deliberations"]["edges"]
    node = edge["node"]
    assert node["outcome"] == "划定临时车位" and node["followUpCases"] == [{"code": scene["case"]}]
    assert sorted(p["role"] for p in node["participants"]) == [
        "GRID_WORKER",
        "PARTY_MEMBER",
        "RESIDENT",
    ]
    assert error_code(http, partner, SESSIONS, g=grid) == "FORBIDDEN"


async def test_two_outcomes_for_one_version_leave_exactly_one(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    grid = scene["grid"]
    worker_token = hs256(settings, "grid_worker", [grid], person=scene["worker"], subject="gw")
    done = data(http, bearer(worker_token), RECORD, input=_input(scene))["recordDeliberation"]
    session = done["deliberationId"]
    worker = Principal("gw-race", Role.GRID_WORKER, frozenset({grid}), None, scene["worker"])
    street = Principal("st-race", Role.STREET_OFFICER, frozenset({grid[:9]}))
    # when two people record the outcome of version 1 at once
    results = await asyncio.gather(
        execute_as(tiny, worker, OUTCOME, id=session, outcome="错峰停车", v=1),
        execute_as(
            tiny, street, OUTCOME, id=session, outcome="新建车棚", cases=[scene["case"]], v=1
        ),
    )
    # then exactly one is written (version 2), the other gets CONFLICT
    codes = sorted(r.errors[0].extensions["code"] if r.errors else "OK" for r in results)
    assert codes == ["CONFLICT", "OK"]
    [row] = await tiny.read(
        "MATCH (d:Deliberation {id: $id}) OPTIONAL MATCH (d)-[:FOLLOWED_UP_BY]->(c:Case) "
        "RETURN d.version AS version, d.outcome AS outcome, count(c) AS cases",
        {"id": session},
    )
    # (the winner's outcome with its own follow-ups, nothing of the loser's)
    assert row["version"] == 2
    assert (row["outcome"], row["cases"]) in {("错峰停车", 0), ("新建车棚", 1)}
    # an out-of-grid worker cannot touch it (as unknown); a partner never; blank is refused
    outsider = bearer(hs256(settings, "grid_worker", [scene["other_grid"]], subject="gw-o"))
    assert error_code(http, outsider, OUTCOME, id=session, outcome="x") == "NOT_FOUND"
    admin = bearer(hs256(settings, "admin", subject="admin-dl"))
    assert error_code(http, admin, OUTCOME, id=session, outcome=" ") == "BAD_USER_INPUT"
    assert error_code(http, admin, OUTCOME, id=session, outcome="再议", v=1) == "CONFLICT"
    fixed = data(http, admin, OUTCOME, id=session, outcome="再议", v=2)
    assert fixed["recordDeliberationOutcome"]["version"] == 3
