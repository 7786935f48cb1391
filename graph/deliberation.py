"""Grid deliberation sessions (网格议事: "有处说事、有人管事、有章理事、有效办事").

`(:Deliberation {id, topic, place, at, outcome, version})` is `IN_GRID` one grid; persons
`DELIBERATED_IN {role}` it (residents, party members, the grid worker, and the "two deputies
and one member" 两代表一委员 where present); it is `FOLLOWED_UP_BY` the cases that carry its
outcome on. The outcome and the follow-up links may be recorded later, by another person:
that edit checks `expectedVersion` under the session's lock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, LiteralString

from graph import cases, persons, places
from graph.activity_checks import (
    ActivityRefused,
    bump_version,
    lock_versioned,
    require_visible,
)
from graph.case_commands import IdempotencyClaim
from graph.claimed_writes import run_claimed
from graph.client import CypherWriter, GraphClient, TransactionWriter
from graph.traversal import Hop, NodeSpec, Scope


class DeliberationRole(StrEnum):
    """In what capacity a person took part (DELIBERATED_IN.role)."""

    RESIDENT = "resident"
    PARTY_MEMBER = "party_member"
    GRID_WORKER = "grid_worker"
    PARTY_CONGRESS_DEPUTY = "party_congress_deputy"  # 党代表
    PEOPLES_CONGRESS_DEPUTY = "peoples_congress_deputy"  # 人大代表
    CPPCC_MEMBER = "cppcc_member"  # 政协委员
    OTHER = "other"  # e.g. a property company, a department's professional member


UPSERT_DELIBERATIONS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (d:Deliberation {id: row.id})
SET d.topic = row.topic, d.place = row.place, d.at = row.at, d.outcome = row.outcome,
    d.version = coalesce(row.version, d.version, 1)
MERGE (d)-[:IN_GRID]->(g)
WITH d, row
CALL (d, row) {
  UNWIND row.participants AS taking
  MATCH (p:Person {id: taking.personId})
  MERGE (p)-[r:DELIBERATED_IN]->(d)
  SET r.role = taking.role
}
CALL (d, row) {
  UNWIND coalesce(row.caseCodes, []) AS code
  MATCH (c:Case {code: code})
  MERGE (d)-[:FOLLOWED_UP_BY]->(c)
}
"""

SET_OUTCOME: LiteralString = """
MATCH (d:Deliberation {id: $id})
SET d.outcome = $outcome, d.outcomeAt = $at, d.outcomeBy = $subject
WITH d
UNWIND $caseCodes AS code
MATCH (c:Case {code: code})
MERGE (d)-[:FOLLOWED_UP_BY]->(c)
"""

GRID_OF: LiteralString = (
    "MATCH (:Deliberation {id: $id})-[:IN_GRID]->(g:Grid) RETURN g.code AS grid"
)

# Which of $codes are cases of the grid (follow-ups stay in the session's grid).
CASES_OF_GRID: LiteralString = """
UNWIND $codes AS code
MATCH (c:Case {code: code})-[:OCCURRED_IN]->(:Grid {code: $grid})
RETURN c.code AS code
"""


