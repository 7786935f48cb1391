"""Ways around the abuse limits an outside review found (issue 12, items 6, 7, 8, 19, 20),
each closed and tried again over HTTP against the tiny seed.

Refusals happen before any resolver runs: the tests compare the request's Cypher round trips
with those of a request that reads nothing (authentication and the audit record).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from schema.relay import global_id
from server.app import create_app
from server.round_trips import HEADER
from server.settings import Settings
from tests.schema.conftest import errors_of, run
from tests.tokens import bearer, hs256

PAGES = """
query Pages($first: Int, $inner: Int = 100) {
  persons(first: $first) { edges { node { cases(first: $inner) { edges { node {
    parties { person { name } }
  } } } } } }
}
"""
ANALYSIS = """
  networkAnalysis(center: $center, hops: $hops, maxNodes: $maxNodes) {
    persons { personId name } clusters { id size members } truncated
  }
"""
NETWORK = """
  disputeNetwork(center: $center, hops: $hops, maxNodes: $maxNodes) {
    nodes { id } edges { id } truncated
  }
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
CASE = "query($code: String!) { case(code: $code) { code } }"
REPORT = """
mutation Report($input: ReportCaseInput!) { reportCase(input: $input) { caseCode } }
"""
COP_DIRECTIVES = "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }"


def aliased(field: str, times: int) -> str:
    """A query asking `field` `times` times under aliases a0, a1 ..."""
    body = " ".join(f"a{i}: {field}" for i in range(times))
    return f"query($center: ID!, $hops: Int!, $maxNodes: Int!) {{ {body} }}"


def post(http: TestClient, query: str, **variables: Any) -> tuple[dict[str, Any], int]:
    """The response body and the Cypher round trips of one request."""
    response = http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    return body, int(response.headers[HEADER])


def trips_of_nothing(http: TestClient) -> int:
    """The round trips of a request that reads nothing (whatever authentication and the
    audit record cost)."""
    return post(http, "{ __typename }")[1]


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@pytest.fixture(scope="module")
async def world(tiny: GraphClient) -> dict[str, Any]:
    """Persons, cases and grids of the tiny seed, a repeat party, and the first community."""
    persons = await tiny.read("MATCH (p:Person) RETURN p.id AS key ORDER BY key LIMIT 6")
    cases = await tiny.read("MATCH (c:Case) RETURN c.code AS key ORDER BY key LIMIT 4")
    grids = await tiny.read("MATCH (g:Grid) RETURN g.code AS key ORDER BY key LIMIT 3")
    [party] = await tiny.read(
        "MATCH (p:Person)-[:PARTY_TO]->(c:Case) WITH p, count(c) AS n "
        "RETURN p.id AS key ORDER BY n DESC, key LIMIT 1"
    )
    [community] = await tiny.read("MATCH (c:Community) RETURN c.code AS code ORDER BY code LIMIT 1")
    inside = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(g:Grid) WHERE g.code STARTS WITH $c "
        "RETURN p.id AS key ORDER BY key LIMIT 3",
        {"c": community["code"]},
    )
    outside = await tiny.read(
        "MATCH (p:Person) WHERE NOT EXISTS { (p)-[*1..2]-(x) WHERE x.code STARTS WITH $c } "
        "RETURN p.id AS key ORDER BY key LIMIT 2",
        {"c": community["code"]},
    )
    return {
        "persons": [r["key"] for r in persons],
        "cases": [r["key"] for r in cases],
        "grids": [r["key"] for r in grids],
        "party": party["key"],
        "community": community["code"],
        "inside": [r["key"] for r in inside],
        "outside": [r["key"] for r in outside],
    }


# 6. `first` sent as a float is estimated as the Int it becomes


def test_a_float_page_size_is_estimated_as_the_int_graphql_makes_of_it(
    http: TestClient, tiny: GraphClient
) -> None:
    # given the nested pages that cost 220,301 with 100 persons, sent with `100.0`
    body, trips = post(http, PAGES, first=100.0)
    # then the estimate is that of 100, not of the default page, and nothing ran
    assert codes(body) == ["COST_LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["cost"] == 220_301
    assert trips == trips_of_nothing(http)
    # and a float `maxNodes` is priced as its integer too
    query = aliased(ANALYSIS, 4)
    body, _ = post(http, query, center=global_id("Person", "x"), hops=4.0, maxNodes=1000.0)
    assert codes(body) == ["COST_LIMIT_EXCEEDED"]


# 7. nodes(ids:): capped, costed per id, read in one round trip per label


def test_nodes_refuses_more_than_100_ids_before_any_read(
    http: TestClient, world: dict[str, Any]
) -> None:
    ids = [global_id("Person", f"P{i}") for i in range(101)]
    body, trips = post(http, NODES, ids=ids)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "ids", "maxItems": 100}
    assert trips == trips_of_nothing(http)
    # 100 are fine (unknown keys are null)
    assert run(http, NODES, ids=ids[:100])["nodes"] == [None] * 100


