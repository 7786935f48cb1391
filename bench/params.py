"""Operation parameters, chosen deterministically from the seeded graph by Cypher.

The same values go to the three targets: the busiest grid, a resident of the best-covered
grid, the most escalated case, the street and category with most open cases, the most
frequent disputant, a name with a bounded number of full-text hits, the most populous
community and the street with most communities (ties broken by code or id); and the codes of
all districts, the scope of the bench's investigator token (bench/principals.py).

The name's hits must all be persons a district-wide scope shows (docs/security.md, Persons):
a person tied to no grid, case or covering organisation is outside every scope, so the
scoped investigator would find fewer hits than the other targets.
"""

from __future__ import annotations

from typing import Any, LiteralString

from graph.client import GraphClient

PARAMS: LiteralString = """
CALL () {
  MATCH (g:Grid)
  RETURN g.code AS grid ORDER BY COUNT { (g)<-[:RESIDES_IN]-(:Person) } DESC, g.code LIMIT 1
}
CALL () {
  MATCH (p:Person:Resident)-[:RESIDES_IN]->(g:Grid)
  WHERE EXISTS { (g)<-[:COVERS]-(:PartyOrganization) }
  RETURN p.id AS person
  ORDER BY COUNT { (g)<-[:SUPPORTS]-(:Person) } DESC, g.code, p.id LIMIT 1
}
CALL () {
  MATCH (c:Case)
  RETURN c.code AS case
  ORDER BY COUNT { (c)-[:ESCALATED_TO]->() } DESC, COUNT { (c)-[:HAS_EVENT]->() } DESC, c.code
  LIMIT 1
}
CALL () {
  MATCH (s:Street)<-[:PART_OF]-(:Community)<-[:PART_OF]-(:Grid)<-[:OCCURRED_IN]-(c:Case)
  WHERE NOT c.status IN ['resolved', 'closed']
  WITH s.code AS street, c.category AS category, count(*) AS open
  RETURN street, category ORDER BY open DESC, street, category LIMIT 1
}
CALL () {
  MATCH (p:Person)
  RETURN p.id AS disputant ORDER BY COUNT { (p)-[:PARTY_TO]->(:Case) } DESC, p.id LIMIT 1
}
CALL () {
  MATCH (p:Person:Resident)
  WITH DISTINCT p.name AS name ORDER BY name LIMIT 300
  CALL (name) {
    CALL db.index.fulltext.queryNodes('search_text', name) YIELD node
    WHERE node:Person
    RETURN count(*) AS hits,
           count(CASE WHEN EXISTS { (node)-[:RESIDES_IN|WORKS_GRID|SUPPORTS]->(:Grid) }
                        OR EXISTS { (node)-[:PARTY_TO|REPORTED_BY|HANDLED_BY]-(:Case) }
                      THEN 1 END) AS inDistrictScope
  }
  WITH name, hits WHERE 5 <= hits <= 60 AND inDistrictScope = hits
  RETURN name AS text ORDER BY hits DESC, name LIMIT 1
}
CALL () {
  MATCH (c:Community)
  RETURN c.code AS community
  ORDER BY COUNT { (c)<-[:PART_OF]-(:Grid)<-[:RESIDES_IN]-(:Person) } DESC, c.code LIMIT 1
}
CALL () {
  MATCH (s:Street)
  RETURN s.code AS rollupStreet ORDER BY COUNT { (s)<-[:PART_OF]-(:Community) } DESC, s.code
  LIMIT 1
}
CALL () {
  MATCH (d:District)
  WITH d.code AS code ORDER BY code
  RETURN collect(code) AS districts
}
RETURN grid, person, case, street, category, disputant, text, community, rollupStreet, districts
"""

# Which parameters each operation sends (GraphQL variable name -> parameter name).
OPERATION_PARAMS: dict[str, dict[str, str]] = {
    "grid_residents": {"grid": "grid"},
    "resident_context": {"person": "person"},
    "case_detail": {"case": "case"},
    "street_open_cases": {"street": "street", "category": "category"},
    "dispute_neighbourhood": {"person": "disputant"},
    "search_name": {"text": "text"},
    "community_walk": {"community": "community"},
    "street_rollup": {"street": "rollupStreet"},
    "case_parties": {"case": "case"},
    "person_cases": {"person": "disputant"},
}


async def choose_params(graph: GraphClient) -> dict[str, Any]:
    """The parameters of the whole mix, read from the seeded graph."""
    rows = await graph.read(PARAMS, {})
    if not rows or any(value in (None, []) for value in rows[0].values()):
        raise RuntimeError(f"the seeded graph lacks data for some operation: {rows}")
    return dict(rows[0])


def operation_params(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The variables of one operation."""
    return {variable: params[name] for variable, name in OPERATION_PARAMS[operation].items()}
