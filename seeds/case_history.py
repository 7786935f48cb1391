"""A generated case's history, settled as the workflow mutations would have written it.

The seed generator (seeds/casegen.py) draws a case's steps, one per mutation (recordFollowUp's
close or reopen is the second event of its mutation); `settle` replays them through
graph/case_workflow.py: `Position.after` gives each event's status and level (the transition
table and the level rules), `Timeline.apply` keeps them in time order, `deadline_after` says
what the case waits for and by when, and graph/case_commands' `EventRecord` gives each event
the shape APPLY writes. The case row gets what APPLY leaves: `version`, `dueAt`, `dueFor`,
`workOrderDueAt`, `closedAt`, `resolvedAtLevel`, `satisfaction`, `mediationOutcome`,
`currentLevel` and `assignee`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from graph.case_commands.model import EventRecord, MediationOutcome
from graph.case_workflow import (
    CaseAction,
    CaseStatus,
    Deadline,
    Position,
    Timeline,
    deadline_after,
    holder_of,
)
from graph.cases import CaseLevel, HandlerKind
from graph.policy import WorkflowRules
from seeds.chunk import Row

A = CaseAction

# CaseEvent.subject: the principal's subject on a mutated event; the seed is no principal.
SEED_SUBJECT = "gridgraph-seed"

Side = tuple[HandlerKind | CaseLevel, Row]  # a HANDLED_BY or ESCALATED_TO row, by kind/level


@dataclass(frozen=True)
class Step:
    """One timeline event as a workflow mutation writes it, before it is numbered."""

    action: CaseAction
    at: datetime
    note: str
    actor: str
    follows: bool = False  # the second event of one mutation: recordFollowUp's close or reopen
    outcome: MediationOutcome | None = None  # record_outcome
    satisfaction: int | None = None  # follow_up
    due: datetime | None = None  # dispatch and request_extension: the work order's deadline
    side: tuple[Side, ...] = ()  # the HANDLED_BY / ESCALATED_TO rows its mutation writes
    members: tuple[str, ...] = ()  # whistle: the professional members called in
    reason: str | None = None  # whistle: why


@dataclass
class CaseHistory:
    """A generated case: its steps and the case row they settle."""

    code: str
    kind: str
    grid_worker: str  # who links it to related cases
    steps: list[Step]
    row: Row

    def insert(self, step: Step) -> None:
        """Add a step at its time (after the steps of the same moment)."""
        self.steps.insert(bisect_right(self.steps, step.at, key=lambda s: s.at), step)


def settle(history: CaseHistory, rules: WorkflowRules) -> tuple[Row, list[Row]]:
    """The case properties and timeline rows the mutations would have left after the steps.

    `version` counts mutations (graph/case_commands adds one per mutation, and a follow-up
    with its close or reopen is one); the other properties follow APPLY's rules.
    """
    position, timeline, kind = Position(), Timeline(), history.kind
    deadline: Deadline | None = None
    work_order_due: datetime | None = None
    closed_at: datetime | None = None
    resolved_at: str | None = None
    satisfaction: int | None = None
    outcome: MediationOutcome | None = None
    version = 0
    department: str | None = None
    events: list[Row] = []
    for seq, step in enumerate(history.steps, start=1):
        position = position.after(step.action)
        for target, side in step.side:  # a dispatch names the department of its work order
            if target is CaseLevel.DEPARTMENT:
                department = str(side["targetCode"])
        after = timeline.apply(step.action, step.at, position.level.value, step.note, step.actor)
        if step.action in (A.DISPATCH, A.REQUEST_EXTENSION):
            work_order_due = step.due
        elif step.action is A.RETURN:
            work_order_due = None
        deadline = deadline_after(step.action, step.at, kind, rules, deadline, work_order_due)
        if not step.follows:
            version += 1
        resolved_at = position.level.value if step.action is A.RESOLVE else resolved_at
        closed_at = step.at if step.action is A.CLOSE else closed_at
        satisfaction = step.satisfaction or satisfaction
        outcome = step.outcome or outcome
        record = EventRecord(
            f"{history.code}-{seq:02d}",
            seq,
            step.at,
            step.action,
            after,
            position.level,
            step.note,
            step.actor,
            SEED_SUBJECT,
            step.outcome.value if step.outcome else None,
        )
        events.append({"caseCode": history.code, **record.row()})
    status = timeline.status
    done = status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    case = {
        "status": status.value if status else None,
        "version": version,
        "dueAt": deadline.due_at if deadline else None,
        "dueFor": deadline.duty.value if deadline else None,
        "workOrderDueAt": work_order_due,
        "closedAt": closed_at if status is CaseStatus.CLOSED else None,
        "resolvedAtLevel": resolved_at if done else None,
        "satisfaction": satisfaction,
        "mediationOutcome": outcome.value if outcome else None,
        "currentLevel": position.level.value,
        "assignee": holder_of(position.level, str(history.row["gridCode"]), department),
    }
    return case, events
