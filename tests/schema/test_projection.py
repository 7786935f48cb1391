"""Compiled reads project only the node properties a selection reads (resolvers/
projection.py); the differential suite (test_compiled_reads.py) proves the answers are the
loaders' answers, these tests pin the declarations and the narrowing itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLObjectType
from starlette.testclient import TestClient

from graph import cases, persons
from graph.client import GraphClient
from graph.traversal import NodeSpec, PartialRow
from resolvers.projection import projected, projection_of
from resolvers.relations import registry_of
from schema import build_schema
from tests.schema.conftest import run

SCHEMA = build_schema()._schema
REGISTRY = registry_of(SCHEMA)
DECLARED = ("Person", "Case")


def relationship_fields(type_name: str) -> set[str]:
    return {field for (owner, field) in REGISTRY if owner == type_name}


@pytest.mark.parametrize("type_name", DECLARED)
def test_every_field_of_a_declared_type_says_what_it_reads(type_name: str) -> None:
    """A field added without a declaration would read every property again (slower, never
    wrong): keep the declared types complete."""
    graphql_type = SCHEMA.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    projection = projection_of(type_name)
    assert projection is not None
    relationships = relationship_fields(type_name)
    undeclared = [
        name
        for name in graphql_type.fields
        if projection.properties_read([name], relationships) is None
    ]
    assert undeclared == []


def test_what_fields_read() -> None:
    person = projection_of("Person")
    assert person is not None
    relationships = relationship_fields("Person")
    assert person.properties_read(["name", "grid", "id"], relationships) == frozenset({"name"})
    assert person.properties_read(["birthYear", "phone"], relationships) == frozenset(
        {"birthDate", "phoneMasked"}
    )
    assert person.properties_read(["personId", "__typename"], relationships) == frozenset()
    assert person.properties_read(["name", "notAField"], relationships) is None


def test_a_declaration_naming_an_unknown_property_is_refused() -> None:
    with pytest.raises(ValueError, match="idCard"):
        projected(persons.PERSON, idCardNumber=("idCard",))


def test_a_narrowed_projection_keeps_the_key_and_roles() -> None:
    spec = NodeSpec("Person", "id", ("name", "gender"), with_roles=True)
    text = spec.projection("t", frozenset({"gender"}))
    assert text == "t {.id, .gender, roles: [l IN labels(t) WHERE l <> 'Person']}"
    assert spec.projection("t") == (
        "t {.id, .name, .gender, roles: [l IN labels(t) WHERE l <> 'Person']}"
    )
    assert cases.CASE.projection("c", frozenset()) == "c {.code}"


def test_a_property_left_out_reads_as_none() -> None:
    row = PartialRow({"id": "P1"})
    assert row["id"] == "P1"
    assert row["name"] is None
    assert row.get("name") is None


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The Cypher texts the app reads with (recorded on their way to the real Neo4j)."""
    texts: list[str] = []
    original = GraphClient.read

    async def recorded(self: GraphClient, query: Any, *args: Any, **kwargs: Any) -> Any:
        texts.append(query)
        return await original(self, query, *args, **kwargs)

    monkeypatch.setattr(GraphClient, "read", recorded)
    yield texts


CASES_WITH_PARTY_NAMES = """
query ($person: String!) {
  person(personId: $person) {
    name
    cases(first: 5) { edges { node { code status parties { role person { name } } } } }
  }
}"""


async def test_a_compiled_query_reads_only_the_selected_properties(
    tiny: GraphClient, http: TestClient, queries: list[str]
) -> None:
    [row] = await tiny.read(
        "MATCH (p:Person)-[:PARTY_TO]->(:Case) RETURN p.id AS id ORDER BY p.id LIMIT 1"
    )
    queries.clear()
    data = run(http, CASES_WITH_PARTY_NAMES, person=row["id"])
    edges = data["person"]["cases"]["edges"]
    assert edges and all(edge["node"]["parties"] for edge in edges)
    assert all(party["person"]["name"] for e in edges for party in e["node"]["parties"])
    [text] = [q for q in queries if "PARTY_TO" in q]
    assert "t {.code, .status}" in text
    assert "t {.id, .name, roles:" in text
    for unread in (".idCardMasked", ".phoneMasked", ".description", ".reportedAt}"):
        assert unread not in text


