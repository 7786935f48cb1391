"""Figures from the timed slices: per target and operation (and the whole mix) operations/s,
p50/p95/p99 latency, errors, Cypher round trips and the load generator's CPU share; the
GridGraph/peer and GridGraph/floor ratios, what security costs (GridGraph as admin or scoped
investigator / as the anonymous developer), every GridGraph target against the peer and the
floor, and server variants (more workers, plain asyncio + h11) over their base; printed tables
and a JSON document. Slices come from the Python generator (bench/loadgen.py: every sample)
or from wrk (bench/wrk.py: counts and latency quantiles per request).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from bench.loadgen import Sample, Slice
from bench.wrk import WrkSlice, pooled_percentile

MIX = "mix"
BASELINE = "gridgraph"  # GridGraph as the anonymous developer (bench/principals.py)
ADMIN = "gridgraph-admin"
SCOPED = "gridgraph-scoped"
TARGET_WIDTH = 16
RATIO_KEYS = ("ops_per_s", "p50_ms", "p99_ms")
CPU_KEY = "cpu_ms_per_op"  # the target's processes + Neo4j, CPU ms per operation
Ratios = dict[str, dict[str, float | None]]


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def _cpu_share(cpu_s: list[float | None], seconds: float) -> float | None:
    """The generator's CPU seconds per wall second (None when not measured)."""
    if not cpu_s or any(c is None for c in cpu_s) or not seconds:
        return None
    return round(sum(c for c in cpu_s if c is not None) / seconds, 3)


def _stats(samples: list[Sample], seconds: float, cpu: float | None = None) -> dict[str, Any]:
    ok = sorted(s.seconds for s in samples if s.ok)
    trips = [s.round_trips for s in samples if s.ok and s.round_trips is not None]
    return {
        "operations": len(samples),
        "ops_per_s": round(len(ok) / seconds, 2) if seconds else 0.0,
        "p50_ms": round(percentile(ok, 0.50) * 1000, 2),
        "p95_ms": round(percentile(ok, 0.95) * 1000, 2),
        "p99_ms": round(percentile(ok, 0.99) * 1000, 2),
        "errors": len(samples) - len(ok),
        "round_trips": round(sum(trips) / len(trips), 2) if trips else None,
        "loadgen_cpu": cpu,
        "latency_of": "operation",
    }


def _wrk_stats(slices: list[WrkSlice]) -> dict[str, Any]:
    """One target's wrk slices of one scope, pooled; latencies are per request."""
    seconds = sum(s.seconds for s in slices)
    per_op = slices[0].requests_per_operation
    ok_ops = sum(s.ok_requests for s in slices) / per_op
    trips = [s.round_trips_per_request for s in slices if s.round_trips_per_request is not None]
    return {
        "operations": round(sum(s.requests for s in slices) / per_op, 1),
        "ops_per_s": round(ok_ops / seconds, 2) if seconds else 0.0,
        "p50_ms": round(pooled_percentile(slices, 0.50) * 1000, 2),
        "p95_ms": round(pooled_percentile(slices, 0.95) * 1000, 2),
        "p99_ms": round(pooled_percentile(slices, 0.99) * 1000, 2),
        "errors": sum(s.errors for s in slices),
        "round_trips": round(sum(trips) / len(trips) * per_op, 2) if trips else None,
        "loadgen_cpu": _cpu_share([s.cpu_s for s in slices], seconds),
        "latency_of": "request",
        **_cpu_per_operation(slices, ok_ops),
    }


def _cpu_per_operation(slices: list[WrkSlice], ok_ops: float) -> dict[str, float | None]:
    """CPU ms per answered operation of the target's processes, of Neo4j, and both (None
    when not measured: not Linux, or no operation answered)."""

    def per_op(values: list[float | None]) -> float | None:
        if not ok_ops or any(v is None for v in values):
            return None
        return round(sum(v for v in values if v is not None) / ok_ops * 1000, 2)

    server = per_op([s.server_cpu_s for s in slices])
    neo4j = per_op([s.neo4j_cpu_s for s in slices])
    both = None if server is None or neo4j is None else round(server + neo4j, 2)
    return {"server_ms_per_op": server, "neo4j_ms_per_op": neo4j, CPU_KEY: both}


