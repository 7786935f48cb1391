"""Plain leaf fields answered without graphql-core's per-field machinery (schema/plain_leaves.py):
the same answers and the same errors, at the same paths, as the ordinary execution."""

from __future__ import annotations

import enum
from typing import Any, cast

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import build_schema
from schema.plain_leaves import LeafExecutionContext, plain_leaves_of, use_plain_leaves


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Item:
    name: str
    count: int
    colour: Colour
    maybe: str | None
    colours: list[Colour]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


ITEMS: list[Item | None] = [
    Item(name="a", count=1, colour=Colour.RED, maybe=None, colours=[Colour.GREEN]),
    # A null on a non-null field and a value its scalar refuses: both are errors.
    Item(name=None, count="many", colour=Colour.GREEN, maybe="m", colours=[]),  # type: ignore[arg-type]
    Item(name="c", count=3, colour="purple", maybe="x", colours=[]),  # type: ignore[arg-type]
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS


QUERY = "{ items { name n: name count colour maybe colours shout __typename } }"


def _run(schema: strawberry.Schema) -> dict[str, Any]:
    result = schema.execute_sync(QUERY)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "errors": errors}


def test_answers_and_errors_are_those_of_the_ordinary_execution() -> None:
    ordinary = strawberry.Schema(query=Query)
    shortcut = strawberry.Schema(query=Query)
    use_plain_leaves(shortcut)
    assert issubclass(shortcut.execution_context_class, LeafExecutionContext)
    expected, answered = _run(ordinary), _run(shortcut)
    assert answered == expected
    assert answered["data"]["items"][0] == {
        "name": "a",
        "n": "a",
        "count": 1,
        "colour": "RED",
        "maybe": None,
        "colours": ["GREEN"],
        "shout": "A",
        "__typename": "Item",
    }
    assert answered["data"]["items"][1] is None and answered["data"]["items"][2] is None
    paths = [path for _, path in answered["errors"]]
    assert ("items", 1, "name") in paths and ("items", 2, "colour") in paths


def test_only_attribute_fields_of_leaf_types_take_the_shortcut() -> None:
    schema = strawberry.Schema(query=Query)
    leaves = plain_leaves_of(schema._schema)
    assert set(leaves["Item"]) == {"name", "count", "colour", "maybe"}
    assert "Query" not in leaves  # `items` has a resolver


def test_the_shortcut_builds_no_resolve_info_for_plain_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = strawberry.Schema(query=Query)
    use_plain_leaves(schema)
    built: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.build_resolve_info

    def counting(self: Any, field_def: Any, field_nodes: Any, *rest: Any) -> Any:
        built.append(field_nodes[0].name.value)
        return original(self, field_def, field_nodes, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "build_resolve_info", counting)
    result = schema.execute_sync("{ items { name count shout } }")
    assert [e.path for e in result.errors or []] == [["items", 1, "name"]]
    # Items 0 and 2 answer `name` and `count` through the shortcut; only `shout` (a resolver)
    # builds an info. Item 1's null `name` goes the ordinary way and its error ends the item.
    assert built == ["items", "shout", "name", "shout"]


def test_the_application_schema_uses_the_shortcut() -> None:
    schema = build_schema()
    context_class = schema.execution_context_class
    assert issubclass(context_class, LeafExecutionContext)
    leaves = cast(type[LeafExecutionContext], context_class).plain_leaves
    assert "name" in leaves["Person"] and "status" in leaves["Case"]
