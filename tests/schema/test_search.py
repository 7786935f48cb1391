"""Full-text search: hits of any Node type, label filters in Cypher, text taken literally."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graph import persons
from graph.client import GraphClient
from graph.search import search as graph_search
from schema.query import NODE_TYPES
from schema.search import SearchType
from server.round_trips import HEADER
from tests.schema.conftest import errors_of, run

SEARCH = """
query Search($text: String!, $types: [SearchType!], $first: Int) {
  search(text: $text, types: $types, first: $first) {
    score
    node {
      __typename
      id
      ... on Person { personId name idCardMasked }
      ... on Place { code name }
      ... on Case { code title }
    }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { id __typename } }
"""

# What the index holds for a plain text (no Lucene syntax in it), among some labels.
INDEX_HITS = """
CALL db.index.fulltext.queryNodes('search_text', $text) YIELD node, score
WITH node, score, [l IN labels(node) WHERE l IN $labels][0] AS label
WHERE label IS NOT NULL
RETURN label, coalesce(node.id, node.code) AS key, score
ORDER BY score DESC, label, key
LIMIT $limit
"""

ALL_LABELS = [NODE_TYPES[member.value][0].label for member in SearchType]
LUCENE_SPECIALS = ["+", "-", "&&", "||", "!", "(", ")", "{", "}", "[", "]", "^", '"', "~"]
LUCENE_SPECIALS += ["*", "?", ":", "\\", "/", " AND", " OR x", " NOT"]


def _key(node: dict[str, Any]) -> str:
    return str(node.get("personId") or node.get("code"))


def _hits(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(hit["node"]["__typename"], _key(hit["node"])) for hit in data["search"]]


async def _expected(graph: GraphClient, text: str, labels: list[str], limit: int) -> list[Any]:
    rows = await graph.read(INDEX_HITS, {"text": text, "labels": labels, "limit": limit})
    return [(row["label"], row["key"]) for row in rows]


async def _a_resident_name(graph: GraphClient) -> str:
    [row] = await graph.read(
        "MATCH (p:Resident) WHERE size(p.name) = 3 RETURN p.name AS name ORDER BY p.id LIMIT 1"
    )
    return str(row["name"])


async def test_a_name_finds_the_persons_the_index_ranks_first(
    tiny: GraphClient, http: TestClient
) -> None:
    # given a resident's three-character name
    name = await _a_resident_name(tiny)
    # when persons are searched for it
    data = run(http, SEARCH, text=name, types=["PERSON"], first=5)
    # then the hits are the index's best persons, in its order, with masked identifiers
    assert _hits(data) == await _expected(tiny, name, ["Person"], 5)
    assert name in [hit["node"]["name"] for hit in data["search"]]
    assert all("********" in hit["node"]["idCardMasked"] for hit in data["search"])
    scores = [hit["score"] for hit in data["search"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


async def test_every_type_comes_back_as_its_own_graphql_type(
    tiny: GraphClient, http: TestClient
) -> None:
    # given the name of a street (its party committee and mediation committee share words)
    [street] = await tiny.read("MATCH (s:Street) RETURN s.name AS name ORDER BY s.code LIMIT 1")
    # when everything is searched for it
    data = run(http, SEARCH, text=street["name"], first=20)
    # then only searchable types come back, as the index ranks them, the street among them
    assert _hits(data) == await _expected(tiny, street["name"], ALL_LABELS, 20)
    assert data["search"][0]["node"]["__typename"] == "Street"
    # and each hit's global ID leads back to the same object
    first = data["search"][0]["node"]
    assert run(http, NODE, id=first["id"])["node"] == {"id": first["id"], "__typename": "Street"}


async def test_types_filter_in_cypher(tiny: GraphClient, http: TestClient) -> None:
    # given a word every grid name holds (网格) and a limit smaller than the grids
    [row] = await tiny.read("MATCH (g:Grid) RETURN count(g) AS n")
    # when only grids are searched, at most n - 1
    data = run(http, SEARCH, text="网格", types=["GRID"], first=row["n"] - 1)
    # then exactly n - 1 grids come back: the filter ran before the LIMIT
    assert _hits(data) == await _expected(tiny, "网格", ["Grid"], row["n"] - 1)
    assert {hit["node"]["__typename"] for hit in data["search"]} == {"Grid"}
    assert len(data["search"]) == row["n"] - 1
    assert run(http, SEARCH, text="网格", types=[], first=5)["search"] == []


async def test_persons_come_back_without_hashes_or_ciphertexts(tiny: GraphClient) -> None:
    # given a resident's name; when the graph layer searches persons
    name = await _a_resident_name(tiny)
    specs = [NODE_TYPES[member.value][0] for member in SearchType]
    hits = await graph_search(tiny, specs, ["Person"], name, 10)
    # then each row holds only what PERSON lets readers see
    readable = {persons.PERSON.key, *persons.PERSON.properties, "roles"}
    assert hits and all(set(hit.node) <= readable for hit in hits)
    assert not any(key.endswith(("Hash", "Cipher")) for hit in hits for key in hit.node)


@pytest.mark.parametrize("special", LUCENE_SPECIALS)
async def test_lucene_syntax_in_the_text_neither_breaks_nor_widens_it(
    tiny: GraphClient, http: TestClient, special: str
) -> None:
    # given a resident's name with Lucene syntax appended
    name = await _a_resident_name(tiny)
    # when it is searched
    data = run(http, SEARCH, text=name + special, first=10)
    # then it finds what the name alone finds (the operator characters are literal)
    assert _hits(data) == _hits(run(http, SEARCH, text=name, first=10))
    # and alone it matches nothing at all
    assert run(http, SEARCH, text=special, first=10)["search"] == []


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "张" * 101}, "text"),
        ({"text": "网格", "first": 101}, "first"),
        ({"text": "网格", "first": -1}, "first"),
    ],
)
def test_blank_text_or_oversized_page_is_bad_user_input(
    tiny: GraphClient, http: TestClient, variables: dict[str, Any], argument: str
) -> None:
    [error] = errors_of(http, SEARCH, **variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument


def test_one_round_trip_whatever_the_number_of_hits(tiny: GraphClient, http: TestClient) -> None:
    # given searches returning 1 and 50 hits of several types (社区: communities, grids, and
    # the addresses of residents)
    for first in (1, 50):
        response = http.post(
            "/graphql", json={"query": SEARCH, "variables": {"text": "社区", "first": first}}
        )
        # then each costs one Cypher round trip (the projection is in the search query)
        assert "errors" not in response.json()
        assert len(response.json()["data"]["search"]) == first
        assert response.headers[HEADER] == "1"


def test_every_search_type_is_a_node_type_in_the_full_text_index() -> None:
    from graph.migrations import FULLTEXT_LABELS

    for member in SearchType:
        spec, _ = NODE_TYPES[member.value]
        assert spec.label in FULLTEXT_LABELS, member
