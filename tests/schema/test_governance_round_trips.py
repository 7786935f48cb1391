"""N+1 guard over departments, party, mediation, volunteers, evaluations and buildings."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from server.round_trips import HEADER

# Each root list returns `$first` parents; every non-leaf list below is non-empty for every
# parent of the tiny seed, so 2 and 20 parents walk exactly the same relationship levels.
NESTED = """
query Nested($first: Int) {
  partyMembers: persons(first: $first, filter: {role: PARTY_MEMBER}) { edges { node {
    centralHouseholdFor { name }
    partyOrganizations { role since organization {
      code level parent { code } children { code } secretaries { name } instructors { name }
      coveredPlace { __typename ... on Grid { code } ... on Community { code } }
      members(first: 3) { totalCount edges { since node { name } } }
    } }
  } } }
  volunteers: persons(first: $first, filter: {role: VOLUNTEER}) { edges { node {
    volunteerTeams { points stars team {
      code grid { code }
      volunteers(first: 3) { totalCount edges { points node { volunteerTeams { stars } } } }
    } }
  } } }
  residents: persons(first: $first) { edges { node {
    department { code } supportedGrids { code } evaluations { score }
    grid {
      volunteerTeam { code }
      partyOrganizations { code }
      buildings { code name }
      evaluations { rank worker { name } grid { code } }
      professionalMembers { name department { code kind } supportedGrids { code } }
      mediationCommittees {
        code
        studios { code committee { code } }
        coveredPlaces { code }
        members(first: 3) { totalCount edges { kind node { mediationCommittees { kind } } } }
      }
    }
  } } }
}
"""


# One round trip per root list and per relationship level of each alias: 9 + 5 + 20.
RELATIONSHIP_LEVELS = 34


def round_trips(http: TestClient, query: str, **variables: object) -> int:
    response = http.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert "errors" not in body, body["errors"]
    for alias in ("partyMembers", "volunteers", "residents"):
        assert len(body["data"][alias]["edges"]) == variables["first"]
    return int(response.headers[HEADER])


def test_round_trips_do_not_grow_with_the_number_of_parents(
    tiny: GraphClient, http: TestClient
) -> None:
    # given the same nested query over 2 and over 20 parents of each root list
    few = round_trips(http, NESTED, first=2)
    many = round_trips(http, NESTED, first=20)
    # then both cost the same number of Cypher round trips: one per relationship level
    assert few == many
    assert few <= RELATIONSHIP_LEVELS
