"""Patrol and home-visit logs over GraphQL: who may, the argument checks, the hazard filed as a
case, and the scorecard's visit columns (graph/visits.py, graph/visit_commands.py).

A hazard found on a visit becomes a case of kind `hazard` through the same reportCase path
(graph/case_commands.report_case, inside the visit's transaction), filed at the grid level by
the visitor on the `grid_patrol` channel, with no parties: those visited are on the visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph import visit_commands, visits
from graph.case_commands import Actor, CaseReport
from graph.policy import load_policy
from graph.traversal import Scope
from graph.visit_commands import VisitDraft, VisitRecord
from graph.visits import VisitKind
from resolvers import case_mutations
from resolvers.activity_mutations import (
    acting_person,
    activity_errors,
    authorize,
    checked_grid,
    checked_ids,
    checked_moment,
    checked_version,
)
from resolvers.case_mutations import claim_for, text
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.principal import Principal
from resolvers.vocabulary import Vocabulary, checked_code

HAZARD_KIND = "hazard"
HAZARD_CHANNEL = "grid_patrol"
MAX_NOTES = 2000


@dataclass(frozen=True)
class HazardDraft:
    """The hazard a visit found, as the client gave it."""

    category: str
    severity: str
    title: str
    description: str | None = None
    ten_no_item: str | None = None


@dataclass(frozen=True)
class VisitArguments:
    """recordVisit's arguments."""

    grid: str
    kind: VisitKind
    duration_minutes: int
    at: datetime | None = None
    visitor: str | None = None
    building: str | None = None
    visited: tuple[str, ...] = ()
    notes: str | None = None
    hazard: HazardDraft | None = None


def _notes(value: str | None) -> str | None:
    value = (value or "").strip() or None
    if value is not None and len(value) > MAX_NOTES:
        raise BadUserInput(f"notes is longer than {MAX_NOTES} characters", argument="notes")
    return value


def _duration(minutes: int) -> int:
    if not 0 < minutes <= visits.MAX_DURATION_MINUTES:
        limit = visits.MAX_DURATION_MINUTES
        raise BadUserInput(f"durationMinutes must be 1 to {limit}", argument="durationMinutes")
    return minutes


def _hazard_report(
    principal: Principal, grid: str, visitor: str, at: datetime, hazard: HazardDraft
) -> CaseReport:
    where = "hazard"
    return CaseReport(
        grid,  # positional: the first field, its grid (named grid_code or place_code)
        kind=HAZARD_KIND,
        category=checked_code(hazard.category, Vocabulary.CASE_CATEGORY, f"{where}.category") or "",
        severity=checked_code(hazard.severity, Vocabulary.SEVERITY, f"{where}.severity") or "",
        channel=HAZARD_CHANNEL,
        title=text(hazard.title, f"{where}.title", required=True) or "",
        description=text(hazard.description, f"{where}.description"),
        ten_no_item=checked_code(hazard.ten_no_item, Vocabulary.TEN_NO_ITEM, f"{where}.tenNoItem"),
        reporter_id=visitor,
        parties=(),
        new_parties=(),
        actor=Actor(principal.person_id, principal.subject),
        at=at,
        note="巡查走访发现隐患",
    )


async def record(context: RequestContext, given: VisitArguments, key: str | None) -> VisitRecord:
    """Record a patrol or home visit (and the hazard it found) in one write transaction."""
    principal = context.principal
    authorize(principal, "visits")
    grid = checked_grid(principal, given.grid)
    at = checked_moment(given.at)
    visitor = acting_person(principal, given.visitor, "visitor")
    visited = checked_ids(list(given.visited), "visited")
    if given.kind is VisitKind.HOME_VISIT and not visited and given.building is None:
        message = "a home visit names the persons visited or the building"
        raise BadUserInput(message, argument="visited")
    draft = VisitDraft(
        grid_code=grid,
        kind=given.kind,
        at=at,
        visitor_id=visitor,
        duration_minutes=_duration(given.duration_minutes),
        notes=_notes(given.notes),
        building_code=given.building,
        visited_ids=visited,
    )
    hazard = None
    if given.hazard is not None:
        hazard = _hazard_report(principal, grid, visitor, at, given.hazard)
    arguments: dict[str, Any] = {
        **vars(given),
        "at": given.at,
        "hazard": vars(given.hazard) if given.hazard else None,
    }
    claim = claim_for(principal, "record_visit", key, arguments)
    rules = load_policy().workflow
    with activity_errors():
        return await visit_commands.record_visit(
            context.graph, draft, hazard, rules, claim, principal.scope_codes
        )


async def correct(
    context: RequestContext,
    visit_id: str,
    notes: str | None,
    duration_minutes: int,
    expected_version: int | None,
    key: str | None,
) -> VisitRecord:
    """Correct a visit's notes and duration (CONFLICT when it changed since expectedVersion).
    A grid worker corrects visits of their own grids; the offices those of their places."""
    principal = context.principal
    authorize(principal, "visits")
    checked = (_notes(notes), _duration(duration_minutes), checked_version(expected_version))
    arguments = {"id": visit_id, "notes": checked[0], "duration": checked[1], "v": checked[2]}
    claim = claim_for(principal, "correct_visit", key, arguments)

    def may_correct(grid: str) -> None:
        checked_grid(principal, grid, "id")

    with activity_errors():
        return await visit_commands.correct_visit(
            context.graph,
            visit_id,
            checked[0],
            checked[1],
            checked[2],
            principal.subject,
            case_mutations.now(),
            claim,
            principal.scope_codes,
            may_correct,
        )


async def scorecard_counts(
    context: RequestContext, prefix: str, start: datetime, before: datetime
) -> dict[str, Any]:
    """The visit columns' counts for the grids under `prefix` in the caller's scope."""
    scope: Scope = context.principal.scope_codes
    return await visits.visit_scorecard(context.graph, prefix, start, before, scope)
