"""The servers as subprocesses on free loopback ports, and their lifecycle: GridGraph (one or
more variants: uvicorn workers, HTTP stack), the floor and the peer.

Each runs in its own session (process group), logs to a file in the run's temporary
directory, and is stopped with SIGTERM (SIGKILL after a grace period) when the run ends,
also on failure or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.principals import BENCH_JWT_SECRET
from server.http_protocol import NO_DELAY_H11, NO_DELAY_HTTPTOOLS
from server.settings import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "bench"
READY_TIMEOUT_S = 120.0
STOP_GRACE_S = 10.0


class TargetError(RuntimeError):
    """A server could not be started; the message holds the tail of its log."""


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Neo4jAccess:
    uri: str
    user: str
    password: str
    pid: int | None = None  # the local JVM's, for its CPU per slice (bench/cpu.py)


@dataclass(frozen=True)
class Server:
    """A server to start. `kind` gridgraph | floor | peer; a GridGraph variant has its own
    name suffix (none for the default: 1 worker, uvicorn's own choice of loop and parser)."""

    kind: str
    workers: int = 1
    # auto: uvicorn picks uvloop + httptools when installed (uvicorn[standard]), else asyncio
    # + h11; plain: asyncio + h11 whatever is installed.
    stack: str = "auto"

    @property
    def suffix(self) -> str:
        workers = f"-w{self.workers}" if self.workers != 1 else ""
        return workers + ("-plain" if self.stack == "plain" else "")

    @property
    def name(self) -> str:
        return self.kind + self.suffix


@dataclass
class Target:
    """One running server."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    server: Server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def ensure_peer_installed() -> None:
    """`npm ci` in bench/ when node_modules is missing (CI runs start from a clean tree)."""
    if (BENCH_DIR / "node_modules" / "@neo4j" / "graphql").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise TargetError("npm not found: the peer (@neo4j/graphql) needs Node 20+ and npm")
    subprocess.run(  # noqa: S603 - fixed argv, no shell
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH_DIR, check=True
    )


def _command(server: Server, port: int) -> list[str]:
    uvicorn = [sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1"]
    quiet = ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    quiet += ["--workers", str(server.workers)]
    if server.stack == "plain":
        quiet += ["--loop", "asyncio", "--http", NO_DELAY_H11]
    else:  # what `gridgraph serve` runs: httptools, uvicorn's choice of loop (uvloop)
        quiet += ["--http", NO_DELAY_HTTPTOOLS]
    if server.kind == "gridgraph":
        return [*uvicorn, *quiet, "server.app:create_app"]
    if server.kind == "floor":
        return [*uvicorn, *quiet, "bench.floor_app:create_app"]
    node = shutil.which("node")
    if node is None:
        raise TargetError("node not found: the peer needs Node 20+")
    return [node, str(BENCH_DIR / "peer" / "server.mjs")]


def _environment(
    server: Server, port: int, neo4j: Neo4jAccess, key_b64: str, run_dir: Path
) -> dict[str, str]:
    env = dict(os.environ)
    if server.kind == "gridgraph":
        env |= {
            "GRIDGRAPH_NEO4J_URI": neo4j.uri,
            "GRIDGRAPH_NEO4J_USER": neo4j.user,
            "GRIDGRAPH_NEO4J_PASSWORD": neo4j.password,
            "GRIDGRAPH_PERSONAL_DATA_KEY": key_b64,
            "GRIDGRAPH_DATA_DIR": str(run_dir / "gridgraph-data"),
            # No credentials: the anonymous developer; bench tokens: HS256 with the bench
            # secret (bench/principals.py). No rate limit: the load is the measurement.
            "GRIDGRAPH_MODE": "development",
            "GRIDGRAPH_JWT_HS256_SECRET": BENCH_JWT_SECRET,
            "GRIDGRAPH_RATE_LIMIT_PER_S": "0",
        }
    else:
        env |= {
            "NEO4J_URI": neo4j.uri,
            "NEO4J_USER": neo4j.user,
            "NEO4J_PASSWORD": neo4j.password,
            "PEER_PORT": str(port),
        }
    return env


def _ready_path(kind: str) -> str:
    return "/readyz" if kind == "gridgraph" else "/healthz"


def _log_tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(FileNotFoundError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def start_target(server: Server, neo4j: Neo4jAccess, key_b64: str, run_dir: Path) -> Target:
    """Spawn one server and wait until it answers (GridGraph: until /readyz says ready; with
    several workers, until one is: the others join as they finish starting, during warm-up)."""
    name = server.name
    port = free_port()
    log = run_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            _command(server, port),
            cwd=PROJECT_ROOT,
            env=_environment(server, port, neo4j, key_b64, run_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    target = Target(name, port, process, log, server)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TargetError(f"{name} exited with {process.returncode}:\n{_log_tail(log)}")
        with contextlib.suppress(httpx.HTTPError):
            url = target.base_url + _ready_path(server.kind)
            if httpx.get(url, timeout=2).status_code == 200:
                return target
        time.sleep(0.2)
    stop_target(target)
    raise TargetError(f"{name} did not answer within {READY_TIMEOUT_S:.0f}s:\n{_log_tail(log)}")


def stop_target(target: Target) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers."""
    if target.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(target.process.pid, signal.SIGTERM)
    try:
        target.process.wait(STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(target.process.pid, signal.SIGKILL)
        target.process.wait()


@contextlib.contextmanager
def running_targets(
    servers: tuple[Server, ...], neo4j: Neo4jAccess, key_b64: str, run_dir: Path
) -> Iterator[dict[str, Target]]:
    """All targets started (in order), then all stopped, whatever happens in between."""
    started: dict[str, Target] = {}
    try:
        for server in servers:
            started[server.name] = start_target(server, neo4j, key_b64, run_dir)
        yield started
    finally:
        for target in started.values():
            stop_target(target)
