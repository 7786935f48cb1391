"""The timed part of a run, with either load generator: warm-up (untimed), then round-robin
slices (each round every target gets one slice of each scope; who goes first rotates).

Scopes: `mix` runs every selected operation in turn; `each` gives every selected operation a
slice of its own, so its throughput is its own capacity, not a share of the mix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.cpu import process_cpu_s, process_group_cpu_s, spent
from bench.endpoints import Endpoint
from bench.loadgen import Slice, run_slice
from bench.operations import Operation
from bench.wrk import Plan, WrkSlice, make_plan, run_wrk

MIX = "mix"


@dataclass(frozen=True)
class Timing:
    """How to time: generator, slices, load."""

    loadgen: str  # wrk | python
    slices: str  # mix | each | both
    concurrency: int
    duration_s: float
    rounds: int
    warmup_s: float


Scope = tuple[str, tuple[Operation, ...]]


def scopes(slices: str, operations: tuple[Operation, ...]) -> list[Scope]:
    """The slices of one target per round: (scope name, its operations)."""
    found: list[Scope] = []
    if slices in ("mix", "both"):
        found.append((MIX, operations))
    if slices in ("each", "both"):
        found += [(op.name, (op,)) for op in operations]
    return found


def _order(names: list[str], round_index: int) -> list[str]:
    shift = round_index % len(names)
    return names[shift:] + names[:shift]


def _print(round_index: int, rounds: int, name: str, scope: str, ops_per_s: float) -> None:
    label = name if scope == MIX else f"{name} {scope}"
    print(f"  round {round_index + 1}/{rounds} {label:<40} {ops_per_s:8.1f} ops/s", flush=True)


async def timed_python(
    targets: dict[str, Endpoint],
    timing: Timing,
    operations: tuple[Operation, ...],
    params: dict[str, Any],
) -> list[Slice]:
    """The Python generator's slices (bench/loadgen.py)."""
    clients = {name: target.client(timing.concurrency) for name, target in targets.items()}
    found: list[Slice] = []
    try:
        for name in targets:  # warm-up, excluded
            await run_slice(
                clients[name],
                targets[name],
                operations,
                params,
                timing.concurrency,
                timing.warmup_s,
            )
        names = list(targets)
        for round_index in range(timing.rounds):
            for scope, ops in scopes(timing.slices, operations):
                for name in _order(names, round_index):
                    one = await run_slice(
                        clients[name],
                        targets[name],
                        ops,
                        params,
                        timing.concurrency,
                        timing.duration_s,
                        scope,
                    )
                    ok = sum(1 for s in one.samples if s.ok)
                    _print(round_index, timing.rounds, name, scope, ok / one.seconds)
                    found.append(one)
    finally:
        for client in clients.values():
            await client.aclose()
    return found


async def wrk_plans(
    targets: dict[str, Endpoint],
    timing: Timing,
    operations: tuple[Operation, ...],
    params: dict[str, Any],
) -> dict[tuple[str, str], Plan]:
    """Every (target, scope)'s plan: the requests captured from the Python client."""
    plans: dict[tuple[str, str], Plan] = {}
    for name, target in targets.items():
        for scope, ops in scopes(timing.slices, operations):
            plans[name, scope] = await make_plan(target, ops, params)
        if (name, MIX) not in plans:  # the warm-up runs the mix
            plans[name, MIX] = await make_plan(target, operations, params)
    return plans


def timed_wrk(
    wrk: str,
    targets: dict[str, Endpoint],
    plans: dict[tuple[str, str], Plan],
    timing: Timing,
    operations: tuple[Operation, ...],
    work_dir: Path,
    neo4j_pid: int | None = None,
) -> list[WrkSlice]:
    """wrk's slices (bench/wrk.py), each with the CPU its target and Neo4j spent."""
    for name, target in targets.items():  # warm-up, excluded
        run_wrk(
            wrk,
            target.base_url,
            plans[name, MIX],
            work_dir,
            timing.concurrency,
            timing.warmup_s,
            name,
            "warmup",
        )
    names = list(targets)
    found: list[WrkSlice] = []
    for round_index in range(timing.rounds):
        for scope, _ in scopes(timing.slices, operations):
            for name in _order(names, round_index):
                pgid = targets[name].pgid
                server, neo4j = process_group_cpu_s(pgid), process_cpu_s(neo4j_pid)
                one = run_wrk(
                    wrk,
                    targets[name].base_url,
                    plans[name, scope],
                    work_dir,
                    timing.concurrency,
                    timing.duration_s,
                    name,
                    scope,
                )
                one = replace(
                    one,
                    server_cpu_s=spent(server, process_group_cpu_s(pgid)),
                    neo4j_cpu_s=spent(neo4j, process_cpu_s(neo4j_pid)),
                )
                ops_per_s = one.ok_requests / one.requests_per_operation / one.seconds
                _print(round_index, timing.rounds, name, scope, ops_per_s)
                found.append(one)
    return found
