"""A selected field's arguments as its resolver receives them, converted once.

A field's arguments reach its resolver coerced by graphql-core (literals, variables,
defaults) and then converted by Strawberry into Python values and input objects. A district
street's roll-up plans its relationship fields for the compiled query (resolvers/compile.py)
and then builds their values (schema/direct_answers.py); both need the same arguments, and
converting them was about a fifth of the roll-up's CPU per request (docs/benchmarks.md,
session 10), most of it the open-cases filter written in the document.

`converted` keeps what one field node converts to:
- when the node's arguments name no variable, its arguments are the same on every request
  of that document (the node is part of a parsed document, which the app keeps:
  schema/prepared_documents.py), so they are kept across requests, in a bounded map;
- otherwise they are kept for one operation, in the map the caller gives
  (`RequestContext.converted_arguments`), whose variables are fixed.

Entries hold the node and the field they are keyed by, so their ids are not reused while
kept. Every call gets its own copy of the dict; the values (input objects, lists) are shared
and read-only, as the resolvers already treat them. A conversion that fails raises and
keeps nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import FieldNode, GraphQLField, ListValueNode, ObjectValueNode, ValueNode
from graphql import VariableNode as Variable
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.arguments import convert_arguments

from resolvers.relations import DEFINITION

MAX_KEPT = 4096  # field nodes whose constant arguments are kept across requests

Memo = dict[Any, Any]
_CONSTANT: Memo = {}  # (id(node), id(field)) -> (node, field, converted)


def converted(
    field: GraphQLField,
    node: FieldNode,
    variables: VariableValues,
    scalars: Mapping[object, Any],
    config: Any,
    per_operation: Memo | None,
) -> dict[str, Any]:
    """The arguments `node` gives `field` (a Strawberry field), converted as Strawberry
    converts them for its resolver; `per_operation`: where variable-dependent ones are kept
    for this operation (None: not kept)."""
    if not node.arguments and not field.args:
        return {}
    store = _CONSTANT if not _names_variables(node) else per_operation
    key = (id(node), id(field))
    found = store.get(key) if store is not None else None
    if found is None or found[0] is not node or found[1] is not field:
        coerced = get_argument_values(field, node, variables)
        value = convert_arguments(
            coerced,
            field.extensions[DEFINITION].arguments,
            scalar_registry=scalars,
            config=config,
        )
        found = (node, field, value)
        if store is not None:
            if store is _CONSTANT and len(store) >= MAX_KEPT:
                store.clear()
            store[key] = found
    return dict(found[2])


def _names_variables(node: FieldNode) -> bool:
    return any(_holds_variable(argument.value) for argument in node.arguments or ())


def _holds_variable(value: ValueNode) -> bool:
    if isinstance(value, Variable):
        return True
    if isinstance(value, ListValueNode):
        return any(_holds_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_holds_variable(entry.value) for entry in value.fields)
    return False
