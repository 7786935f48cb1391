"""Full-text search: hits of any Node type, label filters in Cypher, text taken literally,
one-character texts answered, exact and prefix names first."""

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

# What an index holds for a plain text (no Lucene syntax in it), among some labels, ranked:
# the name (a case's title) equal to the text, starting with it, holding it, then the rest
# (address hits); within each by score.
INDEX_HITS = """
CALL db.index.fulltext.queryNodes($index, $text) YIELD node, score
WITH node, score, [l IN labels(node) WHERE l IN $labels][0] AS label
WHERE label IS NOT NULL
WITH node, score, label, coalesce(node.name, node.title) AS name
RETURN label, coalesce(node.id, node.code) AS key, score
ORDER BY CASE WHEN name = $text THEN 0 WHEN name STARTS WITH $text THEN 1
              WHEN name CONTAINS $text THEN 2 ELSE 3 END,
         score DESC, label, key
LIMIT $limit
"""

# Every node of some labels whose name or title holds a text, without any index.
HOLDING = """
MATCH (node) WHERE any(l IN labels(node) WHERE l IN $labels)
  AND (node.name CONTAINS $text OR node.title CONTAINS $text)
RETURN coalesce(node.name, node.title) AS name, [l IN labels(node) WHERE l IN $labels][0] AS label,
       coalesce(node.id, node.code) AS key
"""

ALL_LABELS = [NODE_TYPES[member.value][0].label for member in SearchType]
LUCENE_SPECIALS = ["+", "-", "&&", "||", "!", "(", ")", "{", "}", "[", "]", "^", '"', "~"]
LUCENE_SPECIALS += ["*", "?", ":", "\\", "/", " AND", " OR x", " NOT"]


def _key(node: dict[str, Any]) -> str:
    return str(node.get("personId") or node.get("code"))


def _hits(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(hit["node"]["__typename"], _key(hit["node"])) for hit in data["search"]]


async def _expected(
    graph: GraphClient, text: str, labels: list[str], limit: int, index: str = "search_text"
) -> list[Any]:
    params = {"index": index, "text": text, "labels": labels, "limit": limit}
    return [(row["label"], row["key"]) for row in await graph.read(INDEX_HITS, params)]


def _rank(name: str | None, text: str) -> int:
    """The tests' own ranking rule: equal, starts with, holds, neither."""
    name = name or ""
    return 0 if name == text else 1 if name.startswith(text) else 2 if text in name else 3


def _name(node: dict[str, Any]) -> str | None:
    return node.get("name") or node.get("title")


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


async def test_one_character_surname_finds_every_person_with_it_surnames_first(
    tiny: GraphClient, http: TestClient
) -> None:
    # given the commonest surname, and every person whose name holds that character
    [row] = await tiny.read(
        "MATCH (p:Person) RETURN left(p.name, 1) AS surname, count(*) AS n "
        "ORDER BY n DESC, surname LIMIT 1"
    )
    surname = row["surname"]
    holding = await tiny.read(HOLDING, {"text": surname, "labels": ["Person"]})
    assert row["n"] >= 2 and len(holding) <= 100
    # when persons are searched for the one character
    data = run(http, SEARCH, text=surname, types=["PERSON"], first=100)
    # then every one of them comes back, those named 王… before those with 王 further in
    assert {key for _, key in _hits(data)} == {r["key"] for r in holding}
    names = [hit["node"]["name"] for hit in data["search"]]
    assert [name.startswith(surname) for name in names] == [True] * row["n"] + [False] * (
        len(names) - row["n"]
    )
    # in the order of the one-character index, ranked
    assert _hits(data) == await _expected(tiny, surname, ["Person"], 100, "search_chars")
    # and a page of them is the start of the same list
    assert _hits(run(http, SEARCH, text=surname, types=["PERSON"], first=3)) == _hits(data)[:3]


async def test_one_character_word_finds_cases_by_title_title_starts_first(
    tiny: GraphClient, http: TestClient
) -> None:
    # given a character that begins some case titles and stands further in others
    rows = await tiny.read("MATCH (c:Case) RETURN DISTINCT c.title AS title")
    titles = [row["title"] for row in rows]
    counts = {
        char: (sum(t.startswith(char) for t in titles), sum(char in t[1:] for t in titles))
        for char in {c for t in titles for c in t}
    }
    char = min(c for c, (starts, within) in counts.items() if starts and within)
    holding = await tiny.read(HOLDING, {"text": char, "labels": ["Case"]})
    assert 2 <= len(holding) <= 100
    # when cases are searched for it
    data = run(http, SEARCH, text=char, types=["CASE"], first=100)
    # then every case whose title holds it comes back, titles starting with it first
    assert {key for _, key in _hits(data)} == {r["key"] for r in holding}
    ranks = [_rank(hit["node"]["title"], char) for hit in data["search"]]
    assert ranks == sorted(ranks) and set(ranks) == {1, 2}
    assert _hits(data) == await _expected(tiny, char, ["Case"], 100, "search_chars")


async def test_one_character_place_word_finds_places(tiny: GraphClient, http: TestClient) -> None:
    # given the last character of a street's name (街道 → 道, 镇)
    [street] = await tiny.read("MATCH (s:Street) RETURN s.name AS name ORDER BY s.code LIMIT 1")
    char = street["name"][-1]
    # when places are searched for it
    data = run(http, SEARCH, text=char, types=["STREET", "COMMUNITY", "GRID"], first=100)
    # then the street is among them
    assert street["name"] in [hit["node"]["name"] for hit in data["search"]]


@pytest.mark.parametrize("length", [1, 2, 3])
async def test_exact_names_then_prefixes_then_the_rest(
    tiny: GraphClient, http: TestClient, length: int
) -> None:
    # given the first characters of a resident's name (the whole name at length 3)
    name = await _a_resident_name(tiny)
    text = name[:length]
    # when everything is searched for them
    data = run(http, SEARCH, text=text, first=100)
    # then hits named exactly so come first, then names starting so, then names holding the
    # text, then the rest; by score within each
    ranks = [_rank(_name(hit["node"]), text) for hit in data["search"]]
    assert data["search"] and ranks == sorted(ranks)
    for rank in set(ranks):
        scores = [h["score"] for h, r in zip(data["search"], ranks, strict=True) if r == rank]
        assert scores == sorted(scores, reverse=True)
    assert ranks[0] == 0 if length == 3 else ranks[0] <= 1
