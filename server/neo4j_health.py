"""Whether Neo4j answers, known to the whole app: requests fail fast while it does not.

One `Neo4jHealth` per app holds the state. Two things change it:
- a light background probe (`RETURN 1` over its own small driver, so a busy pool never
  delays it): every `up_interval_s` while Neo4j is up, every `down_interval_s` while it is
  down. A refused or broken connection marks Neo4j down at once; `timeouts_to_down` probes
  in a row without an answer (a hung server) do too; the first answer marks it up again,
  once `recheck` (the app's own pool: its connections to the dead server are dropped by the
  first query that finds them broken) answers too;
- every query of the app that finds Neo4j unreachable (GraphClient.on_unreachable).

While Neo4j is known to be down, /graphql answers at once 503 SERVICE_UNAVAILABLE with
Retry-After (server/deadline.py), requests in flight are stopped and answered so too, and
/readyz says "Neo4j unavailable" without asking the database again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from neo4j.exceptions import Neo4jError

from graph.client import NEO4J_UNREACHABLE

log = logging.getLogger("gridgraph.neo4j")

PROBE_ERRORS = (*NEO4J_UNREACHABLE, OSError, Neo4jError)


class Neo4jHealth:
    """Neo4j's availability as last seen, and the probe that keeps it current."""

    def __init__(
        self,
        probe: Callable[[], Awaitable[None]],
        *,
        recheck: Callable[[], Awaitable[None]] | None = None,
        up_interval_s: float = 0.5,
        down_interval_s: float = 0.2,
        probe_timeout_s: float = 2.0,
        timeouts_to_down: int = 3,
        retry_after_s: int = 2,
    ) -> None:
        self.probe = probe
        self.recheck = recheck
        self.up_interval_s = up_interval_s
        self.down_interval_s = down_interval_s
        self.probe_timeout_s = probe_timeout_s
        self.timeouts_to_down = timeouts_to_down
        self.retry_after_s = retry_after_s
        self.changed_at = time.monotonic()
        self._available = True  # optimistic until a probe or a query says otherwise
        self._down = asyncio.Event()  # set while Neo4j is known to be down
        self._timeouts = 0

    @property
    def available(self) -> bool:
        """False while Neo4j is known to be down."""
        return self._available

    def retry_after(self) -> str:
        """The Retry-After header value of a 503 while Neo4j is down (seconds)."""
        return str(self.retry_after_s)

    def mark_down(self, reason: BaseException | str) -> None:
        """Neo4j did not answer: fail requests fast from now on (one log line per outage)."""
        self._timeouts = 0
        if not self._available:
            return
        self._available = False
        self.changed_at = time.monotonic()
        self._down.set()
        log.warning("Neo4j unavailable: %s; answering 503 until it answers again", _short(reason))

    def mark_up(self) -> None:
        """Neo4j answered: serve requests again."""
        self._timeouts = 0
        if self._available:
            return
        down_for = time.monotonic() - self.changed_at
        self._available = True
        self.changed_at = time.monotonic()
        self._down.clear()
        log.warning("Neo4j answers again after %.1fs unavailable", down_for)

    async def wait_down(self) -> None:
        """Return once Neo4j is known to be down (at once if it is)."""
        await self._down.wait()

    async def probe_once(self) -> bool:
        """Probe Neo4j once and update the state; True when it answered."""
        # While down, a probe gets less time: a timeout then changes nothing, and the next
        # probe comes sooner after Neo4j answers again.
        timeout_s = self.probe_timeout_s if self._available else self.probe_timeout_s / 2
        try:
            async with asyncio.timeout(timeout_s):
                await self.probe()
        except TimeoutError:
            self._timeouts += 1
            if self._timeouts >= self.timeouts_to_down:
                self.mark_down(f"no answer to {self._timeouts} probes of {self.probe_timeout_s}s")
            return False
        except PROBE_ERRORS as error:
            self.mark_down(error)
            return False
        if not self._available and not await self._rechecked():
            return False
        self.mark_up()
        return True

    async def _rechecked(self) -> bool:
        """After an outage: the app's pool answers too (two tries: the first may meet a
        connection to the dead server, which the driver then drops with the others idle)."""
        if self.recheck is None:
            return True
        for _ in range(2):
            try:
                async with asyncio.timeout(self.probe_timeout_s):
                    await self.recheck()
            except (TimeoutError, *PROBE_ERRORS):
                continue
            return True
        return False

    @contextlib.asynccontextmanager
    async def probing(self) -> AsyncIterator[Neo4jHealth]:
        """Probe in the background while the block runs (the app's lifespan)."""

        async def loop() -> None:
            while True:
                await self.probe_once()
                await asyncio.sleep(self.up_interval_s if self._available else self.down_interval_s)

        task = asyncio.create_task(loop(), name="gridgraph-neo4j-probe")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _short(reason: BaseException | str) -> str:
    """One line about why: the error's type and first line, never a traceback."""
    if isinstance(reason, str):
        return reason
    text = str(reason).strip().splitlines()
    return f"{type(reason).__name__}: {text[0] if text else ''}".rstrip(": ")
