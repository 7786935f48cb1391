"""What each role sees on the tiny seed, over HTTP with real tokens (docs/security.md).

The tiny seed has one street, two communities and six grids. The investigator here is
scoped to the first community, the grid worker to one grid of the second; expectations
are computed with independent Cypher over the same rule (graph/scope.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.personal_data import Identifier, mask_id_card, mask_phone
from schema.relay import global_id
from server.settings import Settings
from tests.graphql_http import body as post
from tests.graphql_http import data
from tests.principals import KEY
from tests.tokens import bearer, hs256

STREET = "370811001"


@pytest.fixture(scope="module")
async def codes(tiny: GraphClient) -> dict[str, Any]:
    """The two communities, a grid of each, and cases/persons on either side."""
    rows = await tiny.read(
        "MATCH (c:Community) WITH c ORDER BY c.code "
        "MATCH (g:Grid)-[:PART_OF]->(c) WITH c, g ORDER BY g.code "
        "RETURN c.code AS community, collect(g.code) AS grids"
    )
    inside, outside = rows[0], rows[1]
    case_outside = await tiny.read(
        "MATCH (k:Case)-[:OCCURRED_IN]->(g:Grid) WHERE g.code STARTS WITH $c "
        "RETURN k.code AS code ORDER BY k.code LIMIT 1",
        {"c": outside["community"]},
    )
    # A resident of the second community who takes part in no case of the first.
    stranger = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(g:Grid) WHERE g.code STARTS WITH $out "
        "AND NOT EXISTS { (p)-[:PARTY_TO|REPORTED_BY|HANDLED_BY]-(:Case)-[:OCCURRED_IN]->"
        "(h:Grid) WHERE h.code STARTS WITH $in } "
        "AND NOT EXISTS { (p)-[:MEMBER_OF|SECRETARY_OF|INSTRUCTS]->()-[:COVERS]->(pl) "
        "WHERE pl.code STARTS WITH $in } "
        "RETURN p.id AS id ORDER BY p.id LIMIT 1",
        {"out": outside["community"], "in": inside["community"]},
    )
    resident_inside = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(g:Grid) WHERE g.code STARTS WITH $c "
        "AND p.phoneCipher IS NOT NULL RETURN p.id AS id, p.idCardCipher AS idc, "
        "p.phoneCipher AS phc ORDER BY p.id LIMIT 1",
        {"c": inside["community"]},
    )
    worker = await tiny.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid {code: $g}) RETURN w.id AS id",
        {"g": outside["grids"][0]},
    )
    return {
        "community": inside["community"],
        "grid": inside["grids"][0],
        "other_community": outside["community"],
        "other_grid": outside["grids"][0],
        "case_outside": case_outside[0]["code"],
        "stranger": stranger[0]["id"],
        "resident": resident_inside[0],
        "worker": worker[0]["id"],
    }


@pytest.fixture(scope="module")
def investigator(settings: Settings, codes: dict[str, Any]) -> dict[str, str]:
    return bearer(hs256(settings, "investigator", [codes["community"]], subject="inv-1"))


@pytest.fixture(scope="module")
def admin(settings: Settings) -> dict[str, str]:
    return bearer(hs256(settings, "admin", subject="admin-1"))


async def test_investigator_counts_only_cases_inside_the_scope(
    http: TestClient, tiny: GraphClient, investigator: dict[str, str], codes: dict[str, Any]
) -> None:
    query = (
        "query($p: String!) { cases(place: $p) { totalCount edges { node { grid { code } } } } }"
    )
    seen = data(http, investigator, query, p=STREET)["cases"]
    expected = await tiny.read(
        "MATCH (k:Case)-[:OCCURRED_IN]->(g:Grid) WHERE g.code STARTS WITH $c RETURN count(k) AS n",
        {"c": codes["community"]},
    )
    assert seen["totalCount"] == expected[0]["n"] > 0
    assert all(e["node"]["grid"]["code"].startswith(codes["community"]) for e in seen["edges"])
    everything = data(http, {}, query, p=STREET)["cases"]["totalCount"]
    assert everything > seen["totalCount"]


async def test_investigator_counts_only_persons_inside_the_scope(
    http: TestClient, tiny: GraphClient, investigator: dict[str, str], codes: dict[str, Any]
) -> None:
    query = "query($p: String!) { persons(place: $p) { totalCount } }"
    seen = data(http, investigator, query, p=STREET)["persons"]["totalCount"]
    expected = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(:Grid) "
        "WHERE EXISTS { (p)-[:RESIDES_IN|WORKS_GRID|SUPPORTS]->(g:Grid) "
        "               WHERE g.code STARTS WITH $c } "
        "   OR EXISTS { (p)-[:PARTY_TO|REPORTED_BY|HANDLED_BY]-(:Case)-[:OCCURRED_IN]->(g:Grid)"
        "               WHERE g.code STARTS WITH $c } "
        "   OR EXISTS { (p)-[:MEMBER_OF|SECRETARY_OF|INSTRUCTS]->()-[:COVERS]->(pl) "
        "               WHERE pl.code STARTS WITH $c } "
        "RETURN count(p) AS n",
        {"c": codes["community"]},
    )
    assert seen == expected[0]["n"] > 0


def test_out_of_scope_lookups_find_nothing(
    http: TestClient, investigator: dict[str, str], codes: dict[str, Any]
) -> None:
    grid = post(
        http, investigator, "query($c: String!) { grid(code: $c) { code } }", c=codes["other_grid"]
    )
    assert grid["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    case_id = global_id("Case", codes["case_outside"])
    person_id = global_id("Person", codes["stranger"])
    found = data(
        http,
        investigator,
        "query($a: ID!, $b: ID!) { node(id: $a) { id } nodes(ids: [$a, $b]) { id } }",
        a=case_id,
        b=person_id,
    )
    assert found == {"node": None, "nodes": [None, None]}
    street = data(
        http,
        investigator,
        "query($s: String!) { street(code: $s) { communities { code } } }",
        s=STREET,
    )
    assert [c["code"] for c in street["street"]["communities"]] == [codes["community"]]


async def test_organisation_officers_are_seen_where_their_organisation_serves(
    http: TestClient, tiny: GraphClient, settings: Settings, codes: dict[str, Any]
) -> None:
    # given the secretary of the street's party committee, tied to no grid and no case
    rows = await tiny.read(
        "MATCH (p:Person)-[:SECRETARY_OF]->(:PartyOrganization)-[:COVERS]->(:Street {code: $s}) "
        "WHERE NOT EXISTS { (p)-[:RESIDES_IN|WORKS_GRID|SUPPORTS|PARTY_TO|REPORTED_BY|"
        "HANDLED_BY]-() } RETURN p.id AS id ORDER BY id LIMIT 1",
        {"s": STREET},
    )
    assert rows, "the tiny seed has a street party secretary tied to no grid"
    query = "query($id: String!) { person(personId: $id) { personId } }"
    street_wide = bearer(hs256(settings, "investigator", [STREET], subject="inv-street"))
    community = bearer(hs256(settings, "investigator", [codes["community"]], subject="inv-c"))
    # then a street-wide investigator sees them, a community investigator does not
    seen = data(http, street_wide, query, id=rows[0]["id"])
    assert seen["person"]["personId"] == rows[0]["id"]
    hidden = post(http, community, query, id=rows[0]["id"])
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_admin_sees_across_scopes(
    http: TestClient, admin: dict[str, str], codes: dict[str, Any]
) -> None:
    found = data(
        http,
        admin,
        "query($a: ID!) { node(id: $a) { id } }",
        a=global_id("Case", codes["case_outside"]),
    )
    assert found["node"] is not None


def identifiers_query() -> str:
    return (
        "query($id: ID!) { node(id: $id) { ... on Person { idCardNumber phone idCardMasked "
        "phoneMasked } } }"
    )


def test_clear_identifiers_for_investigators_masked_for_developers(
    http: TestClient, investigator: dict[str, str], codes: dict[str, Any]
) -> None:
    resident = codes["resident"]
    person = global_id("Person", resident["id"])
    clear = KEY.decrypt(Identifier.ID_CARD, resident["idc"], resident["id"])
    phone = KEY.decrypt(Identifier.PHONE, resident["phc"], resident["id"])
    seen = data(http, investigator, identifiers_query(), id=person)["node"]
    assert seen["idCardNumber"] == clear and len(clear) == 18
    assert seen["phone"] == phone
    assert seen["idCardMasked"] == mask_id_card(clear)
    anonymous = data(http, {}, identifiers_query(), id=person)["node"]
    assert anonymous["idCardNumber"] == mask_id_card(clear) != clear
    assert anonymous["phone"] == mask_phone(phone) != phone


def test_grid_worker_sees_own_grid_in_clear_and_nothing_else(
    http: TestClient, settings: Settings, codes: dict[str, Any]
) -> None:
    worker = bearer(hs256(settings, "grid_worker", [codes["other_grid"]], person=codes["worker"]))
    own = data(
        http,
        worker,
        "query($g: String!) { grid(code: $g) { residents(first: 100) { totalCount "
        "edges { node { phone phoneMasked grid { code } } } } } }",
        g=codes["other_grid"],
    )["grid"]["residents"]
    assert own["totalCount"] > 0
    assert all(e["node"]["grid"]["code"] == codes["other_grid"] for e in own["edges"])
    with_phone = [e["node"] for e in own["edges"] if e["node"]["phoneMasked"]]
    assert with_phone and all("*" not in n["phone"] for n in with_phone)
    other = post(http, worker, "query($g: String!) { grid(code: $g) { code } }", g=codes["grid"])
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_partner_reads_its_agreement_masked_and_is_refused_the_rest(
    http: TestClient, settings: Settings, codes: dict[str, Any]
) -> None:
    partner = bearer(
        hs256(settings, "partner", agreement="justice-mediation", subject="justice"),
        purpose="mediation review 2024-17",
    )
    resident = codes["resident"]
    clear = KEY.decrypt(Identifier.ID_CARD, resident["idc"], resident["id"])
    seen = data(http, partner, identifiers_query(), id=global_id("Person", resident["id"]))
    assert seen["node"]["idCardNumber"] == mask_id_card(clear)
    refused = post(
        http,
        partner,
        "query($id: ID!) { node(id: $id) { ... on Person { name address grid { code } } } }",
        id=global_id("Person", resident["id"]),
    )
    assert refused["data"] is None
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["fields"] == ["Person.address", "Person.grid"]
    assert "Person.address" in error["message"]


def test_partner_without_purpose_is_refused(http: TestClient, settings: Settings) -> None:
    partner = bearer(hs256(settings, "partner", agreement="justice-mediation"))
    response = http.post("/graphql", json={"query": "{ __typename }"}, headers=partner)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
