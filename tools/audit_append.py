"""Measure audit appends: one transaction per record vs group commit (graph/audit_group.py).

    .venv/bin/python -m tools.audit_append [--records 2000] [--rounds 2]

Starts a throwaway local Neo4j (or uses GRIDGRAPH_NEO4J_URI / GRIDGRAPH_NEO4J_PASSWORD),
then appends N records at concurrency 1 and 8 with each path and prints records/s; then two
processes at concurrency 8 each, appending to the one head ('main'), and, for comparison,
each to a head of its own (the statement with another head id: what per-process heads would
cost at most). Every run starts from an empty log and ends with `verify` (single head).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

from graph.audit import (
    APPEND_BATCH,
    GENESIS_HASH,
    SEPARATOR,
    Appended,
    AuditEntry,
    append_audit_entry,
)
from graph.audit_group import AuditAppender
from graph.audit_verify import verify_audit_log
from graph.client import GraphClient, open_driver
from graph.migrations import apply_migrations

PASSWORD = "gridgraph-bench"  # noqa: S105 - a throwaway local database
CLEAR: LiteralString = (
    "MATCH (n) WHERE n:AuditRecord OR n:AuditHead OR n:BenchRecord OR n:BenchHead DETACH DELETE n"
)
# APPEND_BATCH on a head of this process's own, records keyed by (head, seq): what
# per-process heads would cost, measured only (other labels, so `verify` ignores them).
OWN_HEAD: LiteralString = APPEND_BATCH.replace(
    "AuditHead {id: 'main'}", "BenchHead {id: $head}"
).replace("(:AuditRecord {\n", "(:BenchRecord {\n  head: $head,\n")
BENCH_SCHEMA: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT bench_head IF NOT EXISTS FOR (h:BenchHead) REQUIRE h.id IS UNIQUE",
    "CREATE CONSTRAINT bench_record IF NOT EXISTS FOR (r:BenchRecord)"
    " REQUIRE (r.head, r.seq) IS UNIQUE",
    "CREATE INDEX bench_record_at IF NOT EXISTS FOR (r:BenchRecord) ON (r.at)",
)


def sample_entry(n: int) -> AuditEntry:
    """A typical record: an investigator's page of residents."""
    return AuditEntry(
        at=datetime.now(UTC),
        subject=f"user-{n % 50}",
        role="investigator",
        credential="jwt",
        purpose="C-2025-0001",
        operation_name="Residents",
        document_hash="ab" * 32,
        variables={"grid": "370811001001001", "first": 20, "filter": {"namePrefix": "[redacted]"}},
        records=20,
        outcome="ok",
    )


@dataclass
class Run:
    records: int
    seconds: float
    transactions: int

    @property
    def rate(self) -> float:
        return self.records / self.seconds


async def run_path(graph: GraphClient, path: str, records: int, concurrency: int) -> Run:
    """Append `records` records with `concurrency` callers; `path` is old, group or own-head."""
    appender = AuditAppender(graph) if path == "group" else _OwnHeadAppender(graph)
    remaining = records
    transactions = 0

    async def caller() -> None:
        nonlocal remaining, transactions
        while remaining > 0:
            remaining -= 1
            entry = sample_entry(remaining)
            if path == "old":
                await append_audit_entry(graph, entry)
                transactions += 1
            else:  # group, or own-head: grouped the same way, to a head of this process
                await appender.append(entry)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return Run(records, seconds, transactions if path == "old" else appender.batches)


class _OwnHeadAppender(AuditAppender):
    """The group appender writing to this process's own head (measurement only)."""

    async def _commit(self, batch: list[Any]) -> None:
        params = {"entries": [w.params for w in batch], "genesis": GENESIS_HASH}
        head = f"bench-{os.getpid()}"
        rows = await self.graph.write(OWN_HEAD, {**params, "separator": SEPARATOR, "head": head})
        self.batches += 1
        self.records += len(batch)
        for waiting, row in zip(batch, rows, strict=True):
            waiting.future.set_result(Appended(seq=row["seq"], hash=row["hash"]))


def client(uri: str, password: str) -> GraphClient:
    return GraphClient(open_driver(uri, "neo4j", password), "neo4j")


