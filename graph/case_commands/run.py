"""Each command as ONE write transaction: claim the key, lock, check, write, record.

`scope` is the caller's row scope (place codes; None: unrestricted). Every check that names
a node runs in the transaction with the read path's predicate (graph/scope.py), so what the
caller may not see is refused exactly like what does not exist, and a retry's stored result
is returned only while the case is still in the caller's scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph import cases, claimed_writes
from graph.case_commands import cypher, scoped
from graph.case_commands.cypher import Target
from graph.case_commands.model import (
    DEFAULT_NOTES,
    Actor,
    CaseNotFound,
    CaseReport,
    CaseState,
    Command,
    CommandRefused,
    EventRecord,
    IdempotencyClaim,
    Outcome,
    RelatedReason,
    TargetNotFound,
    VersionConflict,
)
from graph.case_workflow import (
    WHISTLE_STEPS,
    CaseAction,
    CaseStatus,
    Deadline,
    Duty,
    Position,
    add_working_days,
    deadline_after,
    holder_of,
    level_after,
    places_of,
)
from graph.cases import CaseLevel, HandlerKind
from graph.china_time import CHINA_TIME
from graph.client import GraphClient, TransactionWriter, to_native
from graph.policy import WorkflowRules
from graph.traversal import Scope, scope_params

A = CaseAction

Check = Callable[[CaseState], None]  # raises to refuse (e.g. a grid outside the principal's)


@dataclass
class Step:
    """One command being applied: where the case was, what is asked, what changes."""

    tx: TransactionWriter
    state: CaseState
    command: Command
    at: datetime
    rules: WorkflowRules
    scope: Scope = None  # the caller's place codes; None: unrestricted
    work_order_due: datetime | None = None  # Case.workOrderDueAt afterwards
    satisfaction: int | None = None  # None: unchanged
    mediation_outcome: str | None = None  # None: unchanged; also the event's outcome
    follow_on: list[CaseAction] = field(default_factory=list)  # actions taken in the same go
    department: str | None = None  # the department holding its work order afterwards

    async def require(self, target: Target, keys: Sequence[str], argument: str) -> None:
        """TargetNotFound unless every key names an existing node the caller may see."""
        await scoped.require(self.tx, target, keys, argument, self.scope)

    async def require_serving(self, target: Target, key: str, argument: str) -> None:
        """Like `require`, for a mediator or committee that must also serve the case's place."""
        places = self.state.places
        await scoped.require_serving(self.tx, target, key, argument, places, self.scope)

    def row(self, **values: object) -> dict[str, object]:
        """A graph/cases.py write row for this case at this time."""
        return {"caseCode": self.state.code, "at": self.at, **values}


# -- what each action writes besides status and timeline ------------------------------------


async def _accept(step: Step) -> None:
    person = step.command.actor.person_id
    if step.state.position.level is CaseLevel.GRID and person:
        row = step.row(handlerKey=person, role="grid_worker")
        await cases.upsert_case_handlers(step.tx, HandlerKind.PERSON, [row])


async def _start_mediation(step: Step) -> None:
    mediator, committee = step.command.mediator, step.command.committee
    if mediator:
        await step.require_serving(Target.MEDIATOR, mediator, "mediator")
        row = step.row(handlerKey=mediator, role="mediator")
        await cases.upsert_case_handlers(step.tx, HandlerKind.PERSON, [row])
    if committee:
        await step.require_serving(Target.COMMITTEE, committee, "committee")
        row = step.row(handlerKey=committee, role="mediation_committee")
        await cases.upsert_case_handlers(step.tx, HandlerKind.COMMITTEE, [row])


async def _record_outcome(step: Step) -> None:
    outcome = step.command.outcome
    step.mediation_outcome = outcome.value if outcome else None


async def _escalate(step: Step) -> None:
    level = level_after(step.command.action, step.state.position.level)
    row = step.row(targetCode=step.state.places[level], reason=step.command.reason)
    await cases.upsert_case_escalations(step.tx, level, [row])


async def _dispatch(step: Step) -> None:
    department = step.command.department or ""
    await step.require(Target.DEPARTMENT, [department], "department")
    due = step.command.deadline or add_working_days(
        step.at, step.rules.on_site_days(step.state.kind)
    )
    if due <= step.at:
        raise CommandRefused("the work order's deadline must be in the future", "deadline")
    reason = step.command.reason or DEFAULT_NOTES[A.DISPATCH]
    row = step.row(targetCode=department, reason=reason)
    await cases.upsert_case_escalations(step.tx, CaseLevel.DEPARTMENT, [row])
    handler = step.row(handlerKey=department, role="work_order")
    await cases.upsert_case_handlers(step.tx, HandlerKind.DEPARTMENT, [handler])
    step.work_order_due = due
    step.department = department