def summarise(
    slices: Iterable[Slice | WrkSlice], operations: list[str]
) -> dict[str, dict[str, Any]]:
    """{target: {operation | 'mix': stats}} over all slices of each target. A Python mix
    slice gives the mix and each operation's share of it; a slice of one operation (either
    generator) gives that operation's own figures, which take precedence; a wrk mix slice
    gives the mix only."""
    grouped: dict[str, dict[str, list[Slice | WrkSlice]]] = {}
    for one in slices:
        grouped.setdefault(one.target, {}).setdefault(one.scope, []).append(one)
    summary: dict[str, dict[str, Any]] = {}
    for target, by_scope in grouped.items():
        stats: dict[str, Any] = {}
        for scope in [MIX, *operations]:
            found = by_scope.get(scope, [])
            wrk = [s for s in found if isinstance(s, WrkSlice)]
            python = [s for s in found if isinstance(s, Slice)]
            if wrk:
                stats[scope] = _wrk_stats(wrk)
            elif python:
                seconds = sum(s.seconds for s in python)
                samples = [sample for s in python for sample in s.samples]
                cpu = _cpu_share([s.cpu_s for s in python], seconds)
                stats[scope] = _stats(samples, seconds, cpu)
                if scope == MIX:
                    for name in operations:
                        if name not in by_scope:
                            mine = [x for x in samples if x.operation == name]
                            stats[name] = _stats(mine, seconds, cpu)
        summary[target] = {name: stats[name] for name in [MIX, *operations] if name in stats}
    return summary


def ratios(summary: dict[str, dict[str, Any]], target: str, reference: str) -> Ratios:
    """target / reference, per operation and mix: throughput and latency ratios."""
    result: Ratios = {}
    ours, theirs = summary.get(target, {}), summary.get(reference, {})
    for name, stats in ours.items():
        if name not in theirs:
            continue
        result[name] = {
            key: round(stats[key] / theirs[name][key], 2)
            if stats.get(key) is not None and theirs[name].get(key)
            else None
            for key in (*RATIO_KEYS, CPU_KEY)
        }
    return result


def is_gridgraph(target: str) -> bool:
    return target.startswith(BASELINE)


def all_ratios(summary: dict[str, dict[str, Any]]) -> dict[str, Ratios]:
    """Every ratio of the run, keyed `target/reference` (pairs missing a side left out):
    security, every GridGraph target over the peer and the floor, variants over their base."""
    pairs = [
        (BASELINE, "peer"),
        (BASELINE, "floor"),
        (ADMIN, BASELINE),
        (SCOPED, BASELINE),
        (SCOPED, ADMIN),
    ]
    for target in summary:
        if is_gridgraph(target) and target != BASELINE:
            pairs += [(target, "peer"), (target, "floor")]
        if (base := _direct_base(target)) is not None:
            pairs.append((target, base))
    return {
        f"{target}/{reference}": ratios(summary, target, reference)
        for target, reference in pairs
        if target in summary and reference in summary
    }


def _direct_base(target: str) -> str | None:
    """The target without its last variant suffix (`-wN` or `-plain`)."""
    head, found, tail = target.rpartition("-w")
    if found and head and tail.isdigit():
        return head
    if target.endswith("-plain"):
        return target.removesuffix("-plain")
    return None


def table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """A plain-text table: one row per operation and target (`gen cpu`: the load generator's
    CPU seconds per wall second during the target's slices; `srv`/`neo4j ms/op`: CPU ms the
    target's processes and Neo4j spent per answered operation, wrk slices only)."""
    width = max([TARGET_WIDTH, *map(len, summary)])
    header = (
        f"{'operation':<22} {'target':<{width}} {'ops/s':>9} {'p50 ms':>9} {'p95 ms':>9} "
        f"{'p99 ms':>9} {'errors':>6} {'trips':>6} {'gen cpu':>7} {'srv ms/op':>9} "
        f"{'neo4j ms/op':>11}"
    )
    lines = [header, "-" * len(header)]
    for name in [MIX, *operations]:
        for target, stats_by_op in summary.items():
            if name not in stats_by_op:
                continue
            s = stats_by_op[name]
            trips = "-" if s["round_trips"] is None else f"{s['round_trips']:g}"
            cpu = s.get("loadgen_cpu")
            server, neo4j = s.get("server_ms_per_op"), s.get("neo4j_ms_per_op")
            lines.append(
                f"{name:<22} {target:<{width}} {s['ops_per_s']:>9.1f} {s['p50_ms']:>9.2f} "
                f"{s['p95_ms']:>9.2f} {s['p99_ms']:>9.2f} {s['errors']:>6} {trips:>6} "
                f"{'-' if cpu is None else f'{cpu:.2f}':>7} "
                f"{'-' if server is None else f'{server:.2f}':>9} "
                f"{'-' if neo4j is None else f'{neo4j:.2f}':>11}"
            )
    if any(s.get("latency_of") == "request" for ops in summary.values() for s in ops.values()):
        lines.append(
            "(wrk: latencies per request; an operation of several requests, such as the "
            "paginated walk, counts each page)"
        )
    return "\n".join(lines)


