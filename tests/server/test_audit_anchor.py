"""Production refuses the default Neo4j password; an anchored head exposes a truncated log."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import LiteralString

import pytest
from pydantic import ValidationError

from graph.client import GraphClient
from server.cli import main
from server.settings import Mode, Settings
from tests.server.test_cli_audit import append_entries, neo4j_env  # noqa: F401 - a fixture

# What someone holding the database password does to hide the newest records: delete them
# and rewind the head to the last survivor, so the remaining chain is self-consistent.
TRUNCATE: LiteralString = """
MATCH (r:AuditRecord) WHERE r.seq > $keep DETACH DELETE r
WITH count(*) AS gone
MATCH (last:AuditRecord {seq: $keep}), (h:AuditHead {id: 'main'})
SET h.seq = last.seq, h.hash = last.hash
"""


def test_production_refuses_the_default_neo4j_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValidationError, match="documented development default"):
        Settings(mode=Mode.PRODUCTION)
    assert Settings(mode=Mode.DEVELOPMENT).development  # a developer machine may use it
    monkeypatch.setenv("GRIDGRAPH_MODE", "production")
    monkeypatch.delenv("GRIDGRAPH_NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("GRIDGRAPH_PERSONAL_DATA_KEY", "secret-that-must-not-be-printed")
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "GRIDGRAPH_NEO4J_PASSWORD is the documented development default" in err
    assert "secret-that-must-not-be-printed" not in err


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = await asyncio.to_thread(main, list(argv))
    return status, capsys.readouterr().out


@pytest.mark.usefixtures("neo4j_env")
async def test_an_anchored_head_exposes_a_truncated_tail(
    empty_graph: GraphClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given 8 records whose head was anchored to a file
    await append_entries(empty_graph, 8)
    anchor = tmp_path / "audit-head.json"
    status, out = await cli(capsys, "audit", "anchor", str(anchor))
    assert status == 0 and out.startswith("anchored head seq 8, hash ")
    anchored = json.loads(anchor.read_text())
    assert anchored["seq"] == 8 and len(anchored["hash"]) == 64
    # when the last three records are deleted and the head rewound to seq 5
    await empty_graph.write(TRUNCATE, {"keep": 5})
    # then plain verification is fooled (this is why the anchor exists) ...
    assert (await cli(capsys, "audit", "verify"))[0] == 0
    # ... but verification against the anchor reports the truncation
    status, out = await cli(capsys, "audit", "verify", "--expect-head", str(anchor))
    assert status == 1
    assert out.splitlines() == [
        "5 records, 1 problems:",
        f"  seq 6: truncated: the anchored head (seq 8, hash {anchored['hash']}) is gone:"
        " the log ends at seq 5, so the records after it were deleted and the head rewound",
    ]
    # and a scheduled anchor run refuses to overwrite the evidence
    status, out = await cli(capsys, "audit", "anchor", str(anchor))
    assert status == 1 and "not anchored" in out
    assert json.loads(anchor.read_text()) == anchored


@pytest.mark.usefixtures("neo4j_env")
async def test_a_log_that_extends_its_anchor_verifies_and_moves_it(
    empty_graph: GraphClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await append_entries(empty_graph, 3)
    anchor = tmp_path / "audit-head.json"
    assert (await cli(capsys, "audit", "anchor", str(anchor)))[0] == 0
    await append_entries(empty_graph, 2)
    status, out = await cli(capsys, "audit", "verify", "--expect-head", str(anchor))
    assert status == 0 and out.startswith("5 records, chain intact (head seq 5")
    assert (await cli(capsys, "audit", "anchor", str(anchor)))[0] == 0
    assert json.loads(anchor.read_text())["seq"] == 5
    # a record rewritten at the anchored seq (and the chain rehashed) does not match it
    await empty_graph.write("MATCH (r:AuditRecord {seq: 5}) SET r.hash = $h", {"h": "f" * 64})
    status, out = await cli(capsys, "audit", "verify", "--expect-head", str(anchor))
    assert status == 1 and "seq 5: anchor mismatch" in out
