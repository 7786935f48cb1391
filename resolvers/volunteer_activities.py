"""Volunteer activities over GraphQL: who may record them, the argument checks and the credit
points granted by policy.toml's rule (graph/volunteer_activities.py).

A team's code is 'VT' + its grid's code, so the grid is known before the transaction: grid
workers record for the team of their grid, community and street officers for the teams of
their places, admins for any; partners and other roles are FORBIDDEN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from graph import volunteer_activities
from graph.volunteer_activities import ActivityDraft, ActivityRecord, load_credit_rules
from resolvers.activity_mutations import (
    MAX_LIST,
    activity_errors,
    authorize,
    checked_grid,
    checked_moment,
)
from resolvers.case_mutations import claim_for, text
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput

TEAM_CODE = re.compile(r"VT(\d{15})")


@dataclass(frozen=True)
class ActivityArguments:
    """recordVolunteerActivity's arguments."""

    team: str
    kind: str
    title: str
    participants: tuple[tuple[str, float], ...]
    at: datetime | None = None


def _participants(given: tuple[tuple[str, float], ...], max_hours: float) -> None:
    if not 0 < len(given) <= MAX_LIST:
        message = f"name 1 to {MAX_LIST} participants"
        raise BadUserInput(message, argument="participants")
    ids = [person for person, _ in given]
    if len(set(ids)) != len(ids):
        raise BadUserInput("a participant is named twice", argument="participants")
    if not all(0 < hours <= max_hours for _, hours in given):
        message = f"each participant's hours are more than 0 and at most {max_hours:g}"
        raise BadUserInput(message, argument="participants")


async def record(
    context: RequestContext, given: ActivityArguments, key: str | None
) -> ActivityRecord:
    """Record a team's activity and credit its participants (one write transaction)."""
    principal = context.principal
    authorize(principal, "volunteer activities")
    match = TEAM_CODE.fullmatch(given.team)
    if match is None:
        raise BadUserInput(f"{given.team[:40]!r} is not a team code (VT + grid)", argument="team")
    checked_grid(principal, match[1], "team")
    rules = load_credit_rules()
    kind = rules.kind(given.kind)
    if kind is None:
        known = ", ".join(k.code for k in rules.kinds)
        raise BadUserInput(f"unknown activity kind {given.kind!r}; known: {known}", argument="kind")
    _participants(given.participants, rules.max_hours)
    draft = ActivityDraft(
        team_code=given.team,
        kind=kind,
        title=text(given.title, "title", required=True) or "",
        at=checked_moment(given.at),
        participants=given.participants,
    )
    arguments = {**vars(given), "at": given.at}
    claim = claim_for(principal, "record_volunteer_activity", key, arguments)
    with activity_errors():
        return await volunteer_activities.record_activity(
            context.graph, draft, rules, claim, principal.scope_codes
        )
