"""Households (户): persons living together, one of them the head (户主).

`(:Household {id, address, formedAt, dissolvedAt})-[:IN_GRID]->(:Grid)`, and each member
`(:Person)-[:MEMBER_OF_HOUSEHOLD {relation, since, until, leftBecause}]->(:Household)`, where
`relation` is what the member is to the head (`head` for the head). Joining also records the
family tie as a `FAMILY {relation}` edge from the head (what the end node is to the start
node, as graph/persons.py reads it from either end). Leaving keeps the membership with
`until`: history is never overwritten.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any, LiteralString

from graph import places
from graph.case_commands import CommandRefused, IdempotencyClaim
from graph.claimed_writes import run_claimed
from graph.client import CypherWriter, GraphClient, TransactionWriter, to_native
from graph.persons import PERSON
from graph.resident_commands import Editor, StaleVersion, Unknown, lock_resident
from graph.traversal import Hop, NodeSpec


class HouseholdRelation(StrEnum):
    """What a member is to the household head; all but HEAD are graph.persons.FamilyRelation
    values (the FAMILY edge from the head) or OTHER (no family tie: a lodger, a carer)."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"
    OTHER = "other"


# The household, locked, with its grid, head and current members (nothing when unknown).
LOCK_HOUSEHOLD: LiteralString = """
MATCH (h:Household {id: $household})-[:IN_GRID]->(g:Grid)
SET h._lock = true
REMOVE h._lock
WITH h, g
OPTIONAL MATCH (m:Person)-[r:MEMBER_OF_HOUSEHOLD WHERE r.until IS NULL]->(h)
RETURN h.id AS id, g.code AS grid, h.dissolvedAt IS NOT NULL AS dissolved,
       coalesce(h.version, 0) AS version,
       collect({id: m.id, relation: r.relation, birthDate: m.birthDate}) AS members
"""

# The household a person belongs to now, if any.
CURRENT_HOUSEHOLD: LiteralString = """
MATCH (:Person {id: $person})-[r:MEMBER_OF_HOUSEHOLD WHERE r.until IS NULL]->(h:Household)
RETURN h.id AS id
"""

# The family tie between two persons as seen from `$from` (null when none).
FAMILY_TIE: LiteralString = """
MATCH (a:Person {id: $from})-[r:FAMILY]-(b:Person {id: $to})
RETURN CASE WHEN startNode(r) = a THEN r.relation
       ELSE {spouse: 'spouse', child: 'parent', parent: 'child', sibling: 'sibling',
             grandchild: 'grandparent'}[r.relation] END AS relation
"""

FORM: LiteralString = """
MATCH (head:Person {id: $head})
MATCH (g:Grid {code: $grid})
CREATE (h:Household {id: $id, address: coalesce($address, head.address), formedAt: $at,
                     version: 1})-[:IN_GRID]->(g)
CREATE (head)-[:MEMBER_OF_HOUSEHOLD {relation: 'head', since: $since}]->(h)
"""

JOIN: LiteralString = """
MATCH (h:Household {id: $household})
MATCH (p:Person {id: $person})
CREATE (p)-[:MEMBER_OF_HOUSEHOLD {relation: $relation, since: $since}]->(h)
SET h.version = coalesce(h.version, 0) + 1
WITH p
CALL (p) {
  MATCH (head:Person {id: $head})
  WHERE $family IS NOT NULL AND NOT EXISTS { (head)-[:FAMILY]-(p) }
  CREATE (head)-[:FAMILY {relation: $family}]->(p)
}
"""

HOUSEHOLD_STATE: LiteralString = """
MATCH (h:Household {id: $household})
RETURN coalesce(h.version, 0) AS version, h.dissolvedAt IS NOT NULL AS dissolved
"""

LEAVE: LiteralString = """
MATCH (p:Person {id: $person})-[r:MEMBER_OF_HOUSEHOLD WHERE r.until IS NULL]->
      (h:Household {id: $household})
SET r.until = $on, r.leftBecause = $reason, h.version = coalesce(h.version, 0) + 1
WITH h
WHERE NOT EXISTS { ()-[m:MEMBER_OF_HOUSEHOLD WHERE m.until IS NULL]->(h) }
SET h.dissolvedAt = $at
"""

