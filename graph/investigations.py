"""Cypher for investigators: dispute networks, related cases, conflicts of interest,
escalation paths and connections between two entities.

Labels and relationship types that vary come from the Enums below, never from input; hop
counts are clamped integers; every value goes in as a $parameter. Traversals are bounded by
a hop count and a LIMIT.
"""

from __future__ import annotations

from enum import StrEnum
from typing import LiteralString

from graph import cases, departments, mediation, persons, places

MAX_HOPS = 4
MAX_NODES = 1000
MAX_CONNECTION_HOPS = 6


class CentreKind(StrEnum):
    """What a dispute network or a connection may start from: the label, keyed by its key."""

    PERSON = "Person"
    CASE = "Case"
    GRID = "Grid"


_CENTRE_MATCH: dict[CentreKind, LiteralString] = {
    CentreKind.PERSON: "MATCH (c:Person {id: $key})",
    CentreKind.CASE: "MATCH (c:Case {code: $key})",
    CentreKind.GRID: "MATCH (c:Grid {code: $key})",
}


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


# Readable properties of every node a network or a path may hold, by label (persons only
# through PERSON: never the blind indexes or ciphertexts).
_SPECS = (
    persons.PERSON,
    cases.CASE,
    places.GRID,
    places.COMMUNITY,
    mediation.MEDIATION_COMMITTEE,
    departments.DEPARTMENT,
)


def _node_map(var: str) -> LiteralString:
    """A Cypher expression: {type, key, label, properties} of node `var`."""
    branches = " ".join(
        f"WHEN {var}:{spec.label} THEN {{type: '{spec.label}', key: {var}.{spec.key},"
        f" properties: {spec.projection(var)}}}"
        for spec in _SPECS
    )
    other = f"{{type: labels({var})[0], key: elementId({var}), properties: {{}}}}"
    text = f"CASE {branches} ELSE {other} END"
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


def network_query(kind: CentreKind, hops: int) -> LiteralString:
    """The bounded dispute network around a person or case: at most $limit nodes (+1 probe)."""
    depth = max(1, min(MAX_HOPS, int(hops)))
    text = f"""
{_CENTRE_MATCH[kind]}
CALL (c) {{
  MATCH p = (c)-[:{_NETWORK_WALK}*0..{depth}]-(n)
  WHERE all(x IN nodes(p)[1..] WHERE x:Person OR (x:Case AND {_CASE_WINDOW}))
  RETURN DISTINCT n LIMIT $limit + 1
}}
WITH collect(n) AS core
WITH core[..$limit] AS core, size(core) > $limit AS cut
CALL (core) {{
  UNWIND core AS k
  MATCH (k:Case)-[:OCCURRED_IN|HANDLED_BY]->(n)
  WHERE n:Grid OR n:MediationCommittee OR n:Department
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


# Cases related to $code within $windowDays of it, each with its reasons.
RELATED_CASES_OF: LiteralString = f"""
MATCH (c:Case {{code: $code}})
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
  WHERE o <> c
    AND abs(duration.inSeconds(c.reportedAt, o.reportedAt).seconds) <= $windowDays * 86400
  WITH o, collect(DISTINCT reason) AS reasons
  ORDER BY o.reportedAt, o.code
  RETURN collect({{case: {cases.CASE.projection("o")}, reasons: reasons}}) AS related
}}
RETURN related
"""

# Handlers (persons) of cases who are a party, or family of a party, to the case or to a
# case related to it, or a party to another dispute in the same community.
CONFLICTS_OF_INTEREST: LiteralString = f"""
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid)
WHERE $place IS NULL OR g.code STARTS WITH $place
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
WITH p, c, o, reason, collect(DISTINCT h.role) AS roles
ORDER BY c.reportedAt DESC, c.code, p.id, reason, o.code
LIMIT $first
RETURN {persons.PERSON.projection("p")} AS person, {cases.CASE.projection("c")} AS case,
  {cases.CASE.projection("o")} AS via, reason, roles
"""

# A case with its timeline levels, escalations and the places above its grid.
ESCALATION_PATH: LiteralString = f"""
MATCH (c:Case {{code: $code}})-[:OCCURRED_IN]->(g:Grid)-[:PART_OF]->(cm:Community)
      -[:PART_OF]->(s:Street)-[:PART_OF]->(d:District)
CALL (c) {{
  OPTIONAL MATCH (c)-[:HAS_EVENT]->(e:CaseEvent)
  WITH e ORDER BY e.seq
  RETURN collect(e {{.seq, .at, .level, .action}}) AS events
}}
RETURN {cases.CASE.projection("c")} AS case, c.status AS status, c.reportedAt AS reportedAt,
  c.closedAt AS closedAt, events,
  [(c)-[x:ESCALATED_TO]->(t) | {{level: x.level, at: x.at, code: t.code, name: t.name}}]
    AS escalations,
  {{grid: g {{.code, .name}}, community: cm {{.code, .name}}, street: s {{.code, .name}},
   district: d {{.code, .name}}}} AS places
"""


def connections_query(
    from_kind: CentreKind, to_kind: CentreKind, via: list[ConnectionType], max_hops: int
) -> LiteralString:
    """Shortest and all shortest paths between two nodes over the `via` types (or any)."""
    depth = max(1, min(MAX_CONNECTION_HOPS, int(max_hops)))
    types = "|".join(ConnectionType(t).value for t in via) or "|".join(
        t.value for t in ConnectionType
    )
    start = _CENTRE_MATCH[from_kind].replace("(c:", "(a:").replace("$key", "$fromKey")
    end = _CENTRE_MATCH[to_kind].replace("(c:", "(b:").replace("$key", "$toKey")
    text = f"""
{start}
{end}
OPTIONAL MATCH p = allShortestPaths((a)-[:{types}*1..{depth}]-(b))
WITH p LIMIT $limit
RETURN [n IN nodes(p) | {{element: elementId(n), node: {_node_map("n")}}}] AS nodes,
  [r IN relationships(p) | {{id: elementId(r), type: type(r), source: elementId(startNode(r)),
    target: elementId(endNode(r)), properties: properties(r)}}] AS edges
"""
    return text  # built from Enums and a clamped integer
