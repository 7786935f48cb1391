"""The `gridgraph` command line: serve, migrate, seed and the local Neo4j."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Sequence

import uvicorn
from neo4j.exceptions import ServiceUnavailable

from graph.client import GraphClient, open_driver
from graph.maintenance import is_empty
from graph.migrations import apply_migrations
from seeds.fixture import load_fixture
from server.app import create_app
from server.local_neo4j import LocalNeo4j, LocalNeo4jConfig, LocalNeo4jError
from server.settings import Settings

GRACEFUL_SHUTDOWN_S = 10


def _graph(settings: Settings) -> GraphClient:
    driver = open_driver(
        settings.effective_neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
    )
    return GraphClient(driver, settings.neo4j_database)


async def _migrate(settings: Settings) -> list[str]:
    graph = _graph(settings)
    try:
        await graph.ping()  # fail fast, without the driver's retries, when Neo4j is down
        return await apply_migrations(graph)
    finally:
        await graph.close()


async def _prepare(settings: Settings, seed: bool) -> None:
    """Migrate, then load the seed data when the database is empty."""
    graph = _graph(settings)
    try:
        await graph.ping()
        created = await apply_migrations(graph)
        print(f"migrations: {len(created)} created" if created else "migrations: up to date")
        if seed and await is_empty(graph):
            print("empty database: loading the seed data")
            await load_fixture(graph)
    finally:
        await graph.close()


def _start_local(local: LocalNeo4j) -> bool:
    print(f"starting the local Neo4j on {local.config.bolt_uri} (data in {local.config.home}) ...")
    began = time.monotonic()
    started = local.start()
    if started:
        print(f"Neo4j ready on {local.config.bolt_uri} in {time.monotonic() - began:.1f}s")
    else:
        print(f"Neo4j already running: {local.status()}")
    return started


def cmd_neo4j(settings: Settings, action: str) -> int:
    """gridgraph neo4j start|stop|status."""
    local = LocalNeo4j(LocalNeo4jConfig.from_settings(settings))
    if action == "start":
        _start_local(local)
    elif action == "stop":
        print("Neo4j stopped" if local.stop() else "Neo4j was not running")
    else:
        print(local.status())
    return 0


def cmd_serve(settings: Settings, seed: bool) -> int:
    """Start the local Neo4j if no URI is set, migrate, seed an empty database, serve HTTP."""
    local = LocalNeo4j(LocalNeo4jConfig.from_settings(settings))
    started_here = _start_local(local) if settings.uses_local_neo4j else False
    try:
        asyncio.run(_prepare(settings, seed))
        where = f"http://{settings.http_host}:{settings.http_port}"
        ide = " (GraphiQL in the browser)" if settings.development else ""
        print(f"GraphQL at {where}/graphql{ide}; health at {where}/healthz and {where}/readyz")
        uvicorn.run(
            create_app(settings),
            host=settings.http_host,
            port=settings.http_port,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            log_level="info",
        )
    finally:
        if started_here:
            print("stopping the local Neo4j this command started ...")
            local.stop()
    return 0


def cmd_migrate(settings: Settings) -> int:
    """Apply the schema migrations and print what was created."""
    created = asyncio.run(_migrate(settings))
    print(f"created: {', '.join(created)}" if created else "schema up to date: nothing to do")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `gridgraph`."""
    parser = argparse.ArgumentParser(prog="gridgraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve GraphQL (starts the local Neo4j if needed)")
    serve.add_argument("--no-seed", action="store_true", help="do not seed an empty database")

    neo4j = commands.add_parser("neo4j", help="manage the local embedded Neo4j")
    neo4j.add_argument("action", choices=["start", "stop", "status"])

    commands.add_parser("migrate", help="apply the schema migrations (idempotent)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gridgraph` console script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        if args.command == "serve":
            return cmd_serve(settings, seed=not args.no_seed)
        if args.command == "neo4j":
            return cmd_neo4j(settings, args.action)
        return cmd_migrate(settings)
    except LocalNeo4jError as error:
        print(f"gridgraph: {error}", file=sys.stderr)
        return 1
    except ServiceUnavailable as error:
        print(
            f"gridgraph: cannot reach Neo4j at {settings.effective_neo4j_uri}: {error}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
