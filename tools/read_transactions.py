"""Measure one read through the Neo4j driver: managed transaction vs auto-commit.

    .venv/bin/python -m tools.read_transactions [--calls 500] [--rounds 2]

GraphClient.read (graph/client.py) runs reads as auto-commit transactions (one RUN+PULL
exchange); the driver's `execute_query` and `session.execute_read` run a managed transaction
(BEGIN, RUN+PULL, COMMIT). Starts a throwaway local Neo4j (or uses GRIDGRAPH_NEO4J_URI /
GRIDGRAPH_NEO4J_PASSWORD), writes a few nodes, then times the same small read made each way,
one after another, and prints the process's CPU time and the wall time per call (the best of
the rounds). CPU time is what one Python process has to spend per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, LiteralString

from neo4j import READ_ACCESS, AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Query

PASSWORD = "read-transactions"  # noqa: S105 (a throwaway local Neo4j)
SETUP: LiteralString = (
    "UNWIND range(1, 20) AS i MERGE (c:BenchCase {code: 'C' + i})"
    " WITH c, i UNWIND range(1, 3) AS j"
    " MERGE (p:BenchPerson {id: 'P' + i + '-' + j}) SET p.name = 'name ' + j"
    " MERGE (p)-[:PARTY_TO {role: 'party'}]->(c)"
)
READ: LiteralString = (
    "MATCH (c:BenchCase {code: $code}) OPTIONAL MATCH (c)<-[r:PARTY_TO]-(p:BenchPerson)"
    " RETURN c.code AS code, collect({role: r.role, name: p.name, id: p.id}) AS parties"
)
CLEAN: LiteralString = "MATCH (n) WHERE n:BenchCase OR n:BenchPerson DETACH DELETE n"

Call = Callable[[], Awaitable[Any]]


def ways(driver: AsyncDriver) -> dict[str, Call]:
    query = Query(READ, timeout=10)
    params = {"code": "C7"}

    async def execute_query() -> Any:
        records, _, _ = await driver.execute_query(query, params, routing_="r")
        return [record.data() for record in records]

    async def execute_read() -> Any:
        async def work(tx: AsyncManagedTransaction) -> Any:
            return await (await tx.run(query.text, params)).data()

        async with driver.session() as session:
            return await session.execute_read(work)

    async def auto_commit() -> Any:
        async with driver.session(default_access_mode=READ_ACCESS) as session:
            return await (await session.run(query, params)).data()

    return {
        "managed: execute_query": execute_query,
        "managed: execute_read": execute_read,
        "auto-commit (GraphClient.read)": auto_commit,
    }


async def measure(uri: str, password: str, calls: int, rounds: int) -> None:
    driver = AsyncGraphDatabase.driver(uri, auth=("neo4j", password))
    try:
        await driver.execute_query(SETUP)
        found = ways(driver)
        answers = {name: await call() for name, call in found.items()}
        assert len({repr(answer) for answer in answers.values()}) == 1, answers
        best: dict[str, tuple[float, float]] = {}
        for _ in range(rounds):
            for name, call in found.items():
                for _ in range(50):  # warm-up
                    await call()
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(calls):
                    await call()
                figure = (
                    (time.process_time() - cpu) / calls * 1000,
                    (time.perf_counter() - wall) / calls * 1000,
                )
                best[name] = min(best.get(name, figure), figure)
        print(f"{calls} calls per round, best of {rounds}; {os.cpu_count()} CPUs")
        print(f"{'way':34s} {'CPU ms/call':>12s} {'wall ms/call':>13s}")
        for name, (cpu_ms, wall_ms) in best.items():
            print(f"{name:34s} {cpu_ms:12.3f} {wall_ms:13.3f}")
        await driver.execute_query(CLEAN)
    finally:
        await driver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="reads per way and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds (best shown)")
    args = parser.parse_args()
    uri = os.environ.get("GRIDGRAPH_NEO4J_URI")
    password = os.environ.get("GRIDGRAPH_NEO4J_PASSWORD", PASSWORD)
    if uri is not None:
        asyncio.run(measure(uri, password, args.calls, args.rounds))
        return
    from server.local_neo4j import LocalNeo4j, LocalNeo4jConfig
    from tools.audit_append import free_port

    with tempfile.TemporaryDirectory(prefix="gridgraph-read-bench-") as home:
        config = LocalNeo4jConfig(home=Path(home), port=free_port(), password=PASSWORD)
        local = LocalNeo4j(config)
        local.start()
        try:
            asyncio.run(measure(config.bolt_uri, PASSWORD, args.calls, args.rounds))
        finally:
            local.stop()


if __name__ == "__main__":
    main()
