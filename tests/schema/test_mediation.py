"""Mediation over GraphQL: committees, mediators with their kind, studios, coverage."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from tests.schema.conftest import errors_of, run

COMMITTEES = """
query Committees($kind: MediatorKind) {
  mediationCommittees {
    code level
    all: members(first: 100) {
      totalCount
      edges { kind node { personId mediationCommittees { kind committee { code } } } }
    }
    ofKind: members(kind: $kind, first: 1) { totalCount edges { kind } }
    coveredPlaces { __typename code ... on Grid { mediationCommittees { code } } }
    studios { code committee { code } }
  }
}
"""

STUDIO = """
query Studio($code: String!) { mediationStudio(code: $code) { code committee { code } } }
"""

EXTRA_COMMITTEE = "370811M90"  # written and removed by one test

GRID = """
query Grid($code: String!) { grid(code: $code) { mediationCommittees { code } } }
"""


async def test_committees_members_places_and_studios(tiny: GraphClient, http: TestClient) -> None:
    # given the committees with their mediators, places and studios in the database
    rows = await tiny.read(
        "MATCH (m:MediationCommittee) RETURN m.code AS code, "
        "COUNT { (m)<-[:MEMBER_OF]-(:Person) } AS members, "
        "COUNT { (m)<-[:MEMBER_OF {kind: 'community'}]-(:Person) } AS community, "
        "COLLECT { MATCH (m)-[:COVERS]->(p) RETURN p.code ORDER BY p.code } AS places, "
        "COLLECT { MATCH (m)<-[:UNDER]-(s) RETURN s.code ORDER BY s.code } AS studios "
        "ORDER BY code"
    )
    # when listing the committees with community mediators counted apart
    listed = run(http, COMMITTEES, kind="COMMUNITY")["mediationCommittees"]
    # then everything matches, and every relationship reads back from the other end
    assert [c["code"] for c in listed] == [row["code"] for row in rows]
    for committee, row in zip(listed, rows, strict=True):
        code = {"code": committee["code"]}
        assert committee["all"]["totalCount"] == row["members"] == len(committee["all"]["edges"])
        assert committee["ofKind"]["totalCount"] == row["community"]
        assert all(edge["kind"] == "COMMUNITY" for edge in committee["ofKind"]["edges"])
        for edge in committee["all"]["edges"]:
            back = {"kind": edge["kind"], "committee": code}
            assert back in edge["node"]["mediationCommittees"]
        assert [p["code"] for p in committee["coveredPlaces"]] == row["places"]
        for place in committee["coveredPlaces"]:
            assert code in place["mediationCommittees"]
        assert [s["code"] for s in committee["studios"]] == row["studios"]
        assert all(s["committee"] == code for s in committee["studios"])
    studio = rows[0]["studios"][0]
    assert run(http, STUDIO, code=studio)["mediationStudio"]["committee"] == {
        "code": rows[0]["code"]
    }


async def test_grid_committees_cover_every_level(tiny: GraphClient, http: TestClient) -> None:
    # given a district-level committee and a grid committee also covering a whole community
    await tiny.write(
        "MATCH (d:District) MERGE (m:MediationCommittee {code: $code}) "
        "SET m.name = 'test', m.level = 'district' MERGE (m)-[:COVERS]->(d) "
        "WITH 1 AS one MATCH (m:MediationCommittee)-[:COVERS]->(:Grid)-[:PART_OF]->(c) "
        "WITH m, c ORDER BY m.code, c.code LIMIT 1 MERGE (m)-[:COVERS]->(c)",
        {"code": EXTRA_COMMITTEE},
    )
    try:
        rows = await tiny.read(
            "MATCH (g:Grid) RETURN g.code AS code, COLLECT { "
            "MATCH (g)-[:PART_OF*0..3]->()<-[:COVERS]-(m:MediationCommittee) "
            "RETURN DISTINCT m.code ORDER BY m.code } AS committees ORDER BY code"
        )
        for row in rows:
            # when reading each grid's committees
            found = run(http, GRID, code=row["code"])["grid"]["mediationCommittees"]
            # then they are the same, each once, the district committee among them
            assert [m["code"] for m in found] == row["committees"]
            assert EXTRA_COMMITTEE in row["committees"]
    finally:
        await tiny.write(
            "MATCH (m:MediationCommittee)-[r:COVERS]->(:Community) DELETE r "
            "WITH 1 AS one MATCH (m:MediationCommittee {code: $code}) DETACH DELETE m",
            {"code": EXTRA_COMMITTEE},
        )


def test_unknown_committee_is_not_found(tiny: GraphClient, http: TestClient) -> None:
    query = 'query { mediationCommittee(code: "370811M99") { code } }'
    [error] = errors_of(http, query)
    assert error["extensions"]["code"] == "NOT_FOUND"
