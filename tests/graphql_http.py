"""GraphQL over HTTP with given headers (a token, a purpose): the calls the role and scope
tests share."""

from __future__ import annotations

from typing import Any

from httpx import Response
from starlette.testclient import TestClient


def response(http: TestClient, headers: dict[str, str], query: str, **variables: Any) -> Response:
    """POST the query with these headers; the HTTP response."""
    answer: Response = http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return answer


def body(http: TestClient, headers: dict[str, str], query: str, **variables: Any) -> Any:
    """POST the query with these headers; the JSON body."""
    return response(http, headers, query, **variables).json()


def data(http: TestClient, headers: dict[str, str], query: str, **variables: Any) -> Any:
    """The data of a query expected to succeed (failing the test on any error)."""
    found = body(http, headers, query, **variables)
    assert "errors" not in found, found["errors"]
    return found["data"]


def single_error(http: TestClient, headers: dict[str, str], query: str, **variables: Any) -> Any:
    """The one error of a query expected to fail with exactly one."""
    found = body(http, headers, query, **variables)
    assert found.get("errors") and len(found["errors"]) == 1, found
    return found["errors"][0]


def error_code(http: TestClient, headers: dict[str, str], query: str, **variables: Any) -> str:
    """The code of a query's first error, or "OK" when it answered without errors."""
    found = body(http, headers, query, **variables)
    if not found.get("errors"):
        return "OK"
    code: str = found["errors"][0]["extensions"]["code"]
    return code
