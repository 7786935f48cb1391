"""The case workflow as one transition table, and a timeline recorder that only follows it.

A case moves between statuses by actions (the platform's 事件处置流程): reported, accepted
(受理), mediating (调解中), escalated (上报), dispatched (派单), signed (签收), resolved (办结),
closed (结案), reopened (重启). Generated histories go through `Timeline.apply` and the
mutations (graph/case_commands/) through `Position.after`, both on this one table, so seeded
timelines follow the steps the mutations take. Besides the status, a case is handled at a level
(grid → community → street → district hotline centre → department); `LEVEL_RULES` says
where an action may happen and `level_after` where the case is afterwards. `deadline_after`
applies the whistle-and-report deadlines (graph/policy.toml, [workflow]). This module runs
no Cypher; docs/workflow.md has the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from graph.cases import CaseLevel
from graph.china_time import CHINA_TIME
from graph.policy import WorkflowRules


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
    GRID_CALL = "grid_call"  # 网格呼叫: the grid calls the district hotline centre directly
    DISPATCH = "dispatch"
    SIGN = "sign"
    RETURN = "return"
    REQUEST_EXTENSION = "request_extension"
    URGE = "urge"
    RESOLVE = "resolve"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REOPEN = "reopen"
    LINK = "link"  # related cases linked (RELATED_TO); the status does not change
    # 吹哨报到 (the status does not change): the grid worker calls in professional members
    # who support the grid; each acknowledges (报到), goes on site and records what they did.
    WHISTLE = "whistle"
    ACKNOWLEDGE = "acknowledge"
    ARRIVE = "arrive"
    RECORD_WORK = "record_work"


S = CaseStatus
A = CaseAction

# (status before, action) → status after. `None` is "no case yet". The only source of truth.
TRANSITIONS: Mapping[tuple[CaseStatus | None, CaseAction], CaseStatus] = {
    (None, A.REPORT): S.REPORTED,
    (S.REPORTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.START_MEDIATION): S.MEDIATING,
    (S.ACCEPTED, A.URGE): S.ACCEPTED,
    (S.ACCEPTED, A.ESCALATE): S.ESCALATED,
    (S.ACCEPTED, A.GRID_CALL): S.ESCALATED,
    (S.ACCEPTED, A.RESOLVE): S.RESOLVED,
    # the hotline centre dispatches what it accepted: a 12345 call it took itself (受理 →
    # 派单), or an escalated case it took on first (the level rules keep it to the district)
    (S.ACCEPTED, A.DISPATCH): S.DISPATCHED,
    (S.MEDIATING, A.RECORD_OUTCOME): S.MEDIATING,
    (S.MEDIATING, A.URGE): S.MEDIATING,
    (S.MEDIATING, A.ESCALATE): S.ESCALATED,
    (S.MEDIATING, A.GRID_CALL): S.ESCALATED,
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
    (S.RESOLVED, A.REOPEN): S.REOPENED,  # an unsatisfied follow-up sends it back (返工)
    (S.CLOSED, A.REOPEN): S.REOPENED,
    (S.REOPENED, A.ACCEPT): S.ACCEPTED,
    **{(status, A.LINK): status for status in CaseStatus},
    **{
        (status, action): status
        for status in (S.ACCEPTED, S.MEDIATING, S.ESCALATED, S.DISPATCHED, S.SIGNED)
        for action in (A.WHISTLE, A.ACKNOWLEDGE, A.ARRIVE, A.RECORD_WORK)
    },
}

# The whistle's steps, in the order each called member takes them (吹哨 → 报到 → 到场 → 记录).
WHISTLE_STEPS: tuple[CaseAction, ...] = (A.ACKNOWLEDGE, A.ARRIVE, A.RECORD_WORK)

L = CaseLevel

# Where an action may happen, for the actions that depend on the level (the others may
# happen wherever the case is): escalation goes one level up to the district hotline centre
# at most, the grid call (网格呼叫) goes from the grid straight to the hotline centre, and
# only the hotline centre issues work orders.
LEVEL_RULES: Mapping[CaseAction, frozenset[CaseLevel]] = {
    # A case is filed in its grid, or at the district hotline centre (a 12345 call the centre
    # takes itself, with or without a grid); nothing is filed at a community, street or
    # department. A case filed without a grid never goes below the district: no action
    # moves a case down, and escalation, the grid call and whistles need the grid level.
    A.REPORT: frozenset({L.GRID, L.DISTRICT}),
    A.ESCALATE: frozenset({L.GRID, L.COMMUNITY, L.STREET}),
    A.GRID_CALL: frozenset({L.GRID}),
    A.DISPATCH: frozenset({L.DISTRICT}),
    A.WHISTLE: frozenset({L.GRID}),  # the grid worker whistles while the grid holds the case
}

# One level up the real hierarchy (上报).
ESCALATION_STEPS: Mapping[CaseLevel, CaseLevel] = {
    L.GRID: L.COMMUNITY,
    L.COMMUNITY: L.STREET,
    L.STREET: L.DISTRICT,
}

OPEN_STATUSES: frozenset[CaseStatus] = frozenset(set(CaseStatus) - {S.RESOLVED, S.CLOSED})


class TransitionNotAllowed(ValueError):
    """An action the table (or the level rules) does not allow from where the case is."""

    def __init__(
        self, current: CaseStatus | None, action: CaseAction, allowed: list[CaseAction]
    ) -> None:
        super().__init__(f"{action.value} is not allowed from {current}")
        self.current = current
        self.action = action
        self.allowed = allowed


def allowed_actions(current: CaseStatus | None, level: CaseLevel | None = None) -> list[CaseAction]:
    """The actions the table allows from a status (and, given the level, the level rules)."""
    return [
        action
        for (status, action) in TRANSITIONS
        if status == current and (level is None or _allowed_at(action, level))
    ]


def _allowed_at(action: CaseAction, level: CaseLevel) -> bool:
    rule = LEVEL_RULES.get(action)
    return rule is None or level in rule


def next_status(
    current: CaseStatus | None, action: CaseAction, level: CaseLevel | None = None
) -> CaseStatus:
    """The status after `action`; TransitionNotAllowed (a ValueError) when it is not allowed."""
    after = TRANSITIONS.get((current, action))
    if after is None or action not in allowed_actions(current, level):
        raise TransitionNotAllowed(current, action, allowed_actions(current, level))
    return after


def level_after(action: CaseAction, level: CaseLevel) -> CaseLevel:
    """The level handling the case after `action` (the level rules are checked elsewhere).

    A report stays at the level it is filed at: the grid, or the district hotline centre
    for a 12345 call the centre takes itself (`Position(None, L.DISTRICT)`)."""
    if action is A.REPORT:
        return level
    if action is A.ESCALATE:
        return ESCALATION_STEPS.get(level, level)
    if action is A.GRID_CALL:
        return L.DISTRICT
    if action is A.DISPATCH:
        return L.DEPARTMENT
    if action is A.RETURN:
        return L.DISTRICT  # back to the hotline centre that dispatched it (退回)
    return level


@dataclass(frozen=True)
class Position:
    """Where a case is: its status and the level handling it."""

    status: CaseStatus | None = None
    level: CaseLevel = CaseLevel.GRID

    def after(self, action: CaseAction) -> Position:
        """Where the case is after `action`; TransitionNotAllowed when it is not allowed."""
        status = next_status(self.status, action, self.level)
        return Position(status, level_after(action, self.level))

    def allowed(self) -> list[CaseAction]:
        """The actions allowed from here."""
        return allowed_actions(self.status, self.level)


# Place codes nest (district 6 digits, street 9, community 12, grid 15): the place holding a
# case at a level is a prefix of its grid's code.
_CODE_LENGTH: Mapping[CaseLevel, int] = {L.GRID: 15, L.COMMUNITY: 12, L.STREET: 9, L.DISTRICT: 6}


def holder_of(level: CaseLevel, place_code: str, department: str | None = None) -> str:
    """Case.assignee at `level`: the code of the grid, community, street or district (its
    hotline centre) the case occurred under, or the department holding its work order."""
    if level is L.DEPARTMENT:
        return department or ""
    return place_code[: _CODE_LENGTH[level]]


def places_of(place_code: str) -> dict[CaseLevel, str]:
    """The places a case occurred under, by level, from the code of the place it occurred in
    (a grid: grid, community, street, district; a district, for a 12345 case filed without
    a grid: the district only)."""
    return {
        level: place_code[:length]
        for level, length in _CODE_LENGTH.items()
        if length <= len(place_code)
    }


def replay(actions: Iterable[CaseAction], start: CaseLevel = L.GRID) -> Position:
    """Where a case is after these actions, in order (TransitionNotAllowed on a wrong one)."""
    position = Position(level=start)
    for action in actions:
        position = position.after(action)
    return position


# -- deadlines (吹哨报到) -----------------------------------------------------------------------


class Duty(StrEnum):
    """What the case waits for until its deadline (Case.dueFor)."""

    ACCEPT = "accept"  # first contact: the receiving level accepts the case (受理)
    SIGN = "sign"  # the department signs for the work order (签收)
    RESOLVE = "resolve"  # handled on site and resolved (办结)


@dataclass(frozen=True)
class Deadline:
    """When the pending duty is due."""

    due_at: datetime
    duty: Duty


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` moved on by `days` working days (Monday to Friday, China time), same clock time."""
    moment = start.astimezone(CHINA_TIME)
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


