"""Cypher for investigators: dispute networks, related cases, conflicts of interest,
escalation paths and connections between two entities.

Labels and relationship types that vary come from the Enums below, never from input; hop
counts are clamped integers; every value goes in as a $parameter. Traversals are bounded by
a hop count and a LIMIT.

Row scope (graph/scope.py): every query has a scoped variant, taking `$scope`, in which the
start node must be visible (else no row, as for an unknown key) and a traversal only passes
through and returns visible nodes, so nothing outside the scope is returned, counted or cut
by a bound. Unrestricted principals get the unscoped text, without any predicate.
"""

from __future__ import annotations

from enum import StrEnum
from typing import LiteralString

from graph import (
    buildings,
    cases,
    departments,
    evaluations,
    mediation,
    party,
    persons,
    places,
    volunteers,
)
from graph import scope as row_scope

MAX_HOPS = 4
MAX_NODES = 1000
MAX_CONNECTION_HOPS = 6


class CentreKind(StrEnum):
    """What a dispute network or a connection may start from: the label, keyed by its key."""

    PERSON = "Person"
    CASE = "Case"
    GRID = "Grid"


_CENTRE_KEY: dict[CentreKind, LiteralString] = {
    CentreKind.PERSON: "id",
    CentreKind.CASE: "code",
    CentreKind.GRID: "code",
}


def _centre_match(kind: CentreKind, var: str, parameter: str, scoped: bool) -> str:
    """MATCH the node of `kind` keyed by `$parameter` as `var` (scoped: only when visible)."""
    text = f"MATCH ({var}:{kind.value} {{{_CENTRE_KEY[kind]}: ${parameter}}})"
    if scoped:
        text += f" WHERE {row_scope.visible(kind.value, var)}"
    return text


def _visible_among(var: str, labels: tuple[str, ...]) -> str:
    """Cypher: `var` has one of `labels` and is visible within `$scope` by that label's rule."""
    return " OR ".join(f"({var}:{label} AND {row_scope.visible(label, var)})" for label in labels)


class ConnectionType(StrEnum):
    """Relationship types a connection may walk."""

    PARTY_TO = "PARTY_TO"
    FAMILY = "FAMILY"
    RESIDES_IN = "RESIDES_IN"
    OCCURRED_IN = "OCCURRED_IN"
    HANDLED_BY = "HANDLED_BY"
    RELATED_TO = "RELATED_TO"
    REPORTED_BY = "REPORTED_BY"
    MEMBER_OF = "MEMBER_OF"
    WORKS_GRID = "WORKS_GRID"
    SUPPORTS = "SUPPORTS"


# Type, natural key and readable properties of every node type (each a GraphQL type with a
# global ID) a network or a path may hold (persons only through PERSON: never the blind
# indexes or ciphertexts).
NODE_SPECS = (
    persons.PERSON,
    cases.CASE,
    places.DISTRICT,
    places.STREET,
    places.COMMUNITY,
    places.GRID,
    buildings.BUILDING,
    party.PARTY_ORGANIZATION,
    mediation.MEDIATION_COMMITTEE,
    mediation.MEDIATION_STUDIO,
    departments.DEPARTMENT,
    volunteers.VOLUNTEER_TEAM,
    evaluations.EVALUATION,
)


def _node_map(var: str) -> LiteralString:
    """A Cypher expression: {type, key, properties} of node `var`, null for other labels."""
    branches = " ".join(
        f"WHEN {var}:{spec.label} THEN {{type: '{spec.label}', key: {var}.{spec.key},"
        f" properties: {spec.projection(var)}}}"
        for spec in NODE_SPECS
    )
    text = f"CASE {branches} ELSE null END"
    return text  # built only from the NodeSpec constants


NODE_MAP: LiteralString = _node_map("n")

# Case filters of a network: each skipped when its parameter is null.
_CASE_WINDOW = (
    "($since IS NULL OR date(x.reportedAt) >= $since)"
    " AND ($until IS NULL OR date(x.reportedAt) <= $until)"
    " AND ($categories IS NULL OR x.category IN $categories)"
)

# Persons and cases are walked; grids and non-person handlers hang off the cases reached.
_NETWORK_WALK = "PARTY_TO|FAMILY|RELATED_TO|HANDLED_BY"
_NETWORK_EDGES = "['PARTY_TO', 'FAMILY', 'RELATED_TO', 'HANDLED_BY', 'OCCURRED_IN']"


# What a network walks through and hangs off its cases, unscoped and scoped.
_WALKED = f"x:Person OR (x:Case AND {_CASE_WINDOW})"
_WALKED_VISIBLE = (
    f"(x:Person AND {row_scope.visible('Person', 'x')})"
    f" OR (x:Case AND {_CASE_WINDOW} AND {row_scope.visible('Case', 'x')})"
)
_HANDLERS = ("Grid", "MediationCommittee", "Department")
_HANGING = " OR ".join(f"n:{label}" for label in _HANDLERS)
_HANGING_VISIBLE = _visible_among("n", _HANDLERS)


