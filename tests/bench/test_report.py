"""The report's ratios: target over reference, per operation and mix, missing sides left out."""

from __future__ import annotations

from typing import Any

from bench.loadgen import Sample, Slice
from bench.report import all_ratios, security_table, summarise

OPERATIONS = ["grid_residents"]


def _slice(target: str, seconds_each: float, count: int) -> Slice:
    samples = [Sample("grid_residents", seconds_each, True, 3) for _ in range(count)]
    return Slice(target, 1.0, samples)


def _summary(*slices: Slice) -> dict[str, dict[str, Any]]:
    return summarise(slices, OPERATIONS)


def test_security_ratios_are_over_the_anonymous_baseline_and_over_admin() -> None:
    # given the baseline at 10 ops/s, admin at 8 and scoped at 4, twice and four times as slow
    summary = _summary(
        _slice("gridgraph", 0.1, 10),
        _slice("gridgraph-admin", 0.2, 8),
        _slice("gridgraph-scoped", 0.4, 4),
    )

    # when every ratio is computed
    ratios = all_ratios(summary)

    # then admin and scoped are over the baseline, scoped over admin; no peer or floor
    assert set(ratios) == {
        "gridgraph-admin/gridgraph",
        "gridgraph-scoped/gridgraph",
        "gridgraph-scoped/gridgraph-admin",
    }
    assert ratios["gridgraph-admin/gridgraph"]["mix"] == {
        "ops_per_s": 0.8,
        "p50_ms": 2.0,
        "p99_ms": 2.0,
        "cpu_ms_per_op": None,  # the Python generator's slices carry no server CPU
    }
    assert ratios["gridgraph-scoped/gridgraph-admin"]["grid_residents"]["ops_per_s"] == 0.5


def test_security_table_is_empty_without_the_authenticated_principals() -> None:
    # given only the anonymous baseline and the floor
    summary = _summary(_slice("gridgraph", 0.1, 10), _slice("floor", 0.05, 20))

    # then there is no security table, and the GridGraph/floor ratio is there
    assert security_table(summary, OPERATIONS) == ""
    assert all_ratios(summary)["gridgraph/floor"]["mix"]["ops_per_s"] == 0.5
