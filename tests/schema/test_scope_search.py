"""Row scope of the lookups that do not go through the loaders: full-text search, the
`districts` list and personByIdCard. A scoped principal gets only what is visible within its
scope, and a person outside it is NOT_FOUND exactly like a number nobody has.

What is visible is decided here with the tests' own Cypher and Python (places inside or
above the scope, cases by their grid, persons by the grids they are tied to), not with
graph/scope.py.
"""

from __future__ import annotations

from typing import Any, LiteralString

import pytest

from graph.client import GraphClient
from graph.personal_data import Identifier, id_card_check_digit
from resolvers.principal import Principal, Role
from schema.query import NODE_TYPES
from schema.search import SearchType
from tests.principals import RecordingGraph, data_as, execute_as, principal
from tests.schema.conftest import SEED_KEY

SEARCH = """
query Search($text: String!, $types: [SearchType!], $first: Int) {
  search(text: $text, types: $types, first: $first) {
    score
    node {
      __typename
      ... on Person { personId }
      ... on Place { code }
      ... on Case { code }
    }
  }
}
"""

DISTRICTS = "{ districts { code name } }"

BY_ID_CARD = """
query ByIdCard($idCard: String!) {
  personByIdCard(idCard: $idCard) { personId name idCardMasked }
}
"""

EVERY_LOOKUP = """
query All($text: String!, $idCard: String!) {
  search(text: $text) { score }
  districts { code }
  personByIdCard(idCard: $idCard) { personId }
}
"""

# Every hit of an index for a plain text among all searchable labels, best first: the name
# (a case's title) equal to the text, starting with it, holding it, the rest; then by score.
INDEX_HITS: LiteralString = """
CALL db.index.fulltext.queryNodes($index, $text) YIELD node, score
WITH node, score, [l IN labels(node) WHERE l IN $labels][0] AS label
WHERE label IS NOT NULL
WITH node, score, label, coalesce(node.name, node.title) AS name
RETURN label, coalesce(node.id, node.code) AS key, score
ORDER BY CASE WHEN name = $text THEN 0 WHEN name STARTS WITH $text THEN 1
              WHEN name CONTAINS $text THEN 2 ELSE 3 END,
         score DESC, label, key
"""

# The places a case or a person is tied to (a case: where it occurred; a person: residence,
# work, support, a case they took part in, or what the organisations they serve cover).
TIES: LiteralString = """
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid)
RETURN 'Case' AS label, c.code AS key, [g.code] AS grids
UNION ALL
MATCH (p:Person)
RETURN 'Person' AS label, p.id AS key,
  [(p)-[:RESIDES_IN|WORKS_GRID|SUPPORTS]->(g:Grid) | g.code]
  + [(p)-[:PARTY_TO|REPORTED_BY|HANDLED_BY]-(:Case)-[:OCCURRED_IN]->(g:Grid) | g.code]
  + [(p)-[:MEMBER_OF|SECRETARY_OF|INSTRUCTS]->()-[:COVERS]->(place) | place.code]
  AS grids
"""

# A resident of one community not tied to any grid of another, with what rebuilds the
# number: the masked form shows its first 6 and last 4 characters, the birth date the rest.
RESIDENT_ONLY_OF: LiteralString = """
MATCH (p:Person)-[:RESIDES_IN]->(g:Grid)
WHERE g.code STARTS WITH $home
  AND NOT EXISTS {
    MATCH (p)-[:RESIDES_IN|WORKS_GRID|SUPPORTS|PARTY_TO|REPORTED_BY|HANDLED_BY]-()
          -[:OCCURRED_IN*0..1]->(x:Grid)
    WHERE x.code STARTS WITH $other
  }
  AND NOT EXISTS {
    MATCH (p)-[:MEMBER_OF|SECRETARY_OF|INSTRUCTS]->()-[:COVERS]->(place)
    WHERE place.code STARTS WITH $other
  }
RETURN p.id AS id, p.idCardMasked AS masked, p.birthDate AS born
ORDER BY p.id LIMIT 1
"""

HASH_TAKEN: LiteralString = "MATCH (p:Person {idCardHash: $hash}) RETURN count(p) AS n"

LABELS = [NODE_TYPES[member.value][0].label for member in SearchType]
TYPE_OF_LABEL = {NODE_TYPES[m.value][0].label: m.name for m in SearchType}


@pytest.fixture(scope="module")
async def communities(tiny: GraphClient) -> list[str]:
    """The seed's community codes, in order (the tiny seed has two)."""
    rows = await tiny.read("MATCH (c:Community) RETURN c.code AS code ORDER BY code")
    codes = [row["code"] for row in rows]
    assert len(codes) >= 2
    return codes


