"""The `gridgraph` command line reports failures with a cause and a non-zero status."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from server.cli import main
from server.settings import PROJECT_ROOT, Settings
from tests.conftest import TEST_KEY, free_port


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


def _children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def test_serve_with_two_workers_answers_from_worker_processes(
    settings: Settings, tmp_path: Path
) -> None:
    # given `gridgraph serve --workers 2` against the session's (migrated) Neo4j
    port = free_port()
    env = dict(
        os.environ,
        GRIDGRAPH_MODE="development",
        GRIDGRAPH_NEO4J_URI=settings.effective_neo4j_uri,
        GRIDGRAPH_NEO4J_USER=settings.neo4j_user,
        GRIDGRAPH_NEO4J_PASSWORD=settings.neo4j_password.get_secret_value(),
        GRIDGRAPH_PERSONAL_DATA_KEY=TEST_KEY.get_secret_value(),
        GRIDGRAPH_DATA_DIR=str(tmp_path),
        GRIDGRAPH_HTTP_PORT=str(port),
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--workers", "2", "--no-seed"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # when it is ready
        deadline = time.monotonic() + 120
        ready = False
        while not ready and time.monotonic() < deadline and serve.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).is_success
            time.sleep(0.3)
        assert ready, log.read_text()[-4000:]

        # then it answers GraphQL, and serves from two worker processes besides itself
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=10
        )
        assert answer.json() == {"data": {"__typename": "Query"}}
        workers = [pid for pid in _children(serve.pid) if "spawn_main" in _cmdline(pid)]
        assert len(workers) >= 2, [_cmdline(pid) for pid in _children(serve.pid)]
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""
