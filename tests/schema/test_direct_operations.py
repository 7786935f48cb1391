"""Cached queries answered without Strawberry's pipeline (schema/direct_operations.py).

The differential suite (test_compiled_reads.py) compares every answer of the two ways; these
tests pin what it cannot see: that the pipeline is really skipped, that an answer with
errors is finished by the pipeline without a second read, that the audit record is the
pipeline's, that every refusal still comes from the pipeline, and that an extension this
path does not know turns it off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from starlette.testclient import TestClient
from strawberry.extensions import SchemaExtension

from graph.client import GraphClient
from schema import build_schema
from schema.direct_operations import unknown_extensions, use_direct_operations
from schema.prepared_documents import DocumentCache
from server.app import create_app
from server.round_trips import HEADER
from server.settings import Settings
from tests.tokens import bearer, hs256

DISTRICTS = "query Districts { districts { code name } }"
GRID = """query Grid($code: String!, $after: String) {
  grid(code: $code) { code residents(first: 5, after: $after) { totalCount } }
}"""
PERSONS = "query Persons($first: Int) { persons(first: $first) { edges { node { personId } } } }"
BY_NAME = """query ByName($prefix: String) {
  persons(filter: {namePrefix: $prefix}, first: 3) { edges { node { personId } } }
}"""
AUDITED_SEARCH = BY_NAME.replace("ByName", "AuditedByName")
OUTSIDE_AGREEMENT = "query Outside { districts { code } }"
MAX_COST = 40


class Counting:
    """Counts the calls of the app's Strawberry `Schema.execute` (the pipeline)."""

    def __init__(self, client: TestClient) -> None:
        [route] = [r for r in client.app.routes if getattr(r, "path", "") == "/graphql"]  # type: ignore[attr-defined]
        schema = route.endpoint.graphql.schema
        self.calls = 0
        original = schema.execute

        async def execute(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return await original(*args, **kwargs)

        schema.execute = execute


@pytest.fixture(scope="module")
def client(settings: Settings, tiny: GraphClient) -> Iterator[TestClient]:
    config = settings.model_copy(update={"rate_limit_per_s": 0.0, "max_cost": MAX_COST})
    with TestClient(create_app(config)) as http:
        yield http


def ask(client: TestClient, query: str, headers: dict[str, str] | None = None, **variables: Any):  # type: ignore[no-untyped-def]
    return client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )


async def grid_code(graph: GraphClient) -> str:
    rows = await graph.read("MATCH (g:Grid) RETURN g.code AS code ORDER BY code LIMIT 1")
    return str(rows[0]["code"])


def test_a_cached_query_is_answered_without_the_pipeline(client: TestClient) -> None:
    counting = Counting(client)
    first = ask(client, DISTRICTS)
    again = ask(client, DISTRICTS)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["data"]["districts"]
    assert first.headers["content-type"] == again.headers["content-type"]
    assert counting.calls == 1  # the first, which kept the document


async def test_an_answer_with_errors_is_finished_by_the_pipeline_without_reading_again(
    client: TestClient, tiny: GraphClient
) -> None:
    code = await grid_code(tiny)
    counting = Counting(client)
    first = ask(client, GRID, code=code, after="not-a-cursor")
    again = ask(client, GRID, code=code, after="not-a-cursor")
    assert first.json() == again.json()
    assert again.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert counting.calls == 2  # the second was handed over ...
    assert first.headers[HEADER] == again.headers[HEADER] == "1"  # ... and not read again


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (PERSONS, {"first": 50}, "COST_LIMIT_EXCEEDED"),  # the budget, with the variables
        (BY_NAME, {"prefix": "张\u0000"}, "BAD_USER_INPUT"),  # an argument out of bounds
    ],
)
def test_refusals_with_variables_come_from_the_pipeline(
    client: TestClient, query: str, variables: dict[str, Any], code: str
) -> None:
    counting = Counting(client)
    answers = [ask(client, query, **variables) for _ in range(2)]
    assert answers[0].json() == answers[1].json()
    assert answers[1].json()["errors"][0]["extensions"]["code"] == code
    assert counting.calls == 2
    fitting = {"first": 2} if "first" in variables else {"prefix": "张"}
    assert "errors" not in ask(client, query, **fitting).json()  # the same document, in bounds


def test_a_partner_outside_its_agreement_is_refused_every_time(
    client: TestClient, settings: Settings
) -> None:
    token = hs256(settings, "partner", agreement="justice-mediation", subject="direct-partner")
    headers = bearer(token, purpose="direct operations test")
    answers = [ask(client, OUTSIDE_AGREEMENT, headers) for _ in range(2)]
    assert answers[0].json() == answers[1].json()
    assert answers[1].json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


AUDITED = "subject role credential purpose operationName documentHash variables records outcome"


async def audit_records(graph: GraphClient, subject: str) -> list[dict[str, Any]]:
    fields = ", ".join(f"r.{name} AS {name}" for name in AUDITED.split())
    rows = await graph.read(
        f"MATCH (r:AuditRecord {{subject: $subject}}) RETURN {fields} ORDER BY r.seq",
        {"subject": subject},
    )
    return rows


async def test_a_direct_answer_is_audited_as_the_pipeline_audits_it(
    client: TestClient, settings: Settings, tiny: GraphClient
) -> None:
    token = hs256(settings, "admin", subject="direct-auditor")
    headers = bearer(token, purpose="C-2026-0001")
    counting = Counting(client)
    answers = [ask(client, AUDITED_SEARCH, headers, prefix="张") for _ in range(2)]
    assert answers[0].json() == answers[1].json() and counting.calls == 1
    first, again = await audit_records(tiny, "direct-auditor")
    assert first == again
    assert first["records"] == len(answers[0].json()["data"]["persons"]["edges"])
    assert first["outcome"] == "ok" and first["operationName"] == "AuditedByName"


async def test_a_direct_answer_whose_audit_record_cannot_be_written_is_refused(
    client: TestClient, settings: Settings, tiny: GraphClient
) -> None:
    token = hs256(settings, "admin", subject="direct-admin")
    ask(client, DISTRICTS, bearer(token))  # the document is kept (and audited)
    await tiny.write("MATCH (n:AuditRecord|AuditHead) DETACH DELETE n")
    await tiny.write("CREATE (:AuditRecord {seq: 1})")  # the next append's seq 1 collides
    try:
        answer = ask(client, DISTRICTS, bearer(token)).json()
    finally:
        await tiny.write("MATCH (n:AuditRecord|AuditHead) DETACH DELETE n")
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert answer["errors"][0]["extensions"]["reason"] == "AUDIT_UNAVAILABLE"


class Unknown(SchemaExtension):
    """An extension direct operations know nothing about."""


def test_an_unknown_extension_turns_direct_answers_off() -> None:
    assert unknown_extensions(build_schema()) == []
    assert build_schema().direct_operations is not None  # type: ignore[attr-defined]

    @strawberry.type
    class Query:
        answer: int = 42

    schema = strawberry.Schema(query=Query, extensions=[Unknown])
    assert unknown_extensions(schema) == ["Unknown"]
    use_direct_operations(schema, DocumentCache(), MAX_COST)
    assert schema.direct_operations is None  # type: ignore[attr-defined]
