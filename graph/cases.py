"""Cases (矛盾纠纷、群众诉求、12345工单), "one case, one code", with parties, handlers,
escalations up the hierarchy, related cases and a timeline of events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph.client import CypherWriter


class CaseLevel(StrEnum):
    """Where a case is handled, lowest first: grid → community → street → district → department.

    The district level is the district hotline centre (区政务热线服务中心); department is the
    work order a department or livelihood unit receives from it ("网格呼叫、部门报到").
    """

    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DISTRICT = "district"
    DEPARTMENT = "department"

    @property
    def rank(self) -> int:
        """0 for grid up to 4 for department: escalations go to a strictly higher rank."""
        return list(CaseLevel).index(self)


class CasePartyRole(StrEnum):
    """How a person takes part in a case (PARTY_TO.role)."""

    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    THIRD_PARTY = "third_party"


class HandlerKind(StrEnum):
    """What handles a case; the value is the label of the HANDLED_BY target."""

    PERSON = "Person"
    COMMITTEE = "MediationCommittee"
    DEPARTMENT = "Department"


UPSERT_CASES: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MATCH (reporter:Person {id: row.reporterId})
MERGE (c:Case {code: row.code})
SET c.title = row.title,
    c.description = row.description,
    c.kind = row.kind,
    c.category = row.category,
    c.severity = row.severity,
    c.status = row.status,
    c.channel = row.channel,
    c.reportedAt = row.reportedAt,
    c.closedAt = row.closedAt,
    c.resolvedAtLevel = row.resolvedAtLevel,
    c.satisfaction = row.satisfaction,
    c.tenNoItem = row.tenNoItem
MERGE (c)-[:OCCURRED_IN]->(g)
MERGE (c)-[:REPORTED_BY]->(reporter)
"""

UPSERT_CASE_PARTIES: LiteralString = """
UNWIND $rows AS row
MATCH (c:Case {code: row.caseCode})
MATCH (p:Person {id: row.personId})
MERGE (p)-[r:PARTY_TO]->(c)
SET r.role = row.role
"""

_HANDLER_TARGET: Mapping[HandlerKind, LiteralString] = {
    HandlerKind.PERSON: "(t:Person {id: row.handlerKey})",
    HandlerKind.COMMITTEE: "(t:MediationCommittee {code: row.handlerKey})",
    HandlerKind.DEPARTMENT: "(t:Department {code: row.handlerKey})",
}

_ESCALATION_TARGET: Mapping[CaseLevel, LiteralString] = {
    CaseLevel.COMMUNITY: "(t:Community {code: row.targetCode})",
    CaseLevel.STREET: "(t:Street {code: row.targetCode})",
    CaseLevel.DISTRICT: "(t:District {code: row.targetCode})",
    CaseLevel.DEPARTMENT: "(t:Department {code: row.targetCode})",
}


def _upsert_handlers(target: LiteralString) -> LiteralString:
    # Built only from the constant patterns above, never from input.
    return (
        """
UNWIND $rows AS row
MATCH (c:Case {code: row.caseCode})
MATCH """
        + target
        + """
MERGE (c)-[h:HANDLED_BY {role: row.role}]->(t)
SET h.at = row.at
"""
    )


def _upsert_escalations(target: LiteralString) -> LiteralString:
    return (
        """
UNWIND $rows AS row
MATCH (c:Case {code: row.caseCode})
MATCH """
        + target
        + """
MERGE (c)-[e:ESCALATED_TO]->(t)
SET e.at = row.at, e.level = row.level, e.reason = row.reason
"""
    )


UPSERT_HANDLERS_BY_KIND: Mapping[HandlerKind, LiteralString] = {
    kind: _upsert_handlers(target) for kind, target in _HANDLER_TARGET.items()
}

UPSERT_ESCALATIONS_BY_LEVEL: Mapping[CaseLevel, LiteralString] = {
    level: _upsert_escalations(target) for level, target in _ESCALATION_TARGET.items()
}

UPSERT_CASE_EVENTS: LiteralString = """
UNWIND $rows AS row
MATCH (c:Case {code: row.caseCode})
MERGE (e:CaseEvent {id: row.id})
SET e.seq = row.seq,
    e.at = row.at,
    e.action = row.action,
    e.status = row.status,
    e.level = row.level,
    e.note = row.note,
    e.actorId = row.actorId
MERGE (c)-[:HAS_EVENT]->(e)
"""

UPSERT_RELATED_CASES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Case {code: row.fromCode})
MATCH (b:Case {code: row.toCode})
MERGE (a)-[r:RELATED_TO]->(b)
SET r.reason = row.reason
"""


async def upsert_cases(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update cases with their grid and reporter (code, ..., gridCode, reporterId)."""
    await graph.write(UPSERT_CASES, {"rows": list(rows)})


async def upsert_case_parties(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Link persons to cases as applicant, respondent or third party (caseCode, personId, role)."""
    checked = [{**row, "role": CasePartyRole(row["role"]).value} for row in rows]
    await graph.write(UPSERT_CASE_PARTIES, {"rows": checked})


async def upsert_case_handlers(
    graph: CypherWriter, kind: HandlerKind, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Record who handled cases, for one kind of handler (caseCode, handlerKey, role, at)."""
    await graph.write(UPSERT_HANDLERS_BY_KIND[kind], {"rows": list(rows)})


async def upsert_case_escalations(
    graph: CypherWriter, level: CaseLevel, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Record escalations to one level (caseCode, targetCode, at, reason); grid is not a target."""
    checked = [{**row, "level": level.value} for row in rows]
    await graph.write(UPSERT_ESCALATIONS_BY_LEVEL[level], {"rows": checked})


async def upsert_case_events(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append timeline events (caseCode, id, seq, at, action, status, level, note, actorId)."""
    await graph.write(UPSERT_CASE_EVENTS, {"rows": list(rows)})


async def upsert_related_cases(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Link related cases (rows: fromCode, toCode, reason)."""
    await graph.write(UPSERT_RELATED_CASES, {"rows": list(rows)})
