"""Relay pieces: the Node interface with global IDs, PageInfo and connection helpers."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import strawberry
from graphql import default_type_resolver
from strawberry.types import Info

from graph.traversal import Hop, Neighbour, NeighbourPage, NodeSpec, Row
from resolvers.compile import connection_selection
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, preview
from resolvers.pagination import PageRequest, hop_page_request


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global ID: base64 of `Type:key`.")

    @classmethod
    def resolve_type(cls, obj: Any, info: Any, abstract_type: Any) -> str | None:
        """The object type a Node value is: its own Strawberry type, as Strawberry's default
        names it. That default first asks whether the value was `strawberry.cast` to another
        type, working out the possible types for it per value: a fifth of completing a
        search's hits. No code here casts, and no Node type is generic
        (tests/schema/test_relay.py checks both). A value that is no Node goes, as in
        Strawberry's, to graphql-core's default (each possible type's `is_type_of`)."""
        if isinstance(obj, Node):
            definition = obj.__strawberry_definition__  # type: ignore[attr-defined]
            if not definition.is_graphql_generic:
                return str(definition.name)
        return cast(str | None, default_type_resolver(obj, info, abstract_type))


def global_id(type_name: str, key: str) -> strawberry.ID:
    """The global ID of the object of this GraphQL type with this natural key."""
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode())


@dataclass(frozen=True)
class DecodedId:
    """A global ID taken apart."""

    type_name: str
    key: str


def decode_global_id(value: str) -> DecodedId:
    """Type and key of a global ID, or BAD_USER_INPUT when it is malformed."""
    try:
        text = base64.urlsafe_b64decode(value.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    type_name, _, key = text.partition(":")
    if not type_name or not key:
        raise BadUserInput(f"malformed global ID {preview(value)}", argument="id")
    return DecodedId(type_name, key)


MAX_NODE_IDS = 100  # ids of one `nodes(ids:)` call
# How a global ID's type is read (its label and key) and built into its GraphQL object.
NodeTypes = Mapping[str, tuple[NodeSpec, Callable[[Row], Node]]]


async def load_nodes(
    context: RequestContext, ids: Sequence[str], types: NodeTypes
) -> list[Node | None]:
    """Objects by global IDs, in order (None where unknown, missing or out of scope): all ids
    decoded first, then one batched, scoped read per type, the types read concurrently."""
    if len(ids) > MAX_NODE_IDS:
        raise BadUserInput(
            f"ids holds {len(ids)} items; at most {MAX_NODE_IDS} are allowed",
            argument="ids",
            maxItems=MAX_NODE_IDS,
        )
    decoded = [decode_global_id(id) for id in ids]
    keys: dict[str, list[str]] = {}
    for one in decoded:
        if one.type_name in types:
            keys.setdefault(one.type_name, []).append(one.key)
    batches = await asyncio.gather(
        *(context.loaders.nodes(types[name][0], batch) for name, batch in keys.items())
    )
    rows = {
        (name, key): row
        for (name, batch), found in zip(keys.items(), batches, strict=True)
        for key, row in zip(batch, found, strict=True)
    }
    nodes: list[Node | None] = []
    for one in decoded:
        row = rows.get((one.type_name, one.key))
        nodes.append(types[one.type_name][1](row) if row else None)
    return nodes


@strawberry.type(name="EdgeBase")
class Edge:
    """An item of a page (subclasses add `node` and what the relationship says). Its cursor
    is made only when selected: a compiled read leaves the sort keys out unless a cursor is
    asked for (resolvers/compile.py)."""

    request: strawberry.Private[PageRequest]
    keys: strawberry.Private[tuple[Any, ...]]

    @strawberry.field
    def cursor(self) -> str:
        return self.request.cursor(self.keys)


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(request: PageRequest, keys: Sequence[Sequence[Any]], has_next: bool) -> PageInfo:
    """PageInfo of a page read with `request` whose items have these sort keys (in order).
    hasPreviousPage is true after a cursor (items may precede it), false on the first page."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=request.after is not None,
        start_cursor=request.cursor(keys[0]) if keys else None,
        end_cursor=request.cursor(keys[-1]) if keys else None,
    )


def page_slice(request: PageRequest, page: NeighbourPage) -> tuple[list[Neighbour], PageInfo]:
    """The items of a page read with `request.limit` rows (the extra one dropped), and PageInfo."""
    items = page.items[: request.first]
    return items, page_info(request, [n.keys for n in items], len(page.items) > request.first)


def wants_items(info: Info[RequestContext, None]) -> bool:
    """True unless the client selected only `totalCount` (then no node is read at all)."""
    return connection_selection(info).with_items


async def read_page(
    info: Info[RequestContext, None],
    hop: Hop,
    key: str,
    first: int | None,
    after: str | None,
    params: dict[str, Any] | None = None,
    order: str = "",
    identity: Mapping[str, Any] | None = None,
) -> tuple[PageRequest, NeighbourPage]:
    """One page of a connection field over `hop`: items only when selected, total only when
    selected; validated `first`/`after`. `identity`: the arguments that make the list (as the
    client gave them; `params` when None, which must then hold no "now" of the request)."""
    request = hop_page_request(first, after, hop, order, params if identity is None else identity)
    page = await info.context.loaders.page(
        hop,
        key,
        request.after,
        request.limit if wants_items(info) else 0,
        wants_total(info),
        params,
        order,
    )
    return request, page


def wants_total(info: Info[RequestContext, None]) -> bool:
    """True when the client selected `totalCount` on this connection field."""
    return connection_selection(info).with_total
