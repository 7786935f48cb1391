"""What the case workflow's commands are made of: arguments, results and refusals."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from graph.case_commands.cypher import Target
from graph.case_workflow import CaseAction, CaseStatus, Deadline, Position
from graph.cases import CaseLevel, CasePartyRole

A = CaseAction


class MediationOutcome(StrEnum):
    """How a mediation ended (调解结果): a written or oral agreement, or none."""

    WRITTEN_AGREEMENT = "written_agreement"  # 书面调解协议
    ORAL_AGREEMENT = "oral_agreement"  # 口头调解协议
    NO_AGREEMENT = "no_agreement"  # 调解未达成一致


class RelatedReason(StrEnum):
    """Why two cases are related (RELATED_TO.reason)."""

    REPEAT_DISPUTANT = "repeat_disputant"
    FAMILY_FEUD = "family_feud"
    SAME_MATTER = "same_matter"


# The timeline note of an action when the caller gives none.
DEFAULT_NOTES: Mapping[CaseAction, str] = {
    A.REPORT: "登记上报",
    A.ACCEPT: "受理",
    A.START_MEDIATION: "启动调解",
    A.RECORD_OUTCOME: "记录调解结果",
    A.ESCALATE: "上报上一级",
    A.GRID_CALL: "网格呼叫：经任诚办提报区政务热线服务中心",
    A.DISPATCH: "派发工单",
    A.SIGN: "部门签收工单",
    A.RETURN: "退回热线中心",
    A.REQUEST_EXTENSION: "申请延期办理",
    A.URGE: "催办",
    A.RESOLVE: "办结",
    A.FOLLOW_UP: "回访",
    A.CLOSE: "结案归档",
    A.REOPEN: "重新启动",
    A.LINK: "关联案件",
    A.WHISTLE: "吹哨：呼叫包保专业网格员",
    A.ACKNOWLEDGE: "专业网格员报到",
    A.ARRIVE: "专业网格员到场",
    A.RECORD_WORK: "专业网格员记录处置情况",
}

# -- refusals -------------------------------------------------------------------------------


class CaseNotFound(LookupError):
    """No case has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no case {code}")
        self.code = code


class TargetNotFound(LookupError):
    """A command names a grid, person, committee, department or case that does not exist."""

    def __init__(self, target: Target, keys: Sequence[str], argument: str) -> None:
        super().__init__(f"no {target.value} {', '.join(keys)}")
        self.target = target
        self.keys = list(keys)
        self.argument = argument


class PersonOutOfScope(PermissionError):
    """A new party's ID-card number is an existing person's whom the caller may not see."""

    def __init__(self, person_ids: Sequence[str]) -> None:
        super().__init__("an ID-card number given for a new person is a person out of scope")
        self.person_ids = list(person_ids)


class VersionConflict(Exception):
    """The case changed since the version the caller expected (optimistic concurrency)."""

    def __init__(self, code: str, expected: int, current: int, status: CaseStatus) -> None:
        super().__init__(f"case {code} is at version {current}, not {expected}")
        self.code = code
        self.expected = expected
        self.current = current
        self.status = status


class KeyReused(Exception):
    """An idempotency key sent again with another operation or other arguments."""


class CommandRefused(ValueError):
    """Arguments that do not fit the case (e.g. an extension that would shorten the deadline)."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


# -- arguments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who acts: their person id when they are one, and the principal's subject (audit)."""

    person_id: str | None
    subject: str

    @property
    def id(self) -> str:
        """CaseEvent.actorId: the person id, or the subject for principals who are no person."""
        return self.person_id or self.subject


@dataclass(frozen=True)
class IdempotencyClaim:
    """An idempotency key (already namespaced by the caller), what it is for, who sent it."""

    key: str
    operation: str
    fingerprint: str  # a digest of operation and arguments: reuse with others is refused
    subject: str


@dataclass(frozen=True)
class Command:
    """One workflow action on an existing case, with what that action needs."""

    case_code: str
    action: CaseAction
    actor: Actor
    at: datetime
    note: str | None = None
    expected_version: int | None = None
    reason: str | None = None  # escalate, dispatch, return, extension, reopen
    department: str | None = None  # dispatch
    deadline: datetime | None = None  # dispatch (work order due), extension (new due)
    committee: str | None = None  # start mediation
    mediator: str | None = None  # start mediation
    outcome: MediationOutcome | None = None  # record outcome
    satisfaction: int | None = None  # follow-up, 1-5
    related: tuple[str, ...] = ()  # link
    relation: RelatedReason | None = None  # link
    members: tuple[str, ...] = ()  # whistle: the professional members called in
    member: str | None = None  # acknowledge, arrive, record_work: the called member acting