async def _return(step: Step) -> None:
    step.work_order_due = None  # the next dispatch sets a new one


async def _extend(step: Step) -> None:
    current = step.state.work_order_due or step.at
    until = step.command.deadline
    if until is None or until <= current:
        message = f"the new deadline must be later than the current one, {current.isoformat()}"
        raise CommandRefused(message, "until")
    step.work_order_due = until


async def _follow_up(step: Step) -> None:
    satisfaction = step.command.satisfaction or 0
    step.satisfaction = satisfaction
    satisfied = satisfaction >= step.rules.satisfied_at_least
    step.follow_on.append(A.CLOSE if satisfied else A.REOPEN)


async def _link(step: Step) -> None:
    related, code = step.command.related, step.state.code
    if code in related:
        raise CommandRefused("a case cannot be related to itself", "related")
    query = cypher.cases_to_link(step.scope is not None)
    params = {"codes": [code, *related], **scope_params(step.scope)}
    found = await step.tx.write(query, params)
    rows = {row["code"]: to_native(row) for row in found}
    missing = sorted(set(related) - set(rows))
    if missing:
        raise TargetNotFound(Target.CASE, missing, "related")
    reason = (step.command.relation or RelatedReason.SAME_MATTER).value
    links = []
    for other in related:  # from the later case to the earlier one, as the seeds link them
        pair = sorted([rows[code], rows[other]], key=lambda r: (r["reportedAt"], r["code"]))
        links.append({"fromCode": pair[1]["code"], "toCode": pair[0]["code"], "reason": reason})
    await cases.upsert_related_cases(step.tx, links)


async def _whistle(step: Step) -> None:
    """吹哨: call in professional members who support the case's grid (each once at a time)."""
    members = list(step.command.members)
    if not members:
        raise CommandRefused("name at least one professional member", "members")
    params = {"keys": members, "grid": step.state.place_code, **scope_params(step.scope)}
    rows = await step.tx.write(cypher.whistle_members(step.scope is not None), params)
    supports = {row["key"]: row["supports"] for row in rows}
    missing = sorted(set(members) - set(supports))
    if missing:
        raise TargetNotFound(Target.PERSON, missing, "members")
    elsewhere = sorted(key for key, ok in supports.items() if not ok)
    if elsewhere:
        message = f"not professional members supporting grid {step.state.place_code}: {elsewhere}"
        raise CommandRefused(message, "members")
    busy = sorted(
        key
        for key in members
        if key in step.state.whistled and A.RECORD_WORK not in step.state.whistled[key]
    )
    if busy:
        raise CommandRefused(f"already called in and not done yet: {busy}", "members")
    rules, at = step.rules, step.at
    rows = [
        step.row(
            personId=member,
            reason=step.command.reason,
            acknowledgeDueAt=at + timedelta(minutes=rules.whistle_acknowledge_minutes),
            arriveDueAt=at + timedelta(hours=rules.whistle_on_site_hours),
            recordDueAt=at + timedelta(hours=rules.whistle_record_hours),
            acknowledgedAt=None,
            arrivedAt=None,
            recordedAt=None,
            work=None,
        )
        for member in members
    ]
    await cases.upsert_whistles(step.tx, rows)


async def _whistle_step(step: Step) -> None:
    """报到, 到场, 记录: a called member's next step, in order."""
    action, member = step.command.action, step.command.member or ""
    done = step.state.whistled.get(member)
    if done is None:
        raise CommandRefused(f"{member or 'the caller'} was not called in on this case", "member")
    expected = next((s for s in WHISTLE_STEPS if s not in done), None)
    if expected is not action:
        next_step = expected.value if expected else "nothing (all steps are recorded)"
        raise CommandRefused(f"the member's next step is {next_step}", "member")
    params = {"code": step.state.code, "member": member, "at": step.at, "work": step.command.note}
    await step.tx.write(cypher.WHISTLE_STEP[action.value], params)
    if action is A.ACKNOWLEDGE:  # 报到: the member now handles the case
        row = step.row(handlerKey=member, role="professional_member")
        await cases.upsert_case_handlers(step.tx, HandlerKind.PERSON, [row])


async def _nothing(step: Step) -> None:
    return None


