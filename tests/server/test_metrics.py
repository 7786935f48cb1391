"""Prometheus metrics (server/metrics.py): scraped from /metrics, they move with requests;
never public in production; a port of their own; bounded labels; several workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from starlette.testclient import TestClient

from server import metrics
from server.app import create_app
from server.settings import Mode, Settings
from tests.conftest import free_port
from tests.tokens import RsaKeys, bearer, claims, hs256

PING = {"query": "query MetricsPing { __typename }"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when it is not there yet)."""
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client: TestClient, **headers: str) -> str:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    text: str = answer.text
    return text


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # A generous request deadline: a busy test machine must not turn a read into a TIMEOUT.
    patient = settings.model_copy(update={"request_deadline_s": 120.0})
    with TestClient(create_app(patient)) as http:
        yield http


def test_request_metrics_move(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Operation labels are capped per process (server/metrics.py); the test process has seen
    # hundreds of operation names from other tests, so start this one with none seen.
    monkeypatch.setattr(metrics, "_operation_labels", set())
    before = scrape(client)
    for _ in range(3):
        assert client.post("/graphql", json=PING).status_code == 200
    client.post("/graphql", json={"query": "query MetricsPing { nope }"})
    after = scrape(client)
    ok = {"operation": "MetricsPing", "outcome": "ok"}
    failed = {"operation": "MetricsPing", "outcome": "GRAPHQL_VALIDATION_FAILED"}
    total = "gridgraph_requests_total"
    assert value(after, total, **ok) - value(before, total, **ok) == 3
    assert value(after, total, **failed) - value(before, total, **failed) == 1
    count = "gridgraph_request_duration_seconds_count"
    assert (
        value(after, count, operation="MetricsPing") - value(before, count, operation="MetricsPing")
        == 4
    )
    trips = "gridgraph_request_cypher_round_trips_count"
    assert value(after, trips) - value(before, trips) >= 4
    assert value(after, "gridgraph_request_neo4j_seconds_count") > value(
        before, "gridgraph_request_neo4j_seconds_count"
    )
    assert value(after, "gridgraph_requests_in_flight") == 0


def test_neo4j_availability_is_probed(client: TestClient) -> None:
    # The probe's first answer comes shortly after startup: wait for it (bounded).
    for _ in range(100):
        if value(scrape(client), "gridgraph_neo4j_up") == 1:
            return
        time.sleep(0.1)
    pytest.fail("gridgraph_neo4j_up never became 1 while Neo4j answers")


def test_round_trips_and_neo4j_time_are_observed(settings: Settings, client: TestClient) -> None:
    token = hs256(settings, "investigator", ["370811"], subject=f"m-{uuid.uuid4().hex[:6]}")
    before = scrape(client)
    query = {"query": 'query MetricsRead { district(code: "370811") { code } }'}
    answer = client.post("/graphql", json=query, headers=bearer(token))
    trips = int(answer.headers["x-cypher-round-trips"])
    after = scrape(client)
    name = "gridgraph_request_cypher_round_trips_sum"
    assert value(after, name) - value(before, name) == trips >= 2
    assert value(after, "gridgraph_request_neo4j_seconds_sum") > value(
        before, "gridgraph_request_neo4j_seconds_sum"
    )
    # The audit record of this authenticated request went through the group appender.
    appended = "gridgraph_audit_appends_total"
    assert value(after, appended, result="committed") > value(before, appended, result="committed")
    latency = "gridgraph_audit_append_seconds_count"
    assert value(after, latency) > value(before, latency)


def test_rate_limit_refusals_are_counted(settings: Settings) -> None:
    config = settings.model_copy(update={"rate_limit_per_s": 0.01, "rate_limit_burst": 1})
    token = hs256(settings, "investigator", ["370811"], subject=f"rl-{uuid.uuid4().hex[:6]}")
    with TestClient(create_app(config)) as client:
        before = scrape(client)
        statuses = [
            client.post("/graphql", json=PING, headers=bearer(token)).status_code for _ in range(3)
        ]
        after = scrape(client)
    assert statuses == [200, 429, 429]
    name = "gridgraph_rate_limited_total"
    assert value(after, name, limit="principal") - value(before, name, limit="principal") == 2
    refused = {"operation": "none", "outcome": "RATE_LIMITED"}
    total = "gridgraph_requests_total"
    assert value(after, total, **refused) - value(before, total, **refused) == 2


@pytest.fixture(scope="module")
def production(settings: Settings, tmp_path_factory: Any) -> Iterator[tuple[Settings, str]]:
    keys = RsaKeys()
    pem: Path = tmp_path_factory.mktemp("metrics-keys") / "public.pem"
    pem.write_text(keys.public_pem)
    config = settings.model_copy(update={"mode": Mode.PRODUCTION, "jwt_public_key_file": pem})
    yield config, keys.sign(claims(config, "admin", subject="metrics-admin"))


def test_production_hides_metrics_without_the_token(production: tuple[Settings, str]) -> None:
    config, admin = production
    with TestClient(create_app(config)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers=bearer(admin)).status_code == 404  # not a user's


def test_production_serves_metrics_for_the_token(production: tuple[Settings, str]) -> None:
    config, _ = production
    secret = "metrics-" + uuid.uuid4().hex
    with TestClient(
        create_app(config.model_copy(update={"metrics_token": SecretStr(secret)}))
    ) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        assert "gridgraph_requests_total" in scrape(client, Authorization=f"Bearer {secret}")


def test_metrics_port_of_its_own(production: tuple[Settings, str]) -> None:
    config, _ = production
    port = free_port()
    with TestClient(create_app(config.model_copy(update={"metrics_port": port}))) as client:
        assert client.get("/metrics").status_code == 404  # not on the API port
        answer = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert answer.status_code == 200 and "gridgraph_neo4j_up" in answer.text
    with pytest.raises(httpx.TransportError):  # stopped with the app
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_operation_labels_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_operation_labels", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_LABELS", 3)
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("Person370811199001011234") == "other"  # an ID card shape
    assert metrics.operation_label("x" * 65) == "other"
    assert metrics.operation_label("not a name") == "other"
    assert [metrics.operation_label(f"Op{i}") for i in range(5)] == [
        "Op0",
        "Op1",
        "Op2",
        "other",
        "other",
    ]
    assert metrics.operation_label("Op1") == "Op1"  # known names keep their label


WORKER = """
import sys
from server import metrics
metrics.observe_request(sys.argv[1], "ok", 0.01, 2, 0.005)
"""


def test_workers_share_one_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    metrics.prepare_multiprocess(1, tmp_path)
    assert metrics.MULTIPROC_ENV not in os.environ  # one process: no shared directory
    metrics.prepare_multiprocess(3, tmp_path)
    directory = os.environ[metrics.MULTIPROC_ENV]
    assert Path(directory) == tmp_path / "prometheus" and Path(directory).is_dir()
    for _ in range(2):  # two "workers", each its own process
        subprocess.run([sys.executable, "-c", WORKER, "SharedOp"], check=True, env=dict(os.environ))
    text = metrics.exposition().decode()
    assert value(text, "gridgraph_requests_total", operation="SharedOp", outcome="ok") == 2
    assert value(text, "gridgraph_request_cypher_round_trips_sum") == 4
