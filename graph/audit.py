"""The audit log: one hash-chained :AuditRecord per authenticated request (docs/audit.md).

Each record stores who asked (subject, role, credential, purpose), what (operation name,
sha256 of the GraphQL document, the variables with personal data redacted), how much came
back (records read), the outcome and the HTTP request's id (`requestId`, only on records
written since request ids exist: older records hash as before). Records form a chain:
record `seq` stores the hash of record `seq - 1` (`prevHash`) and its own
`hash = sha256(prevHash | seq | canonical body)`;
the single `(:AuditHead {id: 'main'})` holds the last seq and hash. Requests append through
the group appender (graph/audit_group.py): records of concurrent requests are committed
together by APPEND_BATCH, chained exactly as one-by-one appends (APPEND) would chain them.

Nothing in the application updates or deletes an audit record, but Neo4j community edition
cannot forbid it (no per-label write privileges): whoever holds the database credentials
can. Hence the chain: `verify_audit_log` recomputes every hash and reports any record that
was altered or deleted (graph/audit_verify.py). A truncated tail whose head was rewound
shows only against a head anchored outside the database (`gridgraph audit anchor`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph.client import GraphClient
from graph.personal_data import replace_identifier_shapes

GENESIS_HASH = "0" * 64  # the prevHash of record 1
SEPARATOR = "|"  # between prevHash, seq and body in the hashed text
OUTCOME_OK = "ok"
REDACTED = "[redacted]"  # what replaces personal data in a record

# -- entries and their canonical form -------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One audited request, before it gets its place (seq) and hashes in the chain."""

    at: datetime  # when the request started, timezone-aware
    subject: str
    role: str
    credential: str  # jwt or api_key (resolvers/principal.py Credential)
    purpose: str | None  # the stated purpose (partners must give one)
    operation_name: str | None
    document_hash: str | None  # sha256 hex of the GraphQL document text
    variables: dict[str, Any]  # already redacted (resolvers/redaction.py), JSON-able
    records: int  # rows read from Neo4j while serving the request
    outcome: str  # "ok", "error:CODE,CODE" or "refused:CODE"
    count: int = 1  # requests this record stands for (> 1: aggregated repeated refusals)
    request_id: str | None = None  # the HTTP request's id (X-Request-Id, server/request_log.py)


def format_at(at: datetime) -> str:
    """`at` as ISO-8601 UTC with microseconds, e.g. 2025-01-02T03:04:05.123456Z."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _stored_fields(entry: AuditEntry) -> dict[str, Any]:
    """The entry's fields under their :AuditRecord property names (hashed and stored alike)."""
    fields: dict[str, Any] = {
        "at": entry.at,
        "subject": entry.subject,
        "role": entry.role,
        "credential": entry.credential,
        "purpose": entry.purpose,
        "operationName": entry.operation_name,
        "documentHash": entry.document_hash,
        "variables": entry.variables,
        "records": entry.records,
        "outcome": entry.outcome,
    }
    if entry.count != 1:  # only aggregated refusals carry it: older records hash as before
        fields["count"] = entry.count
    if entry.request_id is not None:  # records written before request ids hash as before
        fields["requestId"] = entry.request_id
    return fields


def canonical(entry: AuditEntry) -> str:
    """The entry as canonical JSON (sorted keys, compact, UTF-8): the hashed body."""
    return _json({**_stored_fields(entry), "at": format_at(entry.at)})


def chain_hash(prev_hash: str, seq: int, body: str) -> str:
    """sha256 hex of UTF-8 `prevHash|seq|body`: what APPEND computes with apoc.util.sha256."""
    text = f"{prev_hash}{SEPARATOR}{seq}{SEPARATOR}{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_hash(query: str | None) -> str | None:
    """sha256 hex of a GraphQL document's text (None without one).

    ID-card- and phone-shaped parts are replaced before hashing: an unkeyed hash of a
    document quoting one would give the number back to anyone trying the few million
    candidates against it.
    """
    if query is None:
        return None
    text = replace_identifier_shapes(query, REDACTED)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scrubbed(entry: AuditEntry) -> AuditEntry:
    """The entry with ID-card- and phone-shaped parts of its purpose and operation name replaced.

    Applied to every append, whichever path built the entry: these two are free text the
    client chose, and the log must not keep an identifier in clear.
    """
    purpose, name = entry.purpose, entry.operation_name
    return replace(
        entry,
        purpose=None if purpose is None else replace_identifier_shapes(purpose, REDACTED),
        operation_name=None if name is None else replace_identifier_shapes(name, REDACTED),
    )


