"""Cases with full timelines, generated only through the workflow table (graph/case_workflow.py).

About 60% are resolved inside the grid; the rest climb grid → community → street → district
hotline centre → a department's work order ("网格呼叫、部门报到"). Timelines that would run
past the seeded "today" stop where they are, so recent cases are still open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph.case_workflow import CaseAction, CaseStatus, Timeline
from graph.cases import CaseLevel, CasePartyRole, HandlerKind
from graph.china_time import CHINA_TIME
from graph.policy import CaseCategory, Policy, TenNoItem
from seeds.chunk import Chunk, Row
from seeds.people import AS_OF, PersonDraft

CST = CHINA_TIME
WINDOW_START = datetime(2024, 1, 1, 8, 0, tzinfo=CST)
WINDOW_END = datetime(2025, 3, 31, 18, 0, tzinfo=CST)
CUTOFF = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 9, 0, tzinfo=CST)

# Where cases end up (target ~60% inside the grid).
REACH_WEIGHTS: dict[CaseLevel, int] = {
    CaseLevel.GRID: 60,
    CaseLevel.COMMUNITY: 14,
    CaseLevel.STREET: 9,
    CaseLevel.DISTRICT: 5,
    CaseLevel.DEPARTMENT: 12,
}

ESCALATION_REASONS: dict[CaseLevel, str] = {
    CaseLevel.COMMUNITY: "网格内调处未果，上报村(社区)",
    CaseLevel.STREET: "村(社区)协调未果，上报镇(街道)",
    CaseLevel.DISTRICT: "镇(街道)难以解决，经任诚办提报区政务热线服务中心",
    CaseLevel.DEPARTMENT: "网格呼叫、部门报到：形成工单派送职能部门",
}


@dataclass
class GridContext:
    """What a case in one grid can draw on."""

    district_code: str
    street_code: str
    community_code: str
    grid_code: str
    grid_name: str
    grid_worker: PersonDraft
    mediator: PersonDraft
    committee_code: str
    staff_mediators: list[str]
    adults: list[PersonDraft]
    party_members: list[PersonDraft]


@dataclass
class CaseSummary:
    """What evaluations need to know about a generated case."""

    code: str
    grid_code: str
    quarter: str
    resolved_in_grid: bool
    breach: bool
    satisfaction: int | None


@dataclass
class CaseNumbers:
    """ "One case, one code": RC<year>-<serial>, numbered per year across the whole run."""

    next_by_year: dict[int, int] = field(default_factory=dict)

    def issue(self, year: int) -> str:
        """The next code of this year."""
        number = self.next_by_year.get(year, 0) + 1
        self.next_by_year[year] = number
        return f"RC{year}-{number:06d}"


def quarter_of(moment: datetime) -> str:
    """'2024Q3' style quarter of a moment."""
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


class CaseMaker:
    """Generates cases for one grid at a time into a chunk."""

    def __init__(self, rng: random.Random, policy: Policy, numbers: CaseNumbers) -> None:
        self.rng = rng
        self.policy = policy
        self.numbers = numbers
        self._categories = list(policy.case_categories)
        self._category_weights = [c.weight for c in self._categories]

    def pick_category(self) -> CaseCategory:
        """A category by weight."""
        return self.rng.choices(self._categories, weights=self._category_weights)[0]

    def _pick(self, entries: tuple[object, ...]) -> str:
        chosen = self.rng.choices(entries, weights=[getattr(e, "weight", 1.0) for e in entries])
        return str(getattr(chosen[0], "code"))  # noqa: B009

    def make(
        self,
        ctx: GridContext,
        chunk: Chunk,
        applicant: PersonDraft,
        respondent: PersonDraft | None,
        *,
        category: CaseCategory | None = None,
        ten_no: TenNoItem | None = None,
        reach: CaseLevel | None = None,
        reported_at: datetime | None = None,
        third_party: PersonDraft | None = None,
        complete: bool = False,
    ) -> CaseSummary:
        """One case with parties, handlers, escalations and its timeline, written into `chunk`."""
        rng = self.rng
        if ten_no is not None:
            category = self.policy.category(ten_no.category)
        category = category or self.pick_category()
        title = rng.choice(ten_no.titles if ten_no else category.titles)
        reach = reach or rng.choices(list(REACH_WEIGHTS), weights=list(REACH_WEIGHTS.values()))[0]
        if ten_no is not None and reach.rank < CaseLevel.STREET.rank:
            reach = CaseLevel.STREET if rng.random() < 0.5 else CaseLevel.DEPARTMENT
        at = reported_at or WINDOW_START + timedelta(
            seconds=rng.randrange(int((WINDOW_END - WINDOW_START).total_seconds()))
        )
        code = self.numbers.issue(at.year)
        channel = self._pick(tuple(self.policy.channels))
        if ten_no is not None and ten_no.code == "TN10":
            channel = "hotline_12345"
        reporter = applicant
        if channel == "grid_patrol":
            reporter = ctx.grid_worker
        elif channel == "party_household" and ctx.party_members:
            reporter = rng.choice(ctx.party_members)

        timeline, side_rows, score = self._timeline(ctx, code, category, reach, at, reporter)
        self._cut(timeline, stall=not complete)
        status = timeline.status
        satisfaction = score if timeline.last(CaseAction.FOLLOW_UP) else None
        resolved = timeline.last(CaseAction.RESOLVE)
        done = status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        closing = timeline.last(CaseAction.CLOSE)
        chunk.cases.append(
            {
                "code": code,
                "title": title,
                "description": f"{applicant.name[0]}某反映：{title}（{ctx.grid_name}）",
                "kind": "incident" if ten_no else category.kind,
                "category": category.code,
                "severity": "high" if ten_no else self._pick(tuple(self.policy.severities)),
                "status": status.value if status else None,
                "channel": channel,
                "reportedAt": at,
                "closedAt": closing.at if closing and status is CaseStatus.CLOSED else None,
                "resolvedAtLevel": resolved.level if resolved and done else None,
                "satisfaction": satisfaction,
                "tenNoItem": ten_no.code if ten_no else None,
                "gridCode": ctx.grid_code,
                "reporterId": reporter.id,
            }
        )
        parties = [(applicant, CasePartyRole.APPLICANT), (respondent, CasePartyRole.RESPONDENT)]
        parties.append((third_party, CasePartyRole.THIRD_PARTY))
        for person, role in parties:
            if person is not None:
                chunk.case_parties.append({"caseCode": code, "personId": person.id, "role": role})
        for event in timeline.events:
            chunk.case_events.append(
                {
                    "caseCode": code,
                    "id": f"{code}-{event.seq:02d}",
                    "seq": event.seq,
                    "at": event.at,
                    "action": event.action.value,
                    "status": event.status.value,
                    "level": event.level,
                    "note": event.note,
                    "actorId": event.actor_id,
                }
            )
            for kind, row in side_rows.get(event.seq, []):
                if isinstance(kind, HandlerKind):
                    chunk.case_handlers[kind].append(row)
                else:
                    chunk.escalations[kind].append(row)
        return CaseSummary(
            code,
            ctx.grid_code,
            quarter_of(at),
            bool(done and resolved and resolved.level == CaseLevel.GRID.value),
            ten_no is not None,
            satisfaction,
        )

    def _timeline(
        self,
        ctx: GridContext,
        code: str,
        category: CaseCategory,
        reach: CaseLevel,
        at: datetime,
        reporter: PersonDraft,
    ) -> tuple[Timeline, dict[int, list[tuple[HandlerKind | CaseLevel, Row]]], int]:
        rng = self.rng
        tl = Timeline()
        side: dict[int, list[tuple[HandlerKind | CaseLevel, Row]]] = {}
        moment = at

        def step(
            action: CaseAction, level: CaseLevel, note: str, actor: str, hours: tuple[int, int]
        ) -> int:
            nonlocal moment
            moment = moment + timedelta(minutes=rng.randint(hours[0] * 60, hours[1] * 60))
            tl.apply(action, moment, level.value, note, actor)
            return len(tl.events)

        def handled(seq: int, kind: HandlerKind, key: str, role: str) -> None:
            row = {"caseCode": code, "handlerKey": key, "role": role, "at": tl.events[-1].at}
            side.setdefault(seq, []).append((kind, row))

        def escalated(seq: int, level: CaseLevel, target: str) -> None:
            row = {
                "caseCode": code,
                "targetCode": target,
                "at": tl.events[-1].at,
                "reason": ESCALATION_REASONS[level],
            }
            side.setdefault(seq, []).append((level, row))

        grid = CaseLevel.GRID
        tl.apply(
            CaseAction.REPORT, moment, grid.value, f"经{self.policy.platform}登记", reporter.id
        )
        seq = step(CaseAction.ACCEPT, grid, "网格员受理并入户核实", ctx.grid_worker.id, (0, 24))
        handled(seq, HandlerKind.PERSON, ctx.grid_worker.id, "grid_worker")
        if category.kind == "dispute" or rng.random() < 0.25:
            seq = step(
                CaseAction.START_MEDIATION, grid, "网格调解员介入调解", ctx.mediator.id, (1, 48)
            )
            handled(seq, HandlerKind.PERSON, ctx.mediator.id, "mediator")
            handled(seq, HandlerKind.COMMITTEE, ctx.committee_code, "mediation_committee")
            if ctx.staff_mediators and rng.random() < 0.2:
                handled(seq, HandlerKind.PERSON, rng.choice(ctx.staff_mediators), "legal_support")
            outcome = "调解达成一致" if reach is grid else "调解未达成一致"
            step(CaseAction.RECORD_OUTCOME, grid, outcome, ctx.mediator.id, (24, 120))
        if rng.random() < 0.1:
            step(CaseAction.URGE, grid, "当事人催办", ctx.grid_worker.id, (24, 72))
        resolver = ctx.grid_worker.id
        targets = {
            CaseLevel.COMMUNITY: ctx.community_code,
            CaseLevel.STREET: ctx.street_code,
            CaseLevel.DISTRICT: ctx.district_code,
        }
        for level in (CaseLevel.COMMUNITY, CaseLevel.STREET, CaseLevel.DISTRICT):
            if reach.rank < level.rank:
                break
            actor = targets[level]
            seq = step(CaseAction.ESCALATE, level, ESCALATION_REASONS[level], resolver, (4, 72))
            escalated(seq, level, targets[level])
            resolver = actor
            if level is CaseLevel.DISTRICT and reach is CaseLevel.DEPARTMENT:
                break
            step(CaseAction.ACCEPT, level, "受理上报事项", actor, (1, 24))
        if reach is CaseLevel.DEPARTMENT:
            department = rng.choice(category.departments)
            department_code = f"{ctx.district_code}{department}"
            seq = step(CaseAction.DISPATCH, reach, "派发工单", ctx.district_code, (1, 8))
            escalated(seq, reach, department_code)
            handled(seq, HandlerKind.DEPARTMENT, department_code, "work_order")
            if rng.random() < 0.1:
                step(
                    CaseAction.RETURN, reach, "非本部门职责，退回热线中心", department_code, (4, 48)
                )
                step(CaseAction.DISPATCH, reach, "重新派发工单", ctx.district_code, (1, 24))
            step(CaseAction.SIGN, reach, "部门签收工单", department_code, (1, 24))
            if rng.random() < 0.15:
                step(CaseAction.REQUEST_EXTENSION, reach, "申请延期办理", department_code, (24, 96))
            if rng.random() < 0.2:
                step(CaseAction.URGE, reach, "热线中心催办", ctx.district_code, (24, 96))
            resolver = department_code
        step(CaseAction.RESOLVE, reach, "诉求已办结", resolver, (24, 240))
        score = rng.choices([5, 4, 3, 2, 1], weights=[55, 30, 10, 3, 2])[0]
        if rng.random() < 0.9:
            step(
                CaseAction.FOLLOW_UP,
                reach,
                f"回访群众，满意度{score}",
                ctx.grid_worker.id,
                (24, 72),
            )
        step(CaseAction.CLOSE, reach, "结案归档", ctx.grid_worker.id, (1, 48))
        if rng.random() < 0.03:
            step(CaseAction.REOPEN, reach, "群众不认可办理结果，重新启动", resolver, (48, 240))
            step(CaseAction.ACCEPT, reach, "重新受理", resolver, (1, 24))
            step(CaseAction.RESOLVE, reach, "复查后办结", resolver, (48, 240))
            step(CaseAction.CLOSE, reach, "再次结案", ctx.grid_worker.id, (1, 48))
        return tl, side, score

    def _cut(self, tl: Timeline, stall: bool) -> None:
        """Drop what lies after the seeded today, and (unless told not to) stall a few midway."""
        keep = sum(1 for event in tl.events if event.at <= CUTOFF)
        if stall and len(tl.events) > 2 and self.rng.random() < 0.04:
            keep = min(keep, self.rng.randint(1, len(tl.events) - 1))
        del tl.events[max(1, keep) :]
        tl.status = tl.events[-1].status
