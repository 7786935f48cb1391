"""Cases (矛盾纠纷、群众诉求、12345工单), "one case, one code", with parties, handlers,
escalations up the hierarchy, related cases and a timeline of events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import persons, places
from graph.client import CypherWriter
from graph.traversal import Hop, NodeSpec


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


# What the workflow mutations leave on a case (docs/workflow.md) comes with the seeds' rows;
# rows without it (reportCase before its first event, partners' imports) carry no deadline,
# keep the work order's deadline and mediation outcome, and move on the version of a case a
# mutation has touched, so a caller holding the old version gets CONFLICT.
# `gridCode` is the grid the case occurred in, or for a 12345 case the hotline centre filed
# without a grid, the district's code (OCCURRED_IN the district).
UPSERT_CASES: LiteralString = """
UNWIND $rows AS row
CALL (row) {
  MATCH (g:Grid {code: row.gridCode})
  RETURN g
  UNION
  MATCH (g:District {code: row.gridCode})
  RETURN g
}
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
    c.tenNoItem = row.tenNoItem,
    c.version = coalesce(row.version, c.version + 1),
    c.dueAt = row.dueAt,
    c.dueFor = row.dueFor,
    c.workOrderDueAt = coalesce(row.workOrderDueAt, c.workOrderDueAt),
    c.currentLevel = coalesce(row.currentLevel, c.currentLevel),
    c.assignee = coalesce(row.assignee, c.assignee),
    c.mediationOutcome = coalesce(row.mediationOutcome, c.mediationOutcome)
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

# The stored properties of a timeline event, written alike by the seeds (below) and the
# workflow mutations (case_commands APPLY); `subject` (who wrote the event) and `outcome`
# (record_outcome) may be null.
CASE_EVENT_PROPERTIES: tuple[LiteralString, ...] = (
    "seq",
    "at",
    "action",
    "status",
    "level",
    "note",
    "actorId",
    "subject",
    "outcome",
)


def set_case_event(event: LiteralString, row: LiteralString) -> LiteralString:
    """Cypher SET items: each event property of node `event` from the map `row`."""
    return ", ".join(
        [event + "." + name + " = " + row + "." + name for name in CASE_EVENT_PROPERTIES]
    )


UPSERT_CASE_EVENTS: LiteralString = (
    """
UNWIND $rows AS row
MATCH (c:Case {code: row.caseCode})
MERGE (e:CaseEvent {id: row.id})
SET """
    + set_case_event("e", "row")
    + """
MERGE (c)-[:HAS_EVENT]->(e)
"""
)

UPSERT_RELATED_CASES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Case {code: row.fromCode})
MATCH (b:Case {code: row.toCode})
MERGE (a)-[r:RELATED_TO]->(b)
SET r.reason = row.reason
"""


# 吹哨报到: a professional member called in on a case (WHISTLED from the case to the person),
# with the deadlines of each step and when it was taken; the member becomes a handler
# (HANDLED_BY {role: professional_member}) when they acknowledge (报到).
UPSERT_WHISTLES: LiteralString = """
UNWIND $rows AS row
MATCH (c:Case {code: row.caseCode})
MATCH (p:Person {id: row.personId})
MERGE (c)-[w:WHISTLED]->(p)
SET w.at = row.at, w.reason = row.reason, w.acknowledgeDueAt = row.acknowledgeDueAt,
    w.arriveDueAt = row.arriveDueAt, w.recordDueAt = row.recordDueAt,
    w.acknowledgedAt = row.acknowledgedAt, w.arrivedAt = row.arrivedAt,
    w.recordedAt = row.recordedAt, w.work = row.work
"""

# The properties of WHISTLED that record each step of a called member, by action value.
WHISTLE_STEP_PROPERTY: Mapping[str, LiteralString] = {
    "acknowledge": "acknowledgedAt",
    "arrive": "arrivedAt",
    "record_work": "recordedAt",
}


async def upsert_whistles(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record called-in members (caseCode, personId, at, reason, the three due times, and the
    steps taken so far: acknowledgedAt, arrivedAt, recordedAt, work; null when not yet)."""
    await graph.write(UPSERT_WHISTLES, {"rows": list(rows)})


