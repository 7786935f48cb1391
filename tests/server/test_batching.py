"""Batched requests (a JSON list of operations): answered in order, up to the limit."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from schema import build_schema
from schema.limits import Limits
from server.app import create_app
from server.batching import BatchLimitedGraphQL
from server.settings import Settings


def batch(size: int) -> list[dict[str, Any]]:
    """`size` operations, each naming its position."""
    return [{"query": f"query Op{i} {{ op{i}: __typename }}"} for i in range(size)]


def test_a_batch_of_two_is_answered_in_order(http: TestClient) -> None:
    response = http.post("/graphql", json=batch(2))
    assert response.status_code == 200
    assert response.json() == [{"data": {"op0": "Query"}}, {"data": {"op1": "Query"}}]


def test_a_batch_of_eleven_is_refused(http: TestClient) -> None:
    response = http.post("/graphql", json=batch(11))
    assert response.status_code == 400
    assert "op0" not in response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_OPERATIONS"


def test_the_batch_limit_comes_from_the_settings(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_batch_operations": 2}))) as app:
        assert app.post("/graphql", json=batch(2)).status_code == 200
        assert app.post("/graphql", json=batch(3)).status_code == 400


def test_an_oversized_batch_is_refused_with_too_many_operations() -> None:
    # given Strawberry's view with the batch refusal of server/batching.py
    view = BatchLimitedGraphQL[None, None](build_schema(Limits(max_batch_operations=10)))
    with TestClient(Starlette(routes=[Route("/graphql", view, methods=["POST"])])) as client:
        # when 10 and then 11 operations arrive in one request
        ten = client.post("/graphql", json=batch(10))
        eleven = client.post("/graphql", json=batch(11))
    # then 10 are answered, 11 are refused as a whole with a coded GraphQL error
    assert [item["data"] for item in ten.json()] == [{f"op{i}": "Query"} for i in range(10)]
    assert eleven.status_code == 400
    [error] = eleven.json()["errors"]
    assert error["message"] == "The batch holds 11 operations; at most 10 are allowed."
    assert error["extensions"] == {
        "code": "TOO_MANY_OPERATIONS",
        "operations": 11,
        "maxOperations": 10,
    }
