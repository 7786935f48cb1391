"""Case workflow mutations over HTTP with real tokens: who may act where, and the audit trail.

(The state machine, idempotency and concurrency are tested in test_case_mutations.py.)
"""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.tokens import bearer, hs256

REPORT = """
mutation Report($input: ReportCaseInput!) {
  reportCase(input: $input) { caseCode case { reporter { personId } grid { code } } }
}
"""


async def worker_and_resident(graph: GraphClient) -> dict[str, str]:
    rows = await graph.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid)<-[:RESIDES_IN]-(p:Person) "
        "WITH g, w, p ORDER BY g.code, p.id "
        "RETURN g.code AS grid, w.id AS worker, collect(p.id)[0] AS resident LIMIT 2"
    )
    own, other = rows[0], rows[1]
    return {
        "grid": own["grid"],
        "worker": own["worker"],
        "resident": own["resident"],
        "other_grid": other["grid"],
        "other_resident": other["resident"],
    }


def report_input(grid: str, applicant: str) -> dict[str, Any]:
    return {
        "grid": grid,
        "kind": "dispute",
        "category": "neighbour",
        "severity": "medium",
        "channel": "grid_patrol",
        "title": "楼道堆物纠纷",
        "parties": [{"role": "APPLICANT", "personId": applicant}],
    }


async def test_a_grid_worker_files_in_their_grid_only_and_every_call_is_audited(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    world = await worker_and_resident(tiny)
    subject = "worker-" + world["worker"]
    worker = bearer(
        hs256(settings, "grid_worker", [world["grid"]], person=world["worker"], subject=subject)
    )
    investigator = bearer(hs256(settings, "investigator", ["370811"], subject="inv-mut"))

    filed = http.post(
        "/graphql",
        json={
            "query": REPORT,
            "variables": {"input": report_input(world["grid"], world["resident"])},
        },
        headers=worker,
    ).json()
    assert "errors" not in filed, filed
    case = filed["data"]["reportCase"]["case"]
    assert case["reporter"]["personId"] == world["worker"]  # the principal's own person
    assert case["grid"]["code"] == world["grid"]

    elsewhere = http.post(
        "/graphql",
        json={
            "query": REPORT,
            "variables": {"input": report_input(world["other_grid"], world["other_resident"])},
        },
        headers=worker,
    ).json()
    assert elsewhere["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "NOT_FOUND"}
    refused = http.post(
        "/graphql",
        json={
            "query": REPORT,
            "variables": {"input": report_input(world["grid"], world["resident"])},
        },
        headers=investigator,
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    cases = await tiny.read(
        "MATCH (c:Case)-[:REPORTED_BY]->(:Person {id: $w}) WHERE c.title = '楼道堆物纠纷' "
        "RETURN count(c) AS n",
        {"w": world["worker"]},
    )
    assert cases[0]["n"] == 1  # the refused calls wrote nothing
    audited = await tiny.read(
        "MATCH (r:AuditRecord) WHERE r.subject IN [$w, 'inv-mut'] "
        "RETURN r.subject AS subject, r.operationName AS op, r.outcome AS outcome ORDER BY r.seq",
        {"w": subject},
    )
    assert [(row["subject"], row["op"]) for row in audited] == [
        (subject, "Report"),
        (subject, "Report"),
        ("inv-mut", "Report"),
    ]
    assert audited[0]["outcome"] == "ok"
    assert audited[1]["outcome"].startswith("error:")
    assert audited[2]["outcome"] == "error:FORBIDDEN"