async def upsert_deliberations(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update sessions (rows: id, gridCode, topic, place, at, outcome, participants:
    [{personId, role}], caseCodes, version?)."""
    await graph.write(UPSERT_DELIBERATIONS, {"rows": list(rows)})


@dataclass(frozen=True)
class DeliberationRecord:
    """What recordDeliberation or recordDeliberationOutcome did."""

    deliberation_id: str
    version: int
    replayed: bool = False


def _encode(record: DeliberationRecord) -> str:
    return json.dumps({k: v for k, v in asdict(record).items() if k != "replayed"})


def _decode(text: str) -> DeliberationRecord:
    return DeliberationRecord(**json.loads(text), replayed=True)


async def _require_cases(
    tx: TransactionWriter, grid: str, codes: Sequence[str], scope: Scope
) -> None:
    await require_visible(tx, cases.CASE, codes, "followUpCases", scope, "case")
    found = {r["code"] for r in await tx.write(CASES_OF_GRID, {"codes": codes, "grid": grid})}
    elsewhere = sorted(set(codes) - found)
    if elsewhere:
        message = f"follow-up cases of another grid: {', '.join(elsewhere)}"
        raise ActivityRefused(message, "followUpCases")


@dataclass(frozen=True)
class DeliberationDraft:
    """A session to record (values checked by the resolver)."""

    grid_code: str
    topic: str
    place: str
    at: datetime
    participants: tuple[tuple[str, DeliberationRole], ...]
    outcome: str | None
    case_codes: tuple[str, ...]


async def record_deliberation(
    graph: GraphClient,
    draft: DeliberationDraft,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> DeliberationRecord:
    """Record a session with its participants (and outcome and follow-ups, if known)."""

    async def work(tx: TransactionWriter) -> DeliberationRecord:
        await require_visible(tx, places.GRID, [draft.grid_code], "grid", scope, "grid")
        ids = [person for person, _ in draft.participants]
        await require_visible(tx, persons.PERSON, ids, "participants", scope, "person")
        await _require_cases(tx, draft.grid_code, draft.case_codes, scope)
        deliberation_id = f"DL{draft.at:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        row = {
            "id": deliberation_id,
            "gridCode": draft.grid_code,
            "topic": draft.topic,
            "place": draft.place,
            "at": draft.at,
            "outcome": draft.outcome,
            "participants": [{"personId": p, "role": r.value} for p, r in draft.participants],
            "caseCodes": list(draft.case_codes),
            "version": 1,
        }
        await upsert_deliberations(tx, [row])
        return DeliberationRecord(deliberation_id, 1)

    async def grid_still_visible(tx: TransactionWriter) -> None:
        await require_visible(tx, places.GRID, [draft.grid_code], "grid", scope, "grid")

    return await run_claimed(graph, claim, draft.at, work, _encode, _decode, grid_still_visible)


async def record_outcome(
    graph: GraphClient,
    deliberation_id: str,
    outcome: str,
    case_codes: Sequence[str],
    expected_version: int | None,
    subject: str,
    at: datetime,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> DeliberationRecord:
    """Record (or revise) a session's outcome and add follow-up cases; RecordChanged unless
    the session is at `expected_version`."""

    async def work(tx: TransactionWriter) -> DeliberationRecord:
        spec = DELIBERATION
        await lock_versioned(tx, spec, deliberation_id, expected_version, "id", scope, "session")
        [row] = await tx.write(GRID_OF, {"id": deliberation_id})
        await _require_cases(tx, row["grid"], case_codes, scope)
        params = {"id": deliberation_id, "outcome": outcome, "caseCodes": list(case_codes)}
        await tx.write(SET_OUTCOME, {**params, "at": at, "subject": subject})
        version = await bump_version(tx, spec, deliberation_id)
        return DeliberationRecord(deliberation_id, version)

    async def still_visible(tx: TransactionWriter) -> None:
        await require_visible(tx, DELIBERATION, [deliberation_id], "id", scope, "session")

    return await run_claimed(graph, claim, at, work, _encode, _decode, still_visible)


# -- reads ----------------------------------------------------------------------------------

DELIBERATION = NodeSpec("Deliberation", "id", ("topic", "place", "at", "outcome", "version"))
GRID_DELIBERATIONS = Hop(
    places.GRID, "(s:Grid)<-[r:IN_GRID]-(t:Deliberation)", DELIBERATION, order="t.at DESC, t.id"
)
DELIBERATION_GRID = Hop(DELIBERATION, "(s:Deliberation)-[r:IN_GRID]->(t:Grid)", places.GRID)
DELIBERATION_PARTICIPANTS = Hop(
    DELIBERATION,
    "(s:Deliberation)<-[r:DELIBERATED_IN]-(t:Person)",
    persons.PERSON,
    edge=("role",),
    order="r.role, t.name, t.id",
)
DELIBERATION_CASES = Hop(
    DELIBERATION, "(s:Deliberation)-[r:FOLLOWED_UP_BY]->(t:Case)", cases.CASE, order="t.code"
)
