"""Places: the administrative tree District ← Street ← Community ← Grid (← Building).

Every place has an administrative `code` (district 6 digits, street 9, community 12,
grid = community code + 3) and is `PART_OF` its parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import scope as row_scope
from graph.client import CypherWriter, GraphClient
from graph.traversal import Hop, NodeSpec, Scope, scope_params


class PlaceLevel(StrEnum):
    """A level of the administrative tree; the value is the node label."""

    DISTRICT = "District"
    STREET = "Street"
    COMMUNITY = "Community"
    GRID = "Grid"


PARENT_LEVEL: Mapping[PlaceLevel, PlaceLevel] = {
    PlaceLevel.STREET: PlaceLevel.DISTRICT,
    PlaceLevel.COMMUNITY: PlaceLevel.STREET,
    PlaceLevel.GRID: PlaceLevel.COMMUNITY,
}

# -- writes ---------------------------------------------------------------------------------

UPSERT_DISTRICTS: LiteralString = """
UNWIND $rows AS row
MERGE (d:District {code: row.code})
SET d.name = row.name
"""

UPSERT_STREETS: LiteralString = """
UNWIND $rows AS row
MATCH (parent:District {code: row.parentCode})
MERGE (s:Street {code: row.code})
SET s.name = row.name, s.kind = row.kind
MERGE (s)-[:PART_OF]->(parent)
"""

UPSERT_COMMUNITIES: LiteralString = """
UNWIND $rows AS row
MATCH (parent:Street {code: row.parentCode})
MERGE (c:Community {code: row.code})
SET c.name = row.name, c.kind = row.kind
MERGE (c)-[:PART_OF]->(parent)
"""

UPSERT_GRIDS: LiteralString = """
UNWIND $rows AS row
MATCH (parent:Community {code: row.parentCode})
MERGE (g:Grid {code: row.code})
SET g.name = row.name
MERGE (g)-[:PART_OF]->(parent)
"""

UPSERT_BY_LEVEL: Mapping[PlaceLevel, LiteralString] = {
    PlaceLevel.DISTRICT: UPSERT_DISTRICTS,
    PlaceLevel.STREET: UPSERT_STREETS,
    PlaceLevel.COMMUNITY: UPSERT_COMMUNITIES,
    PlaceLevel.GRID: UPSERT_GRIDS,
}


async def upsert_places(
    graph: CypherWriter, level: PlaceLevel, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Create or update places of one level (rows: code, name, parentCode, kind) in one batch."""
    await graph.write(UPSERT_BY_LEVEL[level], {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

DISTRICT = NodeSpec("District", "code", ("name",))
STREET = NodeSpec("Street", "code", ("name", "kind"))
COMMUNITY = NodeSpec("Community", "code", ("name", "kind"))
GRID = NodeSpec("Grid", "code", ("name",))
NODE_BY_LEVEL: Mapping[PlaceLevel, NodeSpec] = {
    PlaceLevel.DISTRICT: DISTRICT,
    PlaceLevel.STREET: STREET,
    PlaceLevel.COMMUNITY: COMMUNITY,
    PlaceLevel.GRID: GRID,
}

# Down the tree (children by code) and up it (the one parent).
DISTRICT_STREETS = Hop(DISTRICT, "(s:District)<-[r:PART_OF]-(t:Street)", STREET)
STREET_COMMUNITIES = Hop(STREET, "(s:Street)<-[r:PART_OF]-(t:Community)", COMMUNITY)
COMMUNITY_GRIDS = Hop(COMMUNITY, "(s:Community)<-[r:PART_OF]-(t:Grid)", GRID)
STREET_DISTRICT = Hop(STREET, "(s:Street)-[r:PART_OF]->(t:District)", DISTRICT)
COMMUNITY_STREET = Hop(COMMUNITY, "(s:Community)-[r:PART_OF]->(t:Street)", STREET)
GRID_COMMUNITY = Hop(GRID, "(s:Grid)-[r:PART_OF]->(t:Community)", COMMUNITY)

LIST_DISTRICTS: LiteralString = """
MATCH (d:District)
RETURN d.code AS code, d.name AS name
ORDER BY d.code
"""
# Scoped: the districts inside or above the scope (graph/scope.py).
LIST_DISTRICTS_SCOPED: LiteralString = f"""
MATCH (d:District)
WHERE {row_scope.visible("District", "d")}
RETURN d.code AS code, d.name AS name
ORDER BY d.code
"""


async def list_districts(graph: GraphClient, scope: Scope = None) -> list[dict[str, Any]]:
    """All districts (with a scope: those inside or above it), by code."""
    query = LIST_DISTRICTS if scope is None else LIST_DISTRICTS_SCOPED
    return await graph.read(query, scope_params(scope))


EXISTING_CODES_BY_LEVEL: Mapping[PlaceLevel, LiteralString] = {
    PlaceLevel.DISTRICT: "UNWIND $codes AS code MATCH (p:District {code: code}) RETURN code",
    PlaceLevel.STREET: "UNWIND $codes AS code MATCH (p:Street {code: code}) RETURN code",
    PlaceLevel.COMMUNITY: "UNWIND $codes AS code MATCH (p:Community {code: code}) RETURN code",
    PlaceLevel.GRID: "UNWIND $codes AS code MATCH (p:Grid {code: code}) RETURN code",
}


async def existing_codes(graph: GraphClient, level: PlaceLevel, codes: Iterable[str]) -> set[str]:
    """Which of these codes name an existing place of this level."""
    rows = await graph.read(EXISTING_CODES_BY_LEVEL[level], {"codes": sorted(set(codes))})
    return {row["code"] for row in rows}
