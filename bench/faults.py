"""Fault and load script (issue 14): a real `gridgraph serve` with its own Neo4j, hurt on purpose.

    make faults                       # = python -m bench.faults
    python -m bench.faults --seconds 20 --scale demo

What it does, in order, and the figures it prints (docs/operations.md keeps a run's):
1. body: a 50 MB POST is refused (413 PAYLOAD_TOO_LARGE) in < 100 ms, the server's RSS
   unchanged;
2. load: the p50 of a cheap read (`district(code: "370811")`) alone, then while 4 clients
   send the heaviest networkAnalysis the cost limit allows (3 aliases at 4 hops and 1,000
   nodes) without pause: goal <= 3x alone (CPU work in the process pool);
3. outage: Neo4j is killed (SIGKILL) under a read and write load: time to the first 503
   (goal <= 1 s), the slowest answer during the outage, serve's report of the dead JVM (no
   zombie); Neo4j is started again: time from Bolt answering to the first 200 (goal <= 5 s);
   every acknowledged write is still there and none answered 503 committed (idempotency keys
   replayed);
4. deadline: during the load of step 2, a batch of ten such operations answers 504 TIMEOUT
   at the request deadline (10 s);
5. the load of step 2 again with the thread pool (GRIDGRAPH_ANALYSIS_POOL=thread), to
   compare; then SIGTERM: serve exits and no Java process of its Neo4j is left.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from neo4j import AsyncGraphDatabase

from server.local_neo4j import LAUNCHER_MAIN, LocalNeo4j, LocalNeo4jConfig
from server.settings import DEFAULT_NEO4J_PASSWORD, PROJECT_ROOT

KEY = base64.b64encode(bytes(range(32))).decode()
CHEAP = '{ district(code: "370811") { code } }'
BODY_BYTES = 50 * 1024 * 1024
HEAVY_CLIENTS = 4


def _heavy(centre: str) -> str:
    fields = " ".join(
        f'a{i}: networkAnalysis(center: "{centre}", hops: 4, maxNodes: 1000) '
        "{ truncated persons { personId betweenness } clusters { size } }"
        for i in range(3)
    )
    return "{ " + fields + " }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _java_pids(home: Path) -> list[int]:
    """Live JVMs of our launcher with this data directory."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if LAUNCHER_MAIN.encode() in cmdline and str(home).encode() in cmdline and state != "Z":
                found.append(int(proc.name))
    return found


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms"


@dataclass
class Server:
    """One `gridgraph serve` subprocess and where it listens."""

    data_dir: Path
    neo4j_port: int
    pool: str
    seed: bool
    scale: str = "demo"
    deadline_s: float = 10.0
    process: subprocess.Popen[bytes] | None = None
    port: int = field(default_factory=_free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / f"serve-{self.port}.log"

    @property
    def neo4j(self) -> LocalNeo4jConfig:
        return LocalNeo4jConfig(
            home=self.data_dir / "neo4j",
            port=self.neo4j_port,
            password=DEFAULT_NEO4J_PASSWORD,
            heap_mb=768,
            pagecache_mb=256,
        )

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGRAPH_")} | {
            "GRIDGRAPH_MODE": "development",
            "GRIDGRAPH_DATA_DIR": str(self.data_dir),
            "GRIDGRAPH_PERSONAL_DATA_KEY": KEY,
            "GRIDGRAPH_HTTP_PORT": str(self.port),
            "GRIDGRAPH_LOCAL_NEO4J_PORT": str(self.neo4j_port),
            "GRIDGRAPH_LOCAL_NEO4J_HEAP_MB": "768",
            "GRIDGRAPH_LOCAL_NEO4J_PAGECACHE_MB": "256",
            "GRIDGRAPH_ANALYSIS_POOL": self.pool,
            "GRIDGRAPH_RATE_LIMIT_PER_S": "0",
            "GRIDGRAPH_SEED_SCALE": self.scale,
            "GRIDGRAPH_REQUEST_DEADLINE_S": str(self.deadline_s),
        }
        command = [sys.executable, "-m", "server.cli", "serve"]
        if not self.seed:
            command.append("--no-seed")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv
                command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).is_success:
                    return
            time.sleep(0.5)
        raise RuntimeError("serve did not become ready")

    def neo4j_pid(self) -> int:
        return int((self.data_dir / "neo4j" / "launcher.pid").read_text())

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def _post(client: httpx.AsyncClient, body: Any) -> tuple[int, Any, float]:
    began = time.monotonic()
    response = await client.post("/graphql", json=body)
    elapsed = time.monotonic() - began
    try:
        payload = response.json()
    except ValueError:
        payload = None
    return response.status_code, payload, elapsed


