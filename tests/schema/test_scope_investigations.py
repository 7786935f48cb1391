"""Row scope of the investigations (disputeNetwork, networkAnalysis, connections,
relatedCasesOf, conflictsOfInterest, escalationPath), probed across scopes with the
structures the tiny seed plants: a family feud whose cases alternate between two grids of
one community, and a mediator who mediates in one of them and is a party in the other.

What a principal may see is checked here with the tests' own Cypher (the grids a case or a
person is tied to), not with graph/scope.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, LiteralString

import pytest

from graph.client import GraphClient
from graph.maintenance import delete_everything
from resolvers.principal import Principal, Role
from schema.relay import global_id
from seeds.loader import SeedReport, seed_graph
from seeds.plan import Scale
from tests.principals import RecordingGraph, data_as, execute_as, principal
from tests.schema.conftest import SEED_KEY

NETWORK = """
query Network($center: ID!, $hops: Int, $maxNodes: Int) {
  disputeNetwork(center: $center, hops: $hops, maxNodes: $maxNodes) {
    nodes { id type properties }
    edges { type source target }
    truncated
  }
}
"""

ANALYSIS = """
query Analysis($center: ID!, $hops: Int) {
  networkAnalysis(center: $center, hops: $hops, maxNodes: 1000) {
    persons { personId }
    clusters { members }
    truncated
  }
}
"""

CONNECTIONS = """
query Connections($from: ID!, $to: ID!, $maxHops: Int, $via: [ConnectionType!]) {
  connections(from: $from, to: $to, maxHops: $maxHops, via: $via) {
    shortest { length nodes { id } }
    allShortest { length nodes { id type } }
  }
}
"""

RELATED = """
query Related($case: String!) {
  relatedCasesOf(case: $case, windowDays: 365) { reasons case { code } }
}
"""

CONFLICTS = """
query Conflicts($place: String) {
  conflictsOfInterest(place: $place, first: 200) {
    reason roles person { personId } case { code } via { code }
  }
}
"""

ESCALATION = """
query Escalation($case: String!) {
  escalationPath(case: $case) {
    case { code }
    levels { level placeCode enteredAt leftAt seconds current }
    totalSeconds
  }
}
"""

EVERY_INVESTIGATION = """
query All($case: String!, $center: ID!, $to: ID!) {
  disputeNetwork(center: $center) { truncated }
  networkAnalysis(center: $center) { truncated }
  connections(from: $center, to: $to) { shortest { length } }
  relatedCasesOf(case: $case) { case { code } }
  conflictsOfInterest { reason }
  escalationPath(case: $case) { totalSeconds }
}
"""

# The grids each case and each person is tied to: a case by where it occurred; a person by
# residence, work, support, taking part in a case (party, reporter, handler), or serving an
# organisation (party organisation, committee) that covers a place (its code).
TIES: LiteralString = """
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid)
RETURN 'Case' AS type, c.code AS key, [g.code] AS grids
UNION ALL
MATCH (p:Person)
RETURN 'Person' AS type, p.id AS key,
  [(p)-[:RESIDES_IN|WORKS_GRID|SUPPORTS]->(g:Grid) | g.code]
  + [(p)-[:PARTY_TO|REPORTED_BY|HANDLED_BY]-(:Case)-[:OCCURRED_IN]->(g:Grid) | g.code]
  + [(p)-[:MEMBER_OF|SECRETARY_OF|INSTRUCTS]->()-[:COVERS]->(place) | place.code]
  AS grids
"""

# Persons and cases reachable from a case over paths made only of the given keys.
REACHABLE: LiteralString = """
MATCH (c:Case {code: $centre})
MATCH p = (c)-[:PARTY_TO|FAMILY|RELATED_TO|HANDLED_BY*0..3]-(n)
WHERE all(x IN nodes(p) WHERE (x:Person AND x.id IN $persons) OR (x:Case AND x.code IN $cases))
RETURN DISTINCT CASE WHEN n:Person THEN 'Person' ELSE 'Case' END AS type,
  coalesce(n.id, n.code) AS key
"""

# Shortest RELATED_TO paths between two cases through the given cases only.
SHORTEST_THROUGH: LiteralString = """
MATCH (a:Case {code: $from}), (b:Case {code: $to})
MATCH p = allShortestPaths((a)-[:RELATED_TO*1..4]-(b))
WHERE all(x IN nodes(p) WHERE x.code IN $cases)
RETURN [x IN nodes(p) | x.code] AS codes
"""

PLACE_OF_CASE: LiteralString = (
    "MATCH (:Case {code: $code})-[:OCCURRED_IN]->(g:Grid) RETURN g.code AS grid"
)


@dataclass(frozen=True)
class Scopes:
    """Codes taken from what the seed planted: the feud's two grids and their community."""

    grid_a: str
    grid_b: str
    community_a: str
    community_b: str