async def upsert_cases(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update cases with their grid (or district: a 12345 case without a grid) and
    reporter (code, ..., gridCode, reporterId)."""
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


# -- reads ----------------------------------------------------------------------------------

CASE = NodeSpec(
    "Case",
    "code",
    (
        "title",
        "description",
        "kind",
        "category",
        "severity",
        "status",
        "channel",
        "reportedAt",
        "closedAt",
        "resolvedAtLevel",
        "satisfaction",
        "tenNoItem",
        "version",
        "dueAt",
        "dueFor",
        "currentLevel",
        "assignee",
        "workOrderDueAt",
        "mediationOutcome",
    ),
)
CASE_EVENT = NodeSpec("CaseEvent", "id", ("seq", "at", "action", "status", "level", "note"))
# Handlers and escalation targets have several labels: return the label and a common key.
HANDLER = NodeSpec("Handler", "name", (), with_label=True)
ESCALATION_TARGET = NodeSpec("EscalationTarget", "code", ("name",), with_label=True)

# Filters of case lists: (parameter, condition), each applied only when its parameter is set.
# Dates compare on reportedAt (DATETIME): $reportedFrom inclusive, $reportedBefore exclusive.
# `overdue` compares the pending deadline (dueAt, null once resolved) with $overdueAt (now).
CASE_FILTERS: tuple[tuple[str, str], ...] = (
    ("kind", "t.kind = $kind"),
    ("category", "t.category = $category"),
    ("status", "t.status = $status"),
    ("open", "(t.status IN ['resolved', 'closed']) <> $open"),
    ("severity", "t.severity = $severity"),
    ("channel", "t.channel = $channel"),
    ("resolvedAtLevel", "t.resolvedAtLevel = $resolvedAtLevel"),
    ("reportedFrom", "t.reportedAt >= $reportedFrom"),
    ("reportedBefore", "t.reportedAt < $reportedBefore"),
    ("currentLevel", "t.currentLevel = $currentLevel"),
    ("assignee", "t.assignee = $assignee"),
    ("overdue", "coalesce(t.dueAt < $overdueAt, false) = $overdue"),
    ("dueBefore", "t.dueAt < $dueBefore"),
)


class CaseOrder(StrEnum):
    """Sort orders of case lists; each value is a Cypher ORDER BY on indexed keys."""

    REPORTED_AT_DESC = "t.reportedAt DESC, t.code"
    REPORTED_AT_ASC = "t.reportedAt, t.code"
    CODE = "t.code"


# Cases in every grid whose code starts with the key (a grid, community, street, district).
CASES_IN_PLACE = Hop(
    places.GRID,
    "(s:Grid)<-[r:OCCURRED_IN]-(t:Case)",
    CASE,
    order=CaseOrder.REPORTED_AT_DESC.value,
    optional=CASE_FILTERS,
    by_prefix=True,
    visible_from_source=True,  # a case that occurred in a grid inside the scope is visible
)
PERSON_CASES = Hop(
    persons.PERSON,
    "(s:Person)-[r:PARTY_TO]->(t:Case)",
    CASE,
    edge=("role",),
    order=CaseOrder.REPORTED_AT_DESC.value,
    optional=(("role", "r.role = $role"),),
)
CASE_PARTIES = Hop(
    CASE, "(s:Case)<-[r:PARTY_TO]-(t:Person)", persons.PERSON, edge=("role",), order="r.role, t.id"
)
CASE_GRID = Hop(CASE, "(s:Case)-[r:OCCURRED_IN]->(t:Grid)", places.GRID)
CASE_REPORTER = Hop(CASE, "(s:Case)-[r:REPORTED_BY]->(t:Person)", persons.PERSON)
CASE_TIMELINE = Hop(
    CASE,
    "(s:Case)-[r:HAS_EVENT]->(t:CaseEvent)",
    CASE_EVENT,
    order="t.seq",
    edge_map="{actorId: t.actorId}",
)
CASE_ESCALATIONS = Hop(
    CASE,
    "(s:Case)-[r:ESCALATED_TO]->(t)",
    ESCALATION_TARGET,
    edge=("level", "at", "reason"),
    order="r.at",
)
CASE_HANDLERS = Hop(
    CASE,
    "(s:Case)-[r:HANDLED_BY]->(t)",
    HANDLER,
    edge_map="{role: r.role, at: r.at, key: coalesce(t.id, t.code)}",
    order="r.at, t.name",
)
RELATED_CASES = Hop(
    CASE, "(s:Case)-[r:RELATED_TO]-(t:Case)", CASE, edge=("reason",), order="t.reportedAt"
)
# 吹哨报到: the professional members called in on a case, in call order, with each step.
CASE_WHISTLES = Hop(
    CASE,
    "(s:Case)-[r:WHISTLED]->(t:Person)",
    persons.PERSON,
    edge=(
        "at",
        "reason",
        "acknowledgeDueAt",
        "arriveDueAt",
        "recordDueAt",
        "acknowledgedAt",
        "arrivedAt",
        "recordedAt",
        "work",
    ),
    order="r.at, t.id",
)
