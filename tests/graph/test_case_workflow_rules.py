"""The workflow beyond the status table: levels, deadlines, and the seeds' histories.

The seeds' tests replay the tiny and demo scales' generated cases (no database) through
graph/case_workflow.py and check they carry what the mutations would have written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from graph.case_commands.model import EventRecord, MediationOutcome, RelatedReason
from graph.case_workflow import (
    OPEN_STATUSES,
    TRANSITIONS,
    CaseAction,
    CaseStatus,
    Deadline,
    Duty,
    Position,
    TransitionNotAllowed,
    add_working_days,
    allowed_actions,
    deadline_after,
    holder_of,
    level_after,
    places_of,
    replay,
)
from graph.cases import CaseLevel
from graph.china_time import CHINA_TIME
from graph.personal_data import PersonalDataKey
from graph.policy import load_policy
from seeds.generator import Generator
from seeds.plan import DEFAULT_SEED, Scale, scale_spec

A, S, L = CaseAction, CaseStatus, CaseLevel
RULES = load_policy().workflow
MONDAY = datetime(2024, 5, 6, 9, 30, tzinfo=CHINA_TIME)
FRIDAY = MONDAY + timedelta(days=4)

# Report, escalate to the hotline centre, dispatch, return, dispatch again, resolve, reopen.
CLIMB = [A.REPORT, A.ACCEPT, A.ESCALATE, A.ACCEPT, A.ESCALATE, A.ACCEPT, A.ESCALATE]


def test_the_policy_file_holds_the_whistle_and_report_numbers() -> None:
    assert (RULES.sign_hours, RULES.first_contact_hours) == (1, 24)
    assert {RULES.on_site_days(kind) for kind in ("hazard", "incident")} == {3}
    assert {RULES.on_site_days(kind) for kind in ("dispute", "appeal")} == {5}
    assert 1 < RULES.satisfied_at_least <= 5


def test_escalation_climbs_one_level_at_a_time_up_to_the_hotline_centre() -> None:
    # when a case is escalated three times
    position = replay(CLIMB)
    # then it waits at the district hotline centre, which may dispatch but not escalate
    assert position == Position(S.ESCALATED, L.DISTRICT)
    assert A.DISPATCH in position.allowed()
    accepted = position.after(A.ACCEPT)
    assert A.ESCALATE not in accepted.allowed()
    with pytest.raises(TransitionNotAllowed) as refused:
        accepted.after(A.ESCALATE)
    assert refused.value.allowed == accepted.allowed()


def test_only_the_hotline_centre_dispatches_and_a_return_goes_back_to_it() -> None:
    # given a case escalated only to its community
    community = replay([A.REPORT, A.ACCEPT, A.ESCALATE])
    assert community.level is L.COMMUNITY
    # then it cannot be dispatched there
    assert A.DISPATCH not in community.allowed()
    # and a work order returned by a department is back at the district
    dispatched = replay([*CLIMB, A.DISPATCH])
    assert dispatched == Position(S.DISPATCHED, L.DEPARTMENT)
    assert dispatched.after(A.RETURN) == Position(S.ESCALATED, L.DISTRICT)


def test_a_12345_case_filed_at_the_district_is_accepted_then_dispatched_never_sent_down() -> None:
    # given a call the hotline centre files itself (with or without a grid)
    accepted = replay([A.REPORT, A.ACCEPT], start=L.DISTRICT)
    assert accepted == Position(S.ACCEPTED, L.DISTRICT)
    # then it dispatches what it accepted, and no action takes the case below the district
    assert accepted.after(A.DISPATCH) == Position(S.DISPATCHED, L.DEPARTMENT)
    for action in (A.ESCALATE, A.GRID_CALL, A.WHISTLE):
        assert action not in accepted.allowed()
    # and a case is filed only in a grid or at the centre
    for level in (L.COMMUNITY, L.STREET, L.DEPARTMENT):
        with pytest.raises(TransitionNotAllowed):
            Position(level=level).after(A.REPORT)
    # (a grid's accepted case is not dispatched where it is)
    assert A.DISPATCH not in replay([A.REPORT, A.ACCEPT]).allowed()


def test_places_of_a_case_follow_from_the_code_it_occurred_in() -> None:
    grid = "370811001001001"
    assert places_of(grid) == {
        L.GRID: grid,
        L.COMMUNITY: grid[:12],
        L.STREET: grid[:9],
        L.DISTRICT: grid[:6],
    }
    assert places_of("370811") == {L.DISTRICT: "370811"}  # a 12345 case without a grid


def test_allowed_actions_with_a_level_are_a_subset_of_the_table() -> None:
    for status in S:
        for level in L:
            allowed = allowed_actions(status, level)
            assert set(allowed) <= set(allowed_actions(status))
            assert all((status, action) in TRANSITIONS for action in allowed)
            assert A.LINK in allowed  # linking never changes the status


def test_an_unsatisfied_follow_up_can_reopen_a_resolved_case() -> None:
    resolved = replay([A.REPORT, A.ACCEPT, A.RESOLVE, A.FOLLOW_UP])
    assert resolved.status is S.RESOLVED
    assert resolved.after(A.REOPEN).status is S.REOPENED
    assert resolved.after(A.CLOSE).status is S.CLOSED


def test_working_days_skip_the_weekend() -> None:
    assert add_working_days(MONDAY, 3) == MONDAY + timedelta(days=3)
    assert add_working_days(FRIDAY, 3) == FRIDAY + timedelta(days=5)  # Wednesday
    assert add_working_days(FRIDAY, 5) == FRIDAY + timedelta(days=7)
    saturday = FRIDAY + timedelta(days=1)
    assert add_working_days(saturday, 1) == saturday + timedelta(days=2)


def test_deadlines_follow_the_whistle_and_report_rule() -> None:
    # a reported or escalated case is accepted within 24 hours
    reported = deadline_after(A.REPORT, MONDAY, "dispute", RULES, None)
    assert reported == Deadline(MONDAY + timedelta(hours=24), Duty.ACCEPT)
    # an accepted hazard is handled on site within 3 working days, a dispute within 5
    hazard = deadline_after(A.ACCEPT, FRIDAY, "hazard", RULES, reported)
    assert hazard == Deadline(FRIDAY + timedelta(days=5), Duty.RESOLVE)
    dispute = deadline_after(A.ACCEPT, MONDAY, "dispute", RULES, reported)
    assert dispute == Deadline(MONDAY + timedelta(days=7), Duty.RESOLVE)
    # a work order is signed within an hour, then resolved by its own deadline
    signing = deadline_after(A.DISPATCH, MONDAY, "appeal", RULES, dispute)
    assert signing == Deadline(MONDAY + timedelta(hours=1), Duty.SIGN)
    due = MONDAY + timedelta(days=10)
    signed = deadline_after(A.SIGN, MONDAY, "appeal", RULES, signing, work_order_due=due)
    assert signed == Deadline(due, Duty.RESOLVE)
    # urging and mediation keep the deadline; resolving ends it
    assert deadline_after(A.URGE, MONDAY, "appeal", RULES, signed) == signed
    assert deadline_after(A.RESOLVE, MONDAY, "appeal", RULES, signed) is None
    # a reopened case is accepted again within 24 hours
    reopened = deadline_after(A.REOPEN, FRIDAY, "appeal", RULES, None)
    assert reopened == Deadline(FRIDAY + timedelta(hours=24), Duty.ACCEPT)


@dataclass
class Seed:
    """What the seed generator writes about cases (no database needed)."""

    cases: dict[str, dict[str, Any]]
    timelines: dict[str, list[dict[str, Any]]]  # events in seq order
    related: list[dict[str, Any]]


@pytest.fixture(scope="module", params=[Scale.TINY, Scale.DEMO], ids=["tiny", "demo"])
def seed(request: pytest.FixtureRequest) -> Seed:
    """The tiny or the demo scale's cases as `gridgraph seed` generates them."""
    generator = Generator(scale_spec(request.param), DEFAULT_SEED, PersonalDataKey(bytes(32)))
    found = Seed({}, defaultdict(list), [])
    for chunk, _ in generator.chunks():
        found.cases.update((case["code"], case) for case in chunk.cases)
        for event in chunk.case_events:
            found.timelines[event["caseCode"]].append(event)
        found.related += chunk.related_cases
    for timeline in found.timelines.values():
        timeline.sort(key=lambda event: event["seq"])
    return found