@pytest.fixture(scope="module")
async def seeded(graph: GraphClient) -> AsyncIterator[SeedReport]:
    """The tiny seed, with the report of what it planted."""
    await delete_everything(graph)
    yield await seed_graph(graph, SEED_KEY, Scale.TINY, progress=False)


@pytest.fixture(scope="module")
async def scopes(seeded: SeedReport, graph: GraphClient) -> Scopes:
    grid_a, grid_b = seeded.planted.feud_grids[0]
    assert grid_a[:12] == grid_b[:12]
    [other] = await graph.read(
        "MATCH (c:Community) WHERE c.code <> $code RETURN c.code AS code ORDER BY code LIMIT 1",
        {"code": grid_a[:12]},
    )
    return Scopes(grid_a, grid_b, grid_a[:12], other["code"])


def inside(grids: Iterable[str], scope: set[str] | None) -> bool:
    """Some grid lies inside the scope (codes nest); everything does for an unscoped one."""
    return scope is None or any(g.startswith(s) for g in grids for s in scope)


async def visible_keys(graph: GraphClient, scope: set[str] | None) -> dict[str, set[str]]:
    """The person ids and case codes tied to a grid inside the scope, by type."""
    found: dict[str, set[str]] = {"Person": set(), "Case": set()}
    for row in await graph.read(TIES):
        if inside(row["grids"], scope):
            found[row["type"]].add(row["key"])
    return found


def investigator(*codes: str) -> Principal:
    return principal(Role.INVESTIGATOR, set(codes))


ADMIN = principal(Role.ADMIN)


def _key(node: dict[str, Any]) -> str:
    props = node["properties"]
    return str(props.get("id") if node["type"] == "Person" else props["code"])


def _drawn(network: dict[str, Any], *types: str) -> set[tuple[str, str]]:
    return {(n["type"], _key(n)) for n in network["nodes"] if n["type"] in types}


async def _network(graph: GraphClient, who: Principal, centre: str, **more: Any) -> Any:
    data = await data_as(graph, who, NETWORK, center=global_id("Case", centre), hops=3, **more)
    return data["disputeNetwork"]


