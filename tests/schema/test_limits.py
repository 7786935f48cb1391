"""Abuse limits: each refusal carries its own stable code (schema/limits.py, schema/cost.py,
schema/prices.py, schema/input_bounds.py).

Refusals happen before any resolver runs, so most tests execute on the schema itself; the
HTTP tests show the limits of the app's default settings and that nothing reached Neo4j.
"""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import get_introspection_query, parse
from starlette.testclient import TestClient

from schema import build_schema
from schema.input_bounds import LONGER_TEXT, MAX_LIST_ITEMS, MAX_TEXT_LENGTH
from schema.limits import DEFAULT_LIMITS, UNBOUNDED_LIST_ESTIMATE, Limits, estimate_cost
from server.app import create_app
from server.round_trips import HEADER
from server.settings import Settings

SMALL = Limits(max_depth=4, max_aliases=2, max_tokens=40, max_cost=100)


def nested(levels: int) -> str:
    """A grid, then its community, then that community's grids ... `levels` fields deep."""
    middle = ["community", "grids"] * levels
    fields = ["grid(code: $grid)", *middle[: levels - 2]]
    return "query Deep($grid: String!) { " + " { ".join([*fields, "code"]) + " }" * levels


PAGES = """
query Pages($first: Int, $inner: Int = 100) {
  persons(first: $first) { edges { node { cases(first: $inner) { edges { node {
    parties { person { name } }
  } } } } } }
}
"""
FRAGMENTS = """
query Fragments {
  persons(first: 5) { ...Page }
}
fragment Page on PersonConnection {
  edges { node { ... on Person { family { person { name } } } } }
}
"""


@pytest.fixture(scope="module")
def small() -> strawberry.Schema:
    return build_schema(SMALL)


@pytest.fixture(scope="module")
def default() -> strawberry.Schema:
    return build_schema()


async def codes(schema: strawberry.Schema, query: str, **variables: Any) -> list[str]:
    result = await schema.execute(query, variable_values=variables)
    assert result.errors, result.data
    return [(error.extensions or {}).get("code", "") for error in result.errors]


def cost(schema: strawberry.Schema, query: str, **variables: Any) -> int | None:
    return estimate_cost(schema._schema, parse(query), variables)


# Depth


def test_the_nested_query_helper_counts_field_levels() -> None:
    assert nested(3) == "query Deep($grid: String!) { grid(code: $grid) { community { code } } }"


async def test_a_query_deeper_than_the_limit_is_query_too_deep(small: strawberry.Schema) -> None:
    result = await small.execute(nested(5), variable_values={"grid": "x"})
    assert result.errors is not None
    [error] = result.errors
    assert error.extensions == {"code": "QUERY_TOO_DEEP", "depth": 5, "maxDepth": 4}
    assert error.message == "Operation 'Deep' is 5 levels deep; at most 4 are allowed."


async def test_fragments_count_where_they_are_spread(small: strawberry.Schema) -> None:
    query = """
    query { grid(code: "x") { ...Up } }
    fragment Up on Grid { community { ... on Community { grids { community { code } } } } }
    """
    assert await codes(small, query) == ["QUERY_TOO_DEEP"]  # the grid + 4 levels


async def test_introspection_does_not_count_towards_depth(default: strawberry.Schema) -> None:
    # GraphiQL's introspection query (deeply nested `ofType`) works with the default limits
    result = await default.execute(get_introspection_query())
    assert result.errors is None


def test_the_default_depth_fits_the_deepest_real_query() -> None:
    # tests/schema/test_governance_round_trips.py's NESTED query is 10 levels deep
    assert DEFAULT_LIMITS.max_depth == 12


def round_trips_of_nothing(http: TestClient) -> str:
    """The round trips of a request that reads nothing (whatever authentication costs)."""
    trips: str = http.post("/graphql", json={"query": "{ __typename }"}).headers[HEADER]
    return trips


