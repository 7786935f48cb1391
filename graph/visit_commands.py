"""Recording and correcting visit logs, each ONE write transaction with an optional
idempotency claim (graph/claimed_writes.py).

A visit that found a hazard (隐患) files it as a case through the case workflow's own
`report_case` (graph/case_commands), run *inside* the visit's transaction: the visit, the
case, its first event and the FOUND link between them are written together or not at all.
Everything named (grid, visitor, building, visited persons) is matched with the caller's row
scope in that transaction; out of scope is refused exactly like unknown.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import LiteralString, TypeVar

from graph import buildings, persons, places, visits
from graph.activity_checks import (
    ActivityRefused,
    bump_version,
    lock_versioned,
    require_visible,
)
from graph.case_commands import CaseReport, IdempotencyClaim, report_case
from graph.claimed_writes import run_claimed
from graph.client import GraphClient, TransactionWriter
from graph.policy import WorkflowRules
from graph.traversal import Scope

T = TypeVar("T")


class _InTransaction(GraphClient):
    """A client whose `in_one_transaction` runs the work in an already open transaction, so a
    command written for its own transaction (report_case) joins the caller's."""

    def __init__(self, graph: GraphClient, tx: TransactionWriter) -> None:
        super().__init__(graph.driver, graph.database, graph.query_timeout_s)
        self._open = tx

    async def in_one_transaction(self, work: Callable[[TransactionWriter], Awaitable[T]]) -> T:
        return await work(self._open)


@dataclass(frozen=True)
class VisitDraft:
    """A visit log to record (its checks on values are the resolver's)."""

    grid_code: str
    kind: visits.VisitKind
    at: datetime
    visitor_id: str
    duration_minutes: int
    notes: str | None
    building_code: str | None
    visited_ids: tuple[str, ...]


@dataclass(frozen=True)
class VisitRecord:
    """What recordVisit or correctVisit did."""

    visit_id: str
    version: int
    hazard_case_code: str | None = None
    replayed: bool = False


def _encode(record: VisitRecord) -> str:
    return json.dumps({k: v for k, v in asdict(record).items() if k != "replayed"})


def _decode(text: str) -> VisitRecord:
    return VisitRecord(**json.loads(text), replayed=True)


async def _check_places(tx: TransactionWriter, draft: VisitDraft, scope: Scope) -> None:
    await require_visible(tx, places.GRID, [draft.grid_code], "grid", scope, "grid")
    await require_visible(tx, persons.PERSON, [draft.visitor_id], "visitor", scope, "person")
    if draft.building_code is not None:
        if not draft.building_code.startswith(draft.grid_code):
            message = f"building {draft.building_code} is not in grid {draft.grid_code}"
            raise ActivityRefused(message, "building")
        argument = "building"
        await require_visible(tx, buildings.BUILDING, [draft.building_code], argument, scope)
    await require_visible(tx, persons.PERSON, draft.visited_ids, "visited", scope, "person")


async def record_visit(
    graph: GraphClient,
    draft: VisitDraft,
    hazard: CaseReport | None,
    rules: WorkflowRules,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> VisitRecord:
    """Record a visit and, when it found a hazard, file the hazard as a case linked to it."""

    async def work(tx: TransactionWriter) -> VisitRecord:
        await _check_places(tx, draft, scope)
        code = None
        if hazard is not None:
            outcome = await report_case(_InTransaction(graph, tx), hazard, rules, None, scope)
            code = outcome.case_code
        visit_id = f"VS{draft.at:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        row = {
            "id": visit_id,
            "kind": draft.kind.value,
            "at": draft.at,
            "durationMinutes": draft.duration_minutes,
            "notes": draft.notes,
            "gridCode": draft.grid_code,
            "visitorId": draft.visitor_id,
            "buildingCode": draft.building_code,
            "visitedIds": list(draft.visited_ids),
            "hazardCaseCode": code,
            "version": 1,
        }
        await visits.upsert_visits(tx, [row])
        return VisitRecord(visit_id, 1, code)

    async def grid_still_visible(tx: TransactionWriter) -> None:
        await require_visible(tx, places.GRID, [draft.grid_code], "grid", scope, "grid")

    return await run_claimed(graph, claim, draft.at, work, _encode, _decode, grid_still_visible)


async def correct_visit(
    graph: GraphClient,
    visit_id: str,
    notes: str | None,
    duration_minutes: int,
    expected_version: int | None,
    subject: str,
    at: datetime,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
    may_correct: Callable[[str], None] | None = None,
) -> VisitRecord:
    """Correct a visit's notes and duration; RecordChanged unless at `expected_version`.

    `may_correct(grid code)` raises to refuse (the caller's own rule about whose visits)."""

    async def work(tx: TransactionWriter) -> VisitRecord:
        spec = visits.VISIT
        await lock_versioned(tx, spec, visit_id, expected_version, "id", scope, "visit")
        if may_correct is not None:
            [row] = await tx.write(GRID_OF_VISIT, {"id": visit_id})
            may_correct(row["grid"])
        params = {"id": visit_id, "notes": notes, "durationMinutes": duration_minutes}
        await tx.write(visits.CORRECT_VISIT, {**params, "at": at, "subject": subject})
        version = await bump_version(tx, spec, visit_id)
        [found] = await tx.write(HAZARD_OF_VISIT, {"id": visit_id})
        return VisitRecord(visit_id, version, found["code"])

    async def still_visible(tx: TransactionWriter) -> None:
        await require_visible(tx, visits.VISIT, [visit_id], "id", scope, "visit")

    return await run_claimed(graph, claim, at, work, _encode, _decode, still_visible)


GRID_OF_VISIT: LiteralString = "MATCH (:Visit {id: $id})-[:IN_GRID]->(g:Grid) RETURN g.code AS grid"
HAZARD_OF_VISIT: LiteralString = (
    "MATCH (v:Visit {id: $id}) OPTIONAL MATCH (v)-[:FOUND]->(c:Case) RETURN c.code AS code"
)


def visited_once(ids: Sequence[str]) -> tuple[str, ...]:
    """The visited persons, each once, in the order given."""
    return tuple(dict.fromkeys(ids))
