"""Buildings (楼栋/院落): the optional place level under a grid; code = grid code + 3 digits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, LiteralString

from graph import places
from graph.client import CypherWriter
from graph.traversal import Hop, NodeSpec

UPSERT_BUILDINGS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (b:Building {code: row.code})
SET b.name = row.name, b.address = row.address
MERGE (b)-[:PART_OF]->(g)
"""


async def upsert_buildings(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update buildings (rows: code, name, address, gridCode) in one batch."""
    await graph.write(UPSERT_BUILDINGS, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

BUILDING = NodeSpec("Building", "code", ("name", "address"))
BUILDING_GRID = Hop(BUILDING, "(s:Building)-[r:PART_OF]->(t:Grid)", places.GRID)
GRID_BUILDINGS = Hop(places.GRID, "(s:Grid)<-[r:PART_OF]-(t:Building)", BUILDING)
