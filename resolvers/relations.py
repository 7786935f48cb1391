"""Relationship fields declared once: which walk a field reads, its shape, its parameters.

A relationship field of a GraphQL type is a resolver decorated with `@relation(HOP, ...)`:

    @strawberry.field(description="The grid the person lives in.")
    @relation(persons.PERSON_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.person_id))

The declaration says how the field is read (its `Hop`, one/list/page, how its arguments
become the hop's parameters and order, and where the node objects sit in its value). The
schema's declarations form one registry, keyed by (GraphQL type, field), from which a root
field's whole selection is compiled into one Cypher query (resolvers/compile.py). Inside the
resolver, `neighbours` and `page` (resolvers/reads.py) answer from what that query
prefetched for this exact response path; a field the compiler did not cover reads through
the per-level loaders, as before, so both paths give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from graphql import GraphQLSchema
from strawberry.types import Info

from graph.traversal import Hop
from resolvers.context import RequestContext

Context = Info[RequestContext, None]
F = TypeVar("F", bound=Callable[..., Any])

DEFINITION = "strawberry-definition"  # where Strawberry keeps its field on a GraphQL field


class Shape(Enum):
    """How many neighbours a relationship field answers with."""

    ONE = "one"  # the first neighbour or null
    LIST = "list"  # every neighbour, in the hop's order
    PAGE = "page"  # a Relay connection: edges { node }, pageInfo, totalCount


def _no_params(**_: Any) -> dict[str, Any]:
    return {}


def _hop_order(**_: Any) -> str:
    return ""


@dataclass(frozen=True)
class Relation:
    """How one relationship field is read.

    `node_path`: the fields leading from one item of the field's value to the node object
    (`()` when the item is the node, `("person",)` for a CaseParty); None when the items
    carry no node whose relationship fields could be read further (flat records).
    """

    hop: Hop
    shape: Shape
    node_path: tuple[str, ...] | None = ()
    params: Callable[..., dict[str, Any]] = _no_params  # the field's arguments -> hop params
    order: Callable[..., str] = _hop_order  # the field's arguments -> a page's ORDER BY
    # Target properties the field's items read besides the node object's fields (a work
    # order's deadline is the case's): always projected (resolvers/projection.py).
    item_reads: tuple[str, ...] = ()
    # The field's value is what schema/builders.py builds from its neighbours and its
    # arguments: its resolver is `related`, `related_one` or `related_page` (by shape), handed
    # every argument by name. A compiled query's answer is then built without the resolver
    # (schema/direct_answers.py).
    built: bool = False


def relation(
    hop: Hop,
    shape: Shape = Shape.LIST,
    *,
    node_path: tuple[str, ...] | None = (),
    params: Callable[..., dict[str, Any]] = _no_params,
    order: Callable[..., str] = _hop_order,
    item_reads: tuple[str, ...] = (),
    built: bool = False,
) -> Callable[[F], F]:
    """Declare the resolver below as the relationship field reading `hop`."""
    unknown = set(item_reads) - set(hop.target.properties)
    if unknown:
        raise ValueError(f"{hop.target.label} has no properties {sorted(unknown)}")
    declared = Relation(hop, shape, node_path, params, order, item_reads, built)

    def mark(resolver: F) -> F:
        resolver.__relation__ = declared  # type: ignore[attr-defined]
        return resolver

    return mark


Registry = dict[tuple[str, str], Relation]
_REGISTRIES: dict[int, tuple[GraphQLSchema, Registry]] = {}


def registry_of(schema: GraphQLSchema) -> Registry:
    """Every declared relationship field of the schema, by (GraphQL type, field name)."""
    known = _REGISTRIES.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    found: Registry = {}
    for type_name, graphql_type in schema.type_map.items():
        fields = getattr(graphql_type, "fields", None)
        if type_name.startswith("__") or not isinstance(fields, dict):
            continue
        for field_name, field in fields.items():
            declared = declaration_of(field.extensions.get(DEFINITION))
            if declared is not None:
                found[(type_name, field_name)] = declared
    _REGISTRIES[id(schema)] = (schema, found)
    return found


def declaration_of(strawberry_field: Any) -> Relation | None:
    """The Relation declared on a Strawberry field's resolver, if any."""
    resolver = getattr(strawberry_field, "base_resolver", None)
    wrapped = getattr(resolver, "wrapped_func", None)
    declared = getattr(wrapped, "__relation__", None)
    return declared if isinstance(declared, Relation) else None


def relation_of(info: Context) -> Relation:
    """The declaration of the field being resolved."""
    schema = info._raw_info.schema
    return registry_of(schema)[(info._raw_info.parent_type.name, info._raw_info.field_name)]


def response_path(info: Context) -> tuple[str | int, ...]:
    """The field's place in the response: keys (aliases) and list indexes."""
    return tuple(info._raw_info.path.as_list())


def is_root(info: Context) -> bool:
    """True for a field of the root type, where a compiled query starts (unless compiled
    reads are off for this request: GRIDGRAPH_COMPILED_READS=false)."""
    return info.context.compiled_reads and info._raw_info.path.prev is None
