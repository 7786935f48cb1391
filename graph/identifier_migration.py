"""Rewrite `v1:` identifier ciphertexts (bound to their kind) as `v2:` (bound to the person too).

Idempotent: only persons holding a `v1:` value are read, in keyset pages over the Person.id
uniqueness index, and each value is replaced only if it is still the one read (a concurrent
write wins). A second run finds nothing. `gridgraph migrate` and `gridgraph serve` run it;
until it has run, `PersonalDataKey.decrypt` still reads `v1:` values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, LiteralString

from cryptography.exceptions import InvalidTag

from graph.client import GraphClient
from graph.personal_data import LEGACY_CIPHER_PREFIX, Identifier, PersonalDataKey

MIGRATION_BATCH = 2000

# Persons after $after (id order) still holding a v1 ciphertext, one page.
LEGACY_CIPHERTEXTS: LiteralString = """
MATCH (p:Person)
WHERE p.id > $after
  AND (p.idCardCipher STARTS WITH $legacy OR p.phoneCipher STARTS WITH $legacy)
WITH p ORDER BY p.id
LIMIT $batch
RETURN p.id AS id, p.idCardCipher AS idCard, p.phoneCipher AS phone
"""

# Compare-and-set: a value changed since it was read is left alone.
REPLACE_CIPHERTEXTS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.idCardCipher = CASE WHEN p.idCardCipher = row.oldIdCard
                          THEN row.idCard ELSE p.idCardCipher END,
    p.phoneCipher = CASE WHEN p.phoneCipher = row.oldPhone
                         THEN row.phone ELSE p.phoneCipher END
"""

_PROPERTIES = {Identifier.ID_CARD: "idCard", Identifier.PHONE: "phone"}


@dataclass
class BindingReport:
    """What the migration did: persons rewritten, and those whose v1 value does not open."""

    rewritten: int = 0
    unreadable: list[str] = field(default_factory=list)  # person ids, values left as found


def _rebound(key: PersonalDataKey, row: dict[str, Any], report: BindingReport) -> dict[str, Any]:
    """The row's v1 values decrypted and encrypted again as v2, bound to the person's id."""
    person = row["id"]
    rewritten: dict[str, Any] = {"id": person}
    for kind, name in _PROPERTIES.items():
        token = row[name]
        rewritten["old" + name[0].upper() + name[1:]] = token
        if isinstance(token, str) and token.startswith(LEGACY_CIPHER_PREFIX):
            try:
                token = key.encrypt(kind, key.decrypt(kind, token, person), person)
            except (InvalidTag, ValueError):  # altered, moved, or another key: left as found
                report.unreadable.append(person)
        rewritten[name] = token
    return rewritten


async def bind_identifiers_to_persons(
    graph: GraphClient, key: PersonalDataKey, batch: int = MIGRATION_BATCH
) -> BindingReport:
    """Rewrite every v1 identifier ciphertext as v2, bound to its person's id."""
    after, report = "", BindingReport()
    while True:
        params = {"after": after, "legacy": LEGACY_CIPHER_PREFIX, "batch": batch}
        rows = await graph.read(LEGACY_CIPHERTEXTS, params)
        if not rows:
            return report
        await graph.write(
            REPLACE_CIPHERTEXTS, {"rows": [_rebound(key, row, report) for row in rows]}
        )
        report.rewritten += len(rows)
        after = rows[-1]["id"]
