"""wrk's side of the bench: plan files, pooled latency quantiles, the report of wrk slices,
and which operations `--operations` picks."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from bench.catalog import SINGLE_LOOKUPS, select
from bench.cpu import process_cpu_s, process_group_cpu_s, spent
from bench.operations import OPERATIONS
from bench.report import all_ratios, summarise, table
from bench.wrk import Plan, PlannedRequest, WrkSlice, lua_string, plan_lua, pooled_percentile


def _slice(requests: int, latency_us: int, scope: str = "mix") -> WrkSlice:
    quantiles = [(k * 0.5, latency_us) for k in range(1, 201)]
    return WrkSlice(
        "gridgraph", scope, 2.0, requests, requests, 0, 1.25, 1.2, quantiles, cpu_s=0.04
    )


def test_lua_strings_keep_every_byte_escaped_outside_printable_ascii() -> None:
    # given a GraphQL body with quotes, a backslash, a newline and Chinese text
    body = '{"q": "a\\\\b\n", "name": "王"}'

    # when it becomes a Lua literal
    literal = lua_string(body)

    # then only printable ASCII stays as it is; the rest are 3-digit decimal escapes
    assert literal.startswith('"') and literal.endswith('"')
    assert "\\034" in literal and "\\092" in literal and "\\010" in literal
    assert "王" not in literal and "\\231\\142\\139" in literal


def test_a_plan_file_lists_the_requests_and_headers(tmp_path: Path) -> None:
    plan = Plan(
        (PlannedRequest("/graphql", b'{"query": "{ a }"}'),),
        {"Content-Type": "application/json", "Authorization": "Bearer t"},
        1,
    )
    text = plan_lua(plan, tmp_path / "out.json")
    assert text.startswith("return {")
    assert '["Authorization"] = "Bearer t"' in text
    assert '{"/graphql", "{\\034query\\034: \\034{ a }\\034}"}' in text


def test_pooled_percentiles_weigh_each_slice_by_its_requests() -> None:
    # given 300 requests at 10 ms and 100 at 50 ms
    slices = [_slice(300, 10_000), _slice(100, 50_000)]

    # then the median is 10 ms and the 90th percentile 50 ms
    assert pooled_percentile(slices, 0.5) == pytest.approx(0.010)
    assert pooled_percentile(slices, 0.9) == pytest.approx(0.050)


def test_wrk_slices_report_operations_per_request_and_the_generator_cpu() -> None:
    # given two wrk mix slices of 2 s, 1.25 requests per operation, 1.2 round trips each
    summary = summarise([_slice(250, 10_000), _slice(250, 10_000)], ["grid_residents"])

    # then operations/s counts operations, the trips are per operation, cpu per wall second
    mix = summary["gridgraph"]["mix"]
    assert mix["ops_per_s"] == 100.0
    assert mix["round_trips"] == 1.5
    assert mix["loadgen_cpu"] == 0.02
    assert mix["latency_of"] == "request"
    assert "grid_residents" not in summary["gridgraph"]  # a wrk mix has no per-operation split
    assert "latencies per request" in table(summary, ["grid_residents"])


def test_operations_select_names_and_groups() -> None:
    assert select(None) == OPERATIONS
    assert [op.name for op in select("lookups")] == list(SINGLE_LOOKUPS)
    picked = [op.name for op in select("case_parties,mix")]
    assert picked[:2] == ["case_parties", OPERATIONS[0].name]
    with pytest.raises(ValueError, match="unknown operation"):
        select("nope")


def test_wrk_slices_report_cpu_per_operation_of_the_server_and_neo4j() -> None:
    # given GridGraph's slices: 250 + 250 requests, 200 + 200 operations, 0.6 + 0.2 s of its
    # own CPU and 0.2 + 0.2 s of Neo4j's; the peer's: the same operations at twice the CPU
    ours = [
        replace(_slice(250, 10_000), server_cpu_s=0.6, neo4j_cpu_s=0.2),
        replace(_slice(250, 10_000), server_cpu_s=0.2, neo4j_cpu_s=0.2),
    ]
    theirs = [
        replace(_slice(250, 10_000), target="peer", server_cpu_s=1.6, neo4j_cpu_s=0.8),
    ]
    summary = summarise([*ours, *theirs], ["grid_residents"])

    # then CPU per answered operation: 0.8 s / 400 = 2 ms server, 1 ms Neo4j, 3 ms in all
    mix = summary["gridgraph"]["mix"]
    assert (mix["server_ms_per_op"], mix["neo4j_ms_per_op"], mix["cpu_ms_per_op"]) == (
        2.0,
        1.0,
        3.0,
    )
    # and the peer spends 2.4 s / 200 operations = 12 ms: GridGraph/peer 0.25
    assert summary["peer"]["mix"]["cpu_ms_per_op"] == 12.0
    assert all_ratios(summary)["gridgraph/peer"]["mix"]["cpu_ms_per_op"] == 0.25
    assert "srv ms/op" in table(summary, ["grid_residents"])


def test_a_slice_without_cpu_readings_reports_none() -> None:
    summary = summarise([_slice(250, 10_000)], ["grid_residents"])
    assert summary["gridgraph"]["mix"]["cpu_ms_per_op"] is None


def test_cpu_of_this_process_and_its_group_is_read_from_proc() -> None:
    before = process_cpu_s(os.getpid())
    sum(i * i for i in range(300_000))  # spend some CPU
    after = process_cpu_s(os.getpid())
    group = process_group_cpu_s(os.getpgrp())
    assert before is not None and after is not None and group is not None
    assert after >= before and group >= after - 0.01
    assert spent(before, None) is None and spent(1.0, 1.5) == 0.5
    assert process_cpu_s(None) is None
