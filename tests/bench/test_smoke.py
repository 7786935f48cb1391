"""The benchmark's smoke mode runs end to end and the three targets, GridGraph as each bench
principal included (anonymous, admin, scoped investigator), agree on every operation (the mix
and the single lookups); the timed slice ran with wrk when it is there or installable (root),
else with the Python generator, and the generator's CPU share is reported.

It starts its own Neo4j and servers (never the session's), so it only needs Java, Maven, Node
and npm; no time is asserted (DESIGN.md: benchmarks are never timed assertions).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.catalog import ALL_OPERATIONS
from bench.principals import PRINCIPALS
from server.settings import PROJECT_ROOT

SMOKE_TIMEOUT_S = 300


def test_smoke_mode_runs_and_all_targets_agree(tmp_path: Path) -> None:
    # given the smoke mode writing its result to a known file
    result_file = tmp_path / "smoke.json"

    # when it runs
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(result_file)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
        check=False,
    )

    # then it exited 0 and all targets agreed on every operation of the mix, without errors
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    result = json.loads(result_file.read_text())
    checked = {c["operation"]: c["agreed"] for c in result["correctness"]}
    assert checked == {operation.name: True for operation in ALL_OPERATIONS}
    targets = {principal.target for principal in PRINCIPALS} | {"floor", "peer"}
    assert {c["operation"]: set(c["round_trips"]) for c in result["correctness"]} == {
        operation.name: targets for operation in ALL_OPERATIONS
    }
    assert set(result["summary"]) == targets
    assert all(stats["mix"]["errors"] == 0 for stats in result["summary"].values())
    assert result["options"]["loadgen"] in {"wrk", "python"}
    assert all(stats["mix"]["loadgen_cpu"] is not None for stats in result["summary"].values())
    if result["options"]["loadgen"] == "wrk":  # each slice read its server's and Neo4j's CPU
        mixes = [stats["mix"] for stats in result["summary"].values()]
        assert all(mix["server_ms_per_op"] > 0 and mix["neo4j_ms_per_op"] >= 0 for mix in mixes)
    assert set(result["ratios"]) >= {"gridgraph-admin/gridgraph", "gridgraph-scoped/gridgraph"}
