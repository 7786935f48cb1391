"""Bearer tokens whose signature was verified, remembered until they expire.

A client sends the same token with every request until it expires. Checking its signature,
issuer and audience again each time cost about half a millisecond of the request's CPU (PyJWT:
base64, JSON, HMAC or RSA). The claims of a token that verified are kept under the SHA-256 of
the token (the token itself is not kept) and reused while `exp` is in the future; an expired
one is decoded again, which refuses it with the usual message. What the claims mean (role,
scope, agreement, lifetime) is still worked out on every request (server/auth.py).

Keys are loaded once at start, so a verification cannot go stale while the process runs.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any

MAX_CACHED_TOKENS = 10_000


class VerifiedTokens:
    """The claims of verified tokens, by the SHA-256 of the token, until `exp`."""

    def __init__(
        self, max_tokens: int = MAX_CACHED_TOKENS, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_tokens = max_tokens
        self.clock = clock
        self._claims: dict[str, Mapping[str, Any]] = {}

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def claims(self, token: str) -> Mapping[str, Any] | None:
        """The claims `token` verified with, while it has not expired; else None."""
        key = self._key(token)
        found = self._claims.get(key)
        if found is None:
            return None
        if not float(found["exp"]) > self.clock():
            del self._claims[key]
            return None
        return found

    def remember(self, token: str, claims: Mapping[str, Any]) -> None:
        """Keep the claims of a token that has just verified (the oldest go beyond the cap)."""
        if len(self._claims) >= self.max_tokens:
            del self._claims[next(iter(self._claims))]
        self._claims[self._key(token)] = claims
