"""Prices of the fields whose work does not show in the objects they return (schema/cost.py).

Every price reads the field's coerced arguments (defaults filled in), clamped to the range
the resolvers accept (out of range, the resolvers answer BAD_USER_INPUT without working):

- `nodes(ids:)`: a list of `len(ids)` objects (at most 100, schema/input_bounds.py).
- `disputeNetwork(hops, maxNodes)`: a walk of `hops x maxNodes`; its `nodes` and `edges`
  lists hold `maxNodes` items each.
- `networkAnalysis(hops, maxNodes)`: the same walk plus `10 x maxNodes` for betweenness
  centrality and community detection; its `persons` and `clusters` hold `maxNodes` items.
  So one analysis at the bounds (4 hops, 1,000 nodes) costs about 16,000: three fit in the
  default budget of 50,000, thirty do not.
- `connections(maxHops)`: `100 x maxHops` for the shortest-path search; `allShortest` holds
  50 paths of `maxHops + 1` nodes and `maxHops` edges.
- `relatedCasesOf(windowDays)`: a list of `10 + windowDays / 30` cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.investigations import MAX_CONNECTION_HOPS, MAX_HOPS, MAX_NODES
from resolvers.investigations import MAX_PATHS, MAX_WINDOW_DAYS

Arguments = Mapping[str, Any]

# Work of the network analysis per node it may hold (Brandes betweenness and Louvain).
ANALYSIS_WORK_PER_NODE = 10
# Work of the shortest-path search per hop it may take.
PATH_WORK_PER_HOP = 100
# Related cases: 10, plus one per this many days of the window.
RELATED_DAYS_PER_CASE = 30


def _nothing(_: Arguments) -> int:
    return 0


@dataclass(frozen=True)
class Price:
    """How a field is priced beyond 1 per object returned: its own work, its list's size, and
    the sizes of the lists (by field name) below it."""

    work: Callable[[Arguments], int] = _nothing
    size: Callable[[Arguments], int] | None = None
    below: Callable[[Arguments], Mapping[str, int]] | None = None


def bounded(arguments: Arguments, name: str, low: int, high: int) -> int:
    """An integer argument clamped to [low, high] (anything else counts as `high`)."""
    value = arguments.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        return high
    return max(low, min(high, value))


def _ids(arguments: Arguments) -> int:
    return len(arguments.get("ids") or ())


def _walk(arguments: Arguments) -> int:
    return bounded(arguments, "hops", 1, MAX_HOPS) * bounded(arguments, "maxNodes", 1, MAX_NODES)


def _analysis(arguments: Arguments) -> int:
    return _walk(arguments) + ANALYSIS_WORK_PER_NODE * bounded(arguments, "maxNodes", 1, MAX_NODES)


def _network_lists(arguments: Arguments) -> Mapping[str, int]:
    nodes = bounded(arguments, "maxNodes", 1, MAX_NODES)
    return {"nodes": nodes, "edges": nodes, "persons": nodes, "clusters": nodes}


def _path_search(arguments: Arguments) -> int:
    return PATH_WORK_PER_HOP * bounded(arguments, "maxHops", 1, MAX_CONNECTION_HOPS)


def _path_lists(arguments: Arguments) -> Mapping[str, int]:
    hops = bounded(arguments, "maxHops", 1, MAX_CONNECTION_HOPS)
    return {"allShortest": MAX_PATHS, "nodes": hops + 1, "edges": hops}


def _related(arguments: Arguments) -> int:
    return 10 + bounded(arguments, "windowDays", 0, MAX_WINDOW_DAYS) // RELATED_DAYS_PER_CASE


# Priced fields by (parent type, field); every other field costs what it returns.
PRICES: dict[tuple[str, str], Price] = {
    ("Query", "nodes"): Price(size=_ids),
    ("Query", "disputeNetwork"): Price(work=_walk, below=_network_lists),
    ("Query", "networkAnalysis"): Price(work=_analysis, below=_network_lists),
    ("Query", "connections"): Price(work=_path_search, below=_path_lists),
    ("Query", "relatedCasesOf"): Price(size=_related),
}