def outcome_of(codes: Iterable[str]) -> str:
    """`ok` without error codes, else `error:` and the distinct codes, sorted, comma-separated."""
    distinct = sorted(set(codes))
    return "error:" + ",".join(distinct) if distinct else OUTCOME_OK


# -- appending ------------------------------------------------------------------------------

# One round trip. The MERGE creates the head on the first append (the uniqueness constraint
# on AuditHead.id makes concurrent first appends meet on one node); `SET h.seq = h.seq + 1`
# takes the head's write lock before reading, so concurrent appends queue up on it and each
# reads the hash its predecessor committed. apoc.util.sha256 concatenates the list's
# strings and hashes their UTF-8 bytes (chain_hash is the same in Python).
APPEND: LiteralString = """
MERGE (h:AuditHead {id: 'main'})
  ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.seq = h.seq + 1
WITH h, h.seq AS seq, h.hash AS prevHash
WITH h, seq, prevHash,
     apoc.util.sha256([prevHash, $separator, toString(seq), $separator, $body]) AS hash
CREATE (:AuditRecord {
  seq: seq, at: $at, subject: $subject, role: $role, credential: $credential,
  purpose: $purpose, operationName: $operationName, documentHash: $documentHash,
  variables: $variables, records: $records, outcome: $outcome, count: $count,
  requestId: $requestId, prevHash: prevHash, hash: hash
})
SET h.hash = hash
RETURN seq, hash
"""


# Many entries in one round trip and one transaction (group commit, graph/audit_group.py):
# the same head lock, taken once for the batch; the hashes are chained in order by the
# reduce (record i's prevHash is record i - 1's hash, the first one's is the head's), so the
# records are exactly those one-by-one appends in that order would have written.
APPEND_BATCH: LiteralString = """
MERGE (h:AuditHead {id: 'main'})
  ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.seq = h.seq + size($entries)
WITH h, h.seq - size($entries) AS base, h.hash AS headHash
WITH h, base, reduce(hashes = [headHash], i IN range(0, size($entries) - 1) |
       hashes + apoc.util.sha256([hashes[-1], $separator, toString(base + i + 1), $separator,
                                  $entries[i].body])) AS hashes
SET h.hash = hashes[-1]
WITH base, hashes
UNWIND range(0, size($entries) - 1) AS i
WITH i, base + i + 1 AS seq, hashes[i] AS prevHash, hashes[i + 1] AS hash, $entries[i] AS e
CREATE (:AuditRecord {
  seq: seq, at: e.at, subject: e.subject, role: e.role, credential: e.credential,
  purpose: e.purpose, operationName: e.operationName, documentHash: e.documentHash,
  variables: e.variables, records: e.records, outcome: e.outcome, count: e.count,
  requestId: e.requestId, prevHash: prevHash, hash: hash
})
RETURN i, seq, hash ORDER BY i
"""


@dataclass(frozen=True)
class Appended:
    """Where an entry landed in the chain."""

    seq: int
    hash: str


def record_params(entry: AuditEntry) -> dict[str, Any]:
    """The stored properties and hashed body of an entry (scrubbed first), as Cypher params.

    Raises on an entry that cannot be stored (a naive time, variables that are not JSON):
    the group appender calls it before queueing, so one bad entry never fails a batch.
    """
    entry = scrubbed(entry)
    return {
        **_stored_fields(entry),
        "at": entry.at.astimezone(UTC),
        "variables": _json(entry.variables),
        "count": entry.count if entry.count != 1 else None,  # null: no property
        "requestId": entry.request_id,  # null: no property
        "body": canonical(entry),
    }


_CHAIN_PARAMS = {"genesis": GENESIS_HASH, "separator": SEPARATOR}


async def append_audit_entry(graph: GraphClient, entry: AuditEntry) -> Appended:
    """Append one entry to the chain in its own write transaction; returns its seq and hash.

    The request paths append through the group appender (graph/audit_group.py) instead.
    """
    [row] = await graph.write(APPEND, {**record_params(entry), **_CHAIN_PARAMS})
    return Appended(seq=row["seq"], hash=row["hash"])


async def append_record_params(graph: GraphClient, batch: list[dict[str, Any]]) -> list[Appended]:
    """Append prepared entries (record_params), in order, in ONE write transaction."""
    if not batch:
        return []
    # One statement, so one auto-commit transaction: the whole batch lands or none of it.
    rows = await graph.write_statement(APPEND_BATCH, {"entries": batch, **_CHAIN_PARAMS})
    if [row["i"] for row in rows] != list(range(len(batch))):
        raise RuntimeError("the audit batch did not return one row per entry")
    return [Appended(seq=row["seq"], hash=row["hash"]) for row in rows]


