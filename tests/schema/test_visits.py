"""Patrol and home-visit logs over HTTP with real tokens: who may record where, the hazard
filed as a case in the same transaction, bad input and the race of two corrections, the
read fields with row scope and agreements, and the scorecard's visit columns."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph import scope as row_scope
from graph import visit_commands, visits
from graph.china_time import CHINA_TIME
from graph.client import GraphClient
from graph.policy import load_policy
from graph.visit_commands import VisitDraft
from graph.visits import VisitKind
from resolvers.principal import Principal, Role
from resolvers.visits import HazardDraft, _hazard_report
from server.settings import Settings
from tests.graphql_http import body, data, error_code
from tests.schema.conftest import execute_as
from tests.tokens import bearer, hs256

RECORD = """
mutation V($input: RecordVisitInput!, $key: String) {
  recordVisit(input: $input, idempotencyKey: $key) {
    visitId version hazardCaseCode replayed
  }
}
"""
CORRECT = """
mutation C($id: String!, $m: Int!, $notes: String, $v: Int) {
  correctVisit(id: $id, durationMinutes: $m, notes: $notes, expectedVersion: $v) {
    visitId version replayed
  }
}
"""
GRID_VISITS = """
query G($g: String!) {
  grid(code: $g) {
    visits(first: 5) {
      totalCount
      edges { node {
        visitId kind durationMinutes notes version
        grid { code } visitor { personId } building { code } visited { personId }
        hazardCase { code kind channel status reporter { personId } }
      } }
    }
  }
}
"""
SCORECARD = """
query S($g: String!, $p: String!) {
  gridScorecard(grid: $g, period: $p) {
    visits {
      visitCount homeVisitCount householdCount visitsPerHouseholdPerMonth
      hazardsFound hazardsResolved meanHoursFoundToResolved
    }
  }
}
"""
COUNT = "MATCH (v:Visit) WITH count(v) AS visits MATCH (c:Case) RETURN visits, count(c) AS cases"


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    rows = await tiny.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid)<-[:RESIDES_IN]-(p:Person) "
        "WHERE p <> w WITH g, w, p ORDER BY g.code, p.id "
        "WITH g, w, collect(p.id)[..2] AS residents "
        "MATCH (b:Building)-[:PART_OF]->(g) WITH g, w, residents, min(b.code) AS building "
        "RETURN g.code AS grid, w.id AS worker, residents, building ORDER BY grid LIMIT 2"
    )
    own, other = rows[0], rows[1]
    assert own["grid"][:9] == other["grid"][:9], "both grids in one street"
    [hidden] = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(:Grid {code: $other}) "
        f"WHERE NOT {row_scope.visible('Person', 'p')} RETURN p.id AS id ORDER BY id LIMIT 1",
        {"other": other["grid"], "scope": [own["grid"]]},
    )
    return {
        "grid": own["grid"],
        "worker": own["worker"],
        "residents": own["residents"],
        "building": own["building"],
        "other_grid": other["grid"],
        "other_building": other["building"],
        "other_resident": hidden["id"],  # not visible to the first grid's worker
    }


def _tokens(settings: Settings, scene: dict[str, Any]) -> dict[str, dict[str, str]]:
    grid = scene["grid"]
    worker = scene["worker"]
    return {
        "worker": bearer(
            hs256(settings, "grid_worker", [grid], person=worker, subject="gw-visits")
        ),
        "street": bearer(hs256(settings, "street_officer", [grid[:9]], subject="st-visits")),
        "admin": bearer(hs256(settings, "admin", subject="admin-visits")),
        "partner": bearer(
            hs256(settings, "partner", ["370811"], agreement="hotline-12345", subject="pt"),
            purpose="follow-up",
        ),
        "investigator": bearer(hs256(settings, "investigator", ["370811"], subject="inv-v")),
    }


def _visit(scene: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "grid": scene["grid"],
        "kind": "HOME_VISIT",
        "durationMinutes": 30,
        "building": scene["building"],
        "visited": scene["residents"][:1],
        "notes": "走访独居老人，身体状况良好",
        **changes,
    }


HAZARD = {"category": "safety_hazard", "severity": "medium", "title": "楼道电动车充电"}


async def test_a_grid_worker_logs_a_visit_that_files_its_hazard_as_a_case(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = _tokens(settings, scene)
    # when the grid worker logs a home visit that found a hazard (retried with its key)
    given = _visit(scene, hazard=HAZARD)
    done = data(http, who["worker"], RECORD, input=given, key="visit-1")["recordVisit"]
    again = data(http, who["worker"], RECORD, input=given, key="visit-1")["recordVisit"]
    # then one visit and one hazard case are written, the retry replays the first answer
    assert again == {**done, "replayed": True}
    assert done["version"] == 1 and done["hazardCaseCode"]
    found = data(http, who["worker"], GRID_VISITS, g=scene["grid"])["grid"]["visits"]
    [node] = [e["node"] for e in found["edges"] if e["node"]["visitId"] == done["visitId"]]
    assert node == {
        "visitId": done["visitId"],
        "kind": "HOME_VISIT",
        "durationMinutes": 30,
        "notes": "走访独居老人，身体状况良好",
        "version": 1,
        "grid": {"code": scene["grid"]},
        "visitor": {"personId": scene["worker"]},
        "building": {"code": scene["building"]},
        "visited": [{"personId": scene["residents"][0]}],
        "hazardCase": {
            "code": done["hazardCaseCode"],
            "kind": "hazard",
            "channel": "grid_patrol",
            "status": "REPORTED",
            "reporter": {"personId": scene["worker"]},
        },
    }
    [linked] = await tiny.read(
        "MATCH (v:Visit {id: $id})-[:FOUND]->(c:Case)-[:HAS_EVENT]->(e:CaseEvent) "
        "RETURN count(DISTINCT c) AS cases, collect(e.action) AS actions",
        {"id": done["visitId"]},
    )
    assert linked == {"cases": 1, "actions": ["report"]}


async def test_who_may_record_where(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = _tokens(settings, scene)
    [before] = await tiny.read(COUNT)
    elsewhere = _visit(
        scene, grid=scene["other_grid"], building=scene["other_building"], visited=[]
    )
    # a grid worker out of their grid: NOT_FOUND (as unknown); partners and investigators
    # never write: FORBIDDEN; nothing is written
    assert error_code(http, who["worker"], RECORD, input=elsewhere) == "NOT_FOUND"
    assert error_code(http, who["partner"], RECORD, input=_visit(scene)) == "FORBIDDEN"
    assert error_code(http, who["investigator"], RECORD, input=_visit(scene)) == "FORBIDDEN"
    # a grid worker may not record for someone else
    other = _visit(scene, visitor=scene["residents"][0])
    assert error_code(http, who["worker"], RECORD, input=other) == "BAD_USER_INPUT"
    assert await tiny.read(COUNT) == [before]
    # the street officer records in any grid of the street, naming the visitor; an admin too
    street = _visit(scene, grid=scene["other_grid"], building=scene["other_building"])
    street |= {"visited": [scene["other_resident"]], "visitor": scene["worker"]}
    assert data(http, who["street"], RECORD, input=street)["recordVisit"]["version"] == 1
    patrol = {"grid": scene["grid"], "kind": "PATROL", "durationMinutes": 90}
    assert error_code(http, who["admin"], RECORD, input=patrol) == "BAD_USER_INPUT"  # no visitor
    patrol["visitor"] = scene["worker"]
    assert data(http, who["admin"], RECORD, input=patrol)["recordVisit"]["hazardCaseCode"] is None
    [after] = await tiny.read(COUNT)
    assert after == {"visits": before["visits"] + 2, "cases": before["cases"]}


async def test_bad_input_is_refused_and_nothing_is_written(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    worker = _tokens(settings, scene)["worker"]
    [before] = await tiny.read(COUNT)
    future = (datetime.now(CHINA_TIME) + timedelta(days=1)).isoformat()
    refusals = {
        "BAD_USER_INPUT": [
            _visit(scene, grid="37081100100100X"),
            _visit(scene, durationMinutes=0),
            _visit(scene, durationMinutes=24 * 60 + 1),
            _visit(scene, at=future),
            _visit(scene, visited=[], building=None),  # a home visit of nobody
            _visit(scene, building=scene["other_building"]),  # a building of another grid
            _visit(scene, hazard={**HAZARD, "category": "no_such"}),
            _visit(scene, hazard={**HAZARD, "title": "  "}),
            _visit(scene, hazard={**HAZARD, "tenNoItem": "TN99"}),
            _visit(scene, notes="长" * 2001),
        ],
        "NOT_FOUND": [
            _visit(scene, visited=[scene["other_resident"]]),  # a person out of scope
            _visit(scene, visited=["P-nobody"], hazard=HAZARD),
            _visit(scene, building=scene["grid"] + "999"),
        ],
    }
    for code, inputs in refusals.items():
        for given in inputs:
            assert error_code(http, worker, RECORD, input=given) == code, list(given.items())[3:]
    assert await tiny.read(COUNT) == [before]


async def test_the_visit_and_its_hazard_case_are_written_together_or_not_at_all(
    tiny: GraphClient, scene: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a visit whose own write fails after its hazard case was filed in the transaction
    at = datetime.now(CHINA_TIME)
    draft = VisitDraft(scene["grid"], VisitKind.PATROL, at, scene["worker"], 20, None, None, ())
    admin = Principal("admin-atomic", Role.ADMIN)
    hazard = _hazard_report(admin, scene["grid"], scene["worker"], at, HazardDraft(**HAZARD))
    [before] = await tiny.read(COUNT)

    async def broken(*_: Any) -> None:
        raise RuntimeError("the visit's write failed")

    monkeypatch.setattr(visits, "upsert_visits", broken)
    rules = load_policy().workflow
    with pytest.raises(RuntimeError):
        await visit_commands.record_visit(tiny, draft, hazard, rules)
    # then neither the case nor the visit is there
    assert await tiny.read(COUNT) == [before]


async def test_two_corrections_of_one_version_leave_exactly_one(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = _tokens(settings, scene)
    done = data(http, who["worker"], RECORD, input=_visit(scene))["recordVisit"]
    worker = Principal(
        "gw-race", Role.GRID_WORKER, frozenset({scene["grid"]}), None, scene["worker"]
    )
    street = Principal("st-race", Role.STREET_OFFICER, frozenset({scene["grid"][:9]}))
    # when the worker and the street officer correct version 1 at the same time
    results = await asyncio.gather(
        execute_as(tiny, worker, CORRECT, id=done["visitId"], m=45, notes="补记", v=1),
        execute_as(tiny, street, CORRECT, id=done["visitId"], m=50, notes="核实", v=1),
    )
    # then exactly one wins (version 2), the other gets CONFLICT with the current version
    codes = sorted(r.errors[0].extensions["code"] if r.errors else "OK" for r in results)
    assert codes == ["CONFLICT", "OK"]
    [loser] = [r.errors[0].extensions for r in results if r.errors]
    assert loser["currentVersion"] == 2 and loser["expectedVersion"] == 1
    [row] = await tiny.read(
        "MATCH (v:Visit {id: $id}) RETURN v.version AS version, v._lock IS NULL AS unlocked",
        {"id": done["visitId"]},
    )
    assert row == {"version": 2, "unlocked": True}
    # and a worker of another grid cannot correct it (as if unknown); a partner never
    outsider = bearer(hs256(settings, "grid_worker", [scene["other_grid"]], subject="gw-2"))
    assert error_code(http, outsider, CORRECT, id=done["visitId"], m=10) == "NOT_FOUND"
    assert error_code(http, who["partner"], CORRECT, id=done["visitId"], m=10) == "FORBIDDEN"
    assert error_code(http, who["admin"], CORRECT, id=done["visitId"], m=10, v=1) == "CONFLICT"
    fixed = data(http, who["admin"], CORRECT, id=done["visitId"], m=10, v=2)["correctVisit"]
    assert fixed["version"] == 3


async def test_partners_may_not_read_visits_unless_an_agreement_lists_them(
    http: TestClient, settings: Settings, scene: dict[str, Any]
) -> None:
    partner = _tokens(settings, scene)["partner"]
    found = body(http, partner, GRID_VISITS, g=scene["grid"])
    assert found["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "Grid.visits" in found["errors"][0]["message"]


async def test_the_scorecard_counts_visits_households_and_hazards(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = _tokens(settings, scene)
    now = datetime.now(CHINA_TIME)
    period = f"{now.year}-{now.month:02d}"
    before = data(http, who["admin"], SCORECARD, g=scene["grid"], p=period)["gridScorecard"]
    # when a home visit finds a hazard whose case is resolved in the grid
    given = _visit(scene, hazard=HAZARD)
    code = data(http, who["worker"], RECORD, input=given)["recordVisit"]["hazardCaseCode"]
    for action in ("acceptCase", "resolveCase"):
        mutation = f"mutation($c: String!) {{ {action}(code: $c) {{ version }} }}"
        data(http, who["worker"], mutation, c=code)
    after = data(http, who["admin"], SCORECARD, g=scene["grid"], p=period)["gridScorecard"]
    # then the counts move by one, as independent Cypher computes them
    b, a = before["visits"], after["visits"]
    assert a["visitCount"] == b["visitCount"] + 1
    assert a["homeVisitCount"] == b["homeVisitCount"] + 1
    assert a["hazardsFound"] == b["hazardsFound"] + 1
    assert a["hazardsResolved"] == b["hazardsResolved"] + 1
    [households] = await tiny.read(
        "MATCH (g:Grid {code: $g}) "
        "WITH COUNT { (g)<-[:IN_GRID]-(h:Household) WHERE h.dissolvedAt IS NULL } AS formed, "
        "COUNT { (g)<-[:RESIDES_IN]-(p:Person) WHERE NOT (p)<-[:FAMILY]-() } AS heads "
        "RETURN CASE WHEN formed > 0 THEN formed ELSE heads END AS n",
        {"g": scene["grid"]},
    )
    assert a["householdCount"] == households["n"] > 0
    assert a["visitsPerHouseholdPerMonth"] == round(a["homeVisitCount"] / households["n"], 4)
    assert a["meanHoursFoundToResolved"] is not None and a["meanHoursFoundToResolved"] >= 0
    # and the street officer of another street sees none of it
    far = bearer(hs256(settings, "street_officer", ["370811999"], subject="st-far"))
    assert error_code(http, far, SCORECARD, g=scene["grid"], p=period) == "NOT_FOUND"


NODE = "query N($id: ID!) { node(id: $id) { ... on Visit { visitId grid { code } } } }"


async def test_a_visit_is_a_node_seen_only_within_its_grids_scope(
    http: TestClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = _tokens(settings, scene)
    done = data(http, who["worker"], RECORD, input=_visit(scene))["recordVisit"]
    global_id = base64.urlsafe_b64encode(f"Visit:{done['visitId']}".encode()).decode()
    # the grid's worker and the street officer find it by its global ID
    for reader in (who["worker"], who["street"]):
        found = data(http, reader, NODE, id=global_id)["node"]
        assert found == {"visitId": done["visitId"], "grid": {"code": scene["grid"]}}
    # a worker of another grid gets null, as for an unknown ID
    outsider = bearer(hs256(settings, "grid_worker", [scene["other_grid"]], subject="gw-n"))
    assert data(http, outsider, NODE, id=global_id)["node"] is None


async def test_a_community_officer_records_in_their_community_only(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    community = scene["grid"][:12]
    officer = bearer(hs256(settings, "community_officer", [community], subject="co-visits"))
    [elsewhere] = await tiny.read(
        "MATCH (g:Grid) WHERE NOT g.code STARTS WITH $c "
        "RETURN g.code AS code ORDER BY code LIMIT 1",
        {"c": community},
    )
    given = _visit(scene, visitor=scene["worker"])
    assert data(http, officer, RECORD, input=given)["recordVisit"]["version"] == 1
    away = {"grid": elsewhere["code"], "kind": "PATROL", "durationMinutes": 30}
    assert (
        error_code(http, officer, RECORD, input={**away, "visitor": scene["worker"]}) == "NOT_FOUND"
    )


PAGES = """
query P($g: String!, $after: String) {
  grid(code: $g) {
    visits(first: 2, after: $after) {
      edges { cursor node { visitId at } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def test_a_grids_visits_page_by_cursor_latest_first(
    http: TestClient, settings: Settings, scene: dict[str, Any]
) -> None:
    admin = _tokens(settings, scene)["admin"]
    first = data(http, admin, PAGES, g=scene["grid"])["grid"]["visits"]
    assert first["pageInfo"]["hasNextPage"] and len(first["edges"]) == 2
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    after = first["pageInfo"]["endCursor"]
    second = data(http, admin, PAGES, g=scene["grid"], after=after)["grid"]["visits"]
    ids = [e["node"]["visitId"] for e in first["edges"] + second["edges"]]
    times = [e["node"]["at"] for e in first["edges"] + second["edges"]]
    assert len(set(ids)) == 4 and times == sorted(times, reverse=True)