def network_query(kind: CentreKind, hops: int, scoped: bool = False) -> LiteralString:
    """The bounded dispute network around a person or case: at most $limit nodes (+1 probe).

    Scoped: the centre and every node of every walked path must be visible, so the limit,
    `truncated` and everything computed from the network see only the scope.
    """
    depth = max(1, min(MAX_HOPS, int(hops)))
    walk = (
        # a quantified path pattern: each step is checked as it is taken, so the walk never
        # goes on from a node outside the scope (the same paths as the unscoped pattern)
        f"MATCH (c)(()-[:{_NETWORK_WALK}]-(x) WHERE {_WALKED_VISIBLE}){{0,{depth}}}(n)"
        if scoped
        else f"MATCH p = (c)-[:{_NETWORK_WALK}*0..{depth}]-(n)\n"
        f"  WHERE all(x IN nodes(p)[1..] WHERE {_WALKED})"
    )
    text = f"""
{_centre_match(kind, "c", "key", scoped)}
CALL (c) {{
  {walk}
  RETURN DISTINCT n LIMIT $limit + 1
}}
WITH collect(n) AS core
WITH core[..$limit] AS core, size(core) > $limit AS cut
CALL (core) {{
  UNWIND core AS k
  MATCH (k:Case)-[:OCCURRED_IN|HANDLED_BY]->(n)
  WHERE {_HANGING_VISIBLE if scoped else _HANGING}
  WITH DISTINCT n
  RETURN collect(n) AS extra
}}
WITH core, cut, extra, $limit - size(core) AS room
WITH core + extra[..room] AS members, cut OR size(extra) > room AS truncated
CALL (members) {{
  UNWIND members AS a
  MATCH (a)-[r]->(b)
  WHERE type(r) IN {_NETWORK_EDGES} AND b IN members
  RETURN collect(DISTINCT {{id: elementId(r), type: type(r), source: elementId(a),
    target: elementId(b), properties: properties(r)}}) AS edges
}}
UNWIND members AS n
WITH truncated, edges, collect({{element: elementId(n), node: {NODE_MAP}}}) AS nodes
RETURN nodes, edges, truncated
"""
    return text  # built from constants and a clamped integer


def _related_cases(scoped: bool) -> LiteralString:
    """Cases related to $code within $windowDays of it, each with its reasons.

    Scoped: the case and the related cases must be visible (the persons linking them are
    parties to both, so visible too, and are not returned).
    """
    related_visible = f"\n    AND {row_scope.visible('Case', 'o')}" if scoped else ""
    text = f"""
{_centre_match(CentreKind.CASE, "c", "code", scoped)}
CALL (c) {{
  CALL (c) {{
    MATCH (c)<-[:PARTY_TO]-(:Person)-[:PARTY_TO]->(o:Case)
    RETURN o, 'SHARED_PARTY' AS reason
    UNION
    MATCH (c)<-[:PARTY_TO]-(:Person)-[:FAMILY]-(:Person)-[:PARTY_TO]->(o:Case)
    RETURN o, 'PARTY_FAMILY' AS reason
    UNION
    MATCH (c)-[:OCCURRED_IN]->(:Grid)<-[:OCCURRED_IN]-(o:Case)
    WHERE o.category = c.category
    RETURN o, 'SAME_GRID_CATEGORY' AS reason
  }}
  WITH c, o, reason
  WHERE o <> c{related_visible}
    AND abs(duration.inSeconds(c.reportedAt, o.reportedAt).seconds) <= $windowDays * 86400
  WITH o, collect(DISTINCT reason) AS reasons
  ORDER BY o.reportedAt, o.code
  RETURN collect({{case: {cases.CASE.projection("o")}, reasons: reasons}}) AS related
}}
RETURN related
"""
    return text  # built only from constants


RELATED_CASES_OF: LiteralString = _related_cases(scoped=False)
RELATED_CASES_OF_SCOPED: LiteralString = _related_cases(scoped=True)


