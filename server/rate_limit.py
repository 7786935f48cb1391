"""Per-principal rate limit: an in-memory token bucket per subject.

Each subject's bucket holds at most `burst` tokens and refills at `rate_per_s` tokens per
second; a request takes one token per operation (a batch of 5 takes 5), or is refused
(RATE_LIMITED, HTTP 429) with the seconds until the tokens are back (the Retry-After
header). The caller passes the clock (`time.monotonic()`), so tests use a fake one. The
buckets live in one process: with several workers each enforces the limit on its own.
`take` never awaits, so it is atomic on the event loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Buckets kept before the full ones (equivalent to no bucket at all) are dropped.
MAX_TRACKED_SUBJECTS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float  # the clock reading of the last refill


class RateLimiter:
    """Token buckets keyed by principal subject: `burst` at once, `rate_per_s` sustained."""

    def __init__(
        self, rate_per_s: float, burst: int, max_subjects: int = MAX_TRACKED_SUBJECTS
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("a rate limit needs rate_per_s > 0 and burst >= 1")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.max_subjects = max_subjects
        self._buckets: dict[str, _Bucket] = {}

    def take(self, subject: str, now: float, cost: int = 1) -> float | None:
        """Take `cost` tokens for `subject`: None when allowed, else the seconds to wait.

        A refused take uses no token. A cost above the burst can never pass; its wait is
        the time to refill the whole bucket.
        """
        bucket = self._buckets.get(subject)
        if bucket is None:
            if len(self._buckets) >= self.max_subjects:
                self._forget_full(now)
            bucket = self._buckets[subject] = _Bucket(float(self.burst), now)
        self._refill(bucket, now)
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return None
        return (min(cost, self.burst) - bucket.tokens) / self.rate_per_s

    def wait(self, subject: str, now: float) -> float | None:
        """Without taking anything: None when a token is there for `subject`, else the wait."""
        bucket = self._buckets.get(subject)
        if bucket is None:
            return None
        self._refill(bucket, now)
        return None if bucket.tokens >= 1 else (1 - bucket.tokens) / self.rate_per_s

    def _refill(self, bucket: _Bucket, now: float) -> None:
        elapsed = max(now - bucket.updated, 0.0)  # a clock that went back refills nothing
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate_per_s)
        bucket.updated = max(now, bucket.updated)

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled completely: they hold no state."""
        for subject, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            if bucket.tokens >= self.burst:
                del self._buckets[subject]

    def tracked_subjects(self) -> int:
        """How many subjects have a bucket right now (for tests and metrics)."""
        return len(self._buckets)


def retry_after(wait_s: float) -> str:
    """The Retry-After header value for a wait: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(wait_s)))


def rate_limiter(rate_per_s: float, burst: int) -> RateLimiter | None:
    """The limiter for these settings, or None when the limit is off (rate 0)."""
    return RateLimiter(rate_per_s, burst) if rate_per_s > 0 else None