async def single_process(uri: str, password: str, records: int, rounds: int) -> None:
    graph = client(uri, password)
    try:
        for concurrency in (1, 8):
            for path in ("old", "group"):
                runs = []
                for _ in range(rounds):
                    await graph.write(CLEAR)
                    runs.append(await run_path(graph, path, records, concurrency))
                    report = await verify_audit_log(graph)
                    assert report.intact and report.records == records, report.describe()
                best = max(runs, key=lambda run: run.rate)
                rates = ", ".join(f"{run.rate:.0f}" for run in runs)
                print(
                    f"1 process  c={concurrency}  {path:<8} {best.rate:7.0f} records/s"
                    f"  ({best.transactions} transactions; rounds: {rates})",
                    flush=True,
                )
    finally:
        await graph.close()


async def worker(uri: str, password: str, path: str, records: int, start_at: float) -> None:
    """One of the processes of the two-process run: wait for the common start, then append."""
    graph = client(uri, password)
    try:
        await graph.read("RETURN 1 AS one")  # connect before the start
        await asyncio.sleep(max(0.0, start_at - time.time()))
        run = await run_path(graph, path, records, 8)
        print(json.dumps({"records": run.records, "seconds": run.seconds, "start": start_at}))
    finally:
        await graph.close()


def two_processes(uri: str, password: str, records: int, rounds: int) -> None:
    for path in ("old", "group", "own-head"):
        rates = []
        for _ in range(rounds):
            asyncio.run(_clear(uri, password))
            start_at = time.time() + 3.0
            command = [sys.executable, "-m", "tools.audit_append", "--worker", path]
            command += ["--records", str(records), "--start-at", str(start_at)]
            env = {**os.environ, "GRIDGRAPH_NEO4J_URI": uri, "GRIDGRAPH_NEO4J_PASSWORD": password}
            workers = [subprocess.Popen(command, stdout=subprocess.PIPE, env=env) for _ in "ab"]  # noqa: S603
            outputs = [json.loads(w.communicate()[0]) for w in workers]
            elapsed = max(out["seconds"] for out in outputs)
            rates.append(sum(out["records"] for out in outputs) / elapsed)
            if path != "own-head":
                asyncio.run(_verify(uri, password, 2 * records))
        shown = ", ".join(f"{rate:.0f}" for rate in rates)
        print(
            f"2 processes c=8 each  {path:<8} {max(rates):7.0f} records/s total (rounds: {shown})",
            flush=True,
        )


async def _clear(uri: str, password: str) -> None:
    graph = client(uri, password)
    try:
        await graph.write(CLEAR)
    finally:
        await graph.close()


async def _verify(uri: str, password: str, records: int) -> None:
    graph = client(uri, password)
    try:
        report = await verify_audit_log(graph)
        assert report.intact and report.records == records, report.describe()
    finally:
        await graph.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000, help="records per run (and process)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per figure (best shown)")
    parser.add_argument("--part", choices=("all", "one", "two"), default="all", help="processes")
    parser.add_argument("--worker", choices=("old", "group", "own-head"), help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    uri = os.environ.get("GRIDGRAPH_NEO4J_URI")
    password = os.environ.get("GRIDGRAPH_NEO4J_PASSWORD", PASSWORD)
    if args.worker:
        assert uri is not None
        asyncio.run(worker(uri, password, args.worker, args.records, args.start_at))
        return
    if uri is not None:
        measure(uri, password, args.records, args.rounds, args.part)
        return
    from server.local_neo4j import LocalNeo4j, LocalNeo4jConfig

    with tempfile.TemporaryDirectory(prefix="gridgraph-audit-bench-") as home:
        config = LocalNeo4jConfig(home=Path(home), port=free_port(), password=PASSWORD)
        local = LocalNeo4j(config)
        local.start()
        try:
            measure(config.bolt_uri, PASSWORD, args.records, args.rounds, args.part)
        finally:
            local.stop()


def measure(uri: str, password: str, records: int, rounds: int, part: str = "all") -> None:
    print(f"{records} records per run, best of {rounds}; {os.cpu_count()} CPUs", flush=True)
    asyncio.run(prepare(uri, password))
    if part != "two":
        asyncio.run(single_process(uri, password, records, rounds))
    if part != "one":
        two_processes(uri, password, records, rounds)


async def prepare(uri: str, password: str) -> None:
    graph = client(uri, password)
    try:
        await apply_migrations(graph)
        for statement in BENCH_SCHEMA:
            await graph.write(statement)
    finally:
        await graph.close()


if __name__ == "__main__":
    main()
