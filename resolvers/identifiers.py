"""ID-card numbers and phones: clear for the roles that may see them, masked for the rest.

The clear value is decrypted here, per request, only when the principal's role may see it
(resolvers/principal.py ROLES_SEEING_CLEAR_PERSONAL_DATA); the ciphertexts of all persons
of a request are read in one batched, scoped query. Every other principal gets the masked
form stored next to the ciphertext, and no ciphertext is ever read for it.
"""

from __future__ import annotations

from graph import persons
from graph.personal_data import Identifier
from resolvers.context import RequestContext

_CIPHER_PROPERTY = {Identifier.ID_CARD: "idCardCipher", Identifier.PHONE: "phoneCipher"}


async def identifier(
    context: RequestContext, person_id: str, kind: Identifier, masked: str | None
) -> str | None:
    """The person's identifier of this kind as the principal may see it (None if unknown)."""
    if masked is None or not context.principal.sees_clear_personal_data:
        return masked
    row = await context.loaders.node(persons.PERSON_IDENTIFIERS, person_id)
    token = row.get(_CIPHER_PROPERTY[kind]) if row else None
    if token is None:
        return masked
    return context.personal_data_key.decrypt(kind, token, person_id)  # bound to this person
