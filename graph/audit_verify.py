"""Verifying the audit chain (graph/audit.py): altered, deleted, unlinked records, and anchors.

`verify_audit_log` recomputes every hash in seq order and reports what does not add up. A
chain whose newest records were deleted and whose head was rewound to the last survivor is
self-consistent, so the database alone cannot tell: an anchor (the head seq and hash,
exported by `gridgraph audit anchor` to a file the database's users cannot write) can. A
genuine log only ever extends an anchored head, so verifying against one reports a
truncated tail, or a rewritten record at the anchored seq.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, LiteralString

from graph.audit import GENESIS_HASH, canonical, chain_hash, stored_record
from graph.client import GraphClient


class ProblemKind(StrEnum):
    """What verification found wrong."""

    ALTERED = "altered"  # the stored hash does not match the record's content
    MISSING = "missing"  # a seq with no record: deleted
    CHAIN_BROKEN = "chain broken"  # prevHash is not the previous record's hash
    HEAD_MISMATCH = "head mismatch"  # the head does not point at the last record
    UNSEQUENCED = "unsequenced"  # records whose seq was removed or is not an integer
    TRUNCATED = "truncated"  # an anchored head is gone: the newest records were deleted
    ANCHOR_MISMATCH = "anchor mismatch"  # the record at an anchored seq has another hash


@dataclass(frozen=True)
class AuditProblem:
    """One thing wrong with the chain; `seq` is None when no single record is to blame."""

    seq: int | None
    kind: ProblemKind
    detail: str

    def describe(self) -> str:
        """One line: where and what."""
        where = f"seq {self.seq}" if self.seq is not None else "log"
        return f"{where}: {self.kind.value}: {self.detail}"


@dataclass
class AuditReport:
    """The result of verify_audit_log."""

    records: int = 0
    head_seq: int | None = None
    head_hash: str | None = None
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def describe(self) -> str:
        """A summary line, then one line per problem."""
        if self.intact:
            head = f" (head seq {self.head_seq}, hash {self.head_hash})" if self.head_seq else ""
            return f"{self.records} records, chain intact{head}"
        lines = [f"{self.records} records, {len(self.problems)} problems:"]
        lines += [f"  {problem.describe()}" for problem in self.problems]
        return "\n".join(lines)


# Keyset pagination on the seq uniqueness index: memory stays one batch, whatever the length.
VERIFY_BATCH: LiteralString = """
MATCH (r:AuditRecord)
WHERE r.seq > $after
WITH r ORDER BY r.seq
LIMIT $batch
RETURN r {.*} AS props,
       CASE WHEN r.at IS :: ZONED DATETIME THEN r.at.nanosecond END AS atNanos
"""
COUNT_RECORDS: LiteralString = "MATCH (r:AuditRecord) RETURN count(r) AS n"
READ_HEAD: LiteralString = "MATCH (h:AuditHead {id: 'main'}) RETURN h.seq AS seq, h.hash AS hash"

VERIFY_BATCH_SIZE = 5000


def _recomputed_hash(props: Mapping[str, Any], nanos: Any) -> str | None:
    """The hash the record's content implies, or None when its properties are malformed."""
    try:
        record = stored_record(props)
        if not isinstance(record.entry.records, int) or nanos != record.entry.at.microsecond * 1000:
            return None  # changed type, or an `at` finer than the microseconds written
        return chain_hash(record.prev_hash, record.seq, canonical(record.entry))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


