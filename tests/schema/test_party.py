"""Party organisations over GraphQL: the tree, coverage, members and posts, both ways."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from tests.schema.conftest import errors_of, run

ORGANIZATION = """
query Organization($code: String!, $first: Int, $after: String) {
  partyOrganization(code: $code) {
    id code level
    parent { code }
    children { code parent { code } }
    coveredPlace {
      __typename
      ... on Grid { code partyOrganizations { code } }
      ... on Community { code }
      ... on Street { code }
      ... on Building { code partyOrganizations { code } }
    }
    secretaries { personId partyOrganizations { role organization { code } } }
    instructors { personId partyOrganizations { role organization { code } } }
    members(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { since node { personId partyOrganizations { role since organization { code } } } }
    }
  }
}
"""

HOUSEHOLDS = """
query Households($id: String!) {
  person(personId: $id) {
    centralHouseholdFor { personId centralHouseholds { personId } }
  }
}
"""


async def test_grid_branch_walks_up_down_and_to_people(tiny: GraphClient, http: TestClient) -> None:
    # given the grid-level organisation with most members, as the database has it
    [org] = await tiny.read(
        "MATCH (o:PartyOrganization)-[:COVERS]->(g:Grid) "
        "MATCH (o)-[:UNDER]->(parent:PartyOrganization) "
        "RETURN o.code AS code, g.code AS grid, parent.code AS parent, "
        "COUNT { (o)<-[:MEMBER_OF]-(:Person) } AS members, "
        "COLLECT { MATCH (o)<-[:UNDER]-(c) RETURN c.code ORDER BY c.code } AS children, "
        "COLLECT { MATCH (o)<-[:SECRETARY_OF]-(p) RETURN p.id } AS secretaries, "
        "COLLECT { MATCH (o)<-[:INSTRUCTS]-(p) RETURN p.id } AS instructors "
        "ORDER BY members DESC, code LIMIT 1"
    )
    # when reading it with a first page of 2 members
    data = run(http, ORGANIZATION, code=org["code"], first=2)["partyOrganization"]
    # then tree, coverage and posts match the database
    assert data["parent"] == {"code": org["parent"]}
    assert [c["code"] for c in data["children"]] == org["children"]
    assert all(c["parent"] == {"code": org["code"]} for c in data["children"])
    assert data["coveredPlace"]["__typename"] == "Grid"
    assert data["coveredPlace"]["code"] == org["grid"]
    assert {"code": org["code"]} in data["coveredPlace"]["partyOrganizations"]
    assert [p["personId"] for p in data["secretaries"]] == org["secretaries"]
    assert [p["personId"] for p in data["instructors"]] == org["instructors"]
    for post, people in (("SECRETARY", data["secretaries"]), ("INSTRUCTOR", data["instructors"])):
        for person in people:
            assert {"role": post, "organization": {"code": org["code"]}} in person[
                "partyOrganizations"
            ]
    # and the members, read page by page, are all of them, each pointing back as MEMBER
    members = data["members"]
    assert members["totalCount"] == org["members"]
    seen = [edge["node"]["personId"] for edge in members["edges"]]
    after = members["pageInfo"]["endCursor"]
    while members["pageInfo"]["hasNextPage"]:
        page = run(http, ORGANIZATION, code=org["code"], first=2, after=after)
        members = page["partyOrganization"]["members"]
        seen += [edge["node"]["personId"] for edge in members["edges"]]
        after = members["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == org["members"]
    for edge in data["members"]["edges"]:
        links = edge["node"]["partyOrganizations"]
        assert {
            "role": "MEMBER",
            "since": edge["since"],
            "organization": {"code": org["code"]},
        } in (links)


async def test_building_group_covers_a_building(tiny: GraphClient, http: TestClient) -> None:
    # given a building party group
    [org] = await tiny.read(
        "MATCH (o:PartyOrganization {level: 'building_group'})-[:COVERS]->(b:Building) "
        "RETURN o.code AS code, b.code AS building ORDER BY code LIMIT 1"
    )
    # when reading it
    data = run(http, ORGANIZATION, code=org["code"], first=1)["partyOrganization"]
    # then it covers its building, which names it back
    assert data["level"] == "BUILDING_GROUP"
    assert data["coveredPlace"] == {
        "__typename": "Building",
        "code": org["building"],
        "partyOrganizations": [{"code": org["code"]}],
    }


async def test_central_households_both_ways(tiny: GraphClient, http: TestClient) -> None:
    # given the party member looking after most households
    [member] = await tiny.read(
        "MATCH (m:Person)-[:CENTRAL_HOUSEHOLD_FOR]->(h:Person) "
        "RETURN m.id AS id, collect(h.id) AS heads ORDER BY size(heads) DESC, id LIMIT 1"
    )
    # when reading the households and who looks after each
    heads = run(http, HOUSEHOLDS, id=member["id"])["person"]["centralHouseholdFor"]
    # then they are the database's, and each names the member back
    assert sorted(h["personId"] for h in heads) == sorted(member["heads"])
    assert all({"personId": member["id"]} in h["centralHouseholds"] for h in heads)


def test_unknown_organization_is_not_found(tiny: GraphClient, http: TestClient) -> None:
    [error] = errors_of(http, ORGANIZATION, code="PO999")
    assert error["extensions"]["code"] == "NOT_FOUND"
