"""`gridgraph apikey create|list|revoke` (partners' keys) and `gridgraph token` (development).

Kept apart from server/cli.py so that command stays a list of subcommands.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import jwt

from graph.api_keys import create_api_key, list_api_keys, revoke_api_key
from graph.client import GraphClient, open_driver
from resolvers.agreements import load_agreements
from resolvers.principal import Role
from server.auth import PLACE_CODE, load_dev_jwt_secret
from server.settings import Settings

T = TypeVar("T")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `apikey` and `token` on the `gridgraph` parser."""
    apikey = commands.add_parser("apikey", help="create, list or revoke partners' API keys")
    actions = apikey.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key (printed once, stored hashed)")
    create.add_argument("--name", required=True, help="who holds it, e.g. 'justice bureau'")
    create.add_argument("--agreement", required=True, help="an agreement of the agreements file")
    actions.add_parser("list", help="list keys (never their secrets)")
    revoke = actions.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("id", help="the key id (the part after ggk_)")

    token = commands.add_parser("token", help="mint a development HS256 token (development only)")
    token.add_argument(
        "--role", required=True, choices=[r.value for r in Role if r.value != "developer"]
    )
    token.add_argument("--scope", nargs="*", default=[], help="place codes (all roles but admin)")
    token.add_argument("--subject", default="dev-user")
    token.add_argument("--person", help="the subject's Person id (grid workers)")
    token.add_argument("--agreement", help="the agreement (partners)")
    token.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")


def _with_graph(settings: Settings, work: Callable[[GraphClient], Awaitable[T]]) -> T:
    async def run() -> T:
        driver = open_driver(
            settings.effective_neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
        )
        graph = GraphClient(driver, settings.neo4j_database)
        try:
            await graph.ping()
            return await work(graph)
        finally:
            await graph.close()

    return asyncio.run(run())


def cmd_apikey(settings: Settings, args: argparse.Namespace) -> int:
    """create: print the new key once; list: ids, names, agreements; revoke: by id."""
    if args.action == "create":
        agreements = load_agreements(settings.agreements_file)
        if args.agreement not in agreements:
            known = ", ".join(sorted(agreements)) or "none"
            print(f"gridgraph: unknown agreement {args.agreement!r} (known: {known})")
            return 1
        key_id, key = _with_graph(
            settings, lambda graph: create_api_key(graph, args.name, args.agreement)
        )
        print(f"created API key {key_id} for {args.name!r} under {args.agreement!r}")
        print(f"X-Api-Key: {key}")
        print("store it now: only its hash is kept")
        return 0
    if args.action == "list":
        records = _with_graph(settings, list_api_keys)
        for record in records:
            state = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
            print(f"{record.id}  {record.agreement:<20} {state:<18} {record.name}")
        print(f"{len(records)} keys")
        return 0
    found = _with_graph(settings, lambda graph: revoke_api_key(graph, args.id))
    print(f"revoked {args.id}" if found else f"gridgraph: no API key {args.id}")
    return 0 if found else 1


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    """Print an HS256 token for local testing; refused outside development mode."""
    if not settings.development:
        print("gridgraph: tokens are minted only in development mode (GRIDGRAPH_MODE=development)")
        return 1
    if not 0 < args.ttl <= settings.jwt_max_lifetime_s:
        longest = settings.jwt_max_lifetime_s
        print(f"gridgraph: --ttl must be 1..{longest} s (GRIDGRAPH_JWT_MAX_LIFETIME_S)")
        return 1
    bad = [code for code in args.scope if not PLACE_CODE.fullmatch(code)]
    if bad or (args.role not in ("admin", "partner") and not args.scope):
        print("gridgraph: --scope needs place codes (6, 9, 12 or 15 digits) for this role")
        return 1
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": args.subject,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + args.ttl,
        "role": args.role,
        "scope": args.scope,
    }
    if args.person:
        claims["person"] = args.person
    if args.agreement:
        claims["agreement"] = args.agreement
    print(jwt.encode(claims, load_dev_jwt_secret(settings), "HS256"))
    return 0
