"""Buildings over GraphQL: a grid's buildings, a building's grid and party group."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from tests.schema.conftest import errors_of, run

GRID_BUILDINGS = """
query Buildings($code: String!) {
  grid(code: $code) {
    buildings { code name address grid { code } partyOrganizations { code level } }
  }
}
"""

BUILDING = """
query Building($code: String!) { building(code: $code) { id code grid { code } } }
"""


async def test_buildings_walk_both_ways(tiny: GraphClient, http: TestClient) -> None:
    # given a grid with building party groups, its buildings and their groups
    [grid] = await tiny.read(
        "MATCH (g:Grid)<-[:PART_OF]-(:Building)<-[:COVERS]-(:PartyOrganization) "
        "RETURN g.code AS code ORDER BY code LIMIT 1"
    )
    rows = await tiny.read(
        "MATCH (g:Grid {code: $code})<-[:PART_OF]-(b:Building) "
        "OPTIONAL MATCH (b)<-[:COVERS]-(o:PartyOrganization) "
        "RETURN b.code AS code, collect(o.code) AS groups ORDER BY code",
        {"code": grid["code"]},
    )
    # when reading the grid's buildings
    buildings = run(http, GRID_BUILDINGS, code=grid["code"])["grid"]["buildings"]
    # then they are the database's, each back on the grid and with its party group
    assert [b["code"] for b in buildings] == [row["code"] for row in rows]
    for building, row in zip(buildings, rows, strict=True):
        assert building["grid"] == {"code": grid["code"]}
        assert [o["code"] for o in building["partyOrganizations"]] == row["groups"]
        assert all(o["level"] == "BUILDING_GROUP" for o in building["partyOrganizations"])
    found = run(http, BUILDING, code=rows[0]["code"])["building"]
    assert found["grid"] == {"code": grid["code"]}


def test_unknown_building_is_not_found(tiny: GraphClient, http: TestClient) -> None:
    [error] = errors_of(http, BUILDING, code="370811001001001999")
    assert error["extensions"]["code"] == "NOT_FOUND"
