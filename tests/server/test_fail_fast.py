"""503 SERVICE_UNAVAILABLE with Retry-After while Neo4j is down, recovery, and the request
deadline's 504 TIMEOUT: the session's real Neo4j behind a TCP proxy that cuts or slows it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import httpx
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.neo4j_health import Neo4jHealth
from server.settings import Settings
from tests.server.tcp_proxy import TcpProxy

# A read that needs Neo4j (an unknown district: NOT_FOUND).
READ = '{ district(code: "000000") { code } }'


def _until(condition: Callable[[], bool], within_s: float = 30.0) -> None:
    """Wait until `condition` holds (fails the test past `within_s`)."""
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


@pytest.fixture
def proxy(settings: Settings) -> Iterator[TcpProxy]:
    """A proxy in front of the session's Neo4j (cut at the end)."""
    target = urlparse(settings.effective_neo4j_uri)
    assert target.hostname is not None and target.port is not None
    proxy = TcpProxy((target.hostname, target.port)).restore()
    yield proxy
    proxy.cut()


def _post(client: TestClient, query: str) -> httpx.Response:
    response: httpx.Response = client.post("/graphql", json={"query": query})
    return response


def _code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


def test_while_neo4j_is_down_graphql_answers_503_with_retry_after_and_recovers(
    settings: Settings, proxy: TcpProxy
) -> None:
    # given an app whose Neo4j answers
    with TestClient(create_app(settings.model_copy(update={"neo4j_uri": proxy.uri}))) as client:
        health: Neo4jHealth = client.app.state.neo4j_health  # type: ignore[attr-defined]
        assert _post(client, READ).status_code == 200
        # when Neo4j stops answering
        proxy.cut()
        _until(lambda: not health.available)
        # then requests are refused at once with 503, a stable code and Retry-After
        response = _post(client, READ)
        assert response.status_code == 503
        assert _code(response) == "SERVICE_UNAVAILABLE"
        assert int(response.headers["retry-after"]) > 0
        # and /readyz says the same
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()["reason"]) == (503, "Neo4j unavailable")
        assert "retry-after" in ready.headers
        # when Neo4j answers again, the service recovers by itself
        proxy.restore()
        _until(lambda: health.available)
        _until(lambda: _post(client, READ).status_code == 200)
        assert _code(_post(client, READ)) == "NOT_FOUND"  # Neo4j's answer


def test_a_request_in_flight_when_neo4j_goes_down_is_answered_503(
    settings: Settings, proxy: TcpProxy
) -> None:
    # given an app whose Neo4j answers, then stops answering while a request waits for it
    with TestClient(create_app(settings.model_copy(update={"neo4j_uri": proxy.uri}))) as client:
        health: Neo4jHealth = client.app.state.neo4j_health  # type: ignore[attr-defined]
        assert _post(client, READ).status_code == 200
        proxy.stall()
        answers: list[httpx.Response] = []
        request = threading.Thread(target=lambda: answers.append(_post(client, READ)))
        request.start()
        time.sleep(0.2)
        # when Neo4j goes down while the request runs
        proxy.cut()
        request.join(30)
        # then it is answered 503 SERVICE_UNAVAILABLE, not after the driver's retries
        assert not health.available
        [response] = answers
        assert (response.status_code, _code(response)) == (503, "SERVICE_UNAVAILABLE")
        assert "retry-after" in response.headers


def test_a_request_past_its_deadline_is_answered_504_timeout(
    settings: Settings, proxy: TcpProxy
) -> None:
    # given a request deadline of 1 s and a Neo4j that stops answering (not gone: it is
    # known down only after several probes without an answer)
    changes = {"neo4j_uri": proxy.uri, "request_deadline_s": 1.0}
    with TestClient(create_app(settings.model_copy(update=changes))) as client:
        assert _post(client, READ).status_code == 200
        proxy.stall()
        # when a request needs Neo4j
        response = _post(client, READ)
        # then it is stopped at its deadline with the coded TIMEOUT answer
        assert response.status_code == 504
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "TIMEOUT", "deadlineSeconds": 1.0}
        assert "deadline" in error["message"]
