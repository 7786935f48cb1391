"""Resolvers of persons that need more than a key: lookup by ID-card number (身份证号)."""

from __future__ import annotations

from graph import persons
from graph.personal_data import id_card_hash, id_card_problem
from graph.traversal import Row
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, NotFound


async def person_by_id_card(context: RequestContext, id_card: str) -> Row:
    """The person with this ID-card number, found by its blind index; the number is not kept.

    BAD_USER_INPUT (with the reason) for a malformed number, NOT_FOUND when nobody has it or,
    for a scoped principal, when its holder is outside the scope (the same error, so the
    answer does not tell whether the number exists). Neither error repeats the number.
    """
    problem = id_card_problem(id_card)
    if problem is not None:
        raise BadUserInput(f"the ID-card number {problem}", argument="idCard")
    digest = id_card_hash(context.personal_data_key, id_card)
    found = await persons.person_ids_by_id_card_hash(
        context.graph, [digest], context.principal.scope_codes
    )
    row = await context.loaders.node(persons.PERSON, found[digest]) if digest in found else None
    if row is None:
        raise NotFound("no person has this ID-card number", argument="idCard")
    return row
