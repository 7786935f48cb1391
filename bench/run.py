"""One benchmark run: Neo4j, seed, parameters, the servers (GridGraph, in each variant of
--gridgraph-workers / --uvicorn-stack, called as each principal of --principals; the floor;
the peer), the correctness check, the round-robin timed slices (wrk or the Python load
generator), the report. `python -m bench --help` for the options."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import report
from bench.catalog import SINGLE_LOOKUPS, select
from bench.compare import Agreement, check_operation
from bench.database import KEY_B64, local_neo4j, open_graph, prepare
from bench.endpoints import Endpoint, endpoints
from bench.loadgen import Slice
from bench.operations import Operation
from bench.params import choose_params
from bench.principals import PRINCIPALS, BenchPrincipal, parse_principals
from bench.targets import BENCH_DIR, Server, ensure_peer_installed, running_targets
from bench.timing import Timing, timed_python, timed_wrk, wrk_plans
from bench.wrk import WrkMissing, WrkSlice, find_wrk
from seeds.plan import Scale

STACKS = {"auto": ("auto",), "plain": ("plain",), "both": ("auto", "plain")}


@dataclass(frozen=True)
class Options:
    scale: Scale
    concurrency: int
    duration_s: float
    rounds: int
    warmup_s: float
    operations: tuple[Operation, ...]
    principals: tuple[BenchPrincipal, ...]
    json_out: Path | None
    heap_mb: int
    pagecache_mb: int
    smoke: bool
    loadgen: str  # auto | wrk | python
    slices: str | None  # mix | each | both; None: the generator's default
    gridgraph_workers: tuple[int, ...]
    stacks: tuple[str, ...]

    def servers(self) -> tuple[Server, ...]:
        """GridGraph's variants (the default first: the ratios' baseline), the floor, the peer."""
        gridgraph = [
            Server("gridgraph", workers, stack)
            for stack in self.stacks
            for workers in self.gridgraph_workers
        ]
        return (*gridgraph, Server("floor"), Server("peer"))

    def timing(self, loadgen: str) -> Timing:
        slices = self.slices or ("both" if loadgen == "wrk" else "mix")
        return Timing(
            loadgen, slices, self.concurrency, self.duration_s, self.rounds, self.warmup_s
        )


def _workers(text: str) -> tuple[int, ...]:
    values = tuple(dict.fromkeys(int(part) for part in text.split(",") if part.strip()))
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("positive worker counts, comma-separated")
    return values


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=[s.value for s in Scale], default="demo")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per slice")
    parser.add_argument("--rounds", type=int, default=3, help="slices per target")
    parser.add_argument("--warmup", type=float, default=5.0, help="untimed seconds per target")
    parser.add_argument(
        "--operations",
        help="comma-separated operations or groups: mix (the default), lookups "
        f"({', '.join(SINGLE_LOOKUPS)}), all; e.g. --operations case_parties",
    )
    parser.add_argument(
        "--loadgen",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="wrk: the compiled generator (installed with apt-get when missing and root); "
        "python: bench/loadgen.py, reporting its own CPU; auto: wrk when it can be had",
    )
    parser.add_argument(
        "--slices",
        choices=["mix", "each", "both"],
        help="timed slices per target and round: the mix, each operation alone, or both "
        "(default: both with wrk, which times requests only; mix with python)",
    )
    parser.add_argument(
        "--gridgraph-workers",
        type=_workers,
        default=(1,),
        help="uvicorn worker processes of GridGraph, e.g. 1,2: one server (targets suffixed "
        "-wN) per count, side by side",
    )
    parser.add_argument(
        "--uvicorn-stack",
        choices=sorted(STACKS),
        default="auto",
        help="auto: what `gridgraph serve` runs (httptools, uvloop); plain: asyncio + h11; "
        "both: GridGraph once each (plain targets suffixed -plain)",
    )
    parser.add_argument(
        "--principals",
        default=",".join(p.key for p in PRINCIPALS),
        help="GridGraph is measured as each of these (comma-separated; anonymous required): "
        + "; ".join(f"{p.key}: {p.summary}" for p in PRINCIPALS),
    )
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--neo4j-heap-mb", type=int, default=2048)
    parser.add_argument("--neo4j-pagecache-mb", type=int, default=1024)
    parser.add_argument(
        "--smoke", action="store_true", help="CI: tiny, 0.5 s slices, concurrency 2, one round"
    )
    args = parser.parse_args(argv)
    if args.smoke and not args.operations:
        args.operations = "all"  # the lookups' answers are checked too
    try:
        operations = select(args.operations)
        principals = parse_principals(args.principals)
    except ValueError as error:
        parser.error(str(error))
    if args.smoke:  # five targets x one mix slice (0.25 + 0.5 s; wrk: 1 + 1 s) of load
        args.scale, args.concurrency, args.duration, args.rounds, args.warmup = (
            "tiny",
            2,
            0.5,
            1,
            0.25,
        )
        args.neo4j_heap_mb, args.neo4j_pagecache_mb = 512, 256
        args.slices = args.slices or "mix"
    return Options(
        Scale(args.scale),
        args.concurrency,
        args.duration,
        args.rounds,
        args.warmup,
        operations,
        principals,
        args.json,
        args.neo4j_heap_mb,
        args.neo4j_pagecache_mb,
        args.smoke,
        args.loadgen,
        args.slices,
        args.gridgraph_workers,
        STACKS[args.uvicorn_stack],
    )


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv
            command, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "?"
    lines = (done.stdout or done.stderr).strip().splitlines()  # java -version uses stderr
    return lines[0] if lines else "?"


def _wrk_version(wrk: str) -> str:
    """`wrk --version` prints its version and exits 1."""
    done = subprocess.run(  # noqa: S603 - fixed argv
        [wrk, "--version"], capture_output=True, text=True, check=False
    )
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def machine() -> dict[str, Any]:
    meminfo = (
        Path("/proc/meminfo").read_text().splitlines()[0] if Path("/proc/meminfo").exists() else ""
    )
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        models = [ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln]
        cpu = models[0].split(":", 1)[1].strip() if models else ""
    node = shutil.which("node")
    java = shutil.which("java")
    return {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": meminfo.split(":", 1)[-1].strip(),
        "python": platform.python_version(),
        "node": _version([node, "--version"]) if node else "?",
        "java": _version([java, "-version"]) if java else "?",
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (what `uptime` shows)."""
    return [round(value, 2) for value in os.getloadavg()]


