"""Resolvers of the administrative tree."""

from __future__ import annotations

from graph import places
from graph.places import PlaceLevel
from resolvers.context import RequestContext, Rows


async def districts(context: RequestContext, codes: list[str] | None) -> Rows:
    """All districts, or those with the given codes."""
    if codes is None:
        return await places.list_districts(context.graph)
    return await places.districts_by_code(context.graph, codes)


async def children(context: RequestContext, level: PlaceLevel, parent_code: str) -> Rows:
    """Places of `level` directly under the parent, batched across the request."""
    return await context.loaders.children[level].load(parent_code)