def _code(payload: Any) -> str | None:
    with contextlib.suppress(KeyError, IndexError, TypeError):
        return str(payload["errors"][0]["extensions"]["code"])
    return None


# -- 1. body ------------------------------------------------------------------------------


def body_limit(server: Server) -> dict[str, Any]:
    """Send a 50 MB body; time until the status line arrives; RSS before and after."""
    assert server.process is not None
    pid = server.process.pid
    before = _rss_mb(pid)
    sock = socket.create_connection(("127.0.0.1", server.port))
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {BODY_BYTES}\r\n\r\n"
    ).encode()
    chunk = b"x" * 65536
    began = time.monotonic()
    sock.sendall(head)
    sock.setblocking(False)
    sent, answer = 0, b""
    while b"\r\n\r\n" not in answer and time.monotonic() - began < 60:
        readable, writable, _ = select.select([sock], [sock] if sent < BODY_BYTES else [], [], 1)
        if readable:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        elif writable:
            with contextlib.suppress(BlockingIOError, BrokenPipeError, ConnectionResetError):
                sent += sock.send(chunk)
    elapsed = time.monotonic() - began
    sock.close()
    time.sleep(1)
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    return {
        "status": status,
        "refused_in_s": elapsed,
        "bytes_sent_before_answer": sent,
        "rss_before_mb": before,
        "rss_after_mb": _rss_mb(pid),
    }


# -- 2. load ------------------------------------------------------------------------------


async def _cheap_latencies(
    client: httpx.AsyncClient, seconds: float, failed: dict[str, int] | None = None
) -> list[float]:
    """Latencies of cheap reads sent one after the other; answers other than 200 counted."""
    latencies = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        status, payload, elapsed = await _post(client, {"query": CHEAP})
        latencies.append(elapsed)
        if failed is not None and (status != 200 or "errors" in payload):
            key = f"{status} {_code(payload)}"
            failed[key] = failed.get(key, 0) + 1
    return latencies