class _Checker:
    """Walks the records in seq order, remembering only the previous one."""

    def __init__(self, report: AuditReport) -> None:
        self.report = report
        self.last_seq = 0
        self.last_hash = GENESIS_HASH

    def check(self, props: Mapping[str, Any], nanos: Any) -> None:
        seq: int = props["seq"]
        problems = self.report.problems
        if seq > self.last_seq + 1:
            gap = "no record" if seq == self.last_seq + 2 else f"no records up to seq {seq - 1}"
            problems.append(
                AuditProblem(self.last_seq + 1, ProblemKind.MISSING, f"{gap} (deleted)")
            )
        elif props.get("prevHash") != self.last_hash:
            what = "the previous record's hash" if self.last_seq else "the genesis hash"
            problems.append(AuditProblem(seq, ProblemKind.CHAIN_BROKEN, f"prevHash is not {what}"))
        if _recomputed_hash(props, nanos) != props.get("hash"):
            problems.append(
                AuditProblem(seq, ProblemKind.ALTERED, "content does not match its stored hash")
            )
        self.report.records += 1
        self.last_seq = seq
        self.last_hash = str(props.get("hash"))


@dataclass(frozen=True)
class AuditAnchor:
    """A head seen earlier and kept outside the database: the log must still contain it."""

    seq: int
    hash: str


async def verify_audit_log(
    graph: GraphClient,
    batch_size: int = VERIFY_BATCH_SIZE,
    expect_head: AuditAnchor | None = None,
) -> AuditReport:
    """Recompute the whole chain, in batches; report altered, deleted and unlinked records.

    With `expect_head`, also report a log that no longer extends that anchored head.
    """
    report = AuditReport()
    checker = _Checker(report)
    while True:
        rows = await graph.read(VERIFY_BATCH, {"after": checker.last_seq, "batch": batch_size})
        for row in rows:
            checker.check(row["props"], row["atNanos"])
        if len(rows) < batch_size:
            break
    [count] = await graph.read(COUNT_RECORDS)
    if count["n"] > report.records:
        report.problems.append(
            AuditProblem(
                None,
                ProblemKind.UNSEQUENCED,
                f"{count['n'] - report.records} records have no valid seq",
            )
        )
    heads = await graph.read(READ_HEAD)
    _check_head(report, heads, checker)
    if expect_head is not None:
        await _check_anchor(graph, report, expect_head)
    return report


READ_RECORD_HASH: LiteralString = "MATCH (r:AuditRecord {seq: $seq}) RETURN r.hash AS hash"


async def _check_anchor(graph: GraphClient, report: AuditReport, anchor: AuditAnchor) -> None:
    """Report a log that does not contain the anchored record (seq and hash) any more."""
    rows = await graph.read(READ_RECORD_HASH, {"seq": anchor.seq})
    if rows and rows[0]["hash"] == anchor.hash:
        return
    head_seq = report.head_seq or 0
    if not rows and head_seq < anchor.seq:
        detail = (
            f"the anchored head (seq {anchor.seq}, hash {anchor.hash}) is gone: the log ends "
            f"at seq {head_seq}, so the records after it were deleted and the head rewound"
        )
        report.problems.append(AuditProblem(head_seq + 1, ProblemKind.TRUNCATED, detail))
        return
    found = f"hash {rows[0]['hash']}" if rows else "no record"
    detail = f"anchored hash {anchor.hash}, the log has {found}: the chain was rewritten"
    report.problems.append(AuditProblem(anchor.seq, ProblemKind.ANCHOR_MISMATCH, detail))


def _check_head(report: AuditReport, heads: list[dict[str, Any]], checker: _Checker) -> None:
    if not heads:
        if report.records:
            report.problems.append(
                AuditProblem(None, ProblemKind.HEAD_MISMATCH, "the audit head is missing")
            )
        return
    head = heads[0]
    report.head_seq, report.head_hash = head["seq"], head["hash"]
    if head["seq"] != checker.last_seq:
        report.problems.append(
            AuditProblem(
                checker.last_seq + 1 if head["seq"] > checker.last_seq else head["seq"],
                ProblemKind.HEAD_MISMATCH,
                f"the head says seq {head['seq']}, the last record is seq {checker.last_seq}"
                + (" (records at the end were deleted)" if head["seq"] > checker.last_seq else ""),
            )
        )
    elif head["hash"] != checker.last_hash:
        report.problems.append(
            AuditProblem(
                head["seq"], ProblemKind.HEAD_MISMATCH, "the head's hash is not the last record's"
            )
        )
