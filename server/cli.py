"""The `gridgraph` command line: serve, migrate, seed, import, schema, audit, local Neo4j."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from neo4j.exceptions import ServiceUnavailable
from pydantic import ValidationError

from graph.client import GraphClient, open_driver
from graph.identifier_migration import bind_identifiers_to_persons
from graph.maintenance import is_empty
from graph.migrations import apply_migrations
from schema import build_schema
from seeds.importer import DEFAULT_BATCH_SIZE, ImportKind, ImportSummary, import_file
from seeds.loader import SeedReport, seed_graph
from seeds.plan import DEFAULT_SEED, Scale, scale_spec
from server import access_cli, audit_cli, metrics
from server.app import create_app
from server.http_protocol import NO_DELAY_HTTPTOOLS
from server.keys import PersonalDataKeyError, load_personal_data_key
from server.local_neo4j import LocalNeo4j, LocalNeo4jConfig, LocalNeo4jError
from server.log_format import LogFormat, configure_logging
from server.settings import Settings
from server.shutdown import Terminated, terminations

GRACEFUL_SHUTDOWN_S = 10
WORKER_HEALTHCHECK_S = 60  # seconds a worker process may take to answer uvicorn's ping
log = logging.getLogger("gridgraph.serve")
SCHEMA_FILE = Path("schema.graphql")  # the committed SDL, at the repository root
APP_FACTORY = "server.app:create_app"  # what each worker process builds its app with


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
        created = await apply_migrations(graph)
        await _bind_identifiers(graph, settings)
        return created
    finally:
        await graph.close()


async def _bind_identifiers(graph: GraphClient, settings: Settings) -> None:
    """Data migration: identifier ciphertexts bound to their person (idempotent)."""
    report = await bind_identifiers_to_persons(graph, load_personal_data_key(settings))
    if report.rewritten:
        print(f"identifiers: {report.rewritten} persons' ciphertexts bound to their person id")
    if report.unreadable:
        print(
            f"identifiers: {len(report.unreadable)} persons' ciphertexts do not open, left as found"
        )


async def _prepare(settings: Settings, seed: bool) -> None:
    """Migrate, then seed `settings.seed_scale` when the database is empty."""
    graph = _graph(settings)
    try:
        await graph.ping()
        created = await apply_migrations(graph)
        print(f"migrations: {len(created)} created" if created else "migrations: up to date")
        await _bind_identifiers(graph, settings)
        if seed and await is_empty(graph):
            scale = Scale(settings.seed_scale)
            print(f"empty database: seeding the {scale.value} scale")
            await seed_graph(graph, load_personal_data_key(settings), scale)
    finally:
        await graph.close()


async def _seed(settings: Settings, scale: Scale, seed: int, residents: int | None) -> SeedReport:
    graph = _graph(settings)
    try:
        await graph.ping()
        await apply_migrations(graph)
        key = load_personal_data_key(settings)
        return await seed_graph(graph, key, scale, seed=seed, residents=residents)
    finally:
        await graph.close()


def _start_local(local: LocalNeo4j, tied: bool = False) -> bool:
    print(f"starting the local Neo4j on {local.config.bolt_uri} (data in {local.config.home}) ...")
    began = time.monotonic()
    started = local.start(tied=tied)
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


def cmd_serve(settings: Settings, seed: bool, workers: int = 1) -> int:
    """Start the local Neo4j if no URI is set, migrate, seed an empty database, serve HTTP.

    With `workers` > 1, uvicorn runs that many worker processes on the one port, each building
    the app from the same environment (`server.app:create_app`); this process starts the
    local Neo4j, migrates and seeds once, before any worker, and stops Neo4j at the end. Rate
    limits, the API key cache and refusal aggregation are per worker process.

    However it stops (SIGTERM from systemd or docker, Ctrl-C, SIGHUP, uvicorn failing), it
    stops the local Neo4j it started and says so on stderr (server/shutdown.py); a local
    Neo4j that exits while serving is reaped and reported.
    """
    local = LocalNeo4j(LocalNeo4jConfig.from_settings(settings))
    with terminations():
        try:
            return _serve(settings, local, seed, workers)
        except Terminated as stop:
            log.info("%s received: stopped serving", stop)
            return 0
        finally:
            _stop_local(local)


def _neo4j_exited(pid: int, status: int) -> None:
    how = f"was killed by {signal.Signals(-status).name}" if status < 0 else f"exited ({status})"
    log.error(
        "the local Neo4j (pid %d) %s while serving: requests answer 503 until a Neo4j "
        "answers again (gridgraph neo4j start)",
        pid,
        how,
    )


def _stop_local(local: LocalNeo4j) -> None:
    """Stop the local Neo4j if this command started it, ignoring further stop signals."""
    pid = local.pid
    if pid is None:
        return
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not leave it running
    log.info("stopping the local Neo4j this command started (pid %d) ...", pid)
    stopped = local.stop()
    log.info("the local Neo4j (pid %d) %s", pid, "stopped" if stopped else "had already exited")


def _serve(settings: Settings, local: LocalNeo4j, seed: bool, workers: int) -> int:
    if settings.uses_local_neo4j:
        _start_local(local, tied=True)
        local.watch(_neo4j_exited)
    asyncio.run(_prepare(settings, seed))
    where = f"http://{settings.http_host}:{settings.http_port}"
    ide = " (GraphiQL in the browser)" if settings.development else ""
    print(f"GraphQL at {where}/graphql{ide}; health at {where}/healthz and {where}/readyz")
    if workers > 1:
        print(f"{workers} worker processes")
        metrics.prepare_multiprocess(workers, settings.data_dir)  # one view of all workers
    uvicorn.run(
        # Workers are separate processes: they import the factory and build their own app.
        APP_FACTORY if workers > 1 else create_app(settings),
        factory=workers > 1,
        workers=workers,
        host=settings.http_host,
        port=settings.http_port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        http=NO_DELAY_HTTPTOOLS,  # httptools; Nagle's delay off on workers' sockets too
        log_level="info",
        log_config=None,  # ours (GRIDGRAPH_LOG_FORMAT): configure_logging, ensure_logging
        # A worker builds the schema and its pools at start: on a busy machine that took more
        # than uvicorn's default 5 s, and the supervisor killed and restarted it again and again.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )
    return 0


def cmd_migrate(settings: Settings) -> int:
    """Apply the schema migrations and print what was created."""
    created = asyncio.run(_migrate(settings))
    print(f"created: {', '.join(created)}" if created else "schema up to date: nothing to do")
    return 0


def cmd_seed(settings: Settings, scale: Scale, seed: int, residents: int | None) -> int:
    """Migrate, then generate and write a seed scale (idempotent: re-running adds nothing)."""
    scale_spec(scale, residents)  # a bad size fails here, before connecting
    began = time.monotonic()
    report = asyncio.run(_seed(settings, scale, seed, residents))
    print(
        f"seeded {report.scale.value} (seed {report.seed}, {report.residents:,} residents) "
        f"in {time.monotonic() - began:.1f}s"
    )
    return 0


async def _import(
    settings: Settings, path: Path, kind: ImportKind, rejects: Path, batch_size: int
) -> ImportSummary:
    graph = _graph(settings)
    try:
        await graph.ping()
        await apply_migrations(graph)
        key = load_personal_data_key(settings)
        return await import_file(graph, key, path, kind, rejects, batch_size)
    finally:
        await graph.close()


def cmd_import(
    settings: Settings, path: Path, kind: ImportKind, rejects: Path | None, batch_size: int
) -> int:
    """Validate and upsert a partner's file; exit 1 when any row was rejected."""
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    rejects = rejects or path.with_name(path.name + ".rejects.csv")
    summary = asyncio.run(_import(settings, path, kind, rejects, batch_size))
    print(summary.describe())
    return 1 if summary.rejected else 0


