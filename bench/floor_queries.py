"""The floor: each operation as one hand-written Cypher query returning its normalised JSON.

What a careful developer writes by hand with the Python driver: one round trip per request,
the answer shaped in Cypher. Parameters are those of bench/params.py plus `$skip` for pages.
"""

from __future__ import annotations

from typing import LiteralString

GRID_RESIDENTS: LiteralString = """
MATCH (g:Grid {code: $grid})
RETURN {
  code: g.code, name: g.name,
  worker: head([(w:Person)-[:WORKS_GRID]->(g) | [w.id, w.name]]),
  total: COUNT { (g)<-[:RESIDES_IN]-(:Person) },
  residents: COLLECT {
    MATCH (p:Person)-[:RESIDES_IN]->(g)
    WITH p ORDER BY p.name, p.id LIMIT 20
    RETURN [p.id, p.name, p.gender]
  }
} AS result
"""

RESIDENT_CONTEXT: LiteralString = """
MATCH (p:Person {id: $person})-[:RESIDES_IN]->(g:Grid)
RETURN {
  person: [p.id, p.name],
  grid: [g.code, g.name],
  worker: head([(w:Person)-[:WORKS_GRID]->(g) | [w.id, w.name]]),
  professionalMembers: COLLECT {
    MATCH (m:Person)-[:SUPPORTS]->(g)
    OPTIONAL MATCH (m)-[:MEMBER_OF]->(d:Department)
    WITH m, d ORDER BY m.id, d.code
    RETURN [m.id, m.name, d.code, d.name]
  },
  party: COLLECT {
    MATCH (o:PartyOrganization)-[:COVERS]->(g)
    WITH o ORDER BY o.code
    RETURN [o.code, o.name, o.level]
  },
  committees: COLLECT {
    MATCH (g)-[:PART_OF*0..3]->()<-[:COVERS]-(m:MediationCommittee)
    WITH DISTINCT m ORDER BY m.code
    RETURN [m.code, m.name, m.level]
  }
} AS result
"""

CASE_DETAIL: LiteralString = """
MATCH (c:Case {code: $case})
RETURN {
  case: [c.code, c.title, c.kind, c.category, c.status],
  parties: COLLECT {
    MATCH (c)<-[r:PARTY_TO]-(p:Person)
    WITH r, p ORDER BY r.role, p.id
    RETURN [r.role, p.id, p.name]
  },
  timeline: COLLECT {
    MATCH (c)-[:HAS_EVENT]->(e:CaseEvent)
    WITH e ORDER BY e.seq
    RETURN [e.seq, e.action, e.status, e.level]
  },
  escalations: COLLECT {
    MATCH (c)-[r:ESCALATED_TO]->(t)
    WITH r, t ORDER BY r.at
    RETURN [r.level, r.reason, t.code]
  }
} AS result
"""

STREET_OPEN_CASES: LiteralString = """
MATCH (s:Street {code: $street})<-[:PART_OF]-(:Community)<-[:PART_OF]-(g:Grid)
MATCH (g)<-[:OCCURRED_IN]-(c:Case {category: $category})
WHERE NOT c.status IN ['resolved', 'closed']
WITH c ORDER BY c.reportedAt DESC, c.code
WITH collect(c) AS cases
RETURN {
  total: size(cases),
  cases: [c IN cases[..20] | [c.code, c.status, COLLECT {
    MATCH (c)<-[r:PARTY_TO]-(p:Person)
    WITH r, p ORDER BY r.role, p.id
    RETURN [r.role, p.id, p.name]
  }]]
} AS result
"""

