"""The case workflow over GraphQL: the Mutation root, its inputs and payload, and overdueCases.

Every mutation is one write transaction (graph/case_commands) that appends timeline events;
each takes an optional `idempotencyKey` (a retry returns the first result and changes
nothing) and, on an existing case, an optional `expectedVersion` (CONFLICT when the case
moved on). A step the workflow does not allow gives INVALID_TRANSITION with the case's
status and the allowed actions. docs/workflow.md has the state machine and the deadlines;
row scope holds for writes as for reads (resolvers/case_mutations.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.case_commands import OVERDUE_IN_PLACE, Command, MediationOutcome, Outcome, RelatedReason
from graph.case_workflow import CaseAction, Duty
from resolvers import case_mutations as resolve
from resolvers import evaluation_mutations as resolve_evaluations
from resolvers import places as resolve_places
from resolvers.case_mutations import PartyDraft, ReportDraft
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.time_range import checked_moment
from schema.cases import Case, CaseEvent, CasePartyRole, CaseStatus
from schema.inbox import InboxConnection, inbox_connection, my_waiting, supervised_waiting
from schema.relay import Edge, PageInfo, page_slice, read_page

Context = Info[RequestContext, None]
A = CaseAction

strawberry.enum(MediationOutcome, name="MediationOutcome", description="How a mediation ended.")
strawberry.enum(RelatedReason, name="RelatedCaseReason", description="Why cases are related.")
# Duty is registered as CaseDuty in schema/cases.py (imported above).

Code = Annotated[str, strawberry.argument(description="The case code, e.g. RC2024-000123.")]
Note = Annotated[str | None, strawberry.argument(description="A note for the timeline.")]
Reason = Annotated[str, strawberry.argument(description="Why (recorded on the timeline).")]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The case version the caller last saw (payload `version`); CONFLICT if the"
        " case has changed since. Left out: no version check."
    ),
]
IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="A key unique to this call (1-200 characters): a retry with the same key"
        " returns the first result and changes nothing."
    ),
]


@strawberry.input(description="A party who is not yet in the graph.")
class NewPersonInput:
    name: str
    id_card: str = strawberry.field(
        description="18-digit ID-card number (身份证号), validated; stored only protected."
    )
    phone: str | None = strawberry.field(default=None, description="11-digit mobile number.")


@strawberry.input(description="A party of a new case: an existing person or a new one.")
class CasePartyInput:
    role: CasePartyRole
    person_id: str | None = strawberry.field(default=None, description="An existing person.")
    new_person: NewPersonInput | None = None


@strawberry.input(description="A new case (一案一码: the code is assigned).")
class ReportCaseInput:
    grid: str | None = strawberry.field(
        default=None,
        description="The 15-digit code of the grid it occurred in. Left out only for a 12345"
        " case (channel hotline_12345) the hotline centre files at the district (12345热线"
        " 直接受理): it is held by the centre and never goes down to a grid.",
    )
    kind: str = strawberry.field(description="A case kind of policy.toml, e.g. `dispute`.")
    category: str = strawberry.field(description="A case category, e.g. `neighbour`.")
    severity: str
    channel: str
    title: str
    description: str | None = None
    parties: list[CasePartyInput] = strawberry.field(description="At least one applicant.")
    reporter: str | None = strawberry.field(
        default=None,
        description="The reporting person's id; only (and then required) when the principal"
        " is no person (admin, developer). Otherwise the principal's own person.",
    )
    ten_no_item: str | None = strawberry.field(default=None, description="TN01..TN10 breached.")
    note: str | None = None
    district: str | None = strawberry.field(
        default=None,
        description="For a case without a grid: the 6-digit district code (a hotline"
        " operator's own district when left out).",
    )


@strawberry.type(description="What a workflow mutation did.")
class CaseMutationPayload:
    case_code: str
    status: CaseStatus = strawberry.field(description="The case status after the mutation.")
    version: int = strawberry.field(description="The case version after it (expectedVersion).")
    events: list[CaseEvent] = strawberry.field(description="The timeline events it appended.")
    replayed: bool = strawberry.field(
        description="True when a retry with the same idempotencyKey got the first result."
    )

    @strawberry.field(description="The case as it is now.")
    async def case(self, info: Context) -> Case:  # read with the caller's row scope
        return Case.from_row(await resolve.case_row(info.context, self.case_code))

    @classmethod
    def of(cls, outcome: Outcome) -> CaseMutationPayload:
        events = [
            CaseEvent(
                event_id=e.id,
                seq=e.seq,
                at=e.at,
                action=e.action.value,
                status=e.status.value,
                level=e.level.value,
                note=e.note,
                actor_id=e.actor_id,
            )
            for e in outcome.events
        ]
        return cls(
            case_code=outcome.case_code,
            status=outcome.status,
            version=outcome.version,
            events=events,
            replayed=outcome.replayed,
        )


async def _act(
    info: Context,
    action: CaseAction,
    code: str,
    key: str | None,
    expected_version: int | None,
    **details: Any,
) -> CaseMutationPayload:
    """One workflow command on an existing case, as the request's principal."""
    resolve.require_mutating_role(info.context.principal)
    for name in ("note", "reason"):
        if name in details:
            details[name] = resolve.text(details[name], name, required=name == "reason")
    if "deadline" in details:
        details["deadline"] = checked_moment(details["deadline"], "deadline")
    command = Command(
        code,
        action,
        resolve.actor_of(info.context.principal),
        resolve.now(),
        expected_version=expected_version,
        **details,
    )
    arguments = {"code": code, "expectedVersion": expected_version, **details}
    return CaseMutationPayload.of(await resolve.act(info.context, command, key, arguments))


