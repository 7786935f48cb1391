"""Reading a declared relationship field inside its resolver (resolvers/relations.py).

`neighbours` and `page` answer, in order, from what the root field's compiled query
prefetched for this response path (resolvers/compile.py), by compiling the field itself when
it is a root field, or through the per-level loaders (resolvers/loaders.py). `lookup` is the
same for a root lookup by key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graph.traversal import Neighbour, NeighbourPage, NodeSpec, Row
from resolvers import compile as compiled
from resolvers.pagination import PageRequest, hop_page_request
from resolvers.relations import Context, Relation, is_root, relation_of, response_path


async def neighbours(info: Context, key: str, **arguments: Any) -> list[Neighbour]:
    """The neighbours of the node `key` this field reads: prefetched by the compiled query of
    the root field, compiled here for a root field, or read by the per-level loader."""
    declared = relation_of(info)
    prefetched = info.context.prefetched.get(response_path(info))
    if isinstance(prefetched, list):
        return prefetched
    if is_root(info):
        found = await compiled.run_root_read(info, declared, key, arguments)
        if isinstance(found, list):
            return found
    params = declared.params(**arguments)
    return await info.context.loaders.neighbours(declared.hop, key, params)


async def page(
    info: Context, key: str, first: int | None, after: str | None, **arguments: Any
) -> tuple[PageRequest, NeighbourPage]:
    """One page of the neighbours of `key` this connection field reads (see `neighbours`);
    items only when selected, the total only when selected."""
    declared = relation_of(info)
    rest = without_page(arguments)
    request = page_request(declared, first, after, rest)
    prefetched = info.context.prefetched.get(response_path(info))
    if isinstance(prefetched, NeighbourPage):
        return request, prefetched
    arguments = {**arguments, "first": first, "after": after}
    if is_root(info):
        found = await compiled.run_root_read(info, declared, key, arguments)
        if isinstance(found, NeighbourPage):
            return request, found
    selection = compiled.connection_selection(info)
    found_page = await info.context.loaders.page(
        declared.hop,
        key,
        request.after,
        request.limit if selection.with_items else 0,
        selection.with_total,
        declared.params(**rest),
        declared.order(**rest),
    )
    return request, found_page


def page_request(
    declared: Relation, first: int | None, after: str | None, rest: dict[str, Any]
) -> PageRequest:
    """The page a connection field's arguments ask for (`rest`: all but first and after)."""
    return hop_page_request(first, after, declared.hop, declared.order(**rest), rest)


def without_page(arguments: dict[str, Any]) -> dict[str, Any]:
    """A connection field's arguments but `first` and `after`."""
    return {name: value for name, value in arguments.items() if name not in ("first", "after")}


async def lookup(info: Context, spec: NodeSpec, key: str) -> Row | None:
    """The node of `spec` keyed `key` (None when unknown or out of scope); a root field
    compiles its relationship selections into the same query."""
    if is_root(info):
        found = await compiled.run_root_lookup(info, spec, key)
        if found is not compiled.NOT_COMPILED:
            return found  # type: ignore[return-value]
    return await info.context.loaders.node(spec, key)


T = TypeVar("T")


def first_node(build: Callable[[Row], T], found: list[Neighbour]) -> T | None:
    """The first neighbour built into its GraphQL object, or None."""
    return build(found[0].node) if found else None