DISPUTE_NEIGHBOURHOOD: LiteralString = """
MATCH (p:Person {id: $person})
RETURN {
  person: [p.id, p.name],
  total: COUNT { (p)-[:PARTY_TO]->(:Case) },
  cases: COLLECT {
    MATCH (p)-[r:PARTY_TO]->(c:Case)
    WITH r, c ORDER BY c.reportedAt DESC, c.code LIMIT 50
    RETURN [c.code, r.role, COLLECT {
      MATCH (c)<-[r2:PARTY_TO]-(o:Person)
      WITH r2, o ORDER BY r2.role, o.id
      RETURN [r2.role, o.id, o.name, COUNT { (o)-[:PARTY_TO]->(:Case) }]
    }]
  }
} AS result
"""

SEARCH_NAME: LiteralString = """
CALL db.index.fulltext.queryNodes('search_text', $text) YIELD node, score
WHERE node:Person
WITH node, score ORDER BY score DESC, node.id LIMIT 100
RETURN collect([node.id, node.name, round(score, 4)]) AS result
"""

COMMUNITY_WALK: LiteralString = """
MATCH (:Community {code: $community})<-[:PART_OF]-(:Grid)<-[:RESIDES_IN]-(p:Person)
WITH p ORDER BY p.name, p.id
WITH collect([p.id, p.name]) AS residents
RETURN {
  total: size(residents),
  hasNextPage: size(residents) > $skip + $limit,
  residents: residents[$skip..$skip + $limit]
} AS result
"""

STREET_ROLLUP: LiteralString = """
MATCH (s:Street {code: $street})
RETURN {
  street: [s.code, s.name],
  communities: COLLECT {
    MATCH (s)<-[:PART_OF]-(c:Community)
    WITH c ORDER BY c.code
    WITH c, COLLECT {
      MATCH (c)<-[:PART_OF]-(g:Grid)
      WITH g ORDER BY g.code
      RETURN [g.code, COUNT { (g)<-[:RESIDES_IN]-(:Person) }, COUNT { (g)<-[:OCCURRED_IN]-(:Case) }]
    } AS grids
    RETURN [
      c.code, c.name,
      COUNT { (c)<-[:PART_OF]-(:Grid)<-[:RESIDES_IN]-(:Person) },
      COUNT { (c)<-[:PART_OF]-(:Grid)<-[:OCCURRED_IN]-(:Case) },
      COUNT {
        (c)<-[:PART_OF]-(:Grid)<-[:OCCURRED_IN]-(k:Case)
        WHERE NOT k.status IN ['resolved', 'closed']
      },
      grids
    ]
  }
} AS result
"""

CASE_PARTIES: LiteralString = """
MATCH (c:Case {code: $case})-[:OCCURRED_IN]->(g:Grid)
RETURN {
  case: [c.code, c.title, c.kind, c.category, c.status],
  grid: [g.code, g.name],
  parties: COLLECT {
    MATCH (c)<-[r:PARTY_TO]-(p:Person)
    WITH r, p ORDER BY r.role, p.id
    RETURN [r.role, p.id, p.name]
  }
} AS result
"""

PERSON_CASES: LiteralString = """
MATCH (p:Person {id: $person})
RETURN {
  person: [p.id, p.name],
  cases: COLLECT {
    MATCH (p)-[r:PARTY_TO]->(c:Case)
    WITH r, c ORDER BY c.reportedAt DESC, c.code LIMIT 50
    RETURN [c.code, r.role, c.status, COLLECT {
      MATCH (c)<-[r2:PARTY_TO]-(o:Person)
      WITH r2, o ORDER BY r2.role, o.id
      RETURN [r2.role, o.id, o.name]
    }]
  }
} AS result
"""

FLOOR_QUERIES: dict[str, LiteralString] = {
    "grid_residents": GRID_RESIDENTS,
    "resident_context": RESIDENT_CONTEXT,
    "case_detail": CASE_DETAIL,
    "street_open_cases": STREET_OPEN_CASES,
    "dispute_neighbourhood": DISPUTE_NEIGHBOURHOOD,
    "search_name": SEARCH_NAME,
    "community_walk": COMMUNITY_WALK,
    "street_rollup": STREET_ROLLUP,
    "case_parties": CASE_PARTIES,
    "person_cases": PERSON_CASES,
}
