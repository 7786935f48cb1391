"""GraphQL over HTTP (server/response_media.py): application/graphql-response+json with the
spec's status codes when the client prefers it, application/json exactly as before, and the
graphql-http audit suite (npm `graphql-http`, auditServer) against a live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.response_media import GRAPHQL_RESPONSE, JSON, negotiate
from server.settings import Settings
from tests.live_server import serving

AUDIT_DIR = Path(__file__).resolve().parents[1] / "http_audit"
NEW = {"accept": GRAPHQL_RESPONSE}
LEGACY = {"accept": JSON}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json;q=0.5", JSON),
        ("application/graphql-response+json;q=0, application/json", JSON),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        ("text/html", JSON),
        ("application/graphql-response+json;q=nonsense, */*", JSON),
    ],
)
def test_negotiation(accept: str | None, expected: str) -> None:
    assert negotiate(accept) == expected


def post(http: TestClient, body: object, headers: dict[str, str]) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    answer = http.post(
        "/graphql",
        content=json.dumps(body),
        headers={"content-type": "application/json", **headers},
    )
    return answer.status_code, answer.headers["content-type"], answer.json()


def test_new_media_type_uses_the_watershed(http: TestClient) -> None:
    status, media, body = post(http, {"query": "{ __typename }"}, NEW)
    assert (status, media.split(";")[0], body) == (
        200,
        GRAPHQL_RESPONSE,
        {"data": {"__typename": "Query"}},
    )
    for broken in ("{", "{ noSuchField }", "query Q($id: ID!) { __typename }"):
        status, media, body = post(http, {"query": broken}, NEW)
        assert status == 400, (broken, body)
        assert media.startswith(GRAPHQL_RESPONSE)
        assert "data" not in body and body["errors"][0]["extensions"]["code"]
    # Execution started (a field failed): 200 and data, as under application/json.
    status, _, body = post(http, {"query": '{ district(code: "x") { code } }'}, NEW)
    assert status == 200 and "data" in body, body


def test_legacy_media_type_is_unchanged(http: TestClient) -> None:
    for broken in ("{", "{ noSuchField }", "query Q($id: ID!) { __typename }"):
        for headers in (LEGACY, {}, {"accept": "*/*"}):
            status, media, body = post(http, {"query": broken}, headers)
            assert status == 200 and media.startswith(JSON), (broken, headers, body)
            assert body["data"] is None and body["errors"]


def test_refusals_keep_their_status_under_the_new_media_type(http: TestClient) -> None:
    answer = http.post(
        "/graphql", content="{not json", headers={"content-type": "application/json", **NEW}
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert answer.json()["errors"][0]["extensions"]["code"]


def npm_ci() -> None:
    """`npm ci` in tests/http_audit when its node_modules is missing (a fresh clone)."""
    if (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        install_node()
        npm = shutil.which("npm")
    assert npm is not None, "npm not found: the GraphQL-over-HTTP audit needs Node 18+ and npm"
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=AUDIT_DIR, check=True
    )


def install_node() -> None:
    """Node and npm from Debian's packages, when running as root (CI) on Debian."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return
    subprocess.run(["apt-get", "-q", "update"], check=True)
    subprocess.run(["apt-get", "-q", "install", "-y", "nodejs", "npm"], check=True)


def test_graphql_http_audit_passes_without_warnings(settings: Settings) -> None:
    npm_ci()
    node = shutil.which("node")
    assert node is not None
    with serving(create_app(settings)) as base:
        run = subprocess.run(
            [node, "audit.mjs", f"{base}/graphql"],
            cwd=AUDIT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert len(results) > 50  # the suite ran (graphql-http 1.23.1 has 61 audits)
    failed = [r for r in results if r["status"] in ("error", "warn")]
    assert failed == [], "\n".join(f"{r['status']} {r['name']}: {r['reason']}" for r in failed)