async def append_audit_entries(graph: GraphClient, entries: list[AuditEntry]) -> list[Appended]:
    """Append entries, in order, in ONE write transaction; their seqs are consecutive."""
    return await append_record_params(graph, [record_params(entry) for entry in entries])


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRecord:
    """An audit record as stored: its entry and its place in the chain."""

    seq: int
    entry: AuditEntry
    prev_hash: str
    hash: str


def entry_of(props: Mapping[str, Any]) -> AuditEntry:
    """The entry stored in an :AuditRecord's properties (raises if they are malformed)."""
    variables = json.loads(props["variables"])
    if not isinstance(variables, dict):
        raise ValueError("variables are not a JSON object")
    return AuditEntry(
        at=props["at"],
        subject=props["subject"],
        role=props["role"],
        credential=props["credential"],
        purpose=props.get("purpose"),
        operation_name=props.get("operationName"),
        document_hash=props.get("documentHash"),
        variables=variables,
        records=props["records"],
        outcome=props["outcome"],
        count=props.get("count", 1),
        request_id=props.get("requestId"),
    )


def stored_record(props: Mapping[str, Any]) -> StoredRecord:
    """A StoredRecord from an :AuditRecord's properties."""
    return StoredRecord(props["seq"], entry_of(props), props["prevHash"], props["hash"])


@dataclass(frozen=True)
class AuditFilter:
    """Filters of audit-log pages; None means "any". `until` is exclusive."""

    subject: str | None = None
    role: str | None = None
    outcome_prefix: str | None = None
    operation_name: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    request_id: str | None = None

    def params(self) -> dict[str, Any]:
        """The $parameters of AUDIT_FILTER."""
        return {
            "subject": self.subject,
            "role": self.role,
            "outcome": self.outcome_prefix,
            "operationName": self.operation_name,
            "since": _utc(self.since),
            "until": _utc(self.until),
            "requestId": self.request_id,
        }


def _utc(moment: datetime | None) -> datetime | None:
    # Records hold UTC times. Neo4j orders equal instants by offset, so a bound of
    # 18:00+08:00 would not be >= a record at 10:00Z: compare in the same offset.
    return None if moment is None else moment.astimezone(UTC)


AUDIT_FILTER: LiteralString = """
MATCH (r:AuditRecord)
WHERE ($subject IS NULL OR r.subject = $subject)
  AND ($role IS NULL OR r.role = $role)
  AND ($outcome IS NULL OR r.outcome STARTS WITH $outcome)
  AND ($operationName IS NULL OR r.operationName = $operationName)
  AND ($since IS NULL OR r.at >= $since)
  AND ($until IS NULL OR r.at < $until)
  AND ($requestId IS NULL OR r.requestId = $requestId)
"""

_PAGE: LiteralString = (
    "CALL () {"
    + AUDIT_FILTER
    + """  WITH r WHERE $afterSeq IS NULL OR r.seq < $afterSeq
  WITH r ORDER BY r.seq DESC LIMIT $limit
  RETURN collect(r {.*}) AS items
}
"""
)

# Newest first, one page after the record `$afterSeq` (null: from the newest; a keyset,
# stable while records are appended); the second form also counts every matching record.
AUDIT_PAGE: LiteralString = _PAGE + "RETURN items, null AS total"
AUDIT_PAGE_WITH_TOTAL: LiteralString = (
    "CALL () {" + AUDIT_FILTER + "  RETURN count(r) AS total\n}\n" + _PAGE + "RETURN items, total"
)


@dataclass(frozen=True)
class AuditPage:
    """Records of one page, newest first, and the total when it was asked for."""

    records: list[StoredRecord]
    total: int | None


async def audit_page(
    graph: GraphClient, where: AuditFilter, after_seq: int | None, limit: int, with_total: bool
) -> AuditPage:
    """One page of the audit log (newest first, older than record `after_seq` when given),
    filtered and cut in Cypher."""
    query = AUDIT_PAGE_WITH_TOTAL if with_total else AUDIT_PAGE
    values = {**where.params(), "afterSeq": after_seq, "limit": limit}
    [row] = await graph.read(query, values)
    return AuditPage([stored_record(props) for props in row["items"]], row["total"])


# Verification lives in graph/audit_verify.py; re-exported here for existing importers.
from graph.audit_verify import AuditReport as AuditReport  # noqa: E402
from graph.audit_verify import verify_audit_log as verify_audit_log  # noqa: E402