async def test_the_app_refuses_13_levels_by_default(http: TestClient) -> None:
    response = http.post("/graphql", json={"query": nested(13), "variables": {"grid": "x"}})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert response.headers[HEADER] == round_trips_of_nothing(http)  # no Cypher of its own


# Aliases


async def test_too_many_aliases_is_too_many_aliases(small: strawberry.Schema) -> None:
    query = "{ a: districts { code } b: districts { code } c: districts { code } }"
    result = await small.execute(query)
    assert result.errors is not None
    [error] = result.errors
    assert error.extensions == {"code": "TOO_MANY_ALIASES", "aliases": 3, "maxAliases": 2}


async def test_aliases_in_fragments_count_each_time_they_are_spread(
    small: strawberry.Schema,
) -> None:
    query = "{ districts { ...A } d: districts { ...A } } fragment A on District { c: code }"
    assert await codes(small, query) == ["TOO_MANY_ALIASES"]  # d, and c twice


async def test_aliases_within_the_limit_are_fine(small: strawberry.Schema) -> None:
    result = await small.execute("{ a: __typename b: __typename }")
    assert (result.errors, result.data) == (None, {"a": "Query", "b": "Query"})


# Tokens


async def test_too_many_tokens_is_too_many_tokens_not_a_parse_error(
    small: strawberry.Schema,
) -> None:
    query = "{ districts { " + "code " * 50 + "} }"
    result = await small.execute(query)
    assert result.errors is not None
    [error] = result.errors
    assert error.extensions == {"code": "TOO_MANY_TOKENS"}
    assert "more than 40 tokens" in error.message


async def test_comments_count_as_tokens(small: strawberry.Schema) -> None:
    assert await codes(small, "#\n" * 100 + "{ districts { code } }") == ["TOO_MANY_TOKENS"]


async def test_a_short_syntax_error_is_still_a_parse_error(small: strawberry.Schema) -> None:
    assert await codes(small, "{ districts { code ") == ["GRAPHQL_PARSE_FAILED"]


# Estimated cost


def test_scalars_cost_nothing_and_objects_one_each(default: strawberry.Schema) -> None:
    assert cost(default, '{ grid(code: "x") { code name } }') == 1
    assert cost(default, '{ grid(code: "x") { code community { code street { code } } } }') == 3


def test_an_unbounded_list_is_estimated_at_ten(default: strawberry.Schema) -> None:
    assert UNBOUNDED_LIST_ESTIMATE == 10
    assert cost(default, "{ districts { code } }") == 10
    assert cost(default, '{ grid(code: "x") { professionalMembers { grid { code } } } }') == (
        1 + 10 * (1 + 1)
    )


def test_a_page_multiplies_what_its_items_select(default: strawberry.Schema) -> None:
    # the connection 1, then 50 edges of 1 + their node 1 (+ the node's grid 1)
    assert cost(default, "{ persons(first: 50) { edges { node { name } } } }") == 1 + 50 * 2
    assert cost(default, "{ persons(first: 50) { edges { node { grid { code } } } } }") == (
        1 + 50 * 3
    )
    # totalCount and pageInfo are not multiplied: they are one per page
    assert cost(default, "{ persons(first: 50) { totalCount pageInfo { hasNextPage } } }") == 2


def test_the_page_size_comes_from_variables_defaults_or_twenty(
    default: strawberry.Schema,
) -> None:
    one_page = "query($first: Int) { persons(first: $first) { edges { node { name } } } }"
    assert cost(default, one_page, first=7) == 1 + 7 * 2
    assert cost(default, one_page) == 1 + 20 * 2  # absent: the resolvers' default page
    assert cost(default, one_page, first=None) == 1 + 20 * 2
    with_default = one_page.replace("$first: Int", "$first: Int = 3")
    assert cost(default, with_default) == 1 + 3 * 2
    assert cost(default, with_default, first=4) == 1 + 4 * 2
    # a plain list with `first` is that page (search: first = 20 declared)
    assert cost(default, '{ search(text: "x", first: 5) { __typename } }') == 5 * 1
    assert cost(default, '{ search(text: "x") { __typename } }') == 20 * 1