def schema_sdl() -> str:
    """The GraphQL schema in SDL, as committed in schema.graphql."""
    return str(build_schema()) + "\n"


def cmd_schema(output: Path | None) -> int:
    """Print the schema's SDL, or write it to `output` (no Neo4j needed)."""
    if output is None:
        sys.stdout.write(schema_sdl())
        return 0
    try:
        output.write_text(schema_sdl(), encoding="utf-8")
    except OSError as error:
        print(f"gridgraph: cannot write {output}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote the GraphQL schema to {output}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `gridgraph`."""
    parser = argparse.ArgumentParser(prog="gridgraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve GraphQL (starts the local Neo4j if needed)")
    serve.add_argument("--no-seed", action="store_true", help="do not seed an empty database")
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="HTTP worker processes (default 1); rate limits and caches are per process",
    )

    neo4j = commands.add_parser("neo4j", help="manage the local embedded Neo4j")
    neo4j.add_argument("action", choices=["start", "stop", "status"])

    commands.add_parser("migrate", help="apply the schema migrations (idempotent)")

    seed = commands.add_parser("seed", help="generate and load seed data (idempotent)")
    seed.add_argument("--scale", choices=[s.value for s in Scale], default=Scale.DEMO.value)
    seed.add_argument(
        "--residents", type=_positive, help="residents to generate (default: scale's)"
    )
    seed.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same graph)"
    )

    sdl = commands.add_parser("schema", help="print the GraphQL schema (SDL) or write it")
    sdl.add_argument(
        "--output", type=Path, help=f"write it to this file (the committed one: {SCHEMA_FILE})"
    )

    bulk = commands.add_parser("import", help="import a partner's CSV or JSON Lines file")
    bulk.add_argument("file", type=Path, help="a .csv (with a header row) or .jsonl file")
    bulk.add_argument("--kind", required=True, choices=[k.value for k in ImportKind])
    bulk.add_argument("--rejects", type=Path, help="where refused rows go (FILE.rejects.csv)")
    bulk.add_argument("--batch-size", type=_positive, default=DEFAULT_BATCH_SIZE)

    access_cli.add_parsers(commands)

    audit_cli.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gridgraph` console script."""
    configure_logging(LogFormat.TEXT)  # until the settings say which format
    args = build_parser().parse_args(argv)
    if args.command == "schema":
        return cmd_schema(args.output)
    try:
        settings = Settings()
    except ValidationError as error:  # e.g. production with the default Neo4j password
        problems = (problem["msg"].removeprefix("Value error, ") for problem in error.errors())
        print(f"gridgraph: {'; '.join(problems)}", file=sys.stderr)
        return 1
    configure_logging(settings.log_format, settings.log_level)
    try:
        if args.command == "serve":
            return cmd_serve(settings, seed=not args.no_seed, workers=args.workers)
        if args.command == "neo4j":
            return cmd_neo4j(settings, args.action)
        if args.command == "seed":
            return cmd_seed(settings, Scale(args.scale), args.seed, args.residents)
        if args.command == "import":
            kind = ImportKind(args.kind)
            return cmd_import(settings, args.file, kind, args.rejects, args.batch_size)
        if args.command == "apikey":
            return access_cli.cmd_apikey(settings, args)
        if args.command == "token":
            return access_cli.cmd_token(settings, args)
        if args.command == "audit":
            return audit_cli.cmd_audit(settings, args)
        return cmd_migrate(settings)
    except (LocalNeo4jError, PersonalDataKeyError, ValueError) as error:
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
