"""Figures from the timed slices: per target and operation (and the whole mix) operations/s,
p50/p95/p99 latency, errors and Cypher round trips; the GridGraph/peer and GridGraph/floor
ratios; a printed table and a JSON document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from bench.loadgen import Sample, Slice

MIX = "mix"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def _stats(samples: list[Sample], seconds: float) -> dict[str, Any]:
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
    }


def summarise(slices: Iterable[Slice], operations: list[str]) -> dict[str, dict[str, Any]]:
    """{target: {operation | 'mix': stats}} over all slices of each target."""
    by_target: dict[str, list[Slice]] = {}
    for one in slices:
        by_target.setdefault(one.target, []).append(one)
    summary: dict[str, dict[str, Any]] = {}
    for target, target_slices in by_target.items():
        seconds = sum(s.seconds for s in target_slices)
        samples = [sample for s in target_slices for sample in s.samples]
        summary[target] = {MIX: _stats(samples, seconds)}
        for name in operations:
            summary[target][name] = _stats([s for s in samples if s.operation == name], seconds)
    return summary


def ratios(summary: dict[str, dict[str, Any]], other: str) -> dict[str, dict[str, float | None]]:
    """GridGraph / other, per operation and mix: throughput and latency ratios."""
    result: dict[str, dict[str, float | None]] = {}
    ours, theirs = summary.get("gridgraph", {}), summary.get(other, {})
    for name, stats in ours.items():
        if name not in theirs:
            continue
        result[name] = {
            key: round(stats[key] / theirs[name][key], 2) if theirs[name][key] else None
            for key in ("ops_per_s", "p50_ms", "p99_ms")
        }
    return result


def table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """A plain-text table: one row per operation and target."""
    header = (
        f"{'operation':<22} {'target':<10} {'ops/s':>9} {'p50 ms':>9} {'p95 ms':>9} "
        f"{'p99 ms':>9} {'errors':>6} {'trips':>6}"
    )
    lines = [header, "-" * len(header)]
    for name in [MIX, *operations]:
        for target, stats_by_op in summary.items():
            s = stats_by_op[name]
            trips = "-" if s["round_trips"] is None else f"{s['round_trips']:g}"
            lines.append(
                f"{name:<22} {target:<10} {s['ops_per_s']:>9.1f} {s['p50_ms']:>9.2f} "
                f"{s['p95_ms']:>9.2f} {s['p99_ms']:>9.2f} {s['errors']:>6} {trips:>6}"
            )
    return "\n".join(lines)


def ratio_table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """GridGraph/peer and GridGraph/floor: throughput (higher is better), p50, p99."""
    peer, floor = ratios(summary, "peer"), ratios(summary, "floor")
    header = (
        f"{'operation':<22} {'ops/s GG/peer':>13} {'p99 GG/peer':>12} "
        f"{'ops/s GG/floor':>14} {'p50 GG/floor':>13}"
    )
    lines = [header, "-" * len(header)]

    def cell(values: dict[str, dict[str, float | None]], name: str, key: str, width: int) -> str:
        value = values.get(name, {}).get(key)
        return f"{'-' if value is None else f'{value:.2f}':>{width}}"

    for name in [MIX, *operations]:
        lines.append(
            f"{name:<22} {cell(peer, name, 'ops_per_s', 13)} {cell(peer, name, 'p99_ms', 12)} "
            f"{cell(floor, name, 'ops_per_s', 14)} {cell(floor, name, 'p50_ms', 13)}"
        )
    return "\n".join(lines)
