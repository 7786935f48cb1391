"""The `gridgraph` command line reports failures with a cause and a non-zero status."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from server.cli import main
from tests.conftest import free_port


def test_neo4j_start_on_a_taken_port_exits_non_zero_with_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        monkeypatch.setenv("GRIDGRAPH_MODE", "development")  # the default password is fine
        monkeypatch.setenv("GRIDGRAPH_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("GRIDGRAPH_LOCAL_NEO4J_PORT", str(port))
        assert main(["neo4j", "start"]) == 1
    assert f"port {port} on 127.0.0.1 is already taken" in capsys.readouterr().err


def test_neo4j_status_of_a_stopped_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDGRAPH_MODE", "development")
    monkeypatch.setenv("GRIDGRAPH_DATA_DIR", str(tmp_path))
    assert main(["neo4j", "status"]) == 0
    assert main(["neo4j", "stop"]) == 0
    out = capsys.readouterr().out
    assert "stopped" in out and "was not running" in out


def test_migrate_against_an_unreachable_neo4j_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    monkeypatch.setenv("GRIDGRAPH_MODE", "development")
    monkeypatch.setenv("GRIDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGRAPH_NEO4J_URI", uri)
    assert main(["migrate"]) == 1
    assert f"cannot reach Neo4j at {uri}" in capsys.readouterr().err