def test_nested_pages_multiply(default: strawberry.Schema) -> None:
    # 100 persons x 100 cases x 10 parties (estimated) x their person
    inner = 1 + 100 * (1 + 1 + 10 * (1 + 1))
    assert cost(default, PAGES, first=100) == 1 + 100 * (1 + 1 + inner)


def test_fragments_and_inline_fragments_cost_where_they_are_spread(
    default: strawberry.Schema,
) -> None:
    assert cost(default, FRAGMENTS) == 1 + 5 * (1 + 1 + 10 * (1 + 1))


def test_the_estimate_reads_coerced_values(default: strawberry.Schema) -> None:
    # a float variable is the Int graphql-core makes of it; a literal and a default too
    assert cost(default, PAGES, first=100.0) == cost(default, PAGES, first=100) == 220_301
    inner = "query($f: Int = 7) { persons(first: $f) { edges { node { name } } } }"
    assert cost(default, inner) == cost(default, inner, f=7.0) == 1 + 7 * 2
    # invalid variables are left to execution, which refuses them before any resolver
    assert cost(default, inner, f="seven") is None


ANALYSIS = """
query($c: ID!, $hops: Int! = 2, $max: Int! = 300) {
  networkAnalysis(center: $c, hops: $hops, maxNodes: $max) {
    persons { personId } clusters { id } truncated
  }
}
"""
NETWORK = """
query($c: ID!, $hops: Int! = 2, $max: Int! = 200) {
  disputeNetwork(center: $c, hops: $hops, maxNodes: $max) { nodes { id } edges { id } }
}
"""


def test_investigations_are_priced_by_hops_and_max_nodes(default: strawberry.Schema) -> None:
    # networkAnalysis: the walk (hops x maxNodes), 10 per node for the analysis, and its
    # persons and clusters lists of maxNodes items
    assert cost(default, ANALYSIS, c="x", hops=4, max=1000) == 1 + 4_000 + 10_000 + 2 * 1000
    assert cost(default, ANALYSIS, c="x") == 1 + 600 + 3_000 + 2 * 300
    # disputeNetwork: the walk, and its nodes and edges lists of maxNodes items
    assert cost(default, NETWORK, c="x", hops=4, max=1000) == 1 + 4_000 + 2 * 1000
    # out of range, the resolvers refuse: the price stays at the bounds
    assert cost(default, ANALYSIS, c="x", hops=9, max=5000) == cost(
        default, ANALYSIS, c="x", hops=4, max=1000
    )
    # connections: 100 per hop, 50 paths of maxHops + 1 nodes
    paths = 'query { connections(from: "a", to: "b", maxHops: 6) { allShortest { nodes { id } } } }'
    assert cost(default, paths) == 1 + 600 + 50 * (1 + 7)
    # relatedCasesOf: 10 cases plus one per 30 days of the window
    related = '{ relatedCasesOf(case: "x", windowDays: 300) { case { code } } }'
    assert cost(default, related) == (10 + 10) * (1 + 1)
    # nodes(ids:): one per id
    assert cost(default, "query($i: [ID!]!) { nodes(ids: $i) { id } }", i=["a"] * 42) == 42


