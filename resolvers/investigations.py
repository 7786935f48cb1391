"""Resolvers for investigators: validation of bounds, one Cypher round trip per field.

Row scope: a scoped principal gets the scoped Cypher of graph/investigations.py with its
place codes as `$scope`; a start node outside the scope is NOT_FOUND exactly like an unknown
one, so the answer does not tell whether it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graph import investigations as cypher
from graph.case_workflow import OPEN_STATUSES, CaseStatus
from graph.cases import CaseLevel
from graph.investigations import CentreKind, ConnectionType
from graph.traversal import Row, scope_params
from resolvers import cpu_pool
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, NotFound
from resolvers.time_range import checked_date

MAX_CONFLICTS = 200
MAX_WINDOW_DAYS = 3660
MAX_PATHS = 50


def check_range(value: int, low: int, high: int, argument: str) -> int:
    """`value` when low <= value <= high, else BAD_USER_INPUT naming the argument."""
    if not low <= value <= high:
        raise BadUserInput(f"{argument} must be between {low} and {high}", argument=argument)
    return value


def _plain(value: Any) -> Any:
    """JSON-ready: temporal values as ISO strings, inside lists and maps too."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    return value


@dataclass(frozen=True)
class GraphNode:
    """A node of a drawn graph: its label, natural key, readable properties."""

    element: str
    type: str
    key: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class GraphEdge:
    """An edge of a drawn graph, between two nodes' natural keys."""

    id: str
    type: str
    source: GraphNode
    target: GraphNode
    properties: dict[str, Any]


