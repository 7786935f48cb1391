"""`gridgraph apikey create|list|revoke` and `gridgraph token` from the command line."""

from __future__ import annotations

import asyncio
import re

import jwt
import pytest

from graph.api_keys import verified_api_key
from graph.client import GraphClient
from server.auth import load_dev_jwt_secret
from server.cli import main
from server.settings import Settings


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GRIDGRAPH_NEO4J_URI", settings.effective_neo4j_uri)
    monkeypatch.setenv("GRIDGRAPH_NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("GRIDGRAPH_DATA_DIR", str(settings.data_dir))
    return settings


async def test_api_key_lifecycle(
    environment: Settings, graph: GraphClient, capsys: pytest.CaptureFixture[str]
) -> None:
    created = await asyncio.to_thread(
        main, ["apikey", "create", "--name", "justice bureau", "--agreement", "justice-mediation"]
    )
    out = capsys.readouterr().out
    key = re.search(r"X-Api-Key: (ggk_\S+)", out)
    assert created == 0 and key is not None
    key_id = key.group(1).split("_")[1]
    assert await verified_api_key(graph, key.group(1)) is not None

    assert await asyncio.to_thread(main, ["apikey", "list"]) == 0
    listed = capsys.readouterr().out
    assert key_id in listed and "justice bureau" in listed and key.group(1) not in listed

    assert await asyncio.to_thread(main, ["apikey", "revoke", key_id]) == 0
    assert await verified_api_key(graph, key.group(1)) is None
    assert await asyncio.to_thread(main, ["apikey", "revoke", "000000000000"]) == 1


def test_unknown_agreement_is_refused(
    environment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apikey", "create", "--name", "x", "--agreement", "nope"]) == 1
    assert "unknown agreement 'nope'" in capsys.readouterr().out


def test_development_tokens(
    environment: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDGRAPH_MODE", "production")
    assert main(["token", "--role", "admin"]) == 1
    capsys.readouterr()
    monkeypatch.setenv("GRIDGRAPH_MODE", "development")
    assert main(["token", "--role", "investigator"]) == 1  # a scope is required
    capsys.readouterr()
    assert main(["token", "--role", "investigator", "--scope", "370811001"]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(
        token, load_dev_jwt_secret(environment), ["HS256"], audience=environment.jwt_audience
    )
    assert claims["role"] == "investigator" and claims["scope"] == ["370811001"]
