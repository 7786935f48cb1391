"""Grid volunteer teams (网格志愿服务队伍) with credit points (信用积分) and star ratings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, LiteralString

from graph import persons, places
from graph.client import CypherWriter
from graph.traversal import Hop, NodeSpec

UPSERT_TEAMS: LiteralString = """
UNWIND $rows AS row
MATCH (g:Grid {code: row.gridCode})
MERGE (t:VolunteerTeam {code: row.code})
SET t.name = row.name
MERGE (t)-[:SERVES]->(g)
"""

UPSERT_VOLUNTEERS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (t:VolunteerTeam {code: row.teamCode})
MERGE (p)-[r:VOLUNTEERS_IN]->(t)
SET r.points = row.points, r.stars = row.stars
"""


async def upsert_volunteer_teams(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update volunteer teams serving grids (rows: code, name, gridCode)."""
    await graph.write(UPSERT_TEAMS, {"rows": list(rows)})


async def upsert_volunteers(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Enrol persons in teams (rows: personId, teamCode, points, stars 1-5)."""
    await graph.write(UPSERT_VOLUNTEERS, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

VOLUNTEER_TEAM = NodeSpec("VolunteerTeam", "code", ("name",))
TEAM_GRID = Hop(VOLUNTEER_TEAM, "(s:VolunteerTeam)-[r:SERVES]->(t:Grid)", places.GRID)
GRID_TEAMS = Hop(places.GRID, "(s:Grid)<-[r:SERVES]-(t:VolunteerTeam)", VOLUNTEER_TEAM)
# Volunteers of a team, most credit points first; paginated.
TEAM_VOLUNTEERS = Hop(
    VOLUNTEER_TEAM,
    "(s:VolunteerTeam)<-[r:VOLUNTEERS_IN]-(t:Person)",
    persons.PERSON,
    edge=("points", "stars"),
    order="r.points DESC, t.id",
)
PERSON_TEAMS = Hop(
    persons.PERSON,
    "(s:Person)-[r:VOLUNTEERS_IN]->(t:VolunteerTeam)",
    VOLUNTEER_TEAM,
    edge=("points", "stars"),
)
