"""The fixed query mix: each operation as GridGraph GraphQL, as @neo4j/graphql GraphQL and as
the name of the floor's hand-written Cypher (bench/floor_queries.py), plus the normalisers that
turn each GraphQL answer into the plain JSON the floor returns, so the three can be compared.

An operation is a walk of `pages` requests (1 for all but the paginated walk); a request's
variables are the operation's parameters plus `after`, the cursor of the previous page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JSON = Any
Normaliser = Callable[[JSON], JSON]

# Case statuses GridGraph's `open: true` filter keeps (graph/cases.py, CASE_FILTERS).
OPEN_STATUSES = [
    "reported",
    "accepted",
    "mediating",
    "escalated",
    "dispatched",
    "signed",
    "reopened",
]
WALK_PAGE = 50
WALK_PAGES = 3


@dataclass(frozen=True)
class GraphQLCall:
    """One target's GraphQL document and how to read an answer."""

    query: str
    normalise: Normaliser  # one page's `data` -> plain JSON
    cursor: Callable[[JSON], str | None] = lambda data: None


@dataclass(frozen=True)
class Operation:
    """One question of the mix, for the three targets."""

    name: str
    group: str  # frontend | investigator | partner
    summary: str
    gridgraph: GraphQLCall
    peer: GraphQLCall
    pages: int = 1


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _one(items: list[JSON]) -> JSON:
    """The single element of a list relationship (or None); more than one is a data error."""
    if len(items) > 1:
        raise ValueError(f"expected at most one, got {len(items)}")
    return items[0] if items else None


def _pair(person: JSON) -> JSON:
    return None if person is None else [person.get("personId", person.get("id")), person["name"]]


# -- 1. a grid's first page of residents with its grid worker (frontend) --------------------

GG_GRID_RESIDENTS = """
query GridResidents($grid: String!) {
  grid(code: $grid) {
    code name
    gridWorker { personId name }
    residents(first: 20) { totalCount edges { node { personId name gender } } }
  }
}"""
PEER_GRID_RESIDENTS = """
query GridResidents($grid: String!) {
  grids(where: {code: {eq: $grid}}) {
    code name
    gridWorkers { id name }
    residentsConnection(first: 20, sort: [{node: {name: ASC}}, {node: {id: ASC}}]) {
      totalCount edges { node { id name gender } }
    }
  }
}"""


def _grid_residents(grid: JSON, worker: JSON, residents: JSON) -> JSON:
    return {
        "code": grid["code"],
        "name": grid["name"],
        "worker": _pair(worker),
        "total": residents["totalCount"],
        "residents": [
            [*_pair(edge["node"]), edge["node"]["gender"]] for edge in residents["edges"]
        ],
    }


def _gg_grid_residents(data: JSON) -> JSON:
    grid = data["grid"]
    return _grid_residents(grid, grid["gridWorker"], grid["residents"])


def _peer_grid_residents(data: JSON) -> JSON:
    grid = _one(data["grids"])
    return _grid_residents(grid, _one(grid["gridWorkers"]), grid["residentsConnection"])


# -- 2. who covers a resident: grid worker, professional members, party, mediation ----------

GG_RESIDENT_CONTEXT = """
query ResidentContext($person: String!) {
  person(personId: $person) {
    personId name
    grid {
      code name
      gridWorker { personId name }
      professionalMembers { personId name department { code name } }
      partyOrganizations { code name level }
      mediationCommittees { code name level }
    }
  }
}"""
PEER_RESIDENT_CONTEXT = """
query ResidentContext($person: ID!) {
  people(where: {id: {eq: $person}}) {
    id name
    grid {
      code name
      gridWorkers { id name }
      supporters { id name departments { code name } }
      partyOrganizations { code name level }
      coveringCommittees { code name level }
    }
  }
}"""


def _resident_context(person: JSON, worker: JSON, members: JSON, grid: JSON) -> JSON:
    def orgs(items: JSON) -> JSON:
        return sorted([o["code"], o["name"], _lower(o["level"])] for o in items)

    return {
        "person": _pair(person),
        "grid": [grid["code"], grid["name"]],
        "worker": _pair(worker),
        "professionalMembers": sorted(members),
        "party": orgs(grid["partyOrganizations"]),
        "committees": orgs(grid.get("mediationCommittees", grid.get("coveringCommittees"))),
    }


