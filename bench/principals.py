"""Who GridGraph is measured as, to show what security costs (docs/benchmarks.md):

- `anonymous`: no credentials, the development-mode anonymous developer: unscoped and not
  audited (the baseline, reported as target `gridgraph`);
- `admin`: an admin bearer token: unscoped but audited (one audit record per request);
- `scoped`: an investigator token whose scope is every district of the seed: audited, and
  every Cypher query carries the row-scope predicates, yet every row is visible, so the
  answers must be the same as the baseline's.

Tokens are HS256, signed here with the fixed bench secret the GridGraph process is given
(bench/targets.py sets GRIDGRAPH_JWT_HS256_SECRET; development mode accepts HS256).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

# A throw-away secret for the bench's own GridGraph on loopback, never a deployment's.
BENCH_JWT_SECRET = "gridgraph-bench-hs256-secret-not-for-deployment"  # noqa: S105
JWT_ISSUER = "gridgraph"  # GridGraph's default jwt_issuer and jwt_audience
JWT_AUDIENCE = "gridgraph"
JWT_LIFETIME_S = 24 * 3600  # outlasts a district run (seeding takes minutes)


@dataclass(frozen=True)
class BenchPrincipal:
    """One way of calling GridGraph: the target name it is reported as and its token role."""

    key: str  # what --principals takes
    target: str  # the name in the tables and the JSON
    role: str | None  # the token's role claim; None: no credentials
    scoped: bool  # the token carries the district scope
    summary: str


ANONYMOUS = BenchPrincipal(
    "anonymous", "gridgraph", None, False, "anonymous developer: unscoped, not audited"
)
ADMIN = BenchPrincipal("admin", "gridgraph-admin", "admin", False, "admin token: audited")
SCOPED = BenchPrincipal(
    "scoped",
    "gridgraph-scoped",
    "investigator",
    True,
    "investigator token scoped to the whole district: audited and row-scoped",
)
PRINCIPALS = (ANONYMOUS, ADMIN, SCOPED)
BY_KEY = {principal.key: principal for principal in PRINCIPALS}


def bench_token(role: str, scope: list[str] | None, now: float | None = None) -> str:
    """A bearer token GridGraph accepts in development mode (HS256, the bench secret)."""
    issued = int(time.time() if now is None else now)
    claims: dict[str, object] = {
        "sub": f"bench-{role}",
        "iss": JWT_ISSUER,
        "aud": JWT_AUDIENCE,
        "iat": issued,
        "exp": issued + JWT_LIFETIME_S,
        "role": role,
    }
    if scope is not None:
        claims["scope"] = scope
    return jwt.encode(claims, BENCH_JWT_SECRET, algorithm="HS256")


def request_headers(principal: BenchPrincipal, districts: list[str]) -> dict[str, str]:
    """The headers every request of `principal` carries (none for the anonymous developer)."""
    if principal.role is None:
        return {}
    scope = districts if principal.scoped else None
    return {"Authorization": f"Bearer {bench_token(principal.role, scope)}"}


def parse_principals(text: str) -> tuple[BenchPrincipal, ...]:
    """`anonymous,admin,scoped` -> the principals, in PRINCIPALS order; anonymous is required."""
    keys = {key.strip() for key in text.split(",") if key.strip()}
    unknown = sorted(keys - set(BY_KEY))
    if unknown:
        raise ValueError(f"unknown principals {unknown}; choose from {sorted(BY_KEY)}")
    if ANONYMOUS.key not in keys:
        raise ValueError("'anonymous' is required: it is the baseline of every ratio")
    return tuple(principal for principal in PRINCIPALS if principal.key in keys)
