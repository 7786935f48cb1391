"""The bench's tokens are accepted by GridGraph's authenticator as the principals it reports."""

from __future__ import annotations

from typing import cast

import pytest
from pydantic import SecretStr
from starlette.requests import HTTPConnection

from bench.principals import (
    ADMIN,
    ANONYMOUS,
    BENCH_JWT_SECRET,
    SCOPED,
    parse_principals,
    request_headers,
)
from graph.client import GraphClient
from resolvers.principal import ANONYMOUS_DEVELOPER, Credential, Principal, Role
from server.auth import Authenticator, TokenKeys
from server.settings import Mode, Settings

DISTRICTS = ["370811"]
NO_GRAPH = cast(GraphClient, None)  # bearer tokens and anonymous requests never read it


async def _principal_of(headers: dict[str, str]) -> Principal:
    settings = Settings(mode=Mode.DEVELOPMENT, jwt_hs256_secret=SecretStr(BENCH_JWT_SECRET))
    authenticator = Authenticator(settings, TokenKeys.from_settings(settings), {})
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    request = HTTPConnection({"type": "http", "headers": raw})
    return await authenticator.principal_for(request, NO_GRAPH)


async def test_anonymous_sends_no_credentials_and_runs_as_the_developer() -> None:
    # given the baseline's headers
    headers = request_headers(ANONYMOUS, DISTRICTS)

    # when GridGraph (development mode) authenticates them
    principal = await _principal_of(headers)

    # then there are none, and the request runs as the anonymous developer
    assert headers == {}
    assert principal == ANONYMOUS_DEVELOPER


async def test_admin_token_is_an_unscoped_audited_admin() -> None:
    # when GridGraph authenticates the admin principal's token
    principal = await _principal_of(request_headers(ADMIN, DISTRICTS))

    # then it is a JWT admin without scope (audited, since not anonymous)
    assert (principal.role, principal.scope, principal.credential) == (
        Role.ADMIN,
        None,
        Credential.JWT,
    )


async def test_scoped_token_is_an_investigator_scoped_to_the_districts() -> None:
    # when GridGraph authenticates the scoped principal's token
    principal = await _principal_of(request_headers(SCOPED, DISTRICTS))

    # then it is an investigator whose scope is exactly the districts
    assert principal.role is Role.INVESTIGATOR
    assert principal.scope == frozenset(DISTRICTS)
    assert principal.credential is Credential.JWT


def test_principals_option_keeps_the_declared_order_and_requires_the_baseline() -> None:
    # when the option lists principals in any order
    chosen = parse_principals("scoped,anonymous")

    # then they come back baseline first; without the baseline, or unknown, it is refused
    assert chosen == (ANONYMOUS, SCOPED)
    with pytest.raises(ValueError, match="anonymous"):
        parse_principals("admin,scoped")
    with pytest.raises(ValueError, match="unknown"):
        parse_principals("anonymous,root")