def _gg_resident_context(data: JSON) -> JSON:
    person = data["person"]
    grid = person["grid"]
    members = []
    for m in grid["professionalMembers"]:
        department = m["department"]
        code, name = (department["code"], department["name"]) if department else (None, None)
        members.append([*_pair(m), code, name])
    return _resident_context(person, grid["gridWorker"], members, grid)


def _peer_resident_context(data: JSON) -> JSON:
    person = _one(data["people"])
    grid = _one(person["grid"])
    members = []
    for m in grid["supporters"]:
        department = _one(m["departments"])
        code, name = (department["code"], department["name"]) if department else (None, None)
        members.append([*_pair(m), code, name])
    return _resident_context(person, _one(grid["gridWorkers"]), members, grid)


# -- 3. a case with parties, timeline and escalation chain (investigator) -------------------

GG_CASE_DETAIL = """
query CaseDetail($case: String!) {
  case(code: $case) {
    code title kind category status
    parties { role person { personId name } }
    timeline { seq action status level }
    escalations { level reason targetCode }
  }
}"""
PEER_CASE_DETAIL = """
query CaseDetail($case: String!) {
  cases(where: {code: {eq: $case}}) {
    code title kind category status
    partiesConnection(sort: [{edge: {role: ASC}}, {node: {id: ASC}}]) {
      edges { properties { role } node { id name } }
    }
    timeline(sort: [{seq: ASC}]) { seq action status level }
    escalatedToConnection(sort: [{edge: {at: ASC}}]) {
      edges {
        properties { level reason }
        node {
          ... on Community { code }
          ... on Street { code }
          ... on District { code }
          ... on Department { code }
        }
      }
    }
  }
}"""


def _case_head(case: JSON) -> JSON:
    return [case["code"], case["title"], case["kind"], case["category"], _lower(case["status"])]


def _gg_parties(parties: JSON) -> JSON:
    return [[_lower(p["role"]), *_pair(p["person"])] for p in parties]


def _peer_parties(connection: JSON) -> JSON:
    return [[e["properties"]["role"], *_pair(e["node"])] for e in connection["edges"]]


def _timeline(events: JSON) -> JSON:
    return [[e["seq"], e["action"], e["status"], e["level"]] for e in events]


def _gg_case_detail(data: JSON) -> JSON:
    case = data["case"]
    return {
        "case": _case_head(case),
        "parties": _gg_parties(case["parties"]),
        "timeline": _timeline(case["timeline"]),
        "escalations": [
            [_lower(e["level"]), e["reason"], e["targetCode"]] for e in case["escalations"]
        ],
    }


def _peer_case_detail(data: JSON) -> JSON:
    case = _one(data["cases"])
    return {
        "case": _case_head(case),
        "parties": _peer_parties(case["partiesConnection"]),
        "timeline": _timeline(case["timeline"]),
        "escalations": [
            [e["properties"]["level"], e["properties"]["reason"], e["node"]["code"]]
            for e in case["escalatedToConnection"]["edges"]
        ],
    }


# -- 4. a street's open cases of one category, with parties (partner: hotline centre) -------

GG_STREET_OPEN_CASES = """
query StreetOpenCases($street: String!, $category: String!) {
  street(code: $street) {
    cases(filter: {open: true, category: $category}, first: 20) {
      totalCount
      edges { node { code status parties { role person { personId name } } } }
    }
  }
}"""
PEER_STREET_OPEN_CASES = """
query StreetOpenCases($street: String!, $category: String!, $open: [String!]!) {
  casesConnection(
    first: 20
    where: {
      category: {eq: $category}
      status: {in: $open}
      grid: {some: {community: {some: {street: {some: {code: {eq: $street}}}}}}}
    }
    sort: [{reportedAt: DESC}, {code: ASC}]
  ) {
    totalCount
    edges {
      node {
        code status
        partiesConnection(sort: [{edge: {role: ASC}}, {node: {id: ASC}}]) {
          edges { properties { role } node { id name } }
        }
      }
    }
  }
}"""


def _gg_street_open_cases(data: JSON) -> JSON:
    cases = data["street"]["cases"]
    return {
        "total": cases["totalCount"],
        "cases": [
            [e["node"]["code"], _lower(e["node"]["status"]), _gg_parties(e["node"]["parties"])]
            for e in cases["edges"]
        ],
    }


def _peer_street_open_cases(data: JSON) -> JSON:
    cases = data["casesConnection"]
    return {
        "total": cases["totalCount"],
        "cases": [
            [e["node"]["code"], e["node"]["status"], _peer_parties(e["node"]["partiesConnection"])]
            for e in cases["edges"]
        ],
    }


