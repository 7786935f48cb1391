"""Persons over GraphQL: residents of a place, family, roles, cases; no N+1."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from server.round_trips import HEADER
from tests.schema.conftest import errors_of, run

GRID_PAGE = """
query GridResidents($code: String!, $first: Int) {
  grid(code: $code) {
    name
    gridWorker { name roles }
    residents(first: $first) {
      totalCount
      edges { node { personId name idCardMasked phoneMasked roles grid { code } } }
    }
  }
}
"""

PERSON = """
query Person($id: String!) {
  person(personId: $id) {
    name
    family { relation person { personId } }
    cases(first: 10) { totalCount edges { role node { code } } }
  }
}
"""

# The same nested question, asked of N grids at once (the N+1 guard).
NESTED = """
query Nested($first: Int) {
  cases(place: "370811", first: $first) {
    edges { node {
      code
      grid { code gridWorker { name } community { name } }
      parties { role person { name grid { code } family { relation } } }
      timeline { action }
    } }
  }
}
"""


async def test_grid_residents_are_masked_and_counted(tiny: GraphClient, http: TestClient) -> None:
    [grid] = await tiny.read(
        "MATCH (g:Grid)<-[:RESIDES_IN]-(p) RETURN g.code AS code, count(p) AS n "
        "ORDER BY code LIMIT 1"
    )
    data = run(http, GRID_PAGE, code=grid["code"], first=5)["grid"]
    assert "GRID_WORKER" in data["gridWorker"]["roles"]
    residents = data["residents"]
    assert residents["totalCount"] == grid["n"]
    assert len(residents["edges"]) == 5
    for edge in residents["edges"]:
        person = edge["node"]
        assert person["grid"]["code"] == grid["code"]
        assert "RESIDENT" in person["roles"]
        assert "********" in person["idCardMasked"]
        assert person["phoneMasked"] is None or "****" in person["phoneMasked"]
    names = [edge["node"]["name"] for edge in residents["edges"]]
    assert names == sorted(names)


async def test_family_reads_from_either_end(tiny: GraphClient, http: TestClient) -> None:
    [tie] = await tiny.read(
        "MATCH (a:Person)-[r:FAMILY {relation: 'child'}]->(b:Person) "
        "RETURN a.id AS parent, b.id AS child LIMIT 1"
    )
    parent = run(http, PERSON, id=tie["parent"])["person"]
    child = run(http, PERSON, id=tie["child"])["person"]
    assert {"relation": "child", "person": {"personId": tie["child"]}} in parent["family"]
    assert {"relation": "parent", "person": {"personId": tie["parent"]}} in child["family"]


async def test_a_persons_cases_carry_the_role(tiny: GraphClient, http: TestClient) -> None:
    [party] = await tiny.read(
        "MATCH (p:Person)-[r:PARTY_TO]->(c:Case) WITH p, count(c) AS n "
        "RETURN p.id AS id, n ORDER BY n DESC, id LIMIT 1"
    )
    cases = run(http, PERSON, id=party["id"])["person"]["cases"]
    assert cases["totalCount"] == party["n"]
    assert all(
        edge["role"] in {"APPLICANT", "RESPONDENT", "THIRD_PARTY"} for edge in cases["edges"]
    )


def round_trips(http: TestClient, query: str, **variables: object) -> int:
    response = http.post("/graphql", json={"query": query, "variables": variables})
    assert "errors" not in response.json()
    return int(response.headers[HEADER])


def test_round_trips_do_not_grow_with_the_number_of_parents(
    tiny: GraphClient, http: TestClient
) -> None:
    # given the same nested query over 2 and over 50 cases
    few = round_trips(http, NESTED, first=2)
    many = round_trips(http, NESTED, first=50)
    # then both cost the same number of Cypher round trips: one per relationship level
    assert few == many
    assert few <= 9


PERSONS = """
query Persons($place: String, $filter: PersonFilter, $first: Int) {
  persons(place: $place, filter: $filter, first: $first) {
    totalCount
    edges { node { personId colourLabel tags roles } }
  }
}
"""


async def test_person_filters_run_in_cypher(tiny: GraphClient, http: TestClient) -> None:
    # given the tagged elderly and the volunteers of the tiny seed's street, counted in Cypher
    [expected] = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(g:Grid) WHERE g.code STARTS WITH '370811001' "
        "RETURN count(CASE WHEN 'elderly_alone' IN p.tags THEN 1 END) AS elderly, "
        "count(CASE WHEN p:Volunteer THEN 1 END) AS volunteers"
    )
    # when the same filters are asked over GraphQL
    elderly = run(http, PERSONS, place="370811001", filter={"tag": "elderly_alone"}, first=100)[
        "persons"
    ]
    volunteers = run(http, PERSONS, place="370811001", filter={"role": "VOLUNTEER"})["persons"]
    # then the counts agree and every person matches
    assert elderly["totalCount"] == expected["elderly"] > 0
    assert all("elderly_alone" in e["node"]["tags"] for e in elderly["edges"])
    assert volunteers["totalCount"] == expected["volunteers"] > 0
    assert all("VOLUNTEER" in e["node"]["roles"] for e in volunteers["edges"])


def test_unknown_colour_label_is_refused(tiny: GraphClient, http: TestClient) -> None:
    [error] = errors_of(http, PERSONS, filter={"colourLabel": "magenta"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "filter.colourLabel"}
    assert "red" in error["message"]
