"""The CPU pool (resolvers/cpu_pool.py): work runs in other processes, within a time limit."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from graph.client import Budget, within_budget
from resolvers.cpu_pool import CpuPool, WorkTimeout


def _alive(pid: int) -> bool:
    """True when pid is a process that has not exited (a zombie counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _fail(message: str) -> None:
    raise ValueError(message)


async def test_work_runs_in_a_worker_process_which_is_reused() -> None:
    pool = CpuPool(workers=1, time_limit_s=30)
    try:
        first = await pool.run(os.getpid)
        second = await pool.run(os.getpid)
        assert first != os.getpid()
        assert second == first
    finally:
        pool.shutdown()


async def test_an_error_of_the_work_reaches_the_caller_and_the_worker_stays() -> None:
    pool = CpuPool(workers=1, time_limit_s=30)
    try:
        worker = await pool.run(os.getpid)
        with pytest.raises(ValueError, match="bad input"):
            await pool.run(_fail, "bad input")
        assert await pool.run(os.getpid) == worker
    finally:
        pool.shutdown()


async def test_work_past_its_limit_is_timeout_and_its_worker_is_killed_and_reaped() -> None:
    pool = CpuPool(workers=1, time_limit_s=30)
    try:
        worker = await pool.run(os.getpid)  # started within a generous limit
        pool.time_limit_s = 0.5
        with pytest.raises(WorkTimeout) as stopped:
            await pool.run(time.sleep, 30)
        assert (stopped.value.extensions or {})["code"] == "TIMEOUT"
        assert not _alive(worker)
        # the next job gets a fresh worker
        assert await pool.run(os.getpid) not in (worker, os.getpid())
    finally:
        pool.shutdown()


async def test_the_limit_is_never_longer_than_what_is_left_of_the_request() -> None:
    pool = CpuPool(workers=1, time_limit_s=30)
    try:
        with within_budget(Budget(deadline=time.monotonic() + 0.5)), pytest.raises(WorkTimeout):
            await pool.run(time.sleep, 30)
    finally:
        pool.shutdown()


async def test_a_cancelled_request_kills_its_running_work() -> None:
    pool = CpuPool(workers=1, time_limit_s=30)
    try:
        worker = await pool.run(os.getpid)
        job = asyncio.create_task(pool.run(time.sleep, 30))
        await asyncio.sleep(0.3)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        assert not _alive(worker)
    finally:
        pool.shutdown()