# -- 5. a disputant's 2-hop neighbourhood: their cases, the other parties, their case counts -

GG_DISPUTE_NEIGHBOURHOOD = """
query DisputeNeighbourhood($person: String!) {
  person(personId: $person) {
    personId name
    cases(first: 50) {
      totalCount
      edges {
        role
        node { code parties { role person { personId name cases { totalCount } } } }
      }
    }
  }
}"""
PEER_DISPUTE_NEIGHBOURHOOD = """
query DisputeNeighbourhood($person: ID!) {
  people(where: {id: {eq: $person}}) {
    id name
    casesConnection(first: 50, sort: [{node: {reportedAt: DESC}}, {node: {code: ASC}}]) {
      totalCount
      edges {
        properties { role }
        node {
          code
          partiesConnection(sort: [{edge: {role: ASC}}, {node: {id: ASC}}]) {
            edges { properties { role } node { id name casesConnection { totalCount } } }
          }
        }
      }
    }
  }
}"""


def _gg_dispute_neighbourhood(data: JSON) -> JSON:
    person = data["person"]
    return {
        "person": _pair(person),
        "total": person["cases"]["totalCount"],
        "cases": [
            [
                e["node"]["code"],
                _lower(e["role"]),
                [
                    [_lower(p["role"]), *_pair(p["person"]), p["person"]["cases"]["totalCount"]]
                    for p in e["node"]["parties"]
                ],
            ]
            for e in person["cases"]["edges"]
        ],
    }


def _peer_dispute_neighbourhood(data: JSON) -> JSON:
    person = _one(data["people"])
    cases = person["casesConnection"]
    return {
        "person": _pair(person),
        "total": cases["totalCount"],
        "cases": [
            [
                e["node"]["code"],
                e["properties"]["role"],
                [
                    [
                        p["properties"]["role"],
                        *_pair(p["node"]),
                        p["node"]["casesConnection"]["totalCount"],
                    ]
                    for p in e["node"]["partiesConnection"]["edges"]
                ],
            ]
            for e in cases["edges"]
        ],
    }


# -- 6. full-text search of a name (partner / frontend) -------------------------------------

GG_SEARCH_NAME = """
query SearchName($text: String!) {
  search(text: $text, types: [PERSON], first: 100) {
    score
    node { ... on Person { personId name } }
  }
}"""
PEER_SEARCH_NAME = """
query SearchName($text: String!) {
  personSearch(phrase: $text, first: 100, sort: [{score: DESC}]) {
    edges { score node { id name } }
  }
}"""


def _hits(pairs: JSON) -> JSON:
    """Best first; equal scores (ties Lucene may order either way) by person id."""
    return sorted(([*_pair(node), round(score, 4)] for node, score in pairs), key=_hit_key)


def _hit_key(hit: JSON) -> JSON:
    return (-hit[2], hit[0])


def _gg_search_name(data: JSON) -> JSON:
    return _hits((hit["node"], hit["score"]) for hit in data["search"])


def _peer_search_name(data: JSON) -> JSON:
    return _hits((edge["node"], edge["score"]) for edge in data["personSearch"]["edges"])


# -- 7. a paginated walk through a community's residents (frontend) -------------------------

GG_COMMUNITY_WALK = """
query CommunityWalk($community: String!, $after: String) {
  community(code: $community) {
    residents(first: %d, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { personId name } }
    }
  }
}""" % (WALK_PAGE,)  # noqa: UP031 - a GraphQL document, not a format string of user input
PEER_COMMUNITY_WALK = """
query CommunityWalk($community: String!, $after: String) {
  peopleConnection(
    first: %d
    after: $after
    where: {grid: {some: {community: {some: {code: {eq: $community}}}}}}
    sort: [{name: ASC}, {id: ASC}]
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name } }
  }
}""" % (WALK_PAGE,)  # noqa: UP031


def _walk_page(connection: JSON) -> JSON:
    return {
        "total": connection["totalCount"],
        "hasNextPage": connection["pageInfo"]["hasNextPage"],
        "residents": [_pair(e["node"]) for e in connection["edges"]],
    }


def _gg_walk_cursor(data: JSON) -> str | None:
    info = data["community"]["residents"]["pageInfo"]
    return info["endCursor"] if info["hasNextPage"] else None


def _peer_walk_cursor(data: JSON) -> str | None:
    info = data["peopleConnection"]["pageInfo"]
    return info["endCursor"] if info["hasNextPage"] else None


# -- 8. a count-heavy roll-up of a street: per community and grid (frontend dashboard) ------

