"""Per-request batching: every relationship level costs one Cypher round trip.

Loaders are created per request (nothing is cached across requests or principals) and
carry the principal's row scope into every query they send (graph/scope.py). A
loader is keyed by what it reads and the arguments that shape the query (page, filters),
so all parents asking the same question in one request share one batched query.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from graph import traversal
from graph.client import GraphClient
from graph.traversal import Hop, Neighbour, NeighbourPage, NodeSpec, Row

Params = tuple[tuple[str, Hashable], ...]


def frozen(params: dict[str, Any] | None) -> Params:
    """Query parameters as a hashable, order-independent key (lists become tuples)."""
    items = []
    for name, value in sorted((params or {}).items()):
        items.append((name, tuple(value) if isinstance(value, list) else value))
    return tuple(items)


def thawed(params: Params) -> dict[str, Any]:
    """Back to query parameters (tuples become lists)."""
    return {name: list(value) if isinstance(value, tuple) else value for name, value in params}


# A page's loader: hop, the sort keys it starts after, limit, total or not, order, params.
PageSlot = tuple[int, tuple[Any, ...] | None, int, bool, str, Params]


@dataclass
class Loaders:
    """The request's loaders, created on first use."""

    graph: GraphClient
    scope: list[str] | None = None  # the principal's place codes; None: unrestricted
    _nodes: dict[NodeSpec, DataLoader[str, Row | None]] = field(default_factory=dict)
    _every: dict[NodeSpec, list[Row]] = field(default_factory=dict)
    _hops: dict[tuple[int, Params], DataLoader[str, list[Neighbour]]] = field(default_factory=dict)
    _pages: dict[PageSlot, DataLoader[str, NeighbourPage]] = field(default_factory=dict)

    def _node_loader(self, spec: NodeSpec) -> DataLoader[str, Row | None]:
        loader = self._nodes.get(spec)
        if loader is None:

            async def load(keys: list[str]) -> list[Row | None]:
                found = await traversal.nodes_by_key(self.graph, spec, keys, self.scope)
                return [found.get(key) for key in keys]

            loader = self._nodes[spec] = DataLoader(load_fn=load)
        return loader

    async def node(self, spec: NodeSpec, key: str) -> Row | None:
        """The node of this label with this key, or None."""
        return await self._node_loader(spec).load(key)

    async def nodes(self, spec: NodeSpec, keys: list[str]) -> list[Row | None]:
        """The nodes of this label with these keys, in order (None where missing): one
        batched query for all of them."""
        return list(await self._node_loader(spec).load_many(keys))

    async def every(self, spec: NodeSpec) -> list[Row]:
        """Every node of a small, bounded label (one query, read once per request)."""
        found = self._every.get(spec)
        if found is None:
            found = self._every[spec] = await traversal.every_node(self.graph, spec, self.scope)
        return found

    async def neighbours(
        self, hop: Hop, key: str, params: dict[str, Any] | None = None
    ) -> list[Neighbour]:
        """All neighbours of the node `key` over `hop`."""
        slot = (id(hop), frozen(params))
        loader = self._hops.get(slot)
        if loader is None:
            values = thawed(slot[1])

            async def load(keys: list[str]) -> list[list[Neighbour]]:
                found = await traversal.neighbours(self.graph, hop, keys, values, self.scope)
                return [found[key] for key in keys]

            loader = self._hops[slot] = DataLoader(load_fn=load)
        return await loader.load(key)

    async def page(
        self,
        hop: Hop,
        key: str,
        after: tuple[Any, ...] | None,
        limit: int,
        with_total: bool,
        params: dict[str, Any] | None = None,
        order: str = "",
    ) -> NeighbourPage:
        """One page of neighbours of the node `key` over `hop`, after the sort keys `after`
        (None: from the start), and their total if asked."""
        slot = (id(hop), after, limit, with_total, order, frozen(params))
        loader = self._pages.get(slot)
        if loader is None:
            values = thawed(slot[5])

            async def load(keys: list[str]) -> list[NeighbourPage]:
                found = await traversal.neighbour_pages(
                    self.graph, hop, keys, after, limit, with_total, values, order, self.scope
                )
                return [found[key] for key in keys]

            loader = self._pages[slot] = DataLoader(load_fn=load)
        return await loader.load(key)
