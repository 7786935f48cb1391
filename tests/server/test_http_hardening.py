"""The HTTP path under careless or hostile clients (issue 12, items 9, 11, 17, 19, 20).

Malformed requests get a coded 4xx JSON body, never a plain-text 500; batches cost one
rate-limit token per operation and are opt-in in production; failed authentications are
limited per client address and API key lookups are cached; token lifetimes are bounded.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.api_keys import create_api_key, revoke_api_key
from graph.client import GraphClient
from resolvers.errors import ErrorCode
from server.app import create_app
from server.round_trips import HEADER as ROUND_TRIPS
from server.settings import Mode, Settings
from tests.conftest import free_port
from tests.tokens import RsaKeys, bearer, claims, hs256

TYPENAME = {"query": "{ __typename }"}
CODES = {code.value for code in ErrorCode}
VARIABLE_QUERY = "query Q($a: String) { __typename }"
JSON_TYPE = {"Content-Type": "application/json"}


def error_code(response: Any) -> str:
    """The code of the response's first error (the body must be a GraphQL error document)."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    code = response.json()["errors"][0]["extensions"]["code"]
    assert isinstance(code, str)
    return code


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


# (name, method, raw body or None, extra headers, query params)
MALFORMED: list[tuple[str, str, bytes | None, dict[str, str], dict[str, str]]] = [
    ("number body", "POST", b"123", JSON_TYPE, {}),
    ("null body", "POST", b"null", JSON_TYPE, {}),
    ("list of a number", "POST", b"[1]", JSON_TYPE, {}),
    ("string body", "POST", b'"x"', JSON_TYPE, {}),
    ("empty object", "POST", b"{}", JSON_TYPE, {}),
    ("empty list", "POST", b"[]", JSON_TYPE, {}),
    ("batch with a non-object", "POST", b'[{"query":"{ __typename }"},2]', JSON_TYPE, {}),
    ("query a number", "POST", b'{"query":5}', JSON_TYPE, {}),
    ("query empty", "POST", b'{"query":"  "}', JSON_TYPE, {}),
    ("variables a list", "POST", b'{"query":"{ __typename }","variables":[1]}', JSON_TYPE, {}),
    ("variables a string", "POST", b'{"query":"{ __typename }","variables":"x"}', JSON_TYPE, {}),
    ("extensions a number", "POST", b'{"query":"{ __typename }","extensions":1}', JSON_TYPE, {}),
    ("operationName a number", "POST", b'{"query":"{ a }","operationName":5}', JSON_TYPE, {}),
    ("unknown operationName", "POST", b'{"query":"{ a }","operationName":"Nope"}', JSON_TYPE, {}),
    (
        "operationName of 1000 chars",
        "POST",
        json.dumps({"query": "{ a }", "operationName": "x" * 1000}).encode(),
        JSON_TYPE,
        {},
    ),
    ("invalid UTF-8 body", "POST", b'{"query":"{ \xff }"}', JSON_TYPE, {}),
    (
        "invalid UTF-8 in a variable",
        "POST",
        b'{"query":"' + VARIABLE_QUERY.encode() + b'","variables":{"a":"\xc3\x28"}}',
        JSON_TYPE,
        {},
    ),
    (
        "variables nested 1000 levels",
        "POST",
        json.dumps({"query": VARIABLE_QUERY, "variables": {"a": "$"}})
        .replace('"$"', nested(1000))
        .encode(),
        JSON_TYPE,
        {},
    ),
    ("body nested 1000 levels", "POST", nested(1000).encode(), JSON_TYPE, {}),
    ("truncated JSON", "POST", b'{"query":', JSON_TYPE, {}),
    ("empty body", "POST", b"", JSON_TYPE, {}),
    ("byte order mark", "POST", b'\xef\xbb\xbf{"query":"{ __typename }"}', JSON_TYPE, {}),
    ("NaN variable", "POST", b'{"query":"{ __typename }","variables":{"a":NaN}}', JSON_TYPE, {}),
    (
        "lone surrogate in a variable",
        "POST",
        b'{"query":"' + VARIABLE_QUERY.encode() + b'","variables":{"a":"RC\\ud800"}}',
        JSON_TYPE,
        {},
    ),
    (
        "a 5000-digit integer",
        "POST",
        b'{"query":"{ __typename }","variables":{"n":' + b"9" * 5000 + b"}}",
        JSON_TYPE,
        {},
    ),
    ("text/plain", "POST", b'{"query":"{ __typename }"}', {"Content-Type": "text/plain"}, {}),
    ("no content type", "POST", b'{"query":"{ __typename }"}', {}, {}),
    (
        "form encoded",
        "POST",
        b"query=%7B__typename%7D",
        {"Content-Type": "application/x-www-form-urlencoded"},
        {},
    ),
    (
        "multipart",
        "POST",
        b"--b\r\n\r\n--b--\r\n",
        {"Content-Type": "multipart/form-data; boundary=b"},
        {},
    ),
    (
        "JSON in latin-1",
        "POST",
        b'{"query":"{ __typename }"}',
        {"Content-Type": "application/json; charset=latin-1"},
        {},
    ),
    ("PUT", "PUT", b'{"query":"{ __typename }"}', JSON_TYPE, {}),
    ("DELETE", "DELETE", None, {}, {}),
    ("query over GET in production", "GET", None, {}, {"query": "{ __typename }"}),
    ("GET variables not JSON", "GET", None, {}, {"query": "{ a }", "variables": "{"}),
    ("GET variables too deep", "GET", None, {}, {"query": "{ a }", "variables": nested(500)}),
]


