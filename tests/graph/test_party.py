"""Party organisations: five levels in an UNDER tree, covering places; persons' party roles."""

from __future__ import annotations

from graph import buildings, party, persons
from graph.client import GraphClient
from graph.party import PartyLevel, PartyRole
from seeds.fixture import load_fixture

STREET, COMMUNITY, GRID = "370811001", "370811001001", "370811001001001"
BUILDING = GRID + "001"

TREE = """
MATCH (o:PartyOrganization)
OPTIONAL MATCH (o)-[:UNDER]->(parent)
RETURN o.code AS code, o.level AS level, parent.code AS parent,
       [(o)-[:COVERS]->(p) | labels(p)[0] + ':' + p.code] AS covers
ORDER BY code
"""
LINKS = """
MATCH (p:Person)-[r]->(o:PartyOrganization)
RETURN p.id AS person, type(r) AS type, o.code AS org ORDER BY type
"""


async def _write(graph: GraphClient) -> None:
    await buildings.upsert_buildings(
        graph, [{"code": BUILDING, "name": "1号楼", "address": "1号楼", "gridCode": GRID}]
    )
    orgs = [
        (PartyLevel.STREET_COMMITTEE, "PO" + STREET, STREET, None),
        (PartyLevel.COMMUNITY_COMMITTEE, "PO" + COMMUNITY, COMMUNITY, "PO" + STREET),
        (PartyLevel.GRID_BRANCH, "PO" + GRID, GRID, "PO" + COMMUNITY),
        (PartyLevel.BUILDING_GROUP, "PO" + BUILDING, BUILDING, "PO" + GRID),
    ]
    for level, code, place, parent in orgs:
        await party.upsert_party_organizations(
            graph, level, [{"code": code, "name": code, "placeCode": place, "parentCode": parent}]
        )
    await persons.upsert_persons(
        graph,
        [{"id": pid, "name": pid, "roles": ["Resident", "PartyMember"]} for pid in ("P-1", "P-2")],
    )
    await party.upsert_party_links(
        graph, PartyRole.MEMBER, [{"personId": "P-1", "orgCode": "PO" + GRID}]
    )
    await party.upsert_party_links(
        graph, PartyRole.SECRETARY, [{"personId": "P-1", "orgCode": "PO" + GRID}]
    )
    await party.upsert_party_links(
        graph, PartyRole.INSTRUCTOR, [{"personId": "P-2", "orgCode": "PO" + GRID}]
    )
    await party.upsert_central_households(graph, [{"memberId": "P-1", "headId": "P-2"}])


async def test_the_party_tree_is_built_once_and_covers_its_places(empty_graph: GraphClient) -> None:
    # given the fixture's places; when the four-level tree and its people are written twice
    await load_fixture(empty_graph)
    await _write(empty_graph)
    await _write(empty_graph)
    # then each organisation is under its parent and covers the place of its level
    tree = await empty_graph.read(TREE)
    assert [(o["level"], o["parent"], o["covers"]) for o in tree] == [
        ("street_committee", None, ["Street:" + STREET]),
        ("community_committee", "PO" + STREET, ["Community:" + COMMUNITY]),
        ("grid_branch", "PO" + COMMUNITY, ["Grid:" + GRID]),
        ("building_group", "PO" + GRID, ["Building:" + BUILDING]),
    ]
    # and the persons' roles exist once each
    links = await empty_graph.read(LINKS)
    assert [(r["person"], r["type"]) for r in links] == [
        ("P-2", "INSTRUCTS"),
        ("P-1", "MEMBER_OF"),
        ("P-1", "SECRETARY_OF"),
    ]
    households = await empty_graph.read(
        "MATCH ()-[r:CENTRAL_HOUSEHOLD_FOR]->() RETURN count(r) AS n"
    )
    assert households == [{"n": 1}]
