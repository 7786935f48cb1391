"""Migrations create every natural-key constraint and the two full-text indexes, idempotently."""

from __future__ import annotations

from graph.client import GraphClient
from graph.migrations import (
    FULLTEXT_LABELS,
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
    fulltext = {row["name"]: row for row in rows if row["type"] == "FULLTEXT"}
    assert sorted(fulltext) == ["search_chars", "search_text"]
    bigrams = fulltext["search_text"]
    assert bigrams["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"
    assert {"Person", "Grid", "Case"} <= set(bigrams["labelsOrTypes"])
    assert bigrams["properties"] == ["name", "title", "address"]


async def test_one_character_index_holds_names_and_titles_character_by_character(
    graph: GraphClient,
) -> None:
    rows = await graph.read(SHOW_SCHEMA)
    [chars] = [row for row in rows if row["name"] == "search_chars"]
    assert chars["type"] == "FULLTEXT" and chars["state"] == "ONLINE"
    assert chars["options"]["indexConfig"]["fulltext.analyzer"] == "standard-no-stop-words"
    assert set(chars["labelsOrTypes"]) == set(FULLTEXT_LABELS)
    assert chars["properties"] == ["name", "title"]


async def test_the_one_character_index_covers_nodes_written_before_it(
    empty_graph: GraphClient,
) -> None:
    # given a person and a case written while the index did not exist
    await empty_graph.write("DROP INDEX search_chars")
    await empty_graph.write(
        "CREATE (:Person {id: 'p-old', name: '王小明'}), (:Case {code: 'c-old', title: '楼上漏水'})"
    )
    # when the migrations run
    created = await apply_migrations(empty_graph)
    # then the index is back and finds both by one character
    assert created == ["search_chars"]
    for text, key in (("王", "p-old"), ("水", "c-old")):
        rows = await empty_graph.read(
            "CALL db.index.fulltext.queryNodes('search_chars', $text) YIELD node "
            "RETURN coalesce(node.id, node.code) AS key",
            {"text": text},
        )
        assert [row["key"] for row in rows] == [key]


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
