"""The audit log is a hash chain in Neo4j: appends link up, tampering and deletions show."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import LiteralString

import pytest

from graph.audit import (
    GENESIS_HASH,
    AuditEntry,
    append_audit_entry,
    canonical,
    chain_hash,
    format_at,
)
from graph.audit_verify import AuditProblem, ProblemKind, verify_audit_log
from graph.china_time import CHINA_TIME
from graph.client import GraphClient

T0 = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)

READ_CHAIN: LiteralString = """
MATCH (r:AuditRecord)
RETURN r.seq AS seq, r.prevHash AS prevHash, r.hash AS hash ORDER BY r.seq
"""
READ_HEAD: LiteralString = "MATCH (h:AuditHead) RETURN h.id AS id, h.seq AS seq, h.hash AS hash"


def entry(n: int, **changes: object) -> AuditEntry:
    """A distinct entry per n (subjects, roles and outcomes vary)."""
    values: dict[str, object] = {
        "at": T0 + timedelta(minutes=n, microseconds=n),
        "subject": f"user-{n % 3}",
        "role": "admin" if n % 2 else "investigator",
        "credential": "jwt",
        "purpose": f"案件 C-{n}" if n % 4 == 0 else None,
        "operation_name": "Residents" if n % 2 else None,
        "document_hash": "ab" * 32,
        "variables": {
            "grid": "370811001001001",
            "first": n,
            "filter": {"namePrefix": "[redacted]"},
        },
        "records": n * 10,
        "outcome": "ok" if n % 5 else "error:FORBIDDEN",
    }
    values.update(changes)
    return AuditEntry(**values)  # type: ignore[arg-type]


async def append_many(graph: GraphClient, count: int) -> None:
    for n in range(1, count + 1):
        await append_audit_entry(graph, entry(n))


def kinds_at(problems: list[AuditProblem]) -> list[tuple[int | None, ProblemKind]]:
    return [(problem.seq, problem.kind) for problem in problems]


def test_canonical_form_is_sorted_compact_utf8_json_with_utc_microseconds() -> None:
    # given an entry whose time carries an offset and whose variables hold Chinese text
    at = datetime(2025, 3, 2, 0, 30, 0, 5, tzinfo=CHINA_TIME)
    given = entry(4, at=at, variables={"b": [1, None], "a": "张"})
    # then the canonical body is exactly this text
    assert canonical(given) == (
        '{"at":"2025-03-01T16:30:00.000005Z","credential":"jwt",'
        '"documentHash":"' + "ab" * 32 + '","operationName":null,"outcome":"ok",'
        '"purpose":"案件 C-4","records":40,"role":"investigator","subject":"user-1",'
        '"variables":{"a":"张","b":[1,null]}}'
    )
    # and naive times are refused rather than guessed
    with pytest.raises(ValueError, match="timezone-aware"):
        format_at(datetime(2025, 3, 1))


async def test_appends_chain_each_record_to_the_previous(empty_graph: GraphClient) -> None:
    # given three entries appended one after the other
    entries = [entry(n) for n in (1, 2, 3)]
    appended = [await append_audit_entry(empty_graph, e) for e in entries]
    # then they got seqs 1..3, and each stored hash is what Python computes for the same
    # content (APOC's sha256 in the append, hashlib here: byte for byte the same)
    rows = await empty_graph.read(READ_CHAIN)
    assert [row["seq"] for row in rows] == [a.seq for a in appended] == [1, 2, 3]
    previous = GENESIS_HASH
    for row, given in zip(rows, entries, strict=True):
        assert row["prevHash"] == previous
        assert row["hash"] == chain_hash(previous, row["seq"], canonical(given))
        previous = row["hash"]
    # and the head points at the last record
    assert await empty_graph.read(READ_HEAD) == [{"id": "main", "seq": 3, "hash": previous}]
    report = await verify_audit_log(empty_graph)
    assert report.intact and report.records == 3
    assert report.describe() == f"3 records, chain intact (head seq 3, hash {previous})"


async def test_twenty_concurrent_appends_get_seqs_1_to_20_and_an_intact_chain(
    empty_graph: GraphClient,
) -> None:
    # when 20 appends race on an empty log (the head does not exist yet)
    appended = await asyncio.gather(
        *(append_audit_entry(empty_graph, entry(n)) for n in range(1, 21))
    )
    # then every append got its own seq, without gaps, and the chain holds
    assert sorted(a.seq for a in appended) == list(range(1, 21))
    rows = await empty_graph.read(READ_CHAIN)
    assert [row["seq"] for row in rows] == list(range(1, 21))
    assert [row["prevHash"] for row in rows[1:]] == [row["hash"] for row in rows[:-1]]
    assert len(await empty_graph.read(READ_HEAD)) == 1
    report = await verify_audit_log(empty_graph)
    assert report.intact, report.describe()
    assert (report.records, report.head_seq) == (20, 20)


async def test_an_empty_log_verifies(empty_graph: GraphClient) -> None:
    report = await verify_audit_log(empty_graph)
    assert report.intact and report.records == 0
    assert report.describe() == "0 records, chain intact"


ALTERATIONS: dict[str, LiteralString] = {
    "subject": "SET r.subject = 'x'",
    "role": "SET r.role = 'admin' + 'x'",
    "credential": "SET r.credential = 'api_key'",
    "purpose": "SET r.purpose = 'a better reason'",
    "purpose removed": "REMOVE r.purpose",
    "operationName": "SET r.operationName = 'Other'",
    "documentHash": "SET r.documentHash = 'cd' + substring(r.documentHash, 2)",
    "variables": "SET r.variables = '{\"first\":1}'",
    "records": "SET r.records = r.records - 1",
    "records as text": "SET r.records = toString(r.records)",
    "outcome": "SET r.outcome = 'error:NOT_FOUND'",
    "at": "SET r.at = r.at + duration({seconds: 1})",
    "at by a nanosecond": "SET r.at = r.at + duration({nanoseconds: 1})",
    "at as text": "SET r.at = toString(r.at)",
    "prevHash": "SET r.prevHash = r.hash",
    "hash": "SET r.hash = r.prevHash",
}


@pytest.mark.parametrize("change", ALTERATIONS.values(), ids=ALTERATIONS.keys())
async def test_altering_any_property_of_a_record_is_detected_at_its_seq(
    empty_graph: GraphClient, change: LiteralString
) -> None:
    # given an intact chain of 8 records
    await append_many(empty_graph, 8)
    # when one property of record 4 is changed behind the application's back
    await empty_graph.write("MATCH (r:AuditRecord {seq: 4}) " + change)
    # then verification names record 4 as altered
    report = await verify_audit_log(empty_graph)
    assert (4, ProblemKind.ALTERED) in kinds_at(report.problems), report.describe()
    assert not report.intact
    assert "seq 4: altered" in report.describe()


async def test_a_record_rehashed_after_its_change_breaks_the_link_to_the_next(
    empty_graph: GraphClient,
) -> None:
    # given an intact chain, and a tamperer who changes record 3 and recomputes its hash
    await append_many(empty_graph, 6)
    [row] = await empty_graph.write(
        "MATCH (r:AuditRecord {seq: 3}) SET r.subject = 'someone-else' RETURN r {.*} AS props"
    )
    props = row["props"]
    body = canonical(entry(3, subject="someone-else"))
    forged = chain_hash(props["prevHash"], 3, body)
    await empty_graph.write("MATCH (r:AuditRecord {seq: 3}) SET r.hash = $h", {"h": forged})
    # then record 3 itself checks out, but record 4 no longer links to it
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(4, ProblemKind.CHAIN_BROKEN)]


async def test_deleting_a_middle_record_is_detected(empty_graph: GraphClient) -> None:
    # given 6 records, when record 3 is deleted
    await append_many(empty_graph, 6)
    await empty_graph.write("MATCH (r:AuditRecord {seq: 3}) DETACH DELETE r")
    # then it is reported missing, and only that
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(3, ProblemKind.MISSING)]
    assert report.records == 5
    assert "seq 3: missing" in report.describe()


async def test_deleting_several_middle_records_names_the_first(empty_graph: GraphClient) -> None:
    await append_many(empty_graph, 8)
    await empty_graph.write("MATCH (r:AuditRecord) WHERE 3 <= r.seq <= 5 DETACH DELETE r")
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(3, ProblemKind.MISSING)]
    assert "no records up to seq 5" in report.problems[0].detail


async def test_deleting_the_first_record_is_detected(empty_graph: GraphClient) -> None:
    await append_many(empty_graph, 4)
    await empty_graph.write("MATCH (r:AuditRecord {seq: 1}) DETACH DELETE r")
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(1, ProblemKind.MISSING)]


async def test_deleting_the_last_record_is_detected_by_the_head(empty_graph: GraphClient) -> None:
    # given 6 records, when the last one is deleted
    await append_many(empty_graph, 6)
    await empty_graph.write("MATCH (r:AuditRecord {seq: 6}) DETACH DELETE r")
    # then the head, which still says 6, gives it away
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(6, ProblemKind.HEAD_MISMATCH)]
    assert "the head says seq 6, the last record is seq 5" in report.describe()


async def test_deleting_the_head_is_detected(empty_graph: GraphClient) -> None:
    await append_many(empty_graph, 3)
    await empty_graph.write("MATCH (h:AuditHead) DETACH DELETE h")
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(None, ProblemKind.HEAD_MISMATCH)]


async def test_a_record_stripped_of_its_seq_is_detected(empty_graph: GraphClient) -> None:
    await append_many(empty_graph, 5)
    await empty_graph.write("MATCH (r:AuditRecord {seq: 2}) SET r.seq = 'two'")
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(2, ProblemKind.MISSING), (None, ProblemKind.UNSEQUENCED)]


async def test_verification_streams_in_batches_and_checks_links_across_them(
    empty_graph: GraphClient,
) -> None:
    # given 11 records read back 3 at a time
    await append_many(empty_graph, 11)
    assert (await verify_audit_log(empty_graph, batch_size=3)).intact
    # when the first record of the third batch loses its link to the second batch
    await empty_graph.write(
        "MATCH (r:AuditRecord {seq: 7}) SET r.prevHash = $zero", {"zero": GENESIS_HASH}
    )
    # then the broken link (and the hash that no longer matches) are both reported
    report = await verify_audit_log(empty_graph, batch_size=3)
    assert kinds_at(report.problems) == [(7, ProblemKind.CHAIN_BROKEN), (7, ProblemKind.ALTERED)]
    assert report.records == 11


async def test_appending_after_tampering_continues_from_the_head(empty_graph: GraphClient) -> None:
    # the chain continues from the head's hash, so later appends do not hide a deletion
    await append_many(empty_graph, 4)
    await empty_graph.write("MATCH (r:AuditRecord {seq: 4}) DETACH DELETE r")
    appended = await append_audit_entry(empty_graph, entry(5))
    assert appended.seq == 5
    report = await verify_audit_log(empty_graph)
    assert kinds_at(report.problems) == [(4, ProblemKind.MISSING)]
