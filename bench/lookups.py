"""Single lookups outside the mix, measured one at a time (`--operations NAME`): the questions
an outside wrk check of issue 13 timed, beside `grid_residents` (which is in the mix).

Like the mix, each is GridGraph GraphQL, @neo4j/graphql GraphQL and a floor query
(bench/floor_queries.py) whose normalised answers must agree before any timing.
"""

from __future__ import annotations

from bench.operations import (
    JSON,
    GraphQLCall,
    Operation,
    _case_head,
    _gg_parties,
    _one,
    _pair,
    _peer_parties,
)

# -- a case with its grid and parties (investigator) ----------------------------------------

GG_CASE_PARTIES = """
query CaseParties($case: String!) {
  case(code: $case) {
    code title kind category status
    grid { code name }
    parties { role person { personId name } }
  }
}"""
PEER_CASE_PARTIES = """
query CaseParties($case: String!) {
  cases(where: {code: {eq: $case}}) {
    code title kind category status
    grid { code name }
    partiesConnection(sort: [{edge: {role: ASC}}, {node: {id: ASC}}]) {
      edges { properties { role } node { id name } }
    }
  }
}"""


def _gg_case_parties(data: JSON) -> JSON:
    case = data["case"]
    grid = case["grid"]
    return {
        "case": _case_head(case),
        "grid": [grid["code"], grid["name"]],
        "parties": _gg_parties(case["parties"]),
    }


def _peer_case_parties(data: JSON) -> JSON:
    case = _one(data["cases"])
    grid = _one(case["grid"])
    return {
        "case": _case_head(case),
        "grid": [grid["code"], grid["name"]],
        "parties": _peer_parties(case["partiesConnection"]),
    }


# -- a person's 50 newest cases with their parties (investigator) ---------------------------

GG_PERSON_CASES = """
query PersonCases($person: String!) {
  person(personId: $person) {
    personId name
    cases(first: 50) {
      edges { role node { code status parties { role person { personId name } } } }
    }
  }
}"""
PEER_PERSON_CASES = """
query PersonCases($person: ID!) {
  people(where: {id: {eq: $person}}) {
    id name
    casesConnection(first: 50, sort: [{node: {reportedAt: DESC}}, {node: {code: ASC}}]) {
      edges {
        properties { role }
        node {
          code status
          partiesConnection(sort: [{edge: {role: ASC}}, {node: {id: ASC}}]) {
            edges { properties { role } node { id name } }
          }
        }
      }
    }
  }
}"""


def _gg_person_cases(data: JSON) -> JSON:
    person = data["person"]
    return {
        "person": _pair(person),
        "cases": [
            [
                e["node"]["code"],
                e["role"].lower(),
                e["node"]["status"].lower(),
                _gg_parties(e["node"]["parties"]),
            ]
            for e in person["cases"]["edges"]
        ],
    }


def _peer_person_cases(data: JSON) -> JSON:
    person = _one(data["people"])
    return {
        "person": _pair(person),
        "cases": [
            [
                e["node"]["code"],
                e["properties"]["role"],
                e["node"]["status"],
                _peer_parties(e["node"]["partiesConnection"]),
            ]
            for e in person["casesConnection"]["edges"]
        ],
    }


LOOKUPS: tuple[Operation, ...] = (
    Operation(
        "case_parties",
        "investigator",
        "a case with its grid and its parties (role, id order)",
        GraphQLCall(GG_CASE_PARTIES, _gg_case_parties),
        GraphQLCall(PEER_CASE_PARTIES, _peer_case_parties),
    ),
    Operation(
        "person_cases",
        "investigator",
        "a person's 50 newest cases (the most frequent disputant) with each case's parties",
        GraphQLCall(GG_PERSON_CASES, _gg_person_cases),
        GraphQLCall(PEER_PERSON_CASES, _peer_person_cases),
    ),
)
