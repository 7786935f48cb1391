"""Refusals are audited cheaply: rate-limited first, repeats aggregated (issue 12, items 10, 12).

The first refusal of a (subject, code) is one record at once; later ones in the window are
one record with their `count`, written when the window ends or when the app stops. The
chain stays verifiable by `gridgraph audit verify`.
"""

from __future__ import annotations

import asyncio
import uuid

from starlette.testclient import TestClient

from graph.audit import verify_audit_log
from graph.client import GraphClient
from server.app import create_app
from server.settings import Settings
from tests.tokens import bearer, hs256

TYPENAME = {"query": "query Ping { __typename }"}


async def refusals(graph: GraphClient, subject: str) -> list[tuple[str, int | None, str | None]]:
    """(outcome, count, operationName) of the subject's records, in chain order."""
    rows = await graph.read(
        "MATCH (r:AuditRecord {subject: $s}) RETURN r.outcome AS o, r.count AS n,"
        " r.operationName AS op ORDER BY r.seq",
        {"s": subject},
    )
    return [(row["o"], row["n"], row["op"]) for row in rows]


def refused_per_code(records: list[tuple[str, int | None, str | None]]) -> dict[str, int]:
    """How many requests the records stand for, per outcome."""
    totals: dict[str, int] = {}
    for outcome, count, _ in records:
        totals[outcome] = totals.get(outcome, 0) + (count or 1)
    return totals


async def test_rate_limit_comes_first_and_repeated_refusals_are_aggregated(
    empty_graph: GraphClient, settings: Settings
) -> None:
    graph = empty_graph  # the chain is verified: start from an empty log
    # given a partner without a purpose and a bucket of 5 that hardly refills
    partner = f"flood-{uuid.uuid4().hex[:8]}"
    token = hs256(settings, "partner", agreement="hotline-12345", subject=partner)
    config = settings.model_copy(update={"rate_limit_per_s": 0.001, "rate_limit_burst": 5})
    # when it sends 20 requests
    with TestClient(create_app(config)) as client:
        answers = [client.post("/graphql", json=TYPENAME, headers=bearer(token)) for _ in range(20)]
        before_shutdown = await refusals(graph, partner)
    # then 5 are refused for the purpose and the rest by the rate limit (checked first) ...
    assert [a.status_code for a in answers] == [403] * 5 + [429] * 15
    # ... with one record per code at once, and one per code with the repeats' count at exit
    assert before_shutdown == [
        ("refused:PURPOSE_REQUIRED", None, None),
        ("refused:RATE_LIMITED", None, None),
    ]
    records = await refusals(graph, partner)
    assert records[2:] == [
        ("refused:PURPOSE_REQUIRED", 4, None),
        ("refused:RATE_LIMITED", 14, None),
    ]
    assert records[:2] == before_shutdown
    assert refused_per_code(records) == {"refused:PURPOSE_REQUIRED": 5, "refused:RATE_LIMITED": 15}
    report = await verify_audit_log(graph)
    assert report.intact, report.describe()


async def test_a_window_that_ends_writes_its_count(
    empty_graph: GraphClient, settings: Settings
) -> None:
    graph = empty_graph  # the chain is verified: start from an empty log
    partner = f"window-{uuid.uuid4().hex[:8]}"
    token = hs256(settings, "partner", agreement="hotline-12345", subject=partner)
    config = settings.model_copy(update={"refusal_audit_window_s": 0.5})
    with TestClient(create_app(config)) as client:
        for _ in range(4):
            assert client.post("/graphql", json=TYPENAME, headers=bearer(token)).status_code == 403
        await asyncio.sleep(1.6)  # the window ends while the app runs
        in_flight = await refusals(graph, partner)
    assert in_flight == [
        ("refused:PURPOSE_REQUIRED", None, None),
        ("refused:PURPOSE_REQUIRED", 3, None),
    ]
    assert await refusals(graph, partner) == in_flight  # nothing left to flush at exit
    assert (await verify_audit_log(graph)).intact


async def test_refusals_at_the_http_layer_are_audited(
    empty_graph: GraphClient, settings: Settings
) -> None:
    graph = empty_graph  # the chain is verified: start from an empty log
    # given an authenticated investigator in development mode (GET and batches allowed)
    subject = f"careless-{uuid.uuid4().hex[:8]}"
    headers = bearer(hs256(settings, "investigator", ["370811001"], subject=subject))
    json_type = {**headers, "Content-Type": "application/json"}
    with TestClient(create_app(settings)) as client:
        # when it sends requests the HTTP layer refuses
        answers = {
            "unknown operationName": client.post(
                "/graphql", json={**TYPENAME, "operationName": "Nope"}, headers=headers
            ),
            "bad batch": client.post("/graphql", json=[1], headers=headers),
            "bad JSON": client.post("/graphql", content=b'{"query":', headers=json_type),
            "mutation over GET": client.get(
                "/graphql", params={"query": "mutation M { __typename }"}, headers=headers
            ),
            "over-long purpose": client.post(
                "/graphql", json=TYPENAME, headers={**headers, "X-Purpose": "x" * 201}
            ),
            "too many operations": client.post("/graphql", json=[TYPENAME] * 11, headers=headers),
        }
    # then each is a coded 4xx ...
    codes = {name: a.json()["errors"][0]["extensions"]["code"] for name, a in answers.items()}
    assert codes == {
        "unknown operationName": "BAD_REQUEST",
        "bad batch": "BAD_REQUEST",
        "bad JSON": "BAD_REQUEST",
        "mutation over GET": "BAD_REQUEST",
        "over-long purpose": "BAD_USER_INPUT",
        "too many operations": "TOO_MANY_OPERATIONS",
    }
    assert all(400 <= a.status_code < 500 for a in answers.values())
    # ... and audited as refused:<CODE>, the first one with its operation name
    records = await refusals(graph, subject)
    assert records[0] == ("refused:BAD_REQUEST", None, "Nope")
    assert refused_per_code(records) == {
        "refused:BAD_REQUEST": 4,
        "refused:BAD_USER_INPUT": 1,
        "refused:TOO_MANY_OPERATIONS": 1,
    }
    assert (await verify_audit_log(graph)).intact