GG_STREET_ROLLUP = """
query StreetRollup($street: String!) {
  street(code: $street) {
    code name
    communities {
      code name
      residents { totalCount }
      cases { totalCount }
      openCases: cases(filter: {open: true}) { totalCount }
      grids { code residents { totalCount } cases { totalCount } }
    }
  }
}"""
PEER_STREET_ROLLUP = """
query StreetRollup($street: String!) {
  streets(where: {code: {eq: $street}}) {
    code name
    communities(sort: [{code: ASC}]) {
      code name residentCount caseCount openCaseCount
      grids(sort: [{code: ASC}]) {
        code residentsConnection { totalCount } casesConnection { totalCount }
      }
    }
  }
}"""


def _gg_street_rollup(data: JSON) -> JSON:
    street = data["street"]
    return {
        "street": [street["code"], street["name"]],
        "communities": [
            [
                c["code"],
                c["name"],
                c["residents"]["totalCount"],
                c["cases"]["totalCount"],
                c["openCases"]["totalCount"],
                [
                    [g["code"], g["residents"]["totalCount"], g["cases"]["totalCount"]]
                    for g in c["grids"]
                ],
            ]
            for c in street["communities"]
        ],
    }


def _peer_street_rollup(data: JSON) -> JSON:
    street = _one(data["streets"])
    return {
        "street": [street["code"], street["name"]],
        "communities": [
            [
                c["code"],
                c["name"],
                c["residentCount"],
                c["caseCount"],
                c["openCaseCount"],
                [
                    [
                        g["code"],
                        g["residentsConnection"]["totalCount"],
                        g["casesConnection"]["totalCount"],
                    ]
                    for g in c["grids"]
                ],
            ]
            for c in street["communities"]
        ],
    }


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "grid_residents",
        "frontend",
        "a grid's first 20 residents (name, id order) with its grid worker and the total",
        GraphQLCall(GG_GRID_RESIDENTS, _gg_grid_residents),
        GraphQLCall(PEER_GRID_RESIDENTS, _peer_grid_residents),
    ),
    Operation(
        "resident_context",
        "frontend",
        "a resident's grid with its worker, professional members and their departments, "
        "party organisations and covering mediation committees",
        GraphQLCall(GG_RESIDENT_CONTEXT, _gg_resident_context),
        GraphQLCall(PEER_RESIDENT_CONTEXT, _peer_resident_context),
    ),
    Operation(
        "case_detail",
        "investigator",
        "a case with its parties, timeline and escalation chain",
        GraphQLCall(GG_CASE_DETAIL, _gg_case_detail),
        GraphQLCall(PEER_CASE_DETAIL, _peer_case_detail),
    ),
    Operation(
        "street_open_cases",
        "partner",
        "a street's open cases of one category, newest first, 20, with their parties",
        GraphQLCall(GG_STREET_OPEN_CASES, _gg_street_open_cases),
        GraphQLCall(PEER_STREET_OPEN_CASES, _peer_street_open_cases),
    ),
    Operation(
        "dispute_neighbourhood",
        "investigator",
        "a repeat disputant's cases, their other parties and each party's case count (2 hops)",
        GraphQLCall(GG_DISPUTE_NEIGHBOURHOOD, _gg_dispute_neighbourhood),
        GraphQLCall(PEER_DISPUTE_NEIGHBOURHOOD, _peer_dispute_neighbourhood),
    ),
    Operation(
        "search_name",
        "partner",
        "full-text search of a resident's name among persons (index search_text), 100 hits",
        GraphQLCall(GG_SEARCH_NAME, _gg_search_name),
        GraphQLCall(PEER_SEARCH_NAME, _peer_search_name),
    ),
    Operation(
        "community_walk",
        "frontend",
        f"{WALK_PAGES} consecutive pages of {WALK_PAGE} of a community's residents (cursors)",
        GraphQLCall(
            GG_COMMUNITY_WALK, lambda d: _walk_page(d["community"]["residents"]), _gg_walk_cursor
        ),
        GraphQLCall(
            PEER_COMMUNITY_WALK, lambda d: _walk_page(d["peopleConnection"]), _peer_walk_cursor
        ),
        pages=WALK_PAGES,
    ),
    Operation(
        "street_rollup",
        "frontend",
        "a street's communities and grids with resident, case and open-case counts",
        GraphQLCall(GG_STREET_ROLLUP, _gg_street_rollup),
        GraphQLCall(PEER_STREET_ROLLUP, _peer_street_rollup),
    ),
)
