"""CPU time of the measured processes, read from Linux's /proc: what each timed slice cost
the server under test and Neo4j, per operation.

On a 2-core machine shared with other work, throughput moves with whatever else runs; the
CPU a target spends per operation (its own processes, and Neo4j's, which every target
shares but only one uses at a time, since slices run one after another) moves far less,
and it is what decides throughput once the cores are saturated. Elsewhere than Linux the
figures are None and the report shows '-'.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: str) -> list[str] | None:
    """The fields after the command name of /proc/<pid>/stat (None when it is gone)."""
    try:
        text = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _cpu_s(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime, all threads


def process_cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of one process (all its threads) so far."""
    if pid is None:
        return None
    fields = _stat_fields(str(pid))
    return None if fields is None else _cpu_s(fields)


def process_group_cpu_s(pgid: int | None) -> float | None:
    """User + system CPU seconds so far of every live process in a process group (a server
    started in its own session: uvicorn and its workers, node)."""
    if pgid is None or not PROC.is_dir():
        return None
    total, found = 0.0, False
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry.name)
        if fields is not None and int(fields[2]) == pgid:
            total += _cpu_s(fields)
            found = True
    return total if found else None


def spent(before: float | None, after: float | None) -> float | None:
    """CPU seconds between two readings (None unless both were read)."""
    return None if before is None or after is None else round(after - before, 3)