def _conflicts_of_interest(scoped: bool) -> LiteralString:
    """Handlers (persons) of cases who are a party, or family of a party, to the case or to a
    case related to it, or a party to another dispute in the same community.

    Scoped: the handled case and the case that makes the conflict must both be visible (the
    handler, who handles a visible case, is visible too).
    """
    in_place = "$place IS NULL OR g.code STARTS WITH $place"
    if scoped:
        in_place = f"({in_place}) AND {row_scope.visible('Case', 'c')}"
    via_visible = f"WITH * WHERE {row_scope.visible('Case', 'o')}\n" if scoped else ""
    text = f"""
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid)
WHERE {in_place}
MATCH (c)-[h:HANDLED_BY]->(p:Person)
CALL (c, p, g) {{
  MATCH (p)-[:PARTY_TO]->(c)
  RETURN c AS o, 'PARTY' AS reason
  UNION
  MATCH (p)-[:FAMILY]-(:Person)-[:PARTY_TO]->(c)
  RETURN c AS o, 'FAMILY_OF_PARTY' AS reason
  UNION
  MATCH (c)-[:RELATED_TO]-(o:Case)<-[:PARTY_TO]-(p)
  RETURN o, 'PARTY_TO_RELATED' AS reason
  UNION
  MATCH (c)-[:RELATED_TO]-(o:Case)<-[:PARTY_TO]-(:Person)-[:FAMILY]-(p)
  RETURN o, 'FAMILY_OF_RELATED_PARTY' AS reason
  UNION
  MATCH (g)-[:PART_OF]->(:Community)<-[:PART_OF]-(other:Grid)
        <-[:OCCURRED_IN]-(o:Case)<-[:PARTY_TO]-(p)
  WHERE other <> g AND o <> c
  RETURN o, 'PARTY_IN_NEIGHBOURING_GRID' AS reason
}}
{via_visible}WITH p, c, o, reason, collect(DISTINCT h.role) AS roles
ORDER BY c.reportedAt DESC, c.code, p.id, reason, o.code
LIMIT $first
RETURN {persons.PERSON.projection("p")} AS person, {cases.CASE.projection("c")} AS case,
  {cases.CASE.projection("o")} AS via, reason, roles
"""
    return text  # built only from constants


CONFLICTS_OF_INTEREST: LiteralString = _conflicts_of_interest(scoped=False)
CONFLICTS_OF_INTEREST_SCOPED: LiteralString = _conflicts_of_interest(scoped=True)

_ESCALATION = "{level: x.level, at: x.at, code: t.code, name: t.name}"


def _escalation_path(scoped: bool) -> LiteralString:
    """A case with its timeline levels, escalations and the places above its grid (grid,
    community and street null for a 12345 case filed at the district without a grid).

    Scoped: the case must be visible (its places are then above its grid, so visible), and
    only visible escalation targets are listed.
    """
    case_visible = f"\nWHERE {row_scope.visible('Case', 'c')}" if scoped else ""
    target_visible = f" WHERE {row_scope.visible_any('t')}" if scoped else ""
    text = f"""
MATCH (c:Case {{code: $code}})-[:OCCURRED_IN]->(p:Grid|District){case_visible}
OPTIONAL MATCH (p:Grid)-[:PART_OF]->(cm:Community)-[:PART_OF]->(s:Street)-[:PART_OF]->(pd:District)
WITH c, CASE WHEN p:Grid THEN p END AS g, cm, s, coalesce(pd, p) AS d
CALL (c) {{
  OPTIONAL MATCH (c)-[:HAS_EVENT]->(e:CaseEvent)
  WITH e ORDER BY e.seq
  RETURN collect(e {{.seq, .at, .level, .action, .status}}) AS events
}}
RETURN {cases.CASE.projection("c")} AS case, c.status AS status, c.reportedAt AS reportedAt,
  c.closedAt AS closedAt, events,
  [(c)-[x:ESCALATED_TO]->(t){target_visible} | {_ESCALATION}]
    AS escalations,
  {{grid: g {{.code, .name}}, community: cm {{.code, .name}}, street: s {{.code, .name}},
   district: d {{.code, .name}}}} AS places
"""
    return text  # built only from constants


ESCALATION_PATH: LiteralString = _escalation_path(scoped=False)
ESCALATION_PATH_SCOPED: LiteralString = _escalation_path(scoped=True)


def connections_query(
    from_kind: CentreKind,
    to_kind: CentreKind,
    via: list[ConnectionType],
    max_hops: int,
    scoped: bool = False,
) -> LiteralString:
    """Shortest and all shortest paths between two nodes over the `via` types (or any).

    Scoped: both ends must be visible, and the paths are the shortest among those whose
    every node is visible (a path never passes through anything outside the scope).
    """
    depth = max(1, min(MAX_CONNECTION_HOPS, int(max_hops)))
    types = "|".join(ConnectionType(t).value for t in via) or "|".join(
        t.value for t in ConnectionType
    )
    start = _centre_match(from_kind, "a", "fromKey", scoped)
    end = _centre_match(to_kind, "b", "toKey", scoped)
    path_visible = (
        f"\nWHERE all(n IN nodes(p) WHERE {row_scope.visible_any('n')})" if scoped else ""
    )
    text = f"""
{start}
{end}
OPTIONAL MATCH p = allShortestPaths((a)-[:{types}*1..{depth}]-(b)){path_visible}
WITH p LIMIT $limit
RETURN [n IN nodes(p) | {{element: elementId(n), node: {_node_map("n")}}}] AS nodes,
  [r IN relationships(p) | {{id: elementId(r), type: type(r), source: elementId(startNode(r)),
    target: elementId(endNode(r)), properties: properties(r)}}] AS edges
"""
    return text  # built from Enums and a clamped integer