CASE_PAGE = """
query ($person: String!) {
  person(personId: $person) { cases(first: 2) { edges { node { code } } SELECTED } }
}"""


async def test_sort_keys_are_read_only_when_a_cursor_is_selected(
    tiny: GraphClient, http: TestClient, queries: list[str]
) -> None:
    [row] = await tiny.read(
        "MATCH (p:Person)-[:PARTY_TO]->(c:Case) WITH p, count(c) AS n WHERE n > 2"
        " RETURN p.id AS id ORDER BY p.id LIMIT 1"
    )
    queries.clear()
    run(http, CASE_PAGE.replace("SELECTED", ""), person=row["id"])
    with_cursor = CASE_PAGE.replace("SELECTED", "pageInfo { hasNextPage endCursor }")
    first = run(http, with_cursor, person=row["id"])["person"]["cases"]
    [without_keys, with_keys] = [q for q in queries if "PARTY_TO" in q]
    assert "keys:" not in without_keys
    assert "keys: [t.reportedAt, t.code]" in with_keys
    # the cursor made from those keys leads on to the next page
    page_after = """
    query ($person: String!, $after: String) {
      person(personId: $person) { cases(first: 2, after: $after) { edges { node { code } } } }
    }"""
    after = first["pageInfo"]["endCursor"]
    second = run(http, page_after, person=row["id"], after=after)["person"]["cases"]["edges"]
    everything = run(http, page_after.replace("first: 2", "first: 4"), person=row["id"])
    codes = [edge["node"]["code"] for edge in everything["person"]["cases"]["edges"]]
    assert [edge["node"]["code"] for edge in second] == codes[2:4]


MEMBERSHIP_KINDS_ONLY = """
query ($person: String!) {
  person(personId: $person) { name mediationCommittees { kind } cases(first: 2) { totalCount } }
}"""


async def test_a_relationship_whose_node_is_not_selected_reads_every_property(
    tiny: GraphClient, http: TestClient, queries: list[str]
) -> None:
    # given a mediator, asked only for the kind of each membership, not the committee
    [row] = await tiny.read(
        "MATCH (p:Person)-[:MEMBER_OF]->(:MediationCommittee) RETURN p.id AS id ORDER BY p.id"
        " LIMIT 1"
    )
    queries.clear()
    data = run(http, MEMBERSHIP_KINDS_ONLY, person=row["id"])

    # then the memberships answer (their builder makes the committee from the whole row)
    assert data["person"]["mediationCommittees"]
    [text] = [q for q in queries if "MediationCommittee" in q]
    assert "t {.code, .name, .level}" in text


SEARCH_PERSONS = """
query ($text: String!) {
  search(text: $text, types: [PERSON], first: 5) {
    score
    node { __typename ... on Person { personId name SELECTED } }
  }
}"""


async def test_search_reads_only_the_selected_properties_of_its_hits(
    tiny: GraphClient, http: TestClient, queries: list[str]
) -> None:
    [row] = await tiny.read("MATCH (p:Person) RETURN p.name AS name ORDER BY p.id LIMIT 1")
    queries.clear()
    narrow = run(http, SEARCH_PERSONS.replace("SELECTED", ""), text=row["name"])["search"]
    [text] = [q for q in queries if "queryNodes" in q]
    assert "hit {.id, .name, roles:" in text
    assert ".idCardMasked" not in text and ".birthDate" not in text
    queries.clear()
    selected = SEARCH_PERSONS.replace("SELECTED", "idCardMasked birthYear")
    wide = run(http, selected, text=row["name"])["search"]
    [text] = [q for q in queries if "queryNodes" in q]
    assert ".idCardMasked" in text and ".birthDate" in text
    assert narrow and any(hit["node"]["name"] == row["name"] for hit in narrow)
    assert all(hit["node"]["idCardMasked"] and hit["node"]["birthYear"] for hit in wide)
    assert [(h["score"], h["node"]["personId"], h["node"]["name"]) for h in narrow] == [
        (h["score"], h["node"]["personId"], h["node"]["name"]) for h in wide
    ]
