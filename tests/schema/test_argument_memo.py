"""A field's arguments converted once per operation (schema/argument_memo.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import strawberry
from strawberry.schema import schema_converter
from strawberry.types import Info

from schema import build_schema
from schema.argument_memo import CONVERTER, remembering


@strawberry.input
class Filter:
    word: str = ""
    times: int = 1


@strawberry.type
class Item:
    number: int

    @strawberry.field
    def echo(self, info: Info, filter: Filter | None = None, suffix: str = "") -> str:
        info.context.seen.append(id(filter))
        return f"{self.number}:{filter.word * filter.times if filter else ''}{suffix}"


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(number=n) for n in range(5)]


@strawberry.type
class Mutation:
    @strawberry.mutation
    def first(self, filter: Filter) -> str:
        return filter.word

    @strawberry.mutation
    def second(self, filter: Filter) -> str:
        return filter.word


@dataclass
class Context:
    converted_arguments: dict[Any, Any] = field(default_factory=dict)
    seen: list[int] = field(default_factory=list)


@dataclass
class PlainContext:  # a context without the memo: conversion as Strawberry does it
    seen: list[int] = field(default_factory=list)


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
QUERY = (
    'query Q($w: String!) { items { echo(filter: {word: $w, times: 2}) other: echo(suffix: "!") } }'
)


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Strawberry's conversion behind the memo, counting the calls with arguments that
    reach it."""
    installed = getattr(schema_converter, CONVERTER)
    original = getattr(installed, "__wrapped__", None) or installed
    calls: list[dict[str, Any]] = []

    def counting(value: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        if value:
            calls.append(value)
        converted: dict[str, Any] = original(value, *args, **kwargs)
        return converted

    monkeypatch.setattr(schema_converter, CONVERTER, remembering(counting))
    return calls


def _expected(word: str) -> list[dict[str, str]]:
    return [{"echo": f"{n}:{word * 2}", "other": f"{n}:!"} for n in range(5)]


def test_each_field_node_converts_once_per_operation(conversions: list[dict[str, Any]]) -> None:
    context = Context()
    result = SCHEMA.execute_sync(QUERY, variable_values={"w": "ab"}, context_value=context)
    assert result.errors is None
    assert result.data == {"items": _expected("ab")}
    assert len(conversions) == 2  # `echo` and `other`, not 2 x 5
    # The five calls of `echo(filter: ...)` share one converted filter.
    assert len(set(context.seen[0::2])) == 1


def test_without_the_memo_every_call_converts(conversions: list[dict[str, Any]]) -> None:
    context = PlainContext()
    result = SCHEMA.execute_sync(QUERY, variable_values={"w": "ab"}, context_value=context)
    assert result.data == {"items": _expected("ab")}
    assert len(conversions) == 10


def test_operations_sharing_a_context_convert_their_own_variables(
    conversions: list[dict[str, Any]],
) -> None:
    # A batch's operations share one context (Strawberry); the same document with other
    # variables must not get the first operation's arguments.
    context = Context()
    document = SCHEMA.execute_sync(QUERY, variable_values={"w": "ab"}, context_value=context)
    again = SCHEMA.execute_sync(QUERY, variable_values={"w": "xy"}, context_value=context)
    assert document.data == {"items": _expected("ab")}
    assert again.data == {"items": _expected("xy")}
    assert len(conversions) == 4


def test_mutations_convert_every_call(conversions: list[dict[str, Any]]) -> None:
    context = Context()
    result = SCHEMA.execute_sync(
        'mutation { first(filter: {word: "a"}) second(filter: {word: "b"}) }',
        context_value=context,
    )
    assert result.data == {"first": "a", "second": "b"}
    assert len(conversions) == 2 and context.converted_arguments == {}


def test_the_application_schema_remembers_conversions() -> None:
    build_schema()
    installed = getattr(schema_converter, CONVERTER)
    assert getattr(installed, "__wrapped__", None) is not None
