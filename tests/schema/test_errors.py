"""Every error reaches the client with a stable code; unexpected ones are masked."""

from __future__ import annotations

from graphql import GraphQLError
from neo4j.exceptions import ServiceUnavailable
from starlette.testclient import TestClient

from resolvers.errors import NotFound
from schema.error_codes import INTERNAL_MESSAGE, classify

CASES = "query Cases($place: String) { cases(place: $place) { totalCount } }"


def codes_of(body: dict[str, list[dict[str, dict[str, str]]]]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


def test_malformed_graphql_is_a_parse_error(http: TestClient) -> None:
    body = http.post("/graphql", json={"query": "{ districts { code "}).json()
    assert codes_of(body) == ["GRAPHQL_PARSE_FAILED"]


def test_unknown_field_is_a_validation_error(http: TestClient) -> None:
    body = http.post("/graphql", json={"query": "{ districts { population } }"}).json()
    assert codes_of(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "population" in body["errors"][0]["message"]


def test_wrongly_typed_variable_is_bad_user_input(http: TestClient) -> None:
    response = http.post("/graphql", json={"query": CASES, "variables": {"place": [1.5]}})
    assert codes_of(response.json()) == ["BAD_USER_INPUT"]


def test_client_errors_keep_their_message_and_code() -> None:
    error = GraphQLError("wrapped", original_error=NotFound("no grid 370811001001999"))
    shown = classify(error)
    assert (shown.message, shown.extensions) == ("no grid 370811001001999", {"code": "NOT_FOUND"})


def test_unexpected_exceptions_are_masked() -> None:
    error = GraphQLError("boom at /srv/app.py line 3", original_error=RuntimeError("secret"))
    shown = classify(error)
    assert (shown.message, shown.extensions) == (
        INTERNAL_MESSAGE,
        {"code": "INTERNAL_SERVER_ERROR"},
    )


def test_an_unreachable_database_is_service_unavailable() -> None:
    error = GraphQLError("x", original_error=ServiceUnavailable("connection refused"))
    assert classify(error).extensions == {"code": "SERVICE_UNAVAILABLE"}
