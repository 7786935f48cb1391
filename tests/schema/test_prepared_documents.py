"""Documents kept per text (schema/prepared_documents.py): a known document skips parsing and
validation, yet everything that depends on the request still runs, and a refused document is
never kept."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLError

from schema import build_schema
from schema.limits import Limits
from schema.prepared_documents import DocumentCache

PAGES = """
query Pages($first: Int, $inner: Int = 100) {
  persons(first: $first) { edges { node { cases(first: $inner) { edges { node {
    parties { person { name } }
  } } } } } }
}
"""
TOO_DEEP = '{ grid(code: "x") { ' + "community { grids { " * 5 + "code" + " } }" * 5 + " } }"


def codes(errors: list[GraphQLError] | None) -> list[Any]:
    return [(error.extensions or {}).get("code") for error in errors or ()]


@pytest.fixture
def documents() -> DocumentCache:
    return DocumentCache()


@pytest.fixture
def schema(documents: DocumentCache) -> strawberry.Schema:
    return build_schema(Limits(max_depth=10), documents=documents)


async def test_a_valid_document_is_kept_and_served_again_without_parsing(
    schema: strawberry.Schema, documents: DocumentCache
) -> None:
    first = await schema.execute("{ __typename }")
    assert first.errors is None and len(documents) == 1 and documents.hits == 0
    again = await schema.execute("{ __typename }")
    assert again.errors is None and again.data == first.data == {"__typename": "Query"}
    assert documents.hits == 1


async def test_a_kept_document_still_gets_the_per_request_checks(
    schema: strawberry.Schema, documents: DocumentCache
) -> None:
    # Cheap variables: the document passes every check and is kept (execution itself fails
    # here for want of a request context, which is not what this test is about).
    await schema.execute(PAGES, variable_values={"first": 1, "inner": 1})
    assert len(documents) == 1
    # The same text with expensive variables: served from the cache, refused by the budget.
    expensive = await schema.execute(PAGES, variable_values={"first": 100})
    assert documents.hits == 1
    assert codes(expensive.errors) == ["COST_LIMIT_EXCEEDED"]
    # ... and by the input bounds.
    too_long = await schema.execute(PAGES, variable_values={"first": 1, "inner": 10**12})
    assert documents.hits == 2
    assert "BAD_USER_INPUT" in codes(too_long.errors)


async def test_a_refused_document_is_never_kept_and_refused_alike_each_time(
    schema: strawberry.Schema, documents: DocumentCache
) -> None:
    answers = [await schema.execute(TOO_DEEP) for _ in range(2)]
    assert [codes(a.errors) for a in answers] == [["QUERY_TOO_DEEP"]] * 2
    assert [a.errors[0].message for a in answers if a.errors] == [
        "The operation is 12 levels deep; at most 10 are allowed."
    ] * 2
    syntax = [await schema.execute("{ districts { code }") for _ in range(2)]
    assert [codes(a.errors) for a in syntax] == [["GRAPHQL_PARSE_FAILED"]] * 2
    assert len(documents) == 0 and documents.hits == 0


def test_the_cache_is_bounded_in_entries_and_text_length() -> None:
    from graphql import parse

    cache = DocumentCache(entries=2, longest_text=40)
    for text in ("{ a }", "{ b }", "{ c }"):
        cache.keep(text, parse(text))
    assert len(cache) == 2 and cache.get("{ a }") is None and cache.get("{ c }") is not None
    long_text = "{ " + "x " * 30 + "}"
    cache.keep(long_text, parse(long_text))
    assert cache.get(long_text) is None