def investigator(*codes: str) -> Principal:
    return principal(Role.INVESTIGATOR, set(codes))


ADMIN = principal(Role.ADMIN)


def visible(label: str, key: str, ties: dict[str, list[str]], scope: set[str] | None) -> bool:
    """The tests' own rule: places inside or above the scope; cases and persons by grid."""
    if scope is None:
        return True
    if label in ("District", "Street", "Community", "Grid"):
        return any(key.startswith(s) or s.startswith(key) for s in scope)
    return any(g.startswith(s) for g in ties.get(key, []) for s in scope)


async def expected_hits(
    graph: GraphClient,
    text: str,
    scope: set[str] | None,
    first: int,
    labels: list[str],
    index: str = "search_text",
) -> list[tuple[str, str]]:
    ties = {row["key"]: row["grids"] for row in await graph.read(TIES)}
    rows = await graph.read(INDEX_HITS, {"index": index, "text": text, "labels": labels})
    hits = [(r["label"], r["key"]) for r in rows if visible(r["label"], r["key"], ties, scope)]
    return hits[:first]


def _hits(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (hit["node"]["__typename"], str(hit["node"].get("personId") or hit["node"]["code"]))
        for hit in data["search"]
    ]


async def _texts(graph: GraphClient, communities: list[str]) -> list[str]:
    """Each community's name, and the given name of a resident of each (hits everywhere)."""
    names = await graph.read(
        "MATCH (c:Community) WHERE c.code IN $codes RETURN c.name AS name ORDER BY c.code",
        {"codes": communities[:2]},
    )
    people = await graph.read(
        "UNWIND $codes AS code MATCH (p:Person)-[:RESIDES_IN]->(g:Grid) "
        "WHERE g.code STARTS WITH code AND size(p.name) = 3 "
        "WITH code, p ORDER BY p.id RETURN code, collect(p.name)[0] AS name",
        {"codes": communities[:2]},
    )
    return [row["name"][:2] for row in names] + [row["name"][1:] for row in people]


async def test_search_returns_only_hits_inside_the_scope_best_first(
    tiny: GraphClient, communities: list[str]
) -> None:
    # given texts matching places, persons and cases of both communities
    texts = await _texts(tiny, communities)
    first_grid = communities[0] + "001"
    for who, scope in (
        (investigator(communities[0]), {communities[0]}),
        (investigator(first_grid), {first_grid}),
        (ADMIN, None),
    ):
        found = 0
        for text in texts:
            for first in (100, 5):
                # when each principal searches (all types, at most `first` hits)
                data = await data_as(tiny, who, SEARCH, text=text, first=first)
                # then the hits are the visible ones among the index's, ranked, then cut
                expected = await expected_hits(tiny, text, scope, first, LABELS)
                assert _hits(data) == expected, (who.subject, text, first)
                found += len(expected)
        assert found, who.subject
    # and one community's investigator finds none of the other community's places
    other = texts[1]
    mine = await data_as(tiny, investigator(communities[0]), SEARCH, text=other, first=100)
    theirs = await data_as(tiny, ADMIN, SEARCH, text=other, first=100)
    assert ("Community", communities[1]) in _hits(theirs)
    assert not [key for _, key in _hits(mine) if key.startswith(communities[1])]


async def test_one_character_surname_finds_only_the_persons_inside_the_scope(
    tiny: GraphClient, communities: list[str]
) -> None:
    # given the commonest surname of the seed, borne in both communities
    [row] = await tiny.read(
        "MATCH (p:Person) RETURN left(p.name, 1) AS surname, count(*) AS n "
        "ORDER BY n DESC, surname LIMIT 1"
    )
    surname = row["surname"]
    ties = {r["key"]: r["grids"] for r in await tiny.read(TIES)}
    bearers = await tiny.read(
        "MATCH (p:Person) WHERE p.name STARTS WITH $surname RETURN p.id AS id",
        {"surname": surname},
    )
    seen: list[set[tuple[str, str]]] = []
    for who, scope in (
        (investigator(communities[0]), {communities[0]}),
        (investigator(communities[1]), {communities[1]}),
        (ADMIN, None),
    ):
        # when each principal searches persons for the one character
        data = await data_as(tiny, who, SEARCH, text=surname, types=["PERSON"], first=100)
        hits = _hits(data)
        # then the hits are the visible ones of the one-character index, ranked
        expected = await expected_hits(tiny, surname, scope, 100, ["Person"], "search_chars")
        assert hits == expected, who.subject
        # every bearer of the surname visible to it among them, and nobody outside its scope
        mine = {r["id"] for r in bearers if visible("Person", r["id"], ties, scope)}
        assert mine and mine <= {key for _, key in hits}, who.subject
        assert all(visible(label, key, ties, scope) for label, key in hits), who.subject
        seen.append(set(hits))
    # and the two communities' investigators see different bearers
    assert seen[0] != seen[1]


