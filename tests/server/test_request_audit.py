"""Every authenticated request leaves an audit record, refusals included (docs/audit.md)."""

from __future__ import annotations

import uuid

from starlette.testclient import TestClient

from graph.audit import verify_audit_log
from graph.client import GraphClient
from server.app import create_app
from server.settings import Settings
from tests.tokens import bearer, hs256

QUERY = {"query": "query Ping { __typename }"}


async def outcomes(graph: GraphClient, subject: str) -> list[str]:
    rows = await graph.read(
        "MATCH (r:AuditRecord {subject: $s}) RETURN r.outcome AS o ORDER BY r.seq", {"s": subject}
    )
    return [row["o"] for row in rows]


async def test_executed_rate_limited_and_purposeless_requests_are_audited(
    graph: GraphClient, settings: Settings
) -> None:
    await graph.write("MATCH (n) WHERE n:AuditRecord OR n:AuditHead DETACH DELETE n")
    investigator = f"inv-{uuid.uuid4().hex[:8]}"
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    config = settings.model_copy(update={"rate_limit_per_s": 0.01, "rate_limit_burst": 2})
    token = hs256(settings, "investigator", ["370811001"], subject=investigator)
    partner_token = hs256(settings, "partner", agreement="hotline-12345", subject=partner)
    with TestClient(create_app(config)) as client:
        answers = [client.post("/graphql", json=QUERY, headers=bearer(token)) for _ in range(3)]
        refused = client.post("/graphql", json=QUERY, headers=bearer(partner_token))
        anonymous = client.post("/graphql", json=QUERY)
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(answers[2].headers["retry-after"]) >= 1
    assert refused.status_code == 403
    assert anonymous.status_code == 200  # development mode: the anonymous developer
    assert await outcomes(graph, investigator) == ["ok", "ok", "refused:RATE_LIMITED"]
    assert await outcomes(graph, partner) == ["refused:PURPOSE_REQUIRED"]
    assert await outcomes(graph, "anonymous-developer") == []
    rows = await graph.read(
        "MATCH (r:AuditRecord {subject: $s}) RETURN r.operationName AS op, r.role AS role,"
        " r.documentHash AS doc LIMIT 1",
        {"s": investigator},
    )
    assert rows[0]["op"] == "Ping" and rows[0]["role"] == "investigator"
    assert len(rows[0]["doc"]) == 64
    report = await verify_audit_log(graph)
    assert report.intact, report.describe()