def _cell(values: Ratios, name: str, key: str, width: int) -> str:
    value = values.get(name, {}).get(key)
    return f"{'-' if value is None else f'{value:.2f}':>{width}}"


def _columns_table(columns: list[tuple[str, Ratios, str]], operations: list[str]) -> str:
    """One row per operation (mix first), one column per (heading, ratios, key)."""
    header = f"{'operation':<22} " + " ".join(heading for heading, _, _ in columns)
    lines = [header, "-" * len(header)]
    for name in [MIX, *operations]:
        if not any(name in values for _, values, _ in columns):
            continue
        cells = [_cell(values, name, key, len(heading)) for heading, values, key in columns]
        lines.append(f"{name:<22} " + " ".join(cells))
    return "\n".join(lines)


def ratio_table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """GridGraph/peer and GridGraph/floor: throughput (higher is better), p50, p99, and CPU
    (GridGraph's processes + Neo4j) per operation (lower is better)."""
    peer, floor = ratios(summary, BASELINE, "peer"), ratios(summary, BASELINE, "floor")
    columns = [
        ("ops/s GG/peer", peer, "ops_per_s"),
        ("p99 GG/peer", peer, "p99_ms"),
        ("cpu/op GG/peer", peer, CPU_KEY),
        ("ops/s GG/floor", floor, "ops_per_s"),
        ("p50 GG/floor", floor, "p50_ms"),
    ]
    return _columns_table(columns, operations)


def security_table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """What security costs, one row per operation and comparison: admin (audited) and scoped
    investigator (audited + row scope) over the anonymous developer, and scoped over admin
    (row scope alone); '' when the run measured no principal but the anonymous one."""
    comparisons = [
        (label, values)
        for label, values in (
            ("admin/anon", ratios(summary, ADMIN, BASELINE)),
            ("scoped/anon", ratios(summary, SCOPED, BASELINE)),
            ("scoped/admin", ratios(summary, SCOPED, ADMIN)),
        )
        if values
    ]
    if not comparisons:
        return ""
    header = f"{'operation':<22} {'comparison':<13} {'ops/s':>7} {'p50':>7} {'p99':>7}"
    lines = [header, "-" * len(header)]
    for name in [MIX, *operations]:
        for label, values in comparisons:
            if name not in values:
                continue
            cells = " ".join(_cell(values, name, key, 7) for key in RATIO_KEYS)
            lines.append(f"{name:<22} {label:<13} {cells}")
    return "\n".join(lines)


def _pairs_table(
    rows: list[tuple[str, str, list[tuple[str, Ratios, str]]]], operations: list[str]
) -> str:
    """One row per operation and label, one column per (heading, ratios, key)."""
    if not rows:
        return ""
    headings = [heading for heading, _, _ in rows[0][2]]
    width = max(len(label) for label, _, _ in rows)
    header = f"{'operation':<22} {'target':<{width}} " + " ".join(headings)
    lines = [header, "-" * len(header)]
    for name in [MIX, *operations]:
        for label, _, columns in rows:
            if not any(name in values for _, values, _ in columns):
                continue
            cells = [_cell(values, name, key, len(heading)) for heading, values, key in columns]
            lines.append(f"{name:<22} {label:<{width}} " + " ".join(cells))
    return "\n".join(lines)


def targets_table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """Every GridGraph target over the peer (ops/s, p50, p99) and the floor (p50): the goals
    of issue 13 ('' without the peer)."""
    rows = []
    for target in summary:
        if not is_gridgraph(target) or "peer" not in summary:
            continue
        peer, floor = ratios(summary, target, "peer"), ratios(summary, target, "floor")
        columns = [
            ("ops/s /peer", peer, "ops_per_s"),
            ("p50 /peer", peer, "p50_ms"),
            ("p99 /peer", peer, "p99_ms"),
            ("p50 /floor", floor, "p50_ms"),
        ]
        rows.append((target, target, columns))
    return _pairs_table(rows, operations)


def variants_table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """Server variants (more workers, plain asyncio + h11) over their base target: ops/s,
    p50, p99 ('' when the run has none)."""
    rows = []
    for target in summary:
        base = _direct_base(target)
        if base is None or base not in summary:
            continue
        values = ratios(summary, target, base)
        headings = ("ops/s", "  p50", "  p99")
        columns = [(h, values, k) for h, k in zip(headings, RATIO_KEYS, strict=True)]
        rows.append((f"{target}/{base}", target, columns))
    return _pairs_table(rows, operations)