# Actions after which the receiving level owes first contact (acceptance).
_AWAITING_ACCEPTANCE = frozenset({A.REPORT, A.ESCALATE, A.GRID_CALL, A.RETURN, A.REOPEN})
# Actions after which nothing is due from the handlers.
_NOTHING_DUE = frozenset({A.RESOLVE, A.FOLLOW_UP, A.CLOSE})


def deadline_after(
    action: CaseAction,
    at: datetime,
    kind: str,
    rules: WorkflowRules,
    previous: Deadline | None,
    work_order_due: datetime | None = None,
) -> Deadline | None:
    """The deadline pending after `action` taken at `at`.

    `work_order_due` is the deadline of the work order (set on dispatch, moved by an
    extension); it is what a signed work order must be resolved by.
    """
    if action in _AWAITING_ACCEPTANCE:
        return Deadline(at + timedelta(hours=rules.first_contact_hours), Duty.ACCEPT)
    if action is A.DISPATCH:
        return Deadline(at + timedelta(hours=rules.sign_hours), Duty.SIGN)
    on_site = add_working_days(at, rules.on_site_days(kind))
    if action in (A.SIGN, A.REQUEST_EXTENSION):
        return Deadline(work_order_due or on_site, Duty.RESOLVE)
    if action is A.ACCEPT:
        return Deadline(on_site, Duty.RESOLVE)
    if action in _NOTHING_DUE:
        return None
    return previous  # mediation, outcomes, urging and links keep the deadline


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