@dataclass(frozen=True)
class Subgraph:
    """Nodes and edges, and whether a bound cut them."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = False


def _node_properties(node: Row, exact_birth: bool) -> dict[str, Any]:
    """A node's readable properties; a person's birth date only as a year unless exact."""
    properties = dict(node["properties"])
    if node["type"] == "Person":
        born = properties.pop("birthDate", None)
        properties["birthYear"] = None if born is None else born.year
        if exact_birth:
            properties["birthDate"] = born
    readable: dict[str, Any] = _plain(properties)
    return readable


def _edge_properties(edge: Row, exact_birth: bool) -> dict[str, Any]:
    """An edge's properties; RESIDES_IN.since (a child's: its birth) as a year unless exact."""
    properties = dict(edge["properties"])
    if edge["type"] == ConnectionType.RESIDES_IN.value and not exact_birth:
        since = properties.pop("since", None)
        properties["sinceYear"] = None if since is None else since.year
    readable: dict[str, Any] = _plain(properties)
    return readable


def _subgraph(
    nodes: list[Row], edges: list[Row], exact_birth: bool, truncated: bool = False
) -> Subgraph:
    """Nodes by natural key and the edges between them; `exact_birth`: see birth dates."""
    by_element = {
        row["element"]: GraphNode(
            row["element"],
            row["node"]["type"],
            str(row["node"]["key"]),
            _node_properties(row["node"], exact_birth),
        )
        for row in nodes
        if row["node"] is not None
    }
    return Subgraph(
        list(by_element.values()),
        [
            GraphEdge(
                edge["id"],
                edge["type"],
                by_element[edge["source"]],
                by_element[edge["target"]],
                _edge_properties(edge, exact_birth),
            )
            for edge in edges
            if edge["source"] in by_element and edge["target"] in by_element
        ],
        truncated,
    )


def _exact_birth(context: RequestContext) -> bool:
    """True when the principal sees clear ID-card numbers, and so exact birth dates too."""
    return context.principal.sees_clear_personal_data


async def dispute_network(
    context: RequestContext,
    kind: CentreKind,
    key: str,
    hops: int,
    since: date | None,
    until: date | None,
    categories: list[str] | None,
    max_nodes: int,
) -> Subgraph:
    """The bounded dispute network around a person or case; NOT_FOUND when there is none."""
    row = await dispute_network_row(context, kind, key, hops, since, until, categories, max_nodes)
    return network_of(row, _exact_birth(context))


def network_of(row: Row, exact_birth: bool) -> Subgraph:
    """The Subgraph of a `dispute_network_row` (plain data: it may be built in a worker)."""
    return _subgraph(row["nodes"], row["edges"], exact_birth, bool(row["truncated"]))


async def dispute_network_row(
    context: RequestContext,
    kind: CentreKind,
    key: str,
    hops: int,
    since: date | None,
    until: date | None,
    categories: list[str] | None,
    max_nodes: int,
) -> Row:
    """The one row (nodes, edges, truncated) of the bounded network; NOT_FOUND if none."""
    check_range(hops, 1, cypher.MAX_HOPS, "hops")
    check_range(max_nodes, 1, cypher.MAX_NODES, "maxNodes")
    since, until = checked_date(since, "since"), checked_date(until, "until")
    if since and until and since > until:
        raise BadUserInput("since must not be after until", argument="since")
    scope = context.principal.scope_codes
    params = {
        "key": key,
        "limit": max_nodes,
        "since": since,
        "until": until,
        "categories": categories,
        **scope_params(scope),
    }
    async with cpu_pool.pool().heavy_read():  # a bulkhead: see resolvers/cpu_pool.py
        rows = await context.graph.read(cypher.network_query(kind, hops, scope is not None), params)
    if not rows:
        raise NotFound(f"no {kind.value} {key}", key=key)
    [row] = rows
    return row


async def related_cases_of(context: RequestContext, code: str, window_days: int) -> list[Row]:
    """Cases related to `code` within the window, each as {case, reasons}."""
    check_range(window_days, 0, MAX_WINDOW_DAYS, "windowDays")
    scope = context.principal.scope_codes
    query = cypher.RELATED_CASES_OF if scope is None else cypher.RELATED_CASES_OF_SCOPED
    rows = await context.graph.read(
        query, {"code": code, "windowDays": window_days, **scope_params(scope)}
    )
    if not rows:
        raise NotFound(f"no case {code}", key=code)
    related: list[Row] = rows[0]["related"]
    return related


async def conflicts_of_interest(
    context: RequestContext, place: str | None, first: int
) -> list[Row]:
    """Handlers who are parties, or family of parties, to what they handle (rows)."""
    check_range(first, 1, MAX_CONFLICTS, "first")
    scope = context.principal.scope_codes
    query = cypher.CONFLICTS_OF_INTEREST if scope is None else cypher.CONFLICTS_OF_INTEREST_SCOPED
    return await context.graph.read(query, {"place": place, "first": first, **scope_params(scope)})


@dataclass(frozen=True)
class LevelStay:
    """Time a case spent at one level: from entering it to leaving, resolution or now."""

    level: CaseLevel
    place_code: str | None
    place_name: str | None
    entered_at: datetime
    left_at: datetime | None
    seconds: float
    current: bool


_PLACE_OF_LEVEL = {
    CaseLevel.GRID: "grid",
    CaseLevel.COMMUNITY: "community",
    CaseLevel.STREET: "street",
    CaseLevel.DISTRICT: "district",
}


async def escalation_path(
    context: RequestContext, code: str, now: datetime | None = None
) -> tuple[Row, list[LevelStay]]:
    """The case and its levels in order, each with the time spent there."""
    scope = context.principal.scope_codes
    query = cypher.ESCALATION_PATH if scope is None else cypher.ESCALATION_PATH_SCOPED
    rows = await context.graph.read(query, {"code": code, **scope_params(scope)})
    if not rows:
        raise NotFound(f"no case {code}", key=code)
    [row] = rows
    ended = _end_of_handling(row)
    end_of_case: datetime = ended or now or datetime.now(UTC)
    departments = {
        e["level"]: e for e in row["escalations"] if e["level"] == CaseLevel.DEPARTMENT.value
    }
    # A case starts at the level it was filed at: its grid, or the district hotline centre.
    filed = row["events"][0].get("level") if row["events"] else None
    first = CaseLevel(filed) if filed else CaseLevel.GRID
    visits: list[tuple[CaseLevel, datetime]] = [(first, row["reportedAt"])]
    for event in row["events"]:
        level = event.get("level")
        if ended is not None and event["at"] > ended:
            break
        if level and CaseLevel(level) != visits[-1][0]:
            visits.append((CaseLevel(level), max(event["at"], visits[-1][1])))
    stays = []
    for index, (level, entered) in enumerate(visits):
        last = index == len(visits) - 1
        left = max(end_of_case, entered) if last else visits[index + 1][1]
        if level == CaseLevel.DEPARTMENT:
            target = departments.get(level.value, {})
            place_code, place_name = target.get("code"), target.get("name")
        else:
            place = row["places"][_PLACE_OF_LEVEL[level]]
            place_code, place_name = place["code"], place["name"]
        stays.append(
            LevelStay(
                level,
                place_code,
                place_name,
                entered,
                None if last and ended is None else left,
                max(0.0, (left - entered).total_seconds()),
                last and ended is None,
            )
        )
    return row, stays


def _is_open(status: str) -> bool:
    """True for every status but resolved and closed (graph/case_workflow.py OPEN_STATUSES)."""
    return CaseStatus(status) in OPEN_STATUSES


def _end_of_handling(row: Row) -> datetime | None:
    """When the case was resolved or closed and not reopened since; None while it is open."""
    if _is_open(row["status"]):
        return None
    ended: datetime | None = None
    for event in row["events"]:
        status = event.get("status")
        if status is None:
            continue
        if _is_open(status):
            ended = None
        elif ended is None:
            ended = event["at"]
    # imported cases without a timeline: closedAt, else (resolved) nothing better than report
    result: datetime = ended or row["closedAt"] or row["reportedAt"]
    return result


async def connections(
    context: RequestContext,
    ends: tuple[tuple[CentreKind, str], tuple[CentreKind, str]],
    max_hops: int,
    via: list[ConnectionType],
) -> list[Subgraph]:
    """All shortest paths (first is a shortest path) between two entities, as subgraphs."""
    check_range(max_hops, 1, cypher.MAX_CONNECTION_HOPS, "maxHops")
    (from_kind, from_key), (to_kind, to_key) = ends
    if (from_kind, from_key) == (to_kind, to_key):
        raise BadUserInput("from and to are the same entity", argument="to")
    scope = context.principal.scope_codes
    query = cypher.connections_query(from_kind, to_kind, via, max_hops, scope is not None)
    rows = await context.graph.read(
        query, {"fromKey": from_key, "toKey": to_key, "limit": MAX_PATHS, **scope_params(scope)}
    )
    if not rows:
        raise NotFound("from or to names nothing", argument="from")
    exact_birth = _exact_birth(context)
    return [
        _subgraph(row["nodes"], row["edges"], exact_birth)
        for row in rows
        if row["nodes"] and all(n["node"] is not None for n in row["nodes"])
    ]
