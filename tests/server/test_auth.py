"""Authentication on /graphql: bearer JWTs (HS256 in development, RS256 with a PEM key or a
JWKS file), partners' API keys, the purpose header, and 401 without credentials."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.api_keys import create_api_key, list_api_keys, revoke_api_key
from graph.client import GraphClient
from server.app import create_app
from server.settings import Mode, Settings
from tests.tokens import RsaKeys, bearer, claims, hs256

TYPENAME = {"query": "{ __typename }"}


def codes(response: Any) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


@pytest.fixture(scope="module")
def rsa_keys() -> RsaKeys:
    return RsaKeys()


@pytest.fixture(scope="module")
def production(
    settings: Settings, rsa_keys: RsaKeys, tmp_path_factory: Any
) -> Iterator[TestClient]:
    """The app in production mode, verifying RS256 tokens with a PEM public key."""
    folder: Path = tmp_path_factory.mktemp("keys")
    pem = folder / "public.pem"
    pem.write_text(rsa_keys.public_pem)
    config = settings.model_copy(update={"mode": Mode.PRODUCTION, "jwt_public_key_file": pem})
    with TestClient(create_app(config)) as client:
        yield client


def test_production_refuses_requests_without_credentials(production: TestClient) -> None:
    response = production.post("/graphql", json=TYPENAME)
    assert response.status_code == 401
    assert codes(response) == ["UNAUTHENTICATED"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_development_serves_requests_without_credentials(http: TestClient) -> None:
    response = http.post("/graphql", json=TYPENAME)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_rs256_token_is_accepted_in_production(
    production: TestClient, settings: Settings, rsa_keys: RsaKeys
) -> None:
    token = rsa_keys.sign(claims(settings, "investigator", ["370811001"]))
    response = production.post("/graphql", json=TYPENAME, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"expires_in": -10}, "expired"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "someone-else"}, "issuer"),
        ({"role": "superuser"}, "Unknown role"),
        ({"scope": ["not-a-code"]}, "malformed place codes"),
        ({"scope": []}, "non-empty list"),
    ],
)
def test_bad_tokens_are_refused_with_the_reason(
    production: TestClient,
    settings: Settings,
    rsa_keys: RsaKeys,
    change: dict[str, Any],
    reason: str,
) -> None:
    change = dict(change)
    expires_in = change.pop("expires_in", 3600)
    payload = claims(settings, "investigator", ["370811001"], expires_in=expires_in) | change
    response = production.post("/graphql", json=TYPENAME, headers=bearer(rsa_keys.sign(payload)))
    assert response.status_code == 401
    assert codes(response) == ["UNAUTHENTICATED"]
    assert reason.lower() in response.json()["errors"][0]["message"].lower()


def test_a_tampered_token_is_refused(
    production: TestClient, settings: Settings, rsa_keys: RsaKeys
) -> None:
    token = rsa_keys.sign(claims(settings, "investigator", ["370811001"]))
    head, payload, signature = token.split(".")
    forged_payload = rsa_keys.sign(claims(settings, "admin")).split(".")[1]
    response = production.post(
        "/graphql", json=TYPENAME, headers=bearer(f"{head}.{forged_payload}.{signature}")
    )
    assert response.status_code == 401
    assert payload != forged_payload


def test_a_token_altered_after_its_original_was_accepted_is_refused(
    production: TestClient, settings: Settings, rsa_keys: RsaKeys
) -> None:
    # The original's verification is remembered (server/token_cache.py); the altered token
    # must still be verified on its own.
    token = rsa_keys.sign(claims(settings, "investigator", ["370811001"]))
    assert production.post("/graphql", json=TYPENAME, headers=bearer(token)).status_code == 200
    head, _, signature = token.split(".")
    forged_payload = rsa_keys.sign(claims(settings, "admin")).split(".")[1]
    forged = f"{head}.{forged_payload}.{signature}"
    assert production.post("/graphql", json=TYPENAME, headers=bearer(forged)).status_code == 401
    assert production.post("/graphql", json=TYPENAME, headers=bearer(token)).status_code == 200


def test_hs256_is_refused_in_production(production: TestClient, settings: Settings) -> None:
    response = production.post("/graphql", json=TYPENAME, headers=bearer(hs256(settings, "admin")))
    assert response.status_code == 401
    assert "HS256" in response.json()["errors"][0]["message"]


def test_hs256_is_accepted_in_development(http: TestClient, settings: Settings) -> None:
    response = http.post("/graphql", json=TYPENAME, headers=bearer(hs256(settings, "admin")))
    assert response.status_code == 200


def test_tokens_missing_required_claims_are_refused(http: TestClient, settings: Settings) -> None:
    import jwt

    from server.auth import load_dev_jwt_secret

    payload = claims(settings, "admin")
    del payload["exp"]
    token = jwt.encode(payload, load_dev_jwt_secret(settings), "HS256")
    response = http.post("/graphql", json=TYPENAME, headers=bearer(token))
    assert response.status_code == 401
    assert "exp" in response.json()["errors"][0]["message"]


def test_jwks_keys_are_chosen_by_kid(settings: Settings, rsa_keys: RsaKeys, tmp_path: Path) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(rsa_keys.jwks())
    config = settings.model_copy(update={"mode": Mode.PRODUCTION, "jwt_jwks_file": jwks})
    payload = claims(settings, "admin")
    with TestClient(create_app(config)) as client:
        good = client.post(
            "/graphql", json=TYPENAME, headers=bearer(rsa_keys.sign(payload, kid=rsa_keys.kid))
        )
        unknown = client.post(
            "/graphql", json=TYPENAME, headers=bearer(rsa_keys.sign(payload, kid="other"))
        )
    assert good.status_code == 200, good.text
    assert unknown.status_code == 401
    assert "kid" in unknown.json()["errors"][0]["message"]


async def test_api_keys_are_stored_hashed_and_can_be_revoked(
    graph: GraphClient, settings: Settings
) -> None:
    key_id, key = await create_api_key(graph, "test hotline", "hotline-12345")
    rows = await graph.read("MATCH (k:ApiKey {id: $id}) RETURN properties(k) AS p", {"id": key_id})
    stored = rows[0]["p"]
    assert key.split("_", 2)[2] not in str(stored)  # the secret itself is never stored
    assert len(stored["secretHash"]) == 64
    # api_key_cache_s 0: every lookup reads Neo4j, so the revocation counts at once
    config = settings.model_copy(update={"mode": Mode.PRODUCTION, "api_key_cache_s": 0})
    with TestClient(create_app(config)) as client:
        headers = {"X-Api-Key": key, "X-Purpose": "case 2024-001 follow-up"}
        accepted = client.post("/graphql", json=TYPENAME, headers=headers)
        wrong = client.post("/graphql", json=TYPENAME, headers={**headers, "X-Api-Key": key + "x"})
        no_purpose = client.post("/graphql", json=TYPENAME, headers={"X-Api-Key": key})
        outside = client.post("/graphql", json={"query": "{ districts { code } }"}, headers=headers)
        assert await revoke_api_key(graph, key_id)
        revoked = client.post("/graphql", json=TYPENAME, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert wrong.status_code == 401
    assert no_purpose.status_code == 403
    assert codes(no_purpose) == ["PURPOSE_REQUIRED"]
    assert codes(outside) == ["FORBIDDEN"]
    assert "Query.districts" in outside.json()["errors"][0]["message"]
    assert revoked.status_code == 401
    listed = {record.id: record for record in await list_api_keys(graph)}
    assert listed[key_id].revoked_at is not None


def test_partner_token_needs_a_known_agreement(http: TestClient, settings: Settings) -> None:
    unknown = hs256(settings, "partner", agreement="no-such-agreement")
    known = hs256(settings, "partner", agreement="hotline-12345")
    refused = http.post("/graphql", json=TYPENAME, headers=bearer(unknown, "task 1"))
    accepted = http.post("/graphql", json=TYPENAME, headers=bearer(known, "task 1"))
    assert refused.status_code == 401
    assert accepted.status_code == 200


def test_malformed_authorization_header_is_refused(http: TestClient) -> None:
    response = http.post("/graphql", json=TYPENAME, headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert codes(response) == ["UNAUTHENTICATED"]


def test_expired_token_time_is_checked_now(http: TestClient, settings: Settings) -> None:
    token = hs256(settings, "admin", expires_in=1)
    assert http.post("/graphql", json=TYPENAME, headers=bearer(token)).status_code == 200
    time.sleep(2.1)
    assert http.post("/graphql", json=TYPENAME, headers=bearer(token)).status_code == 401
