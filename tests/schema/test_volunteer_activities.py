"""Volunteer activities over HTTP with real tokens: credit points by policy.toml's rule and
stars from points, who may record where, bad input, concurrent grants adding up, and the
read fields with row scope and agreements."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.volunteer_activities import CreditRules, load_credit_rules
from resolvers.principal import Principal, Role
from server.settings import Settings
from tests.graphql_http import body, data, error_code
from tests.schema.conftest import execute_as
from tests.tokens import bearer, hs256

RECORD = """
mutation A($input: RecordVolunteerActivityInput!, $key: String) {
  recordVolunteerActivity(input: $input, idempotencyKey: $key) {
    activityId replayed credits { personId hours points totalPoints stars }
  }
}
"""
TEAM_ACTIVITIES = """
query T($g: String!) {
  grid(code: $g) {
    volunteerTeam {
      activities(first: 3) {
        totalCount
        edges { node {
          activityId kind title hours team { code } grid { code }
          participants { hours points person { personId } }
        } }
      }
    }
  }
}
"""
TOTALS = (
    "MATCH (p:Person)-[r:VOLUNTEERS_IN]->(:VolunteerTeam {code: $team}) "
    "RETURN p.id AS id, r.points AS points, r.stars AS stars ORDER BY id"
)
COUNT = "MATCH (a:VolunteerActivity) RETURN count(a) AS n"


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    rows = await tiny.read(
        "MATCH (t:VolunteerTeam)-[:SERVES]->(g:Grid)<-[:WORKS_GRID]-(w:Person) "
        "MATCH (t)<-[:VOLUNTEERS_IN]-(p:Person) WITH t, g, w, p ORDER BY p.id "
        "RETURN t.code AS team, g.code AS grid, w.id AS worker, collect(p.id)[..3] AS volunteers "
        "ORDER BY grid LIMIT 2"
    )
    own, other = rows
    [outsider] = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(:Grid {code: $g}) "
        "WHERE NOT (p)-[:VOLUNTEERS_IN]->() RETURN p.id AS id ORDER BY id LIMIT 1",
        {"g": own["grid"]},
    )
    return {**own, "other_team": other["team"], "non_volunteer": outsider["id"]}


def _input(scene: dict[str, Any], **changes: Any) -> dict[str, Any]:
    volunteers = scene["volunteers"]
    return {
        "team": scene["team"],
        "kind": "free_clinic",
        "title": "社区义诊",
        "participants": [
            {"person": volunteers[0], "hours": 3},
            {"person": volunteers[1], "hours": 2.5},
        ],
        **changes,
    }


def test_the_policy_rule_is_the_seeds_rule() -> None:
    # the stars rule the seeds used before it moved to policy.toml: 1 + min(4, points // 160)
    rules = load_credit_rules()
    assert [rules.stars(p) for p in range(0, 801)] == [1 + min(4, p // 160) for p in range(801)]
    clinic = rules.kind("free_clinic")
    assert clinic is not None and rules.points(clinic, 3) == 45
    assert rules.points(clinic, 100) == rules.points(clinic, rules.max_hours)


async def test_an_activity_credits_points_and_stars_by_the_policy_rule(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    worker = bearer(
        hs256(settings, "grid_worker", [scene["grid"]], person=scene["worker"], subject="gw-va")
    )
    rules: CreditRules = load_credit_rules()
    before = {row["id"]: row for row in await tiny.read(TOTALS, {"team": scene["team"]})}
    # when the grid worker records a free clinic (retried with the same key)
    done = data(http, worker, RECORD, input=_input(scene), key="va-1")["recordVolunteerActivity"]
    again = data(http, worker, RECORD, input=_input(scene), key="va-1")["recordVolunteerActivity"]
    assert again == {**done, "replayed": True}
    # then each participant earns hours x 10 x 1.5 points once, and stars follow the total
    after = {row["id"]: row for row in await tiny.read(TOTALS, {"team": scene["team"]})}
    first, second = scene["volunteers"][:2]
    for person, earned in ((first, 45), (second, 38)):  # round(2.5 x 15) = 38 (banker's 37.5)
        total = before[person]["points"] + earned
        assert after[person] == {"id": person, "points": total, "stars": rules.stars(total)}
    assert [c["points"] for c in done["credits"]] == [45, 38]
    assert [c["totalPoints"] for c in done["credits"]] == [
        after[first]["points"],
        after[second]["points"],
    ]
    # and the team reads it back with its participants
    team = data(http, worker, TEAM_ACTIVITIES, g=scene["grid"])["grid"]["volunteerTeam"]
    node = team["activities"]["edges"][0]["node"]
    assert node["activityId"] == done["activityId"]
    assert node["team"] == {"code": scene["team"]} and node["grid"] == {"code": scene["grid"]}
    assert node["hours"] == 5.5 and node["kind"] == "free_clinic"
    assert sorted((p["person"]["personId"], p["points"]) for p in node["participants"]) == sorted(
        [(first, 45), (second, 38)]
    )


async def test_who_may_record_and_bad_input(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    grid = scene["grid"]
    worker = bearer(hs256(settings, "grid_worker", [grid], person=scene["worker"], subject="gw"))
    street = bearer(hs256(settings, "street_officer", [grid[:9]], subject="st-va"))
    admin = bearer(hs256(settings, "admin", subject="admin-va"))
    partner = bearer(
        hs256(settings, "partner", ["370811"], agreement="hotline-12345", subject="pt-va"),
        purpose="check",
    )
    [before] = await tiny.read(COUNT)
    volunteer = scene["volunteers"][0]
    refusals = {
        "NOT_FOUND": [_input(scene, team=scene["other_team"])],  # another grid's team
        "BAD_USER_INPUT": [
            _input(scene, team="XX1"),
            _input(scene, kind="karaoke"),
            _input(scene, title=" "),
            _input(scene, participants=[]),
            _input(scene, participants=[{"person": volunteer, "hours": 0}]),
            _input(scene, participants=[{"person": volunteer, "hours": 13}]),
            _input(scene, participants=[{"person": volunteer, "hours": 1}] * 2),
            _input(scene, participants=[{"person": scene["non_volunteer"], "hours": 1}]),
            _input(scene, at="2099-01-01T10:00:00+08:00"),
        ],
    }
    for code, inputs in refusals.items():
        for given in inputs:
            assert error_code(http, worker, RECORD, input=given) == code, given
    assert error_code(http, partner, RECORD, input=_input(scene)) == "FORBIDDEN"
    assert await tiny.read(COUNT) == [before]
    # the street officer records for any team of the street, an admin for any
    assert error_code(http, street, RECORD, input=_input(scene, team=scene["other_team"])) == (
        "BAD_USER_INPUT"  # the other team's volunteers are not these
    )
    assert error_code(http, street, RECORD, input=_input(scene)) == "OK"
    assert error_code(http, admin, RECORD, input=_input(scene, kind="assistance")) == "OK"
    assert await tiny.read(COUNT) == [{"n": before["n"] + 2}]
    # partners may not read activities: no agreement lists them
    found = body(http, partner, TEAM_ACTIVITIES, g=grid)
    assert found["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_concurrent_activities_credit_the_same_volunteer_both_times(
    tiny: GraphClient, scene: dict[str, Any]
) -> None:
    volunteer = scene["volunteers"][2]
    [before] = [r for r in await tiny.read(TOTALS, {"team": scene["team"]}) if r["id"] == volunteer]
    worker = Principal(
        "gw-race", Role.GRID_WORKER, frozenset({scene["grid"]}), None, scene["worker"]
    )
    street = Principal("st-race", Role.STREET_OFFICER, frozenset({scene["grid"][:9]}))
    one = _input(scene, kind="culture_sports", participants=[{"person": volunteer, "hours": 4}])
    # when two people record activities of the same volunteer at the same moment
    results = await asyncio.gather(
        execute_as(tiny, worker, RECORD, input=one), execute_as(tiny, street, RECORD, input=one)
    )
    # then both are credited: 40 + 40 points, nothing lost to the race
    assert [r.errors for r in results] == [None, None]
    [after] = [r for r in await tiny.read(TOTALS, {"team": scene["team"]}) if r["id"] == volunteer]
    assert after["points"] == before["points"] + 80
    assert after["stars"] == load_credit_rules().stars(after["points"])
