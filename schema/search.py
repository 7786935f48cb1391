"""Full-text search (全文检索) over names, titles and addresses, returning any Node type;
one-character texts (a surname) match names and titles (graph/search.py).

What can be found is `SearchType`: one member per GraphQL type, its value the type's name in
the root `NODE_TYPES` registry (which says how the type is read and built). Adding a
searchable type is one member here, for a type of `NODE_TYPES` whose label is in the
full-text index (graph/migrations.py, FULLTEXT_LABELS).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from graph.traversal import NodeSpec
from resolvers import search as resolve_search
from resolvers.compile import properties_read_under
from resolvers.context import RequestContext
from resolvers.pagination import DEFAULT_PAGE_SIZE
from schema.relay import Node

Context = Info[RequestContext, None]
NodeTypes = Mapping[str, tuple[NodeSpec, Callable[[dict[str, Any]], Node]]]


@strawberry.enum(description="Kinds of object full-text search can return.")
class SearchType(Enum):
    PERSON = "Person"
    DISTRICT = "District"
    STREET = "Street"
    COMMUNITY = "Community"
    GRID = "Grid"
    CASE = "Case"


@strawberry.type(description="One search result: the object found and how well it matches.")
class SearchHit:
    score: float = strawberry.field(
        description="Relevance (Lucene score) within its rank (exact, prefix, holding, other);"
        " higher is better."
    )
    node: Node = strawberry.field(description="The object, as its own GraphQL type.")


async def search_nodes(
    info: Context,
    node_types: NodeTypes,
    text: str,
    types: list[SearchType] | None,
    first: int | None,
) -> list[SearchHit]:
    """The best `first` objects of `types` (default: all) whose name, title or address match."""
    searchable = [node_types[member.value] for member in SearchType]
    specs = tuple(spec for spec, _ in searchable)
    build = {spec.label: builder for spec, builder in searchable}
    wanted = list(SearchType) if types is None else list(dict.fromkeys(types))
    labels = [node_types[member.value][0].label for member in wanted]
    reads = tuple(
        (spec.label, properties_read_under(info, ("node",), spec, member.value))
        for member, (spec, _) in zip(SearchType, searchable, strict=True)
    )
    hits = await resolve_search.search(info.context, specs, labels, text, first, reads)
    return [SearchHit(score=hit.score, node=build[hit.label](hit.node)) for hit in hits]


SEARCH_DESCRIPTION = (
    "Objects whose name, title or address match `text` (Chinese split into two-character"
    " pieces; a text of one character, such as a surname, matches names and titles holding"
    " it), best first: the name or title equal to `text`, then starting with it, then holding"
    " it, then the rest, each by score. `text` is taken literally. At most `first` hits"
    f" (default {DEFAULT_PAGE_SIZE}, at most 100)."
)
