"""Migrations create every natural-key constraint and the cjk full-text index, idempotently."""

from __future__ import annotations

from graph.client import GraphClient
from graph.migrations import (
    NATURAL_KEYS,
    RANGE_INDEXES,
    SCHEMA,
    apply_migrations,
    pending_migrations,
)

SHOW_SCHEMA = """
SHOW INDEXES YIELD name, type, labelsOrTypes, properties, options, state
RETURN name, type, labelsOrTypes, properties, options, state ORDER BY name
"""


async def test_every_natural_key_has_a_uniqueness_constraint(graph: GraphClient) -> None:
    rows = await graph.read(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties RETURN * "
        "ORDER BY labelsOrTypes[0], properties[0]"
    )
    unique = {
        (row["labelsOrTypes"][0], row["properties"][0])
        for row in rows
        if row["type"] == "UNIQUENESS"
    }
    assert unique >= set(NATURAL_KEYS)


async def test_fulltext_index_uses_the_cjk_analyser(graph: GraphClient) -> None:
    rows = await graph.read(SHOW_SCHEMA)
    fulltext = [row for row in rows if row["type"] == "FULLTEXT"]
    assert [row["name"] for row in fulltext] == ["search_text"]
    assert fulltext[0]["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"
    assert {"Person", "Grid", "Case"} <= set(fulltext[0]["labelsOrTypes"])


async def test_running_migrations_twice_changes_nothing(graph: GraphClient) -> None:
    # given a migrated database
    before = await graph.read(SHOW_SCHEMA)
    # when the migrations run again
    created = await apply_migrations(graph)
    # then nothing is created and the schema is identical
    assert created == []
    assert await graph.read(SHOW_SCHEMA) == before
    assert await pending_migrations(graph) == []
    assert len(before) >= len(SCHEMA)


async def test_filter_and_sort_keys_have_range_indexes(graph: GraphClient) -> None:
    rows = await graph.read(SHOW_SCHEMA)
    ranged = {
        (row["labelsOrTypes"][0], row["properties"][0])
        for row in rows
        if row["type"] == "RANGE" and row["state"] == "ONLINE"
    }
    assert ranged >= set(RANGE_INDEXES)
