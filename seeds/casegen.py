"""Cases with full timelines, drawn step by step as the workflow mutations take them.

Each step is one mutation (recordFollowUp's close or reopen is the second event of its
mutation); seeds/case_history.py settles the steps through graph/case_workflow.py into the
events and case properties the mutations would have written (levels, `version`, deadlines).
About 60% are resolved inside the grid; the rest go to the community or street one level at a
time, or, when they need the district, mostly straight from the grid to the district hotline
centre (网格呼叫, `DIRECT_CALL_SHARE`) and on to a department's work order (部门报到). A
follow-up below the policy's `satisfied_at_least` reopens the case for redo (返工), as
recordFollowUp does. Timelines that would run past the seeded "today" stop where they are, so
recent cases are still open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph.case_commands.model import DEFAULT_NOTES, MediationOutcome, RelatedReason
from graph.case_workflow import WHISTLE_STEPS, CaseAction, add_working_days
from graph.cases import CaseLevel, CasePartyRole, HandlerKind
from graph.china_time import CHINA_TIME
from graph.policy import CaseCategory, Policy, TenNoItem
from seeds.case_history import CaseHistory, Side, Step, settle
from seeds.chunk import Chunk, Row
from seeds.people import AS_OF, PersonDraft

A = CaseAction
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

# 网格呼叫、部门报到: of the cases that need the district (its hotline centre or a department),
# this share is sent by the grid worker straight to the hotline centre through 任诚办 (the
# article's route for what the grid cannot settle); the rest climb grid → community → street
# → centre. The share is a local assumption: the article gives the route, not a proportion.
DIRECT_CALL_SHARE = 0.8
GRID_CALL_REASON = "网格难以解决，网格员通过任诚办呼叫区政务热线服务中心"

# 吹哨报到: of the cases the grid cannot settle alone, this share has the grid worker call
# in the professional members supporting the grid before going further (a local assumption;
# the article names the mechanism, not how often it is used).
WHISTLE_SHARE = 0.3
WHISTLE_REASON = "网格员吹哨，呼叫包保专业网格员到场协助处置"
WHISTLE_NOTES: dict[CaseAction, str] = {
    A.ACKNOWLEDGE: "专业网格员报到",
    A.ARRIVE: "专业网格员到场核查",
    A.RECORD_WORK: "专业网格员现场处置并记录",
}

# Follow-up satisfaction (回访满意度, 1-5); below the policy's satisfied_at_least reopens.
SCORES = (5, 4, 3, 2, 1)
SCORE_WEIGHTS = (55, 30, 12, 2, 1)

OUTCOME_NOTES: dict[MediationOutcome, str] = {
    MediationOutcome.WRITTEN_AGREEMENT: "调解达成一致，签订书面调解协议",
    MediationOutcome.ORAL_AGREEMENT: "调解达成一致，当事人口头约定",
    MediationOutcome.NO_AGREEMENT: "调解未达成一致",
}

RELATION_NOTES: dict[RelatedReason, str] = {
    RelatedReason.REPEAT_DISPUTANT: "同一当事人反复涉诉",
    RelatedReason.FAMILY_FEUD: "两户家庭矛盾延续",
    RelatedReason.SAME_MATTER: "同一事项",
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
    supporters: list[str] = field(default_factory=list)  # professional members (包保)


@dataclass
class CaseSummary:
    """What evaluations need to know about a generated case."""

    code: str
    grid_code: str
    quarter: str
    resolved: bool
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
        self.rules = policy.workflow
        self.numbers = numbers
        self.histories: dict[str, CaseHistory] = {}
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
        mediator: str | None = None,
    ) -> CaseSummary:
        """One case with parties, handlers, escalations and its timeline, written into `chunk`.

        `mediator` mediates if the case is mediated (default: the grid's mediator, or for a
        dispute the grid cannot settle now and then a professional of the committee).
        """
        rng = self.rng
        if ten_no is not None:
            category = self.policy.category(ten_no.category)
        category = category or self.pick_category()
        at = reported_at or WINDOW_START + timedelta(
            seconds=rng.randrange(int((WINDOW_END - WINDOW_START).total_seconds()))
        )
        code = self.numbers.issue(at.year)
        title = rng.choice(ten_no.titles if ten_no else category.titles)
        reach = reach or rng.choices(list(REACH_WEIGHTS), weights=list(REACH_WEIGHTS.values()))[0]
        if ten_no is not None and reach.rank < CaseLevel.STREET.rank:
            reach = CaseLevel.STREET if rng.random() < 0.5 else CaseLevel.DEPARTMENT
        channel = self._pick(tuple(self.policy.channels))
        if ten_no is not None and ten_no.code == "TN10":
            channel = "hotline_12345"
        reporter = applicant
        if channel == "grid_patrol":
            reporter = ctx.grid_worker
        elif channel == "party_household" and ctx.party_members:
            reporter = rng.choice(ctx.party_members)

        kind = "incident" if ten_no else category.kind
        severity = "high" if ten_no else self._pick(tuple(self.policy.severities))
        # The timeline draws from a generator of its own, so that who, where and when of the
        # cases stay put when the steps of the workflow change.
        own = random.Random(rng.getrandbits(64))
        steps = self._steps(own, ctx, code, category, kind, reach, at, reporter, mediator)
        steps = self._cut(own, steps, stall=not complete)
        chunk.whistles.extend(self._whistles(code, steps))
        row: Row = {
            "code": code,
            "title": title,
            "description": f"{applicant.name[0]}某反映：{title}（{ctx.grid_name}）",
            "kind": kind,
            "category": category.code,
            "severity": severity,
            "channel": channel,
            "reportedAt": at,
            "tenNoItem": ten_no.code if ten_no else None,
            "gridCode": ctx.grid_code,
            "reporterId": reporter.id,
        }
        history = CaseHistory(code, kind, ctx.grid_worker.id, steps, row)
        self.histories[code] = history
        chunk.cases.append(row)
        self._write_timeline(chunk, history)
        parties = [(applicant, CasePartyRole.APPLICANT), (respondent, CasePartyRole.RESPONDENT)]
        parties.append((third_party, CasePartyRole.THIRD_PARTY))
        for person, role in parties:
            if person is not None:
                chunk.case_parties.append({"caseCode": code, "personId": person.id, "role": role})
        for step in steps:
            for target, side in step.side:
                if isinstance(target, HandlerKind):
                    chunk.case_handlers[target].append(side)
                else:
                    chunk.escalations[target].append(side)
        return CaseSummary(
            code,
            ctx.grid_code,
            quarter_of(at),
            row["resolvedAtLevel"] is not None,
            row["resolvedAtLevel"] == CaseLevel.GRID.value,
            ten_no is not None,
            row["satisfaction"],
        )

    def _write_timeline(self, chunk: Chunk, history: CaseHistory, again: bool = False) -> None:
        """Settle the case row and (re)write its events into `chunk`."""
        case, events = settle(history, self.rules)
        history.row.update(case)
        if again:
            chunk.case_events[:] = [e for e in chunk.case_events if e["caseCode"] != history.code]
        chunk.case_events.extend(events)

    def link(self, chunk: Chunk, later: str, earlier: str, reason: RelatedReason) -> None:
        """Relate two cases as linkRelatedCases called on each of them would.

        `RELATED_TO {reason}` goes from the later case to the earlier; each gets a `link`
        event by its grid worker, soon after the later case was taken on.
        """
        newer, older = self.histories[later], self.histories[earlier]
        start = newer.steps[min(1, len(newer.steps) - 1)].at
        minutes = random.Random(f"{later}:{earlier}:{start.isoformat()}").randint(10, 120)
        at = min(CUTOFF, start + timedelta(minutes=minutes))
        for history, other in ((newer, earlier), (older, later)):
            note = f"{DEFAULT_NOTES[A.LINK]}{other}：{RELATION_NOTES[reason]}"
            history.insert(Step(A.LINK, at, note, history.grid_worker))
            self._write_timeline(chunk, history, again=True)
        chunk.related_cases.append({"fromCode": later, "toCode": earlier, "reason": reason.value})

    def _steps(
        self,
        rng: random.Random,
        ctx: GridContext,
        code: str,
        category: CaseCategory,
        kind: str,
        reach: CaseLevel,
        at: datetime,
        reporter: PersonDraft,
        mediator: str | None,
    ) -> list[Step]:
        moment = at

        def later(low: int, high: int) -> datetime:
            nonlocal moment
            moment = moment + timedelta(minutes=rng.randint(low * 60, high * 60))
            return moment

        def handled(when: datetime, kind: HandlerKind, key: str, role: str) -> Side:
            return kind, {"caseCode": code, "handlerKey": key, "role": role, "at": when}

        def escalated(
            when: datetime, level: CaseLevel, target: str, reason: str | None = None
        ) -> Side:
            reason = reason or ESCALATION_REASONS[level]
            return level, {"caseCode": code, "targetCode": target, "at": when, "reason": reason}

        worker = ctx.grid_worker.id
        steps = [Step(A.REPORT, at, f"经{self.policy.platform}登记", reporter.id)]
        when = later(0, 24)
        accepted = handled(when, HandlerKind.PERSON, worker, "grid_worker")
        steps.append(Step(A.ACCEPT, when, "网格员受理并入户核实", worker, side=(accepted,)))
        if category.kind == "dispute" or rng.random() < 0.25:
            if mediator is None:
                mediator = ctx.mediator.id
                if reach is not CaseLevel.GRID and ctx.staff_mediators and rng.random() < 0.3:
                    mediator = rng.choice(ctx.staff_mediators)  # 三官二师一首席
            when = later(1, 48)
            side: tuple[Side, ...] = (
                handled(when, HandlerKind.PERSON, mediator, "mediator"),
                handled(when, HandlerKind.COMMITTEE, ctx.committee_code, "mediation_committee"),
            )
            steps.append(Step(A.START_MEDIATION, when, "网格调解员介入调解", mediator, side=side))
            outcome = MediationOutcome.NO_AGREEMENT
            if reach is CaseLevel.GRID:
                written = rng.random() < 0.6
                outcome = MediationOutcome.WRITTEN_AGREEMENT if written else outcome.ORAL_AGREEMENT
            note = OUTCOME_NOTES[outcome]
            steps.append(Step(A.RECORD_OUTCOME, later(24, 120), note, mediator, outcome=outcome))
        if ctx.supporters and reach is not CaseLevel.GRID and rng.random() < WHISTLE_SHARE:
            moment = self._whistle(rng, steps, code, ctx, worker, moment)
        if rng.random() < 0.1:
            steps.append(Step(A.URGE, later(24, 72), "当事人催办", worker))
        resolver = worker
        targets = {
            CaseLevel.COMMUNITY: ctx.community_code,
            CaseLevel.STREET: ctx.street_code,
            CaseLevel.DISTRICT: ctx.district_code,
        }
        # 网格呼叫: what the grid cannot settle and needs the district goes straight from the
        # grid to the hotline centre; the rest climbs one level at a time.
        direct = reach.rank >= CaseLevel.DISTRICT.rank and rng.random() < DIRECT_CALL_SHARE
        for level in (CaseLevel.COMMUNITY, CaseLevel.STREET, CaseLevel.DISTRICT):
            if reach.rank < level.rank:
                break
            if direct and level is not CaseLevel.DISTRICT:
                continue
            if direct:
                when = later(1, 24)
                side = (escalated(when, level, targets[level], GRID_CALL_REASON),)
                steps.append(Step(A.GRID_CALL, when, GRID_CALL_REASON, worker, side=side))
                resolver = targets[level]
                if reach is CaseLevel.DEPARTMENT:
                    break
                steps.append(Step(A.ACCEPT, later(1, 24), "热线中心受理网格呼叫", resolver))
                continue
            when = later(4, 72)
            side = (escalated(when, level, targets[level]),)
            steps.append(Step(A.ESCALATE, when, ESCALATION_REASONS[level], resolver, side=side))
            resolver = targets[level]
            if level is CaseLevel.DISTRICT and reach is CaseLevel.DEPARTMENT:
                break
            steps.append(Step(A.ACCEPT, later(1, 24), "受理上报事项", resolver))
        if reach is CaseLevel.DEPARTMENT:
            department = f"{ctx.district_code}{rng.choice(category.departments)}"

            def dispatch(note: str, hours: tuple[int, int]) -> Step:
                when = later(*hours)
                due = add_working_days(when, self.rules.on_site_days(kind))  # the default
                side = (
                    escalated(when, reach, department),
                    handled(when, HandlerKind.DEPARTMENT, department, "work_order"),
                )
                return Step(A.DISPATCH, when, note, ctx.district_code, due=due, side=side)

            steps.append(dispatch("派发工单", (1, 8)))
            if rng.random() < 0.1:  # returned, then dispatched to the same department again
                note = "工单诉求描述不清，退回热线中心核实"
                steps.append(Step(A.RETURN, later(4, 48), note, department))
                steps.append(dispatch("核实后重新派发工单", (1, 24)))
            due = steps[-1].due or moment
            steps.append(Step(A.SIGN, later(1, 24), "部门签收工单", department))
            if rng.random() < 0.15:
                until = add_working_days(due, rng.randint(2, 5))
                note = "申请延期办理"
                steps.append(Step(A.REQUEST_EXTENSION, later(24, 96), note, department, due=until))
            if rng.random() < 0.2:
                steps.append(Step(A.URGE, later(24, 96), "热线中心催办", ctx.district_code))
            resolver = department
        steps.append(Step(A.RESOLVE, later(24, 240), "诉求已办结", resolver))
        # The follow-up visit (回访): one in ten cases is closed without one (closeCase), and
        # a few of those reopened later; an unsatisfied follow-up reopens for redo (返工).
        redo = False
        if rng.random() < 0.9:
            redo = self._follow_up(rng, steps, later(24, 72), worker, SCORES)
        else:
            steps.append(Step(A.CLOSE, later(1, 48), "未能联系申请人，结案归档", worker))
            if rng.random() < 0.05:
                note = "申请人来电不认可办理结果，重新启动"
                steps.append(Step(A.REOPEN, later(48, 240), note, resolver))
                redo = True
        if redo:
            when = later(1, 24)
            side = (handled(when, HandlerKind.PERSON, worker, "grid_worker"),)
            if reach is not CaseLevel.GRID:
                side = ()  # acceptCase records the grid worker at grid level only
            steps.append(Step(A.ACCEPT, when, "重新受理", resolver, side=side))
            steps.append(Step(A.RESOLVE, later(48, 240), "复查后办结", resolver))
            satisfied = tuple(s for s in SCORES if s >= self.rules.satisfied_at_least)
            self._follow_up(rng, steps, later(24, 72), worker, satisfied)
        return steps

    def _whistle(
        self,
        rng: random.Random,
        steps: list[Step],
        code: str,
        ctx: GridContext,
        worker: str,
        moment: datetime,
    ) -> datetime:
        """吹哨报到: the grid worker calls in one or two of the grid's professional members;
        each acknowledges, comes on site and records what they did, mostly within the
        deadlines of policy.toml ([workflow.whistle]); returns the moment of the last step."""
        moment += timedelta(minutes=rng.randint(30, 240))
        called = tuple(
            sorted(rng.sample(ctx.supporters, min(len(ctx.supporters), rng.randint(1, 2))))
        )
        steps.append(
            Step(A.WHISTLE, moment, WHISTLE_REASON, worker, members=called, reason=WHISTLE_REASON)
        )
        rules = self.rules
        limits = (
            rules.whistle_acknowledge_minutes,
            rules.whistle_on_site_hours * 60,
            rules.whistle_record_hours * 60,
        )
        latest = moment
        for member in called:
            at = moment
            for action, limit in zip(WHISTLE_STEPS, limits, strict=True):
                late = rng.random() < 0.1  # one step in ten misses its deadline
                minutes = rng.randint(limit + 1, limit * 2) if late else rng.randint(1, limit)
                at = max(at, moment + timedelta(minutes=minutes))
                side: tuple[Side, ...] = ()
                if action is A.ACKNOWLEDGE:
                    row = {"caseCode": code, "handlerKey": member, "role": "professional_member"}
                    side = ((HandlerKind.PERSON, {**row, "at": at}),)
                steps.append(Step(action, at, WHISTLE_NOTES[action], member, side=side))
            latest = max(latest, at)
        steps.sort(key=lambda step: step.at)  # stable: the members' steps interleave in time
        return latest

    def _whistles(self, code: str, steps: list[Step]) -> list[Row]:
        """The WHISTLED rows of the kept steps (a step cut off after today is not taken)."""
        rows: list[Row] = []
        for step in steps:
            if step.action is not A.WHISTLE:
                continue
            for member in step.members:
                taken = {
                    s.action: s.at for s in steps if s.actor == member and s.action in WHISTLE_STEPS
                }
                rows.append(
                    {
                        "caseCode": code,
                        "personId": member,
                        "at": step.at,
                        "reason": step.reason,
                        "acknowledgeDueAt": step.at
                        + timedelta(minutes=self.rules.whistle_acknowledge_minutes),
                        "arriveDueAt": step.at + timedelta(hours=self.rules.whistle_on_site_hours),
                        "recordDueAt": step.at + timedelta(hours=self.rules.whistle_record_hours),
                        "acknowledgedAt": taken.get(A.ACKNOWLEDGE),
                        "arrivedAt": taken.get(A.ARRIVE),
                        "recordedAt": taken.get(A.RECORD_WORK),
                        "work": WHISTLE_NOTES[A.RECORD_WORK] if A.RECORD_WORK in taken else None,
                    }
                )
        return rows

    def _follow_up(
        self,
        rng: random.Random,
        steps: list[Step],
        when: datetime,
        worker: str,
        scores: tuple[int, ...],
    ) -> bool:
        """recordFollowUp: the follow-up, then close or (unsatisfied) reopen; True if reopened."""
        weights = [SCORE_WEIGHTS[SCORES.index(score)] for score in scores]
        score = rng.choices(scores, weights=weights)[0]
        note = f"回访群众，满意度{score}"
        steps.append(Step(A.FOLLOW_UP, when, note, worker, satisfaction=score))
        satisfied = score >= self.rules.satisfied_at_least
        action = A.CLOSE if satisfied else A.REOPEN
        steps.append(Step(action, when, DEFAULT_NOTES[action], worker, follows=True))
        return not satisfied

    def _cut(self, rng: random.Random, steps: list[Step], stall: bool) -> list[Step]:
        """Drop what lies after the seeded today, and (unless told not to) stall a few midway.

        A cut never separates the two events of one mutation (a follow-up and its close).
        """
        keep = sum(1 for step in steps if step.at <= CUTOFF)
        if stall and len(steps) > 2 and rng.random() < 0.04:
            keep = min(keep, rng.randint(1, len(steps) - 1))
        keep = max(1, keep)
        while keep < len(steps) and steps[keep].follows:
            keep += 1
        return steps[:keep]
