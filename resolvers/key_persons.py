"""Key persons (重点人员) over GraphQL: who may (as for residents: resolvers/residents.py), the
argument checks, and the graph's refusals as client errors (graph/key_person_commands.py)."""

from __future__ import annotations

from datetime import date

from graph import key_person_commands
from graph.key_person_commands import MeasureChange
from graph.key_persons import key_person_rules
from resolvers.case_mutations import claim_for
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.residents import (
    MAX_REASON,
    bounded,
    checked_version,
    editor_of,
    resident_errors,
)

MAX_DUTY = 100


def checked_kind(kind: str) -> str:
    """A measure kind of policy.toml (帮扶 help, 教育 education, 稳控 stability_control)."""
    kinds = [code for code, _ in key_person_rules().measure_kinds]
    if kind not in kinds:
        message = f"unknown measure kind {kind[:30]!r}; expected one of {', '.join(kinds)}"
        raise BadUserInput(message, argument="kind")
    return kind


async def assign_responsible(
    context: RequestContext,
    person: str,
    responsible: str,
    duty: str | None,
    release: bool,
    expected_version: int | None,
    idempotency_key: str | None,
) -> MeasureChange:
    """Assign or release a key person's responsible person."""
    editor = editor_of(context.principal)
    what = bounded(duty, "duty", MAX_DUTY)
    expected = checked_version(expected_version)
    arguments = {"person": person, "responsible": responsible, "duty": what}
    arguments |= {"release": str(release), "expectedVersion": str(expected)}
    claim = claim_for(context.principal, "assign_responsible", idempotency_key, arguments)
    with resident_errors():
        return await key_person_commands.assign_responsible(
            context.graph, person, responsible, what, release, editor, expected, claim
        )


async def add_measure(
    context: RequestContext,
    person: str,
    kind: str,
    description: str,
    due_on: date | None,
    assignee: str | None,
    idempotency_key: str | None,
) -> MeasureChange:
    """Add a measure for a key person."""
    editor = editor_of(context.principal)
    checked_kind(kind)
    text = bounded(description, "description", MAX_REASON, required=True) or ""
    if due_on is not None and due_on < editor.at.date():
        raise BadUserInput("dueOn must not be in the past", argument="dueOn")
    arguments = {"person": person, "kind": kind, "description": text}
    arguments |= {"dueOn": str(due_on), "assignee": str(assignee)}
    claim = claim_for(context.principal, "add_key_person_measure", idempotency_key, arguments)
    with resident_errors():
        return await key_person_commands.add_measure(
            context.graph, person, kind, text, due_on, assignee, editor, claim
        )


async def follow_up(
    context: RequestContext,
    measure: str,
    note: str,
    done: bool,
    expected_version: int | None,
    idempotency_key: str | None,
) -> MeasureChange:
    """Record a follow-up of a measure (done closes it)."""
    editor = editor_of(context.principal)
    text = bounded(note, "note", MAX_REASON, required=True) or ""
    expected = checked_version(expected_version)
    arguments = {"measure": measure, "note": text, "done": str(done)}
    arguments["expectedVersion"] = str(expected)
    claim = claim_for(context.principal, "follow_up_measure", idempotency_key, arguments)
    with resident_errors():
        return await key_person_commands.follow_up(
            context.graph, measure, text, done, editor, expected, claim
        )
