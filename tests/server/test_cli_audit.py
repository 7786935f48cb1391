"""`gridgraph audit verify`: exit 0 with a summary on an intact log, 1 listing the problems."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from graph.audit import AuditEntry, append_audit_entry
from graph.client import GraphClient
from server.cli import main
from server.settings import Settings
from tests.conftest import free_port


@pytest.fixture
def neo4j_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the command line at the session's Neo4j."""
    monkeypatch.setenv("GRIDGRAPH_NEO4J_URI", settings.effective_neo4j_uri)
    monkeypatch.setenv("GRIDGRAPH_NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("GRIDGRAPH_DATA_DIR", str(settings.data_dir))


async def append_entries(graph: GraphClient, count: int) -> None:
    for n in range(count):
        entry = AuditEntry(
            at=datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=n),
            subject="alice",
            role="admin",
            credential="jwt",
            purpose=None,
            operation_name="AuditLog",
            document_hash=None,
            variables={},
            records=n,
            outcome="ok",
        )
        await append_audit_entry(graph, entry)


async def verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `gridgraph audit verify` (in a thread: it runs its own event loop)."""
    status = await asyncio.to_thread(main, ["audit", "verify"])
    return status, capsys.readouterr().out


@pytest.mark.usefixtures("neo4j_env")
async def test_verify_an_intact_log_exits_0(
    empty_graph: GraphClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await append_entries(empty_graph, 5)
    status, out = await verify(capsys)
    assert status == 0
    assert out.startswith("5 records, chain intact (head seq 5, hash ")


@pytest.mark.usefixtures("neo4j_env")
async def test_verify_an_empty_log_exits_0(
    empty_graph: GraphClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await verify(capsys) == (0, "0 records, chain intact\n")


@pytest.mark.usefixtures("neo4j_env")
async def test_verify_a_tampered_log_exits_1_listing_each_problem(
    empty_graph: GraphClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # given 6 records, one altered, one deleted in the middle and the last one deleted
    await append_entries(empty_graph, 6)
    await empty_graph.write("MATCH (r:AuditRecord {seq: 2}) SET r.subject = 'x'")
    await empty_graph.write("MATCH (r:AuditRecord) WHERE r.seq IN [4, 6] DETACH DELETE r")
    # when the log is verified
    status, out = await verify(capsys)
    # then the command fails and names every problem by seq
    assert status == 1
    assert out.splitlines() == [
        "4 records, 3 problems:",
        "  seq 2: altered: content does not match its stored hash",
        "  seq 4: missing: no record (deleted)",
        "  seq 6: head mismatch: the head says seq 6, the last record is seq 5"
        " (records at the end were deleted)",
    ]


def test_verify_against_an_unreachable_neo4j_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    monkeypatch.setenv("GRIDGRAPH_NEO4J_URI", uri)
    monkeypatch.setenv("GRIDGRAPH_NEO4J_PASSWORD", "not-the-default")  # production refuses it
    assert main(["audit", "verify"]) == 1
    assert f"cannot reach Neo4j at {uri}" in capsys.readouterr().err