@dataclass(frozen=True)
class NewPerson:
    """A party not yet in the graph, identifiers already protected (graph/personal_data.py)."""

    id: str
    name: str
    gender: str
    birth_date: date
    protected: Mapping[str, str | None]  # idCardHash, idCardCipher, ... phoneMasked

    def row(self) -> dict[str, Any]:
        """create_persons' row."""
        details = {"id": self.id, "name": self.name, "gender": self.gender}
        return {**self.protected, **details, "birthDate": self.birth_date}


@dataclass(frozen=True)
class CaseReport:
    """A new case (reportCase)."""

    place_code: str  # its grid; for a 12345 case filed without a grid, the district
    kind: str
    category: str
    severity: str
    channel: str
    title: str
    description: str | None
    ten_no_item: str | None
    reporter_id: str
    parties: tuple[tuple[str, CasePartyRole], ...]  # existing persons named by id, and role
    new_parties: tuple[tuple[NewPerson, CasePartyRole], ...]  # persons given by ID card
    actor: Actor
    at: datetime
    note: str | None = None
    level: CaseLevel = CaseLevel.GRID  # district: a 12345 call the hotline centre files

    def all_parties(self) -> list[tuple[str, CasePartyRole]]:
        """Every party by person id: the named ones, then the new ones."""
        return [*self.parties, *((person.id, role) for person, role in self.new_parties)]

    def party_rows(self, code: str) -> list[dict[str, Any]]:
        """graph.cases.upsert_case_parties' rows."""
        return [{"caseCode": code, "personId": p, "role": r} for p, r in self.all_parties()]

    def case_row(self, code: str) -> dict[str, Any]:
        """graph.cases.upsert_cases' row for the new case."""
        return {
            "code": code,
            "title": self.title,
            "description": self.description,
            "kind": self.kind,
            "category": self.category,
            "severity": self.severity,
            "status": CaseStatus.REPORTED.value,
            "channel": self.channel,
            "reportedAt": self.at,
            "closedAt": None,
            "resolvedAtLevel": None,
            "satisfaction": None,
            "tenNoItem": self.ten_no_item,
            "gridCode": self.place_code,
            "reporterId": self.reporter_id,
        }


# -- state and results ----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseState:
    """A locked case as the checks see it."""

    code: str
    position: Position  # the stored status, and the level its timeline reached
    version: int  # 0 for a case no mutation has touched (seeded or imported)
    kind: str
    places: Mapping[CaseLevel, str]  # grid, community, street and district codes (the
    # district only, for a 12345 case filed without a grid)
    last_seq: int
    last_at: datetime
    deadline: Deadline | None = None
    work_order_due: datetime | None = None
    closed_at: datetime | None = None
    resolved_at_level: str | None = None
    department: str | None = None  # the department of its latest work order, if any
    # 吹哨报到: the members called in, each with the steps (actions) they have taken
    whistled: Mapping[str, frozenset[CaseAction]] = field(default_factory=dict)

    @property
    def place_code(self) -> str:
        """Where the case occurred: its grid, or the district of a case filed without one."""
        return self.places.get(CaseLevel.GRID) or self.places[CaseLevel.DISTRICT]


@dataclass(frozen=True)
class EventRecord:
    """One timeline event a command appended."""

    id: str
    seq: int
    at: datetime
    action: CaseAction
    status: CaseStatus
    level: CaseLevel
    note: str
    actor_id: str
    subject: str
    outcome: str | None = None

    def row(self) -> dict[str, Any]:
        """The event as APPLY's parameter."""
        return {
            "id": self.id,
            "seq": self.seq,
            "at": self.at,
            "action": self.action.value,
            "status": self.status.value,
            "level": self.level.value,
            "note": self.note,
            "actorId": self.actor_id,
            "subject": self.subject,
            "outcome": self.outcome,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EventRecord:
        """Back from `row()`."""
        return cls(
            row["id"],
            row["seq"],
            row["at"],
            CaseAction(row["action"]),
            CaseStatus(row["status"]),
            CaseLevel(row["level"]),
            row["note"],
            row["actorId"],
            row["subject"],
            row.get("outcome"),
        )


@dataclass(frozen=True)
class Outcome:
    """What a command did: the case's code, status and version after it, and its events."""

    case_code: str
    status: CaseStatus
    version: int
    events: tuple[EventRecord, ...]
    replayed: bool = False  # True when this is the stored result of an earlier call

    def to_json(self) -> str:
        """The result as stored on the idempotency key."""
        rows = [{**event.row(), "at": event.at.isoformat()} for event in self.events]
        body = {"caseCode": self.case_code, "status": self.status.value, "version": self.version}
        return json.dumps({**body, "events": rows}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Outcome:
        """A stored result, marked as replayed."""
        body = json.loads(text)
        events = tuple(
            EventRecord.from_row({**row, "at": datetime.fromisoformat(row["at"])})
            for row in body["events"]
        )
        status = CaseStatus(body["status"])
        return cls(body["caseCode"], status, body["version"], events, replayed=True)
