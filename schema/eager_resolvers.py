"""Async resolvers that finish without waiting answer synchronously.

A relationship field's resolver is `async def` (it may have to read through a loader), but
under a compiled root field it finds its answer prefetched and never waits for anything.
graphql-core cannot know that: an async resolver's coroutine is an awaitable, so every
object with such a field completes asynchronously, and a list of them is gathered as one
task per item. For a person's 50 cases with their parties that is 50 tasks, each a trip
through the event loop, to build values that were ready.

`run_eagerly` wraps each async resolver of the schema: the coroutine is started at once,
and when it returns before its first real wait, its value is handed to graphql-core as a
plain result, exactly as a sync resolver's would be. A coroutine that does wait (a loader,
a root field's query) is handed on as an awaitable that carries on from where it stopped,
so its result, its errors and its cancellation are those of the coroutine itself.

Errors raised before the first wait reach graphql-core as a sync resolver's errors do; it
reports both kinds the same way, at the field's path (only the order of several errors in
one response can differ, which GraphQL leaves open).
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Callable, Generator
from typing import Any

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from resolvers.relations import DEFINITION

Resolver = Callable[..., Any]


@types.coroutine
def _carry_on(
    coroutine: types.CoroutineType[Any, Any, Any], waiting_on: Any
) -> Generator[Any, Any, Any]:
    """Await the rest of `coroutine`, which stopped waiting on `waiting_on`: what the task
    running us sends or throws in goes to the coroutine, what it waits on goes to the task."""
    while True:
        if asyncio.isfuture(waiting_on):
            waiting_on._asyncio_future_blocking = True  # handed on: the task takes it now
        try:
            sent = yield waiting_on
        except GeneratorExit:
            coroutine.close()
            raise
        except BaseException as thrown:  # cancellation, for one, goes to the coroutine
            try:
                waiting_on = coroutine.throw(thrown)
            except StopIteration as done:
                return done.value
        else:
            try:
                waiting_on = coroutine.send(sent)
            except StopIteration as done:
                return done.value


def eager(resolve: Resolver) -> Resolver:
    """`resolve`, answering synchronously when its coroutine finishes without waiting."""

    def resolve_eagerly(source: Any, info: Any, **arguments: Any) -> Any:
        result = resolve(source, info, **arguments)
        if type(result) is not types.CoroutineType:
            return result
        try:
            waiting_on = result.send(None)
        except StopIteration as done:
            return done.value
        if asyncio.isfuture(waiting_on):
            # An awaited future is flagged until a task takes it, and while flagged nobody
            # else may await it. Held here as a task would hold it, so that other resolvers
            # can await the same future (a loader's cached key); flagged again when handed on.
            waiting_on._asyncio_future_blocking = False
        return _carry_on(result, waiting_on)

    resolve_eagerly.__wrapped__ = resolve  # type: ignore[attr-defined]
    return resolve_eagerly


def run_eagerly(schema: GraphQLSchema) -> int:
    """Wrap every async resolver of `schema` with `eager`; returns how many were wrapped."""
    wrapped = 0
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for field in graphql_type.fields.values():
            definition = field.extensions.get(DEFINITION)
            resolve = field.resolve
            if resolve is None or not getattr(definition, "is_async", False):
                continue
            if getattr(resolve, "__wrapped__", None) is not None:
                continue  # already eager
            field.resolve = eager(resolve)
            wrapped += 1
    return wrapped
