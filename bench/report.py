"""Figures from the timed slices: per target and operation (and the whole mix) operations/s,
p50/p95/p99 latency, errors and Cypher round trips; the GridGraph/peer and GridGraph/floor
ratios, and what security costs (GridGraph as admin or scoped investigator / as the anonymous
developer); printed tables and a JSON document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from bench.loadgen import Sample, Slice

MIX = "mix"
BASELINE = "gridgraph"  # GridGraph as the anonymous developer (bench/principals.py)
ADMIN = "gridgraph-admin"
SCOPED = "gridgraph-scoped"
TARGET_WIDTH = 16
RATIO_KEYS = ("ops_per_s", "p50_ms", "p99_ms")
Ratios = dict[str, dict[str, float | None]]


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


def ratios(summary: dict[str, dict[str, Any]], target: str, reference: str) -> Ratios:
    """target / reference, per operation and mix: throughput and latency ratios."""
    result: Ratios = {}
    ours, theirs = summary.get(target, {}), summary.get(reference, {})
    for name, stats in ours.items():
        if name not in theirs:
            continue
        result[name] = {
            key: round(stats[key] / theirs[name][key], 2) if theirs[name][key] else None
            for key in RATIO_KEYS
        }
    return result


def all_ratios(summary: dict[str, dict[str, Any]]) -> dict[str, Ratios]:
    """Every ratio of the run, keyed `target/reference` (pairs missing a side left out)."""
    pairs = [
        (BASELINE, "peer"),
        (BASELINE, "floor"),
        (ADMIN, BASELINE),
        (SCOPED, BASELINE),
        (SCOPED, ADMIN),
    ]
    return {
        f"{target}/{reference}": ratios(summary, target, reference)
        for target, reference in pairs
        if target in summary and reference in summary
    }


def table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """A plain-text table: one row per operation and target."""
    header = (
        f"{'operation':<22} {'target':<{TARGET_WIDTH}} {'ops/s':>9} {'p50 ms':>9} {'p95 ms':>9} "
        f"{'p99 ms':>9} {'errors':>6} {'trips':>6}"
    )
    lines = [header, "-" * len(header)]
    for name in [MIX, *operations]:
        for target, stats_by_op in summary.items():
            s = stats_by_op[name]
            trips = "-" if s["round_trips"] is None else f"{s['round_trips']:g}"
            lines.append(
                f"{name:<22} {target:<{TARGET_WIDTH}} {s['ops_per_s']:>9.1f} {s['p50_ms']:>9.2f} "
                f"{s['p95_ms']:>9.2f} {s['p99_ms']:>9.2f} {s['errors']:>6} {trips:>6}"
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
        cells = [_cell(values, name, key, len(heading)) for heading, values, key in columns]
        lines.append(f"{name:<22} " + " ".join(cells))
    return "\n".join(lines)


def ratio_table(summary: dict[str, dict[str, Any]], operations: list[str]) -> str:
    """GridGraph/peer and GridGraph/floor: throughput (higher is better), p50, p99."""
    peer, floor = ratios(summary, BASELINE, "peer"), ratios(summary, BASELINE, "floor")
    columns = [
        ("ops/s GG/peer", peer, "ops_per_s"),
        ("p99 GG/peer", peer, "p99_ms"),
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
            cells = " ".join(_cell(values, name, key, 7) for key in RATIO_KEYS)
            lines.append(f"{name:<22} {label:<13} {cells}")
    return "\n".join(lines)
