"""Readiness: Neo4j answers and the schema migrations are applied.

A background task keeps trying to apply the migrations until they are in place, so the
service becomes ready by itself when Neo4j comes (back) up.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graph.client import GraphClient
from graph.migrations import apply_migrations, pending_migrations

log = logging.getLogger(__name__)

NEO4J_DOWN = (ServiceUnavailable, SessionExpired, OSError, Neo4jError)
# The reasons /readyz gives: fixed texts, whatever the driver said.
UNAVAILABLE = "Neo4j unavailable"
NO_ANSWER = "Neo4j did not answer in time"


@dataclass(frozen=True)
class Readiness:
    """The answer of /readyz."""

    ready: bool
    reason: str | None = None
    pending: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"status": "ready" if self.ready else "not ready"}
        if self.reason:
            body["reason"] = self.reason
        if self.pending:
            body["pendingMigrations"] = list(self.pending)
        return body


async def check_readiness(graph: GraphClient, timeout_s: float = 5.0) -> Readiness:
    """Ask Neo4j, within a timeout, whether it answers and the schema is complete."""
    try:
        async with asyncio.timeout(timeout_s):
            await graph.ping()
            pending = await pending_migrations(graph)
    except TimeoutError:
        log.warning("not ready: Neo4j did not answer within %.0fs", timeout_s)
        return Readiness(False, NO_ANSWER)
    except NEO4J_DOWN as error:
        # The detail (driver message, addresses) goes to the log, never to the client.
        log.warning("not ready: Neo4j unavailable: %s", error)
        return Readiness(False, UNAVAILABLE)
    if pending:
        return Readiness(False, "schema migrations not applied yet", tuple(pending))
    return Readiness(True)


async def migrate_until_done(graph: GraphClient, retry_every_s: float = 2.0) -> None:
    """Apply migrations, retrying while Neo4j is unreachable; returns once they are applied."""
    while True:
        try:
            created = await apply_migrations(graph)
        except NEO4J_DOWN as error:
            log.warning("migrations not applied, retrying in %.0fs: %s", retry_every_s, error)
            await asyncio.sleep(retry_every_s)
            continue
        if created:
            log.info("migrations applied: %s", ", ".join(created))
        return
