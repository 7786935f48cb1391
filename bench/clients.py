"""Running one operation against one target over HTTP: the request(s), the round trips, the
normalised answer. GridGraph and the peer speak GraphQL; the floor speaks bench/floor_app.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bench.operations import JSON, OPEN_STATUSES, GraphQLCall, Operation
from bench.params import operation_params
from server.round_trips import HEADER

TARGETS = ("gridgraph", "floor", "peer")


class OperationError(RuntimeError):
    """A request failed: HTTP status, GraphQL errors or an unreadable answer."""


@dataclass(frozen=True)
class Outcome:
    """One operation's answer, normalised, and what it cost."""

    result: JSON
    requests: int
    round_trips: int | None  # None when a response did not report them


def _trips(response: httpx.Response) -> int | None:
    value = response.headers.get(HEADER)
    return int(value) if value is not None else None


def _add(total: int | None, trips: int | None) -> int | None:
    return None if total is None or trips is None else total + trips


async def _graphql(
    client: httpx.AsyncClient, call: GraphQLCall, variables: dict[str, Any]
) -> tuple[JSON, int | None]:
    response = await client.post("/graphql", json={"query": call.query, "variables": variables})
    if response.status_code != 200:
        raise OperationError(f"HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    if body.get("errors"):
        raise OperationError(f"GraphQL errors: {body['errors']}")
    return body["data"], _trips(response)


async def run_graphql(
    client: httpx.AsyncClient, kind: str, operation: Operation, params: dict[str, Any]
) -> Outcome:
    call = operation.gridgraph if kind == "gridgraph" else operation.peer
    variables = operation_params(operation.name, params)
    if kind == "peer" and operation.name == "street_open_cases":
        variables["open"] = OPEN_STATUSES
    pages: list[JSON] = []
    trips: int | None = 0
    after: str | None = None
    for _ in range(operation.pages):
        if operation.pages > 1:
            variables["after"] = after
        data, page_trips = await _graphql(client, call, variables)
        trips = _add(trips, page_trips)
        pages.append(call.normalise(data))
        after = call.cursor(data)
        if after is None:
            break
    result = pages if operation.pages > 1 else pages[0]
    return Outcome(result, len(pages), trips)


async def run_floor(
    client: httpx.AsyncClient, operation: Operation, params: dict[str, Any]
) -> Outcome:
    variables = operation_params(operation.name, params)
    pages: list[JSON] = []
    trips: int | None = 0
    after: str | None = None
    for _ in range(operation.pages):
        response = await client.post(
            f"/op/{operation.name}", json={"params": variables, "after": after}
        )
        if response.status_code != 200:
            raise OperationError(f"HTTP {response.status_code}: {response.text[:500]}")
        body = response.json()
        trips = _add(trips, _trips(response))
        pages.append(body["result"])
        after = body["cursor"]
        if after is None:
            break
    result = pages if operation.pages > 1 else pages[0]
    return Outcome(result, len(pages), trips)


async def run_operation(
    client: httpx.AsyncClient, kind: str, operation: Operation, params: dict[str, Any]
) -> Outcome:
    """Run `operation` on a server of `kind` (the client's base URL and headers reach it)."""
    if kind == "floor":
        return await run_floor(client, operation, params)
    return await run_graphql(client, kind, operation, params)
