"""Partners' API keys, stored hashed: only the key's id and a SHA-256 of its secret are kept.

A key reads `ggk_<id>_<secret>`: the id (12 hex digits) finds the record, the secret (32
random bytes, base64url) proves possession. A fast hash suffices because the secret is
random and long (no dictionary to attack); the comparison is constant-time. Keys are
created, listed and revoked by `gridgraph apikey ...`; a revoked key never works again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph.client import GraphClient

PREFIX = "ggk"


@dataclass(frozen=True)
class ApiKeyRecord:
    """What is stored about a key (never the secret itself)."""

    id: str
    name: str
    agreement: str
    created_at: datetime
    revoked_at: datetime | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(presented: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


CREATE_KEY: LiteralString = """
CREATE (k:ApiKey {id: $id, name: $name, agreement: $agreement, secretHash: $secretHash,
                  createdAt: $createdAt})
"""

FIND_KEY: LiteralString = """
MATCH (k:ApiKey {id: $id})
RETURN k.id AS id, k.name AS name, k.agreement AS agreement, k.secretHash AS secretHash,
       k.createdAt AS createdAt, k.revokedAt AS revokedAt
"""

LIST_KEYS: LiteralString = """
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.agreement AS agreement,
       k.createdAt AS createdAt, k.revokedAt AS revokedAt
ORDER BY k.createdAt, k.id
"""

REVOKE_KEY: LiteralString = """
MATCH (k:ApiKey {id: $id})
SET k.revokedAt = coalesce(k.revokedAt, $at)
RETURN k.id AS id
"""


def _record(row: dict[str, Any]) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row["id"],
        name=row["name"],
        agreement=row["agreement"],
        created_at=row["createdAt"],
        revoked_at=row["revokedAt"],
    )


async def create_api_key(graph: GraphClient, name: str, agreement: str) -> tuple[str, str]:
    """Store a new key for a partner agreement; returns (id, the full key, shown only once)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    await graph.write(
        CREATE_KEY,
        {
            "id": key_id,
            "name": name,
            "agreement": agreement,
            "secretHash": _digest(secret),
            "createdAt": datetime.now(UTC),
        },
    )
    return key_id, f"{PREFIX}_{key_id}_{secret}"


async def list_api_keys(graph: GraphClient) -> list[ApiKeyRecord]:
    """Every key, oldest first, revoked ones included."""
    return [_record(row) for row in await graph.read(LIST_KEYS)]


async def revoke_api_key(graph: GraphClient, key_id: str) -> bool:
    """Revoke a key (idempotent); False when no key has this id."""
    rows = await graph.write(REVOKE_KEY, {"id": key_id, "at": datetime.now(UTC)})
    return bool(rows)


async def verified_api_key(graph: GraphClient, presented: str) -> ApiKeyRecord | None:
    """The record of a presented key when it exists, matches and is not revoked; else None."""
    parts = split_key(presented)
    if parts is None:
        return None
    key_id, secret = parts
    rows = await graph.read(FIND_KEY, {"id": key_id})
    if not rows or not hmac.compare_digest(rows[0]["secretHash"], _digest(secret)):
        return None
    record = _record(rows[0])
    return None if record.revoked_at is not None else record