async def _check(
    targets: dict[str, Endpoint], options: Options, params: dict[str, Any]
) -> list[Agreement]:
    return [await check_operation(targets, op, params) for op in options.operations]


def _loadgen(options: Options) -> tuple[str, str | None]:
    """The generator to use and wrk's path: wrk when asked for or (auto) when it can be had."""
    if options.loadgen == "python":
        return "python", None
    try:
        return "wrk", find_wrk()
    except WrkMissing as error:
        if options.loadgen == "wrk":
            raise
        print(f"{error}; timing with the Python load generator instead", flush=True)
        return "python", None


def _time(
    targets: dict[str, Endpoint],
    options: Options,
    params: dict[str, Any],
    loadgen: str,
    wrk: str | None,
    run_dir: Path,
    neo4j_pid: int | None = None,
) -> list[Slice] | list[WrkSlice]:
    timing = options.timing(loadgen)
    if wrk is None:
        return asyncio.run(timed_python(targets, timing, options.operations, params))
    plans = asyncio.run(wrk_plans(targets, timing, options.operations, params))
    return timed_wrk(wrk, targets, plans, timing, options.operations, run_dir / "wrk", neo4j_pid)


def _write(document: dict[str, Any], options: Options) -> Path:
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = results / f"{stamp}-{options.scale.value}{'-smoke' if options.smoke else ''}.json"
    text = json.dumps(document, ensure_ascii=False, indent=1)
    path.write_text(text)
    if options.json_out is not None:
        options.json_out.parent.mkdir(parents=True, exist_ok=True)
        options.json_out.write_text(text)
    return path


def run(options: Options) -> int:
    """The whole run; 0 when all targets agreed (and were timed), 1 on a mismatch."""
    names = [op.name for op in options.operations]
    document: dict[str, Any] = {
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "options": {
            "scale": options.scale.value,
            "concurrency": options.concurrency,
            "duration_s": options.duration_s,
            "rounds": options.rounds,
            "warmup_s": options.warmup_s,
            "operations": names,
            "principals": [p.key for p in options.principals],
            "smoke": options.smoke,
            "gridgraph_workers": list(options.gridgraph_workers),
            "uvicorn_stacks": list(options.stacks),
        },
        "machine": machine(),
    }
    ensure_peer_installed()
    loadgen, wrk = _loadgen(options)
    document["options"]["loadgen"] = loadgen
    document["options"]["slices"] = options.timing(loadgen).slices
    document["machine"]["wrk"] = _wrk_version(wrk) if wrk else None
    with tempfile.TemporaryDirectory(prefix="gridgraph-bench-") as tmp:
        run_dir = Path(tmp)
        with local_neo4j(run_dir / "neo4j", options.heap_mb, options.pagecache_mb) as access:
            began = time.monotonic()
            graph = open_graph(access)

            async def seed_and_choose() -> dict[str, Any]:
                try:
                    await prepare(graph, options.scale, progress=not options.smoke)
                    return await choose_params(graph)
                finally:
                    await graph.close()

            params = asyncio.run(seed_and_choose())
            document["seed_s"] = round(time.monotonic() - began, 1)
            document["params"] = params
            print(f"seeded {options.scale.value} in {document['seed_s']} s; params {params}")
            with running_targets(options.servers(), access, KEY_B64, run_dir) as servers:
                targets = endpoints(servers, options.principals, params)
                agreements = asyncio.run(_check(targets, options, params))
                document["correctness"] = [asdict(a) for a in agreements]
                for a in agreements:
                    print(
                        f"  {a.operation:<22} {'agree' if a.agreed else 'MISMATCH'}"
                        f"  round trips {a.round_trips}"
                    )
                    if not a.agreed:
                        print(a.diff)
                if not all(a.agreed for a in agreements):
                    print(f"results: {_write(document, options)}")
                    return 1
                load_before = load_average()
                slices = _time(targets, options, params, loadgen, wrk, run_dir, access.pid)
                document["load_average"] = {"before": load_before, "after": load_average()}
    summary = report.summarise(slices, names)
    document["summary"] = summary
    document["ratios"] = report.all_ratios(summary)
    print(report.table(summary, names))
    print()
    print(report.ratio_table(summary, names))
    for extra in (
        report.security_table(summary, names),
        report.targets_table(summary, names),
        report.variants_table(summary, names),
    ):
        if extra:
            print()
            print(extra)
    print(f"load average (1, 5, 15 min) before / after timing: {document['load_average']}")
    print(f"results: {_write(document, options)}")
    return 0


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through every `finally`: servers and Neo4j stop


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return run(parse(argv))
    except KeyboardInterrupt:
        print("interrupted; everything stopped", file=sys.stderr)
        return 130
    except WrkMissing as error:
        print(f"python -m bench: {error}", file=sys.stderr)
        return 2
