"""The Node interface names each value's object type itself (schema/relay.py): the same
answer as Strawberry's default `resolve_type`, which this code base never needs for casts."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType
from strawberry.types.base import get_object_definition

from schema import build_schema
from schema.relay import Node

ROOT = Path(__file__).resolve().parents[2]


def _strawberrys_resolve_type() -> Any:
    """The resolve_type Strawberry makes for Node when the interface has none of its own."""
    schema = build_schema()
    definition = get_object_definition(Node, strict=True)
    own = definition.resolve_type
    converter = schema.schema_converter
    try:
        definition.resolve_type = None
        converter.type_map.pop("Node", None)
        return converter.from_interface(definition).resolve_type
    finally:
        definition.resolve_type = own


def _node_types() -> list[tuple[GraphQLInterfaceType, GraphQLObjectType]]:
    schema = build_schema()._schema
    node = schema.type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    return [(node, implementation) for implementation in schema.get_possible_types(node)]


NODE_TYPES = _node_types()


def test_every_node_type_is_named_as_strawberry_names_it() -> None:
    assert len(NODE_TYPES) >= 10, [t.name for _, t in NODE_TYPES]
    generic = [
        t.name
        for _, t in NODE_TYPES
        if get_object_definition(
            t.extensions["strawberry-definition"].origin, strict=True
        ).is_graphql_generic
    ]
    assert generic == []
    default = _strawberrys_resolve_type()
    schema = build_schema()
    for interface, object_type in NODE_TYPES:
        cls = object_type.extensions["strawberry-definition"].origin
        value = cls.__new__(cls)  # resolve_type reads only the value's class
        info: Any = type("Info", (), {"schema": schema._schema, "field_name": "node"})()
        ours = interface.resolve_type
        assert ours is not None
        assert ours(value, info, interface) == object_type.name
        assert default(value, info, interface) == object_type.name


def _never(value: Any) -> bool:
    return False


@pytest.mark.parametrize("value", [object(), {"id": "x"}, "Person"])
def test_a_value_that_is_no_node_has_no_type(value: Any) -> None:
    [(interface, _), *_] = NODE_TYPES
    info: Any = type(
        "Info",
        (),
        {
            "schema": build_schema()._schema,
            "field_name": "node",
            "is_awaitable": staticmethod(_never),
        },
    )()
    assert interface.resolve_type is not None
    assert interface.resolve_type(value, info, interface) is None
    assert _strawberrys_resolve_type()(value, info, interface) is None


def _casts(path: Path) -> list[str]:
    """Where a module uses `strawberry.cast` (imported or as an attribute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("strawberry")
        ):
            found += [f"{path}:{node.lineno}" for alias in node.names if alias.name == "cast"]
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "cast"
            and isinstance(node.value, ast.Name)
            and node.value.id == "strawberry"
        ):
            found.append(f"{path}:{node.lineno}")
    return found


def test_no_value_is_cast_to_another_type() -> None:
    # Node.resolve_type skips Strawberry's per-value check for `strawberry.cast`: no code
    # casts (a cast Node would otherwise be named by its class, not its cast).
    modules = [
        p for d in ("schema", "resolvers", "server", "graph") for p in (ROOT / d).rglob("*.py")
    ]
    assert len(modules) > 50
    assert [hit for module in modules for hit in _casts(module)] == []
