"""What the correctness check and the load generator talk to: a running server (its kind
decides the protocol and documents) at a URL, called with fixed headers. Each GridGraph server
(variant: workers, HTTP stack) appears once per principal (bench/principals.py), the
principals of one server sharing its process(es)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.principals import BenchPrincipal, request_headers
from bench.targets import Target


@dataclass(frozen=True)
class Endpoint:
    """One measured target: `name` as reported, `kind` gridgraph | floor | peer."""

    name: str
    kind: str
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    pgid: int | None = None  # the server's process group (its CPU per slice, bench/cpu.py)

    def client(self, concurrency: int = 1, timeout_s: float = 60) -> httpx.AsyncClient:
        """A keep-alive client with one connection per worker, sending the headers."""
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        return httpx.AsyncClient(
            base_url=self.base_url, headers=self.headers, limits=limits, timeout=timeout_s
        )


def endpoints(
    targets: dict[str, Target], principals: tuple[BenchPrincipal, ...], params: dict[str, Any]
) -> dict[str, Endpoint]:
    """GridGraph as each principal first (the baseline leads), then the other servers."""
    found: dict[str, Endpoint] = {}
    for server in (t for t in targets.values() if t.server.kind == "gridgraph"):
        for principal in principals:
            headers = request_headers(principal, params["districts"])
            name = principal.target + server.server.suffix
            found[name] = Endpoint(name, "gridgraph", server.base_url, headers, server.process.pid)
    for name, target in targets.items():
        if target.server.kind != "gridgraph":
            found[name] = Endpoint(
                name, target.server.kind, target.base_url, pgid=target.process.pid
            )
    return found
