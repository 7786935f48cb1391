"""Logs (server/request_log.py, server/log_format.py): one line per request with its request
id, principal, operation, duration, round trips and outcome; the id in the response and the
audit record; expected conditions in one line without a traceback; JSON lines on demand."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from neo4j import AsyncGraphDatabase
from starlette.testclient import TestClient

from graph.audit import AuditEntry, append_audit_entry, canonical, verify_audit_log
from graph.client import GraphClient
from server.app import create_app
from server.log_format import (
    JsonFormatter,
    LogFormat,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
    current_request_id,
)
from server.request_log import accepted_request_id
from server.settings import Settings
from tests.conftest import free_port
from tests.tokens import bearer, hs256

PING = {"query": "query LogPing { __typename }"}
DISTRICT = {"query": 'query LogDistrict { district(code: "370811") { code } }'}


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """The fields of every request log line captured so far."""
    return [
        record.fields  # type: ignore[attr-defined]
        for record in caplog.records
        if record.name == "gridgraph.request"
    ]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        yield http


def test_a_well_formed_request_id_is_kept_and_others_replaced() -> None:
    assert accepted_request_id("trace-1:a.b_C") == "trace-1:a.b_C"
    for bad in (None, "", "x" * 65, "has space", "semi;colon", "ünicode", "a\nb"):
        made = accepted_request_id(bad)
        assert made != bad and len(made) == 32 and int(made, 16) >= 0


def test_every_response_carries_its_request_id(client: TestClient) -> None:
    given = client.post("/graphql", json=PING, headers={"X-Request-Id": "client-id-42"})
    assert given.headers["x-request-id"] == "client-id-42"
    too_long = client.post("/graphql", json=PING, headers={"X-Request-Id": "y" * 200})
    made = client.get("/healthz")
    ids = {too_long.headers["x-request-id"], made.headers["x-request-id"]}
    assert len(ids) == 2 and all(len(i) == 32 for i in ids)


async def test_request_line_names_principal_operation_trips_and_outcome(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    subject = f"log-{uuid.uuid4().hex[:8]}"
    token = hs256(settings, "investigator", ["370811"], subject=subject)
    caplog.set_level(logging.INFO, logger="gridgraph.request")
    patient = settings.model_copy(update={"request_deadline_s": 120.0})  # a busy machine
    with TestClient(create_app(patient)) as client:
        answer = client.post(
            "/graphql", json=DISTRICT, headers={**bearer(token), "X-Request-Id": "line-1"}
        )
    # The session database holds no districts: the read runs and finds nothing.
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND", answer.json()
    [line] = [f for f in request_lines(caplog) if f["request_id"] == "line-1"]
    assert line["subject"] == subject and line["operation"] == "LogDistrict"
    assert line["outcome"] == "NOT_FOUND" and line["status"] == 200
    trips = int(answer.headers["x-cypher-round-trips"])
    assert trips >= 2  # the read and the audit append
    assert line["round_trips"] == trips
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert isinstance(line["neo4j_ms"], float) and line["neo4j_ms"] > 0


async def test_request_id_is_stored_in_the_audit_record_and_the_chain_verifies(
    settings: Settings, graph: GraphClient
) -> None:
    subject = f"rid-{uuid.uuid4().hex[:8]}"
    token = hs256(settings, "admin", subject=subject)
    # The whole chain is verified below: start it afresh (earlier tests of the session tamper
    # with the log on purpose).
    await graph.write("MATCH (n) WHERE n:AuditRecord OR n:AuditHead DETACH DELETE n")
    # A record written the old way (no request id) must keep verifying beside new ones.
    old = AuditEntry(
        at=datetime.now(UTC),
        subject=subject,
        role="admin",
        credential="jwt",
        purpose=None,
        operation_name="Old",
        document_hash=None,
        variables={},
        records=0,
        outcome="ok",
    )
    assert "requestId" not in canonical(old)
    await append_audit_entry(graph, old)
    request_id = f"audit-{uuid.uuid4().hex[:12]}"
    patient = settings.model_copy(update={"request_deadline_s": 120.0})  # a busy machine
    with TestClient(create_app(patient)) as client:
        client.post("/graphql", json=PING, headers={**bearer(token), "X-Request-Id": request_id})
        found = client.post(
            "/graphql",
            json={
                "query": "query($id: String) { auditLog(filter: {requestId: $id}) "
                "{ edges { node { requestId subject operationName } } } }",
                "variables": {"id": request_id},
            },
            headers=bearer(token),
        ).json()
    assert found["data"]["auditLog"]["edges"] == [
        {"node": {"requestId": request_id, "subject": subject, "operationName": "LogPing"}}
    ]
    rows = await graph.read(
        "MATCH (r:AuditRecord {subject: $s}) RETURN r.operationName AS op, r.requestId AS id"
        " ORDER BY r.seq",
        {"s": subject},
    )
    assert rows[0] == {"op": "Old", "id": None}
    assert rows[1] == {"op": "LogPing", "id": request_id}
    report = await verify_audit_log(graph)
    assert report.intact, report.describe()
    # The request id is part of the hashed body: changing it shows.
    swap = "MATCH (r:AuditRecord {requestId: $old}) SET r.requestId = $new"
    await graph.write(swap, {"old": request_id, "new": "someone-else"})
    try:
        altered = await verify_audit_log(graph)
    finally:
        await graph.write(swap, {"old": "someone-else", "new": request_id})
    assert [p.kind.value for p in altered.problems] == ["altered"], altered.describe()
    assert (await verify_audit_log(graph)).intact


def test_neo4j_unavailable_is_one_line_without_traceback(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    token = hs256(settings, "investigator", ["370811"], subject="log-outage")
    dead = AsyncGraphDatabase.driver(
        f"bolt://127.0.0.1:{free_port()}",
        auth=("neo4j", "x"),
        max_transaction_retry_time=0,
        connection_timeout=1.0,
    )
    caplog.set_level(logging.INFO)
    with TestClient(create_app(settings)) as client:
        live = client.app.state.graph  # type: ignore[attr-defined]
        client.app.state.graph = GraphClient(dead, settings.neo4j_database)  # type: ignore[attr-defined]
        try:
            answer = client.post(
                "/graphql", json=DISTRICT, headers={**bearer(token), "X-Request-Id": "outage-1"}
            )
        finally:
            client.app.state.graph = live  # type: ignore[attr-defined]
    codes = {error["extensions"]["code"] for error in answer.json()["errors"]}
    assert codes == {"SERVICE_UNAVAILABLE"}, answer.json()
    mine = [
        r
        for r in caplog.records
        if getattr(r, "request_id", None) == "outage-1"
        or (getattr(r, "fields", None) or {}).get("request_id") == "outage-1"
    ]
    assert not [r for r in caplog.records if r.exc_info], [
        r.getMessage() for r in caplog.records if r.exc_info
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if "unexpected error" in r.getMessage()]
    [line] = [f for f in request_lines(caplog) if f["request_id"] == "outage-1"]
    assert line["outcome"] == "SERVICE_UNAVAILABLE"
    assert mine


def test_rate_limited_request_is_one_line(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings.model_copy(update={"rate_limit_per_s": 0.01, "rate_limit_burst": 1})
    token = hs256(settings, "investigator", ["370811"], subject=f"rl-{uuid.uuid4().hex[:6]}")
    caplog.set_level(logging.INFO)
    with TestClient(create_app(config)) as client:
        client.post("/graphql", json=PING, headers=bearer(token))
        refused = client.post(
            "/graphql", json=PING, headers={**bearer(token), "X-Request-Id": "rl-2"}
        )
    assert refused.status_code == 429
    [line] = [f for f in request_lines(caplog) if f["request_id"] == "rl-2"]
    assert line["outcome"] == "RATE_LIMITED" and line["status"] == 429
    assert not [r for r in caplog.records if r.exc_info]


def test_json_lines_format() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("gridgraph.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    token = current_request_id.set("json-1")
    try:
        logger.info("request", extra={"fields": {"status": 200, "operation": "Q", "outcome": "ok"}})
        logger.warning("plain 中文")
    finally:
        current_request_id.reset(token)
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["request_id"] == "json-1" and first["status"] == 200 and first["outcome"] == "ok"
    assert first["level"] == "INFO" and first["logger"] == "gridgraph.test-json"
    assert first["time"].endswith("Z")
    assert second["message"] == "plain 中文" and "exception" not in second


def test_text_format_and_configure_logging(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging(LogFormat.JSON, "warning")
        logging.getLogger("gridgraph.test-config").warning("configured")
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert line["message"] == "configured" and line["level"] == "WARNING"
        configure_logging(LogFormat.TEXT)
        assert isinstance(root.handlers[-1].formatter, TextFormatter)
        assert len([h for h in root.handlers if h not in before]) == 1  # replaced, not added
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
    record = logging.LogRecord("gridgraph.x", logging.INFO, __file__, 1, "msg", None, None)
    record.fields = {"status": 200, "subject": None}
    assert TextFormatter().format(record).endswith("INFO gridgraph.x: msg status=200")


def test_probes_are_logged_at_debug(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="gridgraph.request")
    client.get("/healthz", headers={"X-Request-Id": "probe-health"})
    client.post("/graphql", json=PING, headers={"X-Request-Id": "probe-graphql"})
    levels = {
        record.fields["request_id"]: record.levelno  # type: ignore[attr-defined]
        for record in caplog.records
        if record.name == "gridgraph.request"
    }
    assert levels["probe-health"] == logging.DEBUG
    assert levels["probe-graphql"] == logging.INFO
