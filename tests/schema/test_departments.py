"""Departments over GraphQL: members, their department, the grids they support, both ways."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from tests.schema.conftest import errors_of, run

DEPARTMENTS = """
query Departments { departments { id code name kind } }
"""

DEPARTMENT = """
query Department($code: String!) {
  department(code: $code) {
    code
    kind
    members(first: 50) {
      totalCount
      edges { node {
        personId
        roles
        department { code }
        supportedGrids { code professionalMembers { personId department { code } } }
      } }
    }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { __typename ... on Department { code } } }
"""


async def test_departments_are_listed_by_code(tiny: GraphClient, http: TestClient) -> None:
    # given the departments in the database
    rows = await tiny.read("MATCH (d:Department) RETURN d.code AS code, d.kind AS kind")
    # when listing them
    listed = run(http, DEPARTMENTS)["departments"]
    # then all come, by code, with their kind, and each global id reads the department back
    assert [d["code"] for d in listed] == sorted(row["code"] for row in rows)
    assert {d["kind"] for d in listed} == {row["kind"].upper() for row in rows}
    found = run(http, NODE, id=listed[0]["id"])["node"]
    assert found == {"__typename": "Department", "code": listed[0]["code"]}


async def test_members_lead_to_grids_and_back(tiny: GraphClient, http: TestClient) -> None:
    # given the department with most professional members, and the grids they support
    [dept] = await tiny.read(
        "MATCH (d:Department)<-[:MEMBER_OF]-(p:Person) WITH d, count(p) AS n "
        "RETURN d.code AS code, n ORDER BY n DESC, code LIMIT 1"
    )
    supports = await tiny.read(
        "MATCH (d:Department {code: $code})<-[:MEMBER_OF]-(p:Person)-[:SUPPORTS]->(g:Grid) "
        "RETURN p.id AS person, collect(g.code) AS grids",
        {"code": dept["code"]},
    )
    # when reading the department, its members, their grids and those grids' members
    data = run(http, DEPARTMENT, code=dept["code"])["department"]
    # then the members are those of the database, each pointing back at the department
    members = data["members"]
    assert members["totalCount"] == dept["n"] == len(members["edges"])
    expected = {row["person"]: sorted(row["grids"]) for row in supports}
    for edge in members["edges"]:
        person = edge["node"]
        assert "PROFESSIONAL_MEMBER" in person["roles"]
        assert person["department"] == {"code": dept["code"]}
        grids = person["supportedGrids"]
        assert [g["code"] for g in grids] == expected.get(person["personId"], [])
        # and each supported grid lists this person among its professional members
        for grid in grids:
            back = {"personId": person["personId"], "department": {"code": dept["code"]}}
            assert back in grid["professionalMembers"]


async def test_grid_professional_members_count(tiny: GraphClient, http: TestClient) -> None:
    # given a grid and the number of professional members supporting it
    [grid] = await tiny.read(
        "MATCH (g:Grid)<-[:SUPPORTS]-(p) RETURN g.code AS code, count(p) AS n ORDER BY code LIMIT 1"
    )
    query = (
        "query G($c: String!) { grid(code: $c) { professionalMembers { department { code } } } }"
    )
    # when reading them
    members = run(http, query, c=grid["code"])["grid"]["professionalMembers"]
    # then they are all there, each with a department
    assert len(members) == grid["n"]
    assert all(member["department"]["code"] for member in members)


def test_unknown_department_is_not_found(tiny: GraphClient, http: TestClient) -> None:
    [error] = errors_of(http, DEPARTMENT, code="370811D99")
    assert error["extensions"]["code"] == "NOT_FOUND"
