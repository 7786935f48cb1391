"""Test session wiring: a real Neo4j for the whole session, never a mock.

With GRIDGRAPH_NEO4J_URI set, the tests use that Neo4j (its data is wiped!); otherwise the
session starts the local embedded Neo4j on a free port with a temporary data directory and
stops it at the end.
"""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from graph.client import GraphClient, open_driver
from graph.maintenance import delete_everything
from graph.migrations import apply_migrations
from server.app import create_app
from server.local_neo4j import LocalNeo4j, LocalNeo4jConfig
from server.settings import Mode, Settings

TEST_PASSWORD = "gridgraph-test"
# The personal-data key of the test app; the schema tests seed with the same bytes, so the
# blind indexes the app computes (personByIdCard) match the seeded ones.
TEST_KEY_BYTES = bytes(range(32))
TEST_KEY = SecretStr(base64.b64encode(TEST_KEY_BYTES).decode())
# The request deadline and Neo4j transaction timeout of the test app (production default 10 s
# each): Neo4j plans each new compiled query shape once, which took over 10 s on a 2-core
# machine busy with other test runs (planning counts against the transaction timeout); tests
# of the deadline or the timeout set short ones.
PATIENT_DEADLINE_S = 120.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings pointing at the session's Neo4j."""
    data_dir: Path = tmp_path_factory.mktemp("gridgraph-data")
    if os.environ.get("GRIDGRAPH_NEO4J_URI"):
        yield Settings(
            data_dir=data_dir,
            personal_data_key=TEST_KEY,
            mode=Mode.DEVELOPMENT,
            request_deadline_s=PATIENT_DEADLINE_S,
            query_timeout_s=PATIENT_DEADLINE_S,
        )
        return
    config = LocalNeo4jConfig(
        home=data_dir / "neo4j", port=free_port(), password=TEST_PASSWORD, heap_mb=1024
    )
    local = LocalNeo4j(config)
    local.start()
    try:
        yield Settings(
            neo4j_uri=config.bolt_uri,
            neo4j_password=SecretStr(TEST_PASSWORD),
            data_dir=data_dir,
            personal_data_key=TEST_KEY,
            mode=Mode.DEVELOPMENT,  # anonymous developer requests; auth tests switch modes
            request_deadline_s=PATIENT_DEADLINE_S,
            query_timeout_s=PATIENT_DEADLINE_S,
        )
    finally:
        local.stop()


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[GraphClient]:
    """A migrated database, shared by the session."""
    client = GraphClient(
        open_driver(
            settings.effective_neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
        ),
        settings.neo4j_database,
    )
    await apply_migrations(client)
    yield client
    await client.close()


@pytest.fixture
async def empty_graph(graph: GraphClient) -> GraphClient:
    """The session database with every node deleted (the schema stays)."""
    await delete_everything(graph)
    return graph


@pytest.fixture
def http(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client for the app, with its lifespan (driver, migrations) running."""
    with TestClient(create_app(settings)) as client:
        yield client
