"""Schema tests read the tiny seed, loaded once per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.maintenance import delete_everything
from graph.personal_data import PersonalDataKey
from resolvers.principal import Principal
from schema import build_schema
from seeds.loader import seed_graph
from seeds.plan import Scale
from tests.conftest import TEST_KEY_BYTES
from tests.principals import context_for

SEED_KEY = PersonalDataKey(TEST_KEY_BYTES)  # the test app's key (tests/conftest.py)
SCHEMA = build_schema()


@pytest.fixture(scope="module")
async def tiny(graph: GraphClient) -> AsyncIterator[GraphClient]:
    """The session database holding exactly the tiny seed."""
    await delete_everything(graph)
    await seed_graph(graph, SEED_KEY, Scale.TINY, progress=False)
    yield graph


def run(http: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a query; return its data, failing the test on any error."""
    response = http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


def errors_of(http: TestClient, query: str, **variables: Any) -> list[dict[str, Any]]:
    """POST a query expected to fail; return its errors."""
    body = http.post("/graphql", json={"query": query, "variables": variables}).json()
    assert body.get("errors"), body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


async def execute_as(graph: GraphClient, who: Principal, query: str, **variables: Any) -> Any:
    """Run a document as `who` through the app's schema (no HTTP), with its own context: the
    way the race tests start two mutations at once."""
    context = context_for(graph, who)
    return await SCHEMA.execute(query, variable_values=variables, context_value=context)