async def test_argument_values_are_bounded_before_execution(default: strawberry.Schema) -> None:
    assert MAX_TEXT_LENGTH == 1000 and MAX_LIST_ITEMS == 100
    assert LONGER_TEXT == {"ReportCaseInput.description": 4000}
    query = "query($c: String!) { case(code: $c) { code } }"

    async def refusal(document: str, **variables: Any) -> dict[str, Any]:
        result = await default.execute(document, variable_values=variables)
        assert result.errors is not None
        [error] = result.errors
        assert "RC" not in error.message  # never the value
        return dict(error.extensions or {})

    # a lone surrogate or a NUL in a variable (the HTTP layer may refuse them first)
    surrogate = await refusal(query, c="RC\ud800")
    assert surrogate == {"code": "BAD_USER_INPUT", "argument": "code"}
    assert await refusal(query, c="RC\x00") == {"code": "BAD_USER_INPUT", "argument": "code"}
    # a NUL in a literal
    nul = await refusal('{ case(code: "RC\\u0000") { code } }')
    assert nul == {"code": "BAD_USER_INPUT", "argument": "code"}
    # a list over 100 items, in a literal
    ids = ", ".join(['"RC"'] * 101)
    many = await refusal(f"{{ nodes(ids: [{ids}]) {{ id }} }}")
    assert many == {"code": "BAD_USER_INPUT", "argument": "ids", "maxItems": 100}
    # a variable nested too deeply, or with an unclean key
    deep: Any = "RC"
    for _ in range(30):
        deep = [deep]
    assert (await refusal(query, c=deep))["code"] == "BAD_USER_INPUT"
    keyed = "mutation($i: ReportCaseInput!) { reportCase(input: $i) { status } }"
    assert (await refusal(keyed, i={"RC\ud800": 1}))["variable"] == "i"


async def test_a_directive_repeated_on_one_field_is_one_error(small: strawberry.Schema) -> None:
    query = "{ __typename" + " @skip(if: false)" * 5 + " }"
    result = await small.execute(query)
    assert result.errors is not None
    [error] = result.errors
    assert error.extensions == {"code": "TOO_MANY_DIRECTIVES", "directives": 5, "maxDirectives": 50}
    assert error.message.startswith("The directive @skip is repeated 5 times on one location")
    # one unknown directive is the ordinary validation error
    assert await codes(small, "{ __typename @nope }") == ["GRAPHQL_VALIDATION_FAILED"]


async def test_a_query_over_the_budget_is_cost_limit_exceeded(default: strawberry.Schema) -> None:
    result = await default.execute(PAGES, variable_values={"first": 100})
    assert result.errors is not None
    [error] = result.errors
    estimate = cost(default, PAGES, first=100)
    assert error.extensions == {
        "code": "COST_LIMIT_EXCEEDED",
        "cost": estimate,
        "maxCost": 50_000,
    }
    assert f"estimated cost is {estimate}, over the budget of 50000" in error.message


async def test_the_app_refuses_an_expensive_query_before_any_cypher(http: TestClient) -> None:
    response = http.post("/graphql", json={"query": PAGES, "variables": {"first": 100}})
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["COST_LIMIT_EXCEEDED"]
    assert body["data"] is None
    assert response.headers[HEADER] == round_trips_of_nothing(http)


async def test_the_same_query_with_smaller_pages_runs(http: TestClient) -> None:
    response = http.post("/graphql", json={"query": PAGES, "variables": {"first": 10}})
    assert "errors" not in response.json()


# Page size (resolvers/pagination.py)


async def test_a_page_over_100_is_bad_user_input_naming_first(http: TestClient) -> None:
    query = "{ persons(first: 101) { totalCount } }"
    [error] = http.post("/graphql", json={"query": query}).json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first", "max": 100}


# Settings


def test_the_apps_limits_and_query_timeout_come_from_the_settings(settings: Settings) -> None:
    strict = settings.model_copy(
        update={"max_depth": 2, "max_aliases": 0, "max_cost": 5, "query_timeout_s": 2.5}
    )
    app = create_app(strict)
    with TestClient(app) as client:
        assert app.state.graph.query_timeout_s == 2.5

        def code(query: str) -> str:
            body = client.post("/graphql", json={"query": query}).json()
            extensions: dict[str, str] = body["errors"][0]["extensions"]
            return extensions["code"]

        assert code('{ grid(code: "x") { community { code } } }') == "QUERY_TOO_DEEP"
        assert code("{ d: __typename }") == "TOO_MANY_ALIASES"
        assert code("{ districts { code } }") == "COST_LIMIT_EXCEEDED"