def test_nodes_cost_one_per_id(settings: Settings, world: dict[str, Any]) -> None:
    # given an app whose budget is 60
    strict = settings.model_copy(update={"max_cost": 60})
    with TestClient(create_app(strict)) as http:
        ids = [global_id("Person", key) for key in world["persons"]]
        # then 6 ids run, 61 do not (they cost 61, not a fixed 10)
        assert len(run(http, NODES, ids=ids)["nodes"]) == 6
        body, _ = post(http, NODES, ids=[global_id("Person", f"P{i}") for i in range(61)])
        assert codes(body) == ["COST_LIMIT_EXCEEDED"]
        assert body["errors"][0]["extensions"]["cost"] == 61


def test_nodes_read_each_label_once_whatever_the_number_of_ids(
    http: TestClient, world: dict[str, Any]
) -> None:
    # given ids of six persons, four cases and three grids, mixed, with unknown ones
    ids = [global_id("Person", k) for k in world["persons"]]
    ids += [global_id("Case", k) for k in world["cases"]]
    ids += [global_id("Grid", k) for k in world["grids"]]
    ids += [global_id("Person", "nobody"), global_id("NoSuchType", "x")]
    ids = ids[::2] + ids[1::2]
    # when they are read with nodes(ids:)
    body, trips = post(http, NODES, ids=ids)
    # then there is one round trip per label, not one per id
    assert "errors" not in body
    assert trips - trips_of_nothing(http) == 3
    # and the answer is in the order asked, the same as node(id:) one by one
    one_by_one = [run(http, "query($id: ID!) { node(id: $id) { id } }", id=i)["node"] for i in ids]
    assert [n and n["id"] for n in body["data"]["nodes"]] == [n and n["id"] for n in one_by_one]
    assert body["data"]["nodes"].count(None) == 2


def test_nodes_keep_row_scope(http: TestClient, settings: Settings, world: dict[str, Any]) -> None:
    # given an investigator of the first community, and persons inside and outside it
    headers = bearer(hs256(settings, "investigator", [world["community"]], subject="inv-7"))
    inside = [global_id("Person", k) for k in world["inside"]]
    outside = [global_id("Person", k) for k in world["outside"]]
    assert inside and outside
    # when both are asked for at once, then only those inside are returned
    response = http.post(
        "/graphql", json={"query": NODES, "variables": {"ids": outside + inside}}, headers=headers
    )
    nodes = response.json()["data"]["nodes"]
    assert nodes == [None] * len(outside) + [{"__typename": "Person", "id": i} for i in inside]


# 8. investigations are priced by what they can touch


