"""The workflow table is the only way a timeline moves."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from graph.case_workflow import (
    OPEN_STATUSES,
    TRANSITIONS,
    CaseAction,
    CaseStatus,
    Timeline,
    allowed_actions,
    next_status,
)

T0 = datetime(2024, 5, 1, 9, 0)


def test_every_status_and_action_is_used_by_the_table() -> None:
    assert {after for after in TRANSITIONS.values()} == set(CaseStatus)
    assert {action for _, action in TRANSITIONS} == set(CaseAction)


def test_a_case_starts_only_by_being_reported() -> None:
    assert allowed_actions(None) == [CaseAction.REPORT]
    with pytest.raises(ValueError, match="not allowed"):
        next_status(None, CaseAction.ACCEPT)


def test_a_closed_case_can_only_be_reopened_or_linked() -> None:
    assert allowed_actions(CaseStatus.CLOSED) == [CaseAction.REOPEN, CaseAction.LINK]
    assert CaseStatus.CLOSED not in OPEN_STATUSES


def test_a_timeline_records_each_step_and_refuses_a_wrong_one() -> None:
    # given a reported and accepted case
    timeline = Timeline()
    timeline.apply(CaseAction.REPORT, T0, "grid", "登记", "P1")
    timeline.apply(CaseAction.ACCEPT, T0 + timedelta(hours=1), "grid", "受理", "P1")
    # when someone tries to sign a work order that was never dispatched
    with pytest.raises(ValueError):
        timeline.apply(CaseAction.SIGN, T0 + timedelta(hours=2), "department", "签收", "D1")
    # then the timeline is unchanged
    assert [e.action for e in timeline.events] == [CaseAction.REPORT, CaseAction.ACCEPT]
    assert timeline.status is CaseStatus.ACCEPTED
    # and events cannot go back in time
    with pytest.raises(ValueError, match="time order"):
        timeline.apply(CaseAction.RESOLVE, T0, "grid", "办结", "P1")