def _with_note(action: CaseAction, description: str) -> Any:
    """A mutation that takes only the case, a note and the common arguments."""

    async def mutate(
        self: Any,
        info: Context,
        code: Code,
        note: Note = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        return await _act(info, action, code, idempotency_key, expected_version, note=note)

    return strawberry.mutation(mutate, description=description)


def _with_reason(action: CaseAction, description: str) -> Any:
    """A mutation that takes the case, a required reason and the common arguments."""

    async def mutate(
        self: Any,
        info: Context,
        code: Code,
        reason: Reason,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        return await _act(info, action, code, idempotency_key, expected_version, reason=reason)

    return strawberry.mutation(mutate, description=description)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="File a new case (登记); it gets a new code.")
    async def report_case(
        self, info: Context, input: ReportCaseInput, idempotency_key: IdempotencyKey = None
    ) -> CaseMutationPayload:
        parties = [
            PartyDraft(
                role=p.role,
                person_id=p.person_id,
                name=p.new_person.name if p.new_person else None,
                id_card=p.new_person.id_card if p.new_person else None,
                phone=p.new_person.phone if p.new_person else None,
            )
            for p in input.parties
        ]
        draft = ReportDraft(
            grid=input.grid,
            kind=input.kind,
            category=input.category,
            severity=input.severity,
            channel=input.channel,
            title=input.title,
            description=input.description,
            parties=parties,
            reporter=input.reporter,
            ten_no_item=input.ten_no_item,
            note=input.note,
            district=input.district,
        )
        return CaseMutationPayload.of(await resolve.report(info.context, draft, idempotency_key))

    accept_case = _with_note(A.ACCEPT, "Accept a case (受理) at the level that holds it.")

    @strawberry.mutation(description="Start mediation (调解) by a committee and/or a mediator.")
    async def start_mediation(
        self,
        info: Context,
        code: Code,
        committee: str | None = None,
        mediator: str | None = None,
        note: Note = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        if not committee and not mediator:
            raise BadUserInput("give a committee, a mediator or both", argument="mediator")
        return await _act(
            info,
            CaseAction.START_MEDIATION,
            code,
            idempotency_key,
            expected_version,
            committee=committee,
            mediator=mediator,
            note=note,
        )

    @strawberry.mutation(
        description="Record how a mediation ended (agreement written, oral, none)."
    )
    async def record_mediation_outcome(
        self,
        info: Context,
        code: Code,
        outcome: MediationOutcome,
        note: Note = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        return await _act(
            info,
            CaseAction.RECORD_OUTCOME,
            code,
            idempotency_key,
            expected_version,
            outcome=outcome,
            note=note,
        )

    escalate_case = _with_reason(
        A.ESCALATE,
        "Escalate (上报) one level up the case's own hierarchy: grid → community → street →"
        " district hotline centre.",
    )

    call_hotline = _with_reason(
        A.GRID_CALL,
        "Grid call (网格呼叫): the grid worker sends a case the grid cannot settle straight to"
        " the district hotline centre (任诚办), which dispatches it as a work order.",
    )

    @strawberry.mutation(
        description="The hotline centre dispatches a work order (派单) to a department; the"
        " deadline defaults to the on-site working days of policy.toml."
    )
    async def dispatch_work_order(
        self,
        info: Context,
        code: Code,
        department: str,
        deadline: datetime | None = None,
        note: Note = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        return await _act(
            info,
            CaseAction.DISPATCH,
            code,
            idempotency_key,
            expected_version,
            department=department,
            deadline=deadline,
            note=note,
        )

    sign_work_order = _with_note(A.SIGN, "The department signs for its work order (签收).")

    return_work_order = _with_reason(
        A.RETURN, "The department returns the work order to the hotline centre (退回)."
    )

    @strawberry.mutation(description="The department asks for a later deadline (延期).")
    async def request_extension(
        self,
        info: Context,
        code: Code,
        until: datetime,
        reason: Reason,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        return await _act(
            info,
            CaseAction.REQUEST_EXTENSION,
            code,
            idempotency_key,
            expected_version,
            deadline=checked_moment(until, "until"),
            reason=reason,
        )

    urge_case = _with_note(A.URGE, "Urge the handlers (催办).")

    resolve_case = _with_note(A.RESOLVE, "Resolve the case (办结) at the level handling it.")

    @strawberry.mutation(
        description="Record the follow-up visit (回访), satisfaction 1-5: satisfied closes the"
        " case, unsatisfied reopens it for redo (threshold in policy.toml)."
    )
    async def record_follow_up(
        self,
        info: Context,
        code: Code,
        satisfaction: int,
        note: Note = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        if not 1 <= satisfaction <= 5:
            raise BadUserInput("satisfaction must be 1 to 5", argument="satisfaction")
        return await _act(
            info,
            CaseAction.FOLLOW_UP,
            code,
            idempotency_key,
            expected_version,
            satisfaction=satisfaction,
            note=note,
        )

    close_case = _with_note(A.CLOSE, "Close a resolved case without a follow-up visit (结案).")

    reopen_case = _with_reason(A.REOPEN, "Reopen a resolved or closed case (重新启动).")

    @strawberry.mutation(
        description="Blow the whistle (吹哨): the grid worker holding the case calls in"
        " professional grid members (专业网格员) who support (包保) its grid; each must then"
        " report (报到) within the deadlines of policy.toml ([workflow.whistle])."
    )
    async def blow_whistle(
        self,
        info: Context,
        code: Code,
        members: list[str],
        reason: Reason,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        resolve.require_mutating_role(info.context.principal)
        return await _act(
            info,
            CaseAction.WHISTLE,
            code,
            idempotency_key,
            expected_version,
            members=resolve.whistle_members(members),
            reason=reason,
        )

    @strawberry.mutation(
        description="A called professional member reports (报到): acknowledges, is on site,"
        " records what they did (`note`), in that order; they become a handler of the case."
        " The member is the caller (a department officer with its person id); admins name"
        " `member`."
    )
    async def report_to_whistle(
        self,
        info: Context,
        code: Code,
        step: WhistleStep,
        note: Note = None,
        member: str | None = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        principal = info.context.principal
        resolve.require_mutating_role(principal)
        who = resolve.whistle_member(principal, member)
        if step is WhistleStep.RECORD_WORK and not (note or "").strip():
            raise BadUserInput("record what was done in note", argument="note")
        return await _act(
            info,
            CaseAction(step.value),
            code,
            idempotency_key,
            expected_version,
            member=who,
            note=note,
        )

    @strawberry.mutation(
        description="The street's quarterly evaluation of a grid's worker (履职评估): every"
        " item of policy.toml scored 0-100; the quarter is ranked again and its bottom 5%"
        " flagged (末位). Street officers of the grid's street, admins."
    )
    async def record_grid_worker_evaluation(
        self,
        info: Context,
        grid: str,
        quarter: str,
        scores: list[EvaluationScoreInput],
        idempotency_key: IdempotencyKey = None,
    ) -> GridWorkerEvaluationPayload:
        if len({s.item for s in scores}) != len(scores):
            raise BadUserInput("each item once", argument="scores")
        given = {s.item: s.score for s in scores}
        done = await resolve_evaluations.evaluate(
            info.context, grid, quarter, given, idempotency_key
        )
        return GridWorkerEvaluationPayload(
            evaluation_id=done.id,
            worker_id=done.worker,
            score=done.score,
            rank=done.rank,
            bottom5=done.bottom5,
            replayed=done.replayed,
        )

    @strawberry.mutation(
        description="末位淘汰: replace a grid's worker flagged at the bottom of `quarter` by"
        " `successor`; the former worker's WORKS_GRID keeps its history (`until`)."
    )
    async def replace_grid_worker(
        self,
        info: Context,
        grid: str,
        quarter: str,
        successor: str,
        reason: Reason,
        idempotency_key: IdempotencyKey = None,
    ) -> GridWorkerReplacementPayload:
        done = await resolve_evaluations.replace(
            info.context, grid, quarter, successor, reason, idempotency_key
        )
        return GridWorkerReplacementPayload(
            grid_code=done.grid,
            former_worker_id=done.former,
            worker_id=done.successor,
            replayed=done.replayed,
        )

    @strawberry.mutation(
        description="Relate other cases to this one (RELATED_TO, from the later to the earlier)."
    )
    async def link_related_cases(
        self,
        info: Context,
        code: Code,
        related: list[str],
        reason: RelatedReason,
        note: Note = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseMutationPayload:
        resolve.require_mutating_role(info.context.principal)
        return await _act(
            info,
            CaseAction.LINK,
            code,
            idempotency_key,
            expected_version,
            related=resolve.related_codes(related),
            relation=reason,
            note=note,
        )


@strawberry.input(description="One evaluation item's score (items: policy.toml [evaluation]).")
class EvaluationScoreInput:
    item: str = strawberry.field(description="The item code, e.g. E1.")
    score: float = strawberry.field(description="0 to 100.")


@strawberry.type(description="What recordGridWorkerEvaluation recorded.")
class GridWorkerEvaluationPayload:
    evaluation_id: str
    worker_id: str = strawberry.field(description="The grid worker evaluated.")
    score: float = strawberry.field(description="The weighted total, 0-100.")
    rank: int = strawberry.field(description="In the quarter, 1 = best, after re-ranking.")
    bottom5: bool = strawberry.field(description="In the bottom 5% of the quarter (末位).")
    replayed: bool


@strawberry.type(description="What replaceGridWorker did: the former worker left the grid.")
class GridWorkerReplacementPayload:
    grid_code: str
    former_worker_id: str = strawberry.field(description="Its WORKS_GRID now has `until`.")
    worker_id: str = strawberry.field(description="The successor (WORKS_GRID since now).")
    replayed: bool


@strawberry.enum(description="A called member's steps after a whistle (吹哨报到), in order.")
class WhistleStep(Enum):
    ACKNOWLEDGE = "acknowledge"  # 报到
    ARRIVE = "arrive"  # 到场
    RECORD_WORK = "record_work"  # 记录处置情况


@strawberry.type(description="An overdue case and the deadline it missed.")
class OverdueCaseEdge(Edge):
    node: Case
    due_at: datetime = strawberry.field(description="When the pending duty was due.")
    due_for: Duty = strawberry.field(description="What the case waits for.")


@strawberry.type(description="A page of overdue cases, most overdue first.")
class OverdueCaseConnection:
    edges: list[OverdueCaseEdge]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="All overdue cases of the place (counted in the database; null unless"
        " selected)."
    )


@strawberry.type
class WorkflowQuery:
    @strawberry.field(
        description="What waits for the calling office (community, street, hotline centre,"
        " department, grid worker): cases it holds to accept, sign or handle, and for a grid"
        " worker the resolved cases of its grids awaiting the follow-up visit; most urgent"
        " deadline first. Empty for roles that hold no cases."
    )
    async def my_inbox(
        self, info: Context, first: int | None = None, after: str | None = None
    ) -> InboxConnection:
        return await inbox_connection(info, my_waiting(info), first, after)

    @strawberry.field(
        description="For supervisors: what waits at a place (held by it or a place under it)"
        " or at a department (its open work orders), most urgent deadline first; give place"
        " or department. Row scope applies."
    )
    async def inbox(
        self,
        info: Context,
        place: str | None = None,
        department: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> InboxConnection:
        waiting = await supervised_waiting(info, place, department)
        return await inbox_connection(info, waiting, first, after)

    @strawberry.field(
        description="Open cases past their whistle-and-report deadline (accept within 24 hours,"
        " sign within 1 hour, on site within 3 or 5 working days), most overdue first; `place`"
        " is a code of any level, `asOf` defaults to now."
    )
    async def overdue_cases(
        self,
        info: Context,
        place: str | None = None,
        as_of: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> OverdueCaseConnection:
        prefix = await resolve_places.checked_place_prefix(info.context, place)
        params = {"asOf": checked_moment(as_of, "asOf") or resolve.now()}
        # The list is the place's with the asOf given (not the default "now" of each request).
        request, page = await read_page(
            info, OVERDUE_IN_PLACE, prefix, first, after, params, identity={"asOf": as_of}
        )
        items, page_info = page_slice(request, page)
        edges = [
            OverdueCaseEdge(
                request=request,
                keys=item.keys,
                node=Case.from_row(item.node),
                due_at=item.edge["dueAt"],
                due_for=Duty(item.edge["dueFor"]),
            )
            for item in items
        ]
        return OverdueCaseConnection(edges=edges, page_info=page_info, total_count=page.total)
