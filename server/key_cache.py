"""A short-lived cache of API key lookups, so repeated (or repeatedly wrong) keys cost no read.

Found, unknown and revoked keys alike are remembered for `ttl_s` seconds, under the SHA-256
of the presented key (the key itself is not kept). A revoked key therefore stops working
within `ttl_s` seconds of `gridgraph apikey revoke`, and a new key may be refused for as
long if it was presented before it existed. `ttl_s` 0 looks every key up.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from graph.api_keys import ApiKeyRecord, verified_api_key
from graph.client import GraphClient

MAX_CACHED_KEYS = 10_000


@dataclass(frozen=True)
class _Lookup:
    record: ApiKeyRecord | None
    expires: float  # monotonic clock


class ApiKeyCache:
    """verified_api_key, with each answer reused for `ttl_s` seconds."""

    def __init__(
        self,
        ttl_s: float,
        max_keys: int = MAX_CACHED_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self.clock = clock
        self._lookups: dict[str, _Lookup] = {}

    async def verified(self, graph: GraphClient, presented: str) -> ApiKeyRecord | None:
        """The key's record when it exists, matches and is not revoked (maybe cached)."""
        if self.ttl_s <= 0:
            return await verified_api_key(graph, presented)
        digest = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).hexdigest()
        now = self.clock()
        cached = self._lookups.get(digest)
        if cached is not None and now < cached.expires:
            return cached.record
        record = await verified_api_key(graph, presented)
        if len(self._lookups) >= self.max_keys:
            self._forget(now)
        self._lookups[digest] = _Lookup(record, now + self.ttl_s)
        return record

    def _forget(self, now: float) -> None:
        """Drop expired lookups; if still full, the oldest half."""
        self._lookups = {k: v for k, v in self._lookups.items() if now < v.expires}
        if len(self._lookups) >= self.max_keys:
            keep = list(self._lookups.items())[len(self._lookups) // 2 :]
            self._lookups = dict(keep)
