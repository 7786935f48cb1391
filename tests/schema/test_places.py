"""End to end over HTTP: the administrative tree from the fixture, in batched round trips."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from seeds.fixture import COMMUNITIES_PER_STREET, GRIDS_PER_COMMUNITY, load_fixture
from seeds.rencheng import STREETS

ADMIN_TREE = """
query AdminTree {
  districts {
    code
    name
    streets { code name kind communities { code name grids { code name } } }
  }
}
"""


async def test_admin_tree_walks_district_to_grids(
    empty_graph: GraphClient, http: TestClient
) -> None:
    # given the fixture's district with its 15 real streets
    await load_fixture(empty_graph)
    # when the frontend asks for the whole tree
    response = http.post("/graphql", json={"query": ADMIN_TREE})
    # then every level comes back, nested by code
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    [district] = body["data"]["districts"]
    assert (district["code"], district["name"]) == ("370811", "任城区")
    assert [s["name"] for s in district["streets"]] == [name for name, _ in STREETS]
    for street in district["streets"]:
        assert len(street["communities"]) == COMMUNITIES_PER_STREET
        for community in street["communities"]:
            assert community["code"].startswith(street["code"])
            assert len(community["code"]) == 12
            assert len(community["grids"]) == GRIDS_PER_COMMUNITY
            assert all(g["code"][:12] == community["code"] for g in community["grids"])


DISTRICT = "query District($code: String!) { district(code: $code) { name } }"


async def test_unknown_district_code_is_not_found(
    empty_graph: GraphClient, http: TestClient
) -> None:
    await load_fixture(empty_graph)
    body = http.post("/graphql", json={"query": DISTRICT, "variables": {"code": "999999"}}).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND", "placeCode": "999999"}
    assert body["errors"][0]["message"] == "no district with code 999999"


def test_graphiql_is_served_on_get_in_development(http: TestClient) -> None:
    response = http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
