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


async def test_cases_written_before_holders_were_stored_get_them_from_their_timeline(
    empty_graph: GraphClient,
) -> None:
    # given cases without currentLevel/assignee: one whose timeline reached the street, one
    # with a work order of a department, one without events
    await empty_graph.write(
        "CREATE (g:Grid {code: '370811001002003'}), (d:Department {code: '370811D05'}) "
        "CREATE (a:Case {code: 'c-street'})-[:OCCURRED_IN]->(g), "
        "       (a)-[:HAS_EVENT]->(:CaseEvent {id: 'a1', seq: 1, level: 'grid'}), "
        "       (a)-[:HAS_EVENT]->(:CaseEvent {id: 'a2', seq: 2, level: 'street'}) "
        "CREATE (b:Case {code: 'c-order'})-[:OCCURRED_IN]->(g), "
        "       (b)-[:HAS_EVENT]->(:CaseEvent {id: 'b1', seq: 1, level: 'department'}), "
        "       (b)-[:ESCALATED_TO {at: datetime(), level: 'department'}]->(d) "
        "CREATE (:Case {code: 'c-bare'})-[:OCCURRED_IN]->(g)"
    )
    # when the migrations run (twice: the second changes nothing)
    await apply_migrations(empty_graph)
    await empty_graph.write("MATCH (c:Case {code: 'c-bare'}) SET c.assignee = 'kept'")
    await apply_migrations(empty_graph)
    rows = await empty_graph.read(
        "MATCH (c:Case) RETURN c.code AS code, c.currentLevel AS level, c.assignee AS assignee "
        "ORDER BY code"
    )
    # then each is held where its timeline left it
    assert [(row["code"], row["level"], row["assignee"]) for row in rows] == [
        ("c-bare", "grid", "kept"),
        ("c-order", "department", "370811D05"),
        ("c-street", "street", "370811001"),
    ]


async def test_residence_periods_ended_before_they_had_their_own_type_become_resided_in(
    empty_graph: GraphClient,
) -> None:
    # given a person with an ended period written as RESIDES_IN with `until`, and a current one
    await empty_graph.write(
        "CREATE (g:Grid {code: '370811001002003'}), (h:Grid {code: '370811001002004'}) "
        "CREATE (p:Person {id: 'p1'}) "
        "CREATE (p)-[:RESIDES_IN {since: date('2020-01-01'), until: date('2023-05-01'), "
        "        leftBecause: 'moved', address: 'old'}]->(g) "
        "CREATE (p)-[:RESIDES_IN {since: date('2023-05-01'), address: 'new'}]->(h)"
    )
    # when the migrations run twice
    await apply_migrations(empty_graph)
    await apply_migrations(empty_graph)
    rows = await empty_graph.read(
        "MATCH (:Person {id: 'p1'})-[r]->(g:Grid) RETURN type(r) AS type, g.code AS grid, "
        "toString(r.since) AS since, toString(r.until) AS until, r.leftBecause AS why, "
        "r.address AS address ORDER BY since"
    )
    # then the ended period keeps its properties under RESIDED_IN; the current one is unchanged
    assert rows == [
        {
            "type": "RESIDED_IN",
            "grid": "370811001002003",
            "since": "2020-01-01",
            "until": "2023-05-01",
            "why": "moved",
            "address": "old",
        },
        {
            "type": "RESIDES_IN",
            "grid": "370811001002004",
            "since": "2023-05-01",
            "until": None,
            "why": None,
            "address": "new",
        },
    ]
