"""A field's arguments converted once (resolvers/field_arguments.py): constant ones across
requests, variable ones per operation, always as Strawberry converts them."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import FieldNode, OperationDefinitionNode, parse
from graphql.execution.values import VariableValues

from resolvers import field_arguments


@strawberry.input
class Filter:
    open: bool | None = None
    kinds: list[str] | None = None


@strawberry.type
class Query:
    @strawberry.field
    def items(self, filter: Filter | None = None, first: int | None = None) -> list[int]:
        return []


SCHEMA = strawberry.Schema(query=Query)
FIELD = SCHEMA._schema.query_type.fields["items"]  # type: ignore[union-attr]
SCALARS = SCHEMA.schema_converter.scalar_registry


def _node(document: str) -> FieldNode:
    [operation] = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    [node] = operation.selection_set.selections
    assert isinstance(node, FieldNode)
    return node


def _convert(node: FieldNode, memo: dict[Any, Any] | None, **variables: Any) -> dict[str, Any]:
    return field_arguments.converted(
        FIELD, node, VariableValues({}, variables), SCALARS, SCHEMA.config, memo
    )


def test_literal_arguments_are_converted_once_for_every_request() -> None:
    node = _node('{ items(filter: {open: true, kinds: ["a"]}, first: 2) }')
    first_request, second_request = _convert(node, {}), _convert(node, {})
    assert first_request == {"filter": Filter(open=True, kinds=["a"]), "first": 2}
    # The same converted input object, shared read-only; each call its own dict.
    assert second_request["filter"] is first_request["filter"]
    assert second_request is not first_request
    second_request["first"] = 99
    assert _convert(node, None)["first"] == 2


@pytest.mark.parametrize(
    ("document", "one", "other"),
    [
        ("query ($n: Int) { items(first: $n) }", ({"n": 3}, 3), ({"n": 4}, 4)),
        (
            'query ($k: String!) { items(filter: {kinds: ["a", $k]}) }',
            ({"k": "b"}, Filter(kinds=["a", "b"])),
            ({"k": "c"}, Filter(kinds=["a", "c"])),
        ),
        (
            "query ($o: Boolean) { items(filter: {open: $o}) }",
            ({"o": False}, Filter(open=False)),
            ({"o": True}, Filter(open=True)),
        ),
    ],
    ids=["argument", "inside-a-list", "inside-an-object"],
)
def test_arguments_naming_variables_are_kept_for_one_operation_only(
    document: str, one: tuple[dict[str, Any], Any], other: tuple[dict[str, Any], Any]
) -> None:
    node = _node(document)
    name = "first" if "first" in document else "filter"
    operation: dict[Any, Any] = {}
    assert _convert(node, operation, **one[0])[name] == one[1]
    assert len(operation) == 1
    assert _convert(node, operation, **one[0])[name] == one[1]
    # Another operation, other variables: converted anew, not taken from the first.
    assert _convert(node, {}, **other[0])[name] == other[1]
    assert _convert(node, None, **other[0])[name] == other[1]


def test_defaults_count_when_nothing_is_written() -> None:
    assert _convert(_node("{ items }"), {}) == {"filter": None, "first": None}


def test_the_same_as_strawberrys_own_conversion() -> None:
    seen: list[dict[str, Any]] = []

    @strawberry.type
    class Probe:
        @strawberry.field
        def items(self, filter: Filter | None = None, first: int | None = None) -> list[int]:
            seen.append({"filter": filter, "first": first})
            return []

    document = '{ items(filter: {open: false, kinds: ["x", "y"]}, first: 5) }'
    strawberry.Schema(query=Probe).execute_sync(document)
    assert [_convert(_node(document), {})] == seen
