"""Async resolvers that finish without waiting answer synchronously (schema/eager_resolvers.py)."""

from __future__ import annotations

import asyncio
import inspect

import pytest
import strawberry

from schema import build_schema
from schema.eager_resolvers import eager, run_eagerly


async def _ready(source: int, info: object) -> int:
    return source + 1


def test_a_resolver_that_never_waits_answers_with_a_plain_value() -> None:
    assert eager(_ready)(1, None) == 2


def test_a_resolver_that_fails_before_waiting_raises_at_once() -> None:
    async def failing(source: int, info: object) -> int:
        raise ValueError(f"no {source}")

    with pytest.raises(ValueError, match="no 3"):
        eager(failing)(3, None)


def test_sync_resolvers_and_their_values_pass_through() -> None:
    assert eager(lambda source, info: [source])(5, None) == [5]


async def test_resolvers_waiting_on_one_future_each_get_its_value() -> None:
    # Two resolvers awaiting the same pending future (a loader's cached key): the first's
    # wait must not keep the second from awaiting it.
    loop = asyncio.get_running_loop()
    shared = loop.create_future()

    async def waiting(source: int, info: object) -> int:
        value = await shared
        await asyncio.sleep(0)
        return int(value) + source

    first, second = eager(waiting)(1, None), eager(waiting)(2, None)
    assert inspect.isawaitable(first) and inspect.isawaitable(second)
    loop.call_later(0.01, shared.set_result, 10)
    assert list(await asyncio.gather(first, second)) == [11, 12]


async def test_an_error_after_waiting_is_raised_where_it_is_awaited() -> None:
    async def failing_later(source: int, info: object) -> int:
        await asyncio.sleep(0)
        raise LookupError("gone")

    pending = eager(failing_later)(1, None)
    with pytest.raises(LookupError, match="gone"):
        await pending


async def test_cancelling_the_awaiting_task_cancels_the_resolver() -> None:
    cleaned_up = asyncio.Event()
    started = asyncio.Event()

    async def slow(source: int, info: object) -> int:
        try:
            started.set()
            await asyncio.sleep(60)
            return source
        finally:
            cleaned_up.set()

    pending = eager(slow)(1, None)

    async def awaiting() -> int:
        return await pending  # type: ignore[no-any-return]

    task = asyncio.create_task(awaiting())
    await asyncio.sleep(0)
    assert started.is_set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned_up.is_set()


@strawberry.type
class _Item:
    number: int

    @strawberry.field
    async def double(self) -> int:
        return self.number * 2

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        return self.number + 100


@strawberry.type
class _Query:
    @strawberry.field
    async def items(self) -> list[_Item]:
        return [_Item(number=n) for n in range(3)]

    @strawberry.field
    def plain(self) -> int:
        return 7


async def test_a_schema_answers_the_same_with_eager_resolvers() -> None:
    query = "{ items { number double later } plain }"
    expected = await strawberry.Schema(query=_Query).execute(query)
    schema = strawberry.Schema(query=_Query)
    assert run_eagerly(schema._schema) == 3  # items, double, later; not the sync plain
    assert run_eagerly(schema._schema) == 0  # wrapping twice is a no-op
    answered = await schema.execute(query)
    assert answered.errors is None and expected.errors is None
    assert answered.data == expected.data
    assert answered.data == {
        "items": [{"number": n, "double": 2 * n, "later": n + 100} for n in range(3)],
        "plain": 7,
    }


def test_the_gridgraph_schema_runs_its_async_resolvers_eagerly() -> None:
    schema = build_schema()
    grid_field = schema._schema.get_type("Person").fields["grid"]  # type: ignore[union-attr]
    assert getattr(grid_field.resolve, "__wrapped__", None) is not None
