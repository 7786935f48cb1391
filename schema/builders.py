"""Schema objects from graph rows, registered by the module that defines each type.

A relationship field often returns a type of another schema module: a grid's grid worker is
a Person, a person's cases are a CaseConnection. Building those objects by importing the
other module inside the resolver made schema/ modules import each other at run time (a
circle). Instead each module registers how its objects are built, and resolvers ask for
them by what the field reads (its declared relation, resolvers/relations.py):

- `@builds(spec)` on a type with `from_row`: the object of a node of that label;
- `@builds_neighbour(hop)` on a function: what a field over that hop returns for each
  neighbour when it wraps the node with its edge (a membership with its role or points);
- `@builds_page(spec)` on a function: the connection of one page of nodes of that label.

`related`, `related_one` and `related_page` read the field's neighbours (resolvers/reads.py:
prefetched by the compiled query, or per level) and build them, with `built_value`'s
functions; a field declared `built` gets the same value from `built_value` straight from the
compiled query's answer (schema/direct_answers.py). Modules only ever name each
other's types lazily (`strawberry.lazy`) for annotations. Registration happens on import;
schema/__init__.py imports every module before any request runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graph.traversal import Hop, Neighbour, NeighbourPage, NodeSpec, Row
from resolvers.pagination import PageRequest
from resolvers.reads import neighbours, page, page_request, without_page
from resolvers.relations import Context, Relation, Shape, relation_of

T = TypeVar("T")
N = TypeVar("N", bound=Callable[[Neighbour], Any])
P = TypeVar("P", bound=Callable[[PageRequest, NeighbourPage], Any])
NodeBuilder = Callable[[Row], Any]
NeighbourBuilder = Callable[[Neighbour], Any]
PageBuilder = Callable[[PageRequest, NeighbourPage], Any]

_NODES: dict[str, NodeBuilder] = {}  # node label -> builder
_NEIGHBOURS: dict[Hop, NeighbourBuilder] = {}
_PAGES: dict[str, PageBuilder] = {}  # node label -> connection builder


def builds(spec: NodeSpec) -> Callable[[type[T]], type[T]]:
    """Class decorator: objects of nodes labelled `spec.label` are `cls.from_row(row)`."""

    def register(cls: type[T]) -> type[T]:
        _NODES[spec.label] = cls.from_row  # type: ignore[attr-defined]
        return cls

    return register


def builds_neighbour(hop: Hop) -> Callable[[N], N]:
    """Function decorator: what a field over `hop` returns for each neighbour."""

    def register(build: N) -> N:
        _NEIGHBOURS[hop] = build
        return build

    return register


def builds_page(spec: NodeSpec) -> Callable[[P], P]:
    """Function decorator: the connection of a page of nodes labelled `spec.label`."""

    def register(build: P) -> P:
        _PAGES[spec.label] = build
        return build

    return register


def _neighbour_builder(hop: Hop) -> NeighbourBuilder:
    build = _NEIGHBOURS.get(hop)
    if build is not None:
        return build
    node = _NODES[hop.target.label]
    return lambda found: node(found.node)


def built_list(declared: Relation, found: list[Neighbour]) -> list[Any]:
    """The objects of a list field built from its neighbours."""
    build = _neighbour_builder(declared.hop)
    return [build(neighbour) for neighbour in found]


def built_one(declared: Relation, found: list[Neighbour]) -> Any:
    """The object of a single-valued field built from its neighbours, or None."""
    return built_list(declared, found[:1])[0] if found else None


def built_page(declared: Relation, request: PageRequest, found: NeighbourPage) -> Any:
    """The connection of a paged field built from its page of neighbours."""
    return _PAGES[declared.hop.target.label](request, found)


def built_value(declared: Relation, arguments: dict[str, Any], found: Any) -> Any:
    """The value of a field declared `built` (resolvers/relations.py) from what its query
    read and its arguments (converted, by name): what `related`, `related_one` and
    `related_page` return for it, without calling its resolver (schema/direct_answers.py)."""
    if declared.shape is Shape.PAGE:
        rest = without_page(arguments)
        request = page_request(declared, arguments.get("first"), arguments.get("after"), rest)
        return built_page(declared, request, found)
    if declared.shape is Shape.ONE:
        return built_one(declared, found)
    return built_list(declared, found)


async def related(info: Context, key: str, **arguments: Any) -> list[Any]:
    """The objects of this relationship field of node `key` (its arguments as given)."""
    return built_list(relation_of(info), await neighbours(info, key, **arguments))


async def related_one(info: Context, key: str, **arguments: Any) -> Any:
    """The object of this single-valued relationship field of node `key`, or None."""
    return built_one(relation_of(info), await neighbours(info, key, **arguments))


async def related_page(
    info: Context, key: str, first: int | None, after: str | None, **arguments: Any
) -> Any:
    """The connection of this paged relationship field of node `key`."""
    return built_page(relation_of(info), *await page(info, key, first, after, **arguments))
