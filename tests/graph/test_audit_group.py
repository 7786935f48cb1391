"""Group commit of audit records: concurrent appends share a transaction, the chain is unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, LiteralString

import httpx
import pytest
from neo4j.exceptions import ConstraintError

from graph.audit import (
    GENESIS_HASH,
    Appended,
    append_audit_entries,
    append_audit_entry,
    canonical,
    chain_hash,
)
from graph.audit_group import AuditAppender, append_grouped, appender_for
from graph.audit_verify import verify_audit_log
from graph.client import GraphClient, count_round_trips
from server.app import create_app
from server.settings import Settings
from tests.graph.test_audit import entry
from tests.tokens import bearer, hs256

READ_CHAIN: LiteralString = """
MATCH (r:AuditRecord)
RETURN r.seq AS seq, r.records AS records, r.prevHash AS prevHash, r.hash AS hash
ORDER BY r.seq
"""
READ_HEAD: LiteralString = "MATCH (h:AuditHead) RETURN h.seq AS seq, h.hash AS hash"


async def assert_intact(graph: GraphClient, count: int) -> list[dict[str, Any]]:
    """The chain holds seqs 1..count, linked, each hash what Python computes; its rows."""
    rows = await graph.read(READ_CHAIN)
    assert [row["seq"] for row in rows] == list(range(1, count + 1))
    assert [row["prevHash"] for row in rows] == [GENESIS_HASH] + [row["hash"] for row in rows[:-1]]
    report = await verify_audit_log(graph)
    assert report.intact, report.describe()
    assert (report.records, report.head_seq) == (count, count or None)
    return rows


async def test_a_batch_chains_like_one_by_one_appends(empty_graph: GraphClient) -> None:
    # given two records appended one by one, then five in one batch, then one more alone
    first = [await append_audit_entry(empty_graph, entry(n)) for n in (1, 2)]
    batch = await append_audit_entries(empty_graph, [entry(n) for n in range(3, 8)])
    last = await append_audit_entry(empty_graph, entry(8))
    # then the seqs follow on, and every hash is the one-by-one hash of the same content
    assert [a.seq for a in [*first, *batch, last]] == list(range(1, 9))
    rows = await assert_intact(empty_graph, 8)
    previous = GENESIS_HASH
    for n, row in enumerate(rows, start=1):
        assert row["hash"] == chain_hash(previous, n, canonical(entry(n)))
        previous = row["hash"]
    assert [a.hash for a in batch] == [row["hash"] for row in rows[2:7]]
    assert await empty_graph.read(READ_HEAD) == [{"seq": 8, "hash": previous}]
    assert await append_audit_entries(empty_graph, []) == []


async def test_fifty_concurrent_appends_share_transactions_and_each_gets_its_own_seq(
    empty_graph: GraphClient,
) -> None:
    # given an appender that commits at most 16 records per transaction
    appender = AuditAppender(empty_graph, max_batch=16)
    # when 50 callers append at once on an empty log (no head yet)
    appended = await asyncio.gather(*(appender.append(entry(n)) for n in range(1, 51)))
    # then they got seqs 1..50 in arrival order, in 4 transactions (16 + 16 + 16 + 2)
    assert [a.seq for a in appended] == list(range(1, 51))
    assert (appender.batches, appender.records) == (4, 50)
    # and each caller's seq and hash are those of its own record; the chain holds
    rows = await assert_intact(empty_graph, 50)
    for n, (landed, row) in enumerate(zip(appended, rows, strict=True), start=1):
        assert row["records"] == n * 10  # entry(n) is what landed at seq n
        assert landed == Appended(seq=row["seq"], hash=row["hash"])


async def test_appends_arriving_during_a_flush_form_the_next_batch(
    empty_graph: GraphClient,
) -> None:
    appender = AuditAppender(empty_graph)
    # given a flush under way with 3 records
    early = [asyncio.ensure_future(appender.append(entry(n))) for n in (1, 2, 3)]
    await asyncio.sleep(0)  # they are queued; the flush starts next
    await asyncio.sleep(0)
    # when 4 more arrive while it writes
    late = [asyncio.ensure_future(appender.append(entry(n))) for n in (4, 5, 6, 7)]
    done = await asyncio.gather(*early, *late)
    # then the later ones were committed together after the first batch, in order
    assert [a.seq for a in done] == list(range(1, 8))
    assert appender.batches == 2
    await assert_intact(empty_graph, 7)


async def test_a_failed_batch_fails_every_waiter_and_writes_nothing(
    empty_graph: GraphClient,
) -> None:
    # given a chain of 2 records and a stray record at seq 5: a batch reaching seq 5
    # violates the uniqueness constraint, so its whole transaction fails
    appender = AuditAppender(empty_graph)
    await asyncio.gather(*(appender.append(entry(n)) for n in (1, 2)))
    await empty_graph.write("CREATE (:AuditRecord {seq: 5})")
    # when 4 callers append together (seqs 3..6)
    results = await asyncio.gather(
        *(appender.append(entry(n)) for n in range(3, 7)), return_exceptions=True
    )
    # then every one of them gets the transaction's error, none a seq
    assert all(isinstance(result, ConstraintError) for result in results), results
    # and nothing of the batch was written: the head did not move
    [head] = await empty_graph.read(READ_HEAD)
    assert head["seq"] == 2
    # and once the stray record is gone the chain is intact and appends go on from seq 3
    await empty_graph.write("MATCH (r:AuditRecord {seq: 5}) DELETE r")
    await assert_intact(empty_graph, 2)
    assert [a.seq for a in await asyncio.gather(appender.append(entry(3)))] == [3]
    await assert_intact(empty_graph, 3)


async def test_a_caller_that_goes_away_still_has_its_record_and_the_others_theirs(
    empty_graph: GraphClient,
) -> None:
    appender = AuditAppender(empty_graph)
    tasks = [asyncio.ensure_future(appender.append(entry(n))) for n in range(1, 6)]
    await asyncio.sleep(0)  # all five queued, the flush not yet started
    # when the third caller is cancelled (its client disconnected)
    tasks[2].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    # then the others got their seqs, and the request that went away is still logged
    assert isinstance(results[2], asyncio.CancelledError)
    assert [r.seq for r in results if isinstance(r, Appended)] == [1, 2, 4, 5]
    await assert_intact(empty_graph, 5)


async def test_a_bad_entry_fails_only_its_own_caller(empty_graph: GraphClient) -> None:
    appender = AuditAppender(empty_graph)
    naive = entry(2, at=entry(2).at.replace(tzinfo=None))
    results = await asyncio.gather(
        appender.append(entry(1)), appender.append(naive), return_exceptions=True
    )
    assert isinstance(results[0], Appended) and isinstance(results[1], ValueError)
    await assert_intact(empty_graph, 1)


async def test_each_caller_counts_one_round_trip_for_its_record(empty_graph: GraphClient) -> None:
    async def audited(n: int) -> int:
        with count_round_trips() as trips:
            await append_grouped(empty_graph, entry(n))
        return trips.count

    assert await asyncio.gather(*(audited(n) for n in range(1, 9))) == [1] * 8
    assert appender_for(empty_graph) is appender_for(empty_graph)
    await appender_for(empty_graph).drain()
    await assert_intact(empty_graph, 8)


QUERY = "query Ping{n} {{ __typename }}"


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The app with its lifespan, served in this event loop (so requests really overlap)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app


async def test_concurrent_authenticated_requests_are_each_audited_exactly_once(
    graph: GraphClient,
    settings: Settings,
    app_client: tuple[httpx.AsyncClient, Any],
) -> None:
    await graph.write("MATCH (n) WHERE n:AuditRecord OR n:AuditHead DETACH DELETE n")
    client, app = app_client
    count = 24
    tokens = [hs256(settings, "admin", subject=f"group-{n}") for n in range(count)]
    # when 24 users send a request each, all at once
    answers = await asyncio.gather(
        *(
            client.post("/graphql", json={"query": QUERY.format(n=n)}, headers=bearer(tokens[n]))
            for n in range(count)
        )
    )
    # then every one was served, and logged exactly once, as itself
    assert [a.status_code for a in answers] == [200] * count
    assert all(a.json() == {"data": {"__typename": "Query"}} for a in answers)
    rows = await graph.read(
        "MATCH (r:AuditRecord) RETURN r.subject AS subject, r.operationName AS op ORDER BY r.seq"
    )
    assert sorted((row["subject"], row["op"]) for row in rows) == sorted(
        (f"group-{n}", f"Ping{n}") for n in range(count)
    )
    await assert_intact(graph, count)
    # and the records shared transactions
    appender = appender_for(app.state.graph)
    assert appender.records == count and appender.batches < count