async def load(
    server: Server, centre: str, seconds: float, results: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Cheap-read p50 alone, then under HEAVY_CLIENTS clients of heavy networkAnalysis;
    with `results`, a batch of ten heavy operations meanwhile (results["deadline"])."""
    outcomes: dict[str, int] = {}
    cheap_failed: dict[str, int] = {}
    heavy_times: list[float] = []
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        await _cheap_latencies(client, 1)  # warm up
        alone = await _cheap_latencies(client, seconds / 2, cheap_failed)
        stop = asyncio.Event()

        async def heavy() -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as own:
                while not stop.is_set():
                    status, payload, elapsed = await _post(own, {"query": _heavy(centre)})
                    key = f"{status} {_code(payload) or 'ok'}"
                    outcomes[key] = outcomes.get(key, 0) + 1
                    heavy_times.append(elapsed)

        tasks = [asyncio.create_task(heavy()) for _ in range(HEAVY_CLIENTS)]
        await asyncio.sleep(2)  # the heavy load is running
        if results is not None:
            batch = asyncio.create_task(deadline(server, centre))
        loaded = await _cheap_latencies(client, seconds, cheap_failed)
        stop.set()
        await asyncio.gather(*tasks)
        if results is not None:
            results["deadline"] = _done("deadline", await batch)
    p50_alone, p50_loaded = statistics.median(alone), statistics.median(loaded)
    return {
        "pool": server.pool,
        "cheap_p50_alone_s": p50_alone,
        "cheap_p50_loaded_s": p50_loaded,
        "cheap_p90_loaded_s": statistics.quantiles(loaded, n=10)[-1],
        "cheap_max_loaded_s": max(loaded),
        "ratio": p50_loaded / p50_alone,
        "deadline_s": server.deadline_s,
        "cheap_not_200": cheap_failed,
        "heavy_requests": outcomes,
        "heavy_p50_s": statistics.median(heavy_times) if heavy_times else None,
    }


# -- 3. deadline --------------------------------------------------------------------------


async def deadline(server: Server, centre: str) -> dict[str, Any]:
    """A batch of ten heaviest operations: answered at the deadline, coded TIMEOUT."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        batch = [{"query": _heavy(centre)} for _ in range(10)]
        status, payload, elapsed = await _post(client, batch)
    code = _code(payload) if isinstance(payload, dict) else None
    return {
        "deadline_s": server.deadline_s,
        "status": status,
        "code": code,
        "answered_in_s": elapsed,
    }


# -- 4. outage ----------------------------------------------------------------------------

URGE = """mutation U($code: String!, $key: String) {
  urgeCase(code: $code, idempotencyKey: $key, note: "faults") { caseCode version replayed }
}"""


@dataclass
class Seen:
    sent: float
    done: float
    status: int
    code: str | None


async def _bolt_answers(uri: str) -> None:
    driver = AsyncGraphDatabase.driver(uri, auth=("neo4j", DEFAULT_NEO4J_PASSWORD))
    try:
        async with driver.session() as session:
            await (await session.run("RETURN 1")).consume()
    finally:
        await driver.close()


async def outage(server: Server, case_code: str) -> dict[str, Any]:
    """Kill Neo4j under load, start it again; time the 503s, the recovery, check writes."""
    seen: list[Seen] = []
    writes: dict[str, tuple[int, str | None, float]] = {}
    stop, warmed = asyncio.Event(), asyncio.Event()
    acknowledged: list[str] = []

    async def reader() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
            while not stop.is_set():
                sent = time.monotonic()
                status, payload, _ = await _post(client, {"query": CHEAP})
                code = _code(payload) if status != 200 or payload.get("errors") else None
                seen.append(Seen(sent, time.monotonic(), status, code))
                await asyncio.sleep(0.02)

    async def writer() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
            n = 0
            while not stop.is_set():
                n += 1
                key = f"faults-{os.getpid()}-{n}"
                variables = {"code": case_code, "key": key}
                status, payload, _ = await _post(client, {"query": URGE, "variables": variables})
                writes[key] = (status, _code(payload), time.monotonic())
                if status == 200 and _code(payload) is None:
                    acknowledged.append(key)
                    if len(acknowledged) >= 20:
                        warmed.set()
                await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(reader()) for _ in range(4)] + [asyncio.create_task(writer())]
    await asyncio.sleep(3)
    with contextlib.suppress(TimeoutError):  # some writes acknowledged before the kill
        await asyncio.wait_for(warmed.wait(), 60)
    pid = server.neo4j_pid()
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(4)  # the outage
    zombie_or_alive = await asyncio.to_thread(Path(f"/proc/{pid}").exists)
    reported = "was killed by SIGKILL" in server.output()
    # Neo4j comes back (started by us, as an operator would); Bolt polled meanwhile
    neo4j = LocalNeo4j(server.neo4j)
    restart = asyncio.create_task(asyncio.to_thread(neo4j.start))
    bolt_at = None
    while bolt_at is None:
        try:
            await _bolt_answers(server.neo4j.bolt_uri)
            bolt_at = time.monotonic()
        except Exception:  # not up yet
            await asyncio.sleep(0.05)
    restart_error = None
    try:
        await restart
    except Exception as error:  # the launcher gave up (a very busy machine): reported
        restart_error = str(error).splitlines()[0]
    await asyncio.sleep(8)
    stop.set()
    await asyncio.gather(*tasks)

    after_kill = [s for s in seen if s.done >= killed]
    first_503 = min((s.done for s in after_kill if s.status == 503), default=None)
    first_ok = min(
        (s.done for s in after_kill if s.status == 200 and s.done > bolt_at), default=None
    )
    during = [s for s in after_kill if s.done <= bolt_at]
    # every write key again: acknowledged ones must be replayed (kept), refused ones must not
    # have committed (a replay of a key that was answered 503 must run now, not replay)
    lost, committed_after_refusal, refused = 0, 0, 0
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        for key, (status, code, _) in writes.items():
            variables = {"code": case_code, "key": key}
            _, payload, _ = await _post(client, {"query": URGE, "variables": variables})
            replayed = bool(((payload or {}).get("data") or {}).get("urgeCase", {}).get("replayed"))
            if status == 200 and code is None and not replayed:
                lost += 1
            if status != 200 or code is not None:
                refused += 1
                committed_after_refusal += replayed
    written_ok = [at for status, code, at in writes.values() if status == 200 and code is None]
    first_write = min((at for at in written_ok if at > bolt_at), default=None)
    write_answers: dict[str, int] = {}
    for status, code, _ in writes.values():
        key = f"{status} {code or 'ok'}"
        write_answers[key] = write_answers.get(key, 0) + 1
    statuses: dict[str, int] = {}
    for s in after_kill:
        key = f"{s.status} {s.code or 'ok'}"
        statuses[key] = statuses.get(key, 0) + 1
    return {
        "first_503_after_kill_s": None if first_503 is None else first_503 - killed,
        "slowest_answer_during_outage_s": max((s.done - s.sent for s in during), default=None),
        "answers_after_kill": statuses,
        "neo4j_reaped": not zombie_or_alive,
        "neo4j_death_reported": reported,
        "first_200_after_bolt_s": None if first_ok is None else first_ok - bolt_at,
        "first_write_after_bolt_s": None if first_write is None else first_write - bolt_at,
        "write_answers": write_answers,
        "writes": len(writes),
        "writes_acknowledged": len(writes) - refused,
        "acknowledged_writes_lost": lost,
        "refused_writes_that_committed": committed_after_refusal,
        "restart_error": restart_error,
        "restarted_neo4j": neo4j,
    }


