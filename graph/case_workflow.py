"""The case workflow as one transition table, and a timeline recorder that only follows it.

A case moves between statuses by actions (the platform's 事件处置流程): reported, accepted
(受理), mediating (调解中), escalated (上报), dispatched (派单), signed (签收), resolved (办结),
closed (结案), reopened (重启). Generated histories go through `Timeline.apply`, so every
seeded timeline is one a workflow state machine could have produced. This module knows
nothing of the graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class CaseStatus(StrEnum):
    """The status of a case (Case.status; CaseEvent.status is the status after the event)."""

    REPORTED = "reported"
    ACCEPTED = "accepted"
    MEDIATING = "mediating"
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class CaseAction(StrEnum):
    """What happened to a case (CaseEvent.action)."""

    REPORT = "report"
    ACCEPT = "accept"
    START_MEDIATION = "start_mediation"
    RECORD_OUTCOME = "record_outcome"
    ESCALATE = "escalate"
    DISPATCH = "dispatch"
    SIGN = "sign"
    RETURN = "return"
    REQUEST_EXTENSION = "request_extension"
    URGE = "urge"
    RESOLVE = "resolve"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REOPEN = "reopen"


S = CaseStatus
A = CaseAction

# (status before, action) → status after. `None` is "no case yet". The only source of truth.
TRANSITIONS: Mapping[tuple[CaseStatus | None, CaseAction], CaseStatus] = {
    (None, A.REPORT): S.REPORTED,
    (S.REPORTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.START_MEDIATION): S.MEDIATING,
    (S.ACCEPTED, A.URGE): S.ACCEPTED,
    (S.ACCEPTED, A.ESCALATE): S.ESCALATED,
    (S.ACCEPTED, A.RESOLVE): S.RESOLVED,
    (S.MEDIATING, A.RECORD_OUTCOME): S.MEDIATING,
    (S.MEDIATING, A.URGE): S.MEDIATING,
    (S.MEDIATING, A.ESCALATE): S.ESCALATED,
    (S.MEDIATING, A.RESOLVE): S.RESOLVED,
    (S.ESCALATED, A.ACCEPT): S.ACCEPTED,  # the next level takes the case on
    (S.ESCALATED, A.DISPATCH): S.DISPATCHED,  # the hotline centre issues a work order
    (S.DISPATCHED, A.SIGN): S.SIGNED,  # the department signs for it (签收)
    (S.DISPATCHED, A.RETURN): S.ESCALATED,  # ... or returns it to the centre (退回)
    (S.SIGNED, A.REQUEST_EXTENSION): S.SIGNED,
    (S.SIGNED, A.URGE): S.SIGNED,  # 催办
    (S.SIGNED, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.FOLLOW_UP): S.RESOLVED,  # 回访, records satisfaction
    (S.RESOLVED, A.CLOSE): S.CLOSED,
    (S.CLOSED, A.REOPEN): S.REOPENED,
    (S.REOPENED, A.ACCEPT): S.ACCEPTED,
}

OPEN_STATUSES: frozenset[CaseStatus] = frozenset(set(CaseStatus) - {S.RESOLVED, S.CLOSED})


def next_status(current: CaseStatus | None, action: CaseAction) -> CaseStatus:
    """The status after `action`; ValueError when the table does not allow it."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise ValueError(f"{action.value} is not allowed from {current}") from None


def allowed_actions(current: CaseStatus | None) -> list[CaseAction]:
    """The actions the table allows from a status."""
    return [action for (status, action) in TRANSITIONS if status == current]


@dataclass(frozen=True)
class Event:
    """One timeline entry: what was done, when, by whom, at which level, and the status after."""

    seq: int
    at: datetime
    action: CaseAction
    status: CaseStatus
    level: str
    note: str
    actor_id: str


@dataclass
class Timeline:
    """A case's history, built only through transitions of TRANSITIONS."""

    status: CaseStatus | None = None
    events: list[Event] = field(default_factory=list)

    def apply(
        self, action: CaseAction, at: datetime, level: str, note: str, actor_id: str
    ) -> CaseStatus:
        """Record `action` (raises ValueError if not allowed or out of time order)."""
        if self.events and at < self.events[-1].at:
            raise ValueError("events must be in time order")
        self.status = next_status(self.status, action)
        self.events.append(
            Event(len(self.events) + 1, at, action, self.status, level, note, actor_id)
        )
        return self.status

    def last(self, action: CaseAction) -> Event | None:
        """The latest event with this action."""
        return next((e for e in reversed(self.events) if e.action is action), None)
