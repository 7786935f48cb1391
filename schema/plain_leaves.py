"""Plain leaf fields answered without graphql-core's per-field machinery.

Most fields of an answer are plain leaves: a Strawberry field without a resolver (the
object's attribute) whose type is a scalar or an enum, like a person's `name` or a case's
`status`. For each of them graphql-core builds a resolve-info object, looks up arguments,
calls Strawberry's attribute getter, checks whether the value is awaitable and walks
`complete_value` down to the scalar's `serialize`. Skipping that walk saved 0-10 % of
GridGraph's CPU on the single lookups (docs/reads.md): most of the execution cost is in the
objects, lists and relationship resolvers, not the leaves.

`LeafExecutionContext.execute_field` takes a shortcut for exactly those fields: it calls the
same getter and the same `serialize`, and returns the value when both succeed with a
non-null value. Everything else (a null, a getter or serializer that raises, a field with a
resolver or arguments, objects, lists, `__typename`) goes the ordinary way, so nulls on
non-null fields and every error are reported exactly as before, at the same path.

`use_plain_leaves` finds the plain leaves of a built schema once and installs the context.
"""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Leaf = GraphQLScalarType | GraphQLEnumType
# object type name -> field name -> (the field's attribute getter, its leaf type)
PlainLeaves = dict[str, dict[str, tuple[Any, Leaf]]]


def _plain_leaf(field: GraphQLField) -> Leaf | None:
    """The leaf type of a field that Strawberry answers from the object's attribute, else None."""
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    leaf = get_nullable_type(field.type)
    return leaf if isinstance(leaf, GraphQLScalarType | GraphQLEnumType) else None


def plain_leaves_of(schema: GraphQLSchema) -> PlainLeaves:
    """The plain leaf fields of every object type of `schema`."""
    found: PlainLeaves = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        fields = {}
        for name, field in named.fields.items():
            leaf = _plain_leaf(field)
            if leaf is not None:
                fields[name] = (field.resolve, leaf)
        if fields:
            found[named.name] = fields
    return found


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the plain-leaf shortcut (`plain_leaves` is set on
    the subclass `use_plain_leaves` makes for one schema)."""

    plain_leaves: ClassVar[PlainLeaves] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: list[FieldDetails],
        path: Path,
        position_context: Any = None,
    ) -> Any:
        node = field_details_list[0].node
        leaf = self.plain_leaves.get(parent_type.name, {}).get(node.name.value)
        if leaf is not None and not node.arguments:
            serialized = _plain_value(source, *leaf)
            if serialized is not None:
                return serialized
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def _plain_value(source: Any, resolve: Any, leaf_type: Leaf) -> Any:
    """The field's serialized value; None where the ordinary path must answer (a null value,
    a getter or serializer that raises or refuses), which then reports it at its path."""
    try:
        value = resolve(source, None)
        serialized = None if value is None else leaf_type.serialize(value)
    except Exception:
        return None
    return None if serialized is Undefined else serialized


def use_plain_leaves(schema: strawberry.Schema) -> None:
    """Answer `schema`'s plain leaf fields through the shortcut."""
    context_class = type(
        "SchemaLeafExecutionContext",
        (LeafExecutionContext,),
        {"plain_leaves": plain_leaves_of(schema._schema)},
    )
    schema.execution_context_class = context_class