def _follows(timeline: list[dict[str, Any]], index: int) -> bool:
    """True when the event is the second one of its mutation (recordFollowUp's close/reopen)."""
    event, before = timeline[index], timeline[index - 1] if index else None
    return (
        before is not None
        and before["action"] == A.FOLLOW_UP
        and event["action"] in (A.CLOSE, A.REOPEN)
        and event["at"] == before["at"]
    )


def test_seeded_events_have_the_shape_status_and_level_the_mutations_write(seed: Seed) -> None:
    # given every seeded timeline
    assert len(seed.timelines) == len(seed.cases) > 0
    shape = set(EventRecord("x", 1, MONDAY, A.REPORT, S.REPORTED, L.GRID, "", "", "").row())
    for code, timeline in seed.timelines.items():
        position = Position()
        for seq, event in enumerate(timeline, start=1):
            # then each event has APPLY's properties, numbered as APPLY numbers them
            assert set(event) - {"caseCode"} == shape, code
            assert (event["seq"], event["id"]) == (seq, f"{code}-{seq:02d}")
            # and the status and level the state machine and level_after give
            level = level_after(A(event["action"]), position.level)
            position = position.after(A(event["action"]))
            assert position.level is level
            assert (event["status"], event["level"]) == (position.status, level.value), code
            outcome = event["outcome"]
            assert (outcome is not None) == (event["action"] == A.RECORD_OUTCOME), code
            assert outcome is None or outcome in set(MediationOutcome)
        assert position.status == S(seed.cases[code]["status"]), code
        assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline), code
        # and the case is held where its timeline left it (a work order: by its department)
        case = seed.cases[code]
        assert case["currentLevel"] == position.level.value, code
        if position.level is L.DEPARTMENT:
            assert re.fullmatch(case["gridCode"][:6] + r"[DL]\d{2}", case["assignee"]), code
        else:
            assert case["assignee"] == holder_of(position.level, case["gridCode"]), code


