"""Central households' contacts over GraphQL (党员中心户联系群众): who may record them and the
argument checks (graph/party_households.py).

A party member is no principal of their own here: grid workers record the contacts of the
central households of their grids, community and street officers those of their places,
admins any; the member is named. Partners and other roles are FORBIDDEN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph import party_households
from graph.party_households import ContactDraft, ContactKind, ContactRecord
from resolvers.activity_mutations import (
    activity_errors,
    authorize,
    checked_moment,
    checked_text,
)
from resolvers.case_mutations import claim_for
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput

MAX_NOTES = 2000
MAX_ID = 64


@dataclass(frozen=True)
class ContactArguments:
    """recordHouseholdContact's arguments."""

    member: str
    household: str
    kind: ContactKind
    at: datetime | None = None
    notes: str | None = None
    concern: str | None = None


async def record(
    context: RequestContext, given: ContactArguments, key: str | None
) -> ContactRecord:
    """Record a central household's contact with a household (one write transaction)."""
    principal = context.principal
    authorize(principal, "central-household contacts")
    if given.member == given.household:
        raise BadUserInput("a member does not contact their own household", argument="household")
    draft = ContactDraft(
        member_id=checked_text(given.member, "member", MAX_ID, required=True) or "",
        head_id=checked_text(given.household, "household", MAX_ID, required=True) or "",
        kind=given.kind,
        at=checked_moment(given.at),
        notes=checked_text(given.notes, "notes", MAX_NOTES),
        concern=checked_text(given.concern, "concern", MAX_NOTES),
    )
    arguments = {**vars(given), "at": given.at}
    claim = claim_for(principal, "record_household_contact", key, arguments)
    with activity_errors():
        return await party_households.record_contact(
            context.graph, draft, claim, principal.scope_codes
        )