async def test_network_walks_only_through_the_scope(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given the first feud case (grid A), whose network reaches the feud cases of grid B
    feud = seeded.planted.family_feuds[0]
    scope = {scopes.grid_a}
    assert [r["grid"] for r in await graph.read(PLACE_OF_CASE, {"code": feud[0]})] == [
        scopes.grid_a
    ]
    everything = await _network(graph, ADMIN, feud[0], maxNodes=1000)
    assert ("Case", feud[1]) in _drawn(everything, "Case")
    # when an investigator of grid A draws it
    network = await _network(graph, investigator(scopes.grid_a), feud[0], maxNodes=1000)
    # then its persons and cases are exactly those reachable through visible ones only
    visible = await visible_keys(graph, scope)
    expected = await graph.read(
        REACHABLE,
        {"centre": feud[0], "persons": sorted(visible["Person"]), "cases": sorted(visible["Case"])},
    )
    assert _drawn(network, "Person", "Case") == {(r["type"], r["key"]) for r in expected}
    assert ("Case", feud[1]) not in _drawn(network, "Case")
    # and the grids drawn are inside (or above) the scope, edges join drawn nodes only
    assert all(code.startswith(scopes.grid_a) for _, code in _drawn(network, "Grid"))
    ids = {n["id"] for n in network["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in network["edges"])
    # and the admin's network is the unscoped walk
    every = await visible_keys(graph, None)
    unscoped = await graph.read(
        REACHABLE,
        {"centre": feud[0], "persons": sorted(every["Person"]), "cases": sorted(every["Case"])},
    )
    assert _drawn(everything, "Person", "Case") == {(r["type"], r["key"]) for r in unscoped}


async def test_truncated_and_the_bound_count_only_the_scope(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given the grid-A network of the first feud case, smaller than the admin's
    feud = seeded.planted.family_feuds[0]
    who = investigator(scopes.grid_a)
    size = len((await _network(graph, who, feud[0], maxNodes=1000))["nodes"])
    # when both draw it with maxNodes equal to the scoped size
    scoped = await _network(graph, who, feud[0], maxNodes=size)
    admin = await _network(graph, ADMIN, feud[0], maxNodes=size)
    # then only the admin's is cut: nodes outside the scope neither fill nor cut it
    assert (len(scoped["nodes"]), scoped["truncated"]) == (size, False)
    assert admin["truncated"]
    assert (await _network(graph, who, feud[0], maxNodes=size - 1))["truncated"]


async def test_network_analysis_ranks_only_persons_in_scope(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given the first feud case and what a grid-A investigator may see
    feud = seeded.planted.family_feuds[0]
    who = investigator(scopes.grid_a)
    visible = await visible_keys(graph, {scopes.grid_a})
    center = global_id("Case", feud[0])
    # when the network around it is analysed by the investigator and by the admin
    scoped = (await data_as(graph, who, ANALYSIS, center=center, hops=3))["networkAnalysis"]
    admin = (await data_as(graph, ADMIN, ANALYSIS, center=center, hops=3))["networkAnalysis"]
    # then the investigator's ranking and clusters hold the scoped network's persons only
    persons = {p["personId"] for p in scoped["persons"]}
    network = await _network(graph, who, feud[0], maxNodes=300)
    assert persons == {key for _, key in _drawn(network, "Person")}
    assert persons <= visible["Person"]
    assert sorted(m for c in scoped["clusters"] for m in c["members"]) == sorted(persons)
    # while the admin's holds persons outside the scope
    assert {p["personId"] for p in admin["persons"]} - visible["Person"]


def _same_error(error: dict[str, Any], key: str, unknown: dict[str, Any], other: str) -> None:
    """The two errors are the same but for the key they name."""
    assert json.dumps(error).replace(key, "?") == json.dumps(unknown).replace(other, "?")
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_a_start_outside_the_scope_is_not_found_like_an_unknown_one(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given an investigator of community B, and cases and a person tied only to community A
    who = investigator(scopes.community_b)
    visible = await visible_keys(graph, {scopes.community_b})
    feud = seeded.planted.family_feuds[0]
    disputant = seeded.planted.repeat_disputants[0]
    assert not set(feud) & visible["Case"] and disputant not in visible["Person"]
    case, person = feud[0], disputant
    nobody, no_case = "P-nobody", "RC1999-000000"
    centres = [("Case", case, no_case), ("Person", person, nobody)]
    probes = [
        *(
            (query, "center", kind, key, unknown)
            for query in (NETWORK, ANALYSIS)
            for kind, key, unknown in centres
        ),
        (RELATED, "case", "", case, no_case),
        (ESCALATION, "case", "", case, no_case),
    ]
    for query, argument, kind, key, unknown in probes:
        # when each is asked about, and an unknown key of the same kind
        value, missing = (global_id(kind, k) if kind else k for k in (key, unknown))
        _, errors = await execute_as(graph, who, query, **{argument: value})
        _, unknown_errors = await execute_as(graph, who, query, **{argument: missing})
        # then both get the same NOT_FOUND, but for the key they name
        [error], [expected] = errors, unknown_errors
        _same_error(error, key, expected, unknown)
    # and a connection to or from it is NOT_FOUND, as to or from nothing
    [in_b] = await graph.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid) WHERE g.code STARTS WITH $b "
        "RETURN c.code AS code ORDER BY code LIMIT 1",
        {"b": scopes.community_b},
    )
    mine, theirs, missing = (global_id("Case", c) for c in (in_b["code"], case, no_case))
    for (a, b), (x, y) in (((mine, theirs), (mine, missing)), ((theirs, mine), (missing, mine))):
        _, errors = await execute_as(graph, who, CONNECTIONS, **{"from": a, "to": b})
        _, expected_errors = await execute_as(graph, who, CONNECTIONS, **{"from": x, "to": y})
        assert errors == expected_errors
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"


def _paths(connections: dict[str, Any]) -> list[list[str]]:
    return sorted([n["id"] for n in path["nodes"]] for path in connections["allShortest"])


async def test_connections_pass_only_through_the_scope(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given the first and third feud cases (grid A), related through the second (grid B)
    feud = seeded.planted.family_feuds[0]
    ends = {"from": global_id("Case", feud[0]), "to": global_id("Case", feud[2])}
    variables = {**ends, "via": ["RELATED_TO"], "maxHops": 4}
    admin = (await data_as(graph, ADMIN, CONNECTIONS, **variables))["connections"]
    assert global_id("Case", feud[1]) in {n["id"] for n in admin["shortest"]["nodes"]}
    for scope in ({scopes.grid_a}, {scopes.community_a}):
        # when an investigator of grid A, then of the whole community, connects them
        found = await data_as(graph, investigator(*scope), CONNECTIONS, **variables)
        # then the paths are the shortest ones through cases inside the scope only
        visible = await visible_keys(graph, scope)
        rows = await graph.read(
            SHORTEST_THROUGH, {"from": feud[0], "to": feud[2], "cases": sorted(visible["Case"])}
        )
        expected = sorted([global_id("Case", c) for c in row["codes"]] for row in rows)
        assert _paths(found["connections"]) == expected
    # which for grid A is none at all, and for the community the admin's paths
    grid_only = await data_as(graph, investigator(scopes.grid_a), CONNECTIONS, **variables)
    assert grid_only["connections"] == {"shortest": None, "allShortest": []}
    assert _paths(found["connections"]) == _paths(admin)


async def test_related_cases_are_the_admins_inside_the_scope(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given the first feud case, related to cases of both grids
    feud = seeded.planted.family_feuds[0]
    admin = (await data_as(graph, ADMIN, RELATED, case=feud[0]))["relatedCasesOf"]
    visible = await visible_keys(graph, {scopes.grid_a})
    assert {r["case"]["code"] for r in admin} - visible["Case"]
    # when a grid-A investigator asks for them
    who = investigator(scopes.grid_a)
    related = (await data_as(graph, who, RELATED, case=feud[0]))["relatedCasesOf"]
    # then they are the admin's, in order and with their reasons, less those outside
    assert related == [r for r in admin if r["case"]["code"] in visible["Case"]]
    assert related


async def test_conflicts_of_interest_only_over_cases_in_the_scope(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given the planted mediator: handles a case in grid A, is a party to one in grid B
    planted = seeded.planted.mediator_parties[0]
    mark = (planted.mediator_id, planted.handled_case, planted.party_case)
    admin = (await data_as(graph, ADMIN, CONFLICTS))["conflictsOfInterest"]
    assert len(admin) < 200  # nothing cut by `first`

    def marks(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
        return {(r["person"]["personId"], r["case"]["code"], r["via"]["code"]) for r in rows}

    assert mark in marks(admin)
    grid_a_cases = (await visible_keys(graph, {scopes.grid_a}))["Case"]
    for scope in ({scopes.grid_a}, {scopes.grid_b}, {scopes.community_a}, {scopes.community_b}):
        # when an investigator lists the conflicts of interest
        who = investigator(*scope)
        rows = (await data_as(graph, who, CONFLICTS))["conflictsOfInterest"]
        # then they are the admin's whose case and via case are both inside the scope
        cases = (await visible_keys(graph, scope))["Case"]
        assert rows == [r for r in admin if {r["case"]["code"], r["via"]["code"]} <= cases]
        assert (mark in marks(rows)) == (scope == {scopes.community_a})
        # and `place` keeps those whose case is in that place
        in_grid = await data_as(graph, who, CONFLICTS, place=scopes.grid_a)
        expected = [r for r in rows if r["case"]["code"] in grid_a_cases]
        assert in_grid["conflictsOfInterest"] == expected


async def test_escalation_path_inside_the_scope_is_the_admins(
    scopes: Scopes, graph: GraphClient
) -> None:
    # given the most escalated case of community A
    [row] = await graph.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid) WHERE g.code STARTS WITH $a "
        "RETURN c.code AS code ORDER BY COUNT { (c)-[:ESCALATED_TO]->() } DESC, code LIMIT 1",
        {"a": scopes.community_a},
    )
    admin = await data_as(graph, ADMIN, ESCALATION, case=row["code"])
    assert len(admin["escalationPath"]["levels"]) > 1
    # when its community's investigator asks, then the path is the admin's
    assert (
        await data_as(graph, investigator(scopes.community_a), ESCALATION, case=row["code"])
        == admin
    )
    # and the other community's investigator is told it does not exist
    _, errors = await execute_as(
        graph, investigator(scopes.community_b), ESCALATION, case=row["code"]
    )
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]


async def test_every_read_is_scoped_for_investigators_and_unscoped_for_admins(
    seeded: SeedReport, scopes: Scopes, graph: GraphClient
) -> None:
    # given one document asking every investigation about a case of grid A
    feud = seeded.planted.family_feuds[0]
    variables = {
        "case": feud[0],
        "center": global_id("Case", feud[0]),
        "to": global_id("Case", feud[2]),
    }
    for who, scope in ((investigator(scopes.grid_a), [scopes.grid_a]), (ADMIN, None)):
        # when it runs
        recording = RecordingGraph(graph)
        await data_as(recording, who, EVERY_INVESTIGATION, **variables)
        # then every read carries the investigator's scope, and none the admin's
        assert recording.reads
        for query, params in recording.reads:
            assert ("$scope" in query) == (scope is not None), query
            assert params.get("scope") == scope
