"""The local embedded Neo4j: start, status, stop with no JVM left, errors, and recovery."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from server.app import create_app
from server.local_neo4j import (
    JVM_ENVIRONMENT,
    LAUNCHER_MAIN,
    LocalNeo4j,
    LocalNeo4jConfig,
    LocalNeo4jError,
)
from server.settings import Settings
from tests.conftest import TEST_PASSWORD, free_port


def launcher_pids() -> set[int]:
    """Pids of every live launcher JVM on this machine."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if LAUNCHER_MAIN.encode() in (proc / "cmdline").read_bytes():
                pids.add(int(proc.name))
        except OSError:
            continue
    return pids


def wait_for_status(client: TestClient, status: int, within_s: float = 60.0) -> int:
    deadline = time.monotonic() + within_s
    code: int = client.get("/readyz").status_code
    while code != status and time.monotonic() < deadline:
        time.sleep(0.5)
        code = client.get("/readyz").status_code
    return code


def test_start_refuses_a_taken_port(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        local = LocalNeo4j(LocalNeo4jConfig(home=tmp_path, port=port, password=TEST_PASSWORD))
        with pytest.raises(LocalNeo4jError, match=f"port {port} .* already taken"):
            local.start()
    assert local.running_pid() is None


def test_start_without_java_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    local = LocalNeo4j(LocalNeo4jConfig(home=tmp_path, port=free_port(), password=TEST_PASSWORD))
    with pytest.raises(LocalNeo4jError, match="Java not found"):
        local.start()


def test_lifecycle_readiness_follows_neo4j_and_stop_leaves_no_jvm(
    tmp_path: Path, settings: Settings
) -> None:
    # given a second local Neo4j and an app pointed at it
    config = LocalNeo4jConfig(home=tmp_path / "neo4j", port=free_port(), password=TEST_PASSWORD)
    local = LocalNeo4j(config)
    assert local.start() is True
    first_pid = local.running_pid()
    assert first_pid is not None and first_pid in launcher_pids()
    assert "answering" in local.status()
    assert local.start() is False  # already running: a no-op
    app_settings = settings.model_copy(
        update={"neo4j_uri": config.bolt_uri, "neo4j_password": SecretStr(TEST_PASSWORD)}
    )
    try:
        with TestClient(create_app(app_settings)) as client:
            assert wait_for_status(client, 200) == 200
            # when Neo4j stops, readiness turns 503 and the app keeps running
            assert local.stop() is True
            assert wait_for_status(client, 503) == 503
            assert client.get("/healthz").status_code == 200
            # and when Neo4j returns, the app recovers by itself
            assert local.start() is True
            second_pid = local.running_pid()
            assert wait_for_status(client, 200) == 200
    finally:
        local.stop()
    # then no JVM of this instance is left behind
    assert local.running_pid() is None
    assert not launcher_pids() & {first_pid, second_pid}
    assert not config.pid_file.exists()
    assert "stopped" in local.status()
    assert os.path.isdir(config.home / "data")


def test_the_jvm_inherits_no_secret_from_our_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given secrets in the environment of the process that starts Neo4j
    monkeypatch.setenv(
        "GRIDGRAPH_PERSONAL_DATA_KEY", "c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5YWJjZGVm"
    )
    monkeypatch.setenv("GRIDGRAPH_JWT_HS256_SECRET", "hs256-secret-value")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "cloud-secret-value")
    config = LocalNeo4jConfig(
        home=tmp_path / "neo4j", port=free_port(), password=TEST_PASSWORD, heap_mb=256
    )
    local = LocalNeo4j(config)
    # when it starts
    assert local.start() is True
    try:
        pid = local.running_pid()
        assert pid is not None
        environ = (Path(f"/proc/{pid}") / "environ").read_bytes().split(b"\0")
    finally:
        local.stop()
    # then the JVM's environment holds none of them, only the allow-list and its password
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert "GRIDGRAPH_PERSONAL_DATA_KEY" not in names
    assert "GRIDGRAPH_JWT_HS256_SECRET" not in names
    assert "AWS_SECRET_ACCESS_KEY" not in names
    assert b"GRIDGRAPH_NEO4J_PASSWORD=" + TEST_PASSWORD.encode() in environ
    assert "PATH" in names
    assert names <= {*JVM_ENVIRONMENT, "GRIDGRAPH_NEO4J_PASSWORD"}
