"""/healthz and /readyz, including a Neo4j that is down."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.conftest import free_port


def test_healthz_says_alive(http: TestClient) -> None:
    response = http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


def test_readyz_is_200_when_neo4j_answers_and_schema_is_migrated(http: TestClient) -> None:
    # Migrations run in the background from start-up (server/readiness.py): on a busy
    # machine the first probes may still say "not applied yet"; it must turn ready.
    deadline = time.monotonic() + 60
    response = http.get("/readyz")
    while response.status_code == 503 and time.monotonic() < deadline:
        assert response.json()["status"] == "not ready", response.json()
        time.sleep(0.5)
        response = http.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_readyz_is_503_with_a_reason_when_neo4j_is_unreachable(settings: Settings) -> None:
    # given an app whose Neo4j address has nobody listening
    nowhere = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    with TestClient(create_app(nowhere)) as client:
        # when readiness is asked
        response = client.get("/readyz")
        # then it is 503 with the cause, and the process keeps serving
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not ready"
        assert "Neo4j unavailable" in body["reason"]
        assert client.get("/healthz").status_code == 200
