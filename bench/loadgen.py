"""The load generator, the same for all targets: `concurrency` asyncio workers on one httpx
client per target (Endpoint.client: keep-alive, one connection per worker), each running the
mix's operations in turn (worker i starts at operation i, so all operations run all the time)
until the slice's duration is over.

It shares the machine's cores with the servers, so each slice also records the generator's own
CPU time (process CPU seconds; `cpu_s / seconds` is the share of one core it used).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.clients import run_operation
from bench.endpoints import Endpoint
from bench.operations import Operation


@dataclass(frozen=True)
class Sample:
    """One operation run: how long it took, whether it failed, its Cypher round trips."""

    operation: str
    seconds: float
    ok: bool
    round_trips: int | None


@dataclass(frozen=True)
class Slice:
    """One timed slice of one target: `scope` 'mix' (all the operations) or one's name."""

    target: str
    seconds: float
    samples: list[Sample]
    scope: str = "mix"
    cpu_s: float | None = None  # the generator process's CPU (user + system) during the slice


async def run_slice(
    client: httpx.AsyncClient,
    target: Endpoint,
    operations: tuple[Operation, ...],
    params: dict[str, Any],
    concurrency: int,
    duration_s: float,
    scope: str = "mix",
) -> Slice:
    """Run the mix for `duration_s` seconds; operations started before the end are finished."""
    samples: list[Sample] = []
    cpu_start = time.process_time()
    start = time.perf_counter()
    deadline = start + duration_s

    async def worker(index: int) -> None:
        turn = index
        while time.perf_counter() < deadline:
            operation = operations[turn % len(operations)]
            turn += 1
            began = time.perf_counter()
            try:
                outcome = await run_operation(client, target.kind, operation, params)
            except Exception:  # counted as an error; the run goes on
                samples.append(Sample(operation.name, time.perf_counter() - began, False, None))
            else:
                elapsed = time.perf_counter() - began
                samples.append(Sample(operation.name, elapsed, True, outcome.round_trips))

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    seconds = time.perf_counter() - start
    return Slice(target.name, seconds, samples, scope, time.process_time() - cpu_start)
