"""The Cypher of the case workflow's mutations: constants and small builders, every value a
$parameter.

Row scope holds for writes as for reads: a builder given `scoped=True` adds the read path's
predicate (graph/scope.py `visible`, over `$scope`), so a scoped caller can neither lock a
case nor link a grid, person, mediator, committee or case it could not read; what it may not
see matches nothing, exactly like what does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import LiteralString

from graph import cases, places
from graph import scope as row_scope
from graph.traversal import Hop


class Target(StrEnum):
    """Things a command names by key; each has one existence check (`existing`)."""

    GRID = "grid"
    DISTRICT = "district"
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


def _where_visible(label: LiteralString, var: LiteralString, scoped: bool) -> LiteralString:
    """`WHERE <visible>` for a scoped caller, nothing for an unrestricted one."""
    return " WHERE " + row_scope.visible(label, var) if scoped else ""


def case_visible(scoped: bool) -> LiteralString:
    """The case `$code`, if it exists and the caller may see it (idempotent replays)."""
    return "MATCH (c:Case {code: $code})" + _where_visible("Case", "c", scoped) + " RETURN c.code"


# `SET c._lock` takes the case's write lock before anything of it is read (Neo4j's
# documented way to serialise read-then-write); APPLY removes the property again. A case the
# caller may not see is not locked: no row, as for an unknown code.
def lock_case(scoped: bool) -> LiteralString:
    """Lock the case `$code` and read its state (nothing when unknown or out of scope)."""
    return "MATCH (c:Case {code: $code})" + _where_visible("Case", "c", scoped) + _LOCKED


_LOCKED: LiteralString = """
SET c._lock = true
WITH c
MATCH (c)-[:OCCURRED_IN]->(place:Grid|District)
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_EVENT]->(e:CaseEvent)
  WITH e ORDER BY e.seq
  RETURN collect(e.action) AS actions, max(e.seq) AS lastSeq, max(e.at) AS lastAt
}
CALL (c) {
  OPTIONAL MATCH (c)-[w:ESCALATED_TO]->(dept:Department)
  WITH dept ORDER BY w.at DESC LIMIT 1
  RETURN dept.code AS department
}
CALL (c) {
  OPTIONAL MATCH (c)-[w:WHISTLED]->(m:Person)
  RETURN collect({id: m.id, acknowledgedAt: w.acknowledgedAt, arrivedAt: w.arrivedAt,
                  recordedAt: w.recordedAt}) AS whistled
}
RETURN c.status AS status, coalesce(c.version, 0) AS version, c.kind AS kind,
       c.reportedAt AS reportedAt, c.closedAt AS closedAt, c.resolvedAtLevel AS resolvedAtLevel,
       c.dueAt AS dueAt, c.dueFor AS dueFor, c.workOrderDueAt AS workOrderDueAt,
       c.currentLevel AS currentLevel,
       place.code AS place,
       actions, lastSeq, lastAt, department, whistled
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
    c.currentLevel = $currentLevel,
    c.assignee = $assignee,
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
# `created` says whether this MERGE made the node (the `_new` marker never outlives the
# transaction), so a person someone else registered a moment ago counts as existing;
# `allowed`: created here, or already visible to the caller.
_MERGE_PERSONS: LiteralString = """
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
    p.phoneMasked = row.phoneMasked,
    p._new = true
WITH row, p, p._new IS NOT NULL AS created
CALL (p, created) {
  WITH p WHERE created
  REMOVE p._new
}
RETURN row.id AS id, created, """


def create_persons(scoped: bool) -> LiteralString:
    """Create the new parties `$rows`; per row: its id and whether the caller may link it."""
    allowed: LiteralString = "created OR " + row_scope.visible("Person", "p") if scoped else "true"
    return _MERGE_PERSONS + allowed + " AS allowed"


_TARGETS: Mapping[Target, tuple[LiteralString, LiteralString]] = {
    Target.GRID: ("Grid", "(t:Grid {code: key})"),
    Target.DISTRICT: ("District", "(t:District {code: key})"),
    Target.PERSON: ("Person", "(t:Person {id: key})"),
    Target.MEDIATOR: ("Person", "(t:Person:Mediator {id: key})"),
    Target.COMMITTEE: ("MediationCommittee", "(t:MediationCommittee {code: key})"),
    Target.DEPARTMENT: ("Department", "(t:Department {code: key})"),
    Target.CASE: ("Case", "(t:Case {code: key})"),
}

# A mediator serves a case's place when a committee they are a member of, or the committee
# of a studio they are a member of, covers one of `$places` (the case's grid, community,
# street and district); a committee serves it when it covers one of them.
_SERVES: Mapping[Target, LiteralString] = {
    Target.MEDIATOR: """
  EXISTS { MATCH (t)-[:MEMBER_OF]->(:MediationCommittee)-[:COVERS]->(served)
           WHERE served.code IN $places }
  OR EXISTS { MATCH (t)-[:MEMBER_OF]->(:MediationStudio)-[:UNDER]->(:MediationCommittee)
                    -[:COVERS]->(served)
              WHERE served.code IN $places }""",
    Target.COMMITTEE: """
  EXISTS { MATCH (t)-[:COVERS]->(served) WHERE served.code IN $places }""",
}


def existing(target: Target, scoped: bool) -> LiteralString:
    """Which of `$keys` name a node of `target` (that the caller may see, when scoped)."""
    label, pattern = _TARGETS[target]
    where = _where_visible(label, "t", scoped)
    return "UNWIND $keys AS key MATCH " + pattern + where + " RETURN key"


def serving(target: Target, scoped: bool) -> LiteralString:
    """Like `existing` for a mediator or committee, with whether it serves the case's place."""
    return existing(target, scoped) + ", " + _SERVES[target] + " AS serves"


def cases_to_link(scoped: bool) -> LiteralString:
    """The cases `$codes` with their grid and report time (those the caller may see)."""
    return (
        "UNWIND $codes AS code MATCH (o:Case {code: code})"
        + _where_visible("Case", "o", scoped)
        + " MATCH (o)-[:OCCURRED_IN]->(g:Grid)"
        + " RETURN o.code AS code, g.code AS grid, o.reportedAt AS reportedAt"
    )


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


# 吹哨: which of `$keys` are persons the caller may see, and whether each supports (包保) the
# grid `$grid` as a member of a department (a professional grid member of that grid).
def whistle_members(scoped: bool) -> LiteralString:
    """Per visible key: whether it is a professional member supporting `$grid`."""
    return (
        "UNWIND $keys AS key MATCH (t:Person {id: key})"
        + _where_visible("Person", "t", scoped)
        + " RETURN key, EXISTS { MATCH (t)-[:SUPPORTS]->(:Grid {code: $grid}) }"
        + " AND EXISTS { MATCH (t)-[:MEMBER_OF]->(:Department) } AS supports"
    )


def _whistle_step(prop: LiteralString, extra: LiteralString = "") -> LiteralString:
    return (
        "MATCH (:Case {code: $code})-[w:WHISTLED]->(:Person {id: $member}) SET w."
        + prop
        + " = $at"
        + extra
    )


# 报到, 到场, 记录: one step of a called member, by action value.
WHISTLE_STEP: Mapping[str, LiteralString] = {
    "acknowledge": _whistle_step("acknowledgedAt"),
    "arrive": _whistle_step("arrivedAt"),
    "record_work": _whistle_step("recordedAt", ", w.work = $work"),
}
