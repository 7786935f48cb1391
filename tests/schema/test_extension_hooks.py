"""Hooks looked up once per extension class (schema/extension_hooks.py) run exactly as
Strawberry's own lookup runs them: same hooks, same order, errors included."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from schema.extension_hooks import PreparedHooksRunner

events: list[str] = []


class Generators(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        events.append("generators operation enter")
        yield
        events.append("generators operation exit")

    def on_parse(self) -> Iterator[None]:
        events.append("generators parse enter")
        yield
        events.append("generators parse exit")

    def on_validate(self) -> Iterator[None]:
        events.append("generators validate enter")
        yield
        events.append("generators validate exit")

    def on_execute(self) -> Iterator[None]:
        events.append("generators execute enter")
        yield
        result = self.execution_context.result
        events.append(f"generators execute exit errors={bool(result and result.errors)}")


class AsyncAndPlain(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        events.append("async operation enter")
        yield
        events.append("async operation exit")

    def on_execute(self) -> None:  # type: ignore[override]  # a plain function: Strawberry wraps it
        events.append("plain execute")


class Refuses(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        events.append("refuses validate")
        raise ValueError("refused")
        yield  # pragma: no cover


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, fail: bool = False) -> str:
        if fail:
            raise ValueError("failed")
        return "hi"


class Prepared(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return PreparedHooksRunner(execution_context=execution_context, extensions=extensions)


async def _run(schema_class: type[strawberry.Schema], extensions: list[Any], query: str) -> Any:
    events.clear()
    schema = schema_class(query=Query, extensions=extensions)
    try:
        result = await schema.execute(query)
    except ValueError as error:
        return [*events, f"raised {error}"]
    return [*events, f"data={result.data} errors={[e.message for e in result.errors or []]}"]


async def test_prepared_hooks_run_as_strawberrys_own() -> None:
    cases: list[tuple[list[type[SchemaExtension]], str]] = [
        ([Generators, AsyncAndPlain], "{ hello }"),
        ([AsyncAndPlain, Generators], "{ hello(fail: true) }"),
        ([Generators], "{ nope }"),  # a validation error
        ([Generators, Refuses], "{ hello }"),  # a hook that raises
    ]
    for extensions, query in cases:
        ours = await _run(Prepared, extensions, query)
        theirs = await _run(strawberry.Schema, extensions, query)
        assert ours == theirs, (extensions, query)
        assert len(ours) > 3
    # the hooks did run: e.g. every phase of Generators around a successful request
    ours = await _run(Prepared, [Generators], "{ hello }")
    assert ours[0] == "generators operation enter" and ours[-2] == "generators operation exit"
    assert "generators validate exit" in ours and ours[-1] == "data={'hello': 'hi'} errors=[]"