async def test_types_and_scope_narrow_together(tiny: GraphClient, communities: list[str]) -> None:
    # given a community's name
    texts = await _texts(tiny, communities)
    scope = {communities[1]}
    for labels in (["Person"], ["Grid", "Community"], ["Case", "Street"]):
        # when its investigator searches only some types
        types = [TYPE_OF_LABEL[label] for label in labels]
        data = await data_as(tiny, investigator(*scope), SEARCH, text=texts[1], types=types)
        # then the hits are those of these types visible to it, the default 20 at most
        assert _hits(data) == await expected_hits(tiny, texts[1], scope, 20, labels)


async def test_districts_are_those_inside_or_above_the_scope(
    tiny: GraphClient, communities: list[str]
) -> None:
    # given every district
    rows = await tiny.read("MATCH (d:District) RETURN d.code AS code, d.name AS name")
    every = sorted(rows, key=lambda row: row["code"])
    district = communities[0][:6]
    # when the admin, an investigator of a community and one of another district list them
    admin = await data_as(tiny, ADMIN, DISTRICTS)
    mine = await data_as(tiny, investigator(communities[0]), DISTRICTS)
    elsewhere = await data_as(tiny, investigator(str(int(district) + 1)), DISTRICTS)
    # then the admin gets all, the community its own district, the other district nothing
    assert admin["districts"] == every
    assert mine["districts"] == [row for row in every if row["code"] == district]
    assert elsewhere["districts"] == []


def _number(person: dict[str, Any]) -> str:
    masked = person["masked"]
    return f"{masked[:6]}{person['born']:%Y%m%d}{masked[-4:]}"


async def _nobodys_number(graph: GraphClient, like: str) -> str:
    """A valid number with the same birth date whose blind index nobody holds."""
    for serial in range(999, 0, -1):
        first17 = f"{like[:14]}{serial:03d}"
        candidate = first17 + id_card_check_digit(first17)
        digest = SEED_KEY.blind_index(Identifier.ID_CARD, candidate)
        if (await graph.read(HASH_TAKEN, {"hash": digest}))[0]["n"] == 0:
            return candidate
    raise AssertionError("every serial is taken")


async def test_a_person_outside_the_scope_is_not_found_by_id_card_like_nobody(
    tiny: GraphClient, communities: list[str]
) -> None:
    # given a resident of each community tied to nothing in the other
    a, b = communities[:2]
    [in_a] = await tiny.read(RESIDENT_ONLY_OF, {"home": a, "other": b})
    [in_b] = await tiny.read(RESIDENT_ONLY_OF, {"home": b, "other": a})
    nobody = await _nobodys_number(tiny, _number(in_b))
    who = investigator(a)
    # when community A's investigator looks up B's resident, and a number nobody has
    data, errors = await execute_as(tiny, who, BY_ID_CARD, idCard=_number(in_b))
    unknown_data, unknown_errors = await execute_as(tiny, who, BY_ID_CARD, idCard=nobody)
    # then both answers are the same NOT_FOUND
    assert (data, errors) == (unknown_data, unknown_errors)
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
    # while A's own resident is found, and the admin finds both
    mine = await data_as(tiny, who, BY_ID_CARD, idCard=_number(in_a))
    assert mine["personByIdCard"]["personId"] == in_a["id"]
    for person in (in_a, in_b):
        found = await data_as(tiny, ADMIN, BY_ID_CARD, idCard=_number(person))
        assert found["personByIdCard"]["personId"] == person["id"]


async def test_every_read_is_scoped_for_investigators_and_unscoped_for_admins(
    tiny: GraphClient, communities: list[str]
) -> None:
    # given a resident's number and a text
    a, b = communities[:2]
    [person] = await tiny.read(RESIDENT_ONLY_OF, {"home": a, "other": b})
    texts = await _texts(tiny, communities)
    for who, scope in ((investigator(a), [a]), (ADMIN, None)):
        # when one document searches, lists districts and looks the person up
        recording = RecordingGraph(tiny)
        await data_as(recording, who, EVERY_LOOKUP, text=texts[0], idCard=_number(person))
        # then every read carries the investigator's scope, and none the admin's
        assert recording.reads
        for query, params in recording.reads:
            assert ("$scope" in query) == (scope is not None), query
            assert params.get("scope") == scope