# -- 5. SIGTERM ---------------------------------------------------------------------------


def sigterm(server: Server) -> dict[str, Any]:
    assert server.process is not None
    home = server.neo4j.home
    before = _java_pids(home)
    began = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    status = server.process.wait(120)
    return {
        "java_before": len(before),
        "exit_status": status,
        "exited_in_s": time.monotonic() - began,
        "java_left": len(_java_pids(home)),
        "said_so": "stopping the local Neo4j" in server.output(),
    }


# -- the run ------------------------------------------------------------------------------


async def _pick(server: Server) -> tuple[str, str]:
    """A grid to centre networks on, and an accepted case to urge."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        query = (
            "{ cases(filter: {status: ACCEPTED}, first: 1) "
            "{ edges { node { code grid { code } } } } }"
        )
        _, payload, _ = await _post(client, {"query": query})
    node = payload["data"]["cases"]["edges"][0]["node"]
    grid = base64.urlsafe_b64encode(f"Grid:{node['grid']['code']}".encode()).decode()
    return grid, node["code"]


@contextlib.contextmanager
def _data_dir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="gridgraph-faults-") as directory:
        yield Path(directory)


def _report(results: dict[str, Any]) -> None:
    body, loads, late = results["body"], results["load"], results["deadline"]
    down, term = results["outage"], results["sigterm"]
    print("\n== issue 14 fault and load figures ==")
    print(
        f"50 MB body: {body['status']!r} in {_ms(body['refused_in_s'])} "
        f"(goal < 100 ms), RSS {body['rss_before_mb']:.0f} -> {body['rss_after_mb']:.0f} MB, "
        f"{body['bytes_sent_before_answer']:,} bytes sent before the answer"
    )
    for run in loads:
        print(
            f"cheap read p50 ({run['pool']} pool): alone {_ms(run['cheap_p50_alone_s'])}, "
            f"under {HEAVY_CLIENTS} heavy networkAnalysis clients {_ms(run['cheap_p50_loaded_s'])} "
            f"(p90 {_ms(run['cheap_p90_loaded_s'])}, max {_ms(run['cheap_max_loaded_s'])}): "
            f"{run['ratio']:.1f}x (goal <= 3x); cheap reads not answered 200: "
            f"{run['cheap_not_200'] or 'none'}; heavy requests {run['heavy_requests']}, "
            f"heavy p50 {_ms(run['heavy_p50_s'])}; request deadline {run['deadline_s']:g} s"
        )
    print(
        f"batch of ten heaviest operations, deadline {late['deadline_s']:g} s: "
        f"HTTP {late['status']} {late['code']} after {late['answered_in_s']:.2f} s"
    )
    print(
        f"Neo4j SIGKILL: first 503 after {_ms(down['first_503_after_kill_s'])} (goal <= 1 s), "
        f"slowest answer during the outage {_ms(down['slowest_answer_during_outage_s'])}, "
        f"reaped {down['neo4j_reaped']}, reported {down['neo4j_death_reported']}; "
        f"answers {down['answers_after_kill']}"
    )
    print(
        f"Neo4j back: first 200 {_ms(down['first_200_after_bolt_s'])} after Bolt answered "
        f"(goal <= 5 s); first acknowledged write {_ms(down['first_write_after_bolt_s'])} after"
        + (f"; the restart failed: {down['restart_error']}" if down["restart_error"] else "")
    )
    print(
        f"writes: {down['writes']} sent, {down['writes_acknowledged']} acknowledged, "
        f"{down['acknowledged_writes_lost']} acknowledged lost, "
        f"{down['refused_writes_that_committed']} refused but committed; "
        f"answers {down['write_answers']}"
    )
    print(
        f"SIGTERM: exit {term['exit_status']} in {term['exited_in_s']:.1f} s, Java processes "
        f"{term['java_before']} -> {term['java_left']}, said so: {term['said_so']}"
    )


def _done(name: str, result: Any) -> Any:
    print(f"   {name}: {result}", flush=True)
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"load": []}
    with _data_dir(args.data_dir) as data_dir:
        neo4j_port = _free_port()
        first = Server(data_dir, neo4j_port, "process", seed=True, scale=args.scale)
        print(f"serve with its own Neo4j (data in {data_dir}), seeding {args.scale} ...")
        restarted: LocalNeo4j | None = None
        try:
            first.start()
            centre, case_code = await _pick(first)
            print("1. body limit ...")
            results["body"] = _done("body", body_limit(first))
            print("2. load (process pool), with a batch of ten heavy operations meanwhile ...")
            loaded = await load(first, centre, args.seconds, results)
            results["load"].append(_done("load", loaded))
            print("3. Neo4j killed and started again ...")
            outage_result = await outage(first, case_code)
            restarted = outage_result.pop("restarted_neo4j")
            results["outage"] = _done("outage", outage_result)
        finally:
            first.kill()
            if restarted is not None:
                restarted.stop()
        second = Server(data_dir, neo4j_port, "thread", seed=False)
        try:
            second.start()
            print("5. load (thread pool), then SIGTERM ...")
            results["load"].append(_done("load", await load(second, centre, args.seconds)))
            results["sigterm"] = _done("sigterm", sigterm(second))
        finally:
            second.kill()
            for pid in _java_pids(data_dir / "neo4j"):
                os.kill(pid, signal.SIGKILL)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20, help="cheap-read sampling time")
    parser.add_argument("--scale", default="demo", help="seed scale (GRIDGRAPH_SEED_SCALE)")
    parser.add_argument("--data-dir", type=Path, help="keep the data here (default: temporary)")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    _report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
