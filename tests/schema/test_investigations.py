"""Investigations over GraphQL: dispute networks, connections, related cases, conflicts of
interest and escalation paths, on the tiny seed and the structures it plants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from starlette.testclient import TestClient

from graph.cases import CaseLevel
from graph.client import GraphClient
from graph.maintenance import delete_everything
from schema.relay import global_id
from seeds.loader import SeedReport, seed_graph
from seeds.plan import Scale
from tests.schema.conftest import SEED_KEY, errors_of, run

NETWORK = """
query Network($center: ID!, $hops: Int, $maxNodes: Int, $categories: [String!],
              $since: Date, $until: Date) {
  disputeNetwork(center: $center, hops: $hops, maxNodes: $maxNodes, categories: $categories,
                 since: $since, until: $until) {
    nodes { id type label properties }
    edges { id type source target properties }
    truncated
  }
}
"""

CONNECTIONS = """
query Connections($from: ID!, $to: ID!, $maxHops: Int, $via: [ConnectionType!]) {
  connections(from: $from, to: $to, maxHops: $maxHops, via: $via) {
    shortest { length nodes { id type } edges { type source target } }
    allShortest { length nodes { id } }
  }
}
"""

RELATED = """
query Related($case: String!, $windowDays: Int) {
  relatedCasesOf(case: $case, windowDays: $windowDays) { reasons case { code reportedAt } }
}
"""

CONFLICTS = """
query Conflicts($place: String, $first: Int) {
  conflictsOfInterest(place: $place, first: $first) {
    reason roles person { personId } case { code } via { code }
  }
}
"""

ESCALATION = """
query Escalation($case: String!) {
  escalationPath(case: $case) {
    case { code reportedAt closedAt }
    levels { level placeCode enteredAt leftAt seconds current }
    totalSeconds
  }
}
"""

SECRET_FIELDS = {"idCardHash", "idCardCipher", "phoneHash", "phoneCipher"}
LEVELS = [level.name for level in CaseLevel]


@pytest.fixture(scope="module")
async def seeded(graph: GraphClient) -> AsyncIterator[SeedReport]:
    """The tiny seed, with the report of what it planted."""
    await delete_everything(graph)
    yield await seed_graph(graph, SEED_KEY, Scale.TINY, progress=False)


def _codes(nodes: list[dict[str, object]], type_name: str) -> set[object]:
    return {n["properties"]["code"] for n in nodes if n["type"] == type_name}  # type: ignore[index]


async def test_network_holds_the_repeat_disputants_cases(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given a planted repeat disputant and the cases they are a party to
    disputant = seeded.planted.repeat_disputants[0]
    rows = await graph.read(
        "MATCH (:Person {id: $id})-[:PARTY_TO]->(c:Case) RETURN c.code AS code", {"id": disputant}
    )
    assert len(rows) >= 5
    # when an investigator draws the network around them
    network = run(http, NETWORK, center=global_id("Person", disputant), hops=2)["disputeNetwork"]
    # then every one of their cases is there, with its grid, and edges join drawn nodes
    assert {row["code"] for row in rows} <= _codes(network["nodes"], "Case")
    assert _codes(network["nodes"], "Grid")
    ids = {n["id"] for n in network["nodes"]}
    assert global_id("Person", disputant) in ids
    assert all(e["source"] in ids and e["target"] in ids for e in network["edges"])
    assert {"PARTY_TO", "OCCURRED_IN", "RELATED_TO"} <= {e["type"] for e in network["edges"]}
    assert not network["truncated"]
    # and no person carries a blind index or ciphertext
    for node in network["nodes"]:
        assert not SECRET_FIELDS & set(node["properties"])


async def test_network_case_filters(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given a feud case (category land) linked to its repeat-disputant neighbours
    first = seeded.planted.family_feuds[0][0]
    [row] = await graph.read("MATCH (c:Case {code: $c}) RETURN c.category AS cat", {"c": first})
    center = global_id("Case", first)
    # when only its category is asked for
    network = run(http, NETWORK, center=center, hops=3, categories=[row["cat"]])["disputeNetwork"]
    # then every case drawn has that category
    cats = {n["properties"]["category"] for n in network["nodes"] if n["type"] == "Case"}
    assert cats == {row["cat"]}
    # and an empty window leaves only the centre's persons around it
    empty = run(http, NETWORK, center=center, since="1990-01-01", until="1990-01-02")
    assert _codes(empty["disputeNetwork"]["nodes"], "Case") == {first}


async def test_network_is_bounded(seeded: SeedReport, http: TestClient) -> None:
    # given a repeat disputant, whose network is larger than five nodes
    center = global_id("Person", seeded.planted.repeat_disputants[0])
    # when maxNodes is small, then the network is cut and says so
    network = run(http, NETWORK, center=center, hops=4, maxNodes=5)["disputeNetwork"]
    assert network["truncated"] and len(network["nodes"]) == 5
    # and out-of-range bounds and wrong ids are refused
    for variables in ({"hops": 5}, {"hops": 0}, {"maxNodes": 5000}, {"maxNodes": 0}):
        [error] = errors_of(http, NETWORK, center=center, **variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    for bad in ("not base64!", global_id("Department", "370811D01")):
        [error] = errors_of(http, NETWORK, center=bad)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    [error] = errors_of(http, NETWORK, center=global_id("Person", "nobody"))
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_related_cases_find_the_cross_grid_feud(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given the planted feud: four cases between two households in two grids
    feud = seeded.planted.family_feuds[0]
    grids = await graph.read(
        "UNWIND $codes AS code MATCH (:Case {code: code})-[:OCCURRED_IN]->(g:Grid) "
        "RETURN DISTINCT g.code AS grid",
        {"codes": feud},
    )
    assert len(grids) == 2
    # when the cases related to the last one within a year are asked for
    related = run(http, RELATED, case=feud[-1], windowDays=365)["relatedCasesOf"]
    reasons = {r["case"]["code"]: set(r["reasons"]) for r in related}
    # then every earlier feud case is there, through a shared party or a party's family
    for code in feud[:-1]:
        assert reasons[code] & {"SHARED_PARTY", "PARTY_FAMILY"}, code
    assert any("PARTY_FAMILY" in reasons[code] for code in feud[:-1])
    assert feud[-1] not in reasons
    # and a narrow window keeps only cases reported close to it
    narrow = run(http, RELATED, case=feud[-1], windowDays=0)["relatedCasesOf"]
    assert len(narrow) < len(related)
    [error] = errors_of(http, RELATED, case="RC1999-000000")
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_connections_between_feuding_households(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given the first and last cases of the feud, related by a chain of RELATED_TO
    feud = seeded.planted.family_feuds[0]
    start, end = global_id("Case", feud[0]), global_id("Case", feud[-1])
    # when they are connected over RELATED_TO only
    data = run(http, CONNECTIONS, **{"from": start, "to": end, "via": ["RELATED_TO"]})
    path = data["connections"]["shortest"]
    # then the path walks the feud in order, ending where it was asked to
    assert path["length"] == len(feud) - 1
    assert [n["id"] for n in path["nodes"]] == [global_id("Case", c) for c in feud]
    assert {e["type"] for e in path["edges"]} == {"RELATED_TO"}
    # and two feuding persons in different grids are joined through parties and family
    [pair] = await graph.read(
        "MATCH (a:Person)-[:PARTY_TO]->(:Case {code: $first})<-[:PARTY_TO]-(b:Person) "
        "WHERE (a)-[:RESIDES_IN]->()<-[:OCCURRED_IN]-(:Case {code: $first}) "
        "AND NOT (b)-[:RESIDES_IN]->()<-[:OCCURRED_IN]-(:Case {code: $first}) "
        "RETURN a.id AS a, b.id AS b LIMIT 1",
        {"first": feud[0]},
    )
    variables = {
        "from": global_id("Person", pair["a"]),
        "to": global_id("Person", pair["b"]),
        "via": ["PARTY_TO", "FAMILY"],
        "maxHops": 2,
    }
    joined = run(http, CONNECTIONS, **variables)["connections"]
    assert joined["shortest"]["length"] == 2
    assert all(p["length"] == 2 for p in joined["allShortest"])
    # and maxHops is bounded
    [error] = errors_of(http, CONNECTIONS, **{**variables, "maxHops": 7})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_conflicts_of_interest_find_the_planted_mediator(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given the planted mediator, who mediates in one grid and is a respondent in the next
    planted = seeded.planted.mediator_parties[0]
    [row] = await graph.read(
        "MATCH (:Case {code: $c})-[:OCCURRED_IN]->(:Grid)-[:PART_OF]->(:Community)"
        "-[:PART_OF]->(s:Street) RETURN s.code AS street",
        {"c": planted.handled_case},
    )
    # when the conflicts of interest in that street are listed
    conflicts = run(http, CONFLICTS, place=row["street"], first=200)["conflictsOfInterest"]
    # then the mediator is found, with both cases and the reason
    found = [
        c
        for c in conflicts
        if c["person"]["personId"] == planted.mediator_id
        and c["case"]["code"] == planted.handled_case
        and c["via"]["code"] == planted.party_case
    ]
    assert found and found[0]["reason"] == "PARTY_IN_NEIGHBOURING_GRID"
    assert "mediator" in found[0]["roles"]
    [error] = errors_of(http, CONFLICTS, first=0)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_escalation_path_levels_and_durations(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given a closed case escalated at least twice, and its escalations in time order
    [row] = await graph.read(
        "MATCH (c:Case {status: 'closed'})-[x:ESCALATED_TO]->() "
        "WITH c, x ORDER BY x.at WITH c, collect(x.level) AS levels WHERE size(levels) >= 2 "
        "RETURN c.code AS code, levels ORDER BY code LIMIT 1"
    )
    # when its escalation path is asked for
    path = run(http, ESCALATION, case=row["code"])["escalationPath"]
    levels = path["levels"]
    # then it starts in the grid and climbs through the escalations in order
    assert [s["level"] for s in levels] == ["GRID", *(lv.upper() for lv in row["levels"])]
    ranks = [LEVELS.index(s["level"]) for s in levels]
    assert ranks == sorted(ranks)
    assert levels[0]["placeCode"] and all(s["seconds"] >= 0 for s in levels)
    # and the times spent add up to the case's open time: from the report to the resolution
    case = path["case"]
    [resolved] = await graph.read(
        "MATCH (c:Case {code: $c})-[:HAS_EVENT]->(e:CaseEvent {status: 'resolved'}) "
        "WHERE NOT EXISTS { MATCH (c)-[:HAS_EVENT]->(o:CaseEvent) WHERE o.seq > e.seq "
        "AND NOT o.status IN ['resolved', 'closed'] } RETURN min(e.at) AS at",
        {"c": row["code"]},
    )
    assert resolved["at"] <= datetime.fromisoformat(case["closedAt"])
    opened = resolved["at"] - datetime.fromisoformat(case["reportedAt"])
    assert abs(path["totalSeconds"] - opened.total_seconds()) < 1
    assert sum(s["seconds"] for s in levels) == pytest.approx(path["totalSeconds"])
    assert not any(s["current"] for s in levels)
    assert levels[0]["enteredAt"] == case["reportedAt"]
    [error] = errors_of(http, ESCALATION, case="RC1999-000000")
    assert error["extensions"]["code"] == "NOT_FOUND"


ANALYSIS = """
query Analysis($center: ID!, $hops: Int, $maxNodes: Int) {
  networkAnalysis(center: $center, hops: $hops, maxNodes: $maxNodes) {
    persons { personId name degree degreeCentrality betweenness cluster }
    clusters { id size members }
    truncated
  }
}
"""


async def test_network_analysis_ranks_and_clusters_persons(
    seeded: SeedReport, graph: GraphClient, http: TestClient
) -> None:
    # given a repeat disputant and the distinct persons they met in their cases
    disputant = seeded.planted.repeat_disputants[0]
    [row] = await graph.read(
        "MATCH (:Person {id: $id})-[:PARTY_TO]->(:Case)<-[:PARTY_TO|HANDLED_BY]-(o:Person) "
        "WHERE o.id <> $id RETURN count(DISTINCT o) AS met",
        {"id": disputant},
    )
    center = global_id("Person", disputant)
    # when the network around them is analysed
    analysis = run(http, ANALYSIS, center=center, hops=2)["networkAnalysis"]
    drawn = run(http, NETWORK, center=center, hops=2)["disputeNetwork"]
    persons = {p["personId"]: p for p in analysis["persons"]}
    # then every person of the network is ranked, highest betweenness first
    assert persons.keys() == {
        n["properties"]["id"] for n in drawn["nodes"] if n["type"] == "Person"
    }
    ranking = [p["betweenness"] for p in analysis["persons"]]
    assert ranking == sorted(ranking, reverse=True)
    assert all(0 <= b <= 1 for b in ranking)
    assert persons[disputant]["degree"] >= row["met"] > 0
    assert persons[disputant]["betweenness"] > 0
    # and the clusters partition the persons, largest first
    members = [m for c in analysis["clusters"] for m in c["members"]]
    assert sorted(members) == sorted(persons)
    sizes = [c["size"] for c in analysis["clusters"]]
    assert sizes == sorted(sizes, reverse=True)
    for cluster in analysis["clusters"]:
        assert all(persons[m]["cluster"] == cluster["id"] for m in cluster["members"])
    # and the bounds hold here too
    for variables in ({"hops": 5}, {"maxNodes": 5000}):
        [error] = errors_of(http, ANALYSIS, center=center, **variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