UPSERT_HOUSEHOLDS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (h:Household {id: row.id})
SET h.address = row.address, h.formedAt = row.formedAt, h.version = coalesce(h.version, 1)
MERGE (h)-[:IN_GRID]->(g)
"""

UPSERT_MEMBERS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (h:Household {id: row.householdId})
MERGE (p)-[r:MEMBER_OF_HOUSEHOLD {since: row.since}]->(h)
SET r.relation = row.relation
"""


async def upsert_households(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Households (rows: id, gridCode, address, formedAt) in one batch."""
    await graph.write(UPSERT_HOUSEHOLDS, {"rows": list(rows)})


async def upsert_members(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Household members (rows: personId, householdId, relation, since)."""
    checked = [{**row, "relation": HouseholdRelation(row["relation"]).value} for row in rows]
    await graph.write(UPSERT_MEMBERS, {"rows": checked})


# -- reads ----------------------------------------------------------------------------------

HOUSEHOLD = NodeSpec("Household", "id", ("address", "formedAt", "dissolvedAt"))
PERSON_HOUSEHOLD = Hop(
    PERSON,
    "(s:Person)-[r:MEMBER_OF_HOUSEHOLD]->(t:Household)",
    HOUSEHOLD,
    edge=("relation", "since"),
    where="r.until IS NULL",
)
HOUSEHOLD_MEMBERS = Hop(
    HOUSEHOLD,
    "(s:Household)<-[r:MEMBER_OF_HOUSEHOLD]-(t:Person)",
    PERSON,
    edge=("relation", "since"),
    where="r.until IS NULL",
    order="t.birthDate, t.id",
)
HOUSEHOLD_GRID = Hop(HOUSEHOLD, "(s:Household)-[r:IN_GRID]->(t:Grid)", places.GRID)


# -- commands -------------------------------------------------------------------------------

# How much older a parent is than their child at least (a local plausibility rule).
MIN_PARENT_GAP_YEARS = 12


@dataclass(frozen=True)
class HouseholdChange:
    """What a household mutation did: the household and its version after it."""

    household_id: str
    version: int
    dissolved: bool = False
    replayed: bool = False


@dataclass(frozen=True)
class LockedHousehold:
    """A household as locked in a transaction."""

    id: str
    grid: str
    version: int
    dissolved: bool
    members: dict[str, tuple[str, date | None]]  # person id -> (relation, birth date)

    @property
    def head(self) -> str:
        """The head's person id."""
        return next(pid for pid, (rel, _) in self.members.items() if rel == "head")


def _encode(change: HouseholdChange) -> str:
    return json.dumps({k: v for k, v in asdict(change).items() if k != "replayed"})


def _decode(text: str) -> HouseholdChange:
    return HouseholdChange(**json.loads(text), replayed=True)


async def _lock(
    tx: TransactionWriter, household: str, editor: Editor, expected: int | None
) -> LockedHousehold:
    rows = [to_native(row) for row in await tx.write(LOCK_HOUSEHOLD, {"household": household})]
    found = rows[0] if rows and rows[0]["id"] else None
    if found is None or (editor.scope is not None and not covers(editor.scope, found["grid"])):
        raise Unknown("household", household, "household")
    if expected is not None and expected != found["version"]:
        raise StaleVersion("household", household, expected, found["version"])
    members = {m["id"]: (m["relation"], m["birthDate"]) for m in found["members"] if m["id"]}
    return LockedHousehold(household, found["grid"], found["version"], found["dissolved"], members)


def covers(scope: Sequence[str], code: str) -> bool:
    """True when the place code lies inside the scope."""
    return any(code.startswith(prefix) for prefix in scope)


async def _household_of(tx: TransactionWriter, person: str) -> str | None:
    rows = await tx.write(CURRENT_HOUSEHOLD, {"person": person})
    return str(rows[0]["id"]) if rows else None


async def _version(tx: TransactionWriter, household: str) -> HouseholdChange:
    rows = await tx.write(HOUSEHOLD_STATE, {"household": household})
    return HouseholdChange(household, rows[0]["version"], rows[0]["dissolved"])


async def form(
    graph: GraphClient,
    head: str,
    address: str | None,
    since: date,
    editor: Editor,
    claim: IdempotencyClaim | None,
) -> HouseholdChange:
    """Form a household headed by a resident of the caller's grid (not in another one)."""

    async def work(tx: TransactionWriter) -> HouseholdChange:
        locked = await lock_resident(tx, head, editor, None, "head")
        if locked.grid is None:
            raise CommandRefused("the head has no current residence", "head")
        if (current := await _household_of(tx, head)) is not None:
            raise CommandRefused(f"the person already belongs to household {current}", "head")
        household = f"H{uuid.uuid4().hex[:20]}"
        params = {"head": head, "grid": locked.grid, "id": household, "address": address}
        await tx.write(FORM, {**params, "since": since, "at": editor.at})
        return await _version(tx, household)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


def _years(older: date, younger: date) -> float:
    return (younger - older).days / 365.25


def check_relation(
    relation: HouseholdRelation, head_birth: date | None, birth: date | None
) -> None:
    """CommandRefused when the relation is impossible by the birth dates (a child older
    than their parent, a parent younger than their child)."""
    if head_birth is None or birth is None:
        return
    gap = _years(head_birth, birth)  # > 0: the member is younger than the head
    younger = (HouseholdRelation.CHILD, HouseholdRelation.GRANDCHILD)
    if relation in younger and gap < MIN_PARENT_GAP_YEARS:
        raise CommandRefused(
            f"a {relation.value} of the head is at least {MIN_PARENT_GAP_YEARS} years"
            " younger than the head",
            "relation",
        )
    if relation is HouseholdRelation.PARENT and -gap < MIN_PARENT_GAP_YEARS:
        raise CommandRefused(
            f"a parent of the head is at least {MIN_PARENT_GAP_YEARS} years older than the head",
            "relation",
        )


async def join(
    graph: GraphClient,
    household: str,
    person: str,
    relation: HouseholdRelation,
    since: date,
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> HouseholdChange:
    """A resident of the household's grid joins it as `relation` of the head."""

    async def work(tx: TransactionWriter) -> HouseholdChange:
        locked = await _lock(tx, household, editor, expected)
        if locked.dissolved:
            raise CommandRefused(f"household {household} is dissolved", "household")
        if relation is HouseholdRelation.HEAD:
            raise CommandRefused("a household has one head; join as another relation", "relation")
        member = await lock_resident(tx, person, editor, None, "person")
        if person in locked.members:
            raise CommandRefused("the person is already a member of this household", "person")
        if (current := await _household_of(tx, person)) is not None:
            message = f"the person belongs to household {current}; leave it first"
            raise CommandRefused(message, "person")
        if member.grid != locked.grid:
            message = f"the person lives in grid {member.grid}, the household in {locked.grid}"
            raise CommandRefused(message + "; move the resident first", "person")
        spouses = [pid for pid, (rel, _) in locked.members.items() if rel == "spouse"]
        if relation is HouseholdRelation.SPOUSE and spouses:
            raise CommandRefused("the head's spouse is already a member", "relation")
        head = locked.head
        check_relation(relation, locked.members[head][1], member.values["birthDate"])
        family = None if relation is HouseholdRelation.OTHER else relation.value
        tie = await tx.write(FAMILY_TIE, {"from": head, "to": person})
        if tie and tie[0]["relation"] != family:
            message = f"the family ties already record the person as {tie[0]['relation']}"
            raise CommandRefused(f"{message} of the head, not {relation.value}", "relation")
        params = {"household": household, "person": person, "head": head, "family": family}
        await tx.write(JOIN, {**params, "relation": relation.value, "since": since})
        return await _version(tx, household)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)


async def leave(
    graph: GraphClient,
    household: str,
    person: str,
    reason: str,
    on: date,
    editor: Editor,
    expected: int | None,
    claim: IdempotencyClaim | None,
) -> HouseholdChange:
    """A member leaves; the head only as the last member (the household is then dissolved)."""

    async def work(tx: TransactionWriter) -> HouseholdChange:
        locked = await _lock(tx, household, editor, expected)
        if person not in locked.members:
            raise CommandRefused("the person is not a member of this household now", "person")
        if locked.members[person][0] == "head" and len(locked.members) > 1:
            message = "the head leaves last; the other members leave (or form their own) first"
            raise CommandRefused(message, "person")
        params = {"household": household, "person": person, "reason": reason, "on": on}
        await tx.write(LEAVE, {**params, "at": editor.at})
        return await _version(tx, household)

    return await run_claimed(graph, claim, editor.at, work, _encode, _decode)
