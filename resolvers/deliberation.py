"""Grid deliberation sessions over GraphQL (网格议事): who may record them, the argument
checks, and the outcome recorded later with expectedVersion (graph/deliberation.py).

Grid workers record the sessions of their grids, community and street officers those of
their places, admins any; partners and other roles are FORBIDDEN. A grid outside the
caller's scope is NOT_FOUND, as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph import deliberation
from graph.deliberation import DeliberationDraft, DeliberationRecord, DeliberationRole
from resolvers.activity_mutations import (
    MAX_LIST,
    activity_errors,
    authorize,
    checked_grid,
    checked_moment,
    checked_text,
    checked_version,
)
from resolvers.case_mutations import claim_for, now
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput

MAX_TOPIC = 200
MAX_PLACE = 200
MAX_OUTCOME = 4000
MAX_CASES = 20


@dataclass(frozen=True)
class DeliberationArguments:
    """recordDeliberation's arguments."""

    grid: str
    topic: str
    place: str
    participants: tuple[tuple[str, DeliberationRole], ...]
    at: datetime | None = None
    outcome: str | None = None
    follow_up_cases: tuple[str, ...] = ()


def _cases(codes: tuple[str, ...]) -> tuple[str, ...]:
    once = tuple(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if len(once) > MAX_CASES:
        raise BadUserInput(f"at most {MAX_CASES} follow-up cases", argument="followUpCases")
    return once


def _participants(
    given: tuple[tuple[str, DeliberationRole], ...],
) -> tuple[tuple[str, DeliberationRole], ...]:
    if not 0 < len(given) <= MAX_LIST:
        raise BadUserInput(f"name 1 to {MAX_LIST} participants", argument="participants")
    ids = [person for person, _ in given]
    if len(set(ids)) != len(ids):
        raise BadUserInput("a participant is named twice", argument="participants")
    return given


async def record(
    context: RequestContext, given: DeliberationArguments, key: str | None
) -> DeliberationRecord:
    """Record a deliberation session (one write transaction)."""
    principal = context.principal
    authorize(principal, "deliberation sessions")
    draft = DeliberationDraft(
        grid_code=checked_grid(principal, given.grid),
        topic=checked_text(given.topic, "topic", MAX_TOPIC, required=True) or "",
        place=checked_text(given.place, "place", MAX_PLACE, required=True) or "",
        at=checked_moment(given.at),
        participants=_participants(given.participants),
        outcome=checked_text(given.outcome, "outcome", MAX_OUTCOME),
        case_codes=_cases(given.follow_up_cases),
    )
    arguments = {**vars(given), "at": given.at}
    claim = claim_for(principal, "record_deliberation", key, arguments)
    with activity_errors():
        return await deliberation.record_deliberation(
            context.graph, draft, claim, principal.scope_codes
        )


async def record_outcome(
    context: RequestContext,
    deliberation_id: str,
    outcome: str,
    follow_up_cases: tuple[str, ...],
    expected_version: int | None,
    key: str | None,
) -> DeliberationRecord:
    """Record or revise a session's outcome (CONFLICT when it changed since expectedVersion)."""
    principal = context.principal
    authorize(principal, "deliberation sessions")
    text = checked_text(outcome, "outcome", MAX_OUTCOME, required=True) or ""
    codes = _cases(follow_up_cases)
    version = checked_version(expected_version)
    arguments = {"id": deliberation_id, "outcome": text, "cases": codes, "v": version}
    claim = claim_for(principal, "record_deliberation_outcome", key, arguments)
    with activity_errors():
        return await deliberation.record_outcome(
            context.graph,
            deliberation_id,
            text,
            codes,
            version,
            principal.subject,
            now(),
            claim,
            principal.scope_codes,
        )