EFFECTS: Mapping[CaseAction, Callable[[Step], Awaitable[None]]] = {
    A.ACCEPT: _accept,
    A.START_MEDIATION: _start_mediation,
    A.RECORD_OUTCOME: _record_outcome,
    A.ESCALATE: _escalate,
    A.GRID_CALL: _escalate,
    A.DISPATCH: _dispatch,
    A.RETURN: _return,
    A.REQUEST_EXTENSION: _extend,
    A.FOLLOW_UP: _follow_up,
    A.LINK: _link,
    A.WHISTLE: _whistle,
    A.ACKNOWLEDGE: _whistle_step,
    A.ARRIVE: _whistle_step,
    A.RECORD_WORK: _whistle_step,
}

# -- the transaction ------------------------------------------------------------------------


async def _claim(tx: TransactionWriter, claim: IdempotencyClaim, at: datetime) -> Outcome | None:
    """Take the key (None), or get the stored result of the call that took it first."""
    stored = await claimed_writes.replayed(tx, claim, at)
    return None if stored is None else Outcome.from_json(stored)


async def _store(tx: TransactionWriter, claim: IdempotencyClaim | None, outcome: Outcome) -> None:
    await claimed_writes.store(tx, claim, outcome.to_json(), outcome.case_code)


_STEP_TIMES = ("acknowledgedAt", "arrivedAt", "recordedAt")  # WHISTLE_STEPS, as lock reads them


async def _lock(tx: TransactionWriter, code: str, scope: Scope) -> CaseState:
    rows = await tx.write(
        cypher.lock_case(scope is not None), {"code": code, **scope_params(scope)}
    )
    if not rows:
        raise CaseNotFound(code)
    row = to_native(rows[0])
    level = CaseLevel.GRID
    for action in row["actions"]:  # the level the timeline reached
        level = level_after(CaseAction(action), level)
    if row["currentLevel"]:  # stored by every transition (older cases: replayed above)
        level = CaseLevel(row["currentLevel"])
    return CaseState(
        code=code,
        position=Position(CaseStatus(row["status"]), level),
        version=row["version"],
        kind=row["kind"],
        places=places_of(row["place"]),
        last_seq=row["lastSeq"] or 0,
        last_at=row["lastAt"] or row["reportedAt"],
        deadline=Deadline(row["dueAt"], Duty(row["dueFor"])) if row["dueAt"] else None,
        work_order_due=row["workOrderDueAt"],
        closed_at=row["closedAt"],
        resolved_at_level=row["resolvedAtLevel"],
        department=row["department"],
        whistled={
            called["id"]: frozenset(
                action
                for action, when in zip(WHISTLE_STEPS, _STEP_TIMES, strict=True)
                if called[when] is not None
            )
            for called in row["whistled"]
            if called["id"] is not None
        },
    )


async def _apply(step: Step, steps: Sequence[tuple[CaseAction, str]], actor: Actor) -> Outcome:
    """Move the case through `steps` (all taken at `step.at`) and append their events."""
    state, at = step.state, step.at
    position, deadline = state.position, state.deadline
    closed_at, resolved_at_level = state.closed_at, state.resolved_at_level
    events = []
    for offset, (action, note) in enumerate(steps, start=1):
        position = position.after(action)
        deadline = deadline_after(action, at, state.kind, step.rules, deadline, step.work_order_due)
        if action is A.RESOLVE:
            resolved_at_level = position.level.value
        if action is A.CLOSE:
            closed_at = at
        seq = state.last_seq + offset
        outcome = step.mediation_outcome if action is A.RECORD_OUTCOME else None
        status = position.status or CaseStatus.REPORTED
        events.append(
            EventRecord(
                f"{state.code}-{seq:02d}",
                seq,
                at,
                action,
                status,
                position.level,
                note,
                actor.id,
                actor.subject,
                outcome,
            )
        )
    status = events[-1].status
    done = status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    version = state.version + 1
    department = step.department or state.department
    params = {
        "code": state.code,
        "status": status.value,
        "version": version,
        "currentLevel": position.level.value,
        "assignee": holder_of(position.level, state.place_code, department),
        "dueAt": deadline.due_at if deadline else None,
        "dueFor": deadline.duty.value if deadline else None,
        "workOrderDueAt": step.work_order_due,
        "closedAt": closed_at if status is CaseStatus.CLOSED else None,
        "resolvedAtLevel": resolved_at_level if done else None,
        "satisfaction": step.satisfaction,
        "mediationOutcome": step.mediation_outcome,
        "events": [event.row() for event in events],
    }
    if not await step.tx.write(cypher.APPLY, params):  # cannot happen under the lock
        [now] = await step.tx.write(cypher.CASE_VERSION, {"code": state.code})
        raise VersionConflict(state.code, state.version, now["version"], CaseStatus(now["status"]))
    return Outcome(state.code, status, version, tuple(events))


