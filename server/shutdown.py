"""Stopping `gridgraph serve`: every way of stopping it stops what it started, and says so.

uvicorn handles SIGINT and SIGTERM itself while it serves (a graceful shutdown), then
raises the captured signal again with the handler that was in place before it started. With
Python's default handlers SIGINT becomes KeyboardInterrupt, but SIGTERM kills the process
outright, so the code after uvicorn (stopping the local Neo4j) never ran. `terminations`
puts a handler in place for SIGTERM and SIGHUP that raises `Terminated` instead: the
caller's `finally` runs on every signal, and on any other way uvicorn returns or fails.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(Exception):
    """The process was asked to stop by a signal (SIGTERM from systemd or docker, SIGHUP)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def terminations() -> Iterator[None]:
    """Inside the block, SIGTERM and SIGHUP raise Terminated (handlers restored after)."""
    previous = {signum: signal.signal(signum, _raise) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
