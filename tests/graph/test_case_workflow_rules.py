"""The workflow beyond the status table: levels, deadlines, and the seeds' histories."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from graph.case_workflow import (
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
    replay,
)
from graph.cases import CaseLevel
from graph.china_time import CHINA_TIME
from graph.personal_data import PersonalDataKey
from graph.policy import load_policy
from seeds.generator import Generator
from seeds.plan import Scale, scale_spec

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


@pytest.mark.parametrize("scale", [Scale.TINY, Scale.DEMO])
def test_seeded_timelines_replay_through_the_levelled_state_machine(scale: Scale) -> None:
    # given the seed generator's cases and timelines (no database needed)
    generator = Generator(scale_spec(scale), 1, PersonalDataKey(bytes(32)))
    events: dict[str, list[dict[str, object]]] = defaultdict(list)
    statuses: dict[str, object] = {}
    for chunk, _ in generator.chunks():
        for event in chunk.case_events:
            events[str(event["caseCode"])].append(event)
        statuses.update({str(case["code"]): case["status"] for case in chunk.cases})
    assert len(events) == len(statuses) > 0
    # then every timeline replays through the level-aware state machine to the case's status
    for code, timeline in events.items():
        timeline.sort(key=lambda event: int(str(event["seq"])))
        position = replay(CaseAction(str(event["action"])) for event in timeline)
        assert position.status == CaseStatus(str(statuses[code])), code
