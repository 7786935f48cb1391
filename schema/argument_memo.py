"""A field's arguments converted once per operation, not once per object.

Before every call of a resolver, Strawberry converts the field's arguments (graphql-core's
coerced values) into Python values and input objects. A field selected under a list is
resolved once per item with the same arguments each time. A district street's roll-up
resolves each of its 121 grids' `residents` and `cases` and each of its 29 communities'
`cases(filter: {open: true})`; converting a 13-field filter costs about 190 µs, three null
arguments about 16 µs, and conversion was a third of the roll-up's CPU.

`remember_conversions` puts a memo in front of Strawberry's conversion: what one field node
converts to, under one operation's variables, is kept in the request's context
(`RequestContext.converted_arguments`) for the rest of that operation, keyed by the objects
themselves (the memo holds them, so their ids are not reused while it lives). Every call gets
its own copy of the dict of arguments, since Strawberry adds `info` to it. The converted
values (input objects such as a `CaseFilter`, lists) are shared by the calls, so resolvers
treat them as read-only, as they do today. Only queries use the memo: a mutation's fields run
once each, and its inputs are not for sharing. Other contexts (tests' own schemas) pass
through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import OperationType
from strawberry.schema import schema_converter

Converter = Callable[..., dict[str, Any]]
# (arguments, field node, variables) -> the same three objects, kept alive, and the result
Memo = dict[tuple[int, int, int], tuple[Any, Any, Any, dict[str, Any]]]


def _memo_of(info: Any) -> Memo | None:
    """The request's memo when `info` is a query's resolve info under a RequestContext."""
    memo = getattr(getattr(info, "context", None), "converted_arguments", None)
    if memo is None:
        return None
    raw = info._raw_info
    return memo if raw.operation.operation is OperationType.QUERY else None


def remembering(convert: Converter) -> Converter:
    """`convert` (Strawberry's `convert_arguments`) with the per-operation memo."""

    def convert_arguments(
        value: dict[str, Any],
        arguments: list[Any],
        scalar_registry: Mapping[object, Any],
        config: Any,
        info: Any = None,
    ) -> dict[str, Any]:
        memo = _memo_of(info) if info is not None and value else None
        if memo is None:
            return convert(
                value, arguments, scalar_registry=scalar_registry, config=config, info=info
            )
        raw = info._raw_info
        node, variables = raw.field_nodes[0], raw.variable_values
        key = (id(arguments), id(node), id(variables))
        found = memo.get(key)
        if found is None:
            converted = convert(
                value, arguments, scalar_registry=scalar_registry, config=config, info=info
            )
            found = memo[key] = (arguments, node, variables, converted)
        return dict(found[3])

    convert_arguments.__wrapped__ = convert  # type: ignore[attr-defined]
    return convert_arguments


# The name under which Strawberry's resolvers call the conversion (schema_converter.py).
CONVERTER = "convert_arguments"


def remember_conversions() -> None:
    """Put the memo in front of the conversion Strawberry's resolvers call (once)."""
    current = getattr(schema_converter, CONVERTER)
    if getattr(current, "__wrapped__", None) is None:
        setattr(schema_converter, CONVERTER, remembering(current))