@pytest.fixture(scope="module")
def rsa_keys() -> RsaKeys:
    return RsaKeys()


@pytest.fixture(scope="module")
def production_config(
    settings: Settings, rsa_keys: RsaKeys, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Production mode, RS256 tokens."""
    pem: Path = tmp_path_factory.mktemp("hardening-keys") / "public.pem"
    pem.write_text(rsa_keys.public_pem)
    return settings.model_copy(update={"mode": Mode.PRODUCTION, "jwt_public_key_file": pem})


@pytest.fixture(scope="module")
def production(production_config: Settings) -> Iterator[TestClient]:
    """A production app with batching switched on (to reach the batch checks too)."""
    config = production_config.model_copy(update={"batching": True})
    with TestClient(create_app(config)) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "body", "headers", "params"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_requests_get_a_coded_4xx(
    production: TestClient,
    production_config: Settings,
    rsa_keys: RsaKeys,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    params: dict[str, str],
) -> None:
    token = rsa_keys.sign(claims(production_config, "admin", subject="careless-client"))
    response = production.request(
        method, "/graphql", content=body, headers={**headers, **bearer(token)}, params=params
    )
    assert 400 <= response.status_code < 500, response.text
    assert error_code(response) in CODES
    assert "Traceback" not in response.text and "Error:" not in response.text


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.____.c2ln",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4Ig.!!!",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",  # payload "not json"
        "e30.e30.e30",  # {} header: no alg
        "eyJhbGciOlsiUlMyNTYiXX0.e30.c2ln",  # alg is a list
    ],
)
def test_garbage_bearer_tokens_get_a_fixed_message(production: TestClient, token: str) -> None:
    response = production.post(
        "/graphql", json=TYPENAME, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHENTICATED"
    message = response.json()["errors"][0]["message"]
    assert message in {
        "Malformed bearer token.",
        "Invalid bearer token.",
        "The bearer token's signature does not verify.",
        "Tokens signed with this algorithm are not accepted here.",
    }, message


def test_readyz_gives_a_fixed_reason_without_driver_details(settings: Settings) -> None:
    port = free_port()
    nowhere = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{port}"})
    with TestClient(create_app(nowhere)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "reason": "Neo4j unavailable"}
    assert str(port) not in response.text


# Item 20: batching in production


def test_production_refuses_batches_unless_enabled(
    production_config: Settings, rsa_keys: RsaKeys
) -> None:
    token = rsa_keys.sign(claims(production_config, "admin", subject="batcher"))
    batch = [TYPENAME, TYPENAME]
    with TestClient(create_app(production_config)) as default:
        refused = default.post("/graphql", json=batch, headers=bearer(token))
        single = default.post("/graphql", json=TYPENAME, headers=bearer(token))
    enabled = production_config.model_copy(update={"batching": True})
    with TestClient(create_app(enabled)) as opted_in:
        served = opted_in.post("/graphql", json=batch, headers=bearer(token))
    assert refused.status_code == 400
    assert error_code(refused) == "BATCHING_DISABLED"
    assert single.status_code == 200
    assert served.status_code == 200
    assert served.json() == [{"data": {"__typename": "Query"}}] * 2


# Item 9: each operation of a batch takes a rate-limit token


def test_each_operation_of_a_batch_takes_a_token(settings: Settings) -> None:
    config = settings.model_copy(update={"rate_limit_per_s": 0.001, "rate_limit_burst": 5})
    token = hs256(settings, "admin", subject="batch-rate")
    with TestClient(create_app(config)) as client:
        first = client.post("/graphql", json=[TYPENAME] * 3, headers=bearer(token))
        second = client.post("/graphql", json=[TYPENAME] * 3, headers=bearer(token))
        single = client.post("/graphql", json=TYPENAME, headers=bearer(token))
        after = client.post("/graphql", json=TYPENAME, headers=bearer(token))
    assert first.status_code == 200
    assert second.status_code == 429  # 2 tokens left: a batch of 3 is refused as a whole
    assert error_code(second) == "RATE_LIMITED"
    assert int(second.headers["retry-after"]) >= 1
    assert single.status_code == 200
    assert after.status_code == 429


# Item 11: failed authentications per address, cached API key lookups


def test_failed_authentications_are_limited_per_address(settings: Settings) -> None:
    config = settings.model_copy(update={"auth_failure_rate_per_s": 0.001, "auth_failure_burst": 3})
    bad = {"X-Api-Key": "ggk_000000000000_wrong"}
    with TestClient(create_app(config)) as client:
        failures = [client.post("/graphql", json=TYPENAME, headers=bad) for _ in range(3)]
        limited = client.post("/graphql", json=TYPENAME, headers=bad)
        good = client.post(
            "/graphql", json=TYPENAME, headers=bearer(hs256(settings, "admin", subject="nat"))
        )
    assert [f.status_code for f in failures] == [401, 401, 401]
    assert limited.status_code == 429
    assert error_code(limited) == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers[ROUND_TRIPS] == "0"  # refused before the key was looked up
    assert good.status_code == 429  # the address is refused until its bucket refills


async def test_api_key_lookups_are_cached_within_a_bound(
    graph: GraphClient, settings: Settings
) -> None:
    key_id, key = await create_api_key(graph, "cache test", "hotline-12345")
    config = settings.model_copy(update={"mode": Mode.PRODUCTION, "api_key_cache_s": 1.0})
    headers = {"X-Api-Key": key, "X-Purpose": "task 7"}
    unknown = {"X-Api-Key": f"ggk_{key_id}_not-the-secret", "X-Purpose": "task 7"}
    with TestClient(create_app(config)) as client:
        bad = [client.post("/graphql", json=TYPENAME, headers=unknown) for _ in range(3)]
        accepted = client.post("/graphql", json=TYPENAME, headers=headers)
        assert await revoke_api_key(graph, key_id)
        await asyncio.sleep(1.2)  # the stated bound: api_key_cache_s
        revoked = client.post("/graphql", json=TYPENAME, headers=headers)
    assert [b.status_code for b in bad] == [401, 401, 401]
    assert [b.headers[ROUND_TRIPS] for b in bad] == ["1", "0", "0"]  # one read, then cached
    assert accepted.status_code == 200, accepted.text
    assert revoked.status_code == 401


# Item 17: token lifetime


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ({"expires_in": 3600}, True),
        ({"expires_in": 24 * 3600}, True),
        ({"expires_in": 2 * 24 * 3600}, False),  # iat now, exp in 2 days
        ({"expires_in": 3600, "iat": int(time.time()) - 3 * 24 * 3600}, False),  # exp - iat
        ({"exp": 4102444800, "iat": None}, False),  # 2100-01-01, no iat: judged by exp - now
    ],
)
def test_token_lifetime_is_bounded(
    production_config: Settings, rsa_keys: RsaKeys, change: dict[str, Any], accepted: bool
) -> None:
    change = dict(change)
    payload = claims(production_config, "admin", expires_in=change.pop("expires_in", 3600))
    payload |= change
    payload = {name: value for name, value in payload.items() if value is not None}
    with TestClient(create_app(production_config)) as client:
        response = client.post("/graphql", json=TYPENAME, headers=bearer(rsa_keys.sign(payload)))
    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 401
        assert "longer than the 86400 s allowed" in response.json()["errors"][0]["message"]


def test_the_maximum_token_lifetime_is_configurable(
    production_config: Settings, rsa_keys: RsaKeys
) -> None:
    config = production_config.model_copy(update={"jwt_max_lifetime_s": 7 * 24 * 3600})
    payload = claims(config, "admin", expires_in=2 * 24 * 3600)
    with TestClient(create_app(config)) as client:
        response = client.post("/graphql", json=TYPENAME, headers=bearer(rsa_keys.sign(payload)))
    assert response.status_code == 200, response.text