def test_seeds_send_most_cases_for_the_district_by_grid_call(seed: Seed) -> None:
    # given the seeded cases that reached the district hotline centre
    routes = [
        [e["action"] for e in timeline]
        for timeline in seed.timelines.values()
        if any(e["level"] == L.DISTRICT for e in timeline)
    ]
    direct = sum(A.GRID_CALL in actions for actions in routes)
    # then most went straight from the grid (网格呼叫), some climbed level by level
    assert routes and direct >= 0.6 * len(routes)
    assert len(routes) < 30 or direct < len(routes)
    for actions in routes:
        assert not (A.GRID_CALL in actions and A.ESCALATE in actions)


def test_seeded_follow_ups_close_when_satisfied_and_reopen_otherwise(seed: Seed) -> None:
    reopened = 0
    for code, timeline in seed.timelines.items():
        actions = [event["action"] for event in timeline]
        reopened += A.REOPEN in actions
        for index, event in enumerate(timeline):
            if event["action"] != A.FOLLOW_UP:
                continue
            # then recordFollowUp's second event comes with every follow-up, at the same time
            assert index + 1 < len(timeline) and _follows(timeline, index + 1), code
            assert timeline[index + 1]["actorId"] == event["actorId"]
        follow_ups = [i for i, action in enumerate(actions) if action == A.FOLLOW_UP]
        if follow_ups:
            # and the last follow-up's satisfaction (the case's) decided close or reopen
            satisfied = seed.cases[code]["satisfaction"] >= RULES.satisfied_at_least
            closing = timeline[follow_ups[-1] + 1]["action"]
            assert closing == (A.CLOSE if satisfied else A.REOPEN), code
    # and reopened cases stay a small share (about 3% of a large seed)
    assert 0 < reopened <= 0.08 * len(seed.cases)


def test_seeded_related_cases_are_linked_as_link_related_cases_links_them(seed: Seed) -> None:
    assert seed.related
    for pair in seed.related:
        later, earlier = seed.cases[pair["fromCode"]], seed.cases[pair["toCode"]]
        # then RELATED_TO goes from the later case to the earlier, with a reason the API knows
        assert later["reportedAt"] >= earlier["reportedAt"]
        assert pair["reason"] in set(RelatedReason)
        # and both timelines have a link event, at the same moment
        links = [
            {e["at"] for e in seed.timelines[case["code"]] if e["action"] == A.LINK}
            for case in (later, earlier)
        ]
        assert links[0] & links[1], pair


def test_seeded_versions_and_deadlines_are_what_the_mutations_leave(seed: Seed) -> None:
    for code, timeline in seed.timelines.items():
        case = seed.cases[code]
        deadline: Deadline | None = None
        work_order_due: datetime | None = None
        outcome = None
        for event in timeline:
            action, at = A(event["action"]), event["at"]
            if action is A.DISPATCH:  # the mutation's default deadline
                work_order_due = add_working_days(at, RULES.on_site_days(case["kind"]))
            elif action is A.RETURN:
                work_order_due = None
            elif action is A.REQUEST_EXTENSION:  # the stored deadline is the extended one
                assert work_order_due is not None and case["workOrderDueAt"] > work_order_due
                work_order_due = case["workOrderDueAt"]
            deadline = deadline_after(action, at, case["kind"], RULES, deadline, work_order_due)
            outcome = event["outcome"] or outcome
        # then version counts mutations: a follow-up and its close or reopen are one
        mutations = sum(not _follows(timeline, i) for i in range(len(timeline)))
        assert case["version"] == mutations, code
        # and the deadline, the work order's deadline and the outcome are APPLY's
        assert case["dueAt"] == (deadline.due_at if deadline else None), code
        assert case["dueFor"] == (deadline.duty.value if deadline else None), code
        assert case["workOrderDueAt"] == work_order_due, code
        assert case["mediationOutcome"] == outcome, code
        # and every open case waits for something (so overdueCases finds the late ones)
        assert (deadline is not None) == (S(case["status"]) in OPEN_STATUSES), code