async def run_command(
    graph: GraphClient,
    command: Command,
    rules: WorkflowRules,
    check: Check,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> Outcome:
    """Apply one workflow action to an existing case, in one write transaction; a case out of
    `scope` is CaseNotFound, as an unknown one."""

    async def work(tx: TransactionWriter) -> Outcome:
        if claim is not None and (replayed := await _claim(tx, claim, command.at)):
            await scoped.require_case(tx, command.case_code, scope)
            return replayed
        state = await _lock(tx, command.case_code, scope)
        check(state)
        expected = command.expected_version
        if expected is not None and expected != state.version:
            status = state.position.status or CaseStatus.REPORTED
            raise VersionConflict(state.code, expected, state.version, status)
        state.position.after(command.action)  # TransitionNotAllowed before anything is written
        at = max(command.at, state.last_at)
        step = Step(tx, state, command, at, rules, scope, work_order_due=state.work_order_due)
        await EFFECTS.get(command.action, _nothing)(step)
        steps = [(command.action, command.note or DEFAULT_NOTES[command.action])]
        steps += [(action, DEFAULT_NOTES[action]) for action in step.follow_on]
        outcome = await _apply(step, steps, command.actor)
        await _store(tx, claim, outcome)
        return outcome

    return await graph.in_one_transaction(work)


async def _allocate_code(tx: TransactionWriter, at: datetime) -> str:
    """The next free RC<year>-<serial> code of the year of `at` (China time)."""
    year = at.astimezone(CHINA_TIME).year
    prefix = f"RC{year}-"
    params = {"year": year, "prefix": prefix, "pattern": prefix + r"\d{6}"}
    while True:  # skips codes taken by cases imported after the counter was created
        [row] = await tx.write(cypher.ALLOCATE_SERIAL, params)
        code = f"{prefix}{row['serial']:06d}"
        [taken] = await tx.write(cypher.CASE_CODE_TAKEN, {"code": code})
        if not taken["taken"]:
            return code


async def _require_place(tx: TransactionWriter, report: CaseReport, scope: Scope) -> None:
    """The grid the case is filed in, or for a 12345 case filed without one, its district:
    TargetNotFound unless it exists in the caller's scope."""
    if len(report.place_code) == len(places_of(report.place_code)[CaseLevel.DISTRICT]):
        await scoped.require(tx, Target.DISTRICT, [report.place_code], "input.district", scope)
    else:
        await scoped.require(tx, Target.GRID, [report.place_code], "grid", scope)


async def report_case(
    graph: GraphClient,
    report: CaseReport,
    rules: WorkflowRules,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> Outcome:
    """File a new case with its parties and first event, in one write transaction; every
    node it links must be in `scope` (a new party's ID card must not be a person out of it)."""
    named = sorted({person_id for person_id, _ in report.parties})

    async def work(tx: TransactionWriter) -> Outcome:
        if claim is not None and (replayed := await _claim(tx, claim, report.at)):
            await _require_place(tx, report, scope)
            await scoped.require_case(tx, replayed.case_code, scope)
            return replayed
        await _require_place(tx, report, scope)
        await scoped.require(tx, Target.PERSON, [report.reporter_id], "reporter", scope)
        await scoped.require(tx, Target.PERSON, named, "parties", scope)
        # Duplicates (a personId that is a new party's ID card too, one ID card twice) are
        # refused before any new person is looked up or created: person ids follow from the
        # ID card, so the answer cannot tell whether a number is registered (a probe of a
        # number nobody has can only succeed by filing a real case).
        people = [person_id for person_id, _ in report.all_parties()]
        if len(set(people)) != len(people):
            raise CommandRefused("a person is named twice among the parties", "input.parties")
        new = {person.id: person for person, _ in report.new_parties}
        await scoped.create_persons(tx, list(new.values()), scope)
        code = await _allocate_code(tx, report.at)
        await cases.upsert_cases(tx, [report.case_row(code)])
        await cases.upsert_case_parties(tx, report.party_rows(code))
        places = places_of(report.place_code)
        position = Position(level=report.level)
        state = CaseState(code, position, 0, report.kind, places, 0, report.at)
        command = Command(code, A.REPORT, report.actor, report.at)
        step = Step(tx, state, command, report.at, rules)
        actor = Actor(report.reporter_id, report.actor.subject)  # the reporter files it
        outcome = await _apply(step, [(A.REPORT, report.note or DEFAULT_NOTES[A.REPORT])], actor)
        await _store(tx, claim, outcome)
        return outcome

    return await graph.in_one_transaction(work)
