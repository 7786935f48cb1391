"""The Cypher of the case workflow's mutations: constants only, every value a $parameter."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import LiteralString

from graph import cases, places
from graph.traversal import Hop


class Target(StrEnum):
    """Things a command names by key; each has one existence check (EXISTING)."""

    GRID = "grid"
    PERSON = "person"
    MEDIATOR = "mediator"
    COMMITTEE = "mediation committee"
    DEPARTMENT = "department"
    CASE = "case"


# Concurrent calls with one key wait for each other on the key's uniqueness constraint.
CLAIM_KEY: LiteralString = """
MERGE (k:IdempotencyKey {key: $key})
ON CREATE SET k.operation = $operation, k.fingerprint = $fingerprint, k.subject = $subject,
              k.createdAt = $at
RETURN k.fingerprint AS fingerprint, k.result AS result
"""

STORE_RESULT: LiteralString = """
MATCH (k:IdempotencyKey {key: $key})
SET k.result = $result, k.caseCode = $caseCode
"""

# `SET c._lock` takes the case's write lock before anything of it is read (Neo4j's
# documented way to serialise read-then-write); APPLY removes the property again.
LOCK_CASE: LiteralString = """
MATCH (c:Case {code: $code})
SET c._lock = true
WITH c
MATCH (c)-[:OCCURRED_IN]->(g:Grid)-[:PART_OF]->(cm:Community)-[:PART_OF]->(s:Street)
      -[:PART_OF]->(d:District)
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_EVENT]->(e:CaseEvent)
  WITH e ORDER BY e.seq
  RETURN collect(e.action) AS actions, max(e.seq) AS lastSeq, max(e.at) AS lastAt
}
RETURN c.status AS status, coalesce(c.version, 0) AS version, c.kind AS kind,
       c.reportedAt AS reportedAt, c.closedAt AS closedAt, c.resolvedAtLevel AS resolvedAtLevel,
       c.dueAt AS dueAt, c.dueFor AS dueFor, c.workOrderDueAt AS workOrderDueAt,
       g.code AS grid, cm.code AS community, s.code AS street, d.code AS district,
       actions, lastSeq, lastAt
"""

# A compare-and-set on the version read under the lock (no row: the version moved on).
APPLY: LiteralString = (
    """
MATCH (c:Case {code: $code})
WHERE coalesce(c.version, 0) = $version - 1
SET c.status = $status,
    c.version = $version,
    c.dueAt = $dueAt,
    c.dueFor = $dueFor,
    c.workOrderDueAt = $workOrderDueAt,
    c.closedAt = $closedAt,
    c.resolvedAtLevel = $resolvedAtLevel,
    c.satisfaction = coalesce($satisfaction, c.satisfaction),
    c.mediationOutcome = coalesce($mediationOutcome, c.mediationOutcome)
REMOVE c._lock
WITH c
CALL (c) {
  UNWIND $events AS event
  CREATE (e:CaseEvent {id: event.id})
  SET """
    + cases.set_case_event("e", "event")
    + """
  CREATE (c)-[:HAS_EVENT]->(e)
}
RETURN c.version AS version
"""
)

CASE_VERSION: LiteralString = """
MATCH (c:Case {code: $code})
RETURN coalesce(c.version, 0) AS version, c.status AS status
"""

# "One case, one code": RC<year>-<6 digits>, numbered per year by a counter node that starts
# above the highest such code already in the graph (seeded or imported). The increment reads
# the counter under its write lock, so concurrent reports get different serials.
ALLOCATE_SERIAL: LiteralString = """
CALL () {
  OPTIONAL MATCH (x:Case) WHERE x.code STARTS WITH $prefix AND x.code =~ $pattern
  WITH x ORDER BY x.code DESC LIMIT 1
  RETURN coalesce(toInteger(substring(x.code, size($prefix))), 0) AS highest
}
MERGE (n:CaseCounter {year: $year})
ON CREATE SET n.last = highest
SET n.last = n.last + 1
RETURN n.last AS serial
"""

CASE_CODE_TAKEN: LiteralString = "RETURN EXISTS { MATCH (:Case {code: $code}) } AS taken"

# New parties: one human is one :Person, so an ID-card number already known reuses its node
# and leaves its properties alone. Identifiers come from protect_person_identifiers only.
CREATE_PERSONS: LiteralString = """
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
ON CREATE SET p.name = row.name,
    p.gender = row.gender,
    p.birthDate = row.birthDate,
    p.idCardHash = row.idCardHash,
    p.idCardCipher = row.idCardCipher,
    p.idCardMasked = row.idCardMasked,
    p.phoneHash = row.phoneHash,
    p.phoneCipher = row.phoneCipher,
    p.phoneMasked = row.phoneMasked
"""

EXISTING: Mapping[Target, LiteralString] = {
    Target.GRID: "UNWIND $keys AS key MATCH (t:Grid {code: key}) RETURN key",
    Target.PERSON: "UNWIND $keys AS key MATCH (t:Person {id: key}) RETURN key",
    Target.MEDIATOR: "UNWIND $keys AS key MATCH (t:Person:Mediator {id: key}) RETURN key",
    Target.COMMITTEE: "UNWIND $keys AS key MATCH (t:MediationCommittee {code: key}) RETURN key",
    Target.DEPARTMENT: "UNWIND $keys AS key MATCH (t:Department {code: key}) RETURN key",
    Target.CASE: "UNWIND $keys AS key MATCH (t:Case {code: key}) RETURN key",
}

CASES_TO_LINK: LiteralString = """
UNWIND $codes AS code
MATCH (o:Case {code: code})-[:OCCURRED_IN]->(g:Grid)
RETURN o.code AS code, g.code AS grid, o.reportedAt AS reportedAt
"""

# Open cases past their deadline (Case.dueAt, cleared once resolved) in every grid under a
# place, most overdue first (`overdueCases`).
OVERDUE_IN_PLACE = Hop(
    places.GRID,
    "(s:Grid)<-[r:OCCURRED_IN]-(t:Case)",
    cases.CASE,
    order="t.dueAt, t.code",
    where="t.dueAt < $asOf",
    edge_map="{dueAt: t.dueAt, dueFor: t.dueFor}",
    by_prefix=True,
)
