"""Run GraphQL documents as a given principal, without HTTP (row-scope and role tests).

HTTP tests with real tokens live in tests/server/test_auth.py; these helpers run the same
schema with the same per-request context the HTTP app builds, so what a principal sees is
decided by exactly the same Cypher.
"""

from __future__ import annotations

from typing import Any, LiteralString, cast

from starlette.requests import Request

from graph.client import GraphClient
from graph.personal_data import PersonalDataKey
from resolvers.context import RequestContext
from resolvers.loaders import Loaders
from resolvers.principal import Credential, Principal, Role
from schema import build_schema
from tests.conftest import TEST_KEY_BYTES

SCHEMA = build_schema()
KEY = PersonalDataKey(TEST_KEY_BYTES)


def principal(
    role: Role,
    scope: set[str] | None = None,
    person_id: str | None = None,
    agreement: str | None = None,
    purpose: str | None = None,
) -> Principal:
    """A JWT-authenticated principal (the subject names role and scope, for messages)."""
    return Principal(
        subject=f"test-{role.value}-{'-'.join(sorted(scope or ())) or 'all'}",
        role=role,
        scope=None if scope is None else frozenset(scope),
        person_id=person_id,
        agreement=agreement,
        purpose=purpose,
        credential=Credential.JWT,
    )


def context_for(graph: GraphClient, who: Principal) -> RequestContext:
    """The per-request context the HTTP app would build for this principal."""
    return RequestContext(
        request=cast(Request, None),  # no resolver reads the raw request
        response=None,
        graph=graph,
        principal=who,
        loaders=Loaders(graph, scope=who.scope_codes),
        personal_data_key=KEY,
    )


async def execute_as(
    graph: GraphClient, who: Principal, query: str, **variables: Any
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Run `query` as `who`: (data, errors as JSON dicts with extensions)."""
    result = await SCHEMA.execute(
        query, variable_values=variables, context_value=context_for(graph, who)
    )
    errors: list[dict[str, Any]] = [dict(error.formatted) for error in result.errors or []]
    return result.data, errors


async def data_as(graph: GraphClient, who: Principal, query: str, **variables: Any) -> Any:
    """Run `query` as `who` and return its data, failing on any error."""
    data, errors = await execute_as(graph, who, query, **variables)
    assert not errors, errors
    return data


class RecordingGraph(GraphClient):
    """The test database, remembering the Cypher of every read."""

    def __init__(self, graph: GraphClient) -> None:
        super().__init__(graph.driver, graph.database)
        self.reads: list[tuple[str, dict[str, Any]]] = []

    async def read(
        self, query: LiteralString, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.reads.append((query, dict(params or {})))
        return await super().read(query, params)
