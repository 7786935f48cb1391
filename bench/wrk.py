"""The compiled load generator: wrk (https://github.com/wg/wrk, Debian package `wrk`).

A C program with one event-loop thread takes a few per cent of a core where the Python
generator takes most of one, so on a 2-core machine it leaves the servers their CPU. Each
timed slice replays a *plan*: the exact HTTP requests the Python client sends for the
slice's operations (captured once through bench/clients.py, so bodies, cursors and bearer
tokens are the same), POSTed in turn by `bench/lua/plan.lua` over `concurrency` keep-alive
connections in a closed loop. wrk times requests, not operations: its latencies are per
request (the 3-page `community_walk` is 3 requests), and operations/s is requests/s times
the plan's operations per request.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.clients import run_operation
from bench.endpoints import Endpoint
from bench.operations import Operation
from bench.targets import BENCH_DIR

SCRIPT = BENCH_DIR / "lua" / "plan.lua"
INSTALL_HINT = (
    "wrk not found: install it (Debian/Ubuntu: `sudo apt-get install -y wrk`; macOS: "
    "`brew install wrk`) or run the bench with `--loadgen python`"
)
TIMEOUT = "60s"  # as the Python client's: a slow answer is a slow sample, not an error


class WrkMissing(RuntimeError):
    """wrk is not installed and could not be installed."""


@dataclass(frozen=True)
class PlannedRequest:
    path: str
    body: bytes


@dataclass(frozen=True)
class Plan:
    """What one wrk slice replays: requests in order, with the headers of the target."""

    requests: tuple[PlannedRequest, ...]
    headers: dict[str, str]
    operations: int  # operations the requests make up (requests / operations: pages)


@dataclass(frozen=True)
class WrkSlice:
    """One timed wrk slice of one target: `scope` is 'mix' or an operation's name."""

    target: str
    scope: str
    seconds: float
    requests: int
    ok_requests: int
    errors: int  # bad answers, socket errors and timeouts
    requests_per_operation: float
    round_trips_per_request: float | None
    quantiles_us: list[tuple[float, int]]  # (percentile, latency) per request
    cpu_s: float  # wrk's own CPU (user + system)
    server_cpu_s: float | None = None  # the target's processes' CPU during the slice
    neo4j_cpu_s: float | None = None  # Neo4j's CPU during the slice (bench/cpu.py)


def _apt(*args: str) -> int:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(  # noqa: S603 - fixed argv
        ["apt-get", "-q", *args],  # noqa: S607 - apt-get from PATH, as a user would run it
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    ).returncode


def _apt_install() -> None:
    if _apt("install", "-y", "wrk") != 0:  # the package lists may be missing or stale
        _apt("update")
        _apt("install", "-y", "wrk")


def find_wrk(install: bool = True) -> str:
    """wrk's path; installed with apt-get first when missing and running as root on Debian."""
    found = shutil.which("wrk")
    if found is None and install and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing the Debian package wrk (apt-get) ...", flush=True)
        _apt_install()
        found = shutil.which("wrk")
    if found is None:
        raise WrkMissing(INSTALL_HINT)
    return found


async def capture(
    endpoint: Endpoint, operation: Operation, params: dict[str, Any]
) -> list[PlannedRequest]:
    """The requests the Python client sends for one run of `operation` (all its pages)."""
    sent: list[PlannedRequest] = []

    async def record(request: httpx.Request) -> None:
        sent.append(PlannedRequest(request.url.raw_path.decode(), request.content))

    async with endpoint.client() as client:
        client.event_hooks["request"] = [record]
        await run_operation(client, endpoint.kind, operation, params)
    return sent


async def make_plan(
    endpoint: Endpoint, operations: tuple[Operation, ...], params: dict[str, Any]
) -> Plan:
    """A plan running every operation once per cycle, in order."""
    requests: list[PlannedRequest] = []
    for operation in operations:
        requests += await capture(endpoint, operation, params)
    headers = {"Content-Type": "application/json", **endpoint.headers}
    return Plan(tuple(requests), headers, len(operations))


def lua_string(value: str | bytes) -> str:
    """A Lua 5.1 string literal of exactly these bytes (non-ASCII as decimal escapes)."""
    data = value.encode() if isinstance(value, str) else value
    out = ['"']
    for byte in data:
        char = chr(byte)
        if 32 <= byte < 127 and char not in '"\\':
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    out.append('"')
    return "".join(out)


def plan_lua(plan: Plan, output: Path) -> str:
    """The plan file bench/lua/plan.lua loads."""
    headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in plan.headers.items())
    requests = ",\n  ".join(
        f"{{{lua_string(r.path)}, {lua_string(r.body)}}}" for r in plan.requests
    )
    return (
        f"return {{\n output = {lua_string(str(output))},\n headers = {{{headers}}},\n"
        f" requests = {{\n  {requests}\n }}\n}}\n"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    wrk: str,
    base_url: str,
    plan: Plan,
    work_dir: Path,
    concurrency: int,
    duration_s: float,
    target: str,
    scope: str,
) -> WrkSlice:
    """One wrk run of `plan` against `base_url` for `duration_s` seconds (one thread)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{target}-{scope}"
    plan_file, output = work_dir / f"{stem}.plan.lua", work_dir / f"{stem}.json"
    plan_file.write_text(plan_lua(plan, output))
    with contextlib.suppress(FileNotFoundError):
        output.unlink()
    command = [
        wrk,
        "--threads",
        "1",
        "--connections",
        str(concurrency),
        "--duration",
        f"{max(1, round(duration_s))}s",
        "--timeout",
        TIMEOUT,
        "--script",
        str(SCRIPT),
        base_url,
    ]
    cpu_before = _children_cpu()
    done = subprocess.run(  # noqa: S603 - fixed argv
        command,
        env=dict(os.environ, GRIDGRAPH_WRK_PLAN=str(plan_file)),
        capture_output=True,
        text=True,
        check=False,
    )
    cpu_s = _children_cpu() - cpu_before
    if done.returncode != 0 or not output.exists():
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    return parse_result(json.loads(output.read_text()), plan, target, scope, cpu_s)


def parse_result(
    raw: dict[str, Any], plan: Plan, target: str, scope: str, cpu_s: float
) -> WrkSlice:
    """A WrkSlice from what plan.lua's done() wrote."""
    tripped = raw["tripped"]
    return WrkSlice(
        target=target,
        scope=scope,
        seconds=raw["duration_us"] / 1e6,
        requests=raw["requests"],
        ok_requests=raw["ok"],
        errors=raw["bad"] + raw["socket_errors"] + raw["timeouts"],
        requests_per_operation=len(plan.requests) / plan.operations,
        round_trips_per_request=raw["trips"] / tripped if tripped else None,
        quantiles_us=[(float(p), int(v)) for p, v in raw["quantiles_us"]],
        cpu_s=round(cpu_s, 3),
    )


def pooled_percentile(slices: list[WrkSlice], fraction: float) -> float:
    """The latency (seconds) at `fraction` of all the slices' requests pooled: each slice's
    quantile points weighted by its share of requests (exact to the points' 0.5 % steps)."""
    weighted: list[tuple[int, float]] = []
    for one in slices:
        previous = 0.0
        for percent, value in one.quantiles_us:
            weighted.append((value, one.requests * (percent - previous) / 100))
            previous = percent
    if not weighted:
        return 0.0
    weighted.sort()
    total = sum(weight for _, weight in weighted)
    running = 0.0
    for value, weight in weighted:
        running += weight
        if running >= fraction * total - 1e-9:
            return value / 1e6
    return weighted[-1][0] / 1e6
