"""Households over GraphQL: who may (as for residents), argument checks, refusals as client
errors (graph/households.py)."""

from __future__ import annotations

from datetime import date

from graph import households
from graph.households import HouseholdChange, HouseholdRelation
from resolvers.case_mutations import claim_for
from resolvers.context import RequestContext
from resolvers.residents import (
    MAX_ADDRESS,
    MAX_REASON,
    bounded,
    checked_day,
    checked_version,
    editor_of,
    resident_errors,
)


async def form(
    context: RequestContext,
    head: str,
    address: str | None,
    since: date | None,
    idempotency_key: str | None,
) -> HouseholdChange:
    """Form a household headed by a resident (one write transaction)."""
    editor = editor_of(context.principal)
    where = bounded(address, "address", MAX_ADDRESS)
    day = checked_day(since, "since")
    arguments = {"head": head, "address": where, "since": day}
    claim = claim_for(context.principal, "form_household", idempotency_key, arguments)
    with resident_errors():
        return await households.form(context.graph, head, where, day, editor, claim)


async def join(
    context: RequestContext,
    household: str,
    person: str,
    relation: HouseholdRelation,
    since: date | None,
    expected_version: int | None,
    idempotency_key: str | None,
) -> HouseholdChange:
    """A resident joins a household as `relation` of its head."""
    editor = editor_of(context.principal)
    day = checked_day(since, "since")
    expected = checked_version(expected_version)
    arguments = {"household": household, "person": person, "relation": relation.value}
    arguments |= {"since": str(day), "expectedVersion": str(expected)}
    claim = claim_for(context.principal, "join_household", idempotency_key, arguments)
    with resident_errors():
        return await households.join(
            context.graph, household, person, relation, day, editor, expected, claim
        )


async def leave(
    context: RequestContext,
    household: str,
    person: str,
    reason: str,
    on: date | None,
    expected_version: int | None,
    idempotency_key: str | None,
) -> HouseholdChange:
    """A member leaves the household (the head last)."""
    editor = editor_of(context.principal)
    why = bounded(reason, "reason", MAX_REASON, required=True) or ""
    day = checked_day(on, "on")
    expected = checked_version(expected_version)
    arguments = {"household": household, "person": person, "reason": why}
    arguments |= {"on": str(day), "expectedVersion": str(expected)}
    claim = claim_for(context.principal, "leave_household", idempotency_key, arguments)
    with resident_errors():
        return await households.leave(
            context.graph, household, person, why, day, editor, expected, claim
        )
