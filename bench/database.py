"""The benchmark's own Neo4j: a local Neo4j on a free port in a temporary directory, migrated
and seeded at the chosen scale with a fixed personal-data key."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from pathlib import Path

from bench.targets import Neo4jAccess, free_port
from graph.client import GraphClient, open_driver
from graph.migrations import apply_migrations
from graph.personal_data import PersonalDataKey
from seeds.loader import seed_graph
from seeds.plan import Scale
from server.local_neo4j import LocalNeo4j, LocalNeo4jConfig

PASSWORD = "gridgraph-bench"  # noqa: S105 - a throw-away local database on loopback
KEY_BYTES = bytes(range(32))  # fixed, so blind indexes are the same run after run
KEY_B64 = base64.b64encode(KEY_BYTES).decode()


@contextlib.contextmanager
def local_neo4j(home: Path, heap_mb: int, pagecache_mb: int) -> Iterator[Neo4jAccess]:
    """A running local Neo4j, stopped on exit."""
    config = LocalNeo4jConfig(
        home=home, port=free_port(), password=PASSWORD, heap_mb=heap_mb, pagecache_mb=pagecache_mb
    )
    neo4j = LocalNeo4j(config)
    neo4j.start()
    try:
        yield Neo4jAccess(config.bolt_uri, "neo4j", PASSWORD, neo4j.running_pid())
    finally:
        neo4j.stop()


def open_graph(access: Neo4jAccess) -> GraphClient:
    return GraphClient(open_driver(access.uri, access.user, access.password), "neo4j")


async def prepare(graph: GraphClient, scale: Scale, progress: bool) -> None:
    """Migrate (indexes, full-text index) and seed."""
    await apply_migrations(graph)
    await seed_graph(graph, PersonalDataKey(KEY_BYTES), scale, progress=progress)