def test_thirty_network_analyses_at_the_bounds_are_over_budget(
    http: TestClient, world: dict[str, Any]
) -> None:
    center = global_id("Person", world["party"])
    bounds = {"center": center, "hops": 4, "maxNodes": 1000}
    # when 30 analyses at the bounds are asked at once, then they are refused unread
    body, trips = post(http, aliased(ANALYSIS, 30), **bounds)
    assert codes(body) == ["COST_LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["cost"] == 30 * 16_001
    assert trips == trips_of_nothing(http)
    # and so are 30 dispute networks at the bounds
    body, _ = post(http, aliased(NETWORK, 30), **bounds)
    assert codes(body) == ["COST_LIMIT_EXCEEDED"]
    # while a single analysis at the bounds runs
    analysis = run(http, aliased(ANALYSIS, 1), **bounds)["a0"]
    assert world["party"] in {p["personId"] for p in analysis["persons"]}
    # and out-of-range bounds are still the resolvers' BAD_USER_INPUT, not a cost refusal
    [error] = errors_of(http, aliased(ANALYSIS, 1), **{**bounds, "maxNodes": 5000})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# 20. directive overloading


def test_directive_overloading_gets_one_error(http: TestClient) -> None:
    # graphql-cop's probe: ten unknown directives on one field
    body, trips = post(http, COP_DIRECTIVES)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_DIRECTIVES"
    assert "@aa is repeated 10 times" in error["message"]
    assert trips == trips_of_nothing(http)
    # several distinct unknown directives are one error too
    [error] = errors_of(http, "{ __typename @a @b @c @d }")
    assert error["extensions"]["code"] == "TOO_MANY_DIRECTIVES"
    # and so are more than 50 directives, even known ones
    many = "{ " + "__typename @include(if: true) " * 51 + "}"
    [error] = errors_of(http, many)
    assert error["extensions"] == {
        "code": "TOO_MANY_DIRECTIVES",
        "directives": 51,
        "maxDirectives": 50,
    }
    # while ordinary directives work
    fine = "query($no: Boolean!) { a: __typename @include(if: true) @skip(if: $no) }"
    assert run(http, fine, no=False) == {"a": "Query"}


# 19. argument values are bounded before anything else, and never echoed


def test_a_megabyte_argument_is_refused_unread_and_unechoed(http: TestClient) -> None:
    # a megabyte body is refused before it is read (HTTP 413, GRIDGRAPH_MAX_BODY_BYTES)
    megabyte = {"query": CASE, "variables": {"code": "RC" + "9" * 1_000_000}}
    response = http.post("/graphql", json=megabyte)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert len(response.content) < 1000
    huge = "RC" + "9" * 200_000  # under the body limit, far over any argument's
    # as a variable
    response = http.post("/graphql", json={"query": CASE, "variables": {"code": huge}})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["variable"] == "code"
    assert len(response.content) < 1000
    # as a literal
    literal = CASE.replace("query($code: String!)", "query").replace("$code", f'"{huge}"')
    response = http.post("/graphql", json={"query": literal})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "code"
    assert len(response.content) < 1000
    # just over the default of 1,000 characters: the argument is named, its value not quoted
    body, trips = post(http, CASE, code="RC" + "9" * 999)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "code", "maxLength": 1000}
    assert "999" not in error["message"]
    assert trips == trips_of_nothing(http)


def test_a_lone_surrogate_is_bad_user_input(http: TestClient) -> None:
    # JSON's \ud800 escape decodes to a lone surrogate, which no database can store
    body = json.dumps({"query": CASE, "variables": {"code": "RC\ud800"}})
    response = http.post(
        "/graphql", content=body.encode(), headers={"content-type": "application/json"}
    )
    # then it is BAD_USER_INPUT (from the HTTP layer, or the argument bounds behind it:
    # tests/schema/test_limits.py), not a driver error, and the value is not quoted
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "RC" not in error["message"]


async def test_nul_characters_and_overlong_inputs_are_refused_before_any_write(
    http: TestClient, tiny: GraphClient, world: dict[str, Any]
) -> None:
    [grid] = await tiny.read("MATCH (g:Grid) RETURN g.code AS code ORDER BY code LIMIT 1")
    report = {
        "grid": grid["code"],
        "kind": "dispute",
        "category": "neighbour",
        "severity": "medium",
        "channel": "grid_patrol",
        "title": "邻居装修噪音扰民",
        "parties": [{"role": "APPLICANT", "personId": world["persons"][0]}],
        "reporter": world["persons"][0],
    }
    before = await tiny.read("MATCH (c:Case) RETURN count(c) AS n")
    # a NUL in free text, at any depth, is refused naming where it is
    [error] = errors_of(http, REPORT, input={**report, "description": "楼上\x00漏水"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "input.description"}
    new_party = {"role": "RESPONDENT", "newPerson": {"name": "张\x00三", "idCard": "x"}}
    parties = [*report["parties"], new_party]
    [error] = errors_of(http, REPORT, input={**report, "parties": parties})
    assert error["extensions"]["argument"] == "input.parties[1].newPerson.name"
    # text over 1,000 characters is refused, except where more is documented
    [error] = errors_of(http, REPORT, input={**report, "note": "记" * 1001})
    assert error["extensions"]["argument"] == "input.note"
    [error] = errors_of(http, REPORT, input={**report, "description": "述" * 4001})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    # and nothing was written
    assert await tiny.read("MATCH (c:Case) RETURN count(c) AS n") == before
    # while a description of 4,000 characters is stored
    code = run(http, REPORT, input={**report, "description": "述" * 4000})["reportCase"]
    assert code["caseCode"]
