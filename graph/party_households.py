"""Contacts of party-member central households (党员中心户) with the households they look after.

A party member is `CENTRAL_HOUSEHOLD_FOR` household heads (graph/party.py). Each contact is a
`(:HouseholdContact {id, kind, at, notes, concern})` made `BY` the member `WITH_HOUSEHOLD`
the head, `IN_GRID` the grid the head lives in: the record behind "'点'上有党员". Seeds and
the mutation write through `upsert_contacts`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, LiteralString

from graph import persons, places
from graph.activity_checks import ActivityRefused, NodeNotFound, require_visible
from graph.case_commands import IdempotencyClaim
from graph.claimed_writes import run_claimed
from graph.client import CypherWriter, GraphClient, TransactionWriter
from graph.traversal import Hop, NodeSpec, Scope


class ContactKind(StrEnum):
    """How the member got in touch (HouseholdContact.kind)."""

    HOME_VISIT = "home_visit"  # 上门走访
    PHONE = "phone"  # 电话
    WECHAT = "wechat"  # 联户微信群 / 微信
    MEETING = "meeting"  # 见面交谈、院落会


UPSERT_CONTACTS: LiteralString = """
UNWIND $rows AS row
MATCH (m:Person {id: row.memberId})
MATCH (h:Person {id: row.headId})
MATCH (g:Grid {code: row.gridCode})
MERGE (c:HouseholdContact {id: row.id})
SET c.kind = row.kind, c.at = row.at, c.notes = row.notes, c.concern = row.concern
MERGE (c)-[:BY]->(m)
MERGE (c)-[:WITH_HOUSEHOLD]->(h)
MERGE (c)-[:IN_GRID]->(g)
"""

# The central-household link, and the grid the head lives in now.
LOOKED_AFTER: LiteralString = """
MATCH (m:Person {id: $member})-[:CENTRAL_HOUSEHOLD_FOR]->(h:Person {id: $head})
OPTIONAL MATCH (h)-[r:RESIDES_IN]->(g:Grid) WHERE r.until IS NULL
RETURN g.code AS grid ORDER BY grid LIMIT 1
"""


async def upsert_contacts(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update contacts (rows: id, memberId, headId, gridCode, kind, at, notes,
    concern)."""
    await graph.write(UPSERT_CONTACTS, {"rows": list(rows)})


@dataclass(frozen=True)
class ContactDraft:
    """A contact to record (values checked by the resolver)."""

    member_id: str
    head_id: str
    kind: ContactKind
    at: datetime
    notes: str | None
    concern: str | None


@dataclass(frozen=True)
class ContactRecord:
    """What recordHouseholdContact did."""

    contact_id: str
    grid_code: str
    replayed: bool = False


def _encode(record: ContactRecord) -> str:
    return json.dumps({k: v for k, v in asdict(record).items() if k != "replayed"})


def _decode(text: str) -> ContactRecord:
    return ContactRecord(**json.loads(text), replayed=True)


async def record_contact(
    graph: GraphClient,
    draft: ContactDraft,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> ContactRecord:
    """Record a central household's contact with a household it looks after, in one write
    transaction: member and head visible, the member the head's central household, the
    head's grid in scope."""

    async def work(tx: TransactionWriter) -> ContactRecord:
        spec = persons.PERSON
        await require_visible(tx, spec, [draft.member_id], "member", scope, "person")
        await require_visible(tx, spec, [draft.head_id], "household", scope, "person")
        found = await tx.write(LOOKED_AFTER, {"member": draft.member_id, "head": draft.head_id})
        if not found:
            message = (
                f"{draft.member_id} is not the central household (党员中心户) of {draft.head_id}"
            )
            raise ActivityRefused(message, "household")
        grid = found[0]["grid"]
        if grid is None:
            raise NodeNotFound("grid of household", [draft.head_id], "household")
        await require_visible(tx, places.GRID, [grid], "household", scope, "grid")
        contact_id = f"HC{draft.at:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        row = {
            "id": contact_id,
            "memberId": draft.member_id,
            "headId": draft.head_id,
            "gridCode": grid,
            "kind": draft.kind.value,
            "at": draft.at,
            "notes": draft.notes,
            "concern": draft.concern,
        }
        await upsert_contacts(tx, [row])
        return ContactRecord(contact_id, grid)

    async def head_still_visible(tx: TransactionWriter) -> None:
        spec = persons.PERSON
        await require_visible(tx, spec, [draft.head_id], "household", scope, "person")

    return await run_claimed(graph, claim, draft.at, work, _encode, _decode, head_still_visible)


# -- reads ----------------------------------------------------------------------------------

HOUSEHOLD_CONTACT = NodeSpec("HouseholdContact", "id", ("kind", "at", "notes", "concern"))
GRID_CONTACTS = Hop(
    places.GRID,
    "(s:Grid)<-[r:IN_GRID]-(t:HouseholdContact)",
    HOUSEHOLD_CONTACT,
    order="t.at DESC, t.id",
)
CONTACT_MEMBER = Hop(HOUSEHOLD_CONTACT, "(s:HouseholdContact)-[r:BY]->(t:Person)", persons.PERSON)
CONTACT_HOUSEHOLD = Hop(
    HOUSEHOLD_CONTACT, "(s:HouseholdContact)-[r:WITH_HOUSEHOLD]->(t:Person)", persons.PERSON
)
CONTACT_GRID = Hop(HOUSEHOLD_CONTACT, "(s:HouseholdContact)-[r:IN_GRID]->(t:Grid)", places.GRID)
