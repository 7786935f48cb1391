"""The monthly six-element upkeep over GraphQL: who may (as for residents: grid workers in their
grids, officers in their places, admins), the checks, and the stale-grid count of scorecards
(graph/grid_elements.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from graph import grid_elements
from graph.china_time import CHINA_TIME
from graph.grid_elements import Element, ElementUpkeep, UpkeepRecord, month_before
from resolvers.case_mutations import claim_for, now
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.residents import MAX_REASON, bounded, checked_grid, editor_of, resident_errors


async def update(
    context: RequestContext,
    grid: str,
    elements: Sequence[Element],
    note: str | None,
    idempotency_key: str | None,
) -> UpkeepRecord:
    """Record that these elements of the grid were collected and updated (one transaction)."""
    editor = editor_of(context.principal)
    checked_grid(grid, None)
    if not elements:
        raise BadUserInput("name at least one element", argument="elements")
    chosen = sorted(set(elements), key=list(Element).index)
    remark = bounded(note, "note", MAX_REASON)
    arguments = {"grid": grid, "elements": [e.value for e in chosen], "note": remark}
    claim = claim_for(context.principal, "update_grid_elements", idempotency_key, arguments)
    with resident_errors():
        return await grid_elements.record_update(context.graph, grid, chosen, remark, editor, claim)


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), CHINA_TIME)


async def upkeep(context: RequestContext, place: str, period_end: date) -> ElementUpkeep:
    """Grids of the place whose elements were not all updated in the month before the
    period's end (or today, when the period has not ended)."""
    as_of = min(period_end, now().date() + timedelta(days=1))
    cutoff = month_before(as_of)
    scope = context.principal.scope_codes
    return await grid_elements.stale_grids(
        context.graph, place, _start(as_of), _start(cutoff), scope
    )
