"""Leaks closed by issue 12 (items 4 and 5), over HTTP with real tokens on the tiny seed.

4. The masked ID-card number hides exactly the birth date, so whoever gets the masked form
   must not get the exact birth date either (only its year), on every path that carries it.
5. A partner's agreement frees only pagination plumbing: other fields of *Edge and
   *Connection types must be listed like any other field.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from schema.relay import global_id
from server.app import create_app
from server.settings import Settings
from tests.graphql_http import body as post
from tests.graphql_http import data
from tests.tokens import bearer, hs256

DISTRICT = "370811"

# A resident who is party to a case, has family, and a RESIDES_IN.since that is their birth
# date (born after the household moved in): the seed's children.
A_CHILD_PARTY = """
MATCH (p:Person)-[r:RESIDES_IN]->(g:Grid)
WHERE r.since = p.birthDate AND (p)-[:FAMILY]-()
OPTIONAL MATCH (p)-[:PARTY_TO]->(c:Case)
WITH p, g, count(c) AS cases ORDER BY cases DESC, p.id LIMIT 1
MATCH (o:Person)-[:RESIDES_IN]->(g) WHERE o <> p AND NOT (o)-[:FAMILY]-(p)
RETURN p.id AS id, p.name AS name, p.birthDate AS born, min(o.id) AS neighbour
"""

A_PARTY = """
MATCH (p:Person)-[:PARTY_TO]->(c:Case) WHERE p.birthDate IS NOT NULL
RETURN p.id AS id, p.name AS name, p.birthDate AS born, c.code AS case
ORDER BY p.id LIMIT 1
"""

PERSON_EVERYWHERE = """
query Everywhere($pid: String!, $id: ID!, $text: String!, $case: String!) {
  person(personId: $pid) { birthDate birthYear family { person { personId birthDate } } }
  node(id: $id) { ... on Person { birthDate birthYear } }
  nodes(ids: [$id]) { ... on Person { birthDate birthYear } }
  search(text: $text, types: [PERSON], first: 100) {
    node { ... on Person { personId birthDate birthYear } }
  }
  persons(first: 100) { edges { node { birthDate birthYear } } }
  case(code: $case) { parties { person { personId birthDate birthYear } } }
}
"""

NETWORK = """
query Network($center: ID!) {
  disputeNetwork(center: $center, hops: 2) { nodes { type properties } }
}
"""

RESIDENCE = """
query Residence($from: ID!, $to: ID!) {
  connections(from: $from, to: $to, maxHops: 2, via: [RESIDES_IN]) {
    allShortest { nodes { type properties } edges { type properties } }
  }
}
"""


def birth_values(found: Any) -> list[tuple[str, Any]]:
    """Every (key, value) under a `birthDate` or `birthYear` key anywhere in an answer."""
    if isinstance(found, dict):
        own = [(k, v) for k, v in found.items() if k in ("birthDate", "birthYear")]
        return own + [pair for v in found.values() for pair in birth_values(v)]
    if isinstance(found, list):
        return [pair for item in found for pair in birth_values(item)]
    return []


@pytest.fixture(scope="module")
async def child(tiny: GraphClient) -> dict[str, Any]:
    [row] = await tiny.read(A_CHILD_PARTY)
    return row


@pytest.fixture(scope="module")
async def party(tiny: GraphClient) -> dict[str, Any]:
    [row] = await tiny.read(A_PARTY)
    return row


@pytest.fixture(scope="module")
def admin(settings: Settings) -> dict[str, str]:
    return bearer(hs256(settings, "admin", subject="admin-leaks"))


def everywhere(party: dict[str, Any]) -> dict[str, Any]:
    return {
        "pid": party["id"],
        "id": global_id("Person", party["id"]),
        "text": party["name"],
        "case": party["case"],
    }


def test_masked_roles_get_the_birth_year_never_the_birth_date(
    http: TestClient, party: dict[str, Any]
) -> None:
    # given a person whose masked ID-card number hides their birth date
    born: date = party["born"]
    # when the developer (masked identifiers) reads them through every entry point
    seen = data(http, {}, PERSON_EVERYWHERE, **everywhere(party))
    # then no birth date is given anywhere, only years
    values = birth_values(seen)
    assert ("birthYear", born.year) in values
    assert {v for k, v in values if k == "birthDate"} == {None}
    assert seen["person"]["birthYear"] == seen["node"]["birthYear"] == born.year
    assert seen["nodes"] == [{"birthDate": None, "birthYear": born.year}]
    hits = [h["node"] for h in seen["search"] if h["node"].get("personId") == party["id"]]
    assert hits == [{"personId": party["id"], "birthDate": None, "birthYear": born.year}]


def test_roles_seeing_clear_numbers_keep_the_birth_date(
    http: TestClient, admin: dict[str, str], party: dict[str, Any]
) -> None:
    born: date = party["born"]
    seen = data(http, admin, PERSON_EVERYWHERE, **everywhere(party))
    assert seen["person"]["birthDate"] == seen["node"]["birthDate"] == born.isoformat()
    assert seen["nodes"] == [{"birthDate": born.isoformat(), "birthYear": born.year}]
    assert all(v is not None for k, v in birth_values(seen["persons"]) if k == "birthDate")


def test_a_partner_listing_birth_date_still_gets_only_the_year(
    settings: Settings, tmp_path: Path, party: dict[str, Any]
) -> None:
    # given an agreement that lists Person.birthDate
    agreements = tmp_path / "agreements.toml"
    agreements.write_text(
        "[agreements.births]\n"
        f'scope = ["{DISTRICT}"]\n'
        "[agreements.births.fields]\n"
        'Query = ["person"]\n'
        'Person = ["personId", "birthDate", "birthYear", "idCardMasked"]\n',
        encoding="utf-8",
    )
    partner = bearer(hs256(settings, "partner", agreement="births"), purpose="review 12-4")
    query = "query($p: String!) { person(personId: $p) { idCardMasked birthDate birthYear } }"
    with TestClient(create_app(settings.model_copy(update={"agreements_file": agreements}))) as c:
        seen = data(c, partner, query, p=party["id"])["person"]
    # then the partner, who sees the masked number, gets the year only
    assert "*" in seen["idCardMasked"]
    assert seen["birthDate"] is None
    assert seen["birthYear"] == party["born"].year


def _person_nodes(answer: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(answer, dict):
        if answer.get("type") == "Person":
            found.append(answer["properties"])
        for value in answer.values():
            found += _person_nodes(value)
    elif isinstance(answer, list):
        for item in answer:
            found += _person_nodes(item)
    return found


def test_investigation_graphs_carry_no_birth_date_for_masked_roles(
    http: TestClient, admin: dict[str, str], child: dict[str, Any]
) -> None:
    # given a child whose residence began on their birth date, and a neighbour in their grid
    born: date = child["born"]
    center = global_id("Person", child["id"])
    ends = {"from": center, "to": global_id("Person", child["neighbour"])}
    # when the developer draws their dispute network and the path through their grid
    network = data(http, {}, NETWORK, center=center)
    residence = data(http, {}, RESIDENCE, **ends)
    # then every person node has its birth year and no birth date
    persons = _person_nodes(network) + _person_nodes(residence)
    assert persons and all("birthDate" not in p and "birthYear" in p for p in persons)
    mine = [p for p in persons if p["id"] == child["id"]]
    assert mine and all(p["birthYear"] == born.year for p in mine)
    # and the residence edge gives its year only: the date does not appear anywhere
    edges = [e for p in residence["connections"]["allShortest"] for e in p["edges"]]
    assert edges and all(e["type"] == "RESIDES_IN" for e in edges)
    assert all("since" not in e["properties"] and "sinceYear" in e["properties"] for e in edges)
    assert born.isoformat() not in str(network) + str(residence)
    # while an admin gets the exact dates
    full = data(http, admin, RESIDENCE, **ends)
    assert born.isoformat() in [p.get("birthDate") for p in _person_nodes(full)]
    assert born.isoformat() in [
        e["properties"].get("since") for p in full["connections"]["allShortest"] for e in p["edges"]
    ]


# -- item 5: fields of edge and connection types ----------------------------------------------

EDGE_REVIEW = f"""
[agreements.edge-review]
scope = ["{DISTRICT}"]
[agreements.edge-review.fields]
Query = ["volunteerTeam", "mediationCommittee", "connections", "overdueCases"]
VolunteerTeam = ["code", "volunteers"]
MediationCommittee = ["code", "members"]
Person = ["name"]
Case = ["code"]
Connections = ["allShortest"]
ConnectionPath = ["length", "nodes", "edges"]
GraphNode = ["id"]
GraphEdge = ["type"]
"""

PLUMBING_ONLY = """
query($team: String!, $committee: String!) {
  volunteerTeam(code: $team) {
    volunteers(first: 2) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { __typename name } }
    }
  }
  mediationCommittee(code: $committee) { members(first: 2) { edges { cursor node { name } } } }
  overdueCases(first: 2) { totalCount edges { cursor node { code } } }
}
"""

EDGE_FIELDS = """
query($team: String!, $committee: String!, $from: ID!, $to: ID!) {
  volunteerTeam(code: $team) { volunteers { edges { points stars node { name } } } }
  mediationCommittee(code: $committee) { members { edges { kind node { name } } } }
  overdueCases { edges { dueAt dueFor node { code } } }
  connections(from: $from, to: $to, maxHops: 2) {
    allShortest { length nodes { id } edges { type properties } }
  }
}
"""


@pytest.fixture(scope="module")
async def organisations(tiny: GraphClient) -> dict[str, Any]:
    [team] = await tiny.read("MATCH (t:VolunteerTeam) RETURN t.code AS code ORDER BY code LIMIT 1")
    [committee] = await tiny.read(
        "MATCH (m:MediationCommittee)<-[:MEMBER_OF]-() RETURN DISTINCT m.code AS code "
        "ORDER BY code LIMIT 1"
    )
    [pair] = await tiny.read(
        "MATCH (a:Person)-[:PARTY_TO]->(:Case)<-[:PARTY_TO]-(b:Person) WHERE a.id < b.id "
        "RETURN a.id AS a, b.id AS b ORDER BY a, b LIMIT 1"
    )
    return {
        "team": team["code"],
        "committee": committee["code"],
        "from": global_id("Person", pair["a"]),
        "to": global_id("Person", pair["b"]),
    }


@pytest.fixture
def edge_review(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    agreements = tmp_path / "agreements.toml"
    agreements.write_text(EDGE_REVIEW, encoding="utf-8")
    with TestClient(create_app(settings.model_copy(update={"agreements_file": agreements}))) as c:
        yield c


def test_partners_get_pagination_plumbing_but_not_edge_data_outside_the_agreement(
    edge_review: TestClient, settings: Settings, organisations: dict[str, Any]
) -> None:
    partner = bearer(hs256(settings, "partner", agreement="edge-review"), purpose="review 12-5")
    # when the partner selects only plumbing of connections and edges, it is answered
    seen = data(edge_review, partner, PLUMBING_ONLY, **organisations)
    assert seen["volunteerTeam"]["volunteers"]["edges"]
    assert seen["mediationCommittee"]["members"]["edges"]
    # when it selects the data that edge types carry, the request is refused naming them all
    refused = post(edge_review, partner, EDGE_FIELDS, **organisations)
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["fields"] == [
        "VolunteerEdge.points",
        "VolunteerEdge.stars",
        "MediatorEdge.kind",
        "OverdueCaseEdge.dueAt",
        "OverdueCaseEdge.dueFor",
        "GraphEdge.properties",
    ]


def test_the_justice_agreement_lists_the_mediator_kind_it_reads(
    http: TestClient, settings: Settings, organisations: dict[str, Any]
) -> None:
    partner = bearer(
        hs256(settings, "partner", agreement="justice-mediation"), purpose="review 12-5"
    )
    query = (
        "query($c: String!) { mediationCommittee(code: $c) { members { totalCount "
        "edges { cursor kind node { name } } } } }"
    )
    # the tiny seed's one street is the justice bureau's: its committee's mediators, by kind
    edges = data(http, partner, query, c=organisations["committee"])["mediationCommittee"]
    assert edges["members"]["edges"]
    assert all(e["kind"] and e["node"]["name"] for e in edges["members"]["edges"])
