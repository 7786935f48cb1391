"""`gridgraph serve` with its own local Neo4j: SIGTERM stops that Neo4j and says so; a Neo4j
killed from outside is reaped (no zombie) and reported, and requests get 503 meanwhile."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from server.settings import PROJECT_ROOT
from tests.conftest import TEST_KEY, free_port


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    neo4j_pid: int

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _exists(pid: int) -> bool:
    """True while the pid names any process, a zombie included."""
    return Path(f"/proc/{pid}").exists()


def _until(condition: Callable[[], bool], within_s: float, why: str) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, why
        time.sleep(0.1)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`gridgraph serve --no-seed` starting its own Neo4j in tmp_path, ready."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRIDGRAPH_")} | {
        "GRIDGRAPH_MODE": "development",
        "GRIDGRAPH_PERSONAL_DATA_KEY": TEST_KEY.get_secret_value(),
        "GRIDGRAPH_DATA_DIR": str(tmp_path),
        "GRIDGRAPH_HTTP_PORT": str(port),
        "GRIDGRAPH_LOCAL_NEO4J_PORT": str(free_port()),
        "GRIDGRAPH_LOCAL_NEO4J_HEAP_MB": "512",
        "GRIDGRAPH_LOCAL_NEO4J_PAGECACHE_MB": "64",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--no-seed"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def ready() -> bool:
            assert process.poll() is None, log.read_text()[-4000:]
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).is_success
            return False

        _until(ready, 240, "serve did not become ready")
        pid = int((tmp_path / "neo4j" / "launcher.pid").read_text())
        yield Served(process, port, log, pid)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int((tmp_path / "neo4j" / "launcher.pid").read_text()), signal.SIGKILL)


def test_sigterm_stops_the_neo4j_serve_started_and_says_so(served: Served) -> None:
    assert _exists(served.neo4j_pid)
    # when serve gets SIGTERM (systemd, docker stop), sent to it alone
    served.process.send_signal(signal.SIGTERM)
    status = served.process.wait(120)
    # then it exits cleanly, its Neo4j is gone, and the log says so
    assert status == 0, served.output()[-4000:]
    assert not _exists(served.neo4j_pid)
    output = served.output()
    assert "SIGTERM received" in output
    assert f"the local Neo4j (pid {served.neo4j_pid}) stopped" in output


def test_a_neo4j_killed_from_outside_is_reaped_and_reported(served: Served) -> None:
    # when the Neo4j serve started is killed from outside
    os.kill(served.neo4j_pid, signal.SIGKILL)
    # then serve reaps it (no zombie is left) and reports it
    _until(lambda: not _exists(served.neo4j_pid), 30, "Neo4j left as a zombie")
    _until(lambda: "was killed by SIGKILL" in served.output(), 10, "not reported")

    # and requests are refused with 503 meanwhile (once the health probe, every 0.5 s, has
    # seen it: the reap can be reported first)
    def ask() -> httpx.Response:
        return httpx.post(
            f"http://127.0.0.1:{served.port}/graphql", json={"query": "{ __typename }"}, timeout=10
        )

    _until(lambda: ask().status_code == 503, 10, "no 503 while Neo4j is down")
    answer = ask()
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    # and SIGTERM still stops serve cleanly
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(60) == 0
    assert "had already exited" in served.output()
