"""Production mode: no introspection, no "Did you mean" hints, no GraphiQL, no queries over GET.

Introspection and hints are checked on the schema itself (no HTTP, no credentials) and
through a production app with an RS256 token; development keeps all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import strawberry
from starlette.testclient import TestClient

from schema import build_schema
from server.app import create_app
from server.settings import Mode, Settings
from tests.tokens import RsaKeys, bearer, claims

INTROSPECTION = "{ __schema { queryType { name } } }"
MISSPELT_FIELD = "{ districts { cod } }"
MISSPELT_ARGUMENT = "{ persons(frist: 1) { totalCount } }"
MISSPELT_ENUM = "{ cases(orderBy: REPORTED_AT) { totalCount } }"
TYPENAME = "{ __typename }"


@pytest.fixture(scope="module")
def production_schema() -> strawberry.Schema:
    return build_schema(production=True)


@pytest.fixture(scope="module")
def development_schema() -> strawberry.Schema:
    return build_schema()


async def errors_of(schema: strawberry.Schema, query: str) -> list[tuple[str, str]]:
    """(code, message) of each error of the query."""
    result = await schema.execute(query)
    assert result.errors, result.data
    return [((e.extensions or {}).get("code", ""), e.message) for e in result.errors]


@pytest.fixture(scope="module")
def production(settings: Settings, tmp_path_factory: Any) -> Iterator[tuple[TestClient, str]]:
    """A production app verifying RS256 tokens, and an admin's token for it."""
    keys = RsaKeys()
    pem: Path = tmp_path_factory.mktemp("production-keys") / "public.pem"
    pem.write_text(keys.public_pem)
    config = settings.model_copy(update={"mode": Mode.PRODUCTION, "jwt_public_key_file": pem})
    with TestClient(create_app(config)) as client:
        yield client, keys.sign(claims(config, "admin", subject="production-test"))


# The schema


async def test_production_refuses_introspection(production_schema: strawberry.Schema) -> None:
    errors = await errors_of(production_schema, INTROSPECTION)  # one per introspection field
    assert {code for code, _ in errors} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection has been disabled" in errors[0][1]


async def test_production_still_answers_typename(production_schema: strawberry.Schema) -> None:
    result = await production_schema.execute(TYPENAME)
    assert (result.errors, result.data) == (None, {"__typename": "Query"})


async def test_development_allows_introspection(development_schema: strawberry.Schema) -> None:
    result = await development_schema.execute(INTROSPECTION)
    assert (result.errors, result.data) == (None, {"__schema": {"queryType": {"name": "Query"}}})


@pytest.mark.parametrize("query", [MISSPELT_FIELD, MISSPELT_ARGUMENT, MISSPELT_ENUM])
async def test_production_gives_no_suggestions(
    production_schema: strawberry.Schema, development_schema: strawberry.Schema, query: str
) -> None:
    # given a misspelt field, argument or enum value
    # when production and development validate it
    [(code, message)] = await errors_of(production_schema, query)
    [(_, hinted)] = await errors_of(development_schema, query)
    # then development hints at the right name, production only says what is wrong
    assert "Did you mean" in hinted
    assert code == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean" not in message
    assert message == hinted.split(" Did you mean")[0]


# The app


def test_production_app_refuses_introspection_and_hints(
    production: tuple[TestClient, str],
) -> None:
    client, token = production
    for query in (INTROSPECTION, MISSPELT_FIELD):
        response = client.post("/graphql", json={"query": query}, headers=bearer(token))
        body = response.json()
        assert body["data"] is None
        for error in body["errors"]:
            assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            assert "Did you mean" not in error["message"]


def test_production_app_answers_post(production: tuple[TestClient, str]) -> None:
    client, token = production
    response = client.post("/graphql", json={"query": TYPENAME}, headers=bearer(token))
    assert (response.status_code, response.json()) == (200, {"data": {"__typename": "Query"}})


def test_production_app_serves_no_graphiql(production: tuple[TestClient, str]) -> None:
    client, token = production
    response = client.get("/graphql", headers={"Accept": "text/html", **bearer(token)})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


def test_production_app_refuses_queries_over_get(production: tuple[TestClient, str]) -> None:
    client, token = production
    response = client.get("/graphql", params={"query": TYPENAME}, headers=bearer(token))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error == {
        "message": "queries are not allowed when using GET",
        "extensions": {"code": "BAD_REQUEST"},
    }


def test_development_app_serves_graphiql_and_get(http: TestClient) -> None:
    page = http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    response = http.get("/graphql", params={"query": TYPENAME})
    assert response.json() == {"data": {"__typename": "Query"}}
