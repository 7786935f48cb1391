"""Volunteer teams over GraphQL: a grid's team, its volunteers with points and stars."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from tests.schema.conftest import errors_of, run

GRID_TEAM = """
query Team($code: String!) {
  grid(code: $code) {
    volunteerTeam {
      id code grid { code }
      volunteers(first: 100) {
        totalCount
        edges { points stars node { personId volunteerTeams { points stars team { code } } } }
      }
    }
  }
}
"""


async def test_team_volunteers_walk_both_ways(tiny: GraphClient, http: TestClient) -> None:
    # given a grid's team and its volunteers' points and stars
    [team] = await tiny.read(
        "MATCH (t:VolunteerTeam)-[:SERVES]->(g:Grid) "
        "RETURN t.code AS code, g.code AS grid ORDER BY grid LIMIT 1"
    )
    rows = await tiny.read(
        "MATCH (:VolunteerTeam {code: $code})<-[r:VOLUNTEERS_IN]-(p:Person) "
        "RETURN p.id AS id, r.points AS points, r.stars AS stars",
        {"code": team["code"]},
    )
    # when reading the grid's team
    data = run(http, GRID_TEAM, code=team["grid"])["grid"]["volunteerTeam"]
    # then it is the grid's, with every volunteer, most points first
    assert data["code"] == team["code"]
    assert data["grid"] == {"code": team["grid"]}
    volunteers = data["volunteers"]
    assert volunteers["totalCount"] == len(rows) == len(volunteers["edges"])
    expected = {row["id"]: (row["points"], row["stars"]) for row in rows}
    points = [edge["points"] for edge in volunteers["edges"]]
    assert points == sorted(points, reverse=True)
    for edge in volunteers["edges"]:
        person = edge["node"]
        assert (edge["points"], edge["stars"]) == expected[person["personId"]]
        # and each volunteer's teams include this one, with the same points and stars
        back = {"points": edge["points"], "stars": edge["stars"], "team": {"code": team["code"]}}
        assert back in person["volunteerTeams"]
    node = "query N($id: ID!) { node(id: $id) { ... on VolunteerTeam { code } } }"
    assert run(http, node, id=data["id"])["node"] == {"code": team["code"]}


def test_unknown_team_is_not_found(tiny: GraphClient, http: TestClient) -> None:
    [error] = errors_of(http, 'query { volunteerTeam(code: "VT0") { code } }')
    assert error["extensions"]["code"] == "NOT_FOUND"
